"""`u` undoes the rep's own last change, wherever it was made; never someone's older work."""

from __future__ import annotations

import pendulum

from store import activities, deals, tasks
from tests.tui.conftest import settle, toasts
from tui.screens.board import BoardScreen
from tui.screens.today import TodayScreen

YESTERDAY = pendulum.now("UTC").subtract(days=1)


def logged_calls(team) -> dict[int, int]:
    with team.db.session() as s:
        return {d.id: len(activities.deal_activities(s, d.id)) for d in (team.acme, team.globex)}


def yesterdays_calls(team) -> None:
    """Alex called about both deals yesterday: whichever card is the neighbour has one."""
    with team.db.session() as s:
        for deal in (team.acme, team.globex):
            activities.log_activity(s, deal.id, "call", by=team.alex.id, occurred_at=YESTERDAY)


async def test_u_after_w_on_the_board_undoes_the_win_not_the_neighbours_activity(app, team):
    yesterdays_calls(team)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        won = app.screen.selected_card()
        await pilot.press("w")
        await settle(app, pilot)
        assert app.screen.selected_card().id != won.id  # the card left; focus is on a neighbour

        await pilot.press("u")
        await settle(app, pilot)

        with team.db.session() as s:
            back = deals.get_deal(s, won.id)
        assert back.is_open and back.stage_name == "Qualified"
        assert logged_calls(team) == {team.acme.id: 1, team.globex.id: 1}
        money = "$12,000" if won.id == team.acme.id else "$5,000"
        assert f"Undid: won “{won.title}” ({money}) — back in Qualified" in toasts(app)
        assert app.screen.selected_card().id == won.id  # back on the board, under the cursor

        # Nothing else of Alex's in this session: yesterday's calls stay.
        await pilot.press("u")
        await settle(app, pilot)
        assert logged_calls(team) == {team.acme.id: 1, team.globex.id: 1}
        assert toasts(app)[-1].startswith("Nothing of yours to undo")
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("L")  # the screen still takes writes
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, app.screen.selected_card().id).stage_name == "Needs analysis"


async def test_u_is_refused_when_someone_else_changed_the_deal_since(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        moved = app.screen.selected_card()
        await pilot.press("L")
        await settle(app, pilot)
        with team.db.session() as s:
            current = deals.get_deal(s, moved.id)
            deals.move_deal(s, moved.id, 1, version=current.version, by=team.morgan.id)
        await pilot.press("u")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, moved.id).stage_name == "Proposal"  # Morgan's move kept
        assert toasts(app)[-1].startswith(f"Not undone: Morgan Blake changed “{moved.title}”")


async def test_u_on_today_reopens_the_task_just_done(app, team):
    with team.db.session() as s:
        task = tasks.add_task(s, team.globex.id, "Email the pricing sheet", pendulum.today("UTC").date(), by=team.alex.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("escape")  # log nothing
        await settle(app, pilot)
        with team.db.session() as s:
            assert not tasks.get_task(s, task.id).is_open

        await pilot.press("u")
        await settle(app, pilot)

        with team.db.session() as s:
            assert tasks.get_task(s, task.id).is_open
        assert "Undid: done “Email the pricing sheet” on “Globex renewal” — open again" in toasts(app)
