"""An OptionList that also takes the keys the rest of Legwork moves with.

Boards, Today and the timeline move with ``j k g G``; a picker that only took
arrows left a keyboard-first rep pressing keys that did nothing.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class PickerList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]
