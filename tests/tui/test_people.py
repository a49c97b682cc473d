"""`6`: accounts and contacts, their pages, add / edit / merge, a deal's contacts and
copying an email or a phone (OSC 52). Driven by key presses at 80×24, asserted on
the store, the clipboard and the screen."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import insert
from textual.widgets import Input

from store import accounts, clock, contacts, deals
from store.events import history
from store.models import Contact
from tests.tui.conftest import build_team, settle, toasts, wait_until
from tui.app import LegworkApp
from tui.screens.account import AccountScreen
from tui.screens.contact import ContactScreen
from tui.screens.deal import DealScreen
from tui.screens.modals.confirm import ConfirmScreen
from tui.screens.modals.deal_contacts import DealContactsScreen
from tui.screens.modals.person_form import AccountFormScreen, ContactFormScreen
from tui.screens.modals.person_picker import PersonPickerScreen
from tui.screens.people import PeopleScreen
from tui.widgets.deal_facts import DealFacts
from tui.widgets.page_lines import PageLines
from tui.widgets.people_list import PeopleList

JO_EMAIL, JO_PHONE = "jo.park@acme.example", "+1 555 0101"


@pytest.fixture
def team(sqlite_db):
    team = build_team(sqlite_db)
    with team.db.session() as s:
        contacts.edit_contact(s, team.acme.contact_id, email=JO_EMAIL, phone=JO_PHONE, job_title="Head of fleet",
                            by=team.alex.id)
    return team


@pytest.fixture
def app(team):
    return LegworkApp(team.db, "alex")


class OSC52:
    """What the app wrote to the terminal with OSC 52 (the clipboard)."""

    def __init__(self, app) -> None:
        self.copied: list[str] = []
        write = app._driver.write

        def recording(data: str) -> None:
            if data.startswith("\x1b]52;c;"):
                self.copied.append(base64.b64decode(data[len("\x1b]52;c;"):-1]).decode())
            write(data)

        app._driver.write = recording


def list_lines(app) -> list[str]:
    rows = app.screen.query_one(PeopleList)
    return ["".join(s.text for s in rows.render_line(y)).rstrip() for y in range(rows.size.height)]


def page_texts(app) -> list[str]:
    return [line.text.plain for line in app.screen.query_one(PageLines).lines if line is not None]


def _filter_caught_up(screen) -> bool:
    """Whether what is listed was searched for what the filter box now holds (both
    filters wait for a pause in the typing before they search)."""
    if isinstance(screen, PeopleScreen):
        return screen._filter_timer is None and screen.data is not None and screen.data.text == screen.text
    if isinstance(screen, PersonPickerScreen):
        return screen._shown_for == screen.query_one(Input).value
    raise AssertionError(f"no filter on {type(screen).__name__}")


async def typed(app, pilot, *keys) -> None:
    """Type into a filter, then wait until the search it starts is on the screen."""
    await pilot.press(*keys)
    await wait_until(pilot, lambda: _filter_caught_up(app.screen), what=f"the filter's matches for {keys!r}")
    await settle(app, pilot)


async def cursor_to(app, pilot, match) -> None:
    """Press j until the page's cursor is on the row ``match`` accepts."""
    lines = app.screen.query_one(PageLines)
    for _ in range(len(lines.lines)):
        if lines.selected is not None and match(lines.selected):
            return
        await pilot.press("j")
    raise AssertionError("no such row on the page")


async def test_walk_accounts_to_a_deal_and_back_then_copy_a_contacts_email(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        clipboard = OSC52(app)
        await settle(app, pilot)
        await pilot.press("6")
        await settle(app, pilot)
        assert isinstance(app.screen, PeopleScreen)
        assert app.screen.query_one(PeopleList).total == 4  # Acme, Globex, Initech, Umbrella
        await typed(app, pilot, "slash", *"glo")
        rows = app.screen.query_one(PeopleList)
        assert rows.total == 1 and rows.selected.name == "Globex"
        await typed(app, pilot, "backspace", "backspace", "backspace", *"acm", "enter")
        assert rows.total == 1 and rows.selected.name == "Acme"
        assert any("1 open deal" in line for line in list_lines(app))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        texts = page_texts(app)
        assert any("Jo Park" in t and JO_EMAIL in t and JO_PHONE in t for t in texts)
        assert any("Acme fleet rollout" in t for t in texts)
        assert any("Call Jo about the pilot" in t for t in texts)  # its open task
        await cursor_to(app, pilot, lambda line: line.deal_id == team.acme.id)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == team.acme.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, PeopleScreen)
        await pilot.press("tab")  # the contacts, under the same filter (Jo's company is Acme)
        await settle(app, pilot)
        rows = app.screen.query_one(PeopleList)
        assert rows.kind == "contacts" and rows.selected.name == "Jo Park"
        assert any(JO_EMAIL in line for line in list_lines(app))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactScreen)
        await cursor_to(app, pilot, lambda line: line.email is not None)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == JO_EMAIL and clipboard.copied == [JO_EMAIL]
        assert f"Copied email {JO_EMAIL}" in toasts(app)
        await pilot.press("Y")
        await pilot.pause()
        assert clipboard.copied[-1] == JO_PHONE
        # The contact's page lists the deal it is on; enter opens it.
        await cursor_to(app, pilot, lambda line: line.deal_id == team.acme.id)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)


