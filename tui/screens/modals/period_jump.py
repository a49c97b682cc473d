"""`J` on Numbers: go to a period named by date (``2017-Q4``, ``2017-03``, ``2017-W05``).

The store reads the name in the team's timezone and refuses an unknown form or a
period that has not begun, in one line under the field; the form stays open with
what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from store import deal_numbers, numbers
from store.periods import PERIOD_FORMS, Period, periods_between
from tui.screens.modals.form import FormWorkers, field_row
from tui.screens.modals.task_form import LOGGING_FORM_CSS


@dataclass(frozen=True)
class PeriodChoice:
    """Where the numbers go: ``kind`` periods, ``offset`` from the current one."""

    kind: str
    offset: int
    period: Period


def choose_period(session, text: str) -> PeriodChoice:
    period = deal_numbers.period_from(session, text)
    current = numbers.team_period(session, period.kind)
    return PeriodChoice(period.kind, -periods_between(period, current), period)


class PeriodJumpScreen(FormWorkers, ModalScreen[PeriodChoice | None]):
    """Dismisses with the period chosen, or ``None`` when cancelled."""

    HELP_TITLE = "Go to a period"
    DEFAULT_CSS = "PeriodJumpScreen { align: center middle; }" + LOGGING_FORM_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="period-jump-cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="logging-form"):
            yield Static("Go to a period", classes="form-title", markup=False)
            yield Static(f"A period is {PERIOD_FORMS}. enter goes · escape cancels", classes="form-hint",
                         markup=False)
            yield from field_row("Period", Input(placeholder="2017-Q4 · 2017-03 · 2017-W05", id="period"))
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#period", Input).focus()

    @on(Input.Changed, "#period")
    def _changed(self) -> None:
        self.query_one("#form-error", Static).update("")

    @on(Input.Submitted)
    def _go(self) -> None:
        text = self.query_one("#period", Input).value
        self.save_in_worker(lambda session: choose_period(session, text), lambda choice: choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
