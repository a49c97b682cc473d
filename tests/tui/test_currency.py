"""Money on every screen and in every command is in the database's currency, and
a row past the store's maximum value (written by an older release) breaks no screen.

The clock starts at Wednesday 18 November 2026, 09:00 UTC and ticks on.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from store import activities, deals, goals
from store.models import Setting
from store.money import MAX_VALUE
from tests.tui.conftest import build_team, settle
from tests.tui.test_deal_screen import screen_text
from tests.tui.test_numbers import cell, panels_for, plain
from tui import cli
from tui.app import LegworkApp
from tui.screens.board import BoardScreen
from tui.screens.deal import DealScreen
from tui.screens.modals.deal_form import DealFormScreen
from tui.screens.modals.goals_form import GoalsFormScreen
from tui.screens.numbers import NumbersScreen
from tui.screens.standup import StandupScreen
from tui.widgets.numbers_table import NumbersTable

pytestmark = pytest.mark.usefixtures("wednesday")  # every test here runs on Wednesday morning


def set_currency(db, code: str) -> None:
    with db.session() as s:
        s.merge(Setting(key="currency", value=code))
        s.commit()


@pytest.fixture
def euro_team(sqlite_db):
    """build_team's deals (Acme €12,000 in Qualified, Initech €30,000 in Proposal), a
    deal won this week (€7,500), weekly goals on won value and calls, in EUR."""
    team = build_team(sqlite_db)
    with sqlite_db.session() as s:
        won = deals.create_opportunity(s, deals.DealFields(title="Hooli pilot", value=750_000), by=team.alex.id)
        deals.mark_won(s, won.id, version=won.version, by=team.alex.id)
        activities.log_activity(s, team.acme.id, "call", by=team.alex.id)
        goals.set_goals(s, team.alex.id, "week", {"won_value": 40_000_000, "activity:call": 10}, by=team.morgan.id)
    set_currency(sqlite_db, "EUR")
    return team


def no_dollars(shown: str) -> None:
    assert "$" not in shown, shown


async def go(app, pilot, *keys: str) -> None:
    await settle(app, pilot)
    await pilot.press(*keys)
    await settle(app, pilot)


async def test_boards_deal_and_forms_show_euros(euro_team):
    app = LegworkApp(euro_team.db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await go(app, pilot, "2")
        board = app.screen
        assert isinstance(board, BoardScreen)
        shown = screen_text(app)
        no_dollars(shown)
        summary = str(board.query_one("#summary").render())
        assert "Open €17k (2)" in summary and "Won €7.5k qtr" in summary  # Alex's: 12,000 + 5,000
        assert "€12k · AK" in shown and "€17k" in shown  # a card, and the column's total
        await go(app, pilot, "enter")
        assert isinstance(app.screen, DealScreen)
        shown = screen_text(app)
        no_dollars(shown)
        assert "€12,000" in shown
        await go(app, pilot, "e")
        form = app.screen
        assert isinstance(form, DealFormScreen)
        value = form.query_one("#value")
        assert value.value == "12,000" and "EUR" in value.placeholder
        no_dollars(screen_text(app))
        value.value = "$12,500"
        await go(app, pilot, "ctrl+s")
        assert "is in USD; this database keeps amounts in EUR" in str(form.query_one("#value-error").render())
        assert app.screen is form
        value.value = "€12,500.50"
        await go(app, pilot, "ctrl+s")
        with euro_team.db.session() as s:
            assert deals.get_deal(s, euro_team.acme.id).value == 1_250_050


async def test_a_value_past_the_maximum_is_refused_in_the_form_in_euros(euro_team):
    app = LegworkApp(euro_team.db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await go(app, pilot, "2", "N")
        form = app.screen
        assert isinstance(form, DealFormScreen)
        form.query_one("#title").value = "Too big"
        form.query_one("#value").value = "20000m"
        await go(app, pilot, "ctrl+s")
        error = str(form.query_one("#value-error").render())
        assert "too large" in error and "€10,000,000,000" in error
        assert app.screen is form


async def test_numbers_forecast_and_goals_show_euros(euro_team):
    app = LegworkApp(euro_team.db, "morgan")
    async with app.run_test(size=(120, 40)) as pilot:
        await go(app, pilot, "4")
        screen = app.screen
        assert isinstance(screen, NumbersScreen)
        alex = str(euro_team.alex.id)
        assert cell(app, alex, "won_value").startswith("€7.5k/€400k")
        assert cell(app, "team", "pipeline_created").startswith("€")
        no_dollars(" ".join(str(c) for row in screen.query_one(NumbersTable).rows for c in
                            screen.query_one(NumbersTable).get_row(row)))
        # Up to the team row (one "up" from Morgan's row lands on Alex's, whose panels
        # the test used to read once its wait for the team's gave up silently).
        table = screen.query_one(NumbersTable)
        for _ in range(table.row_count):
            if table.selected_rep == (True, None):
                break
            await pilot.press("up")
        await panels_for(screen, pilot, "Team")
        forecast = plain(screen.query_one("#forecast"))
        no_dollars(forecast)
        assert "€" in forecast
        no_dollars(screen_text(app))
        screen.query_one(NumbersTable).move_to(alex)
        await go(app, pilot, "g")
        form = app.screen
        assert isinstance(form, GoalsFormScreen)
        won = form.query_one("#goal-won-value")
        assert won.value == "400,000" and "EUR" in won.placeholder
        no_dollars(screen_text(app))


async def test_standup_shows_goals_as_euros(euro_team):
    app = LegworkApp(euro_team.db, "morgan")
    async with app.run_test(size=(120, 40)) as pilot:
        await go(app, pilot, "5")
        assert isinstance(app.screen, StandupScreen)
        shown = screen_text(app)
        no_dollars(shown)
        assert "€7.5k / €400k" in shown and "40000000" not in shown


def test_commands_print_euros(euro_team, capsys):
    url = euro_team.db.url
    for args in (["numbers"], ["numbers", "--period", "month"], ["standup"], ["standup", "--markdown"], ["today"]):
        assert cli.main(["--db", url, "--rep", "morgan", *args]) == 0, args
        out = capsys.readouterr().out
        no_dollars(out)
        if args[0] != "today":  # the task queue shows no money
            assert "€" in out, args
    cli.main(["--db", url, "--rep", "morgan", "standup"])
    out = capsys.readouterr().out
    assert "Won value €7.5k / €400k" in out and "Calls 1/10" in out


async def test_yen_shows_on_the_board(sqlite_db):
    # Amounts stay in hundredths (as for every currency): ¥12,000 is stored as 1,200,000.
    team = build_team(sqlite_db)
    set_currency(sqlite_db, "JPY")
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await go(app, pilot, "2")
        shown = screen_text(app)
        no_dollars(shown)
        assert "¥12k" in shown


# --- a value past the maximum, written before the store capped it --------------------------


@pytest.fixture
def oversized_team(sqlite_db):
    team = build_team(sqlite_db)
    with sqlite_db.session() as s:
        won = deals.create_opportunity(s, deals.DealFields(title="Mega deal", value=1), by=team.alex.id)
        deals.mark_won(s, won.id, version=won.version, by=team.alex.id)
    with sqlite_db.engine.begin() as connection:
        # Two of these overflow a 64-bit SUM.
        for title in ("Acme fleet rollout", "Globex renewal", "Mega deal"):
            connection.execute(text("UPDATE deal SET value = 5000000000000000000 WHERE title = :t"), {"t": title})
    with sqlite_db.session() as s:
        assert s.exec(select(Setting.value).where(Setting.key == "currency")).first() == "USD"
    return team


async def test_board_and_numbers_load_with_an_oversized_row(oversized_team):
    app = LegworkApp(oversized_team.db, "morgan")
    async with app.run_test(size=(120, 40)) as pilot:
        await go(app, pilot, "2")  # a manager's board: the team's
        board = app.screen
        assert isinstance(board, BoardScreen) and board.data is not None
        summary = str(board.query_one("#summary").render())
        assert summary.startswith(" Team ") and "Open $" in summary
        assert "Acme fleet rollout" in screen_text(app)
        await go(app, pilot, "4")
        screen = app.screen
        assert isinstance(screen, NumbersScreen) and screen.data is not None
        # Each oversized value counts as the maximum.
        assert cell(app, "team", "won_value").startswith("$10b")
        await panels_for(screen, pilot, "Morgan Blake")
        assert "Loading" not in plain(screen.query_one("#forecast"))
    assert MAX_VALUE == 10**12