async def test_the_deal_screen_shows_and_copies_the_primary_contacts_reach_at_80_columns(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        clipboard = OSC52(app)
        await settle(app, pilot)
        app.open_account(team.acme.account_id)  # what global search calls
        await settle(app, pilot)
        await cursor_to(app, pilot, lambda line: line.deal_id == team.acme.id)
        await pilot.press("enter")
        await settle(app, pilot)
        facts = app.screen.query_one(DealFacts)
        shown = "\n".join("".join(s.text for s in facts.render_line(y)) for y in range(facts.size.height))
        assert JO_EMAIL in shown and JO_PHONE in shown
        await pilot.press("Y")
        await pilot.pause()
        assert clipboard.copied == [JO_PHONE] and app.clipboard == JO_PHONE


async def test_hostile_contact_text_shows_as_typed(app, team):
    hostile = "[@click=app.quit]x\x1b[2J\x9b31m"
    with team.db.engine.begin() as connection:  # as an old import could have stored it
        connection.execute(insert(Contact).values(name=hostile, name_key="[@click=app.quit]x", email="a@b.example",
                                                  phone="\x1b]52;c;evil\x07", created_at=clock.now()))
    async with app.run_test(size=(80, 24)) as pilot:
        clipboard = OSC52(app)
        await settle(app, pilot)
        await pilot.press("6", "tab")
        await settle(app, pilot)
        lines = "\n".join(list_lines(app))
        assert "[@click=app.quit]x␛[2J" in lines and "\x1b" not in lines and "\x9b" not in lines
        assert "␛]52;c;evil" in lines
        rows = app.screen.query_one(PeopleList)
        for _ in range(rows.total):
            if rows.selected.name == hostile:
                break
            await pilot.press("j")
        assert rows.selected.name == hostile, "j never reached the hostile contact"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactScreen)
        assert app.screen.sub_title == hostile  # the header draws it through visible()
        summary = str(app.screen.query_one("#page-summary").render())
        assert "[@click=app.quit]x␛[2J" in summary
        await cursor_to(app, pilot, lambda line: line.phone is not None)
        await pilot.press("Y")
        await pilot.pause()
        # Its control characters never reach the clipboard (nor the terminal: OSC 52 is base64).
        assert clipboard.copied == ["]52;c;evil"]
        assert "Copied phone ]52;c;evil" in toasts(app)
        assert app.is_running


async def test_add_edit_and_merge_accounts_from_the_list(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("6", "N")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountFormScreen)
        await pilot.press(*"ACME Inc", "tab", *"acme.example", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PeopleScreen)
        assert app.screen.query_one(PeopleList).selected.name == "ACME Inc"  # the cursor follows the new one
        # The same name, another spelling: refused on the form, nothing saved.
        await pilot.press("N", *"acme  inc", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountFormScreen)
        assert "exists already" in str(app.screen.query_one("#form-error").render())
        await pilot.press("escape")
        await settle(app, pilot)
        # Merge ACME Inc (no deals) into Acme: pick it, confirm.
        rows = app.screen.query_one(PeopleList)
        rows.cursor = 0
        await settle(app, pilot)
        assert rows.selected.name == "Acme"
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, PersonPickerScreen)
        await typed(app, pilot, *"acme inc")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        with team.db.session() as s:
            assert [a.name for a in accounts.list_accounts(s, "acme")] == ["Acme"]
            assert accounts.get_account(s, team.acme.account_id).domain == "acme.example"
        assert any("Merged “ACME Inc” into “Acme”" in t for t in toasts(app))
        # e renames.
        await pilot.press("e")
        await settle(app, pilot)
        await pilot.press("ctrl+u", *"Acme Corp", "enter")
        await settle(app, pilot)
        with team.db.session() as s:
            assert accounts.get_account(s, team.acme.account_id).name == "Acme Corp"


