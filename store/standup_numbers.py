"""The stand-up's numbers: each rep's activity figures for the last working day
("yesterday") and for the week so far, against their weekly goals, and the team's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pendulum
from sqlalchemy import func
from sqlmodel import Session, select

from store import clock
from store.goals import ACTIVITIES, goal_targets
from store.models import Activity, Rep
from store.numbers import complete_team_goals, team_numbers
from store.period_counts import tally_activities
from store.periods import WEEK, Period


@dataclass(frozen=True)
class RepRow:
    """One compact row of the numbers page: a rep, or the team (``rep_id`` None)."""

    rep_id: int | None
    handle: str | None
    name: str
    yesterday: dict[str, int]  # activity figures (``activities``, ``activity:call`` …) on the last working day
    week: dict[str, int]  # every figure of the week so far
    goals: dict[str, int]  # weekly targets

    def goal_figures(self) -> list[tuple[str, int, int]]:
        """(metric, week so far, weekly target) for every goal, activities first."""
        keys = sorted(self.goals, key=lambda k: (k != ACTIVITIES, k))
        return [(k, self.week.get(k, 0), self.goals[k]) for k in keys]


def rep_rows(session: Session, yesterday: date, week: Period, rep_id: int | None = None) -> tuple[RepRow, ...]:
    """Each rep's figures for ``yesterday`` and ``week`` (so far) against weekly goals,
    and the team's; only ``rep_id``'s row when given."""
    table = team_numbers(session, week, spark=0)
    day_after = pendulum.Date(yesterday.year, yesterday.month, yesterday.day).add(days=1)
    start, end = clock.day_start(yesterday, week.tz), clock.day_start(day_after, week.tz)
    day: dict[int, Counter] = {}
    for rep, type_, milestone, n in session.exec(
        select(Activity.rep_id, Activity.type, Activity.milestone, func.count())
        .where(Activity.occurred_at >= start, Activity.occurred_at < end)
        .group_by(Activity.rep_id, Activity.type, Activity.milestone)
    ):
        tally_activities(day.setdefault(rep, Counter()), type_, milestone, n)
    targets = goal_targets(session, WEEK)
    active_reps = set(session.exec(select(Rep.id).where(Rep.active == True, Rep.role == "rep")))  # noqa: E712
    rows = []
    for numbers in table.reps:
        if rep_id is not None and numbers.rep_id != rep_id:
            continue
        rows.append(
            RepRow(
                numbers.rep_id, numbers.handle, numbers.name,
                dict(day.get(numbers.rep_id, Counter())),
                {k: f.value for k, f in numbers.figures.items()},
                dict(targets.get(numbers.rep_id, {})),
            )
        )
    if rep_id is None:
        team_day = sum(day.values(), Counter())
        # As on the numbers screen: a team goal only where every rep has one.
        team_goals = complete_team_goals(targets, [r.rep_id for r in table.reps if r.rep_id in active_reps])
        rows.append(
            RepRow(None, None, "Team", dict(team_day), {k: f.value for k, f in table.team.figures.items()},
                   team_goals)
        )
    return tuple(rows)
