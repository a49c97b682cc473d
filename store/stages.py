"""Stages and lost reasons: data a team's manager renames, re-weights, adds,
reorders and retires (store.permissions), each change recorded (store.audit).

A stage's probability is what the forecast weighs its deals by; its rot days say
when a quiet deal is stale. Won and lost (disqualified) stages close deals: they
stay last, keep their probability, and cannot be retired. A retired stage holds
no deals (retiring moves them, each move a stage-change event on the deal) and is
gone from boards, pickers and imports; events that name it still read.

Past 400 lines on purpose: stages and lost reasons are the one administrative unit the
Team page, `legwork stages` and `legwork lost-reasons` edit, with the same checks
(pipeline, manager, audit); splitting the ~70 lines of lost reasons off would leave two
modules importing each other's private checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select, update

from store import audit, clock, events, permissions, validate
from store.errors import InvalidInput, NotFound, RuleViolation
from store.models import OPEN, PIPELINES, Deal, LostReason, Stage
from store.tx import lock_rows, write

# Column widths (see models.py): PostgreSQL refuses longer text, SQLite keeps it.
MAX_STAGE_NAME = 64
MAX_REASON_LABEL = 100
MAX_ROT_DAYS = 36_500
DEFAULT_ROT_DAYS = 14


@dataclass(frozen=True)
class StageInfo:
    id: int
    pipeline: str
    name: str
    position: int
    kind: str
    probability: int
    rot_days: int
    retired: bool = False

    @property
    def is_open(self) -> bool:
        return self.kind == OPEN


def to_info(stage: Stage) -> StageInfo:
    return StageInfo(
        id=stage.id,
        pipeline=stage.pipeline,
        name=stage.name,
        position=stage.position,
        kind=stage.kind,
        probability=stage.probability,
        rot_days=stage.rot_days,
        retired=bool(stage.retired),
    )


def _check_pipeline(pipeline: str) -> None:
    if pipeline not in PIPELINES:
        raise InvalidInput(f"pipeline {pipeline!r} must be one of {', '.join(PIPELINES)}")


def list_stages(
    session: Session, pipeline: str, *, open_only: bool = False, include_retired: bool = False
) -> list[StageInfo]:
    """The pipeline's stages in board order; retired ones only when asked (then last)."""
    _check_pipeline(pipeline)
    query = select(Stage).where(Stage.pipeline == pipeline).order_by(Stage.position, Stage.id)
    if open_only:
        query = query.where(Stage.kind == OPEN)
    if not include_retired:
        query = query.where(Stage.retired == False)  # noqa: E712
    return [to_info(s) for s in session.exec(query)]


def get_stage(session: Session, stage_id: int) -> StageInfo:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(f"no stage with id {stage_id}")
    return to_info(stage)


def find_stage(session: Session, pipeline: str, name: str) -> StageInfo:
    stages = list_stages(session, pipeline)
    for stage in stages:
        if stage.name.casefold() == name.strip().casefold():
            return stage
    names = ", ".join(s.name for s in stages)
    raise NotFound(f"no {pipeline} stage called {name!r} (stages: {names})")


def find_stage_named(session: Session, name: str, pipeline: str | None = None) -> StageInfo:
    """The stage called ``name`` (any case) in ``pipeline``, or in whichever pipeline
    has one; a name both pipelines use must say which."""
    validate.text(name, "a stage name")
    if pipeline is not None:
        return find_stage(session, pipeline, name)
    found = []
    for each in PIPELINES:
        try:
            found.append(find_stage(session, each, name))
        except NotFound:
            pass
    if len(found) > 1:
        raise InvalidInput(f"both pipelines have a stage called {name!r}: say which (--pipeline lead|opportunity)")
    if not found:
        every = "; ".join(f"{p}: " + ", ".join(s.name for s in list_stages(session, p)) for p in PIPELINES)
        raise NotFound(f"no stage called {name!r} ({every})")
    return found[0]


def terminal_stage(session: Session, pipeline: str, kind: str) -> StageInfo:
    stage = session.exec(
        select(Stage).where(Stage.pipeline == pipeline, Stage.kind == kind).order_by(Stage.position)
    ).first()
    if stage is None:
        raise NotFound(f"the {pipeline} pipeline has no {kind} stage")
    return to_info(stage)


def deals_in_stage(session: Session, stage_id: int) -> int:
    return session.exec(select(func.count()).select_from(Deal).where(Deal.stage_id == stage_id)).one()


