"""A modal that picks one row of a short list by id: `enter` picks, `escape` cancels.

Reopening a deal (which stage) and Today's rep picker (whose queue) are this same
screen with their own heading, rows and hint; ``PickOneScreen`` is it once.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.widgets.picker_list import PickerList
from tui.screens.modals.frame import modal_frame_css


class PickOneScreen(ModalScreen[int | None]):
    """Dismisses with the chosen row's id (options carry ``str(id)``), or ``None``.

    A subclass gives ``heading``, ``choices``, ``HINT``, the row to start on
    (``start_id``; the first when it is not listed) and its escape ``Binding``
    (the binding id is the user's keymap name for it)."""

    HINT = ""
    DEFAULT_CSS = modal_frame_css("PickOneScreen", 60) + """
    PickOneScreen OptionList, PickOneScreen OptionList:focus { height: auto; border: none; }
    PickOneScreen OptionList { max-height: 12; }
    PickOneScreen .hint { color: $text-muted; }
    """

    start_id: int | None = None

    def heading(self) -> Static:
        raise NotImplementedError

    def choices(self) -> list[Option]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical():
            yield self.heading()
            yield PickerList(*self.choices())
            yield Static(self.HINT, classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        start = str(self.start_id)
        options.highlighted = ids.index(start) if start in ids else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
