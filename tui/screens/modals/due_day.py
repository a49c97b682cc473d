"""`d` on Today: give a task a new due day, typed the way the task form takes it.

The line under the field shows which day the text means and how full that day
is for the task's owner; a full, past or day-off pick is warned about once, and
enter again keeps it (the task form's rule: capacity warns, it never refuses).
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from store.reps import RepInfo
from tui.plain_text import visible
from tui.screens.modals.form import KEEP_OPEN, FormWorkers, field_row
from tui.screens.modals.task_form import (
    LOGGING_FORM_CSS,
    DueField,
    DueHint,
    show_day,
    show_field_error,
)


class DueDayScreen(FormWorkers, ModalScreen[date | None]):
    """Dismisses with the chosen day, or ``None`` when cancelled."""

    HELP_TITLE = "Due day"
    DEFAULT_CSS = "DueDayScreen { align: center middle; }" + LOGGING_FORM_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="due-day-cancel")]

    def __init__(self, task_title: str, due: date, owner: RepInfo) -> None:
        super().__init__()
        self.task_title = task_title
        self.due_now = due
        self.owner = owner
        self.due = DueField("due")

    def compose(self) -> ComposeResult:
        with Vertical(classes="logging-form"):
            yield Static(visible(f"Due day for “{self.task_title}”"), classes="form-title", markup=False)
            yield Static(
                f"Now due {show_day(self.due_now)}. enter saves · escape cancels", classes="form-hint", markup=False
            )
            yield from field_row("Due", Input(placeholder="fri · +3d · next week · 2026-12-01", id="due"))
            yield DueHint(self.app.database, self.owner, id="due-hint")
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#due", Input).focus()
        self.query_one(DueHint).check("")

    @on(Input.Changed, "#due")
    def _changed(self, event: Input.Changed) -> None:
        show_field_error(self, "due", None)
        self.due.forget()
        self.query_one(DueHint).check(event.value)

    @on(Input.Submitted)
    def _save(self) -> None:
        owner, text, due_field = self.owner, self.query_one("#due", Input).value, self.due

        def outcome(due):
            checked = due_field.accept(self, due)
            return checked.day if checked is not None else KEEP_OPEN

        self.save_in_worker(lambda session: due_field.check(session, owner, text), outcome)

    def action_cancel(self) -> None:
        self.dismiss(None)