def _clean_name(name: str) -> str:
    name = validate.text(name, "a stage name").strip()
    if not name:
        raise InvalidInput("a stage needs a name")
    if len(name) > MAX_STAGE_NAME:
        raise InvalidInput(f"a stage name is at most {MAX_STAGE_NAME} characters")
    return name


def _check_name_free(session: Session, pipeline: str, name: str, stage_id: int | None = None) -> None:
    # Stages are found by name case-insensitively: two must not share one (a retired
    # one keeps its name, so the events naming it stay unambiguous).
    for other in session.exec(select(Stage).where(Stage.pipeline == pipeline)):
        if other.id != stage_id and other.name.casefold() == name.casefold():
            retired = " (retired)" if other.retired else ""
            raise InvalidInput(f"the {pipeline} pipeline already has a stage called {other.name!r}{retired}")


def _check_probability(probability: int | None) -> None:
    validate.whole(probability, "probability")
    if probability is not None and not 0 <= probability <= 100:
        raise InvalidInput(f"probability {probability} must be between 0 and 100")


def _check_rot_days(rot_days: int | None) -> None:
    validate.whole(rot_days, "rot threshold", high=MAX_ROT_DAYS)
    if rot_days is not None and rot_days < 0:
        raise InvalidInput("rot threshold must be zero or more days")


def _renumber(session: Session, pipeline: str, open_ids: list[int]) -> None:
    """Positions: the open stages in ``open_ids`` order, then the closing ones as they
    were, then the retired ones."""
    rows = list(session.exec(select(Stage).where(Stage.pipeline == pipeline).order_by(Stage.position, Stage.id)))
    by_id = {row.id: row for row in rows}
    ordered = [by_id[i] for i in open_ids]
    ordered += [r for r in rows if r.kind != OPEN and not r.retired]
    ordered += [r for r in rows if r.retired]
    for position, row in enumerate(ordered):
        if row.position != position:
            row.position = position
            session.add(row)
    session.flush()


def _open_ids(session: Session, pipeline: str) -> list[int]:
    return [s.id for s in list_stages(session, pipeline, open_only=True)]


def update_stage(
    session: Session,
    stage_id: int,
    *,
    name: str | None = None,
    probability: int | None = None,
    rot_days: int | None = None,
    by: int | None = None,
) -> StageInfo:
    """Rename or re-weight a stage (a manager's change, recorded with its before and after)."""
    validate.ident(stage_id, "stage")
    if name is not None:
        name = _clean_name(name)
    _check_probability(probability)
    _check_rot_days(rot_days)
    with write(session):
        stage = session.get(Stage, stage_id)
        if stage is None:
            raise NotFound(f"no stage with id {stage_id}")
        permissions.require_manager(session, by, f"change the {stage.pipeline} stage {stage.name!r}")
        before = {"name": stage.name, "probability": stage.probability, "rot_days": stage.rot_days}
        if name is not None:
            _check_name_free(session, stage.pipeline, name, stage.id)
            stage.name = name
        if probability is not None and probability != stage.probability:
            if stage.kind != OPEN:
                raise RuleViolation(f"{stage.name} closes a deal: its probability stays {stage.probability}%")
            stage.probability = probability
        if rot_days is not None:
            stage.rot_days = rot_days
        after = {"name": stage.name, "probability": stage.probability, "rot_days": stage.rot_days}
        if after != before:
            changed = {k: after[k] for k in after if after[k] != before[k]}
            was = {k: before[k] for k in changed}
            audit.record(session, by, "stage.changed", f"{stage.pipeline}: {before['name']}", before=was, after=changed)
        session.add(stage)
        session.flush()
        info = to_info(stage)
    return info


