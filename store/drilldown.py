"""One rep's numbers (or the team's) week by week, and the deals their activities
touched: the numbers screen's drill-down. The figures mean what store.numbers says.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pendulum
from sqlmodel import Session, func, select

from store import clock
from store.errors import NotFound
from store.goals import METRIC_KEYS
from store.models import Account, Activity, Deal, Rep, Stage
from store.money import DEFAULT_CURRENCY, database_currency
from store.period_counts import Counts, add_activity_counts, add_deal_counts, in_periods
from store.periods import WEEK, Period, weeks_overlapping

DRILL_WEEKS_FOR_A_WEEK = 8  # a week's drill-down shows it and the seven before


@dataclass(frozen=True)
class WeekNumbers:
    week: Period
    figures: dict[str, int]  # every key of METRICS


@dataclass(frozen=True)
class TouchedDeal:
    """A deal the rep's activities touched in the period."""

    deal_id: int
    title: str
    account_name: str | None
    pipeline: str
    stage_name: str
    stage_kind: str
    milestone: str | None  # the furthest the deal has reached, now
    value: int
    activities: int  # the rep's activities on it in the period
    last_touched: pendulum.DateTime


@dataclass(frozen=True)
class RepDrilldown:
    rep_id: int | None  # None: the whole team
    name: str
    period: Period
    weeks: tuple[WeekNumbers, ...]  # oldest first
    deals: tuple[TouchedDeal, ...]  # most recently touched first, at most ``deal_limit``
    deals_total: int
    currency: str = DEFAULT_CURRENCY


def drilldown_weeks(period: Period) -> list[Period]:
    """The weeks a drill-down shows: the weeks overlapping ``period`` (whole weeks,
    Monday to Sunday); for a week, it and the seven before. Weeks that have not
    started yet are left out."""
    if period.kind == WEEK:
        weeks = [period.shifted(-i) for i in reversed(range(DRILL_WEEKS_FOR_A_WEEK))]
    else:
        weeks = weeks_overlapping(period)
    today = clock.today_in(period.tz)
    return [w for w in weeks if w.start <= today]


def rep_drilldown(session: Session, period: Period, rep_id: int | None, *, deal_limit: int = 200) -> RepDrilldown:
    """One rep's (or, with ``rep_id`` None, the team's) numbers week by week, and
    the deals their activities in ``period`` touched."""
    name = "Team"
    if rep_id is not None:
        rep = session.get(Rep, rep_id)
        if rep is None:
            raise NotFound(f"no rep with id {rep_id}")
        name = rep.name
    weeks = drilldown_weeks(period)
    per_week: list[WeekNumbers] = []
    if weeks:
        counts: Counts = {}
        add_activity_counts(session, weeks, rep_id, counts)
        add_deal_counts(session, weeks, rep_id, counts)
        summed: dict[int, Counter] = {}
        for (_rep, index), figures in counts.items():
            summed.setdefault(index, Counter()).update(figures)
        per_week = [
            WeekNumbers(week, {key: int(summed.get(i, Counter())[key]) for key in METRIC_KEYS})
            for i, week in enumerate(weeks)
        ]

    where = [in_periods(Activity.occurred_at, [period])]
    if rep_id is not None:
        where.append(Activity.rep_id == rep_id)
    touched = (
        select(
            Activity.deal_id.label("deal_id"),
            func.count().label("n"),
            func.max(Activity.occurred_at).label("last"),
        )
        .where(*where)
        .group_by(Activity.deal_id)
        .subquery("touched")
    )
    total = int(session.exec(select(func.count()).select_from(touched)).one())
    rows = session.exec(
        select(
            Deal.id, Deal.title, Account.name, Deal.pipeline, Stage.name, Stage.kind, Deal.milestone,
            Deal.value, touched.c.n, touched.c.last,
        )
        .select_from(touched)
        .join(Deal, Deal.id == touched.c.deal_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .order_by(touched.c.last.desc(), Deal.id)
        .limit(deal_limit)
    )
    deals = tuple(
        TouchedDeal(
            deal_id, title, account, pipeline, stage, kind, milestone, value, int(n), _moment(last)
        )
        for deal_id, title, account, pipeline, stage, kind, milestone, value, n, last in rows
    )
    return RepDrilldown(rep_id, name, period, tuple(per_week), deals, total, database_currency(session))


def _moment(value) -> pendulum.DateTime:
    # MAX() over a column loses the column type on SQLite: a string comes back.
    return clock.aware(clock.from_driver(value))
