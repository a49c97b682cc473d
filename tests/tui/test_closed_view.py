"""Closed deals from the board (`C`), reopening them (`o`), and the lost flow's offer
to close the deal's open tasks; driven by key presses, asserted on the store and the
screen. The team is the small one of conftest, on a fixed Wednesday."""

from __future__ import annotations

import pendulum
import pytest

from store import deals, events, tasks, today
from store.stages import find_stage
from tests.tui.conftest import build_team, settle, stored
from tui.app import LegworkApp
from tui.screens.board import BoardScreen
from tui.screens.closed import ClosedDealsScreen
from tui.screens.deal import DealScreen
from tui.screens.modals.confirm import ConfirmScreen
from tui.screens.modals.reopen_stage import ReopenStageScreen
from tui.widgets.closed_list import ClosedList


@pytest.fixture
def team(wednesday, sqlite_db):
    return build_team(sqlite_db)


@pytest.fixture
def app(team):
    app = LegworkApp(team.db, "alex")
    app.team_acme_id = team.acme.id  # the deal the board's cursor starts on
    return app


def closed_lines(app) -> list[str]:
    rows = app.screen.query_one(ClosedList)
    return ["".join(s.text for s in rows.render_line(y)).rstrip() for y in range(rows.size.height)]


def close_history(team):
    """Acme lost from Proposal (reason "Price"), then Globex won."""
    with team.db.session() as s:
        acme = deals.move_to_stage(s, team.acme.id, find_stage(s, "opportunity", "Proposal").id,
                                   version=team.acme.version, by=team.alex.id)
        deals.mark_lost(s, acme.id, "Price", version=acme.version, by=team.alex.id)
        deals.mark_won(s, team.globex.id, version=team.globex.version, by=team.alex.id)


async def open_closed_view(app, pilot) -> ClosedDealsScreen:
    await settle(app, pilot)
    await pilot.press("C")
    await settle(app, pilot)
    assert isinstance(app.screen, ClosedDealsScreen)
    return app.screen


async def test_the_closed_view_lists_won_and_lost_newest_first_and_enter_opens_one(app, team):
    close_history(team)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_closed_view(app, pilot)
        lines = closed_lines(app)
        assert lines[0].split()[0] == "WON" and "Globex renewal" in lines[0] and "$5k" in lines[0]
        assert "today · Alex Kim" in lines[1]
        assert lines[2].split()[0] == "LOST" and "Acme fleet rollout" in lines[2] and "$12k" in lines[2]
        assert "Price" in lines[3] and "Acme" not in lines[3]  # the title already names the account
        assert "Won $5k (1) · Lost $12k (1)" in str(screen.query_one("#closed-summary").render())
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == team.acme.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen and screen.query_one(ClosedList).selected.id == team.acme.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)


async def test_o_reopens_where_it_was_and_the_board_shows_it_there(app, team):
    close_history(team)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closed_view(app, pilot)
        await pilot.press("j", "o")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, ReopenStageScreen)
        assert picker.choice.default.name == "Proposal"
        await pilot.press("enter")
        await settle(app, pilot)
        acme = stored(team, team.acme.id)
        assert acme.is_open and acme.stage_name == "Proposal" and acme.lost_reason is None
        with team.db.session() as s:
            last = events.history(s, team.acme.id)[-1]
        assert last.kind == events.REOPENED and last.rep_id == team.alex.id
        assert any("Reopened “Acme fleet rollout” in Proposal" in n.message for n in app._notifications)
        lines = closed_lines(app)
        assert "Globex renewal" in lines[0] and not any("Acme" in line for line in lines)
        await pilot.press("escape")
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert board._columns[acme.stage_id].column.count == 1


async def test_o_reopens_in_the_stage_picked_with_j_and_k(app, team):
    close_history(team)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closed_view(app, pilot)
        await pilot.press("o")  # Globex, won from Qualified
        await settle(app, pilot)
        await pilot.press("j", "j", "k", "enter")
        await settle(app, pilot)
        assert stored(team, team.globex.id).stage_name == "Needs analysis"


