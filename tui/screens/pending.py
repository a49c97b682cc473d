"""A mode whose screen is not built yet says so plainly, instead of pretending."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.widgets.key_footer import KeyFooter


class PendingScreen(Screen):
    DEFAULT_CSS = """
    PendingScreen Static { width: auto; padding: 1 2; border: round $primary; }
    """

    def __init__(self, title: str, what: str) -> None:
        super().__init__()
        self.HELP_TITLE = title
        self._title = title
        self._what = what

    def compose(self) -> ComposeResult:
        yield Header()
        with Middle(), Center():
            yield Static(f"{self._title} is not built yet: {self._what}.\nPress 1 or 2 for the boards.", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = f"Legwork · {self._title}"
