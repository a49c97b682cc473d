"""`x`: why was the deal lost (or the lead disqualified)? A reason from the team's
list, plus optional free text."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from tui.plain_text import plain, visible

from tui.widgets.picker_list import PickerList
from tui.screens.modals.frame import modal_frame_css

OTHER = "__other__"


class LostReasonScreen(ModalScreen[str | None]):
    HELP_TITLE = "Lost reason"
    DEFAULT_CSS = modal_frame_css("LostReasonScreen", 60, "$warning") + """
    LostReasonScreen OptionList { height: auto; max-height: 10; }
    LostReasonScreen Input { margin-top: 1; }
    LostReasonScreen #error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="lost-cancel")]

    def __init__(self, title: str, reasons: list[str], verb: str) -> None:
        super().__init__()
        self.deal_title = title
        self.reasons = reasons
        self.verb = verb
        self.reason: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(visible(f"{self.verb}: “{self.deal_title}”"), markup=False, classes="title")
            yield Label("Why? (enter picks, then add detail or press enter again)")
            yield PickerList(*[Option(plain(r), id=r) for r in self.reasons], Option("Other (type it below)", id=OTHER))
            yield Input(placeholder="detail (optional; required for Other)", id="detail")
            yield Static("", id="error", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.reason = None if event.option.id == OTHER else event.option.id
        detail = self.query_one("#detail", Input)
        detail.placeholder = "what happened? (required)" if self.reason is None else "detail (optional)"
        detail.focus()

    @on(Input.Submitted)
    def _confirm(self, event: Input.Submitted) -> None:
        detail = " ".join(event.value.split())
        if self.reason is None and not detail:
            highlighted = self.query_one(OptionList).highlighted_option
            if highlighted is not None and highlighted.id != OTHER and not self._chose_other():
                self.reason = highlighted.id
            else:
                self.query_one("#error", Static).update("Say why in a few words, or pick a reason above")
                return
        reason = self.reason or detail
        if self.reason and detail:
            reason = f"{self.reason}: {detail}"
        self.dismiss(reason)

    def _chose_other(self) -> bool:
        highlighted = self.query_one(OptionList).highlighted_option
        return highlighted is not None and highlighted.id == OTHER

    def action_cancel(self) -> None:
        self.dismiss(None)
