"""Money: integer minor units in, integer minor units out; never floats."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import case
from sqlmodel import Session

from store.errors import InvalidInput

# One table, both directions: the symbol shown for a currency, and the currency a symbol
# in typed or imported text means.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "RUB": "₽", "TRY": "₺"}
CURRENCY_OF_SYMBOL = {symbol: code for code, symbol in SYMBOLS.items()}
# Dollars other than the US's, as other CRMs and spreadsheets write them.
PREFIXED_DOLLARS = {"US$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD",
                    "S$": "SGD", "R$": "BRL", "MX$": "MXN"}
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
    marked = {code for symbol, code in CURRENCY_OF_SYMBOL.items() if symbol in cleaned}
    for symbol in CURRENCY_OF_SYMBOL:
        cleaned = cleaned.replace(symbol, "")
    code = cleaned.upper()
    if code.endswith(tuple(SYMBOLS)):
        marked.add(code[-3:])
        cleaned = cleaned[:-3]
    elif code.startswith(tuple(SYMBOLS)):
        marked.add(code[:3])
        cleaned = cleaned[3:]
    if currency and marked - {currency.upper()}:
        raise _other_currency(raw, sorted(marked - {currency.upper()})[0], currency)
    if not cleaned:
        raise InvalidInput("value is empty: type an amount like 12500 or 12.5k")
    if cleaned.startswith("-"):
        raise _negative(raw)
    match = _AMOUNT.match(cleaned)
    if not match:
        raise InvalidInput(f"value {raw!r} is not an amount: try 12500, 12,500.00 or 12.5k")
    return _cents(Decimal(match["num"].replace(",", "")), match["suffix"], raw, currency or DEFAULT_CURRENCY)


# --- the import's reading: what other CRMs and spreadsheets write in a cell ---------------------

_CODE = re.compile(r"^([A-Za-z]{3})\s*(.*)$|^(.*?)\s*([A-Za-z]{3})$")
_GROUPED_COMMA = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_GROUPED_DOT = re.compile(r"^\d{1,3}(?:\.\d{3}){2,}$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")
_PREFIXES_LONGEST_FIRST = sorted(PREFIXED_DOLLARS.items(), key=lambda kv: -len(kv[0]))
_SIMPLE = re.compile(r"^\d{1,15}(?:\.\d{1,2})?$")


def parse_amount(text: str, currency: str = "USD") -> int:
    """Minor units from an imported cell: ``12500``, ``$12,500.00``, ``12.500,50 €``,
    ``EUR 1 250 000``, ``12.5k``; an empty cell is 0.

    More lenient than ``parse_money`` (decimal commas, dot-grouped thousands, any
    three-letter code); a value in a currency other than the database's ``currency`` is
    refused the same way: one currency per database, and no silent conversion.
    """
    raw = text.strip()
    if not raw:
        return 0
    if _SIMPLE.match(raw):  # 12500 or 12500.50: most exports
        whole, _, cents = raw.partition(".")
        amount = int(whole) * 100 + int(cents.ljust(2, "0") or 0)
        check_amount(amount, currency, what=f"value {raw!r}")
        return amount
    cleaned, code = _strip_currency(raw)
    if code is not None and code != currency.upper():
        raise _other_currency(raw, code, currency)
    for space in (" ", "\u00a0", "\u202f", "\u2009", "'", "’", "_"):
        cleaned = cleaned.replace(space, "")
    if cleaned.startswith("(") and cleaned.endswith(")") or cleaned.startswith("-") or cleaned.endswith("-"):
        raise _negative(raw)
    cleaned = cleaned.lstrip("+")
    suffix = ""
    if cleaned[-1:] in ("k", "K", "m", "M"):
        cleaned, suffix = cleaned[:-1], cleaned[-1]
    return _cents(_number(cleaned, raw), suffix, raw, currency)


def _strip_currency(text: str) -> tuple[str, str | None]:
    """The cell without its currency mark, and the currency the mark names (None: unmarked)."""
    upper = text.upper()
    for prefix, code in _PREFIXES_LONGEST_FIRST:
        if upper.startswith(prefix) or upper.endswith(prefix):
            return upper.replace(prefix, "", 1).strip(), code
    found = None
    for symbol, code in CURRENCY_OF_SYMBOL.items():
        if symbol in text:
            found = code
            text = text.replace(symbol, "")
    text = text.strip()
    match = _CODE.match(text)
    if match:
        code = (match[1] or match[4]).upper()
        rest = match[2] if match[1] else match[3]
        if rest and re.match(r"^[\d.,\s'’()+-]+[kKmM]?$", rest):
            if found and found != code:
                raise InvalidInput(f"{text!r} names two currencies")
            return rest.strip(), code
    return text, found


def _number(cleaned: str, raw: str) -> Decimal:
    """Digits with at most one decimal separator; the other separator groups thousands."""
    bad = InvalidInput(f"value {raw!r} is not an amount: try 12500, 12,500.00 or $12,500")
    if not cleaned:
        raise bad
    has_comma, has_dot = "," in cleaned, "." in cleaned
    if has_comma and has_dot:
        decimal_sep = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        whole, _, fraction = cleaned.rpartition(decimal_sep)
        if not re.match(rf"^\d{{1,3}}(?:{re.escape(group_sep)}\d{{3}})*$", whole) or not fraction.isdigit():
            raise bad
        cleaned = whole.replace(group_sep, "") + "." + fraction
    elif has_comma:
        if _GROUPED_COMMA.match(cleaned):
            cleaned = cleaned.replace(",", "")
        elif re.match(r"^\d+,\d{1,2}$", cleaned):
            cleaned = cleaned.replace(",", ".")  # 12,5 / 12,50: a decimal comma
        else:
            raise bad
    elif has_dot and _GROUPED_DOT.match(cleaned):
        cleaned = cleaned.replace(".", "")  # 1.250.000
    if not _PLAIN.match(cleaned):
        raise bad
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise bad from None


# --- the rules both readings share ---------------------------------------------------------------

_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000}


def _cents(number: Decimal, suffix: str, raw: str, currency: str) -> int:
    """``number`` (times ``k`` or ``m``) in minor units: whole cents, at most ``MAX_VALUE``."""
    amount = number * _SUFFIXES[suffix.lower()] * 100
    if amount != amount.to_integral_value():
        raise InvalidInput(f"value {raw!r} has fractions of a cent")
    cents = int(amount)
    check_amount(cents, currency, what=f"value {raw!r}")
    return cents


def _other_currency(raw: str, other: str, currency: str) -> InvalidInput:
    return InvalidInput(f"value {raw!r} is in {other}; this database keeps amounts in {currency.upper()}")


def _negative(raw: str) -> InvalidInput:
    return InvalidInput(f"value {raw!r} is negative: a deal's value is zero or more")


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


def format_amount(cents: int) -> str:
    """``1250000`` → ``12500.00``: what the export writes and the import reads back exactly."""
    return f"{cents // 100}.{cents % 100:02d}"


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
