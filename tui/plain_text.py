"""Stored text on screen: plain ``Text``, never markup, its control characters shown.

``plain`` is how a title, a name, a note or a reason typed by someone (or imported)
becomes something to draw: a ``[bold]`` in it shows as typed, and an ``ESC`` shows
as ``␛`` instead of driving the terminal (``store.safe_text.visible``).
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Text

from store.safe_text import visible

__all__ = ["plain", "visible"]


def plain(text: str | None, style: StyleType = "", *, multiline: bool = False, **options) -> Text:
    """``text`` as a rich ``Text`` that is safe to draw; ``options`` go to ``Text``."""
    return Text(visible(text, multiline=multiline), style=style, **options)
