"""`c` on Today: a rep's working days and daily capacity, in one small form."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from store.errors import InvalidInput
from store.reps import RepInfo
from store.workweek import (
    WORKING_DAYS_HELP,
    describe_working_days,
    parse_working_days,
    set_workweek,
)
from tui.plain_text import visible
from tui.screens.modals.form import FormWorkers, field_row
from tui.screens.modals.task_form import LOGGING_FORM_CSS, sentence, show_field_error


class WorkweekScreen(FormWorkers, ModalScreen[RepInfo | None]):
    """Dismisses with the rep as saved, or ``None`` when cancelled."""

    HELP_TITLE = "Working days and capacity"
    DEFAULT_CSS = "WorkweekScreen { align: center middle; }" + LOGGING_FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="workweek-cancel"),
        Binding("ctrl+s", "save", "Save", id="workweek-save"),
    ]

    def __init__(self, rep: RepInfo) -> None:
        super().__init__()
        self.rep = rep

    def compose(self) -> ComposeResult:
        with Vertical(classes="logging-form"):
            yield Static(visible(f"Working days and capacity: {self.rep.name}"), classes="form-title", markup=False)
            yield Static(
                "Snooze, balance and new tasks use these. enter saves · escape cancels · tab next field",
                classes="form-hint",
            )
            yield from field_row("Working days", Input(describe_working_days(self.rep.working_days), id="days"))
            yield Static(WORKING_DAYS_HELP.capitalize(), id="days-hint", classes="field-hint")
            yield from field_row("Tasks a day", Input(str(self.rep.capacity), id="capacity", type="integer"))
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#days", Input).focus()

    @on(Input.Changed, "#days")
    def _days_changed(self, event: Input.Changed) -> None:
        show_field_error(self, "days", None)
        try:
            line = describe_working_days(parse_working_days(event.value))
        except InvalidInput:
            line = WORKING_DAYS_HELP.capitalize()
        self.query_one("#days-hint", Static).update(line)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        for field in ("days", "capacity"):
            show_field_error(self, field, None)
        ok = True
        try:
            days = parse_working_days(self.query_one("#days", Input).value)
        except InvalidInput as exc:
            show_field_error(self, "days", sentence(str(exc)))
            ok = False
        capacity_text = self.query_one("#capacity", Input).value.strip()
        if not capacity_text.isdigit():
            show_field_error(self, "capacity", "A whole number of tasks, e.g. 12")
            ok = False
        if not ok:
            return
        rep_id, capacity, me = self.rep.id, int(capacity_text), self.app.rep.id
        self.save_in_worker(
            lambda session: set_workweek(session, rep_id, working_days=days, capacity=capacity, by=me),
            lambda saved: saved,
        )

    def save_refused(self, message: str) -> None:
        super().save_refused(sentence(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
