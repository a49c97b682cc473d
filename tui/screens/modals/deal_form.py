"""`N` / `e`: create or edit a lead or an opportunity.

Bad input is refused on its field before anything is written; the save itself
is one store call, so nothing is ever saved half-way.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList, Suggester
from textual.widgets import Input, Select, Static

from store import board, clock, deals
from store.accounts import suggest_account
from store.dates import before_deal_warning, parse_day
from store.deals import DealDetail, DealFields
from store.errors import Conflict, InvalidInput
from store.terms import LEAD
from store.money import DEFAULT_CURRENCY, amount_text, database_currency, format_money, parse_money
from store.reps import RepInfo, list_reps
from tui.plain_text import plain, visible
from tui.screens.modals.form import FORM_CSS, KEEP_OPEN, FormWorkers, field_row, show_error
from tui.screens.modals.frame import modal_frame_css


@dataclass
class ChoicesLoaded(Message):
    choices: board.FilterChoices
    reps: list[RepInfo]
    currency: str


@dataclass(frozen=True)
class EditConflict:
    """Someone saved the deal while the rep was editing it: what it holds now."""

    message: str
    now: DealDetail


def _typed(deal: DealDetail | None) -> dict[str, str]:
    """What each text field holds when the form opens on ``deal``."""
    if deal is None:
        return {}
    return {
        "title": deal.title,
        "account": deal.account_name or "",
        "contact": deal.contact_name or "",
        "email": deal.contact_email or "",
        "phone": deal.contact_phone or "",
        "value": amount_text(deal.value),
        "close": deal.expected_close.isoformat() if deal.expected_close else "",
        "source": deal.source or "",
        "territory": deal.territory or "",
        "product": deal.product or "",
    }


def _changed_meanwhile(before: DealDetail, now: DealDetail, currency: str) -> str:
    """``value $15,000 · owner Morgan Blake``: the fields the other save changed."""
    shown = {
        "title": lambda d: d.title,
        "account": lambda d: d.account_name or "none",
        "contact": lambda d: d.contact_name or "none",
        "value": lambda d: format_money(d.value, currency),
        "close": lambda d: d.expected_close.isoformat() if d.expected_close else "none",
        "source": lambda d: d.source or "none",
        "territory": lambda d: d.territory or "none",
        "product": lambda d: d.product or "none",
        "owner": lambda d: d.owner_name,
        "stage": lambda d: d.stage_name,
    }
    changed = [f"{name} {get(now)}" for name, get in shown.items() if get(before) != get(now)]
    return " · ".join(changed) or "nothing you can see here"


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


class DealFormScreen(FormWorkers, ModalScreen[int | None]):
    """Dismisses with the saved deal's id, or ``None`` when cancelled."""

    HELP_TITLE = "Deal form"
    DEFAULT_CSS = (
        modal_frame_css("DealFormScreen", 72, box="VerticalScroll")
        + """
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
        self.currency: str | None = None  # the database's, once the choices arrive
        self._warned_close = None  # a close day before the deal existed, already warned about

    def compose(self) -> ComposeResult:
        deal = self.deal
        kind = "lead" if self.pipeline == LEAD else "opportunity"
        heading = f"Edit “{deal.title}”" if deal else f"New {kind}"

        def entry(id_: str, value: str | None, placeholder: str = "", suggester=None) -> Input:
            if value:
                self._prefilled[id_] = value
            return Input(visible(value), placeholder=placeholder, id=id_, suggester=suggester)

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
                "Value", entry("value", deal and amount_text(deal.value), "12500, 12.5k")
            )
            yield from field_row(
                "Expected close",
                entry("close", deal and deal.expected_close and deal.expected_close.isoformat(), "2026-12-15, +3w, next month"),
            )
            yield from field_row("Source", entry("source", deal and deal.source))
            yield from field_row("Territory", entry("territory", deal and deal.territory))
            yield from field_row("Product", entry("product", deal and deal.product))
            # The other reps arrive with the choices (a worker); until then, the owner alone.
            owner_name = deal.owner_name if deal else self.app.rep.name
            yield from field_row(
                "Owner", Select([(plain(owner_name), owner_id)], value=owner_id, allow_blank=False, id="owner")
            )
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self._load_choices()

    @work(thread=True, group="form-load", exit_on_error=False)
    def _load_choices(self) -> None:
        with self.app.database.session() as session:
            self.post_message(
                ChoicesLoaded(board.filter_choices(session), list_reps(session), database_currency(session))
            )

    def on_choices_loaded(self, message: ChoicesLoaded) -> None:
        choices = message.choices
        for id_, values in (("source", choices.sources), ("territory", choices.territories),
                            ("product", choices.products)):
            drawable = [v for v in values if _drawable(v)]
            self.query_one(f"#{id_}", Input).suggester = SuggestFromList(drawable, case_sensitive=False)
        owner = self.query_one("#owner", Select)
        chosen = owner.value
        owner.set_options([(plain(r.name), r.id) for r in message.reps])
        self.currency = message.currency
        self.query_one("#value", Input).placeholder = f"12500, 12.5k ({message.currency})"
        owner.value = chosen

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
        editing = self.deal is not None
        if editing:
            # The store keeps what it is not given: an emptied field would say "Saved" and keep
            # the old value, so say what to do instead.
            deal = self.deal
            cleared = [
                ("value", deal.value, "A deal always has a value: type 0 for none"),
                ("close", deal.expected_close, "The expected close cannot be emptied: type the new day"),
                ("email", deal.contact_email, "The email cannot be emptied here: type the new one"),
                ("phone", deal.contact_phone, "The phone cannot be emptied here: type the new one"),
            ]
            for id_, had, message in cleared:
                if had and not self._field(id_):
                    show_error(self, id_, message)
                    ok = False
        if not ok:
            return None
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
        rep_id, pipeline, deal, database = self.app.rep.id, self.pipeline, self.deal, self.app.database

        def save(session):
            if deal is None:
                return deals.create_deal(session, pipeline, fields, by=rep_id)
            try:
                return deals.edit_deal(session, deal.id, fields, version=deal.version, by=rep_id)
            except Conflict as exc:
                with database.session() as fresh:
                    return EditConflict(str(exc), deals.get_deal(fresh, deal.id))

        self.save_in_worker(save, self._saved)

    def _saved(self, saved: DealDetail | EditConflict):
        if isinstance(saved, EditConflict):
            # Keep what the rep typed; show what the other save changed; the next save
            # states the new version, so it goes over theirs only if the rep says so.
            meanwhile = _changed_meanwhile(self.deal, saved.now, self.currency or DEFAULT_CURRENCY)
            # Fields the rep left alone take the new values; the ones they changed stay theirs.
            was, now = _typed(self.deal), _typed(saved.now)
            for id_, value in was.items():
                field = self.query_one(f"#{id_}", Input)
                if field.value.strip() == visible(value).strip() and now[id_] != value:
                    field.value = visible(now[id_])
                    self._prefilled[id_] = now[id_]
            owner = self.query_one("#owner", Select)
            if owner.value == self.deal.owner_id and saved.now.owner_id != self.deal.owner_id:
                owner.value = saved.now.owner_id
            self.deal = saved.now
            self.query_one("#form-error", Static).update(visible(
                f"{saved.message.split('; reload')[0]}. Now: {meanwhile}. "
                "Your changes are kept, the rest updated: ctrl+s saves, escape drops yours."
            ))
            return KEEP_OPEN
        verb = "Saved" if self.deal else "Created"
        self.app.notify(f"{verb} “{saved.title}”", markup=False)
        return saved.id

    def action_cancel(self) -> None:
        self.dismiss(None)
