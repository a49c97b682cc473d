"""Closed deals: the won, lost and disqualified deals of a pipeline, newest first.

What the boards leave out once a deal closes, so it can still be found and
reopened. Built like a board column (DESIGN.md rule 4): the totals come from one
aggregate, rows are read a window at a time with the filter, the order and
OFFSET/LIMIT all in SQL, so 60,000 closed deals cost what 60 do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum
from sqlalchemy import and_, or_
from sqlmodel import Session, func, select

from store import clock, deals
from store.board import BoardFilter, _conditions
from store.errors import NotFound
from store.models import LEAD, LOST, OPEN, WON, Account, Deal, Rep
from store.reps import initials
from store.stages import StageInfo, list_stages

# What a closed deal's outcome is called, by the kind of stage it closed in.
OUTCOMES = {WON: "won", LOST: "lost"}


@dataclass(frozen=True)
class ClosedDeal:
    id: int
    version: int
    pipeline: str
    title: str
    account_name: str | None
    value: int
    owner_id: int
    owner_name: str
    stage_id: int
    outcome: str  # won / lost / disqualified
    closed_at: pendulum.DateTime
    closed_on: date  # closed_at's day in the timezone asked for
    lost_reason: str | None

    @property
    def owner_initials(self) -> str:
        return initials(self.owner_name)


@dataclass(frozen=True)
class ClosedTotals:
    won_count: int
    won_value: int
    lost_count: int  # lost opportunities, or disqualified leads
    lost_value: int

    @property
    def count(self) -> int:
        return self.won_count + self.lost_count


@dataclass(frozen=True)
class ReopenChoice:
    """Where a closed deal can go back to: its pipeline's open stages, and the one it
    was in before it closed (None when its history does not say, e.g. imported)."""

    stages: list[StageInfo]
    closed_from: int | None

    @property
    def default(self) -> StageInfo:
        return next((s for s in self.stages if s.id == self.closed_from), self.stages[-1])


def outcome_word(pipeline: str, stage_kind: str) -> str:
    return "disqualified" if pipeline == LEAD and stage_kind == LOST else OUTCOMES.get(stage_kind, stage_kind)


def _closed_stages(session: Session, pipeline: str) -> dict[int, str]:
    """Closed stage id → its kind (won / lost)."""
    return {s.id: s.kind for s in list_stages(session, pipeline) if s.kind != OPEN}


def _where(pipeline: str, stage_ids, flt: BoardFilter) -> list:
    return [Deal.pipeline == pipeline, Deal.stage_id.in_(list(stage_ids)), *_conditions(flt)]


def _dated(pipeline: str, stage_ids, flt: BoardFilter) -> list:
    # Every close writes closed_at (win, loss, an import's close date, an undone
    # reopening); saying so lets both backends walk ix_deal_closed newest first
    # instead of sorting every closed deal (PostgreSQL: 0.2 ms, not 90, at 60,000).
    # The totals leave it out: with it SQLite counts through that index, 25 times slower.
    return [*_where(pipeline, stage_ids, flt), Deal.closed_at.is_not(None)]


def closed_totals(session: Session, pipeline: str, flt: BoardFilter) -> ClosedTotals:
    """How many closed deals (and their value) the filter finds, won and lost apart."""
    stages = _closed_stages(session, pipeline)
    totals = {WON: (0, 0), LOST: (0, 0)}
    if stages:
        rows = session.exec(
            select(Deal.stage_id, func.count(), func.coalesce(func.sum(Deal.value), 0))
            .where(*_where(pipeline, stages, flt))
            .group_by(Deal.stage_id)
        ).all()
        for stage_id, count, value in rows:
            kind = stages[stage_id]
            before = totals.get(kind, (0, 0))
            totals[kind] = (before[0] + int(count), before[1] + int(value))
    return ClosedTotals(totals[WON][0], totals[WON][1], totals[LOST][0], totals[LOST][1])


def _order():
    return (Deal.closed_at.desc(), Deal.id.desc())  # newest close first


def closed_deals(
    session: Session, pipeline: str, flt: BoardFilter, *, offset: int = 0, limit: int = 50, tz: str = "UTC"
) -> list[ClosedDeal]:
    """One window of the pipeline's closed deals, newest close first."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must be zero or more")
    stages = _closed_stages(session, pipeline)
    if not stages:
        return []
    window = (
        select(Deal.id)
        .where(*_dated(pipeline, stages, flt))
        .order_by(*_order())
        .offset(offset)
        .limit(limit)
        .subquery("window")
    )
    rows = session.exec(
        select(
            Deal.id, Deal.version, Deal.title, Account.name, Deal.value, Deal.owner_id, Rep.name,
            Deal.stage_id, Deal.closed_at, Deal.lost_reason,
        )
        .select_from(window)
        .join(Deal, Deal.id == window.c.id)
        .join(Rep, Rep.id == Deal.owner_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .order_by(*_order())
    ).all()
    zone = pendulum.timezone(tz)
    result = []
    for deal_id, version, title, account, value, owner_id, owner, stage_id, closed_at, reason in rows:
        moment = clock.aware(closed_at)
        result.append(
            ClosedDeal(
                id=deal_id,
                version=version,
                pipeline=pipeline,
                title=title,
                account_name=account,
                value=value,
                owner_id=owner_id,
                owner_name=owner,
                stage_id=stage_id,
                outcome=outcome_word(pipeline, stages[stage_id]),
                closed_at=moment,
                closed_on=moment.in_timezone(zone).date(),
                lost_reason=reason,
            )
        )
    return result


def closed_index(session: Session, pipeline: str, flt: BoardFilter, deal_id: int) -> int | None:
    """Where ``deal_id`` sits in the closed list (0-based); None when the filter
    does not find it among the pipeline's closed deals."""
    stages = _closed_stages(session, pipeline)
    if not stages:
        return None
    mine = session.exec(
        select(Deal.id, Deal.closed_at).where(Deal.id == deal_id, *_dated(pipeline, stages, flt))
    ).first()
    if mine is None:
        return None
    closed_at = mine[1]
    column = Deal.closed_at
    before = or_(column > closed_at, and_(column == closed_at, Deal.id > deal_id))
    return int(session.exec(select(func.count()).select_from(Deal).where(*_dated(pipeline, stages, flt), before)).one())


def reopen_choice(session: Session, deal_id: int) -> ReopenChoice:
    """The open stages a closed deal may go back to, and the one it closed from."""
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound(f"no deal with id {deal_id}")
    stages = list_stages(session, deal.pipeline, open_only=True)
    closed_from = deals.stage_before_closing(session, deal_id)
    return ReopenChoice(stages, closed_from if any(s.id == closed_from for s in stages) else None)

