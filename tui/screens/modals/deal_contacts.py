"""`P` on a deal: the people on it. The primary (★) is the one the deal's facts show.

`a` adds one (the account's contacts first, any by name, or a new one), `p` makes
the highlighted one the primary, `x` takes it off the deal, `y` / `Y` copy its
email / phone, `enter` opens its page. Each change is one versioned deal write
(store.contacts) recorded on the deal's timeline; a change someone else made
meanwhile is refused, named, and the list reloads.
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
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store import contacts, deals
from store.deal_detail import DealDetail
from store.errors import StoreError
from store.contacts import DealContactInfo
from tui.clipboard import copy_value
from tui.failures import ReportsFailedWorkers
from tui.plain_text import plain, visible
from tui.widgets.people_list import CONTACTS, reach
from tui.widgets.picker_list import PickerList
from tui.screens.modals.frame import modal_frame_css

PROMPT_WIDTH = 66


@dataclass
class ContactsLoaded(Message):
    deal: DealDetail
    contacts: list[DealContactInfo]


@dataclass
class ContactsChanged(Message):
    message: str
    severity: str = "information"


class DealContactsScreen(ReportsFailedWorkers, ModalScreen[int | None]):
    """Dismisses with a contact id to open, or ``None``."""

    HELP_TITLE = "Contacts on the deal"
    DEFAULT_CSS = modal_frame_css("DealContactsScreen", 72) + """
    DealContactsScreen OptionList, DealContactsScreen OptionList:focus { height: auto; max-height: 14; border: none; }
    DealContactsScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="deal-contacts-close"),
        Binding("a", "add", "Add", id="deal-contacts-add"),
        Binding("p", "make_primary", "Primary", id="deal-contacts-primary"),
        Binding("x", "remove", "Remove", id="deal-contacts-remove"),
        Binding("y", "copy_email", "Copy email", id="deal-contacts-copy-email"),
        Binding("Y", "copy_phone", "Copy phone", show=False, id="deal-contacts-copy-phone"),
    ]

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.deal: DealDetail | None = None
        self.contacts: list[DealContactInfo] = []
        self._writing = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Contacts", id="deal-contacts-title", markup=False)
            yield PickerList(id="deal-contacts")
            yield Static("a add · p primary · x remove · y/Y copy · enter opens · esc closes", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="person-load", exit_on_error=False)
    def _load(self) -> None:
        with self.app.database.session() as session:
            deal = deals.get_deal(session, self.deal_id)
            on_deal = contacts.deal_contacts(session, self.deal_id)
        self.post_message(ContactsLoaded(deal, on_deal))

    @on(ContactsLoaded)
    def _show(self, message: ContactsLoaded) -> None:
        before = self.selected  # the cursor stays on its contact, though the primary moves first
        self.deal, self.contacts = message.deal, message.contacts
        self._writing = False
        title = Text("Contacts on “", style="bold")
        title.append(visible(message.deal.title))
        title.append("”")
        self.query_one("#deal-contacts-title", Static).update(title)
        options = self.query_one(OptionList)
        if self.contacts:
            ids = [c.contact.id for c in self.contacts]
            options.set_options([Option(self._prompt(c)) for c in self.contacts])
            options.highlighted = ids.index(before.contact.id) if before and before.contact.id in ids else 0
        else:
            options.set_options([Option(Text("no contacts yet: a adds one", style="dim"), disabled=True)])

    def _prompt(self, entry: DealContactInfo) -> Text:
        contact = entry.contact
        text = Text("★ " if entry.primary else "  ", style="bold")
        text.append_text(plain(contact.name, "bold"))
        extra = [visible(part) for part in (contact.job_title, reach(contact)) if part]
        if extra:
            text.append("  " + " · ".join(extra), style="dim")
        text.truncate(PROMPT_WIDTH, overflow="ellipsis")
        return text

    @property
    def selected(self) -> DealContactInfo | None:
        index = self.query_one(OptionList).highlighted
        return self.contacts[index] if index is not None and index < len(self.contacts) else None

    # --- keys ------------------------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        entry = self.selected
        if entry is not None:
            self.dismiss(entry.contact.id)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy_email(self) -> None:
        entry = self.selected
        if entry is not None:
            copy_value(self.app, entry.contact.email, "email")

    def action_copy_phone(self) -> None:
        entry = self.selected
        if entry is not None:
            copy_value(self.app, entry.contact.phone, "phone")

    def action_add(self) -> None:
        from tui.screens.modals.person_picker import NEW, PersonPickerScreen

        deal = self.deal
        if deal is None:
            return
        picker = PersonPickerScreen(CONTACTS, f"Add a contact to “{deal.title}”", offer_new=True,
                                    account_id=deal.account_id, exclude=deal.contact_id)

        def picked(choice) -> None:
            if choice == NEW:
                from tui.screens.modals.person_form import ContactFormScreen

                form = ContactFormScreen(account_name=deal.account_name)
                self.app.push_screen(form, lambda saved: saved is not None and self._add(saved.id, saved.name))
            elif isinstance(choice, int):
                self._add(choice, None)

        self.app.push_screen(picker, picked)

    def _add(self, contact_id: int, name: str | None) -> None:
        self._write(lambda s, deal: contacts.add_deal_contact(s, deal.id, contact_id, version=deal.version,
                                                            by=self.app.rep.id),
                    f"Added {name or 'the contact'} to “{self.deal.title}”")

    def action_make_primary(self) -> None:
        entry = self.selected
        if entry is None or entry.primary:
            return
        contact = entry.contact
        self._write(lambda s, deal: contacts.set_primary_contact(s, deal.id, contact.id, version=deal.version,
                                                               by=self.app.rep.id),
                    f"{contact.name} is now the primary contact")

    def action_remove(self) -> None:
        entry = self.selected
        if entry is None:
            return
        contact = entry.contact
        self._write(lambda s, deal: contacts.remove_deal_contact(s, deal.id, contact.id, version=deal.version,
                                                               by=self.app.rep.id),
                    f"Took {contact.name} off “{self.deal.title}”")

    def _write(self, operation, message: str) -> None:
        if self.deal is None or self._writing:
            return
        self._writing = True
        self._run_write(self.deal, operation, message)

    @work(thread=True, group="people-write", exit_on_error=False)
    def _run_write(self, deal: DealDetail, operation, message: str) -> None:
        try:
            with self.app.database.session() as session:
                operation(session, deal)
        except StoreError as exc:
            self.post_message(ContactsChanged(str(exc), "warning"))
            return
        self.post_message(ContactsChanged(message))

    @on(ContactsChanged)
    def _changed(self, message: ContactsChanged) -> None:
        self.notify(message.message, severity=message.severity, markup=False)
        self._load()

    def worker_failed(self, worker) -> None:
        self._writing = False
