"""Numbers: each rep's and the team's activity and results, period over period.

What the figures mean (``store.goals.METRICS`` names them), for a period
``[starts_at, ends_at)`` in the team's timezone (see periods.py):

* **activities by type** — activities whose ``occurred_at`` falls in the period,
  credited to the rep who logged them (``activity.rep_id``); ``activities`` is
  their total.
* **milestones reached** — activities in the period that carry each milestone:
  "1st meetings: 6" is six meetings held at the rapport step. A second rapport
  meeting on the same deal counts again: this measures the rep's work, as goals
  do ("6 first meetings a week"). How far the *deals* got is the activity
  pipeline's business (``activity_pipeline`` below).
* **new leads** — deals created in the period that started as leads (still
  leads, or converted since), credited to the deal's owner.
* **leads converted** — deals whose ``converted_at`` falls in the period, by owner.
* **opportunities created** — deals that entered the opportunity pipeline in the
  period: opportunities created directly, plus leads converted; by owner.
* **pipeline created** — the value of those opportunities (their value now).
* **won value / deals won** — deals in a won stage whose ``closed_at`` falls in
  the period, by owner.

Deal figures follow the deal's current owner; activity figures the rep who did
the work. Every figure comes with the previous period's, and every query is one
aggregate (GROUP BY rep, period bucket, type …) over an indexed time range:
never a query per rep.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

import pendulum
from sqlalchemy import and_, case, or_
from sqlmodel import Session, func, select

from store import clock, rollups
from store.settings import team_timezone
from store.errors import InvalidInput, NotFound
from store.money import DEFAULT_CURRENCY, capped, database_currency
from store.goals import (
    ACTIVITIES,
    LEADS_CONVERTED,
    METRIC_KEYS,
    NEW_LEADS,
    OPPORTUNITIES_CREATED,
    PIPELINE_CREATED,
    WON_COUNT,
    WON_VALUE,
    GoalProgress,
    activity_metric,
    goal_targets,
    milestone_metric,
)
from store.models import (
    LEAD,
    MILESTONES,
    OPEN,
    OPPORTUNITY,
    PIPELINES,
    WON,
    Account,
    Activity,
    ActivityDay,
    Deal,
    DealMilestone,
    Rep,
    Stage,
)
from store.periods import WEEK, Period, current_period, like_for_like, weeks_overlapping

SPARK_PERIODS = 12
DRILL_WEEKS_FOR_A_WEEK = 8  # a week's drill-down shows it and the seven before


# --- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    value: int
    previous: int

    @property
    def change(self) -> float | None:
        """(value − previous) ÷ previous; None when the previous period had none."""
        if self.previous == 0:
            return None
        return (self.value - self.previous) / self.previous

    @property
    def change_text(self) -> str:
        """``▲ 25%``, ``▼ 10%``, ``= 0%``; ``new`` when only this period has any; ``""`` when neither."""
        change = self.change
        if change is None:
            return "new" if self.value else ""
        percent = round(abs(change) * 100)
        if self.value == self.previous:
            return "= 0%"
        return f"{'▲' if change > 0 else '▼'} {percent}%"


@dataclass(frozen=True)
class RepNumbers:
    """One row of the table: a rep, or the team (``rep_id`` None)."""

    rep_id: int | None
    handle: str | None
    name: str
    figures: dict[str, Figure]  # every key of METRICS
    sparkline: tuple[int, ...] = ()  # total activities per period, oldest first, this period last
    goals: dict[str, GoalProgress] = field(default_factory=dict)

    @property
    def is_team(self) -> bool:
        return self.rep_id is None

    def __getitem__(self, key: str) -> Figure:
        return self.figures[key]


@dataclass(frozen=True)
class TeamNumbers:
    period: Period
    previous: Period
    team: RepNumbers
    reps: tuple[RepNumbers, ...]  # by name
    spark_periods: tuple[Period, ...]
    currency: str = DEFAULT_CURRENCY  # the database's: money figures are in its minor units
    rep_ids: frozenset[int] | None = None  # the reps the table is narrowed to (a team's); None: everyone

    def row(self, rep_id: int | None) -> RepNumbers | None:
        if rep_id is None:
            return self.team
        return next((r for r in self.reps if r.rep_id == rep_id), None)


def team_period(session: Session, kind: str, *, offset: int = 0) -> Period:
    """This ``kind`` of period in the team's timezone, ``offset`` periods back (0 or less):
    a period that has not started has no numbers."""
    if offset > 0:
        raise InvalidInput(f"no numbers for a future {kind}: the offset must be 0 (this {kind}) or less")
    try:
        return current_period(kind, team_timezone(session)).shifted(offset)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{-offset} {kind}s back is before the calendar begins") from None


# --- aggregate queries ---------------------------------------------------------------------


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


def _bucket(column, periods: list[Period]):
    """The index of the period (in order) a moment falls in; None in a gap."""
    tests = _counted(column, periods, lambda p: p.starts_at, lambda p: p.counts_until)
    return case(*[(test, i) for i, test in enumerate(tests)], else_=None)


def _in(column, periods: list[Period]):
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
        bucket = _bucket(Activity.occurred_at, periods).label("bucket")
        rep, type_, milestone, n = Activity.rep_id, Activity.type, Activity.milestone, func.count()
        where = [_in(Activity.occurred_at, periods)]
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


def _activity_counts(session: Session, periods: list[Period], rep_id: int | None, counts: Counts) -> None:
    """activities, activity:<type> and milestone:<m>, per rep and period."""
    for rep, index, type_, milestone, n in _activity_rows(session, periods, rep_id):
        figures = counts.setdefault((rep, index), Counter())
        figures[ACTIVITIES] += n
        figures[activity_metric(type_)] += n
        if milestone:
            figures[milestone_metric(milestone)] += n


def _deal_counts(session: Session, periods: list[Period], owner_id: int | None, counts: Counts) -> None:
    """The deal figures per owner and period: three GROUP BYs, each over its own
    indexed moment (created_at, converted_at, closed_at)."""
    owner = [Deal.owner_id == owner_id] if owner_id is not None else []
    opportunity_from_start = and_(Deal.pipeline == OPPORTUNITY, Deal.converted_at.is_(None))
    created = _bucket(Deal.created_at, periods).label("bucket")
    for rep, index, leads, opps, value in session.exec(
        select(
            Deal.owner_id,
            created,
            func.sum(case((or_(Deal.pipeline == LEAD, Deal.converted_at.is_not(None)), 1), else_=0)),
            func.sum(case((opportunity_from_start, 1), else_=0)),
            func.sum(case((opportunity_from_start, capped(Deal.value)), else_=0)),
        )
        .where(_in(Deal.created_at, periods), *owner)
        .group_by(Deal.owner_id, created)
    ):
        if index is None:  # between a partial previous period and this one
            continue
        figures = counts.setdefault((rep, index), Counter())
        figures[NEW_LEADS] += int(leads or 0)
        figures[OPPORTUNITIES_CREATED] += int(opps or 0)
        figures[PIPELINE_CREATED] += int(value or 0)

    converted = _bucket(Deal.converted_at, periods).label("bucket")
    for rep, index, n, value in session.exec(
        select(Deal.owner_id, converted, func.count(), func.coalesce(func.sum(capped(Deal.value)), 0))
        .where(_in(Deal.converted_at, periods), *owner)
        .group_by(Deal.owner_id, converted)
    ):
        if index is None:
            continue
        figures = counts.setdefault((rep, index), Counter())
        figures[LEADS_CONVERTED] += n
        figures[OPPORTUNITIES_CREATED] += n
        figures[PIPELINE_CREATED] += int(value)

    won_stages = select(Stage.id).where(Stage.kind == WON)
    closed = _bucket(Deal.closed_at, periods).label("bucket")
    for rep, index, n, value in session.exec(
        select(Deal.owner_id, closed, func.count(), func.coalesce(func.sum(capped(Deal.value)), 0))
        # No pipeline term (a won stage implies it): the closed_at index serves.
        .where(_in(Deal.closed_at, periods), Deal.stage_id.in_(won_stages), *owner)
        .group_by(Deal.owner_id, closed)
    ):
        if index is None:
            continue
        figures = counts.setdefault((rep, index), Counter())
        figures[WON_COUNT] += n
        figures[WON_VALUE] += int(value)


def _activity_totals(session: Session, periods: list[Period], rep_id: int | None) -> dict[tuple[int, int], int]:
    """Total activities per rep and period (the sparklines)."""
    return {(rep, index): n for rep, index, _t, _m, n in _activity_rows(session, periods, rep_id, by_kind=False)}


# --- the table -----------------------------------------------------------------------------


def _figures(now: Counter, before: Counter) -> dict[str, Figure]:
    return {key: Figure(int(now[key]), int(before[key])) for key in METRIC_KEYS}


def _progress(targets: dict[str, int], figures: dict[str, Figure]) -> dict[str, GoalProgress]:
    return {key: GoalProgress(key, target, figures[key].value) for key, target in targets.items()}


def team_numbers(
    session: Session, period: Period, *, spark: int = SPARK_PERIODS, rep_ids: frozenset[int] | None = None
) -> TeamNumbers:
    """A row per rep and one for the team, for ``period`` against the one before.

    A period under way is compared like for like (periods.like_for_like): to date
    against the same stretch of the one before; the table's ``period`` and
    ``previous`` say which days were counted.

    Rows: every active rep with the ``rep`` role, and anyone else (a manager, a
    rep since deactivated) with a figure or a goal in either period. The team row
    adds up every rep's figures. A team goal is the sum of the reps' goals for a
    figure only when every active rep has one: a sum over some reps, held against
    everyone's work, would read as met when it is not. ``spark`` periods of total
    activity end with ``period`` (0: none). ``rep_ids`` narrows the rows, and so the
    team row and its goals, to those reps (one team's).
    """
    period, previous = like_for_like(period)
    counts: Counts = {}
    _activity_counts(session, [previous, period], None, counts)
    _deal_counts(session, [previous, period], None, counts)
    spark_periods = [period.shifted(-i) for i in reversed(range(spark))]
    totals = _activity_totals(session, spark_periods, None) if spark else {}
    targets = goal_targets(session, period.kind)
    if rep_ids is not None:
        counts = {key: c for key, c in counts.items() if key[0] in rep_ids}
        totals = {key: n for key, n in totals.items() if key[0] in rep_ids}
        targets = {rep: t for rep, t in targets.items() if rep in rep_ids}

    busy = {rep for rep, _ in counts} | set(targets)
    reps = [
        r
        for r in session.exec(select(Rep))
        if ((r.active and r.role == "rep") or r.id in busy) and (rep_ids is None or r.id in rep_ids)
    ]
    reps.sort(key=lambda r: (r.name.casefold(), r.name, r.id))
    rows = []
    team_now, team_before = Counter(), Counter()
    team_spark = [0] * spark
    for rep in reps:
        now, before = counts.get((rep.id, 1), Counter()), counts.get((rep.id, 0), Counter())
        team_now.update(now)
        team_before.update(before)
        line = tuple(totals.get((rep.id, i), 0) for i in range(spark))
        team_spark = [a + b for a, b in zip(team_spark, line)]
        figures = _figures(now, before)
        rep_targets = targets.get(rep.id, {})
        rows.append(RepNumbers(rep.id, rep.handle, rep.name, figures, line, _progress(rep_targets, figures)))
    team_figures = _figures(team_now, team_before)
    team_targets = complete_team_goals(targets, [r.id for r in reps if r.active and r.role == "rep"])
    team = RepNumbers(None, None, "Team", team_figures, tuple(team_spark), _progress(team_targets, team_figures))
    return TeamNumbers(period, previous, team, tuple(rows), tuple(spark_periods), database_currency(session),
                       None if rep_ids is None else frozenset(rep_ids))


def complete_team_goals(targets: dict[int, dict[str, int]], rep_ids: list[int]) -> dict[str, int]:
    """The team's goal per figure: the sum of every rep's goal (anyone else's with
    one included), for the figures every one of ``rep_ids`` has a goal for."""
    if not rep_ids:
        return {}
    keys = set.intersection(*(set(targets.get(rep_id, {})) for rep_id in rep_ids))
    return {key: sum(t[key] for t in targets.values() if key in t) for key in sorted(keys)}


def add_sparklines(session: Session, table: TeamNumbers, count: int = SPARK_PERIODS) -> TeamNumbers:
    """``table`` with sparklines of ``count`` periods ending with its period.

    The sparklines read many periods of activity: the screen shows the table
    first and this a moment later.
    """
    spark_periods = [table.period.shifted(-i) for i in reversed(range(count))]
    totals = _activity_totals(session, spark_periods, None) if count else {}
    if table.rep_ids is not None:
        totals = {key: n for key, n in totals.items() if key[0] in table.rep_ids}
    reps = tuple(
        replace(row, sparkline=tuple(totals.get((row.rep_id, i), 0) for i in range(count))) for row in table.reps
    )
    team = tuple(sum(n for (_rep, i), n in totals.items() if i == index) for index in range(count))
    return replace(table, reps=reps, team=replace(table.team, sparkline=team), spark_periods=tuple(spark_periods))


# --- one rep, by week ------------------------------------------------------------------------


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
        _activity_counts(session, weeks, rep_id, counts)
        _deal_counts(session, weeks, rep_id, counts)
        summed: dict[int, Counter] = {}
        for (_rep, index), figures in counts.items():
            summed.setdefault(index, Counter()).update(figures)
        per_week = [
            WeekNumbers(week, {key: int(summed.get(i, Counter())[key]) for key in METRIC_KEYS})
            for i, week in enumerate(weeks)
        ]

    where = [_in(Activity.occurred_at, [period])]
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


# --- the activity pipeline -------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineStep:
    milestone: str | None  # None: no milestone yet
    leads: int  # open leads whose furthest milestone is this step, now
    opportunities: int  # open opportunities at this step, now
    moved_past: int  # deals that went beyond this step during the period
    moved_past_previous: int
    conversion: float | None  # moved past ÷ deals at this step during the period
    conversion_previous: float | None

    @property
    def open_deals(self) -> int:
        return self.leads + self.opportunities


@dataclass(frozen=True)
class ActivityPipeline:
    period: Period
    previous: Period
    steps: tuple[PipelineStep, ...]  # no milestone, nurture … proposal

    @property
    def open_deals(self) -> int:
        return sum(s.open_deals for s in self.steps)


def _rank(column):
    """0 for no milestone, 1 nurture … 5 proposal (activities.milestone_rank, in SQL)."""
    return case({m: i + 1 for i, m in enumerate(MILESTONES)}, value=column, else_=0)


def _alive(starts_at: pendulum.DateTime, ends_at: pendulum.DateTime):
    """Deals alive during ``[starts_at, ends_at)``: not closed before it began, created before it ended."""
    alive = or_(Deal.closed_at.is_(None), Deal.closed_at >= starts_at)
    if ends_at <= clock.now():
        alive = and_(alive, Deal.created_at < ends_at)
    return alive


def _base(periods: list[Period]) -> int:
    """The base of ``_reached``'s number: its digits go from 0 to ``len(periods) + 2``."""
    return len(periods) + 3


def _reached(periods: list[Period]):
    """When a deal first reached each milestone, as one number: an aggregate over
    its ``deal_milestone`` rows (store.rollups).

    Milestone rank r (1 nurture … 5 proposal) is digit r − 1 of the number in
    base ``_base(periods)``, and says when the deal reached it: 0 never, 1 before
    the first period, i + 2 during ``periods[i]``, ``len(periods) + 2`` after the
    last. A deal reaches each milestone once, so no digit carries over.
    """
    base = _base(periods)
    cuts = [p.starts_at for p in periods] + [periods[-1].ends_at]
    reached = DealMilestone.reached_at
    when = case(*[(reached < cut, i + 1) for i, cut in enumerate(cuts)], else_=len(cuts) + 1)
    place = case({m: base**i for i, m in enumerate(MILESTONES)}, value=DealMilestone.milestone, else_=0)
    return func.coalesce(func.sum(when * place), 0)


def _digits(reached: int, base: int) -> dict[int, int]:
    """``_reached``'s number as rank → digit, for the milestones the deal reached."""
    digits = {}
    for rank in range(1, len(MILESTONES) + 1):
        reached, digit = divmod(reached, base)
        if digit:
            digits[rank] = digit
    return digits


def _furthest(digits: dict[int, int], by: int) -> int:
    """The highest rank whose digit is at most ``by`` (reached by then); 0 for none."""
    return max((rank for rank, digit in digits.items() if digit <= by), default=0)


def _movement(
    session: Session, periods: list[Period], owner_id: int | None, pipeline: str | None
) -> list[Counter]:
    """For each of ``periods`` (consecutive, in order), ``(r0, r1) → deals``: each
    deal alive during the period, by the furthest milestone it had reached before
    the period (r0) and by its end (r1).

    One query for all the periods: the deals alive in any of them, each joined to
    its ``deal_milestone`` rows and summed into ``_reached``, then counted by
    milestone now, ``_reached`` and the periods they were alive in. For
    ``periods[i]``, digits up to i + 1 were reached before it began, up to i + 2
    by its end. A deal that reached no milestone since the period began (no digit
    above i + 1) counts where its stored ``deal.milestone`` puts it: ``(now, now)``.

    (A join grouped by deal: SQLite reads the deals in id order, so without a
    sort, and PostgreSQL hash-joins. A correlated subquery per deal was slower on
    both, and its cost estimate set off PostgreSQL's JIT compiler.)
    """
    alive = [_alive(p.starts_at, p.ends_at) for p in periods]
    # Alive in any of them is alive from the first's start to the last's end.
    where = [_alive(periods[0].starts_at, periods[-1].ends_at)]
    if owner_id is not None:
        where.append(Deal.owner_id == owner_id)
    if pipeline:
        where.append(Deal.pipeline == pipeline)
    deals = (
        select(
            _rank(Deal.milestone).label("now"),
            _reached(periods).label("reached"),
            *[case((term, 1), else_=0).label(f"alive{i}") for i, term in enumerate(alive)],
        )
        .select_from(Deal)
        .join(DealMilestone, DealMilestone.deal_id == Deal.id, isouter=True)
        .where(*where)
        .group_by(Deal.id)
        .subquery("deals")
    )
    columns = list(deals.c)
    moves = [Counter() for _ in periods]
    for rank_now, reached, *alive_in, n in session.exec(select(*columns, func.count()).group_by(*columns)):
        digits = _digits(int(reached), _base(periods))
        for i, counts in enumerate(moves):
            if not alive_in[i]:
                continue
            if any(digit > i + 1 for digit in digits.values()):
                counts[(_furthest(digits, i + 1), _furthest(digits, i + 2))] += n
            else:
                counts[(int(rank_now), int(rank_now))] += n
    return moves


def _conversion(moves: Counter, step: int) -> tuple[int, float | None]:
    moved = sum(n for (r0, r1), n in moves.items() if r0 <= step < r1)
    there = sum(n for (r0, r1), n in moves.items() if r0 <= step <= r1)
    return moved, (moved / there if there and step < len(MILESTONES) else None)


def activity_pipeline(
    session: Session, period: Period, *, owner_id: int | None = None, pipeline: str | None = None
) -> ActivityPipeline:
    """Leads and open opportunities by the furthest milestone their activities reached.

    For each step (no milestone yet, nurture, rapport, discovery, findings,
    proposal):

    * ``leads`` / ``opportunities`` — open deals sitting there now;
    * ``moved_past`` — deals alive during the period (created before it ended,
      not closed before it began) whose furthest milestone was at or below the
      step when the period began and beyond it when it ended;
    * ``conversion`` — moved past ÷ deals that were at the step at some point
      in the period (there when it began, or arrived during it, including new
      deals at "no milestone yet"); None when none were, and for the last step.

    ``owner_id`` narrows to one owner's deals, ``pipeline`` to leads or opportunities.
    """
    previous = period.previous()
    owner = [Deal.owner_id == owner_id] if owner_id is not None else []
    kinds = [Deal.pipeline == pipeline] if pipeline else [Deal.pipeline.in_(PIPELINES)]
    open_stages = select(Stage.id).where(Stage.kind == OPEN)
    now: Counter = Counter()
    for deal_pipeline, milestone, n in session.exec(
        select(Deal.pipeline, Deal.milestone, func.count())
        .where(Deal.stage_id.in_(open_stages), *owner, *kinds)
        .group_by(Deal.pipeline, Deal.milestone)
    ):
        now[(deal_pipeline, milestone if milestone in MILESTONES else None)] += n
    previous_moves, this_moves = _movement(session, [previous, period], owner_id, pipeline)
    steps = []
    for step, milestone in enumerate((None, *MILESTONES)):
        moved, conversion = _conversion(this_moves, step)
        moved_before, conversion_before = _conversion(previous_moves, step)
        steps.append(
            PipelineStep(
                milestone=milestone,
                leads=now[(LEAD, milestone)],
                opportunities=now[(OPPORTUNITY, milestone)],
                moved_past=moved,
                moved_past_previous=moved_before,
                conversion=conversion,
                conversion_previous=conversion_before,
            )
        )
    return ActivityPipeline(period, previous, tuple(steps))
