"""What another CRM's deal columns mean here: a win probability in percent or as a
fraction, and which date stands in for a created date the file does not give.

A probability column is read one way for the whole file: HubSpot writes 0.6,
Salesforce and Pipedrive write 60 (or 60%). A column whose numbers are all between
0 and 1, with no % sign, is a fraction; any other is percent.

A deal the file gives no created date takes the best date the row has — its engage
date, then its close date (a closed deal's), then its last activity — and otherwise
its creation is marked unknown: ``created_at`` holds ``UNKNOWN_SINCE`` (the epoch),
which falls in no period, so "new deals" and "pipeline created" leave it out.
Never the import's own time: that would make a migrated pipeline look created today.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Iterable

from store.errors import InvalidInput
from store.models import UNKNOWN_SINCE  # noqa: F401  (re-exported for the importer)

PERCENT, FRACTION = "percent", "fraction"
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

# Where a deal's created date came from, in the order the report lists them.
CREATED_GIVEN = "created"
CREATED_ENGAGED = "engage date"
CREATED_CONVERTED = "conversion date"
CREATED_CLOSED = "close date"
CREATED_LAST_ACTIVITY = "last activity"
CREATED_FROM_CLOSE = "close date (--created-from close)"
CREATED_UNKNOWN = "unknown"
CREATED_UNKNOWN_AFTER_CLOSE = "unknown (--created-unknown-when-after-close)"
CREATED_ORDER = (CREATED_GIVEN, CREATED_ENGAGED, CREATED_CONVERTED, CREATED_CLOSED, CREATED_LAST_ACTIVITY,
                 CREATED_FROM_CLOSE, CREATED_UNKNOWN, CREATED_UNKNOWN_AFTER_CLOSE)
CREATED_FROM_CHOICES = ("close",)


def _decimal(text: str) -> Decimal | None:
    cleaned = text.strip().rstrip("%").strip().replace(",", ".")
    if not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def probability_scale(cells: Iterable[str]) -> str:
    """PERCENT or FRACTION for a file's probability column (its non-empty cells)."""
    seen = False
    for cell in cells:
        cell = cell.strip()
        if not cell:
            continue
        if cell.endswith("%"):
            return PERCENT
        number = _decimal(cell)
        if number is None:
            continue
        seen = True
        if number > 1:
            return PERCENT
    return FRACTION if seen else PERCENT


def parse_probability(text: str, scale: str) -> int:
    """A whole percent 0-100 from ``60``, ``60%``, ``60.0`` or (FRACTION) ``0.6``."""
    number = _decimal(text)
    if number is None:
        raise InvalidInput(f"probability {text.strip()!r} is not a number: write 60, 60% or 0.6")
    if scale == FRACTION and not text.strip().endswith("%"):
        number *= 100
    if number < 0 or number > 100:
        raise InvalidInput(f"probability {text.strip()!r} is not between 0 and 100%")
    return int(number.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
