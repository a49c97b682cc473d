"""What a board shows above its cards: each column's count and sums, and the summary line.

A column's count and sums come from one aggregate query over all open stages
(``board_columns``); on the opportunity board the same aggregate gives the
summary line's open and weighted sums (``board_totals``). After one stage move
``after_move`` adjusts the totals already shown instead of aggregating again.

Every query here is plain SQLAlchemy that means the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pendulum
from sqlalchemy import Integer, and_, bindparam, case, or_
from sqlmodel import Session, func, select

from store import clock, weighing
from store.board_filter import BoardFilter, _conditions
from store.events import STAGE_CHANGED
from store.models import LEAD, LOST, OPEN, OPPORTUNITY, WON, Deal, DealEvent
from store.money import MAX_VALUE, capped
from store.stages import list_stages


@dataclass(frozen=True)
class ColumnSummary:
    stage_id: int
    stage_name: str
    position: int
    probability: int
    rot_days: int
    count: int
    value: int
    weighted: int  # sum(value * probability) // 100, integer minor units
    # sum(value * probability) itself, which a stage move adjusts exactly (``after_move``).
    weighted_raw: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class OpportunitySummary:
    open_value: int
    open_count: int
    weighted_this_month: int
    weighted_this_quarter: int
    won_this_quarter: int
    won_count_this_quarter: int
    next_quarter_value: int
    next_quarter_weighted: int
    # The weighted sums before the division by 100 (month, quarter, next quarter),
    # which a stage move adjusts exactly (``after_move``).
    weighted_raw: tuple[int, int, int] = field(default=(0, 0, 0), compare=False, repr=False)


@dataclass(frozen=True)
class LeadSummary:
    open_count: int
    new_this_week: int
    converted_this_month: int
    disqualified_this_month: int


# --- columns -------------------------------------------------------------------------------


def board_columns(session: Session, pipeline: str, flt: BoardFilter) -> list[ColumnSummary]:
    """Every open stage of ``pipeline`` in position order, empty ones included.

    One aggregate query (GROUP BY stage) over the board index, plus the stage list.
    """
    stages = list_stages(session, pipeline, open_only=True)
    if not stages:
        return []
    where = [Deal.pipeline == pipeline, Deal.stage_id.in_([s.id for s in stages]), *_conditions(flt)]
    # One statement: the sums per stage, and those of deals weighed by their own probability.
    rows, fixes = weighing.stage_totals(session, [func.coalesce(func.sum(capped(Deal.value)), 0)], where,
                                        {s.id: s.probability for s in stages})
    return _columns(stages, {stage_id: (int(count), int(value)) for stage_id, count, value in rows},
                    {stage_id: fix[0] for stage_id, fix in fixes.items()})


def _columns(open_stages, totals: dict[int, tuple[int, int]], fixes: dict[int, int]) -> list[ColumnSummary]:
    """The columns of ``open_stages`` (in position order) from (count, value) by stage id, and
    what deals weighed by their own probability add to a stage's raw weighted sum."""
    columns = []
    for stage in open_stages:
        count, value = totals.get(stage.id, (0, 0))
        columns.append(
            ColumnSummary(
                stage_id=stage.id,
                stage_name=stage.name,
                position=stage.position,
                probability=stage.probability,
                rot_days=stage.rot_days,
                count=count,
                value=value,
                weighted=(value * stage.probability + fixes.get(stage.id, 0)) // 100,
                weighted_raw=value * stage.probability + fixes.get(stage.id, 0),
            )
        )
    return columns


def board_totals(
    session: Session, pipeline: str, flt: BoardFilter, *, tz: str
) -> tuple[list[ColumnSummary], OpportunitySummary | LeadSummary]:
    """What a board shows above its cards: the columns' totals and the summary line.

    On the opportunity board both come from the one aggregate of
    ``opportunity_summary``, which already groups the open deals by stage.
    """
    if pipeline == OPPORTUNITY:
        return _opportunity_totals(session, flt, tz=tz)
    return board_columns(session, pipeline, flt), lead_summary(session, flt, tz=tz)


# --- summary lines -------------------------------------------------------------------------


def _date(day: date) -> pendulum.Date:
    return pendulum.Date(day.year, day.month, day.day)


def _month(today: pendulum.Date) -> tuple[pendulum.Date, pendulum.Date]:
    start = today.start_of("month")
    return start, start.add(months=1)


def _quarter(today: pendulum.Date) -> tuple[pendulum.Date, pendulum.Date]:
    start = pendulum.Date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return start, start.add(months=3)


def _periods(today: pendulum.Date) -> tuple[tuple[pendulum.Date, pendulum.Date], ...]:
    """This month, this quarter and the next quarter: (start, end) each, end excluded."""
    quarter_start, quarter_end = _quarter(today)
    return _month(today), (quarter_start, quarter_end), (quarter_end, quarter_end.add(months=3))


