"""`6`: the accounts list, and (`tab`) the contacts list; `enter` opens a page.

Built like the closed deals (DESIGN.md rule 4): one count, then rows a window at a
time from the store (``PeopleList``), loaded in thread workers that post plain data
back. `/` filters as you type; `escape` clears the filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from store import accounts, contacts
from store.money import database_currency
from store.accounts import AccountRow
from tui.people_actions import PeopleActions, PersonRef
from tui.plain_text import visible
from tui.widgets.key_footer import KeyFooter
from tui.widgets.paged_rows import PAGE_SIZE
from tui.widgets.people_list import ACCOUNTS, CONTACTS, PeopleList

FILTER_PAUSE = 0.15  # seconds of no typing before the filter runs


@dataclass(frozen=True)
class PeopleData:
    kind: str
    text: str
    total: int
    pages: dict[int, list]
    cursor: int
    currency: str


class PeopleScreen(PeopleActions, Screen):
    HELP_TITLE = "People"
    HELP_GROUP = "People"
    DEFAULT_CSS = """
    PeopleScreen #people-summary {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $boost;
    }
    PeopleScreen #people-filter { border: none; height: 1; padding: 0 1; background: $primary 20%; }
    PeopleScreen #people-filter.-hidden { display: none; }
    """
    BINDINGS = [
        # The summary line says "tab switches · / filters": the footer keeps its room for the rest.
        Binding("tab", "toggle", "Switch", show=False, tooltip="The accounts list / the contacts list",
                id="people-toggle"),
        Binding("enter", "open", "Open", tooltip="Open the account's or contact's page", id="people-open"),
        Binding("slash", "filter", "Filter", show=False, tooltip="Filter: name (contacts: email, phone, company too)",
                id="people-filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="people-clear-filter"),
        Binding("N", "new_person", "New", tooltip="A new account / contact", id="people-new"),
        Binding("e", "edit_person", "Edit", tooltip="Edit the account / contact", id="people-edit"),
        Binding("M", "merge_person", "Merge", tooltip="Merge a duplicate into this account / contact",
                id="people-merge"),
        Binding("y", "copy_email", "Copy", tooltip="Copy the contact's email (OSC 52)", id="people-copy-email"),
        Binding("Y", "copy_phone", "Copy phone", show=False, tooltip="Copy the contact's phone (OSC 52)",
                id="people-copy-phone"),
    ]

    @dataclass
    class Loaded(Message):
        data: PeopleData

    @dataclass
    class PageLoaded(Message):
        kind: str
        text: str
        page: int
        rows: list

    def __init__(self) -> None:
        super().__init__()
        self.kind = ACCOUNTS
        self.text = ""
        self.data: PeopleData | None = None
        self._cursors = {ACCOUNTS: 0, CONTACTS: 0}
        self._focus_id: int | None = None
        self._filter_timer = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter: part of a name", id="people-filter", classes="-hidden")
        yield Static("Loading…", id="people-summary", markup=False)
        yield PeopleList(id="people")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Accounts"
        self.query_one(PeopleList).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.reload()  # a page's edit or merge may have changed the rows

    # --- loading ---------------------------------------------------------------------------

    def reload(self, focus_id: int | None = None) -> None:
        # A row to put the cursor on outlives a reload started after it (the screen
        # resuming as a form closes) until a load lands.
        self._focus_id = focus_id or self._focus_id
        self._load(self.kind, self.text, self._focus_id, self.query_one(PeopleList).cursor if self.data else 0)

    @work(thread=True, exclusive=True, group="people-load", exit_on_error=False)
    def _load(self, kind: str, text: str, focus_id: int | None, cursor: int) -> None:
        worker = get_current_worker()
        with self.app.database.session() as session:
            currency = database_currency(session)
            if kind == ACCOUNTS:
                total = accounts.count_accounts(session, text)
                found = accounts.account_position(session, focus_id, text) if focus_id else None
            else:
                total = contacts.count_contacts(session, text)
                found = contacts.contact_position(session, focus_id, text) if focus_id else None
            cursor = found if found is not None else min(cursor, max(total - 1, 0))
            pages = {page: self._page(session, kind, text, page) for page in {0, cursor // PAGE_SIZE}}
        if not worker.is_cancelled:
            self.post_message(self.Loaded(PeopleData(kind, text, total, pages, cursor, currency)))

    @staticmethod
    def _page(session, kind: str, text: str, page: int) -> list:
        lister = accounts.list_accounts if kind == ACCOUNTS else contacts.list_contacts
        return lister(session, text, offset=page * PAGE_SIZE, limit=PAGE_SIZE)

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        data = message.data
        if (data.kind, data.text) != (self.kind, self.text):
            return  # a load for a list or filter since left
        self.data = data
        self._focus_id = None
        what = "accounts" if data.kind == ACCOUNTS else "contacts"
        empty = f"No {what} match the filter" if data.text else f"No {what} yet: N adds one"
        self.query_one(PeopleList).reset(data.kind, data.total, data.pages, cursor=data.cursor,
                                         currency=data.currency, empty_text=empty)
        self._show_summary()

    def _show_summary(self) -> None:
        data = self.data
        text = Text(no_wrap=True, overflow="ellipsis")
        for kind, label in ((ACCOUNTS, "Accounts"), (CONTACTS, "Contacts")):
            chosen = kind == data.kind
            text.append(f" {label} ", style="bold reverse" if chosen else "dim")
            text.append(" ")
        text.append(f"{data.total:,}", style="bold")
        if data.text:
            text.append(" matching “", style="dim")
            text.append(visible(data.text))
            text.append("”", style="dim")
        text.append("  tab switches · / filters", style="dim")
        self.query_one("#people-summary", Static).update(text)
        self.title = "Accounts" if data.kind == ACCOUNTS else "Contacts"

    @on(PeopleList.PageNeeded)
    def _page_needed(self, message: PeopleList.PageNeeded) -> None:
        self._load_page(message.kind, self.text, message.page)

    @work(thread=True, group="people-page", exit_on_error=False)
    def _load_page(self, kind: str, text: str, page: int) -> None:
        with self.app.database.session() as session:
            rows = self._page(session, kind, text, page)
        self.post_message(self.PageLoaded(kind, text, page, rows))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        if message.text == self.text:
            self.query_one(PeopleList).set_page(message.kind, message.page, message.rows)

    # --- keys ------------------------------------------------------------------------------

    def action_toggle(self) -> None:
        rows = self.query_one(PeopleList)
        self._cursors[self.kind] = rows.cursor
        self.kind = CONTACTS if self.kind == ACCOUNTS else ACCOUNTS
        self.data = None
        self._load(self.kind, self.text, None, self._cursors[self.kind])
        rows.focus()
        self.refresh_bindings()  # copy keys are for contacts

    def action_open(self) -> None:
        row = self.query_one(PeopleList).selected
        if row is None:
            return
        if isinstance(row, AccountRow):
            self.app.open_account(row.id)
        else:
            self.app.open_contact(row.id)

    def action_filter(self) -> None:
        box = self.query_one("#people-filter", Input)
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Changed, "#people-filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        self.text = visible(event.value).strip()
        # A filter scans the table (a substring can be anywhere in a name): wait for a
        # pause in the typing rather than start a scan per key.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_PAUSE, self._filter_now)

    def _filter_now(self) -> None:
        self._filter_timer = None
        self.query_one(PeopleList).cursor = 0
        self._load(self.kind, self.text, None, 0)

    @on(Input.Submitted, "#people-filter")
    def _filter_done(self) -> None:
        self.query_one(PeopleList).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#people-filter", Input)
        if box.has_class("-hidden") and not self.text:
            return
        box.value = ""  # Changed reloads
        box.add_class("-hidden")
        self.query_one(PeopleList).focus()

    # --- PeopleActions ---------------------------------------------------------------------

    def person_target(self) -> PersonRef | None:
        row = self.query_one(PeopleList).selected
        if row is None:
            return None
        if isinstance(row, AccountRow):
            return PersonRef(ACCOUNTS, row.id, row.name)
        return PersonRef(CONTACTS, row.id, row.name, row.email, row.phone)

    def new_kind(self) -> str:
        return self.kind

    def people_changed(self, kind: str, record_id: int | None) -> None:
        if kind == self.kind:
            self.reload(record_id)
        else:
            self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("copy_email", "copy_phone"):
            return self.kind == CONTACTS
        return True
