"""The stand-up (key 5), walked by key presses; assertions on the store and the page.

The team is built on Monday 16 November 2026; on Tuesday Alex moves Globex a
stage and wins Hooli. The meeting is Wednesday 18 November, 09:00 UTC (the clock
ticks from there so Textual's timers run), so the agenda looks back to Tuesday:

  1 / 3  Hooli      won and lost
  2 / 3  Globex     moved stage
  3 / 3  Initech    no next step (Morgan's; no task)
"""

from __future__ import annotations

import io

import pendulum
import pytest
from rich.console import Console

from store import activities, deals, goals, tasks
from store.deals import DealFields
from tests.tui.conftest import build_team, settle
from tui import cli
from tui.app import LegworkApp
from tui.screens.deal import DealScreen
from tui.screens.help import HelpScreen, describe_bindings
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


def rendered(app, selector: str) -> str:
    """A Static holding a Rich renderable (a table), as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector).content)
    return console.export_text()


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
    # The manager runs the stand-up: every rep's deal is theirs to change (store.permissions).
    app = LegworkApp(team.db, "morgan")
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


# --- a real morning: whose task, whose clock, money, a long agenda ---------------------------------


async def test_a_task_added_on_a_reps_deal_is_the_reps(team):
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_standup(app, pilot)
        await pilot.press("j", "j")
        assert text_of(app, "#deal-title") == "Globex renewal"  # Alex's deal
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, AddTaskScreen)
        assert app.screen.owner.id == team.alex.id  # the form proposes the deal's owner
        await pilot.press(*"Send the pricing", "tab", *"fri", "enter")
        await settle(app, pilot)
        with team.db.session() as s:
            [task] = tasks.deal_tasks(s, team.globex.id)
        assert (task.title, task.owner_id) == ("Send the pricing", team.alex.id)


async def test_the_task_form_can_give_the_task_to_someone_else(team):
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_standup(app, pilot)
        await pilot.press("j", "j", "t")
        await settle(app, pilot)
        form = app.screen
        await pilot.press(*"Call Hank", "tab", *"fri", "tab")
        assert form.focused.id == "owner"
        await pilot.press("enter", "down", "enter")  # the list: Alex Kim (the deal's owner), Morgan Blake
        await settle(app, pilot)
        assert form.owner.id == team.morgan.id
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with team.db.session() as s:
            [task] = tasks.deal_tasks(s, team.globex.id)
        assert task.owner_id == team.morgan.id


async def test_what_changed_is_in_the_viewers_timezone(team):
    app = LegworkApp(team.db, "morgan", timezone="Asia/Tokyo")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_standup(app, pilot)
        await pilot.press("j", "j")
        body = text_of(app, "#deal-body")
        # Globex moved on Tuesday at 10:00 UTC: 19:00 in Tokyo, as the timeline says it.
        assert "yesterday 19:00 · Alex Kim · Moved Qualified → Needs analysis" in body, body
        assert "10:00" not in body


async def test_money_goals_read_as_money(team):
    with team.db.session() as s:
        goals.set_goals(s, team.alex.id, "week", {"won_value": 40_000_000}, by=team.morgan.id)
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_standup(app, pilot)
        page = rendered(app, "#deal-body")
        # Hooli (250,000 cents) was won on Tuesday, this week.
        assert "Won $2.5k / $400k" in page, page
        assert "40000000" not in page and "250000/" not in page


def test_standup_text_shows_money_goals(team, capsys):
    with team.db.session() as s:
        goals.set_goals(s, team.alex.id, "week", {"won_value": 40_000_000}, by=team.morgan.id)
    assert cli.main(["--db", team.db.url, "--rep", "morgan", "standup"]) == 0
    out = capsys.readouterr().out
    assert "Won value $2.5k / $400k" in out and "40000000" not in out


def test_standup_markdown_heads_a_group_with_all_its_deals(team, capsys, monkeypatch):
    with pendulum.travel_to(MONDAY, freeze=True), team.db.session() as s:
        for name in ("Soylent", "Vandelay"):  # two more opportunities with no next step
            deals.create_opportunity(s, DealFields(title=f"{name} deal", value=100_000), by=team.morgan.id)
    pendulum.travel_to(WEDNESDAY, freeze=False)  # leaving travel_to went back to the real clock
    monkeypatch.setattr("store.standup.GROUP_LIMIT", 1)
    assert cli.main(["--db", team.db.url, "--rep", "morgan", "standup", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "## No next step (3)" in out
    assert "Showing the first 1 of 3." in out and "… and 2 more" in out
    assert cli.main(["--db", team.db.url, "--rep", "morgan", "standup"]) == 0
    text = capsys.readouterr().out
    assert "No next step (3)" in text and "Showing the first 1 of 3." in text


async def test_a_deal_whose_close_date_passed_is_past_due(team):
    with team.db.session() as s:
        acme = deals.get_deal(s, team.acme.id)
        deals.edit_deal(s, acme.id, DealFields(expected_close=pendulum.date(2026, 11, 13)), version=acme.version,
                        by=team.alex.id)
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standup(app, pilot)
        # Wednesday 18 Nov: Acme was to close last Friday and is still open.
        assert [i.deal.title for i in screen.items if i.group == "past_due"] == ["Acme fleet rollout"]
        await pilot.press(*"j" * (screen.agenda.position_of(team.acme.id) + 1))
        assert text_of(app, "#deal-title") == "Acme fleet rollout"
        assert "Past due (1 of 1)" in text_of(app, "#standup-bar")


async def test_first_last_and_group_jumps(team):
    with pendulum.travel_to(MONDAY, freeze=True), team.db.session() as s:
        for name in ("Soylent", "Vandelay"):
            deals.create_opportunity(s, DealFields(title=f"{name} deal", value=100_000), by=team.morgan.id)
    pendulum.travel_to(WEDNESDAY, freeze=False)
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_standup(app, pilot)
        # Won and lost: Hooli · moved: Globex · no next step: Initech and the two new ones.
        assert [i.group for i in screen.items] == ["won_lost", "moved", "no_next_step", "no_next_step",
                                                    "no_next_step"]
        await pilot.press("G")
        assert screen.position_text() == "5 / 5"
        await pilot.press("g")
        assert screen.position_text() == "Numbers"
        await pilot.press("right_square_bracket")
        assert screen.position_text() == "1 / 5"
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert screen.position_text() == "3 / 5" and "No next step (1 of 3)" in text_of(app, "#standup-bar")
        await pilot.press("right_square_bracket")  # no group after the last: stays
        assert screen.position_text() == "3 / 5"
        await pilot.press("j", "left_square_bracket")  # back to this group's first deal
        assert screen.position_text() == "3 / 5"
        await pilot.press("left_square_bracket")  # and from there to the group before
        assert screen.position_text() == "2 / 5"
        await pilot.press("G", "k")
        assert screen.position_text() == "4 / 5"
        # ? lists them.
        keys = {text: key for _title, entries in describe_bindings(screen) for key, text in entries}
        assert keys["The first page: the numbers"] == "g" and keys["The last deal on the agenda"] == "G"
        assert keys["The first deal of the next group"] == "]"
        assert keys["The first deal of this group, or of the one before"] == "["
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "The first deal of the next group" in shown
