"""`o` on a closed deal: which open stage it goes back to. The stage it closed
from is highlighted, so `enter` alone reopens it where it was."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.closed import ReopenChoice
from tui.plain_text import plain, visible
from tui.widgets.picker_list import PickerList


class ReopenStageScreen(ModalScreen[int | None]):
    """Dismisses with the chosen open stage's id, or ``None``."""

    HELP_TITLE = "Reopen"
    DEFAULT_CSS = """
    ReopenStageScreen { align: center middle; }
    ReopenStageScreen > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ReopenStageScreen OptionList, ReopenStageScreen OptionList:focus { height: auto; max-height: 12; border: none; }
    ReopenStageScreen .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reopen-cancel")]

    def __init__(self, title: str, choice: ReopenChoice) -> None:
        super().__init__()
        self.deal_title = title
        self.choice = choice

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble(("Reopen ", "bold"), (f"“{visible(self.deal_title)}”", "bold"), " in which stage?"))
            options = []
            for stage in self.choice.stages:
                label = plain(stage.name)
                if stage.id == self.choice.closed_from:
                    label.append("  (where it was)", style="dim")
                options.append(Option(label, id=str(stage.id)))
            yield PickerList(*options)
            yield Static("enter reopens it there · escape cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [s.id for s in self.choice.stages]
        options.highlighted = ids.index(self.choice.default.id)
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
