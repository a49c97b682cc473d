"""`N` / `e` on the people screens: add or edit an account or a contact.

One store call saves the whole form; a refusal (a duplicate name, a bad email)
shows on the form and nothing is saved.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from store import accounts, contacts
from store.accounts import AccountInfo
from store.contacts import ContactInfo
from tui.plain_text import visible
from tui.screens.modals.form import FORM_CSS, FormWorkers, field_row, show_error

PERSON_FORM_CSS = (
    """
.person-form {
    width: 72; max-width: 100%; height: auto; max-height: 100%;
    border: round $primary; background: $surface; padding: 0 1;
}
#form-error { color: $error; height: auto; }
"""
    + FORM_CSS
)


class _PersonForm(FormWorkers, ModalScreen[object]):
    FIELDS: tuple[tuple[str, str, str], ...] = ()  # (id, label, placeholder)
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="person-form-cancel"),
        Binding("ctrl+s", "save", "Save", id="person-form-save"),
    ]

    def __init__(self, heading: str, values: dict[str, str | None]) -> None:
        super().__init__()
        self.heading = heading
        self._prefilled = {k: v for k, v in values.items() if v}

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="person-form"):
            yield Static(visible(self.heading), classes="form-title", markup=False)
            yield Static("enter saves · escape cancels · tab next field", classes="form-hint")
            for id_, label, placeholder in self.FIELDS:
                yield from field_row(label, Input(visible(self._prefilled.get(id_)), placeholder=placeholder, id=id_))
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(f"#{self.FIELDS[0][0]}", Input).focus()

    def field(self, id_: str) -> str | None:
        """What the field holds; stored text left as it was stays the stored text (its
        control characters were shown as pictures, not typed)."""
        value = self.query_one(f"#{id_}", Input).value.strip()
        original = self._prefilled.get(id_)
        if original is not None and value == visible(original).strip():
            return original.strip()
        return value or None

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)


class AccountFormScreen(_PersonForm):
    """Dismisses with the saved ``AccountInfo``, or ``None``."""

    HELP_TITLE = "Account form"
    DEFAULT_CSS = "AccountFormScreen { align: center middle; }" + PERSON_FORM_CSS
    FIELDS = (("name", "Name", "Acme Corp"), ("domain", "Domain", "acme.example"))

    def __init__(self, account: AccountInfo | None = None) -> None:
        heading = f"Edit account “{account.name}”" if account else "New account"
        super().__init__(heading, {"name": account and account.name, "domain": account and account.domain})
        self.account = account

    def action_save(self) -> None:
        show_error(self, "name", None)
        name, domain = self.field("name"), self.field("domain")
        if not name:
            show_error(self, "name", "An account needs a name")
            return
        rep_id, account = self.app.rep.id, self.account
        if account is None:
            self.save_in_worker(lambda s: accounts.add_account(s, name, domain, by=rep_id), lambda saved: saved)
        else:
            self.save_in_worker(
                lambda s: accounts.edit_account(s, account.id, name=name, domain=domain, by=rep_id), lambda saved: saved
            )


class ContactFormScreen(_PersonForm):
    """Dismisses with the saved ``ContactInfo``, or ``None``."""

    HELP_TITLE = "Contact form"
    DEFAULT_CSS = "ContactFormScreen { align: center middle; }" + PERSON_FORM_CSS
    FIELDS = (
        ("name", "Name", "Jo Park"),
        ("account", "Account", "the company (made if new)"),
        ("email", "Email", "jo@acme.example"),
        ("phone", "Phone", "+1 555 0101"),
        ("job-title", "Job title", "Head of fleet"),
    )

    def __init__(self, contact: ContactInfo | None = None, *, account_name: str | None = None) -> None:
        heading = f"Edit contact “{contact.name}”" if contact else "New contact"
        super().__init__(heading, {
            "name": contact and contact.name,
            "account": contact.account_name if contact else account_name,
            "email": contact and contact.email,
            "phone": contact and contact.phone,
            "job-title": contact and contact.job_title,
        })
        self.contact = contact

    def action_save(self) -> None:
        for id_ in ("name", "email"):
            show_error(self, id_, None)
        name, email = self.field("name"), self.field("email")
        if not name:
            show_error(self, "name", "A contact needs a name")
            return
        if email and "@" not in email:
            show_error(self, "email", "An email address has an @")
            return
        values = dict(email=email, phone=self.field("phone"), job_title=self.field("job-title"),
                      account_name=self.field("account"), by=self.app.rep.id)
        contact = self.contact
        if contact is None:
            self.save_in_worker(lambda s: contacts.add_contact(s, name, **values), lambda saved: saved)
        else:
            self.save_in_worker(lambda s: contacts.edit_contact(s, contact.id, name=name, **values), lambda saved: saved)