def _between(column, start: date, end: date):
    """start <= column < end."""
    return and_(column >= start, column < end)


def _sum_if(condition):
    return func.coalesce(func.sum(case((condition, capped(Deal.value)), else_=0)), 0)


def opportunity_summary(session: Session, flt: BoardFilter, *, tz: str) -> OpportunitySummary:
    """The line above the opportunity board. Periods are calendar months and
    quarters in ``tz``; weighted sums are sum(value * probability) // 100."""
    return _opportunity_totals(session, flt, tz=tz)[1]


def _opportunity_totals(
    session: Session, flt: BoardFilter, *, tz: str
) -> tuple[list[ColumnSummary], OpportunitySummary]:
    """The opportunity board's columns and summary line, from one aggregate by stage."""
    today = _date(clock.today_in(tz))
    (month_start, month_end), (quarter_start, quarter_end), (_next_start, next_quarter_end) = _periods(today)
    stages = list_stages(session, OPPORTUNITY)
    open_stages = {s.id: s for s in stages if s.kind == OPEN}
    won_ids = [s.id for s in stages if s.kind == WON]
    terms = _conditions(flt)

    open_value = open_count = 0
    month_raw = quarter_raw = next_value = next_raw = 0  # raw = sum(value * probability)
    totals: dict[int, tuple[int, int]] = {}
    if open_stages:
        close = Deal.expected_close
        sums = [
            func.coalesce(func.sum(capped(Deal.value)), 0),
            _sum_if(_between(close, month_start, month_end)),
            _sum_if(_between(close, quarter_start, quarter_end)),
            _sum_if(_between(close, quarter_end, next_quarter_end)),
        ]
        where = [Deal.pipeline == OPPORTUNITY, Deal.stage_id.in_(list(open_stages)), *terms]
        # One statement: the sums per stage, and those of deals that carry their own (imported)
        # probability, which weighs them instead of their stage's.
        rows, fixes = weighing.stage_totals(session, sums, where, {i: s.probability for i, s in open_stages.items()})
        for fix in fixes.values():
            month_raw, quarter_raw, next_raw = month_raw + fix[1], quarter_raw + fix[2], next_raw + fix[3]
        for stage_id, count, value, in_month, in_quarter, in_next in rows:
            probability = open_stages[stage_id].probability
            totals[stage_id] = (int(count), int(value))
            open_count += int(count)
            open_value += int(value)
            month_raw += int(in_month) * probability
            quarter_raw += int(in_quarter) * probability
            next_value += int(in_next)
            next_raw += int(in_next) * probability

    won_value = won_count = 0
    if won_ids:
        won_count, won_value = session.exec(
            # No pipeline term (a won stage implies it): the closed_at index serves.
            select(func.count(), func.coalesce(func.sum(capped(Deal.value)), 0)).where(
                Deal.stage_id.in_(won_ids),
                Deal.closed_at >= clock.day_start(quarter_start, tz),
                Deal.closed_at < clock.day_start(quarter_end, tz),
                *terms,
            )
        ).one()
    column_fixes = {stage_id: fix[0] for stage_id, fix in fixes.items()} if open_stages else {}
    return _columns(open_stages.values(), totals, column_fixes), OpportunitySummary(
        open_value=open_value,
        open_count=open_count,
        weighted_this_month=month_raw // 100,
        weighted_this_quarter=quarter_raw // 100,
        won_this_quarter=int(won_value),
        won_count_this_quarter=int(won_count),
        next_quarter_value=next_value,
        next_quarter_weighted=next_raw // 100,
        weighted_raw=(month_raw, quarter_raw, next_raw),
    )


def lead_summary(session: Session, flt: BoardFilter, *, tz: str) -> LeadSummary:
    """The line above the leads board, in calendar periods of ``tz`` (weeks start
    on Monday).

    ``new_this_week`` counts deals created this week that started as leads (still
    leads, or converted since); ``converted_this_month`` counts conversions this
    month; ``disqualified_this_month`` leads closed in a lost stage this month.
    """
    today = _date(clock.today_in(tz))
    week_start = today.start_of("week")  # pendulum weeks start on Monday
    month_start, month_end = _month(today)
    week_from, week_to = clock.day_start(week_start, tz), clock.day_start(week_start.add(days=7), tz)
    month_from, month_to = clock.day_start(month_start, tz), clock.day_start(month_end, tz)
    stages = list_stages(session, LEAD)
    open_ids = [s.id for s in stages if s.kind == OPEN]
    lost_ids = [s.id for s in stages if s.kind == LOST]
    terms = _conditions(flt)

    def count(*where):
        return select(func.count()).select_from(Deal).where(*where, *terms).scalar_subquery()

    # One round trip; each count is its own subquery with its own index.
    open_count, new, converted, disqualified = session.exec(
        select(
            count(Deal.pipeline == LEAD, Deal.stage_id.in_(open_ids)),
            count(
                Deal.created_at >= week_from,
                Deal.created_at < week_to,
                or_(Deal.pipeline == LEAD, Deal.converted_at.is_not(None)),
            ),
            count(Deal.converted_at >= month_from, Deal.converted_at < month_to),
            count(  # no pipeline term (a lead stage implies it): the closed_at index serves
                Deal.stage_id.in_(lost_ids),
                Deal.closed_at >= month_from,
                Deal.closed_at < month_to,
            ),
        )
    ).one()
    return LeadSummary(
        open_count=int(open_count),
        new_this_week=int(new),
        converted_this_month=int(converted),
        disqualified_this_month=int(disqualified),
    )


