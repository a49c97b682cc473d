"""The aggregate queries behind the numbers: activity and deal figures per rep and
period, each one GROUP BY (rep, period bucket, type …) over an indexed time range,
never a query per rep. What each figure means is store.numbers' docstring.

``periods`` is a list of periods in order; a figure's period is its index in it.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import and_, case, or_
from sqlmodel import Session, func, select

from store import rollups
from store.goals import (
    ACTIVITIES,
    LEADS_CONVERTED,
    NEW_LEADS,
    OPPORTUNITIES_CREATED,
    PIPELINE_CREATED,
    WON_COUNT,
    WON_VALUE,
    activity_metric,
    milestone_metric,
)
from store.models import LEAD, OPPORTUNITY, WON, Activity, ActivityDay, Deal, Stage
from store.money import capped
from store.periods import Period


def _counted(column, periods: list[Period], start, until):
    """For each of ``periods`` (in order), the test that ``column`` is in its counted
    stretch: below its end, and from its start where the one before stopped short of
    it (a partial period leaves a gap)."""
    tests = []
    for i, p in enumerate(periods):
        test = column < until(p)
        if i and until(periods[i - 1]) != start(p):
            test = and_(column >= start(p), test)
        tests.append(test)
    return tests


def period_index(column, periods: list[Period]):
    """The index of the period (in order) a moment falls in; None in a gap."""
    tests = _counted(column, periods, lambda p: p.starts_at, lambda p: p.counts_until)
    return case(*[(test, i) for i, test in enumerate(tests)], else_=None)


def in_periods(column, periods: list[Period]):
    """``column`` falls in the first period's start to the last's counted end."""
    return and_(column >= periods[0].starts_at, column < periods[-1].counts_until)


Counts = dict[tuple[int, int], Counter]  # (rep id, period index) → metric → value


def _activity_rows(session: Session, periods: list[Period], rep_id: int | None, *, by_kind: bool = True):
    """(rep id, period index, type, milestone, count) per rep and period: one GROUP BY.

    Read from the ``activity_day`` rollup (store.rollups) when it counts days in
    the periods' timezone, else from the activity table itself. Without
    ``by_kind``, type and milestone are None and the count is the total.
    """
    if rollups.is_current(session, periods[0].tz):
        day, rep, n = ActivityDay.day, ActivityDay.rep_id, func.sum(ActivityDay.n)
        type_, milestone = ActivityDay.type, ActivityDay.milestone
        where = [day >= periods[0].start, day < periods[-1].counted_end]
        if rep_id is not None:
            where.append(rep == rep_id)
        if not by_kind:
            # Totals: add up each rep's day first (the covering index is in that
            # order), so the bucket CASE runs once per rep and day, not per row.
            daily = select(day, rep, n.label("n")).where(*where).group_by(day, rep).subquery("daily")
            day, rep, n, where = daily.c.day, daily.c.rep_id, func.sum(daily.c.n), []
        tests = _counted(day, periods, lambda p: p.start, lambda p: p.counted_end)
        bucket = case(*[(test, i) for i, test in enumerate(tests)], else_=None).label("bucket")
    else:
        bucket = period_index(Activity.occurred_at, periods).label("bucket")
        rep, type_, milestone, n = Activity.rep_id, Activity.type, Activity.milestone, func.count()
        where = [in_periods(Activity.occurred_at, periods)]
        if rep_id is not None:
            where.append(rep == rep_id)
    # The bucket leads the GROUP BY: SQLite then reads the covering index (day or
    # moment first) in order instead of walking a per-rep index row by row.
    if by_kind:
        grouped = select(rep, bucket, type_, milestone, n).where(*where).group_by(bucket, rep, type_, milestone)
        rows = session.exec(grouped)
        return [(r, i, t, m or None, int(c)) for r, i, t, m, c in rows if i is not None]
    rows = session.exec(select(rep, bucket, n).where(*where).group_by(bucket, rep))
    return [(r, i, None, None, int(c)) for r, i, c in rows if i is not None]


def add_activity_counts(session: Session, periods: list[Period], rep_id: int | None, counts: Counts) -> None:
    """activities, activity:<type> and milestone:<m>, per rep and period."""
    for rep, index, type_, milestone, n in _activity_rows(session, periods, rep_id):
        tally_activities(counts.setdefault((rep, index), Counter()), type_, milestone, n)


def tally_activities(figures: Counter, type_: str, milestone: str | None, n: int) -> None:
    """Count ``n`` activities of ``type_`` (carrying ``milestone``) into ``figures``:
    the total, the type's figure and the milestone's."""
    figures[ACTIVITIES] += n
    figures[activity_metric(type_)] += n
    if milestone:
        figures[milestone_metric(milestone)] += n


def add_deal_counts(session: Session, periods: list[Period], owner_id: int | None, counts: Counts) -> None:
    """The deal figures per owner and period: three GROUP BYs, each over its own
    indexed moment (created_at, converted_at, closed_at)."""
    owner = [Deal.owner_id == owner_id] if owner_id is not None else []
    opportunity_from_start = and_(Deal.pipeline == OPPORTUNITY, Deal.converted_at.is_(None))
    created = period_index(Deal.created_at, periods).label("bucket")
    for rep, index, leads, opps, value in session.exec(
        select(
            Deal.owner_id,
            created,
            func.sum(case((or_(Deal.pipeline == LEAD, Deal.converted_at.is_not(None)), 1), else_=0)),
            func.sum(case((opportunity_from_start, 1), else_=0)),
            func.sum(case((opportunity_from_start, capped(Deal.value)), else_=0)),
        )
        .where(in_periods(Deal.created_at, periods), *owner)
        .group_by(Deal.owner_id, created)
    ):
        if index is None:  # between a partial previous period and this one
            continue
        figures = counts.setdefault((rep, index), Counter())
        figures[NEW_LEADS] += int(leads or 0)
        figures[OPPORTUNITIES_CREATED] += int(opps or 0)
        figures[PIPELINE_CREATED] += int(value or 0)

    converted = period_index(Deal.converted_at, periods).label("bucket")
    for rep, index, n, value in session.exec(
        select(Deal.owner_id, converted, func.count(), func.coalesce(func.sum(capped(Deal.value)), 0))
        .where(in_periods(Deal.converted_at, periods), *owner)
        .group_by(Deal.owner_id, converted)
    ):
        if index is None:
            continue
        figures = counts.setdefault((rep, index), Counter())
        figures[LEADS_CONVERTED] += n
        figures[OPPORTUNITIES_CREATED] += n
        figures[PIPELINE_CREATED] += int(value)

    won_stages = select(Stage.id).where(Stage.kind == WON)
    closed = period_index(Deal.closed_at, periods).label("bucket")
    for rep, index, n, value in session.exec(
        select(Deal.owner_id, closed, func.count(), func.coalesce(func.sum(capped(Deal.value)), 0))
        # No pipeline term (a won stage implies it): the closed_at index serves.
        .where(in_periods(Deal.closed_at, periods), Deal.stage_id.in_(won_stages), *owner)
        .group_by(Deal.owner_id, closed)
    ):
        if index is None:
            continue
        figures = counts.setdefault((rep, index), Counter())
        figures[WON_COUNT] += n
        figures[WON_VALUE] += int(value)


def activity_totals(session: Session, periods: list[Period], rep_id: int | None) -> dict[tuple[int, int], int]:
    """Total activities per rep and period (the sparklines)."""
    return {(rep, index): n for rep, index, _t, _m, n in _activity_rows(session, periods, rep_id, by_kind=False)}
