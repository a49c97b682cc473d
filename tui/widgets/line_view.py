"""The base of Legwork's long lists: a ScrollView drawn line by line.

Every such widget needs the same two caches: component styles (looking one up
walks the DOM, and a screenful of lines asks many times) and the drawn lines
themselves, per widget so one list's redraw never throws away another's.
Subclasses implement ``_draw_row(*key)`` and call ``self._render_row(*key)``.
"""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineView(ScrollView):
    RENDER_CACHE_SIZE = 1024

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._styles: dict[str, Style] = {}
        self._render_row = lru_cache(maxsize=self.RENDER_CACHE_SIZE)(self._draw_row)

    def _draw_row(self, *key) -> Strip:
        raise NotImplementedError

    def _style(self, name: str) -> Style:
        """The widget's base style, plus component ``name`` (``"base"`` for none)."""
        style = self._styles.get(name)
        if style is None:
            base = self.rich_style
            style = self._styles[name] = base if name == "base" else base + self.get_component_rich_style(name)
        return style

    def notify_style_update(self) -> None:
        # A theme or class change: every cached style and line is stale.
        super().notify_style_update()
        self._forget_drawing()

    def _forget_drawing(self) -> None:
        self._styles.clear()
        self._render_row.cache_clear()
