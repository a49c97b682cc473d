"""Deals along the pipeline: move, convert, win, lose, reopen.

Each is one transaction that states the version it read and records one event
(store.events) whose ``before`` values let undo take it back.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from store import clock, events, validate
from store.deal_detail import DealDetail, get_deal
from store.deal_rows import apply_changes, check_version, load_for_write, one_line
from store.errors import InvalidInput, NotFound, RuleViolation
from store.models import LEAD, LOST, OPEN, OPPORTUNITY, WON, Deal, DealEvent, Stage
from store.stages import StageInfo, list_stages, terminal_stage
from store.stages import to_info as stage_info
from store.tx import write

MAX_REASON = 300


def _stage_change(
    session: Session, deal: Deal, stage: Stage, target: StageInfo, version: int, by: int, kind: str, **more: Any
) -> None:
    now = clock.now()
    after = {"stage_id": target.id, "stage_entered_at": now, **more.pop("columns", {})}
    if deal.probability is not None:
        # The deal's own probability (imported) was for the stage it leaves: the new stage's applies.
        after["probability"] = None
    extra = events.stage_move(stage.name, target.name, **more)
    apply_changes(session, deal, version, by, [(kind, after, extra)])


def _closed_message(deal: Deal, stage: Stage) -> str:
    state = {WON: "won", LOST: "lost" if deal.pipeline == OPPORTUNITY else "disqualified"}[stage.kind]
    return f"“{deal.title}” is {state}: reopen it first"


def move_deal(session: Session, deal_id: int, step: int, *, version: int, by: int) -> DealDetail:
    """Move a deal ``step`` open stages forward (+1) or back (-1) within its pipeline."""
    if step not in (-1, 1):
        raise InvalidInput("a deal moves one stage at a time")
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="move")
        check_version(session, deal, version)
        if stage.kind != OPEN:
            raise RuleViolation(_closed_message(deal, stage))
        open_stages = list_stages(session, deal.pipeline, open_only=True)
        index = next(i for i, s in enumerate(open_stages) if s.id == stage.id) + step
        if index < 0:
            raise RuleViolation(f"“{deal.title}” is already in the first stage, {stage.name}")
        if index >= len(open_stages):
            ending = "convert it or disqualify it" if deal.pipeline == LEAD else "mark it won or lost"
            raise RuleViolation(f"“{deal.title}” is in the last open stage, {stage.name}: {ending}")
        _stage_change(session, deal, stage, open_stages[index], version, by, events.STAGE_CHANGED)
    return get_deal(session, deal_id)


def move_to_stage(session: Session, deal_id: int, stage_id: int, *, version: int, by: int) -> DealDetail:
    """Move a deal to a named open stage of its own pipeline."""
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="move")
        check_version(session, deal, version)
        if stage.kind != OPEN:
            raise RuleViolation(_closed_message(deal, stage))
        target = session.get(Stage, stage_id)
        if target is None:
            raise NotFound(f"no stage with id {stage_id}")
        if target.pipeline != deal.pipeline:
            raise RuleViolation(f"{target.name} is not a stage of the {deal.pipeline} pipeline")
        if target.kind != OPEN:
            raise RuleViolation(f"{target.name} closes a deal: use won, lost or disqualify")
        if target.id != stage.id:
            _stage_change(session, deal, stage, stage_info(target), version, by, events.STAGE_CHANGED)
    return get_deal(session, deal_id)


def convert_lead(session: Session, deal_id: int, *, version: int, by: int) -> DealDetail:
    """The same record becomes an opportunity, in the first opportunity stage."""
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="convert")
        check_version(session, deal, version)
        if deal.pipeline != LEAD:
            raise RuleViolation(f"“{deal.title}” is already an opportunity")
        if stage.kind != OPEN:
            raise RuleViolation(_closed_message(deal, stage))
        first = list_stages(session, OPPORTUNITY, open_only=True)[0]
        _stage_change(
            session, deal, stage, first, version, by, events.CONVERTED,
            columns={"pipeline": OPPORTUNITY, "converted_at": clock.now()},
        )
    return get_deal(session, deal_id)


def _close(session: Session, deal: Deal, stage: Stage, outcome: str, version: int, by: int, **more: Any) -> None:
    """An open deal to its pipeline's ``outcome`` stage (WON or LOST), recorded as that kind."""
    if stage.kind != OPEN:
        raise RuleViolation(_closed_message(deal, stage))
    target = terminal_stage(session, deal.pipeline, outcome)
    _stage_change(session, deal, stage, target, version, by, {WON: events.WON, LOST: events.LOST}[outcome], **more)


def mark_won(session: Session, deal_id: int, *, version: int, by: int) -> DealDetail:
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="close")
        check_version(session, deal, version)
        if deal.pipeline == LEAD:
            raise RuleViolation(f"“{deal.title}” is a lead: convert it to an opportunity to win it")
        _close(session, deal, stage, WON, version, by, columns={"closed_at": clock.now()}, value=deal.value)
    return get_deal(session, deal_id)


def mark_lost(session: Session, deal_id: int, reason: str, *, version: int, by: int) -> DealDetail:
    """Lose an opportunity, or disqualify a lead; a reason is required."""
    reason = one_line(validate.text(reason, "the reason")) or ""
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="close")
        check_version(session, deal, version)
        if not reason:
            raise InvalidInput(f"say why “{deal.title}” was lost")
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"the reason is {len(reason)} characters; keep it under {MAX_REASON}")
        _close(
            session, deal, stage, LOST, version, by,
            columns={"closed_at": clock.now(), "lost_reason": reason}, reason=reason,
        )
    return get_deal(session, deal_id)


def reopen(session: Session, deal_id: int, *, version: int, by: int, stage_id: int | None = None) -> DealDetail:
    """A won or lost deal goes back to an open stage of its pipeline: ``stage_id``,
    or by default the one it was closed from (the last open stage when its history
    does not say)."""
    with write(session):
        deal, stage = load_for_write(session, deal_id, by=by, what="reopen")
        check_version(session, deal, version)
        if stage.kind == OPEN:
            raise RuleViolation(f"“{deal.title}” is already open")
        open_stages = list_stages(session, deal.pipeline, open_only=True)
        if stage_id is None:
            closed_from = stage_before_closing(session, deal.id)
            target = next((s for s in open_stages if s.id == closed_from), open_stages[-1])
        else:
            target = next((s for s in open_stages if s.id == stage_id), None)
            if target is None:
                names = ", ".join(s.name for s in open_stages)
                raise RuleViolation(f"“{deal.title}” reopens in an open stage of its pipeline ({names})")
        _stage_change(
            session, deal, stage, target, version, by, events.REOPENED,
            columns={"closed_at": None, "lost_reason": None},
        )
    return get_deal(session, deal_id)


def stage_before_closing(session: Session, deal_id: int) -> int | None:
    """The stage a deal was in before it last closed, from its won / lost event."""
    last_close = session.exec(
        select(DealEvent)
        .where(DealEvent.deal_id == deal_id, DealEvent.kind.in_([events.WON, events.LOST]))
        .order_by(DealEvent.id.desc())
    ).first()
    if last_close is None:
        return None
    return last_close.data.get("before", {}).get("stage_id")


def stages_for(session: Session, deal: DealDetail) -> list[StageInfo]:
    return list_stages(session, deal.pipeline)
