"""What people type for days and moments: "tomorrow", "fri", "+2w", "10 dec", "yesterday 15:00",
and how a day is shown back to them (``show_day``).

Due days look forward; activity moments look back (an activity already happened).
"""

from __future__ import annotations

import re
from datetime import date

import pendulum

from store import clock
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
MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_OFFSET = re.compile(r"^(?:in\s+|\+)?\s*(\d{1,3})\s*(d|day|days|w|wk|week|weeks|m|mo|month|months)$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
DAY_HELP = 'try "tomorrow", "fri", "in 3 days", "+2w", "next month", "10 dec", "31/12" or 2026-12-01'
MOMENT_HELP = 'try "now", "today 9:30", "yesterday 15:00", "mon 10:00", "10 nov 14:00" or 2026-11-20 14:00'


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
    named = _calendar_day(raw)
    if named is not None:
        return _nearest(named, today, forward=True)
    return _parse_iso_day(text.strip(), DAY_HELP)


def _calendar_day(raw: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) for "10 dec", "dec 10", "31/12", "31/12/2026"; None for other text.

    Slashed days read day/month, as the rest of Legwork shows them ("31 Dec"); "5/6" could
    be either order, so it is refused rather than guessed.
    """
    slashed = _SLASHED.match(raw)
    if slashed:
        day, month = int(slashed[1]), int(slashed[2])
        if day <= 12 and month <= 12 and day != month:
            month_name = pendulum.Date(2000, month, 1).format("MMM").lower()
            raise InvalidInput(f"{raw!r} could be day/month or month/day: type \"{day} {month_name}\" or a date like 2026-12-01")
        return day, month, int(slashed[3]) if slashed[3] else None
    for pattern, day_at, month_at in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        match = pattern.match(raw)
        if match and match[month_at] in MONTHS:
            return int(match[day_at]), MONTHS[match[month_at]], int(match[3]) if match[3] else None
    return None


def _nearest(named: tuple[int, int, int | None], today: pendulum.Date, *, forward: bool) -> pendulum.Date:
    """The day named; without a year, the next one from ``today`` (``forward``) or the last one."""
    day, month, year = named
    if not 1 <= month <= 12:
        raise InvalidInput(f"{month} is not a month: {DAY_HELP}")
    if year is not None:
        try:
            return pendulum.Date(year, month, day)
        except ValueError:
            raise InvalidInput(f"{day} {pendulum.Date(2000, month, 1):%b} {year} is not a real date") from None
    step = 1 if forward else -1
    for candidate_year in range(today.year, today.year + 9 * step, step):  # 29 Feb recurs within 8 years
        try:
            candidate = pendulum.Date(candidate_year, month, day)
        except ValueError:
            continue
        if (candidate >= today) if forward else (candidate <= today):
            return candidate
    raise InvalidInput(f"{pendulum.Date(2000, month, 1):%B} has no day {day}")


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


def _moment_day(raw: str, local_today: pendulum.Date) -> pendulum.Date | None:
    """The day an activity happened from the words for it, or None if they name no day."""
    if raw == "today":
        return local_today
    if raw in ("yesterday", "yday"):
        return local_today.subtract(days=1)
    if raw in WEEKDAYS:
        # The most recent such day, today included: "mon 10:00" on a Monday is this morning.
        return local_today.subtract(days=(local_today.isoweekday() - WEEKDAYS[raw]) % 7)
    if re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", raw):
        return _parse_iso_day(raw, MOMENT_HELP)
    named = _calendar_day(raw)
    # An activity already happened: "10 dec" without a year is the last 10 Dec.
    return _nearest(named, local_today, forward=False) if named is not None else None


def parse_moment(text: str, now: pendulum.DateTime, tz: str) -> pendulum.DateTime:
    """When an activity happened, in the rep's timezone ``tz``; returned in UTC."""
    raw = " ".join(text.strip().lower().split())
    local_now = now.in_timezone(tz)
    local_today = local_now.date()
    if raw in ("", "now", "just now"):
        return now.in_timezone("UTC")
    # The whole text as a day first: "dec 10" is 10 Dec, not some day at 10:00.
    day, time_part = _moment_day(raw, local_today), ""
    if day is None and _TIME.match(raw):
        day, time_part = local_today, raw
    if day is None and " " in raw:
        day_part, time_part = raw.rsplit(" ", 1)
        day = _moment_day(day_part, local_today)
    if day is None:
        raise InvalidInput(f"{text.strip()!r} is not a moment: {MOMENT_HELP}")
    hour, minute = _parse_time(time_part) if time_part else (local_now.hour, local_now.minute)
    moment = pendulum.datetime(day.year, day.month, day.day, hour, minute, tz=tz)
    if time_part == "" and day != local_today:
        moment = pendulum.datetime(day.year, day.month, day.day, 12, 0, tz=tz)
    return moment.in_timezone("UTC")


def show_day(day: date, today: date | None = None, *, weekday: bool = True) -> str:
    """A day as Legwork shows it: ``Thu 19 Nov``, with the year when it is not this year's
    (``Tue 12 Jan 2027``), so a date a year off never reads as this year's."""
    today = today or clock.now().date()
    shown = f"{day:%a} {day.day} {day:%b}" if weekday else f"{day.day} {day:%b}"
    return shown if day.year == today.year else f"{shown} {day.year}"


def before_deal_warning(day: date, deal_created: date, today: date | None = None) -> str | None:
    """A warning when a day typed for a deal falls before the deal existed (likely a typo
    in the year or month); None when it does not. A warning only: history can be back-filled."""
    if day >= deal_created:
        return None
    return f"{show_day(day, today)} is before this deal was created ({show_day(deal_created, today)})"
