"""`N` / `e`: create or edit a lead or an opportunity.

Bad input is refused on its field before anything is written; the save itself
is one store call, so nothing is ever saved half-way.
"""

from __future__ import annotations

import asyncio
import dataclasses

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList, Suggester
from textual.widgets import Input, Select, Static

from store import board, clock, deals
from store.accounts import suggest_account
from store.dates import parse_day
from store.deals import DealDetail, DealFields
from store.errors import Conflict, InvalidInput, StoreError
from store.terms import LEAD
from store.money import amount_text, database_currency, parse_money
from store.reps import list_reps
from tui.plain_text import plain, visible
from tui.screens.modals.form import FORM_CSS, field_row, show_error


class AccountSuggester(Suggester):
    """Completes account names from the database as the rep types."""

    def __init__(self, database) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        self.database = database

    async def get_suggestion(self, value: str) -> str | None:
        # In a thread: the lookup runs on every key press and must not hold up the screen.
        return await asyncio.to_thread(self._suggest, value)

    def _suggest(self, value: str) -> str | None:
        with self.database.session() as session:
            return _drawable(suggest_account(session, value))


def _drawable(name: str | None) -> str | None:
    """A suggestion is drawn as typed in the Input: never one with control characters."""
    return name if name is not None and visible(name) == name else None


