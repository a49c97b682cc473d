"""`r` on Today, for managers: whose queue to look at, with each rep's overdue count."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.widgets.picker_list import PickerList

from store.today import RepDay
from tui.plain_text import visible


def _prompt(row: RepDay, width: int) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    name = visible(" ".join(row.rep.name.split()))
    text.append(f"{name[:width]:<{width}}  ")
    late = f"{row.overdue} overdue"
    text.append(f"{late:<11}", style="bold" if row.overdue else "dim")
    text.append(f"  {row.due_today} due today", style="dim")
    if row.rep.is_manager:
        text.append("  manager", style="dim italic")
    return text


class RepPickerScreen(ModalScreen[int | None]):
    """Dismisses with the chosen rep's id, or ``None``."""

    HELP_TITLE = "Whose queue"
    DEFAULT_CSS = """
    RepPickerScreen { align: center middle; }
    RepPickerScreen > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    RepPickerScreen OptionList, RepPickerScreen OptionList:focus { height: auto; max-height: 20; border: none; }
    RepPickerScreen .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rep-picker-cancel")]

    def __init__(self, team: list[RepDay], current: int) -> None:
        super().__init__()
        self.team = team
        self.current = current

    def compose(self) -> ComposeResult:
        overdue = sum(r.overdue for r in self.team)
        behind = sum(1 for r in self.team if r.overdue)
        width = min(max((len(visible(r.rep.name)) for r in self.team), default=8), 24)
        with Vertical():
            yield Static(
                Text(f"Whose queue? Team: {overdue} overdue across {behind} of {len(self.team)}", style="bold")
            )
            yield PickerList(*[Option(_prompt(r, width), id=str(r.rep.id)) for r in self.team])
            yield Static("enter opens that queue · escape cancels", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [r.rep.id for r in self.team]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
