"""The deal figures on the numbers screen (`d`), grouped (`b`), a period named by
date (`J`); and ``legwork numbers`` with --period 2026-Q3, --team, --territory, --by.

The clock starts at Wednesday 18 November 2026, 09:00 UTC and ticks on; the
team's timezone is UTC. Expected figures are worked out from the rows below.
"""

from __future__ import annotations

import io
import json

import pendulum
import pytest
from rich.console import Console
from sqlmodel import select

from store.models import Deal, Rep, Team
from tests.store.numbers_fixture import add_deal
from tests.tui.conftest import WEDNESDAY as DAY, build_team, settle, wait_until
from tui.app import LegworkApp
from tui.cli import main as legwork
from tui.screens.modals.period_jump import PeriodJumpScreen
from tui.screens.numbers import NumbersScreen
from tui.screens.rep_numbers import RepNumbersScreen
from tui.widgets.deal_numbers_table import DealNumbersTable
from tui.widgets.numbers_table import PAD, NumbersTable

pytestmark = pytest.mark.usefixtures("wednesday")  # every test here runs on Wednesday morning


def at(*args):
    return pendulum.datetime(*args, tz="UTC")


#  deal  owner   territory  outcome  value      created          closed
#  W1    alex    EMEA       won      10,000.00  Fri 6 Nov 10:00  Mon 16 Nov 10:00   (10 days)
#  L1    alex    APAC       lost      5,000.00  1 Nov            Tue 17 Nov 10:00
#  W2    morgan  APAC       won       2,000.00  Fri 13 Nov       Tue 17 Nov 00:00   (4 days)
#  L0    alex    EMEA       lost      1,000.00  1 Nov            Tue 10 Nov          (last Mon–Wed)
#  W3    alex    EMEA       won       7,000.00  1 Jul            31 Jul             (30 days, Q3)
#  L3    alex    EMEA       lost      3,000.00  1 Jul            10 Aug             (Q3)
# Teams: North is alex's; morgan has none.
@pytest.fixture
def closed_team(sqlite_db):
    team = build_team(sqlite_db)
    with sqlite_db.session() as s:
        north = Team(name="North", created_at=DAY)
        s.add(north)
        s.flush()
        alex = s.get(Rep, team.alex.id)
        alex.team_id = north.id
        s.add(alex)
        rows = [
            ("W1", team.alex.id, "EMEA", "Won", 10_000_00, at(2026, 11, 6, 10), at(2026, 11, 16, 10)),
            ("L1", team.alex.id, "APAC", "Lost", 5_000_00, at(2026, 11, 1), at(2026, 11, 17, 10)),
            ("W2", team.morgan.id, "APAC", "Won", 2_000_00, at(2026, 11, 13), at(2026, 11, 17)),
            ("L0", team.alex.id, "EMEA", "Lost", 1_000_00, at(2026, 11, 1), at(2026, 11, 10)),
            ("W3", team.alex.id, "EMEA", "Won", 7_000_00, at(2026, 7, 1), at(2026, 7, 31)),
            ("L3", team.alex.id, "EMEA", "Lost", 3_000_00, at(2026, 7, 1), at(2026, 8, 10)),
        ]
        for title, owner, territory, stage, value, created, closed in rows:
            deal_id = add_deal(s, title, owner=owner, stage=stage, value=value, created=created, closed=closed)
            deal = s.get(Deal, deal_id)
            deal.territory = territory
            s.add(deal)
        s.commit()
        team_id = s.exec(select(Team.id)).one()
    team.north_id = team_id
    return team


def deal_cell(app, key: str, column: str) -> str:
    table = app.screen.query_one(DealNumbersTable)
    return str(table.get_cell(key, column)).replace(PAD, " ").strip()


