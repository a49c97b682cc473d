"""Money: integer minor units in, integer minor units out; never floats."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from store.errors import InvalidInput

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
# Thousands are grouped with commas, cents follow a point: 12,500.50.
_AMOUNT = re.compile(
    r"^(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?|\.\d{1,2})(?P<suffix>[kKmM]?)$"
)


def parse_money(text: str) -> int:
    """Parse what a person types for a value into minor units.

    Accepts ``12500``, ``12,500.50``, ``$12,500``, ``12k``, ``1.5m``; refuses
    ``12k3``, ``abc`` and negative amounts with a message that says why.
    """
    raw = text.strip()
    cleaned = raw.replace(" ", "").replace("_", "")
    for symbol in SYMBOLS.values():
        cleaned = cleaned.replace(symbol, "")
    code = cleaned.upper()
    if code.endswith(tuple(SYMBOLS)):
        cleaned = cleaned[:-3]
    elif code.startswith(tuple(SYMBOLS)):
        cleaned = cleaned[3:]
    if not cleaned:
        raise InvalidInput("value is empty: type an amount like 12500 or 12.5k")
    if cleaned.startswith("-"):
        raise InvalidInput(f"value {raw!r} is negative: a deal's value is zero or more")
    match = _AMOUNT.match(cleaned)
    if not match:
        raise InvalidInput(f"value {raw!r} is not an amount: try 12500, 12,500.00 or 12.5k")
    number = match["num"].replace(",", "")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise InvalidInput(f"value {raw!r} is not an amount") from None
    amount *= {"": 1, "k": 1_000, "m": 1_000_000}[match["suffix"].lower()]
    return int((amount * 100).to_integral_value())


def format_money(cents: int, currency: str = "USD", *, short: bool = False) -> str:
    """``$12,500`` (whole units) or, short, ``$12.5k`` for narrow columns."""
    symbol = SYMBOLS.get(currency, "")
    units = cents / 100 if short else cents // 100
    if short:
        for limit, suffix in ((1_000_000_000, "b"), (1_000_000, "m"), (1_000, "k")):
            if abs(units) >= limit:
                scaled = units / limit
                text = f"{scaled:.1f}".rstrip("0").rstrip(".") if scaled < 100 else f"{scaled:.0f}"
                return f"{symbol}{text}{suffix}" if symbol else f"{text}{suffix} {currency}"
    text = f"{units:,}" if not short else f"{units:,.0f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"
