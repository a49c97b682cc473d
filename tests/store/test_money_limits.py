"""The most one amount may be, and sums that stay safe with rows past it.

Every write path refuses a value past ``money.MAX_VALUE`` and names the maximum
in the database's currency. Rows an older release (or a hand edit) wrote past
it must not break a board, the numbers, the forecast or the stand-up: two
5 × 10^18 values overflow a 64-bit SUM on SQLite.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from store import board, deals, forecast, goals, numbers, standup
from store.board import BoardFilter
from store.errors import InvalidInput
from store.import_values import parse_amount
from store.importer import ImportOptions, import_file
from store.models import Deal, Setting
from store.money import MAX_VALUE, database_currency, format_money, parse_money
from store.periods import MONTH, QUARTER, WEEK, current_period
from tests.store.numbers_fixture import add_deal, at, make_reps

HUGE = 5 * 10**18  # two of these overflow a signed 64-bit sum; each one fits the column


# Every test here runs at tests/conftest.py's FIXED_NOW, frozen.
pytestmark = pytest.mark.usefixtures("frozen")


def set_currency(session, code: str) -> None:
    session.merge(Setting(key="currency", value=code))
    session.commit()


def write_past_the_store(db, deal_ids: list[int], value: int | str) -> None:
    """What an older release without the cap, or a hand edit, could have stored
    (``value`` as SQL text when the driver cannot send it, e.g. ``1e20``)."""
    literal = value if isinstance(value, str) else ":v"
    with db.engine.begin() as connection:
        for deal_id in deal_ids:
            connection.execute(text(f"UPDATE deal SET value = {literal} WHERE id = :id"), {"v": value, "id": deal_id})


@pytest.fixture
def book(session, db):
    """Two oversized won deals and two oversized open ones, beside sane ones."""
    ana, ben, mia = make_reps(session)
    created = at(2026, 11, 16, 10)  # this week, month and quarter
    close = date(2026, 11, 30)
    huge = [
        add_deal(session, "Huge open 1", owner=ana.id, stage="Proposal", created=created, close=close),
        add_deal(session, "Huge open 2", owner=ben.id, stage="Proposal", created=created, close=close),
        add_deal(session, "Huge won 1", owner=ana.id, stage="Won", created=created, closed=at(2026, 11, 17)),
        add_deal(session, "Huge won 2", owner=ben.id, stage="Won", created=created, closed=at(2026, 11, 17)),
    ]
    add_deal(session, "Sane open", owner=ana.id, stage="Proposal", value=1_234_567, created=created, close=close)
    add_deal(session, "Sane won", owner=ana.id, stage="Won", value=765_433, created=created, closed=at(2026, 11, 17))
    session.commit()
    write_past_the_store(db, huge, HUGE)
    session.expire_all()
    return ana, ben, mia


def test_board_totals_survive_oversized_rows(session, book):
    columns, summary = board.board_totals(session, "opportunity", BoardFilter(), tz="UTC")
    proposal = next(c for c in columns if c.stage_name == "Proposal")
    # Each oversized value counts as the cap; the sane one exactly.
    assert proposal.value == 2 * MAX_VALUE + 1_234_567
    assert summary.open_value == 2 * MAX_VALUE + 1_234_567
    assert summary.won_this_quarter == 2 * MAX_VALUE + 765_433
    assert summary.weighted_this_month == (2 * MAX_VALUE + 1_234_567) * proposal.probability // 100
    # The cards still show what is stored.
    cards = board.column_cards(session, proposal.stage_id, BoardFilter(), offset=0, limit=10)
    assert sorted(c.value for c in cards)[-1] == HUGE
    assert board.board_totals(session, "lead", BoardFilter(), tz="UTC")[1].open_count == 0


def test_numbers_forecast_and_standup_survive_oversized_rows(session, book):
    for kind in (WEEK, MONTH, QUARTER):
        table = numbers.team_numbers(session, current_period(kind, "UTC"))
        assert table.team.figures["won_value"].value == 2 * MAX_VALUE + 765_433
        assert table.team.figures["pipeline_created"].value == 4 * MAX_VALUE + 1_234_567 + 765_433
    ahead = forecast.forecast(session, current_period(MONTH, "UTC"))
    assert ahead.this.open_value == 2 * MAX_VALUE + 1_234_567
    assert ahead.this.won_value == 2 * MAX_VALUE + 765_433
    agenda = standup.standup_agenda(session)
    assert agenda.numbers[-1].week["won_value"] == 2 * MAX_VALUE + 765_433
    assert format_money(HUGE, "EUR", short=True).startswith("€")


def test_a_value_sqlite_keeps_as_real_does_not_break_the_sums(session, db, book):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's bigint column refuses it outright")
    huge_open = session.exec(select(Deal.id).where(Deal.title == "Huge open 1")).one()
    write_past_the_store(db, [huge_open], "1e20")  # past 2^63: SQLite stores a REAL
    session.expire_all()
    _columns, summary = board.board_totals(session, "opportunity", BoardFilter(), tz="UTC")
    assert summary.open_value == 2 * MAX_VALUE + 1_234_567
    numbers.team_numbers(session, current_period(MONTH, "UTC"))
    forecast.forecast(session, current_period(MONTH, "UTC"))
    standup.standup_agenda(session)


# --- every write path refuses a value past the cap -----------------------------------------


def test_the_cap_keeps_a_million_capped_deals_in_64_bits():
    assert 1_000_000 * MAX_VALUE < 2**63 - 1


def test_typed_amounts_in_another_currency_are_refused_not_converted():
    with pytest.raises(InvalidInput, match=r"^value '\$12,500' is in USD; this database keeps amounts in EUR$"):
        parse_money("$12,500", "EUR")
    with pytest.raises(InvalidInput, match="is in USD"):
        parse_money("12500 usd", "EUR")
    assert parse_money("€12,500", "EUR") == parse_money("EUR 12500", "EUR") == parse_money("12.5k", "EUR") == 1_250_000
    assert parse_money("€12,500") == 1_250_000  # no database currency given: the symbol is only read past


@pytest.fixture
def euro(session):
    set_currency(session, "EUR")
    return "€10,000,000,000"


def test_deal_writes_refuse_a_value_past_the_cap(session, euro):
    ana, _ben, _mia = make_reps(session)
    F = deals.DealFields
    with pytest.raises(InvalidInput, match=f"a deal's value is too large: the most is {euro}$"):
        deals.create_opportunity(session, F(title="Too big", value=MAX_VALUE + 1), by=ana.id)
    with pytest.raises(InvalidInput, match=euro):
        deals.create_lead(session, F(title="Too big", value=HUGE), by=ana.id)
    top = deals.create_opportunity(session, F(title="Top", value=MAX_VALUE), by=ana.id)
    assert top.value == MAX_VALUE
    with pytest.raises(InvalidInput, match=euro):
        deals.edit_deal(session, top.id, F(value=MAX_VALUE + 1), version=top.version, by=ana.id)
    assert deals.get_deal(session, top.id).value == MAX_VALUE


def test_typed_and_imported_amounts_refuse_a_value_past_the_cap():
    assert parse_money("10b".replace("b", "000m")) == MAX_VALUE  # 10,000m: the cap itself
    with pytest.raises(InvalidInput, match="too large: the most is €10,000,000,000"):
        parse_money("€10,000,000,000.01", "EUR")
    with pytest.raises(InvalidInput, match="£10,000,000,000"):
        parse_money("20000m", "GBP")
    assert parse_amount("10000000000", "EUR") == MAX_VALUE
    for cell in ("10000000001", "10000000000.01", "€ 10.000.000.001", "20000m"):
        with pytest.raises(InvalidInput, match="too large: the most is €10,000,000,000"):
            parse_amount(cell, "EUR")


def test_an_import_refuses_the_row_with_a_value_past_the_cap(session, euro, tmp_path):
    ana, _ben, _mia = make_reps(session)
    path = tmp_path / "deals.csv"
    path.write_text("Title,Value\nFine,12500\nToo big,99999999999\n", encoding="utf-8")
    report = import_file(session, path, by=ana.id, options=ImportOptions(skip_invalid=True))
    assert [(p.row, p.reason) for p in report.refused] == [
        (3, f"value '99999999999' is too large: the most is {euro}")]
    assert session.exec(select(Deal.title)).all() == ["Fine"]


def test_goals_refuse_a_target_past_the_cap(session, euro):
    ana, _ben, mia = make_reps(session)
    with pytest.raises(InvalidInput, match=f"the goal for won value is too large: the most is {euro}$"):
        goals.set_goals(session, ana.id, WEEK, {"won_value": MAX_VALUE + 1}, by=mia.id)
    with pytest.raises(InvalidInput, match="the goal for calls is too large: the most is 1,000,000,000,000$"):
        goals.set_goals(session, ana.id, WEEK, {"activity:call": MAX_VALUE + 1}, by=mia.id)
    assert goals.set_goals(session, ana.id, WEEK, {"won_value": MAX_VALUE}, by=mia.id) == {"won_value": MAX_VALUE}


def test_the_database_currency_is_read_in_one_place(session):
    assert database_currency(session) == "USD"
    set_currency(session, "jpy ")
    assert database_currency(session) == "JPY"
