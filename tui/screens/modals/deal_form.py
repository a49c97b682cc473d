"""`N` / `e`: create or edit a lead or an opportunity.

Bad input is refused on its field before anything is written; the save itself
is one store call, so nothing is ever saved half-way.
"""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList, Suggester
from textual.widgets import Input, Select, Static

from store import board, clock, deals
from store.accounts import suggest_account
from store.dates import before_deal_warning, parse_day
from store.deals import DealDetail, DealFields
from store.errors import Conflict, InvalidInput, StoreError
from store.terms import LEAD
from store.money import format_money, parse_money
from store.reps import list_reps
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
            return suggest_account(session, value)


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
        self._warned_close = None  # a close day before the deal existed, already warned about

    def compose(self) -> ComposeResult:
        deal = self.deal
        with self.app.database.session() as session:
            choices = board.filter_choices(session)
            reps = list_reps(session)
        kind = "lead" if self.pipeline == LEAD else "opportunity"
        heading = f"Edit “{deal.title}”" if deal else f"New {kind}"

        def entry(id_: str, value: str | None, placeholder: str = "", suggester=None) -> Input:
            return Input(value or "", placeholder=placeholder, id=id_, suggester=suggester)

        owner_id = deal.owner_id if deal else self.app.rep.id
        with VerticalScroll():
            yield Static(heading, classes="form-title", markup=False)
            yield Static("enter saves · escape cancels · tab next field", classes="form-hint")
            yield from field_row("Title", entry("title", deal and deal.title, "Acme — fleet rollout"))
            yield from field_row(
                "Account", entry("account", deal and deal.account_name, "pick or create", AccountSuggester(self.app.database))
            )
            yield from field_row("Contact", entry("contact", deal and deal.contact_name, "name"))
            yield from field_row("Email", entry("email", deal and deal.contact_email))
            yield from field_row("Phone", entry("phone", deal and deal.contact_phone))
            yield from field_row(
                "Value", entry("value", deal and format_money(deal.value).lstrip("$"), "12500, 12.5k")
            )
            yield from field_row(
                "Expected close",
                entry("close", deal and deal.expected_close and deal.expected_close.isoformat(), "2026-12-15, +3w, next month"),
            )
            yield from field_row("Source", entry("source", deal and deal.source, "", SuggestFromList(choices.sources, case_sensitive=False)))
            yield from field_row(
                "Territory", entry("territory", deal and deal.territory, "", SuggestFromList(choices.territories, case_sensitive=False))
            )
            yield from field_row("Product", entry("product", deal and deal.product, "", SuggestFromList(choices.products, case_sensitive=False)))
            yield from field_row(
                "Owner", Select([(r.name, r.id) for r in reps], value=owner_id, allow_blank=False, id="owner")
            )
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def _field(self, id_: str) -> str:
        return self.query_one(f"#{id_}", Input).value.strip()

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
                value = parse_money(self._field("value"))
            except InvalidInput as exc:
                show_error(self, "value", str(exc).capitalize())
                ok = False
        close = None
        if self._field("close"):
            tz = self.app.rep.timezone
            today = clock.today_in(tz)
            try:
                close = parse_day(self._field("close"), today)
            except InvalidInput as exc:
                show_error(self, "close", str(exc).capitalize())
                ok = False
            else:
                created = self.deal.created_at.in_timezone(tz).date() if self.deal else today
                warning = before_deal_warning(close, created, today)
                # A likely typo in the year, but a rep back-filling history may mean it: enter again keeps it.
                if warning and close != self._warned_close and close != (self.deal and self.deal.expected_close):
                    self._warned_close = close
                    show_error(self, "close", f"{warning}. Enter again to keep it.")
                    ok = False
        email = self._field("email")
        if email and "@" not in email:
            show_error(self, "email", f"{email!r} is not an email address")
            ok = False
        if not ok:
            return None
        editing = self.deal is not None
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
            self.query_one("#form-error", Static).update(str(exc))
            return
        verb = "Saved" if self.deal else "Created"
        self.app.notify(f"{verb} “{saved.title}”", markup=False)
        self.dismiss(saved.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
