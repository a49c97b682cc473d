"""The store's checks on the values its write functions are handed: one function per kind.

Each write function runs its arguments through these before it touches the
database, so a bad value is an ``InvalidInput`` with a one-line message on both
backends, and nothing is written. Without them the backends disagree: PostgreSQL
raises a driver error on a NUL byte or an over-long string, SQLite stores both,
and the next export cannot be read back in.

Control characters: the store refuses them in text (a Textual Input can receive
pasted ESC sequences, and stored ESC bytes would later drive a terminal). The
importer instead strips them with ``strip_controls`` and reports how many cells it
cleaned; a NUL is refused everywhere, because no text a person means holds one.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from store.errors import InvalidInput

# C0 controls except tab, line feed and carriage return (whitespace the store folds, or
# keeps in a note's lines), then DEL and the C1 block: bytes that steer a terminal.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Dates outside these years are typos or sentinels (0001-01-01, 9999-12-31); refusing them
# also keeps every conversion between a rep's timezone and UTC inside datetime's range.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
YEARS = f"{EARLIEST_YEAR} to {LATEST_YEAR}"


def has_controls(value: str) -> bool:
    """True when ``value`` holds a control character (the NUL included)."""
    return _CONTROL.search(value) is not None


def strip_controls(value: str) -> tuple[str, int]:
    """``value`` without control characters (the NUL included), and how many were removed."""
    return _CONTROL.subn("", value)


def _kind(value: object) -> str:
    return {bool: "yes/no", float: "a fraction", str: "text", bytes: "bytes"}.get(type(value), type(value).__name__)


def text(value: object, what: str, *, limit: int | None = None) -> str | None:
    """Text a person typed (``None`` passes): a ``str`` without NUL or control characters,
    at most ``limit`` characters long once its runs of whitespace are folded."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text, not {_kind(value)}")
    if "\x00" in value:
        raise InvalidInput(f"{what} holds a NUL character: remove it")
    bad = _CONTROL.search(value)
    if bad:
        raise InvalidInput(f"{what} holds a control character (U+{ord(bad[0]):04X}): remove it")
    if limit is not None:
        length = len(" ".join(value.split()))
        if length > limit:
            raise InvalidInput(f"{what} is {length} characters; keep it under {limit}")
    return value


def whole(value: object, what: str, *, low: int | None = None, high: int | None = None) -> int | None:
    """A whole number (``None`` passes): an ``int`` but not a ``bool``, within ``low``..``high``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a whole number, not {_kind(value)}")
    if low is not None and value < low:
        raise InvalidInput(f"{what} must be {low} or more")
    if high is not None and value > high:
        raise InvalidInput(f"{what} must be {high:,} or less")
    return value


def ident(value: object, what: str) -> int | None:
    """A row id (``None`` passes)."""
    return whole(value, f"{what} id", low=1, high=2**63 - 1)


def cents(value: object, what: str = "value") -> int | None:
    """An amount of money in minor units (``None`` passes): a whole number, zero or more."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a whole number of minor units, not {_kind(value)}")
    if value < 0:
        raise InvalidInput(f"{what} must be zero or more, in minor units")
    return value


def day(value: object, what: str) -> date | None:
    """A calendar day (``None`` passes): a ``date`` (not a datetime) in a plausible year."""
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"{what} must be a day, not {_kind(value)}")
    _plausible(value, what)
    return value


def moment(value: object, what: str) -> datetime | None:
    """A moment (``None`` passes): a ``datetime`` in a plausible year."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{what} must be a date and time, not {_kind(value)}")
    _plausible(value, what)
    return value


def _plausible(value: date, what: str) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise InvalidInput(f"{what} {value.isoformat()[:10]} is not a plausible date: use a year from {YEARS}")
