"""After `space` on Today: the task is done; log the activity it stood for?

One keystroke logs it: enter, with the type guessed from the task's title ("Call
Jo" → call). Tab picks another type; an outcome is optional. Escape logs
nothing (the task stays done).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from store.activities import MAX_OUTCOME
from store.terms import ACTIVITY_TYPES
from tui.plain_text import visible
from tui.screens.modals.form import FORM_CSS, field_row, show_error


@dataclass(frozen=True)
class DoneLog:
    """What to log for the finished task."""

    type: str
    outcome: str


class LogDoneScreen(ModalScreen[DoneLog | None]):
    HELP_TITLE = "Log what was done"
    DEFAULT_CSS = (
        """
    LogDoneScreen { align: center middle; }
    LogDoneScreen > Vertical {
        width: 72; max-width: 100%; height: auto;
        border: round $success; background: $surface; padding: 0 1;
    }
    LogDoneScreen #done-types { height: 1; margin-bottom: 1; }
    """
        + FORM_CSS
    )
    BINDINGS = [
        Binding("tab", "cycle_type(1)", "Next type", priority=True, id="done-next-type"),
        Binding("shift+tab", "cycle_type(-1)", "Previous type", priority=True, id="done-previous-type"),
        Binding("escape", "skip", "Don't log", id="done-skip"),
    ]

    def __init__(self, task_title: str, deal_title: str, guessed: str) -> None:
        super().__init__()
        self.task_title = task_title
        self.deal_title = deal_title
        self.type = guessed if guessed in ACTIVITY_TYPES else "other"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Text.assemble(("✓ Done: ", "bold"), f"“{visible(self.task_title)}”", (" on ", "dim"),
                              f"“{visible(self.deal_title)}”"),
                id="done-title",
            )
            yield Static(self._types(), id="done-types")
            yield from field_row("Outcome", Input(placeholder="optional: what came of it, in one line", id="outcome"))
            yield Static("enter logs it · tab changes the type · escape: done, nothing logged", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#outcome", Input).focus()

    def _types(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Log it as       ", style="dim")
        for kind in ACTIVITY_TYPES:
            text.append(f" {kind} ", style="bold reverse" if kind == self.type else "dim")
        return text

    def action_cycle_type(self, step: int) -> None:
        index = (ACTIVITY_TYPES.index(self.type) + step) % len(ACTIVITY_TYPES)
        self.type = ACTIVITY_TYPES[index]
        self.query_one("#done-types", Static).update(self._types())

    @on(Input.Submitted)
    def _log(self) -> None:
        outcome = " ".join(self.query_one("#outcome", Input).value.split())
        if len(outcome) > MAX_OUTCOME:
            show_error(self, "outcome", f"That is {len(outcome)} characters; keep it under {MAX_OUTCOME}")
            return
        self.dismiss(DoneLog(self.type, outcome))

    def action_skip(self) -> None:
        self.dismiss(None)
