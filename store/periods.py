"""Reporting periods: calendar weeks, months and quarters in the team's timezone.

A period is a run of whole calendar days ``[start, end)`` in one timezone; weeks
start on Monday. Its moments are ``[starts_at, ends_at)`` in UTC, the instants
its first day and the day after its last begin in that timezone, so an activity
at 23:30 UTC on a Sunday belongs to Monday's week in Tokyo and to Sunday's in
UTC. Everything here is pure date arithmetic with pendulum: no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum

from store import clock

WEEK, MONTH, QUARTER = "week", "month", "quarter"
PERIOD_KINDS = (WEEK, MONTH, QUARTER)


def _as_date(day: date) -> pendulum.Date:
    return pendulum.Date(day.year, day.month, day.day)


def _first_day(kind: str, day: pendulum.Date) -> pendulum.Date:
    if kind == WEEK:
        return day.subtract(days=day.isoweekday() - 1)
    if kind == MONTH:
        return pendulum.Date(day.year, day.month, 1)
    if kind == QUARTER:
        return pendulum.Date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise ValueError(f"period kind {kind!r} must be one of {', '.join(PERIOD_KINDS)}")


def _length(kind: str) -> dict[str, int]:
    return {WEEK: {"days": 7}, MONTH: {"months": 1}, QUARTER: {"months": 3}}[kind]


@dataclass(frozen=True)
class Period:
    kind: str
    start: pendulum.Date  # the first day
    end: pendulum.Date  # the day after the last
    tz: str

    @property
    def starts_at(self) -> pendulum.DateTime:
        """The UTC moment the period begins."""
        return clock.day_start(self.start, self.tz)

    @property
    def ends_at(self) -> pendulum.DateTime:
        """The UTC moment the next period begins."""
        return clock.day_start(self.end, self.tz)

    @property
    def last_day(self) -> pendulum.Date:
        return self.end.subtract(days=1)

    def previous(self) -> "Period":
        return period_containing(self.kind, self.start.subtract(days=1), self.tz)

    def next(self) -> "Period":
        return period_containing(self.kind, self.end, self.tz)

    def shifted(self, steps: int) -> "Period":
        period = self
        for _ in range(abs(steps)):
            period = period.next() if steps > 0 else period.previous()
        return period

    def contains_day(self, day: date) -> bool:
        return self.start <= _as_date(day) < self.end

    def contains(self, moment) -> bool:
        return self.starts_at <= clock.aware(moment) < self.ends_at

    @property
    def label(self) -> str:
        """``Week of 16 Nov 2026`` · ``November 2026`` · ``Q4 2026``."""
        if self.kind == WEEK:
            return f"Week of {self.start.format('D MMM YYYY')}"
        if self.kind == MONTH:
            return self.start.format("MMMM YYYY")
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"

    @property
    def short_label(self) -> str:
        """``16 Nov`` · ``Nov`` · ``Q4``: enough when the year is obvious."""
        if self.kind == WEEK:
            return self.start.format("D MMM")
        if self.kind == MONTH:
            return self.start.format("MMM")
        return f"Q{(self.start.month - 1) // 3 + 1}"

    @property
    def span(self) -> str:
        """``16–22 Nov 2026``: the days it covers."""
        first, last = self.start, self.last_day
        if first.year != last.year:
            return f"{first.format('D MMM YYYY')} – {last.format('D MMM YYYY')}"
        if first.month != last.month:
            return f"{first.format('D MMM')} – {last.format('D MMM YYYY')}"
        return f"{first.day}–{last.format('D MMM YYYY')}"

    def is_current(self) -> bool:
        return self.contains_day(clock.today_in(self.tz))

    def is_future(self) -> bool:
        return self.start > clock.today_in(self.tz)


def period_containing(kind: str, day: date, tz: str) -> Period:
    """The calendar ``kind`` period that holds ``day`` (a day in ``tz``)."""
    first = _first_day(kind, _as_date(day))
    return Period(kind, first, first.add(**_length(kind)), tz)


def current_period(kind: str, tz: str) -> Period:
    """The period holding today, in ``tz``."""
    return period_containing(kind, clock.today_in(tz), tz)


def next_kind(kind: str) -> str:
    """week → month → quarter → week: what ``p`` cycles through."""
    return PERIOD_KINDS[(PERIOD_KINDS.index(kind) + 1) % len(PERIOD_KINDS)]


def weeks_overlapping(period: Period) -> list[Period]:
    """The Monday-to-Sunday weeks that share at least one day with ``period``."""
    week = period_containing(WEEK, period.start, period.tz)
    weeks = []
    while week.start < period.end:
        weeks.append(week)
        week = week.next()
    return weeks