async def test_add_a_new_contact_to_a_deal_and_merge_a_duplicate_contact(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_contact(team.acme.contact_id)
        await settle(app, pilot)
        await cursor_to(app, pilot, lambda line: line.deal_id == team.acme.id)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("P")
        await settle(app, pilot)
        assert isinstance(app.screen, DealContactsScreen)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, PersonPickerScreen)
        await pilot.press("down", "enter")  # "+ New contact…"
        await settle(app, pilot)
        assert isinstance(app.screen, ContactFormScreen)
        await pilot.press(*"Sam Ortiz", "tab", "tab", *"sam@acme.example", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealContactsScreen)
        with team.db.session() as s:
            on_deal = contacts.deal_contacts(s, team.acme.id)
            assert [(c.contact.name, c.contact.email, c.contact.account_name, c.primary) for c in on_deal] == [
                ("Jo Park", JO_EMAIL, "Acme", True), ("Sam Ortiz", "sam@acme.example", "Acme", False)]
            sam = on_deal[1].contact
        # p makes Sam the primary; the deal's facts then show Sam's email; x takes Jo off.
        await pilot.press("j", "p")
        await settle(app, pilot)
        await pilot.press("j", "x")  # the cursor stayed on Sam, now first
        await settle(app, pilot)
        with team.db.session() as s:
            assert [(c.contact.name, c.primary) for c in contacts.deal_contacts(s, team.acme.id)] == [("Sam Ortiz", True)]
            kinds = [e.kind for e in history(s, team.acme.id)][-3:]
            assert kinds == ["contact_added", "primary_contact_set", "contact_removed"]
            contacts.add_deal_contact(s, team.acme.id, team.acme.contact_id, primary=True,
                                    version=deals.get_deal(s, team.acme.id).version, by=team.alex.id)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        assert app.screen.deal.contact_email == JO_EMAIL
        with team.db.session() as s:
            dup = contacts.add_contact(s, "J. Park", account_id=team.acme.account_id, by=team.alex.id)
            acme = deals.get_deal(s, team.acme.id)
            contacts.set_primary_contact(s, acme.id, dup.id, version=acme.version, by=team.alex.id)
        # From Jo's page, merge the duplicate into Jo.
        app.open_contact(team.acme.contact_id)
        await settle(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press(*"j. park", "enter")  # enter before the search has run: it waits for it
        await wait_until(pilot, lambda: not isinstance(app.screen, PersonPickerScreen), what="the picker to pick J. Park")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "J. Park" in str(app.screen.query_one("#question").render())
        await pilot.press("y")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, team.acme.id).contact_id == team.acme.contact_id
            assert {c.contact.id for c in contacts.deal_contacts(s, team.acme.id)} == {team.acme.contact_id, sam.id}
            assert contacts.count_contacts(s, "park") == 1


async def test_help_lists_the_people_mode(app, team):
    from tui.screens.help import describe_bindings

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        everywhere = dict(describe_bindings(app.screen))["Everywhere"]
        assert ("6", "Accounts and contacts") in everywhere


async def test_a_long_list_fetches_rows_a_window_at_a_time(app, team):
    from store.models import Account
    from store.names import name_key

    with team.db.engine.begin() as connection:
        names = [f"Zulu {n:04d}" for n in range(1, 241)]
        connection.execute(insert(Account), [{"name": n, "name_key": name_key(n), "created_at": clock.now()}
                                             for n in names])
    asked: list[int] = []
    async with app.run_test(size=(80, 24), message_hook=lambda m: isinstance(m, PeopleList.PageNeeded)
                            and asked.append(m.page)) as pilot:
        await settle(app, pilot)
        await pilot.press("6")
        await settle(app, pilot)
        rows = app.screen.query_one(PeopleList)
        assert rows.total == 244 and set(rows._pages) == {0}  # one window read, not 244 rows
        await pilot.press("G")
        await settle(app, pilot)
        assert rows.selected.name == "Zulu 0240"
        # Only the window on screen was asked for (the hook hears the message at each node it bubbles to).
        assert set(asked) == {4} and set(rows._pages) == {0, 4}
        assert any("Zulu 0240" in line for line in list_lines(app))
