"""`r` in the stand-up: the whole team's agenda, or one rep's."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.reps import RepInfo
from tui.plain_text import plain
from tui.screens.modals.frame import modal_frame_css

TEAM = "team"


class StandupScopeScreen(ModalScreen[tuple[int | None] | None]):
    """Dismisses with ``(rep_id,)`` — ``(None,)`` for the whole team — or ``None`` if cancelled."""

    HELP_TITLE = "Whose agenda"
    DEFAULT_CSS = modal_frame_css("StandupScopeScreen", 48) + """
    StandupScopeScreen OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="standup-scope-cancel")]

    def __init__(self, reps: list[RepInfo], current: int | None) -> None:
        super().__init__()
        self.reps = reps
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option("Whole team", id=TEAM)] + [Option(plain(rep.name), id=str(rep.id)) for rep in self.reps]
        with Vertical():
            yield Static("Whose agenda? (enter picks, escape cancels)")
            yield OptionList(*options)

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        ids = [None] + [rep.id for rep in self.reps]
        option_list.highlighted = ids.index(self.current) if self.current in ids else 0
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((None if event.option.id == TEAM else int(event.option.id),))

    def action_cancel(self) -> None:
        self.dismiss(None)
