"""The base of Legwork's long lists: a ScrollView drawn line by line.

Every such widget needs the same two caches: component styles (looking one up
walks the DOM, and a screenful of lines asks many times) and the drawn lines
themselves, per widget so one list's redraw never throws away another's.
Subclasses implement ``_draw_row(*key)`` and call ``self._render_row(*key)``.
"""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineView(ScrollView):
    RENDER_CACHE_SIZE = 1024
    # Components styled by ``:focus`` rules. Their styles are cached per focus, and
    # a subclass that lists them keys its rows by focus too: then gaining or losing
    # focus keeps the caches (see ``notify_style_update``).
    FOCUS_COMPONENTS: frozenset[str] = frozenset()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._styles: dict[object, Style] = {}
        self._render_row = lru_cache(maxsize=self.RENDER_CACHE_SIZE)(self._draw_row)
        self._look_drawn: tuple | None = None
        self._restyled = True

    def _draw_row(self, *key) -> Strip:
        raise NotImplementedError

    def _style_key(self, name: str) -> object:
        return (name, self.has_focus) if name in self.FOCUS_COMPONENTS else name

    def _style(self, name: str) -> Style:
        """The widget's base style, plus component ``name`` (``"base"`` for none)."""
        key = self._style_key(name)
        style = self._styles.get(key)
        if style is None:
            base = self.rich_style
            style = self._styles[key] = base if name == "base" else base + self.get_component_rich_style(name)
        return style

    def _look(self) -> tuple:
        """Every style the drawn lines use, but the focus components'."""
        others = sorted(set(self.COMPONENT_CLASSES) - self.FOCUS_COMPONENTS)
        return (self.rich_style, *(self.get_component_rich_style(name) for name in others))

    def notify_style_update(self) -> None:
        # A theme or class change makes every cached style and line stale. Focus
        # moving in or out restyles the widget too; when only the focus components
        # changed, the caches (keyed by focus for those) still hold, and a board's
        # h / l need not draw two whole columns again. Compared when next drawn:
        # the component styles are not ready yet while the stylesheet applies.
        super().notify_style_update()
        self._restyled = True

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._restyled:
            self._restyled = False
            look = self._look()
            if look != self._look_drawn:
                self._look_drawn = look
                self._forget_drawing()
        return super().render_lines(crop)

    def _forget_drawing(self) -> None:
        self._styles.clear()
        self._render_row.cache_clear()