def shown(static) -> str:
    """What a Static holding a Rich renderable says, as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(static.content)
    return console.export_text()


async def panels_for(screen, pilot, name: str) -> None:
    """Wait for the lower panels to describe ``name`` (they load on a timer)."""
    await wait_until(pilot, lambda: f"· {name}" in shown(screen.query_one("#forecast")), what=f"the forecast of {name}")


def bar(screen) -> str:
    return str(screen.query_one("#period-bar").content)


async def open_deal_figures(app, pilot) -> NumbersScreen:
    await settle(app, pilot)
    await pilot.press("4")
    await settle(app, pilot)
    await pilot.press("d")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, NumbersScreen)
    return screen


async def test_d_swaps_the_activity_figures_for_the_deal_figures_and_back(closed_team):
    app = LegworkApp(closed_team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_deal_figures(app, pilot)
        deals, activity = screen.query_one(DealNumbersTable), screen.query_one(NumbersTable)
        assert deals.display and not activity.display and deals.has_focus
        assert screen.title == "Numbers · deals closed, by rep · win% by count"
        alex, morgan = f"g:{closed_team.alex.id}", f"g:{closed_team.morgan.id}"
        # This week to Wednesday against last Monday to Wednesday: alex won W1, lost
        # L1 (1 of 2: 50%) against L0 lost (0 of 1: 0%).
        assert deal_cell(app, alex, "win_rate") == "50% ▲50pt"
        assert deal_cell(app, alex, "won_count") == "1 new"
        assert deal_cell(app, alex, "lost_count") == "1 ="
        assert deal_cell(app, alex, "average_won") == "$10k new"
        assert deal_cell(app, alex, "average_cycle_days") == "10.0d new"
        assert deal_cell(app, alex, "lost_value") == "$5k ▲400%"
        # morgan (a manager with a deal closed) has a row: W2 won after 4 days.
        assert deal_cell(app, morgan, "win_rate") == "100% new"
        # Everyone: won W1 W2 of W1 L1 W2 (2 of 3); average (10,000 + 2,000) / 2; cycle (10 + 4) / 2.
        assert deal_cell(app, "total", "win_rate") == "67% ▲67pt"
        assert deal_cell(app, "total", "average_won") == "$6k new"
        assert deal_cell(app, "total", "average_cycle_days") == "7.0d new"
        assert "Everyone" in deal_cell(app, "total", "group")
        # The rates and averages are on screen at 80 columns, beside the names.
        screenshot = app.export_screenshot()
        for header in ("Win%", "Won#", "Lost#", "Avg won", "Cycle"):
            assert header.replace(" ", "&#160;") in screenshot, header
        # The pipeline and forecast below follow the rep row the cursor is on.
        await pilot.press("down")
        await panels_for(screen, pilot, "Alex Kim")
        assert "Forecast · Alex Kim" in shown(screen.query_one("#forecast"))
        assert "Activity pipeline · Alex Kim" in shown(screen.query_one("#pipeline"))
        await pilot.press("d")
        await settle(app, pilot)
        assert activity.display and not deals.display and activity.has_focus
        assert screen.title == "Numbers"


async def test_b_groups_the_deal_figures_by_team_then_territory_then_rep(closed_team):
    app = LegworkApp(closed_team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_deal_figures(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert screen.title == "Numbers · deals closed, by team · win% by count"
        table = screen.query_one(DealNumbersTable)
        assert str(table.ordered_columns[0].label) == "Team"
        # North is alex: 50%; morgan has no team: 100%.
        assert deal_cell(app, f"g:{closed_team.north_id}", "win_rate") == "50% ▲50pt"
        assert "No team" in deal_cell(app, "g:", "group")
        assert deal_cell(app, "g:", "win_rate") == "100% new"
        await pilot.press("b")
        await settle(app, pilot)
        assert screen.title == "Numbers · deals closed, by territory · win% by count"
        # APAC: W2 won, L1 lost (50%); EMEA: W1 won (100%) against L0 lost last week (0%).
        assert deal_cell(app, "g:APAC", "win_rate") == "50% new"
        assert deal_cell(app, "g:EMEA", "win_rate") == "100% ▲100pt"
        assert table.row_count == 3  # Everyone, APAC, EMEA
        await pilot.press("b")
        await settle(app, pilot)
        assert screen.title == "Numbers · deals closed, by rep · win% by count"
        # enter on a rep's row of the deal figures drills into that rep.
        await pilot.press("down")
        await settle(app, pilot)
        assert table.selected_rep == (True, closed_team.alex.id)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RepNumbersScreen)
        assert (app.screen.rep_id, app.screen.rep_name) == (closed_team.alex.id, "Alex Kim")
        await pilot.press("escape")
        await settle(app, pilot)
        # Grouped by team, enter says how to drill instead.
        await pilot.press("b", "enter")
        await settle(app, pilot)
        assert app.screen is screen


async def test_b_from_the_activity_figures_shows_the_deal_figures_grouped(closed_team):
    app = LegworkApp(closed_team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("b")
        await settle(app, pilot)
        assert screen.grouping == "team" and screen.title == "Numbers · deals closed, by team · win% by count"
        assert screen.query_one(DealNumbersTable).display and not screen.query_one(NumbersTable).display
        assert "North" in deal_cell(app, f"g:{closed_team.north_id}", "group")


async def test_J_goes_to_a_period_named_by_date(closed_team):
    app = LegworkApp(closed_team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_deal_figures(app, pilot)
        await pilot.press("J")
        await settle(app, pilot)
        assert isinstance(app.screen, PeriodJumpScreen)
        # An unknown form is refused in one line naming the forms; the form stays open.
        await pilot.press(*"2017", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PeriodJumpScreen)
        error = str(app.screen.query_one("#form-error").content)
        assert error.startswith("unknown period '2017'") and "2017-Q4, 2017-03, 2017-W05" in error
        # December has not begun.
        await pilot.press(*["backspace"] * 4, *"2026-12", "enter")
        await settle(app, pilot)
        assert "December 2026: it has not begun" in str(app.screen.query_one("#form-error").content)
        await pilot.press(*["backspace"] * 7, *"2026-Q3", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        # Q3 is past: shown whole against the whole of Q2.
        assert "Q3 2026" in bar(screen) and "1 Jul – 30 Sep 2026" in bar(screen)
        assert "vs 1 Apr – 30 Jun 2026" in bar(screen) and "now" not in bar(screen)
        assert (screen.kind, screen.period_offset) == ("quarter", -1)
        # Q3: alex won W3 (30 days), lost L3; nothing closed in Q2.
        alex = f"g:{closed_team.alex.id}"
        assert deal_cell(app, alex, "win_rate") == "50% new"
        assert deal_cell(app, alex, "average_cycle_days") == "30.0d new"
        assert deal_cell(app, alex, "won_value") == "$7k new"
        # ] steps on from there, to the quarter under way.
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert "Q4 2026" in bar(screen) and "now" in bar(screen)
        # A week by its ISO number; escape leaves the period as it was.
        await pilot.press("J")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Q4 2026" in bar(screen)
        await pilot.press("J")
        await settle(app, pilot)
        await pilot.press(*"2026-W46", "enter")
        await settle(app, pilot)
        assert "Week of 9 Nov 2026" in bar(screen)
        assert (screen.kind, screen.period_offset) == ("week", -1)


# --- legwork numbers -------------------------------------------------------------------------


def test_legwork_numbers_for_a_quarter_by_territory_as_json(closed_team, capsys):
    status = legwork(["--db", closed_team.db.url, "numbers", "--period", "2026-Q3", "--by", "territory", "--json"])
    assert status == 0
    data = json.loads(capsys.readouterr().out)
    assert data["period"]["label"] == "Q3 2026" and data["previous"]["label"] == "Q2 2026"
    deals = data["deal_figures"]
    assert deals["by"] == "territory"
    rows = {row["name"]: row for row in deals["rows"]}
    assert list(rows) == ["Everyone", "EMEA"]
    emea = rows["EMEA"]["figures"]
    # W3 won (7,000 after 30 days), L3 lost (3,000).
    assert emea == {"won_count": 1, "won_value": 7_000_00, "lost_count": 1, "lost_value": 3_000_00,
                    "closed_count": 2, "win_rate_pct": 50.0, "average_won": 7_000_00,
                    "average_cycle_days": 30.0, "cycle_deals": 1}
    assert rows["EMEA"]["previous"]["win_rate_pct"] is None  # nothing closed in Q2


def test_legwork_numbers_for_a_team_as_text(closed_team, capsys):
    status = legwork(["--db", closed_team.db.url, "numbers", "--team", "north", "--period", "month"])
    assert status == 0
    out = capsys.readouterr().out
    assert "· team North" in out.splitlines()[0]
    activity = out.split("Activity pipeline")[0]
    assert "Alex Kim" in activity and "Morgan Blake" not in activity  # morgan is on no team
    deals = out.split("Deals closed by rep · North")[1]
    # November to the 18th: alex won W1, lost L1 and L0 (1 of 3).
    alex = next(line for line in deals.splitlines() if line.startswith("Alex Kim"))
    assert alex.split()[2] == "33%"
    assert "Morgan Blake" not in deals


def test_legwork_numbers_narrowed_to_a_territory(closed_team, capsys):
    status = legwork(["--db", closed_team.db.url, "numbers", "--territory", "apac", "--json"])
    assert status == 0
    deals = json.loads(capsys.readouterr().out)["deal_figures"]
    assert deals["territory"] == "APAC"
    total = deals["rows"][0]
    # This week in APAC: W2 won, L1 lost.
    assert (total["name"], total["figures"]["won_count"], total["figures"]["lost_count"]) == ("APAC", 1, 1)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--period", "2017"], "unknown period '2017': a period is week, month or quarter (this one), or one named "
                               "by date: 2017-Q4, 2017-03, 2017-W05 (ISO week)"),
        (["--period", "2026-12"], "no numbers for December 2026: it has not begun"),
        (["--period", "2026-Q4", "--offset", "1"], "no numbers for Q1 2027: it has not begun"),
        (["--team", "South"], "no team called 'South' (teams: North)"),
        # build_team's Acme is in North America.
        (["--territory", "Mars"], "no deals in territory 'Mars' (territories: APAC, EMEA, North America)"),
    ],
)
def test_legwork_numbers_refuses_in_one_line(closed_team, capsys, args, message):
    assert legwork(["--db", closed_team.db.url, "numbers", *args]) == 1
    err = capsys.readouterr().err
    assert err == f"legwork: {message}\n"


def test_legwork_numbers_by_iso_week(closed_team, capsys):
    assert legwork(["--db", closed_team.db.url, "numbers", "--period", "2026-W46", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["period"]["start"], data["period"]["end"]) == ("2026-11-09", "2026-11-15")
    total = data["deal_figures"]["rows"][0]["figures"]
    assert (total["won_count"], total["lost_count"], total["win_rate_pct"]) == (0, 1, 0.0)  # L0


def test_legwork_numbers_for_one_rep_keeps_their_deal_row_and_the_total(closed_team, capsys):
    assert legwork(["--db", closed_team.db.url, "numbers", "--rep", "alex", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["deal_figures"]["rows"]
    assert [(r["name"], r["handle"], r["total"]) for r in rows] == [("Everyone", None, True),
                                                                   ("Alex Kim", "alex", False)]
    # This week: alex won W1, lost L1; everyone also won W2 (morgan's).
    assert rows[1]["figures"]["win_rate_pct"] == 50.0 and rows[0]["figures"]["win_rate_pct"] == 66.7


async def test_a_territory_holding_control_characters_is_shown_not_obeyed(closed_team, capsys):
    # Older data (the store refuses such text now): a territory with an OSC title sequence.
    hostile = "\x1b]0;pwned\x07EMEA"
    with closed_team.db.session() as s:
        for deal in s.exec(select(Deal).where(Deal.territory == "EMEA")):
            deal.territory = hostile
            s.add(deal)
        s.commit()
    app = LegworkApp(closed_team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        await pilot.press("b", "b")
        await settle(app, pilot)
        assert deal_cell(app, f"g:{hostile}", "group") == "␛]0;pwned␇EMEA"
    assert legwork(["--db", closed_team.db.url, "numbers", "--by", "territory"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "␛]0;pwned␇EMEA" in out