class DealFormScreen(ModalScreen[int | None]):
    """Dismisses with the saved deal's id, or ``None`` when cancelled."""

    HELP_TITLE = "Deal form"
    DEFAULT_CSS = (
        """
    DealFormScreen { align: center middle; }
    DealFormScreen > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    DealFormScreen #form-error { color: $error; height: auto; }
    """
        + FORM_CSS
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("ctrl+s", "save", "Save", id="form-save"),
    ]

    def __init__(self, pipeline: str, deal: DealDetail | None) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.deal = deal
        self._prefilled: dict[str, str] = {}  # field id → the stored text it was filled with

    def compose(self) -> ComposeResult:
        deal = self.deal
        with self.app.database.session() as session:
            choices = board.filter_choices(session)
            reps = list_reps(session)
            self.currency = database_currency(session)
        kind = "lead" if self.pipeline == LEAD else "opportunity"
        heading = f"Edit “{deal.title}”" if deal else f"New {kind}"

        def entry(id_: str, value: str | None, placeholder: str = "", suggester=None) -> Input:
            if value:
                self._prefilled[id_] = value
            return Input(visible(value), placeholder=placeholder, id=id_, suggester=suggester)

        def suggest(names: list[str]) -> SuggestFromList:
            return SuggestFromList([n for n in names if _drawable(n)], case_sensitive=False)

        owner_id = deal.owner_id if deal else self.app.rep.id
        with VerticalScroll():
            yield Static(visible(heading), classes="form-title", markup=False)
            yield Static("enter saves · escape cancels · tab next field", classes="form-hint")
            yield from field_row("Title", entry("title", deal and deal.title, "Acme — fleet rollout"))
            yield from field_row(
                "Account", entry("account", deal and deal.account_name, "pick or create", AccountSuggester(self.app.database))
            )
            yield from field_row("Contact", entry("contact", deal and deal.contact_name, "name"))
            yield from field_row("Email", entry("email", deal and deal.contact_email))
            yield from field_row("Phone", entry("phone", deal and deal.contact_phone))
            yield from field_row(
                "Value", entry("value", deal and amount_text(deal.value), f"12500, 12.5k ({self.currency})")
            )
            yield from field_row(
                "Expected close",
                entry("close", deal and deal.expected_close and deal.expected_close.isoformat(), "2026-12-15, +3w, next month"),
            )
            yield from field_row("Source", entry("source", deal and deal.source, "", suggest(choices.sources)))
            yield from field_row(
                "Territory", entry("territory", deal and deal.territory, "", suggest(choices.territories))
            )
            yield from field_row("Product", entry("product", deal and deal.product, "", suggest(choices.products)))
            yield from field_row(
                "Owner", Select([(plain(r.name), r.id) for r in reps], value=owner_id, allow_blank=False, id="owner")
            )
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def _field(self, id_: str) -> str:
        value = self.query_one(f"#{id_}", Input).value.strip()
        # Filled with stored text whose control characters are shown as ␛ and the like,
        # and left as it was: the stored text stays, so saving another field changes it not.
        original = self._prefilled.get(id_)
        if original is not None and value == visible(original).strip():
            return original.strip()
        return value

    def _read(self) -> DealFields | None:
        """The form's values, or None after marking every bad field."""
        ok = True
        for id_ in ("title", "value", "close", "email"):
            show_error(self, id_, None)
        title = self._field("title")
        if not title:
            show_error(self, "title", "A deal needs a title")
            ok = False
        value = None
        if self._field("value"):
            try:
                value = parse_money(self._field("value"), self.currency)
            except InvalidInput as exc:
                # Not str.capitalize(): it would lower-case the currency codes.
                show_error(self, "value", str(exc)[:1].upper() + str(exc)[1:])
                ok = False
        close = None
        if self._field("close"):
            try:
                close = parse_day(self._field("close"), clock.today_in(self.app.rep.timezone))
            except InvalidInput as exc:
                show_error(self, "close", str(exc).capitalize())
                ok = False
        email = self._field("email")
        if email and "@" not in email:
            show_error(self, "email", f"{email!r} is not an email address")
            ok = False
        if not ok:
            return None
        editing = self.deal is not None
        fields = self._fields(title, value, close, email, editing)
        return self._untouched_left_alone(fields) if editing else fields

    # Form field id → the DealFields attribute it fills.
    _TEXT_FIELDS = {"title": "title", "account": "account", "contact": "contact", "email": "contact_email",
                    "phone": "contact_phone", "source": "source", "territory": "territory", "product": "product"}

    def _untouched_left_alone(self, fields: DealFields) -> DealFields:
        """An edit names only what the user changed: a stored text left as it was is not sent
        back, so an older record holding characters the store now refuses still saves its other fields."""
        untouched = {
            attr: None
            for id_, attr in self._TEXT_FIELDS.items()
            if id_ in self._prefilled and getattr(fields, attr) == self._prefilled[id_].strip()
        }
        if any(getattr(fields, attr) is not None and attr not in untouched for attr in ("contact_email", "contact_phone")):
            untouched.pop("contact", None)  # the store reads a new email or phone with its contact
        return dataclasses.replace(fields, **untouched) if untouched else fields

    def _fields(self, title, value, close, email, editing: bool) -> DealFields:
        return DealFields(
            title=title,
            # When editing, an emptied field clears it; "" tells the store so.
            account=self._field("account") if editing else self._field("account") or None,
            contact=self._field("contact") if editing else self._field("contact") or None,
            contact_email=email or None,
            contact_phone=self._field("phone") or None,
            value=value if value is not None else (0 if not editing else None),
            expected_close=close,
            source=self._field("source") if editing else self._field("source") or None,
            territory=self._field("territory") if editing else self._field("territory") or None,
            product=self._field("product") if editing else self._field("product") or None,
            owner_id=self.query_one("#owner", Select).value,
        )

    def action_save(self) -> None:
        fields = self._read()
        if fields is None:
            return
        rep_id = self.app.rep.id
        try:
            with self.app.database.session() as session:
                if self.deal is None:
                    saved = deals.create_deal(session, self.pipeline, fields, by=rep_id)
                else:
                    saved = deals.edit_deal(session, self.deal.id, fields, version=self.deal.version, by=rep_id)
        except Conflict as exc:
            self.app.notify(str(exc), severity="error", markup=False)
            self.dismiss(self.deal.id if self.deal else None)
            return
        except StoreError as exc:
            self.query_one("#form-error", Static).update(visible(str(exc)))
            return
        verb = "Saved" if self.deal else "Created"
        self.app.notify(f"{verb} “{saved.title}”", markup=False)
        self.dismiss(saved.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
