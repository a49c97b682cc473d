"""Time, in one place: stored in UTC, shown in each rep's timezone.

Everything asks pendulum for "now", so tests fix the clock with
``pendulum.travel_to(..., freeze=True)``. Datetime columns are SQLModel's
``UTCDateTime``: aware values in, aware UTC values out, on every backend.
"""

from __future__ import annotations

from datetime import date, datetime

import pendulum


def now() -> pendulum.DateTime:
    return pendulum.now("UTC")


def aware(value: datetime | None) -> pendulum.DateTime | None:
    """A stored moment as a pendulum DateTime in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("refusing a naive datetime: say which timezone it is in")
    return pendulum.instance(value).in_timezone("UTC")


def today_in(tz: str) -> pendulum.Date:
    return now().in_timezone(tz).date()


def day_start(day: date, tz: str) -> pendulum.DateTime:
    """The UTC moment a calendar day starts in a timezone."""
    return pendulum.datetime(day.year, day.month, day.day, tz=tz).in_timezone("UTC")
