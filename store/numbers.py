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
  pipeline's business (store.activity_pipeline).
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
never a query per rep (store.period_counts). One rep's figures week by week are
store.drilldown's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from sqlmodel import Session, select

from store.errors import InvalidInput
from store.goals import METRIC_KEYS, GoalProgress, goal_targets
from store.models import Rep
from store.money import DEFAULT_CURRENCY, database_currency
from store.period_counts import Counts, activity_totals, add_activity_counts, add_deal_counts
from store.periods import Period, current_period, like_for_like
from store.settings import team_timezone

SPARK_PERIODS = 12


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
    add_activity_counts(session, [previous, period], None, counts)
    add_deal_counts(session, [previous, period], None, counts)
    spark_periods = [period.shifted(-i) for i in reversed(range(spark))]
    totals = activity_totals(session, spark_periods, None) if spark else {}
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
    totals = activity_totals(session, spark_periods, None) if count else {}
    if table.rep_ids is not None:
        totals = {key: n for key, n in totals.items() if key[0] in table.rep_ids}
    reps = tuple(
        replace(row, sparkline=tuple(totals.get((row.rep_id, i), 0) for i in range(count))) for row in table.reps
    )
    team = tuple(sum(n for (_rep, i), n in totals.items() if i == index) for index in range(count))
    return replace(table, reps=reps, team=replace(table.team, sparkline=team), spark_periods=tuple(spark_periods))

