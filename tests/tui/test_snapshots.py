"""What the boards look like, at 80×24 and 120×40, on a fixed day."""

from __future__ import annotations

import pendulum
import pytest

from tests.tui.conftest import WEDNESDAY, build_team, settle
from tui.app import LegworkApp

# A Wednesday morning; the clock ticks from here so Textual's timers still run.
DAY = WEDNESDAY


@pytest.fixture
def fixed_team(wednesday, sqlite_db):
    return build_team(sqlite_db)


async def _loaded(pilot) -> None:
    await settle(pilot.app, pilot)


class TestBoardSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_opportunity_board(self, snap_compare, fixed_team, size):
        with pendulum.travel_to(DAY, freeze=False):
            assert snap_compare(LegworkApp(fixed_team.db, "alex"), terminal_size=size, run_before=_loaded)

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_team_leads_board(self, snap_compare, fixed_team, size):
        """A manager's leads board starts on the whole team."""

        async def leads(pilot):
            await _loaded(pilot)
            await pilot.press("1")
            await _loaded(pilot)

        with pendulum.travel_to(DAY, freeze=False):
            assert snap_compare(LegworkApp(fixed_team.db, "morgan"), terminal_size=size, run_before=leads)

    def test_deal_form(self, snap_compare, fixed_team):
        async def form(pilot):
            await _loaded(pilot)
            await pilot.press("e")
            await pilot.pause()

        with pendulum.travel_to(DAY, freeze=False):
            assert snap_compare(LegworkApp(fixed_team.db, "alex"), terminal_size=(80, 24), run_before=form)
