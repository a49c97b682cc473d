"""Pick an account or a contact by typing part of its name: for `M` (the duplicate to
merge) and for `P` on a deal (the contact to add, or a new one).

Matches come from the store a window at a time, as on the lists (never every row);
the search runs in a thread worker as the rep types.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from store import accounts, contacts
from tui.failures import ReportsFailedWorkers
from tui.plain_text import plain, visible
from tui.widgets.people_list import ACCOUNTS, plural, reach
from tui.widgets.picker_list import PickerList
from tui.screens.modals.frame import modal_frame_css

SHOWN = 30
PROMPT_WIDTH = 66  # the box's 72 columns, less its border, padding and the list's gutter
NEW = "new"


@dataclass
class Matches(Message):
    text: str
    rows: list
    total: int


class PersonPickerScreen(ReportsFailedWorkers, ModalScreen[int | str | None]):
    """Dismisses with the chosen id, ``"new"`` (offered with ``offer_new``), or ``None``."""

    HELP_TITLE = "Pick"
    DEFAULT_CSS = modal_frame_css("PersonPickerScreen", 72) + """
    PersonPickerScreen Input, PersonPickerScreen Input:focus { border: none; height: 1; padding: 0 1; background: $boost; margin-bottom: 1; }
    PersonPickerScreen OptionList, PersonPickerScreen OptionList:focus { height: auto; max-height: 16; border: none; }
    PersonPickerScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="person-picker-cancel"),
        Binding("down", "to_list", "Matches", show=False, id="person-picker-to-list"),
    ]

    def __init__(self, kind: str, title: str, *, exclude: int | None = None, offer_new: bool = False,
                 account_id: int | None = None) -> None:
        """``account_id``: with nothing typed, show that account's contacts."""
        super().__init__()
        self.kind = kind
        self.heading = title
        self.exclude = exclude
        self.offer_new = offer_new
        self.account_id = account_id
        self._timer = None
        self._shown_for: str | None = None  # what the matches on show were searched for
        self._pick_first = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.heading, "bold"))
            yield Input(placeholder="type part of a name" + ("" if self.kind == ACCOUNTS else ", email or company"),
                        id="picker-text")
            yield PickerList(id="picker-matches")
            yield Static("type to search · ↓ to the matches · enter picks · escape cancels", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._search("")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        # Counting the matches scans the table: search once the typing pauses.
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.15, lambda: self._search(event.value))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self._shown_for != self.query_one(Input).value:
            # enter beat the search: pick from what was typed, once its matches are in.
            if self._timer is not None:
                self._timer.stop()
            self._pick_first = True
            self._search(self.query_one(Input).value)
            return
        matches = self.query_one(OptionList)
        if matches.option_count:
            matches.focus()
            if matches.highlighted is None:
                matches.highlighted = 0
            option = matches.get_option_at_index(matches.highlighted)
            if not option.disabled:
                self._pick(option.id)

    @work(thread=True, exclusive=True, group="picker-search", exit_on_error=False)
    def _search(self, text: str) -> None:
        clean = visible(text).strip()
        with self.app.database.session() as session:
            if self.kind == ACCOUNTS:
                total = accounts.count_accounts(session, clean)
                rows = accounts.list_accounts(session, clean, limit=SHOWN + 1)
            else:
                scope = self.account_id if not clean else None
                total = contacts.count_contacts(session, clean, account_id=scope)
                rows = contacts.list_contacts(session, clean, limit=SHOWN + 1, account_id=scope)
        self.post_message(Matches(text, rows, total))

    @on(Matches)
    def _show(self, message: Matches) -> None:
        if message.text != self.query_one(Input).value:
            return  # an older search's
        options: list[Option] = []
        if self.offer_new:
            options.append(Option(Text("+ New contact…", style="bold"), id=NEW))
        rows = [r for r in message.rows if r.id != self.exclude][:SHOWN]
        for row in rows:
            options.append(Option(self._prompt(row), id=str(row.id)))
        total = message.total - (1 if any(r.id == self.exclude for r in message.rows) else 0)
        if total > len(rows):
            options.append(Option(Text(f"… {total - len(rows):,} more: type more of the name", style="dim"),
                                  disabled=True))
        elif not rows:
            scoped = not message.text.strip() and self.account_id is not None
            empty = "no other contacts at this account: type any name" if scoped else "no match"
            options.append(Option(Text(empty, style="dim"), disabled=True))
        matches = self.query_one(OptionList)
        matches.set_options(options)
        matches.highlighted = 0 if options and not options[0].disabled else None
        self._shown_for = message.text
        if self._pick_first:
            self._pick_first = False
            self._submitted()

    def _prompt(self, row) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append_text(plain(row.name, "bold"))
        if self.kind == ACCOUNTS:
            extra = [visible(row.domain)] if row.domain else []
            extra.append(f"{plural(row.contacts, 'contact')} · {plural(row.open_deals, 'open deal')}")
        else:
            extra = [visible(part) for part in (row.account_name, reach(row)) if part]
        if extra:
            text.append("  " + " · ".join(extra), style="dim")
        # One line each: the list would wrap a long one.
        text.truncate(PROMPT_WIDTH, overflow="ellipsis")
        return text

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id == NEW:
            self.dismiss(NEW)
        elif option_id is not None:
            self.dismiss(int(option_id))

    def action_to_list(self) -> None:
        matches = self.query_one(OptionList)
        if matches.option_count:
            matches.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
