"""The numbers screen (`4`), its drill-down and the goals form, driven by keys;
snapshots at 80×24 and 120×40; and ``legwork numbers --json``.

The clock starts at Wednesday 18 November 2026, 09:00 UTC and ticks on (so
Textual's timers run); the team's timezone is UTC.
"""

from __future__ import annotations

import io
import json

import pendulum
import pytest
from textual.widgets import DataTable

from store import activities, deals, goals
from store.deals import DealFields
from tests.tui.conftest import build_team, settle, wait_until
from tui.app import LegworkApp
from tui.cli import main as legwork
from tui.screens.modals.goals_form import GoalsFormScreen
from tui.screens.numbers import NumbersScreen
from tui.screens.rep_numbers import RepNumbersScreen
from tui.widgets.numbers_table import PAD, NumbersTable

pytestmark = pytest.mark.usefixtures("wednesday")  # every test here runs on Wednesday morning


def moment(*args):
    return pendulum.datetime(*args, tz="UTC")


@pytest.fixture
def busy_team(sqlite_db):
    """build_team's Alex (rep) and Morgan (manager), with work this week and last.

    Alex: this week 3 calls and a rapport meeting; last week 2 calls.
    Morgan: this week a discovery meeting; last week none. Acme slipped out of November.
    """
    team = build_team(sqlite_db)
    with sqlite_db.session() as s:
        for when in (moment(2026, 11, 16, 10), moment(2026, 11, 17, 10), moment(2026, 11, 18, 8)):
            activities.log_activity(s, team.acme.id, "call", by=team.alex.id, occurred_at=when)
        activities.log_activity(s, team.acme.id, "meeting", by=team.alex.id, occurred_at=moment(2026, 11, 17, 15),
                                milestone="rapport")
        for when in (moment(2026, 11, 10, 10), moment(2026, 11, 12, 10)):
            activities.log_activity(s, team.globex.id, "call", by=team.alex.id, occurred_at=when)
        activities.log_activity(s, team.initech.id, "meeting", by=team.morgan.id,
                                occurred_at=moment(2026, 11, 16, 14), milestone="discovery")
        acme = deals.get_deal(s, team.acme.id)
        deals.edit_deal(s, acme.id, DealFields(expected_close=pendulum.date(2027, 1, 20)), version=acme.version,
                        by=team.alex.id)
    return team


def numbers_screen(app) -> NumbersScreen:
    screen = app.screen
    assert isinstance(screen, NumbersScreen), screen
    return screen


def plain(static) -> str:
    """What a Static holding a Rich renderable says, as plain text."""
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(static.content)
    return console.export_text()


def cell(app, rep_key: str, column: str) -> str:
    table = app.screen.query_one(NumbersTable)
    return str(table.get_cell(rep_key, column)).replace(PAD, " ").strip()


async def panels_for(screen, pilot, name: str) -> None:
    """Wait for the lower panels to describe ``name``: they load a moment after the
    cursor settles (a timer), which no worker wait covers on a loaded machine."""
    await wait_until(
        pilot,
        lambda: f"· {name}" in plain(screen.query_one("#pipeline")) and f"· {name}" in plain(screen.query_one("#forecast")),
        what=f"the activity pipeline and forecast of {name}",
    )


async def open_numbers(app, pilot) -> NumbersScreen:
    await settle(app, pilot)
    await pilot.press("4")
    await settle(app, pilot)
    return numbers_screen(app)


