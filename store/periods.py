"""Reporting periods: calendar weeks, months and quarters in the team's timezone.

A period is a run of whole calendar days ``[start, end)`` in one timezone; weeks
start on Monday. Its moments are ``[starts_at, ends_at)`` in UTC, the instants
its first day and the day after its last begin in that timezone, so an activity
at 23:30 UTC on a Sunday belongs to Monday's week in Tokyo and to Sunday's in
UTC. Everything here is pure date arithmetic with pendulum: no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
    # Counted only up to this day (exclusive): the current period to date, or the
    # same stretch of the one before it (see like_for_like). None: the whole period.
    until: pendulum.Date | None = None

    @property
    def counted_end(self) -> pendulum.Date:
        """The day after the last counted day."""
        return self.until or self.end

    @property
    def counts_until(self) -> pendulum.DateTime:
        """The UTC moment counting stops: ``ends_at`` unless the period is counted to a day."""
        return clock.day_start(self.counted_end, self.tz)

    @property
    def is_partial(self) -> bool:
        return self.until is not None

    def cut(self, until: date) -> "Period":
        """This period counted up to ``until`` (exclusive; within the period)."""
        day = min(max(_as_date(until), self.start.add(days=1)), self.end)
        return replace(self, until=None if day >= self.end else day)

    def whole(self) -> "Period":
        return replace(self, until=None)

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
        """The whole period ``steps`` away (negative: earlier). Raises ValueError or
        OverflowError past the calendar's range."""
        units = {unit: n * steps for unit, n in _length(self.kind).items()}
        return period_containing(self.kind, self.start.add(**units), self.tz)

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
        """``16–22 Nov 2026``: the days it counts (``1–3 Dec 2026`` for December to the 3rd)."""
        first, last = self.start, self.counted_end.subtract(days=1)
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


def like_for_like(period: Period) -> tuple[Period, Period]:
    """``period`` and the one before it, counted over the same stretch of days.

    A period under way is counted to today (inclusive), and the previous one over
    as many days from its start (all of it at most): on 3 December, December 1–3
    against November 1–3; on a Wednesday, Monday to Wednesday against Monday to
    Wednesday; on day 40 of a quarter, its first 40 days against the last
    quarter's. A past period is compared whole with the whole one before it.
    """
    period = period.whole()
    previous = period.previous()
    today = clock.today_in(period.tz)
    if not period.contains_day(today):
        return period, previous
    days = today.diff(period.start).in_days() + 1
    return period.cut(today.add(days=1)), previous.cut(previous.start.add(days=days))


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


# --- periods named by date -----------------------------------------------------------------

PERIOD_FORMS = "week, month or quarter (this one), or one named by date: 2017-Q4, 2017-03, 2017-W05 (ISO week)"
_QUARTER_NAME = re.compile(r"(\d{4})-?[Qq]([1-4])")
_MONTH_NAME = re.compile(r"(\d{4})-(\d{2})")
_WEEK_NAME = re.compile(r"(\d{4})-?[Ww](\d{2})")


def named_period(text: str, tz: str) -> Period:
    """The whole period ``text`` names, in ``tz``: ``2017-Q4`` (a quarter), ``2017-03``
    (a month), ``2017-W05`` (an ISO week: the Monday-to-Sunday week holding that year's
    4 January is week 1). Raises ValueError, one line listing the accepted forms."""
    spoken = text.strip()
    try:
        if match := _QUARTER_NAME.fullmatch(spoken):
            year, quarter = int(match[1]), int(match[2])
            return period_containing(QUARTER, pendulum.Date(year, quarter * 3 - 2, 1), tz)
        if match := _MONTH_NAME.fullmatch(spoken):
            return period_containing(MONTH, pendulum.Date(int(match[1]), int(match[2]), 1), tz)
        if match := _WEEK_NAME.fullmatch(spoken):
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return period_containing(WEEK, monday, tz)
    except ValueError:
        raise ValueError(f"no such period {spoken!r}: a period is {PERIOD_FORMS}") from None
    raise ValueError(f"unknown period {spoken!r}: a period is {PERIOD_FORMS}")


def periods_between(earlier: Period, later: Period) -> int:
    """How many ``kind`` periods ``later`` is after ``earlier`` (same kind): the
    ``offset`` that reaches ``earlier`` from ``later`` is its negative."""
    if earlier.kind != later.kind:
        raise ValueError("periods of different kinds")
    if earlier.kind == WEEK:
        return (later.start - earlier.start).days // 7
    months = (later.start.year - earlier.start.year) * 12 + later.start.month - earlier.start.month
    return months if earlier.kind == MONTH else months // 3
