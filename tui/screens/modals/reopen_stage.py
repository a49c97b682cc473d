"""`o` on a closed deal: which open stage it goes back to. The stage it closed
from is highlighted, so `enter` alone reopens it where it was."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets.option_list import Option

from store.closed import ReopenChoice
from tui.plain_text import plain, visible
from tui.screens.modals.pick_one import PickOneScreen


class ReopenStageScreen(PickOneScreen):
    """Dismisses with the chosen open stage's id, or ``None``."""

    HELP_TITLE = "Reopen"
    HINT = "enter reopens it there · escape cancels"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reopen-cancel")]

    def __init__(self, title: str, choice: ReopenChoice) -> None:
        super().__init__()
        self.deal_title = title
        self.choice = choice
        self.start_id = choice.default.id

    def heading(self) -> Static:
        return Static(Text.assemble(("Reopen ", "bold"), (f"“{visible(self.deal_title)}”", "bold"), " in which stage?"))

    def choices(self) -> list[Option]:
        options = []
        for stage in self.choice.stages:
            label = plain(stage.name)
            if stage.id == self.choice.closed_from:
                label.append("  (where it was)", style="dim")
            options.append(Option(label, id=str(stage.id)))
        return options