def add_stage(
    session: Session,
    pipeline: str,
    name: str,
    *,
    after: int | None = None,
    probability: int = 0,
    rot_days: int = DEFAULT_ROT_DAYS,
    by: int | None = None,
) -> StageInfo:
    """A new open stage, after the open stage ``after`` (default: after the last one)."""
    _check_pipeline(pipeline)
    name = _clean_name(name)
    _check_probability(probability)
    _check_rot_days(rot_days)
    validate.ident(after, "stage")
    with write(session):
        permissions.require_manager(session, by, f"add a {pipeline} stage")
        _check_name_free(session, pipeline, name)
        order = _open_ids(session, pipeline)
        index = len(order)
        if after is not None:
            if after not in order:
                target = session.get(Stage, after)
                what = repr(target.name) if target is not None else f"id {after}"
                raise InvalidInput(f"a new stage goes after an open {pipeline} stage, not {what}")
            index = order.index(after) + 1
        stage = Stage(pipeline=pipeline, name=name, position=len(order), kind=OPEN, probability=probability,
                      rot_days=rot_days)
        session.add(stage)
        session.flush()
        order.insert(index, stage.id)
        _renumber(session, pipeline, order)
        audit.record(session, by, "stage.added", f"{pipeline}: {name}", probability=probability, rot_days=rot_days,
                     position=index + 1)
        info = to_info(stage)
    return info


def reorder_stages(session: Session, pipeline: str, names: list[str], *, by: int | None = None) -> list[StageInfo]:
    """Put the pipeline's open stages in the order ``names`` gives (every open stage,
    once each); won and lost stay last."""
    _check_pipeline(pipeline)
    if not isinstance(names, (list, tuple)):
        raise InvalidInput("the new order is a list of stage names")
    with write(session):
        permissions.require_manager(session, by, f"reorder the {pipeline} stages")
        current = list_stages(session, pipeline, open_only=True)
        by_name = {s.name.casefold(): s for s in current}
        wanted: list[StageInfo] = []
        for name in names:
            key = (validate.text(name, "a stage name") or "").strip().casefold()
            if key not in by_name:
                raise InvalidInput(
                    f"{name.strip()!r} is not an open {pipeline} stage (open stages: "
                    + ", ".join(s.name for s in current) + ")"
                )
            if by_name[key] in wanted:
                raise InvalidInput(f"{by_name[key].name!r} is named twice")
            wanted.append(by_name[key])
        missing = [s.name for s in current if s not in wanted]
        if missing:
            raise InvalidInput("name every open stage once; missing: " + ", ".join(missing))
        if [s.id for s in wanted] != [s.id for s in current]:
            _renumber(session, pipeline, [s.id for s in wanted])
            audit.record(session, by, "stage.reordered", pipeline, before=[s.name for s in current],
                         after=[s.name for s in wanted])
        result = list_stages(session, pipeline)
    return result


def retire_stage(session: Session, stage_id: int, *, move_to: int | None = None, by: int | None = None) -> int:
    """Retire an open stage, first moving its deals to the open stage ``move_to`` (each
    move a stage-change event by ``by``). A stage holding deals without ``move_to``
    is refused, saying how many and where they could go. Returns the deals moved."""
    validate.ident(stage_id, "stage")
    validate.ident(move_to, "stage")
    with write(session):
        stage = session.get(Stage, stage_id)
        if stage is None:
            raise NotFound(f"no stage with id {stage_id}")
        permissions.require_manager(session, by, f"retire the {stage.pipeline} stage {stage.name!r}")
        if stage.retired:
            raise RuleViolation(f"{stage.name} is retired already")
        if stage.kind != OPEN:
            raise RuleViolation(f"{stage.name} closes deals ({stage.kind}): it cannot be retired")
        others = [s for s in list_stages(session, stage.pipeline, open_only=True) if s.id != stage.id]
        if not others:
            raise RuleViolation(f"{stage.name} is the only open {stage.pipeline} stage: add another first")
        choices = ", ".join(s.name for s in others)
        ids = list(session.exec(select(Deal.id).where(Deal.stage_id == stage.id).order_by(Deal.id)))
        target = None
        if move_to is not None:
            target = next((s for s in others if s.id == move_to), None)
            if target is None:
                raise InvalidInput(f"{stage.name}'s deals can move to an open {stage.pipeline} stage: {choices}")
        elif ids:
            deals = "1 deal" if len(ids) == 1 else f"{len(ids):,} deals"
            raise RuleViolation(f"{stage.name} holds {deals}: say where they go (--move-to one of {choices})")
        if ids:
            _move_deals(session, stage, target, ids, by)
        stage.retired = True
        session.add(stage)
        session.flush()
        _renumber(session, stage.pipeline, [s.id for s in others])
        audit.record(session, by, "stage.retired", f"{stage.pipeline}: {stage.name}",
                     moved=len(ids), move_to=target.name if target else None)
    return len(ids)


