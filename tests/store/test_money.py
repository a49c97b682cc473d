"""Money: what people type becomes integer minor units; never floats.

Pure functions: no database, so these run once, not once per backend.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.errors import InvalidInput
from store.money import MAX_VALUE, SYMBOLS, format_money, parse_money


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12500", 1_250_000),
        ("12,500.50", 1_250_050),
        ("$12,500", 1_250_000),
        ("12k", 1_200_000),
        ("12K", 1_200_000),
        ("1.5m", 150_000_000),
        ("1.5M", 150_000_000),
        ("EUR 300", 30_000),
        ("300 EUR", 30_000),
        ("eur300", 30_000),
        ("€300", 30_000),
        ("£1,000,000", 100_000_000),
        ("  12.5k ", 1_250_000),
        ("12.05", 1_205),
        ("12.5", 1_250),
        (".5", 50),
        ("0", 0),
        ("0.00", 0),
        ("1 000", 100_000),
        ("1_000", 100_000),
        ("1,234,567.89", 123_456_789),
    ],
)
def test_amounts_people_type(text, cents):
    assert parse_money(text) == cents
    assert isinstance(parse_money(text), int)


@pytest.mark.parametrize(
    "text",
    ["12k3", "abc", "-5", "", "1.234", "   ", "$", "USD", "-$5", "$-5", "EUR -5", "12,50", "1,2345", "1.2.3", "12kk", "k", "1e6", "0x10", "12 500 abc"],
)
def test_what_is_not_an_amount_is_refused(text):
    with pytest.raises(InvalidInput):
        parse_money(text)


def test_refusals_say_why():
    with pytest.raises(InvalidInput, match="negative"):
        parse_money("-5")
    with pytest.raises(InvalidInput, match="empty"):
        parse_money("")
    with pytest.raises(InvalidInput, match="not an amount"):
        parse_money("12k3")


@pytest.mark.parametrize(
    ("cents", "currency", "short", "text"),
    [
        (1_250_000, "USD", False, "$12,500"),
        (1_250_099, "USD", False, "$12,500"),  # whole units: cents are not shown
        (0, "USD", False, "$0"),
        (99, "USD", False, "$0"),
        (123_456_789, "USD", False, "$1,234,567"),
        (1_250_000, "EUR", False, "€12,500"),
        (1_250_000, "GBP", False, "£12,500"),
        (1_250_000, "CHF", False, "12,500 CHF"),
        (1_250_000, "USD", True, "$12.5k"),
        (1_200_000, "USD", True, "$12k"),
        (150_000_000, "USD", True, "$1.5m"),
        (99_900, "USD", True, "$999"),
        (12_345_678_900, "USD", True, "$123m"),
        (250_000_000_000, "USD", True, "$2.5b"),
        (1_250_000, "CHF", True, "12.5k CHF"),
    ],
)
def test_format_money(cents, currency, short, text):
    assert format_money(cents, currency, short=short) == text


# --- properties ----------------------------------------------------------------------------------

cents_st = st.integers(min_value=0, max_value=MAX_VALUE)


@given(cents_st)
def test_plain_decimal_text_round_trips(cents):
    assert parse_money(f"{cents // 100}.{cents % 100:02d}") == cents


@given(cents_st, st.sampled_from(sorted(SYMBOLS)))
def test_grouped_text_with_a_currency_round_trips(cents, code):
    grouped = f"{cents // 100:,}.{cents % 100:02d}"
    assert parse_money(grouped) == cents
    assert parse_money(f"{SYMBOLS[code]}{grouped}") == cents
    assert parse_money(f"{code} {grouped}") == cents
    assert parse_money(f"{grouped} {code.lower()}") == cents


@given(cents_st, st.sampled_from(sorted(SYMBOLS)))
def test_formatted_money_parses_back_to_its_whole_units(cents, code):
    assert parse_money(format_money(cents, code)) == cents // 100 * 100


@given(st.integers(min_value=0, max_value=10**4), st.sampled_from(["k", "m"]))  # 10,000m is the cap
def test_suffixes_multiply_exactly(units, suffix):
    factor = {"k": 1_000, "m": 1_000_000}[suffix]
    assert parse_money(f"{units}{suffix}") == units * factor * 100


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_no_float_rounding(units, cents):
    # 0.29 * 100 is 28.999999999999996 as a float; as money it is 29 cents.
    assert parse_money(f"{units}.{cents:02d}") == units * 100 + cents


@given(st.text(max_size=20))
def test_any_text_is_either_an_amount_or_an_invalid_input(text):
    try:
        cents = parse_money(text)
    except InvalidInput:
        return
    assert isinstance(cents, int) and cents >= 0


@given(st.from_regex(r"\A-[0-9][0-9,.]*[kKmM]?\Z"))
def test_negative_amounts_are_always_refused(text):
    with pytest.raises(InvalidInput):
        parse_money(text)


@given(cents_st)
def test_short_format_is_never_longer_than_a_narrow_column(cents):
    assert len(format_money(cents, "USD", short=True)) <= 7
