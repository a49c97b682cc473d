"""What people type for days and moments: "tomorrow", "fri", "+2w", "yesterday 15:00".

Due days look forward; activity moments look back (an activity already happened).
"""

from __future__ import annotations

import re
from datetime import date

import pendulum

from store.errors import InvalidInput

WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ],
        start=1,
    )
    for name in names
}
_OFFSET = re.compile(r"^\+?\s*(\d{1,3})\s*(d|day|days|w|wk|week|weeks|m|mo|month|months)$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
DAY_HELP = 'try "today", "tomorrow", "fri", "+3d", "+2w", "next week" or 2026-12-01'
MOMENT_HELP = 'try "now", "today 9:30", "yesterday 15:00", "mon 10:00" or 2026-11-20 14:00'


def _as_date(value: date) -> pendulum.Date:
    return pendulum.Date(value.year, value.month, value.day)


def parse_day(text: str, today: date) -> pendulum.Date:
    """A due day from what a person typed, relative to ``today``."""
    raw = " ".join(text.strip().lower().split())
    today = _as_date(today)
    if not raw:
        raise InvalidInput(f"no day given: {DAY_HELP}")
    if raw in ("today", "tod"):
        return today
    if raw in ("tomorrow", "tmr", "tom"):
        return today.add(days=1)
    if raw == "next week":
        return today.next(pendulum.MONDAY)
    if raw == "next month":
        return today.add(months=1).start_of("month")
    if raw.removeprefix("next ") in WEEKDAYS:
        target = WEEKDAYS[raw.removeprefix("next ")]
        return today.add(days=(target - today.isoweekday() - 1) % 7 + 1)
    match = _OFFSET.match(raw)
    if match:
        amount, unit = int(match[1]), match[2][0]
        if unit == "d":
            return today.add(days=amount)
        if unit == "w":
            return today.add(weeks=amount)
        return today.add(months=amount)
    return _parse_iso_day(text.strip(), DAY_HELP)


def _parse_iso_day(raw: str, help_text: str) -> pendulum.Date:
    if not re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", raw):
        raise InvalidInput(f"{raw!r} is not a day: {help_text}")
    try:
        year, month, day = (int(part) for part in raw.split("-"))
        return pendulum.Date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{raw!r} is not a real date") from None


def _parse_time(raw: str) -> tuple[int, int]:
    match = _TIME.match(raw)
    if not match:
        raise InvalidInput(f"{raw!r} is not a time of day: {MOMENT_HELP}")
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3] == "pm" and hour < 12:
        hour += 12
    if match[3] == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise InvalidInput(f"{raw!r} is not a time of day")
    return hour, minute


def parse_moment(text: str, now: pendulum.DateTime, tz: str) -> pendulum.DateTime:
    """When an activity happened, in the rep's timezone ``tz``; returned in UTC."""
    raw = " ".join(text.strip().lower().split())
    local_now = now.in_timezone(tz)
    if raw in ("", "now", "just now"):
        return now.in_timezone("UTC")
    day_part, _, time_part = raw.partition(" ")
    if day_part in ("today",):
        day = local_now.date()
    elif day_part in ("yesterday", "yday"):
        day = local_now.date().subtract(days=1)
    elif day_part in WEEKDAYS:
        target = WEEKDAYS[day_part]
        # The most recent such day, today included: "mon 10:00" on a Monday is this morning.
        day = local_now.date().subtract(days=(local_now.isoweekday() - target) % 7)
    elif re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", day_part):
        day = _parse_iso_day(day_part, MOMENT_HELP)
    elif _TIME.match(raw):
        day, time_part = local_now.date(), raw
    else:
        raise InvalidInput(f"{text.strip()!r} is not a moment: {MOMENT_HELP}")
    hour, minute = _parse_time(time_part) if time_part else (local_now.hour, local_now.minute)
    moment = pendulum.datetime(day.year, day.month, day.day, hour, minute, tz=tz)
    if time_part == "" and day != local_now.date():
        moment = pendulum.datetime(day.year, day.month, day.day, 12, 0, tz=tz)
    return moment.in_timezone("UTC")
