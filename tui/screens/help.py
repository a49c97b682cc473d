"""`?`: every key of the screen underneath, grouped by where it works."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def describe_bindings(screen: Screen) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group title, [(keys, description)])] for the screen's active bindings.

    Only Legwork's own bindings are listed (they all carry an id, so a keymap
    can remap them); Textual's built-in focus and scroll keys are left out.
    """
    app = screen.app
    default_group = getattr(screen, "HELP_GROUP", "This screen")
    groups: dict[str, dict[str, tuple[list[str], str]]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or not binding.description or binding.id is None:
            continue
        group = "Everywhere" if active.node is app else getattr(active.node, "HELP_GROUP", default_group)
        # The footer shows the short description; help has room for the tooltip.
        entry = groups.setdefault(group, {}).setdefault(binding.action, ([], binding.tooltip or binding.description))
        key = app.get_key_display(binding)
        if key not in entry[0]:
            entry[0].append(key)
    ordered = sorted(groups.items(), key=lambda item: item[0] == "Everywhere")
    return [(title, [(" ".join(keys), text) for keys, text in entries.values()]) for title, entries in ordered]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", show=False),
        Binding("j,down", "scroll(1)", "Scroll down", show=False),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False),
        Binding("space,pagedown", "scroll(10)", "Page down", show=False),
        Binding("b,pageup", "scroll(-10)", "Page up", show=False),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._groups = describe_bindings(under)
        self._title = getattr(under, "HELP_TITLE", under.__class__.__name__)

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(f"Keys: {self._title}\n", style="bold")
        for title, entries in self._groups:
            text.append(f"\n{title}\n", style="bold underline")
            for keys, description in entries:
                text.append(f"  {keys:<16}", style="bold")
                text.append(f"{description}\n")
        text.append("\nj/k scroll · ctrl+p command palette · escape closes this", style="dim")
        with VerticalScroll():
            yield Static(text)

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_dismiss(self) -> None:
        self.dismiss()