async def test_numbers_open_on_this_week_with_my_row_selected(busy_team):
    app = LegworkApp(busy_team.db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_numbers(app, pilot)
        assert screen.data.period.label == "Week of 16 Nov 2026"
        alex = str(busy_team.alex.id)
        # Alex: 4 this week (to Wednesday) against 1 last Monday to Wednesday (the call
        # on Thursday 12 Nov is past the days compared).
        assert cell(app, alex, "activities") == "4 ▲300%"
        assert cell(app, alex, "activity:call") == "3 ▲200%"
        assert cell(app, alex, "milestone:rapport") == "1 new"
        assert cell(app, "team", "activities") == "5 ▲400%"
        bar = plain(screen.query_one("#period-bar"))
        assert "16–18 Nov 2026 · now  vs 9–11 Nov 2026 (same days)" in bar
        table = screen.query_one(NumbersTable)
        assert table.selected_rep == (True, busy_team.alex.id)
        assert "▸ Alex Kim" in cell(app, alex, "rep")
        # The lower panels describe the selected row.
        await panels_for(screen, pilot, "Alex Kim")
        pipeline = plain(screen.query_one("#pipeline"))
        assert "Activity pipeline · Alex Kim" in pipeline
        # Acme reached rapport; Globex has no milestone: one open deal at each.
        assert [line.split()[:2] for line in pipeline.splitlines()[2:4]] == [["no", "milestone"], ["nurture", "0"]]
        forecast = plain(screen.query_one("#forecast"))
        assert "Forecast · Alex Kim" in forecast
        # Moving to the team row redraws the panels for the team.
        await pilot.press("up", "up", "up")
        await settle(app, pilot)
        assert table.selected_rep == (True, None)
        await panels_for(screen, pilot, "Team")
        assert "Activity pipeline · Team" in plain(screen.query_one("#pipeline"))


async def test_period_navigation(busy_team):
    app = LegworkApp(busy_team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_numbers(app, pilot)
        alex = str(busy_team.alex.id)
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert screen.data.period.label == "Week of 9 Nov 2026"
        assert cell(app, alex, "activities") == "2 new"  # nothing the week before
        assert "9–15 Nov 2026  vs 2–8 Nov 2026" in plain(screen.query_one("#period-bar"))  # past weeks: whole
        await pilot.press("full_stop")
        await settle(app, pilot)
        assert screen.data.period.label == "Week of 16 Nov 2026"
        await pilot.press("p")
        await settle(app, pilot)
        assert screen.data.period.label == "November 2026"
        assert cell(app, alex, "activities") == "6 new"
        await pilot.press("p")
        await settle(app, pilot)
        assert screen.data.period.label == "Q4 2026"
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert screen.data.period.label == "Q3 2026"
        await pilot.press("p")
        await settle(app, pilot)
        assert screen.data.period.label == "Week of 16 Nov 2026"  # a new kind starts at the current period


async def test_next_period_stops_at_the_current_one(busy_team):
    app = LegworkApp(busy_team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_numbers(app, pilot)
        assert screen.check_action("shift_period", (1,)) is None  # greyed in the footer
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(app, pilot)
        assert screen.period_offset == 0 and screen.data.period.label == "Week of 16 Nov 2026"
        await pilot.press("left_square_bracket", "right_square_bracket", "right_square_bracket")
        await settle(app, pilot)
        assert screen.period_offset == 0 and screen.data.period.label == "Week of 16 Nov 2026"
        await pilot.press("p", "right_square_bracket")
        await settle(app, pilot)
        assert screen.data.period.label == "November 2026"
        assert "1–18 Nov 2026 · now  vs 1–18 Oct 2026 (same days)" in plain(screen.query_one("#period-bar"))


def test_legwork_numbers_refuses_a_future_or_impossible_offset(busy_team, capsys):
    for offset, message in (("1", "no numbers for a future week"), ("99999999", "no numbers for a future week"),
                            ("-99999999", "before the calendar begins")):
        assert legwork(["--db", busy_team.db.url, "numbers", "--offset", offset]) == 1
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err


class ClosedPipe(io.RawIOBase):
    """The write end of a pipe whose reader (``head -2``) has gone."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("command", [["numbers"], ["numbers", "--json"], ["standup"], ["today"]])
def test_a_reader_closing_the_pipe_ends_any_command_quietly(busy_team, capsys, monkeypatch, command):
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(io.BufferedWriter(ClosedPipe())))
    assert legwork(["--db", busy_team.db.url, "--rep", "alex", *command]) == 141
    assert capsys.readouterr().err == ""


async def test_drill_down_into_a_rep_and_back(busy_team):
    app = LegworkApp(busy_team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_numbers(app, pilot)
        await pilot.press("p")  # the month: the weeks of November
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        drill = app.screen
        assert isinstance(drill, RepNumbersScreen)
        assert drill.rep_id == busy_team.alex.id
        weeks = [w.week.start.isoformat() for w in drill.data.weeks]
        assert weeks == ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"]
        assert [w.figures["activities"] for w in drill.data.weeks] == [0, 0, 2, 4]
        # Alex touched Acme (this week) and Globex (last week), Acme last.
        assert [d.title for d in drill.data.deals] == ["Acme fleet rollout", "Globex renewal"]
        await pilot.press("enter")  # from the weeks to the deals
        await pilot.press("enter")  # open Acme's timeline
        await settle(app, pilot)
        from tui.screens.deal import DealScreen

        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == busy_team.acme.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, RepNumbersScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)


async def test_a_manager_sets_goals_and_the_table_shows_progress(busy_team):
    app = LegworkApp(busy_team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_numbers(app, pilot)
        table = screen.query_one(NumbersTable)
        table.move_to(str(busy_team.alex.id))
        await pilot.press("g")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, GoalsFormScreen) and form.rep_id == busy_team.alex.id
        assert form.period_kind == "week"
        await pilot.press("tab")  # Activities → Calls
        await pilot.press(*"25")
        for _ in range(7):  # Calls → … → 1st meetings (rapport)
            await pilot.press("tab")
        await pilot.press("6")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        with busy_team.db.session() as s:
            assert goals.rep_goals(s, busy_team.alex.id, "week") == {"activity:call": 25, "milestone:rapport": 6}
        alex = str(busy_team.alex.id)
        assert cell(app, alex, "activity:call") == "3/25 ▲200%"
        assert cell(app, alex, "milestone:rapport") == "1/6 new"
        # Alex is the only rep (Morgan manages): his goals are the team's.
        assert cell(app, "team", "activity:call") == "3/25 ▲200%"


async def test_the_goals_form_refuses_what_is_not_a_number(busy_team):
    app = LegworkApp(busy_team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_numbers(app, pilot)
        screen.query_one(NumbersTable).move_to(str(busy_team.alex.id))
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press(*"lots", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, GoalsFormScreen)
        assert "not a whole number" in str(app.screen.query_one("#goal-activities-error").render())
        await pilot.press("escape")
        await settle(app, pilot)
        with busy_team.db.session() as s:
            assert goals.rep_goals(s, busy_team.alex.id, "week") == {}


async def test_a_rep_does_not_set_goals(busy_team):
    app = LegworkApp(busy_team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_numbers(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)


async def test_names_are_shown_as_typed(sqlite_db):
    team = build_team(sqlite_db)
    with sqlite_db.session() as s:
        from store import reps

        reps.create_rep(s, "mark", "[bold]Mark[/bold] [@click=app.quit]Up", by=team.morgan.id)
    app = LegworkApp(sqlite_db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_numbers(app, pilot)
        names = [r.name for r in screen.data.reps]
        assert "[bold]Mark[/bold] [@click=app.quit]Up" in names
        mark = next(r for r in screen.data.reps if r.name.startswith("[bold]"))
        assert "[bold]Mark[/bold] [@click=app.quit]Up" in cell(app, str(mark.rep_id), "rep")
    assert team


async def test_leads_board_toggles_to_milestones(busy_team):
    app = LegworkApp(busy_team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        await pilot.press("v")
        await settle(app, pilot)
        view = app.screen.query_one("#milestones")
        assert view.display and not app.screen.query_one("#columns").display
        text = plain(view.query_one("#milestone-table"))
        assert "Milestones · your leads" in text and "no milestone" in text
        await pilot.press("v")
        await settle(app, pilot)
        assert not view.display and app.screen.query_one("#columns").display


# --- the command line ----------------------------------------------------------------------------


def test_legwork_numbers_json(busy_team, capsys):
    with busy_team.db.session() as s:
        goals.set_goals(s, busy_team.alex.id, "week", {"activity:call": 25}, by=busy_team.morgan.id)
    status = legwork(["--db", busy_team.db.url, "--rep", "alex", "numbers", "--json"])
    assert status == 0
    data = json.loads(capsys.readouterr().out)
    # This week to Wednesday against last Monday to Wednesday.
    assert data["period"] == {"kind": "week", "label": "Week of 16 Nov 2026", "start": "2026-11-16",
                              "end": "2026-11-18", "last_day": "2026-11-22", "timezone": "UTC"}
    assert (data["previous"]["start"], data["previous"]["end"]) == ("2026-11-09", "2026-11-11")
    assert data["team"]["figures"]["activities"] == {"value": 5, "previous": 1, "change_pct": 400.0}
    alex = next(r for r in data["reps"] if r["handle"] == "alex")
    assert alex["figures"]["activity:call"] == {"value": 3, "previous": 1, "change_pct": 200.0}
    assert alex["figures"]["milestone:rapport"] == {"value": 1, "previous": 0, "change_pct": None}
    assert alex["goals"] == {"activity:call": 25}
    assert len(alex["sparkline"]) == 12 and alex["sparkline"][-2:] == [2, 4]
    assert [s["milestone"] for s in data["activity_pipeline"]][:2] == [None, "nurture"]
    assert data["forecast"]["this"]["period"]["label"] == "Week of 16 Nov 2026"


def test_legwork_numbers_for_one_rep_as_text(busy_team, capsys):
    status = legwork(["--db", busy_team.db.url, "--rep", "morgan", "numbers", "--period", "month", "--rep", "alex"])
    assert status == 0
    out = capsys.readouterr().out
    assert out.startswith("November 2026 (1–18 Nov 2026, UTC) vs 1–18 Oct 2026")
    lines = out.splitlines()
    assert any(line.startswith("Team") for line in lines)
    assert any(line.startswith("Alex Kim") for line in lines)
    assert not any(line.startswith("Morgan Blake") for line in lines)
    # Acme's close date moved from 8 Dec to 20 Jan: it slipped out of December, the next month.
    assert "↷ Acme fleet rollout (Alex Kim): 2026-12-08 → 2027-01-20" in out


def test_legwork_numbers_unknown_rep(busy_team, capsys):
    assert legwork(["--db", busy_team.db.url, "numbers", "--rep", "nobody"]) == 1
    assert "no rep with handle 'nobody'" in capsys.readouterr().err


# --- snapshots -----------------------------------------------------------------------------------


class TestNumbersSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_numbers_screen(self, snap_compare, busy_team, size):
        async def numbers(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("4")
            await settle(pilot.app, pilot)
            # The lower panels load a moment after the cursor settles.
            await wait_until(pilot, lambda: pilot.app.screen.scope_shown is not None, what="the activity pipeline and forecast")
            await settle(pilot.app, pilot)

        assert snap_compare(LegworkApp(busy_team.db, "alex"), terminal_size=size, run_before=numbers)

    def test_drill_down(self, snap_compare, busy_team):
        async def drill(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("4")
            await settle(pilot.app, pilot)
            await pilot.press("enter")
            await settle(pilot.app, pilot)
            # Wait for what the picture shows, not for a guessed time: under load the
            # drill-down's data and its tables' column sizing can land late.
            await wait_until(
                pilot, lambda: "loading" not in str(pilot.app.screen.query_one("#touched-title").render()),
                what="the drill-down's deals",
            )
            # A DataTable sizes its columns when its message queue is idle, which
            # comes late on a loaded machine: wait until both tables have done so.
            tables = list(pilot.app.screen.query(DataTable))
            await wait_until(
                pilot, lambda: not any(t._require_update_dimensions or t._new_rows or t._updated_cells for t in tables),
                what="the drill-down's tables to size their columns",
            )
            await settle(pilot.app, pilot)
            await pilot.wait_for_scheduled_animations()

        assert snap_compare(LegworkApp(busy_team.db, "alex"), terminal_size=(80, 24), run_before=drill)

    def test_goals_form(self, snap_compare, busy_team):
        async def form(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("4")
            await settle(pilot.app, pilot)
            pilot.app.screen.query_one(NumbersTable).move_to(str(busy_team.alex.id))
            await pilot.press("g")
            await settle(pilot.app, pilot)

        assert snap_compare(LegworkApp(busy_team.db, "morgan"), terminal_size=(80, 24), run_before=form)



def screen_lines(app) -> list[str]:
    return [strip.text.replace(PAD, " ") for strip in app.screen._compositor.render_strips()]


def cells_missing(table: NumbersTable, lines: list[str]) -> list[tuple[str, str]]:
    """(cell, line) for every cell of the table whose whole text is not on its row's line."""
    missing = []
    for row_key in table.rows:
        cells = [str(c).replace(PAD, " ").strip() for c in table.get_row(row_key)]
        line = next((ln for ln in lines if cells[0] in ln), "")
        missing += [(text, line) for text in cells if text not in line]
    return missing


def drawn_at_once(monkeypatch) -> list:
    """Every time the table is filled, the lines it would draw right then, before
    it next idles: a frame can be painted at that moment when answers arrive late."""
    drawn = []
    show = NumbersTable.show

    def show_and_draw(table, *args, **kwargs):
        show(table, *args, **kwargs)
        lines = [table.render_line(y).text.replace(PAD, " ") for y in range(table.row_count + 1)]
        drawn.append(cells_missing(table, lines))

    monkeypatch.setattr(NumbersTable, "show", show_and_draw)
    return drawn


async def test_quick_period_keys_keep_every_cell_whole(busy_team, monkeypatch):
    drawn = drawn_at_once(monkeypatch)
    app = LegworkApp(busy_team.db, "alex")
    async with app.run_test(size=(220, 30)) as pilot:
        screen = await open_numbers(app, pilot)
        table = screen.query_one(NumbersTable)
        assert table.row_count and not cells_missing(table, screen_lines(app))
        # Keys as fast as a user taps them: answers for periods already left arrive late.
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        assert screen.data.period.label == "Week of 26 Oct 2026"
        assert not cells_missing(table, screen_lines(app))
        await pilot.press("p", "p", "p")
        await settle(app, pilot)
        assert screen.data.period.label == "Week of 16 Nov 2026"
        assert not cells_missing(table, screen_lines(app))
    assert len(drawn) >= 4 and drawn == [[]] * len(drawn)


async def test_the_live_refresh_keeps_every_cell_whole(busy_team, monkeypatch):
    drawn = drawn_at_once(monkeypatch)
    app = LegworkApp(busy_team.db, "alex")
    async with app.run_test(size=(220, 30)) as pilot:
        screen = await open_numbers(app, pilot)
        with busy_team.db.session() as s:
            for _ in range(12):
                activities.log_activity(s, busy_team.acme.id, "email", by=busy_team.alex.id,
                                        occurred_at=moment(2026, 11, 18, 8, 30))
        drawn.clear()
        screen._check_for_changes()  # what the 30 s timer does
        await settle(app, pilot)
        assert cell(app, str(busy_team.alex.id), "activity:email") == "12 new"
        assert not cells_missing(screen.query_one(NumbersTable), screen_lines(app))
    assert len(drawn) >= 1 and drawn == [[]] * len(drawn)
