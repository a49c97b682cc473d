"""What an account's page and a contact's page share: a summary line on top, headed
sections below (``PageLines``), `enter` on a row opens it (a deal's screen, a
contact's or an account's page), `escape` goes back.

`e` edits and `M` merges into the page's own account or contact; `y` / `Y` copy the
email / phone of the row the cursor is on. The page loads in a thread worker and
again whenever it comes back into view (a deal opened from it may have changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.worker import get_current_worker

from store import clock
from store.errors import StoreError
from store.money import database_currency, format_money
from store.people_shared import PersonDeal
from tui.clipboard import copy_value
from tui.people_actions import PeopleActions, PersonRef
from tui.plain_text import plain, visible
from tui.widgets.key_footer import KeyFooter
from tui.widgets.page_lines import PageLine, PageLines

STAGE_WIDTH = 12
VALUE_WIDTH = 9
OWNER_WIDTH = 14


def fit(text: Text, width: int) -> Text:
    text.no_wrap = True
    text.truncate(max(width, 1), overflow="ellipsis", pad=True)
    return text


def deal_line(deal: PersonDeal, width: int, currency: str, *, primary_of: int | None = None) -> PageLine:
    """``Fleet rollout      Proposal      $12.0k  Alex Kim``: what, how far, how much, whose."""
    right = Text(no_wrap=True)
    stage = plain(deal.stage_name, "" if deal.is_open else "dim")
    right.append_text(fit(stage, STAGE_WIDTH))
    right.append(f" {format_money(deal.value, currency, short=True):>{VALUE_WIDTH}} ")
    right.append_text(fit(plain(deal.owner_name, "dim"), OWNER_WIDTH))
    title = plain(deal.title, "bold" if deal.is_open else "")
    if primary_of is not None and deal.primary_contact_id == primary_of:
        title.append(" · primary", style="dim")
    line = fit(title, width - right.cell_len - 2)
    line.append(" ")
    line.append_text(right)
    return PageLine(line, deal_id=deal.id, deal_pipeline=deal.pipeline)


def heading(label: str, shown: int, total: int) -> Text:
    more = f" (first {shown} of {total:,})" if total > shown else f" ({total:,})"
    return Text(label + more)


class PersonPage(PeopleActions, Screen):
    DEFAULT_CSS = """
    PersonPage #page-summary {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="page-back"),
        Binding("enter", "open", "Open", tooltip="Open the deal, contact or account on this row", id="page-open"),
        Binding("e", "edit_person", "Edit", id="page-edit"),
        Binding("M", "merge_person", "Merge", tooltip="Merge a duplicate into this one", id="page-merge"),
        Binding("y", "copy_email", "Copy", tooltip="Copy the email on this row (OSC 52)", id="page-copy-email"),
        Binding("Y", "copy_phone", "Copy phone", show=False, tooltip="Copy the phone on this row (OSC 52)",
                id="page-copy-phone"),
    ]

    @dataclass
    class Loaded(Message):
        page: object
        currency: str
        moment: tuple  # (now, today, tz)

    @dataclass
    class LoadFailed(Message):
        message: str

    def __init__(self, record_id: int) -> None:
        super().__init__()
        self.record_id = record_id
        self.page = None
        self.currency = "USD"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="page-summary", markup=False)
        yield PageLines(id="page-lines")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(PageLines).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.page is not None:
            self.reload()

    def reload(self) -> None:
        self._load(self.record_id, self.app.rep.timezone)

    def read_page(self, session, record_id: int, today):
        raise NotImplementedError

    def show_page(self, page, moment: tuple) -> None:
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="person-load", exit_on_error=False)
    def _load(self, record_id: int, tz: str) -> None:
        worker = get_current_worker()
        try:
            with self.app.database.session() as session:
                today = clock.today_in(tz)
                page = self.read_page(session, record_id, today)
                currency = database_currency(session)
        except StoreError as exc:
            self.post_message(self.LoadFailed(str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(page, currency, (clock.now(), today, tz)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.page, self.currency = message.page, message.currency
        self.show_page(message.page, message.moment)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.notify(message.message, severity="error", markup=False)
        if self.is_current:
            self.app.pop_screen()

    def summary(self, text: Text) -> None:
        self.query_one("#page-summary", Static).update(text)

    @property
    def line_width(self) -> int:
        return max(self.query_one(PageLines).scrollable_content_region.width or self.app.size.width - 2, 40) - 1

    # --- keys ------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        line = self.query_one(PageLines).selected
        if line is None:
            return
        if line.deal_id is not None:
            from tui.screens.deal import open_deal

            open_deal(self.app, line.deal_id, pipeline=line.deal_pipeline)
        elif line.contact_id is not None:
            self.app.open_contact(line.contact_id)
        elif line.account_id is not None:
            self.app.open_account(line.account_id)

    def action_copy_email(self) -> None:
        line = self.query_one(PageLines).selected
        if line is None:
            return
        if line.email or not line.phone:
            copy_value(self.app, line.email, "email")
        else:
            copy_value(self.app, line.phone, "phone")

    def action_copy_phone(self) -> None:
        line = self.query_one(PageLines).selected
        if line is not None:
            copy_value(self.app, line.phone, "phone")

    def people_changed(self, kind: str, record_id: int | None) -> None:
        self.reload()

    def person_target(self) -> PersonRef | None:
        raise NotImplementedError


def muted_join(parts: list[str]) -> Text:
    return Text(" · ".join(visible(p) for p in parts if p), style="dim")