async def test_reopening_what_someone_else_changed_is_refused_and_named(app, team):
    close_history(team)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closed_view(app, pilot)
        # Morgan corrects Globex's value in another terminal after Alex's list loaded.
        with team.db.session() as s:
            globex = deals.get_deal(s, team.globex.id)
            deals.edit_deal(s, globex.id, deals.DealFields(value=650_000), version=globex.version, by=team.morgan.id)
        await pilot.press("o")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        globex = stored(team, team.globex.id)
        assert globex.stage_name == "Won" and globex.value == 650_000
        assert any("Morgan Blake" in n.message for n in app._notifications)
        assert isinstance(app.screen, ClosedDealsScreen)
        assert app.screen.query_one(ClosedList).selected.version == globex.version  # reloaded
        # Then Morgan reopens it: `o` says so and the list lets it go.
        with team.db.session() as s:
            deals.reopen(s, globex.id, version=globex.version, by=team.morgan.id)
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, ClosedDealsScreen)
        assert any("open already" in n.message for n in app._notifications)
        assert not any("Globex" in line for line in closed_lines(app))
        with team.db.session() as s:
            reopened = [e.rep_id for e in events.history(s, globex.id) if e.kind == events.REOPENED]
        assert reopened == [team.morgan.id]


async def test_a_disqualified_lead_is_in_the_leads_closed_view_and_reopens(app, team):
    with team.db.session() as s:
        deals.mark_lost(s, team.lead.id, "Not a fit", version=team.lead.version, by=team.alex.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await open_closed_view(app, pilot)
        lines = closed_lines(app)
        assert lines[0].split()[0] == "DISQUAL" and "Umbrella inbound" in lines[0] and "Not a fit" in lines[1]
        await pilot.press("o", "enter")
        await settle(app, pilot)
        lead = stored(team, team.lead.id)
        assert lead.is_open and lead.pipeline == "lead" and lead.stage_name == "New"


async def test_o_on_a_closed_deal_screen_reopens_it(app, team):
    close_history(team)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_closed_view(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        await pilot.press("o", "enter")
        await settle(app, pilot)
        assert stored(team, team.globex.id).stage_name == "Qualified"
        assert app.screen.check_action("reopen", ()) is False  # open again: nothing to reopen


# --- the lost flow and the deal's open tasks ----------------------------------------------------


def open_task_titles(team, deal_id) -> list[str]:
    with team.db.session() as s:
        return [t.title for t in tasks.deal_tasks(s, deal_id) if t.is_open]


def add_tasks(team):
    with team.db.session() as s:
        day = pendulum.today("UTC").date()
        tasks.add_task(s, team.acme.id, "Send the pricing", day, by=team.alex.id)
        tasks.add_task(s, team.acme.id, "Book the demo", day.add(days=2), by=team.alex.id)


async def lose_acme(app, pilot) -> None:
    await settle(app, pilot)
    assert app.screen.selected_card().id == app.team_acme_id
    await pilot.press("x")
    await settle(app, pilot)
    await pilot.press("enter", "enter")  # the first reason, no detail
    await settle(app, pilot)


async def test_losing_a_deal_offers_to_close_its_tasks_and_y_takes_them_out_of_today(app, team):
    add_tasks(team)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.selected_card().id == team.acme.id
        await lose_acme(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Close its 3 open tasks too?" in str(app.screen.query_one("#question").render())
        assert stored(team, team.acme.id).is_open  # nothing written until answered
        await pilot.press("y")
        await settle(app, pilot)
        assert stored(team, team.acme.id).stage_name == "Lost"
        assert open_task_titles(team, team.acme.id) == []
        with team.db.session() as s:
            queue = today.today_queue(s, team.alex)
            closing = [e for e in events.history(s, team.acme.id) if e.kind == events.TASK_DONE]
        assert all(t.deal_id != team.acme.id for t in queue.tasks)
        assert len(closing) == 3 and all(e.data.get("with_deal") for e in closing)
        assert any("closed its 3 open tasks" in n.message for n in app._notifications)


async def test_n_keeps_the_tasks_and_escape_keeps_the_deal(app, team):
    add_tasks(team)
    async with app.run_test(size=(80, 24)) as pilot:
        await lose_acme(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen) and stored(team, team.acme.id).is_open
        await lose_acme(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert stored(team, team.acme.id).stage_name == "Lost"
        assert len(open_task_titles(team, team.acme.id)) == 3


async def test_a_deal_without_open_tasks_is_lost_without_asking(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")  # Globex: no tasks
        await settle(app, pilot)
        assert app.screen.selected_card().id == team.globex.id
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        assert stored(team, team.globex.id).stage_name == "Lost"


class TestClosedViewSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_closed_view(self, snap_compare, team, size):
        close_history(team)

        async def closed_view(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("C")
            await settle(pilot.app, pilot)

        assert snap_compare(LegworkApp(team.db, "alex"), terminal_size=size, run_before=closed_view)
