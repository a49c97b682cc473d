"""`r` on Today, for managers: whose queue to look at, with each rep's overdue count."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets.option_list import Option

from store.today import RepDay
from tui.plain_text import visible
from tui.screens.modals.pick_one import PickOneScreen


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


class RepPickerScreen(PickOneScreen):
    """Dismisses with the chosen rep's id, or ``None``."""

    HELP_TITLE = "Whose queue"
    HINT = "enter opens that queue · escape cancels"
    DEFAULT_CSS = """
    RepPickerScreen > Vertical { width: 64; }
    RepPickerScreen OptionList { max-height: 20; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rep-picker-cancel")]

    def __init__(self, team: list[RepDay], current: int) -> None:
        super().__init__()
        self.team = team
        self.start_id = current

    def heading(self) -> Static:
        overdue = sum(r.overdue for r in self.team)
        behind = sum(1 for r in self.team if r.overdue)
        return Static(Text(f"Whose queue? Team: {overdue} overdue across {behind} of {len(self.team)}", style="bold"))

    def choices(self) -> list[Option]:
        width = min(max((len(visible(r.rep.name)) for r in self.team), default=8), 24)
        return [Option(_prompt(r, width), id=str(r.rep.id)) for r in self.team]
