"""The base of Legwork's long lists: a ScrollView drawn line by line.

Every such widget needs the same two caches: component styles (looking one up
walks the DOM, and a screenful of lines asks many times) and the drawn lines
themselves, per widget so one list's redraw never throws away another's.
Subclasses implement ``_draw_row(*key)`` and call ``self._render_row(*key)``.
``CursorLineView`` adds the cursor the lists share: its keys, and scrolling to it.
"""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
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


class CursorLineView(LineView):
    """A LineView with a cursor over its items: the keys move it, the view scrolls to
    keep it in sight, and each move posts the subclass's ``CursorMoved``.

    Subclasses say how many places the cursor has (``_cursor_count``), which lines the
    item under it takes (``_cursor_region``), how far a page goes (``_cursor_page``)
    and what a move posts (``_cursor_moved``)."""

    cursor: reactive[int] = reactive(0)

    def _cursor_count(self) -> int:
        raise NotImplementedError

    def _cursor_region(self) -> tuple[int, int] | None:
        """(first line, lines) to keep in sight for the cursor; None: nothing to scroll to."""
        raise NotImplementedError

    def _cursor_page(self) -> int:
        return self.size.height - 1

    def _cursor_moved(self) -> Message:
        raise NotImplementedError

    def validate_cursor(self, value: int) -> int:
        count = self._cursor_count()
        return max(0, min(value, count - 1)) if count else 0

    def watch_cursor(self) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self._cursor_moved())

    def _scroll_to_cursor(self) -> None:
        region = self._cursor_region()
        if region is not None:
            top, height = region
            self.scroll_to_region(Region(0, top, 1, height), animate=False, force=True, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_cursor_page(self, step: int) -> None:
        self.cursor += step * max(1, self._cursor_page())

    def action_cursor_to(self, index: int) -> None:
        self.cursor = index if index >= 0 else self._cursor_count() - 1

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def cursor_bindings(prefix: str, *, down: str = "Down", up: str = "Up", first: str = "First", last: str = "Last",
                    tooltips: tuple[str | None, str | None, str | None, str | None] = (None,) * 4) -> list[Binding]:
    """A cursor list's keys: ``j k`` / arrows, page up / down, ``g G`` / home, end; the
    ids are ``PREFIX-down`` … ``PREFIX-last``. ``tooltips``: for down, up, first, last."""
    down_tip, up_tip, first_tip, last_tip = tooltips
    return [
        Binding("j,down", "cursor(1)", down, show=False, tooltip=down_tip or "", id=f"{prefix}-down"),
        Binding("k,up", "cursor(-1)", up, show=False, tooltip=up_tip or "", id=f"{prefix}-up"),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False, id=f"{prefix}-page-down"),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False, id=f"{prefix}-page-up"),
        Binding("home,g", "cursor_to(0)", first, show=False, tooltip=first_tip or "", id=f"{prefix}-first"),
        Binding("end,G", "cursor_to(-1)", last, show=False, tooltip=last_tip or "", id=f"{prefix}-last"),
    ]
