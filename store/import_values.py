"""What other CRMs and spreadsheets write in a cell, read into Legwork's values.

Dates (ISO, ``D/M/YYYY``, ``M/D/YYYY``, ``4 Mar 2026``), durations, yes/no flags, and
rep handles derived from names; amounts are store.money's. Every parser raises
``InvalidInput`` with a message that quotes the cell and says what would have been understood.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from store.errors import InvalidInput
# Amounts live in store.money; re-exported because store/importer.py and the tests read them from here.
from store.money import format_amount, parse_amount  # noqa: F401
from store.validate import EARLIEST_YEAR, LATEST_YEAR, YEARS

UTC = timezone.utc
DAY_FIRST, MONTH_FIRST = "day-first", "month-first"

# --- dates -------------------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?)?$",
    re.IGNORECASE,
)
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T]+(.+))?$")
# 3/4/2026, 03-04-2026, 4.3.2026 (dots are always day first), with an optional time.
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T,]+(.+))?$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:[.,]\d+)?)?\s*([ap]\.?m\.?)?$", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
# 4 Mar 2026, 04-Mar-2026, Mar 4 2026, March 4, 2026 — optionally a weekday first and a time after.
_DAY_NAME_YEAR = re.compile(r"^(\d{1,2})[\s\-/]+([a-z]+)\.?[\s\-/,]+(\d{4})(?:[ T,]+(.+))?$", re.IGNORECASE)
_NAME_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:[ T,]+(.+))?$", re.IGNORECASE)
_WEEKDAY_PREFIX = re.compile(r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)

DATE_HELP = "write it as 2026-03-04, 4/3/2026 or 4 Mar 2026"


@dataclass(frozen=True)
class Moment:
    """A date read from a cell, with the time of day and offset when the cell gave them."""

    day: date
    clock: time | None = None
    offset: timezone | None = None  # None: local to the file's timezone

    def at(self, zone: str, default: time = time(12, 0)) -> datetime:
        """The moment as an aware UTC datetime; a cell without a time means ``default`` local time."""
        moment = datetime.combine(self.day, self.clock or default)
        if self.offset is not None and self.clock is not None:
            return moment.replace(tzinfo=self.offset).astimezone(UTC)
        return moment.replace(tzinfo=_zone(zone)).astimezone(UTC)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def numeric_order(text: str) -> tuple[str | None, bool]:
    """For a ``a/b/yyyy`` cell: which order it proves (``DAY_FIRST`` when ``a`` > 12 …),
    and whether it is ambiguous (both parts could be the month and they differ)."""
    match = _NUMERIC.match(text.strip())
    if not match or match[2] == ".":
        return None, False
    a, b = int(match[1]), int(match[3])
    if a > 12 >= b:
        return DAY_FIRST, False
    if b > 12 >= a:
        return MONTH_FIRST, False
    return None, a != b and a <= 12 and b <= 12


def _real_date(year: int, month: int, day: int, raw: str) -> date:
    try:
        found = date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{raw!r} is not a real date") from None
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        # 0001-01-01 and 9999-12-31 are placeholders, and overflow when moved to UTC.
        raise InvalidInput(f"{raw!r} is not a plausible date: use a year from {YEARS}")
    return found


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise InvalidInput(f"{text!r} is not a UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _clock(text: str | None, raw: str) -> tuple[time | None, timezone | None]:
    if not text:
        return None, None
    text = text.strip()
    offset = None
    zone = re.search(r"\s*(Z|UTC|[+-]\d{2}:?\d{2})$", text, re.IGNORECASE)
    if zone:
        offset = _offset(zone[1])
        text = text[: zone.start()]
    match = _TIME.match(text)
    if not match:
        raise InvalidInput(f"{raw!r} has a time of day that is not one: {DATE_HELP}")
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    meridiem = (match[4] or "").replace(".", "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"{raw!r} has an impossible time of day")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif match[2] is None:
        raise InvalidInput(f"{raw!r} has a time of day that is not one: {DATE_HELP}")
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidInput(f"{raw!r} has an impossible time of day")
    return time(hour, minute, second), offset


@lru_cache(maxsize=65536)
def parse_moment(text: str, order: str | None) -> Moment:
    """A date, maybe with a time, from a cell. ``order`` is ``DAY_FIRST`` or ``MONTH_FIRST``
    for ``a/b/yyyy`` cells (``None``: only cells that prove their order are read)."""
    raw = text.strip()
    cell = _WEEKDAY_PREFIX.sub("", raw)
    match = _ISO.match(cell)
    if match:
        day = _real_date(int(match[1]), int(match[2]), int(match[3]), raw)
        if match[4] is None:
            return Moment(day)
        hour, minute, second = int(match[4]), int(match[5]), int(match[6] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise InvalidInput(f"{raw!r} has an impossible time of day")
        micro = int((match[7] or "0")[:6].ljust(6, "0"))
        return Moment(day, time(hour, minute, second, micro), _offset(match[8]))
    match = _YMD_SLASH.match(cell)
    if match:
        day = _real_date(int(match[1]), int(match[2]), int(match[3]), raw)
        return Moment(day, *_clock(match[4], raw))
    match = _NUMERIC.match(cell)
    if match:
        a, b, year = int(match[1]), int(match[3]), _year(match[4])
        if match[2] == ".":
            day_, month = a, b
        else:
            proven, ambiguous = numeric_order(cell)
            use = order or proven
            if use is None:
                if ambiguous:
                    raise InvalidInput(f"{raw!r} could be {a}/{b} day first or month first: pass --dayfirst or --monthfirst")
                use = DAY_FIRST  # 3/3/2026: the same either way
            day_, month = (a, b) if use == DAY_FIRST else (b, a)
            if month > 12:
                shown = "D/M/YYYY" if use == DAY_FIRST else "M/D/YYYY"
                raise InvalidInput(f"{raw!r} is not a real date when dates are {shown}")
        day = _real_date(year, month, day_, raw)
        return Moment(day, *_clock(match[5], raw))
    for pattern, parts in ((_DAY_NAME_YEAR, (1, 2, 3)), (_NAME_DAY_YEAR, (2, 1, 3))):
        match = pattern.match(cell)
        if match:
            month = _MONTHS.get(match[parts[1]].lower())
            if month is None:
                raise InvalidInput(f"{raw!r} names no month: {DATE_HELP}")
            day = _real_date(int(match[parts[2]]), month, int(match[parts[0]]), raw)
            return Moment(day, *_clock(match[4], raw))
    raise InvalidInput(f"{raw!r} is not a date: {DATE_HELP}")


# --- small things ------------------------------------------------------------------------------

_TRUE = {"true", "yes", "y", "1", "x", "done", "completed", "complete", "closed", "finished", "✓", "✔"}
_FALSE = {"false", "no", "n", "0", "", "open", "not started", "todo", "to do", "pending", "in progress",
          "waiting", "waiting on someone else", "deferred", "scheduled", "planned"}


def parse_flag(text: str, what: str) -> bool:
    value = " ".join(text.strip().lower().split())
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(f"{what} {text.strip()!r} is neither yes nor no")


_HOURS_MINUTES = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
# Bounded digits: int() of thousands of digits raises, and no duration needs them.
_MINUTES = re.compile(r"^[0-9]{1,6}$")
_UNITS = re.compile(r"^(?:(\d{1,4}(?:\.\d{1,4})?)\s*h(?:ours?|rs?)?)?\s*(?:(\d{1,6})\s*m(?:in(?:ute)?s?)?)?$",
                    re.IGNORECASE)


def parse_duration(text: str) -> int | None:
    """Minutes from ``45``, ``45 min``, ``1:30``, ``01:30:00``, ``1h``, ``1h 30m``."""
    raw = text.strip()
    if not raw:
        return None
    if _MINUTES.match(raw):
        minutes = int(raw)
    elif _HOURS_MINUTES.match(raw):
        match = _HOURS_MINUTES.match(raw)
        minutes = int(match[1]) * 60 + int(match[2]) + (1 if int(match[3] or 0) >= 30 else 0)
    else:
        match = _UNITS.match(raw)
        if not match or not (match[1] or match[2]):
            raise InvalidInput(f"duration {raw!r} is not minutes: try 45, 1:30 or 1h 30m")
        minutes = int(Decimal(match[1] or 0) * 60) + int(match[2] or 0)
    if minutes > 24 * 60:
        raise InvalidInput(f"duration {raw!r} is longer than a day")
    return minutes


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """What two spellings of a name have in common: ``Deal - Stage`` and ``deal_stage`` → ``dealstage``."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def fold(text: str) -> str:
    """Names compared the way the store compares them: case-insensitively, spaces collapsed."""
    return " ".join(text.split()).casefold()


def derive_handle(name: str) -> str:
    """A rep handle from a name or e-mail address: ``Ana Reyes`` → ``ana.reyes``."""
    base = name.split("@", 1)[0] if "@" in name else name
    ascii_ = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode().lower()
    handle = re.sub(r"[^a-z0-9]+", ".", ascii_).strip("._-")[:60].strip("._-")
    return handle or "rep"


def name_from_email(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part) or email
