"""The command palette: search everything by words and open what was found; run the
screen's actions by name; hostile text shown as text."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from store import deals, notes
from tests.tui.conftest import settle
from tests.tui.hostile_team import build_hostile_team
from tests.tui.test_hostile_text import SHOWN, WEDNESDAY, assert_safe
from tests.tui.test_people import cursor_to
from tui.app import LegworkApp
from tui.screens.account import AccountScreen
from tui.screens.board import BoardScreen
from tui.screens.contact import ContactScreen
from tui.screens.deal import DealScreen
from tui.screens.help import HelpScreen
from tui.screens.today import TodayScreen

import pendulum


async def results(app, pilot, wanted: str | None = None, *, first: bool = False, tries: int = 80) -> list[str]:
    """The palette's options once one holds ``wanted`` (with ``first``: the first one)."""
    for _ in range(tries):
        await pilot.pause(0.05)
        palette = app.screen
        if not isinstance(palette, CommandPalette):
            return []
        listed = palette.query_one(CommandList)
        options = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        if options and (wanted is None or any(wanted in o for o in (options[:1] if first else options))):
            return options
    raise AssertionError(f"no results with {wanted!r}")


async def test_a_closed_deal_found_by_part_of_its_title_opens_on_the_deal_screen(app, team):
    with team.db.session() as s:
        deals.mark_won(s, team.globex.id, version=team.globex.version, by=team.alex.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("ctrl+p", *"glob")
        options = await results(app, pilot, "Globex renewal", first=True)
        assert "Deal" in options[0] and "Globex renewal (closed)" in options[0]  # the deal leads its group
        assert any(o.startswith("Account") and "Globex" in o for o in options)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.deal_id == team.globex.id
        assert app.screen.deal.title == "Globex renewal" and not app.screen.deal.is_open
        assert app.screen.check_action("reopen", ()) is True  # `o` reopens it from here


async def test_a_note_opens_its_deal_and_a_contact_its_deal(app, team):
    with team.db.session() as s:
        notes.add_note(s, team.initech.id, "Procurement wants a zebra-striped SLA", by=team.morgan.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"zebra")
        options = await results(app, pilot, "zebra", first=True)
        assert options[0].startswith("Note") and "Initech expansion" in options[0] and "zebra-striped" in options[0]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == team.initech.id
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"jo park")
        options = await results(app, pilot, "Jo Park", first=True)
        assert options[0].startswith("Contact")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactScreen) and app.screen.record_id == team.acme.contact_id


async def test_search_then_contact_then_account_then_deal_and_back(app, team):
    """A rep's morning: "call Jo at Acme". Find Jo, see her company, open its deal, come back."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = app.screen
        await pilot.press("ctrl+p", *"jo park")
        options = await results(app, pilot, "Jo Park", first=True)
        assert options[0].startswith("Contact")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactScreen) and app.screen.record_id == team.acme.contact_id
        await cursor_to(app, pilot, lambda line: line.account_id is not None and line.deal_id is None)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.record_id == team.acme.account_id
        await cursor_to(app, pilot, lambda line: line.deal_id == team.acme.id)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == team.acme.id
        for back_to in (AccountScreen, ContactScreen):
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, back_to)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is board


async def test_the_palette_lists_the_boards_actions_and_runs_move_forward(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.selected_card().id == team.acme.id
        await pilot.press("ctrl+p")
        listed = await results(app, pilot, "Move forward")
        for name in ("Move forward", "Move back", "Log activity", "Add task", "Add note", "Mark won", "Mark lost",
                     "Show closed", "Filter", "Go to Today"):
            assert any(name in option for option in listed), name
        assert not any("Convert lead" in option for option in listed)  # not on the opportunity board
        await pilot.press(*"move forw")
        options = await results(app, pilot, "Move forward", first=True)
        assert "Move forward" in options[0]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
    with team.db.session() as s:
        moved = deals.get_deal(s, team.acme.id)
    assert moved.stage_id != team.acme.stage_id and moved.version == team.acme.version + 1


async def test_slash_searches_where_the_screen_has_no_filter_of_its_own(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await settle(app, pilot)
        assert not isinstance(app.screen, CommandPalette)  # the board's own filter
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("question_mark", "slash")  # over a modal (the keys of the screen): no search
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"initech")
        options = await results(app, pilot, "Initech expansion")
        assert not any("Move forward" in o for o in options)  # `/` only searches
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == team.initech.id


async def test_hostile_titles_show_as_text_in_the_results(sqlite_db):
    team = build_hostile_team(sqlite_db)
    with pendulum.travel_to(WEDNESDAY, freeze=False):
        app = LegworkApp(team.db, "alex")
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+p", *"click acme")
            await results(app, pilot, "[@click=app.quit]Acme")
            assert_safe(app, "[@click=app.quit]Acme Acme " + SHOWN[:4], "[bold]x[/]")
            await pilot.press(*" note")
            await results(app, pilot, "Note")
            assert_safe(app, "[@click=app.quit]Acme Note")
            await pilot.press("escape")
        assert app.return_code is None  # [@click=app.quit] ran nothing