# --- a stage move, from the totals already shown ----------------------------------------------


# after_move's reads, built once and run through the session's connection (it runs
# on every stage move). The events since the board was read, by the primary key: a handful (the caller
# knows they are all this deal's), where the deal's own index would read every event
# the deal ever had (a long-lived deal has hundreds). Bounded all the same.
_MAX_EVENTS_SINCE = 50
_EVENTS_SINCE = (
    select(DealEvent.deal_id, DealEvent.kind, DealEvent.data)
    .where(DealEvent.id > bindparam("since", type_=Integer))
    .order_by(DealEvent.id)
    .limit(_MAX_EVENTS_SINCE)
)
_MOVED_DEAL = select(Deal.value, Deal.expected_close, Deal.stage_id, Deal.probability).where(
    Deal.id == bindparam("deal", type_=Integer)
)


def after_move(
    session: Session,
    columns: list[ColumnSummary],
    summary: OpportunitySummary | LeadSummary,
    deal_id: int,
    *,
    since_event: int,
    today: date,
) -> tuple[list[ColumnSummary], OpportunitySummary | LeadSummary] | None:
    """The board's totals after one stage move, from the totals it showed before:
    the deal's value leaves one column for the other, and the weighted sums change
    by value × (new probability − old). Exact, with no aggregate over the board.

    ``since_event`` is the newest event id when ``columns`` and ``summary`` were
    read (the change token's first number); the caller knows that nothing but
    ``deal_id`` changed since. None when the move cannot be applied that way:
    the deal has any other event since (a second write, by anyone), there are
    50 events or more since, it carried its own probability (the move cleared
    it), or it left or entered a column the board does not show; the caller
    then aggregates again.
    """
    connection = session.connection()  # plain rows, statements built once: see _EVENTS_SINCE
    since = connection.execute(_EVENTS_SINCE, {"since": since_event}).all()
    if len(since) >= _MAX_EVENTS_SINCE:
        return None  # not just this move since the board was read: aggregate again
    rows = [(kind, data) for event_deal, kind, data in since if event_deal == deal_id]
    if len(rows) != 1 or rows[0][0] != STAGE_CHANGED:
        return None
    data = rows[0][1]
    if set(data.get("before", {})) != {"stage_id", "stage_entered_at"}:
        return None  # the move also cleared the deal's own probability
    from_id, to_id = data["before"]["stage_id"], data["after"]["stage_id"]
    by_stage = {c.stage_id: c for c in columns}
    if from_id not in by_stage or to_id not in by_stage or from_id == to_id:
        return None
    found = connection.execute(_MOVED_DEAL, {"deal": deal_id}).first()
    if found is None or found[2] != to_id or found[3] is not None:
        return None
    value = max(-MAX_VALUE, min(MAX_VALUE, int(found[0])))
    close = found[1]
    gone, came = by_stage[from_id], by_stage[to_id]

    def moved(column: ColumnSummary, sign: int) -> ColumnSummary:
        raw = column.weighted_raw + sign * value * column.probability
        return replace(column, count=column.count + sign, value=column.value + sign * value, weighted=raw // 100,
                       weighted_raw=raw)

    changed = {from_id: moved(gone, -1), to_id: moved(came, 1)}
    new_columns = [changed.get(c.stage_id, c) for c in columns]
    if not isinstance(summary, OpportunitySummary):
        return new_columns, summary  # the lead summary counts deals, wherever they stand
    shift = value * (came.probability - gone.probability)
    raws = tuple(
        raw + (shift if close is not None and start <= close < end else 0)
        for raw, (start, end) in zip(summary.weighted_raw, _periods(_date(today)))
    )
    return new_columns, replace(
        summary, weighted_this_month=raws[0] // 100, weighted_this_quarter=raws[1] // 100,
        next_quarter_weighted=raws[2] // 100, weighted_raw=raws,
    )
