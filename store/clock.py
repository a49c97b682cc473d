"""Time, in one place: stored in UTC, shown in each rep's timezone.

Everything asks pendulum for "now", so tests fix the clock with
``pendulum.travel_to(..., freeze=True)``. Datetime columns are SQLModel's
``UTCDateTime``: aware values in, aware UTC values out, on every backend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

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


def plain(moment: datetime) -> datetime:
    """``moment`` as a stdlib aware datetime in UTC: subtracting stored moments
    (aware UTC, see ``UTCDateTime``) from it is plain timedelta arithmetic,
    for loops where pendulum's Interval would cost tens of microseconds a row."""
    return datetime.fromtimestamp(moment.timestamp(), UTC)


def from_driver(value: datetime | str) -> datetime:
    """A stored moment as the database driver hands it over without the column's
    type (an aggregate such as MAX, or a raw column read): SQLite gives naive UTC
    text, PostgreSQL an aware datetime. Plain ``datetime``: fast for many rows."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def today_in(tz: str) -> pendulum.Date:
    return now().in_timezone(tz).date()


def day_start(day: date, tz: str) -> pendulum.DateTime:
    """The UTC moment a calendar day starts in a timezone."""
    return pendulum.datetime(day.year, day.month, day.day, tz=tz).in_timezone("UTC")
