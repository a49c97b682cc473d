"""A yes / no question asked in the middle of a flow: `y` yes, `n` no, `escape`
backs out of the whole flow (``None``)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.plain_text import plain
from tui.screens.modals.frame import modal_frame_css


class ConfirmScreen(ModalScreen[bool | None]):
    HELP_TITLE = "Confirm"
    DEFAULT_CSS = modal_frame_css("ConfirmScreen", 60, "$warning") + """
    ConfirmScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n", "answer(False)", "No", id="confirm-no"),
        Binding("escape", "cancel", "Cancel", id="confirm-cancel"),
    ]

    def __init__(self, question: str, detail: str = "", hint: str = "y yes · n no · escape cancels") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.question, "bold"), id="question")
            if self.detail:
                yield Static(plain(self.detail), id="detail")
            yield Static(self.hint, classes="hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_cancel(self) -> None:
        self.dismiss(None)
