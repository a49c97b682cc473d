"""The pickers move with the keys the rest of Legwork moves with: j k g G."""

from __future__ import annotations

from store import deals, today
from tests.tui.conftest import settle
from tui.screens.modals.lost_reason import LostReasonScreen
from tui.screens.modals.rep_picker import RepPickerScreen
from textual.widgets import OptionList


async def test_j_k_g_G_move_through_the_lost_reasons(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")  # Globex: no open tasks, so no follow-up question
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, LostReasonScreen)
        reasons = app.screen.query_one(OptionList)
        await pilot.press("j", "j")
        assert reasons.highlighted == 2
        await pilot.press("k")
        assert reasons.highlighted == 1
        await pilot.press("G")
        assert reasons.highlighted == reasons.option_count - 1
        await pilot.press("g", "j", "enter", "enter")  # the second reason, no detail
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, team.globex.id).lost_reason == "No budget"


async def test_j_k_g_G_move_through_the_reps(app, team):
    picked = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        with team.db.session() as s:
            reps = today.team_overdue(s)
        app.push_screen(RepPickerScreen(reps, team.alex.id), picked.append)
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        start = options.highlighted
        await pilot.press("G")
        assert options.highlighted == len(reps) - 1
        await pilot.press("g")
        assert options.highlighted == 0
        await pilot.press("j")
        assert options.highlighted == 1
        await pilot.press("k", "enter")
        await settle(app, pilot)
        assert picked == [reps[0].rep.id] and start is not None
