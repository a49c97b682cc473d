"""Money: integer minor units in, integer minor units out; never floats."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import case
from sqlmodel import Session

from store.errors import InvalidInput

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
DEFAULT_CURRENCY = "USD"
# The most one amount (a deal's value, a goal, an imported cell) may be: 10^12
# minor units, 10 billion in major units, past any real deal. It keeps sums
# exact in 64 bits: a million deals at the cap add up to 10^18 < 2^63 - 1
# (about 9.2 × 10^18), so SUM never overflows below 9.2 million deals.
MAX_VALUE = 10**12
# Thousands are grouped with commas, cents follow a point: 12,500.50.
_AMOUNT = re.compile(
    r"^(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?|\.\d{1,2})(?P<suffix>[kKmM]?)$"
)


def parse_money(text: str, currency: str | None = None) -> int:
    """Parse what a person types for a value into minor units.

    Accepts ``12500``, ``12,500.50``, ``$12,500``, ``12k``, ``1.5m``; refuses
    ``12k3``, ``abc``, negative amounts and amounts past ``MAX_VALUE`` with a
    message that says why. Given the database's ``currency``, an amount marked
    with another one (``$12,500`` in a EUR database) is refused, not converted.
    """
    raw = text.strip()
    cleaned = raw.replace(" ", "").replace("_", "")
    marked = {code for code, symbol in SYMBOLS.items() if symbol in cleaned}
    for symbol in SYMBOLS.values():
        cleaned = cleaned.replace(symbol, "")
    code = cleaned.upper()
    if code.endswith(tuple(SYMBOLS)):
        marked.add(code[-3:])
        cleaned = cleaned[:-3]
    elif code.startswith(tuple(SYMBOLS)):
        marked.add(code[:3])
        cleaned = cleaned[3:]
    if currency and marked - {currency.upper()}:
        other = sorted(marked - {currency.upper()})[0]
        raise InvalidInput(f"value {raw!r} is in {other}; this database keeps amounts in {currency.upper()}")
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
    cents = int((amount * 100).to_integral_value())
    check_amount(cents, currency or DEFAULT_CURRENCY, what=f"value {raw!r}")
    return cents


def check_amount(cents: int, currency: str = DEFAULT_CURRENCY, *, what: str = "value") -> None:
    """Refuse an amount past ``MAX_VALUE`` with a message naming the maximum in ``currency``."""
    if cents > MAX_VALUE:
        raise InvalidInput(f"{what} is too large: the most is {format_money(MAX_VALUE, currency)}")


def database_currency(session: Session) -> str:
    """The database's currency code (one per database): read once per screen load or command."""
    from store.settings import currency  # settings' home; money stays importable without the tables

    return currency(session)


def capped(column):
    """``column`` held within ±MAX_VALUE, for SUMs: exact for every amount the store
    accepts, and no 64-bit overflow from a row an older release or a hand edit wrote."""
    return case((column > MAX_VALUE, MAX_VALUE), (column < -MAX_VALUE, -MAX_VALUE), else_=column)


def amount_text(cents: int) -> str:
    """``12,500`` or ``12,500.50``: an amount for a form field, without a symbol, exactly."""
    whole, part = divmod(int(cents), 100)
    return f"{whole:,}.{part:02d}" if part else f"{whole:,}"


def format_money(cents: int, currency: str = "USD", *, short: bool = False) -> str:
    """``$12,500`` (whole units) or, short, ``$12.5k`` for narrow columns."""
    cents = int(cents)  # PostgreSQL sums arrive as Decimal; SQLite keeps a hand-typed 1e20 as REAL
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
