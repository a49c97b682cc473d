"""The stand-up (key 5), walked by key presses; assertions on the store and the page.

The team is built on Monday 16 November 2026; on Tuesday Alex moves Globex a
stage and wins Hooli. The meeting is Wednesday 18 November, 09:00 UTC (the clock
ticks from there so Textual's timers run), so the agenda looks back to Tuesday:

  1 / 3  Hooli      won and lost
  2 / 3  Globex     moved stage
  3 / 3  Initech    no next step (Morgan's; no task)
"""

from __future__ import annotations

import pendulum
import pytest

from store import activities, deals, goals, tasks
from store.deals import DealFields
from tests.tui.conftest import build_team, settle
from tui import cli
from tui.app import LegworkApp
from tui.screens.deal import DealScreen
from tui.screens.modals.lost_reason import LostReasonScreen
from tui.screens.modals.task_form import AddTaskScreen
from tui.screens.standup import StandupScreen

MONDAY = pendulum.datetime(2026, 11, 16, 9, tz="UTC")
TUESDAY = pendulum.datetime(2026, 11, 17, 10, tz="UTC")
WEDNESDAY = pendulum.datetime(2026, 11, 18, 9, tz="UTC")


def build_history(db):
    with pendulum.travel_to(MONDAY, freeze=True):
        team = build_team(db)
        with db.session() as s:
            hooli = deals.create_opportunity(s, DealFields(title="Hooli pilot", account="Hooli", value=250_000),
                                             by=team.alex.id)
    with pendulum.travel_to(TUESDAY, freeze=True), db.session() as s:
        deals.move_deal(s, team.globex.id, 1, version=team.globex.version, by=team.alex.id)
        deals.mark_won(s, hooli.id, version=hooli.version, by=team.alex.id)
        activities.log_activity(s, team.globex.id, "call", by=team.alex.id, outcome="Hank wants the pricing")
        goals.set_goals(s, team.alex.id, "week", {"activities": 20, "activity:call": 10}, by=team.morgan.id)
    return team


@pytest.fixture
def team(sqlite_db):
    # The history travels to its own moments; the meeting then starts on Wednesday.
    built = build_history(sqlite_db)
    with pendulum.travel_to(WEDNESDAY, freeze=False):
        yield built


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def open_standup(app, pilot) -> StandupScreen:
    await settle(app, pilot)
    await pilot.press("5")
    await settle(app, pilot)
    assert isinstance(app.screen, StandupScreen)
    return app.screen


async def test_walk_the_agenda(team):
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standup(app, pilot)
        assert screen.position_text() == "Numbers"
        assert [row.name for row in screen.agenda.numbers] == ["Alex Kim", "Morgan Blake", "Team"]
        seen = []
        for key in ("j", "space", "j", "j"):  # the last press stays on the last deal
            await pilot.press(key)
            seen.append((screen.position_text(), text_of(app, "#deal-title")))
        assert seen == [
            ("1 / 3", "Hooli pilot"), ("2 / 3", "Globex renewal"), ("3 / 3", "Initech expansion"),
            ("3 / 3", "Initech expansion"),
        ]
        assert "No next step" in text_of(app, "#standup-bar") and "3 / 3" in text_of(app, "#standup-bar")
        await pilot.press("k", "backspace")
        assert screen.position_text() == "1 / 3"
        assert "Won and lost" in text_of(app, "#standup-bar")
        assert "Won" in text_of(app, "#deal-body")


async def test_r_narrows_the_agenda_to_one_rep_and_back(team):
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standup(app, pilot)
        assert len(screen.items) == 3
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("down", "enter")  # Alex Kim (after "Whole team")
        await settle(app, pilot)
        assert screen.rep_id == team.alex.id and screen.page == 0
        assert [item.deal.title for item in screen.items] == ["Hooli pilot", "Globex renewal"]
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("home", "enter")  # the whole team again
        await settle(app, pilot)
        assert screen.rep_id is None and len(screen.items) == 3


async def test_record_decisions_on_the_deal_in_view(team):
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standup(app, pilot)
        await pilot.press("j", "j")
        assert text_of(app, "#deal-title") == "Globex renewal"
        before = text_of(app, "#deal-facts")
        await pilot.press("L")
        await settle(app, pilot)
        with team.db.session() as s:
            globex = deals.get_deal(s, team.globex.id)
        assert globex.stage_name not in before and globex.stage_name in text_of(app, "#deal-facts")
        assert screen.position_text() == "2 / 3"
        assert f"Moved Needs analysis → {globex.stage_name}" in text_of(app, "#deal-body")

        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, AddTaskScreen)
        await pilot.press(*"Send the pricing", "tab", *"fri", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        with team.db.session() as s:
            assert [t.title for t in tasks.deal_tasks(s, team.globex.id)] == ["Send the pricing"]
        assert "Fri 20 Nov · Send the pricing" in text_of(app, "#deal-body")

        await pilot.press("j", "x")
        await settle(app, pilot)
        assert isinstance(app.screen, LostReasonScreen)
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        with team.db.session() as s:
            initech = deals.get_deal(s, team.initech.id)
        assert initech.stage_kind == "lost" and initech.lost_reason
        assert screen.position_text() == "3 / 3"
        assert f"Reason: {initech.lost_reason}" in text_of(app, "#deal-facts")
        assert initech.stage_name in text_of(app, "#deal-facts")


async def test_enter_opens_the_timeline_and_escape_comes_back(team):
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standup(app, pilot)
        await pilot.press("j", "j", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == team.globex.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.position_text() == "2 / 3" and text_of(app, "#deal-title") == "Globex renewal"


def test_standup_markdown(team, capsys):
    status = cli.main(["--db", team.db.url, "--rep", "morgan", "standup", "--markdown"])
    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith("# Stand-up")
    assert "## Won and lost" in out and "### Hooli pilot" in out
    assert out.index("Hooli pilot") < out.index("Globex renewal") < out.index("Initech expansion")
    assert "| Alex Kim |" in out


async def _walked_to_globex(pilot) -> None:
    await settle(pilot.app, pilot)
    await pilot.press("5")
    await settle(pilot.app, pilot)
    await pilot.press("j", "j")
    await settle(pilot.app, pilot)


async def _numbers_page(pilot) -> None:
    await settle(pilot.app, pilot)
    await pilot.press("5")
    await settle(pilot.app, pilot)


class TestStandupSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_deal_page(self, snap_compare, team, size):
        assert snap_compare(LegworkApp(team.db, "morgan"), terminal_size=size, run_before=_walked_to_globex)

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_numbers_page(self, snap_compare, team, size):
        assert snap_compare(LegworkApp(team.db, "morgan"), terminal_size=size, run_before=_numbers_page)
