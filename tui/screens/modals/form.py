"""Shared look of Legwork's forms: one line per field, the error under it.

Fields are one row high so a whole form fits an 80×24 terminal; enter saves
from any field, escape cancels with nothing saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Static
from tui.plain_text import visible

from store.deal_detail import DealDetail, get_deal
from store.errors import Forbidden, StoreError
from tui.failures import ReportsFailedWorkers, reason

FORM_CSS = """
.form-row { height: 1; }
.form-row Label { width: 16; color: $text-muted; }
.form-row Input, .form-row Select { width: 1fr; }
.form-row Input { border: none; height: 1; padding: 0 1; background: $boost; }
.form-row Input:focus { border: none; background: $primary 30%; }
.form-row Select { height: 1; }
.form-row Select > SelectCurrent { border: none; height: 1; padding: 0 1; background: $boost; }
.form-row Select:focus > SelectCurrent { background: $primary 30%; }
.field-error { color: $error; height: auto; padding-left: 16; }
.field-error.-empty { display: none; }
.form-hint { color: $text-muted; height: auto; margin-bottom: 1; }
.form-title { text-style: bold; }
"""


def field_row(label: str, widget: Widget) -> ComposeResult:
    with Horizontal(classes="form-row"):
        yield Label(label)
        yield widget
    error = Static("", id=f"{widget.id}-error", classes="field-error -empty", markup=False)
    yield error


def show_error(form: Widget, field_id: str, message: str | None) -> None:
    error = form.query_one(f"#{field_id}-error", Static)
    error.update(visible(message))  # it may quote what was typed
    error.set_class(not message, "-empty")


# --- store work off the event loop --------------------------------------------------------


@dataclass
class FormDealLoaded(Message):
    deal: DealDetail


@dataclass
class FormSaved(Message):
    """The form's work finished; ``outcome(result)`` says what the form dismisses with."""

    result: object
    outcome: Callable


# What ``outcome`` returns when the work found a problem to show: the form stays open.
KEEP_OPEN = object()


@dataclass
class FormRefused(Message):
    """A store rule refused the write: nothing was saved; the form stays open."""

    message: str
    forbidden: bool = False  # not the rep's to change (store.permissions): also one error line


class FormWorkers(ReportsFailedWorkers):
    """Mixin for a form over a deal: it reads the deal and saves in thread workers, like
    every screen. A rule's refusal shows on the form (``#form-error``); any other
    failure is one error line (ReportsFailedWorkers) and the form stays open with what
    the rep typed, so nothing is lost and nothing claims to be saved."""

    deal_id: int
    deal: DealDetail | None = None
    _saving = False

    def load_deal(self) -> None:
        self._load_deal(self.deal_id)

    @work(thread=True, group="form-load", exit_on_error=False)
    def _load_deal(self, deal_id: int) -> None:
        with self.app.database.session() as session:
            deal = get_deal(session, deal_id)
        self.post_message(FormDealLoaded(deal))

    def on_form_deal_loaded(self, message: FormDealLoaded) -> None:
        message.stop()
        self.deal = message.deal
        self.deal_loaded(message.deal)

    def deal_loaded(self, deal: DealDetail) -> None:
        """Show what depends on the deal (its title, at least)."""

    @property
    def deal_title(self) -> str:
        return self.deal.title if self.deal else "the deal"

    def save_in_worker(self, operation: Callable, outcome: Callable) -> None:
        """Run ``operation(session)`` in a worker; then, back on the screen, dismiss with
        ``outcome(result)`` unless that is ``KEEP_OPEN``."""
        if self._saving:
            return  # enter pressed twice: one save
        self._saving = True
        self._run_form_save(operation, outcome)

    @work(thread=True, group="form-save", exit_on_error=False)
    def _run_form_save(self, operation: Callable, outcome: Callable) -> None:
        try:
            with self.app.database.session() as session:
                result = operation(session)
        except StoreError as exc:
            self.post_message(FormRefused(str(exc), isinstance(exc, Forbidden)))
            return
        self.post_message(FormSaved(result, outcome))

    def on_form_saved(self, message: FormSaved) -> None:
        message.stop()
        self._saving = False
        outcome = message.outcome(message.result)
        if outcome is not KEEP_OPEN:
            self.dismiss(outcome)

    def on_form_refused(self, message: FormRefused) -> None:
        message.stop()
        self._saving = False
        if message.forbidden:
            self.notify(visible(message.message), severity="error", markup=False)
        self.save_refused(message.message)

    def save_refused(self, message: str) -> None:
        self.query_one("#form-error", Static).update(visible(message))  # a refusal may quote what was typed

    def worker_failed(self, worker) -> None:
        if worker.group == "form-save":
            self._saving = False
            self.query_one("#form-error", Static).update(visible(f"Not saved: {reason(worker.error)}"))