def _move_deals(session: Session, stage: Stage, target: StageInfo, ids: list[int], by: int | None) -> None:
    """Every deal in ``stage`` to ``target``, one stage-change event each, as a move by hand records."""
    lock_rows(session, Deal.id, ids)  # PostgreSQL: a rep's write to one of them waits, then sees a new version
    versions = dict(session.exec(select(Deal.id, Deal.version).where(Deal.id.in_(ids))).all())
    now = clock.now()
    session.execute(
        update(Deal)
        .where(Deal.id.in_(ids))
        .values(stage_id=target.id, stage_entered_at=now, version=Deal.version + 1, updated_at=now, updated_by_id=by)
        .execution_options(synchronize_session=False)
    )
    for deal_id in ids:
        events.record(
            session, deal_id, by, events.STAGE_CHANGED,
            events.row_change(
                {"stage_id": stage.id}, {"stage_id": target.id}, versions[deal_id] + 1,
                **events.stage_move(stage.name, target.name, reason="stage retired"),
            ),
            at=now,
        )
    session.flush()


# --- lost reasons ----------------------------------------------------------------------------


def lost_reasons(session: Session, pipeline: str) -> list[str]:
    _check_pipeline(pipeline)
    query = select(LostReason.label).where(LostReason.pipeline == pipeline)
    return list(session.exec(query.order_by(LostReason.position)))


def _clean_labels(labels: list[str]) -> list[str]:
    if not isinstance(labels, (list, tuple)):
        raise InvalidInput("lost reasons are a list of labels")
    cleaned = [label.strip() for label in labels if validate.text(label, "a lost reason").strip()]
    if any(len(label) > MAX_REASON_LABEL for label in cleaned):
        raise InvalidInput(f"a lost reason is at most {MAX_REASON_LABEL} characters")
    if len({c.casefold() for c in cleaned}) != len(cleaned):
        raise InvalidInput("lost reasons must be different from each other")
    return cleaned


def _store_reasons(session: Session, pipeline: str, cleaned: list[str]) -> None:
    for row in session.exec(select(LostReason).where(LostReason.pipeline == pipeline)):
        session.delete(row)
    session.flush()
    for position, label in enumerate(cleaned):
        session.add(LostReason(pipeline=pipeline, label=label, position=position))
    session.flush()


def set_lost_reasons(session: Session, pipeline: str, labels: list[str], *, by: int | None = None) -> list[str]:
    """Replace the pipeline's lost reasons (the order is the picker's). Deals lost for
    a reason no longer listed keep it."""
    _check_pipeline(pipeline)
    cleaned = _clean_labels(labels)
    with write(session):
        permissions.require_manager(session, by, f"change the {pipeline} lost reasons")
        before = lost_reasons(session, pipeline)
        if before != cleaned:
            _store_reasons(session, pipeline, cleaned)
            audit.record(session, by, "lost_reasons.set", pipeline, before=before, after=cleaned)
    return cleaned


def add_lost_reason(session: Session, pipeline: str, label: str, *, by: int | None = None) -> list[str]:
    _check_pipeline(pipeline)
    (label,) = _clean_labels([label]) or [""]
    if not label:
        raise InvalidInput("a lost reason needs a label")
    with write(session):
        permissions.require_manager(session, by, f"add a {pipeline} lost reason")
        current = lost_reasons(session, pipeline)
        if any(r.casefold() == label.casefold() for r in current):
            raise InvalidInput(f"the {pipeline} pipeline already has the lost reason {label!r}")
        _store_reasons(session, pipeline, [*current, label])
        audit.record(session, by, "lost_reason.added", f"{pipeline}: {label}")
        result = lost_reasons(session, pipeline)
    return result


def remove_lost_reason(session: Session, pipeline: str, label: str, *, by: int | None = None) -> list[str]:
    _check_pipeline(pipeline)
    key = (validate.text(label, "a lost reason") or "").strip().casefold()
    with write(session):
        permissions.require_manager(session, by, f"remove a {pipeline} lost reason")
        current = lost_reasons(session, pipeline)
        kept = [r for r in current if r.casefold() != key]
        if len(kept) == len(current):
            raise NotFound(f"no {pipeline} lost reason {label.strip()!r} (reasons: {', '.join(current)})")
        removed = next(r for r in current if r.casefold() == key)
        _store_reasons(session, pipeline, kept)
        audit.record(session, by, "lost_reason.removed", f"{pipeline}: {removed}")
        result = lost_reasons(session, pipeline)
    return result
