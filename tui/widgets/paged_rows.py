"""A long list of two-line rows fetched a page at a time: the closed deals, the
accounts, the contacts.

``render_line`` draws only what is on screen; a page it lacks is asked for with
the subclass's ``PageNeeded`` message (``_page_needed``), so 100,000 rows cost
what 100 do. The cursor (``CursorLineView``), paging and clicks live here; a subclass
says what a row looks like (``_draw_item``) and what an empty list says.
"""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.strip import Strip

from tui.widgets.line_view import CursorLineView

ROW_HEIGHT = 2
PAGE_SIZE = 50


class PagedRows(CursorLineView):
    EMPTY_STYLE = "base"  # the component the empty list's line is drawn in

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.empty_text = ""
        self._pages: dict[int, list] = {}
        self._asked: set[int] = set()

    def row_at(self, index: int):
        if not 0 <= index < self.total:
            return None
        rows = self._pages.get(index // PAGE_SIZE)
        if rows is None:
            return None
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    @property
    def selected(self):
        return self.row_at(self.cursor)

    def _page_arrived(self, page: int, rows: list) -> None:
        self._pages[page] = rows
        self.refresh()
        if page == self.cursor // PAGE_SIZE:
            self.post_message(self.CursorMoved(self.selected))

    def _ask_for(self, page: int) -> None:
        if page not in self._asked:
            self._asked.add(page)
            self._page_needed(page)

    def _page_needed(self, page: int) -> None:
        raise NotImplementedError

    # --- cursor ----------------------------------------------------------------------------

    def _cursor_count(self) -> int:
        return self.total

    def _cursor_region(self) -> tuple[int, int] | None:
        if not self.size.height:
            return None  # not laid out yet: on_resize scrolls
        return self.cursor * ROW_HEIGHT, ROW_HEIGHT

    def _cursor_page(self) -> int:
        return self.size.height // ROW_HEIGHT

    def _cursor_moved(self):
        return self.CursorMoved(self.selected)

    def on_resize(self) -> None:
        self._scroll_to_cursor()

    def on_click(self, event: events.Click) -> None:
        self.focus()
        self.cursor = (event.y + self.scroll_offset.y) // ROW_HEIGHT

    # --- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        index, row = divmod(line, ROW_HEIGHT)
        width = self.scrollable_content_region.width
        base = self._style("base")
        if index >= self.total:
            if self.total == 0 and line == 1:
                return Strip([Segment(f" {self.empty_text}".ljust(width), base + self._style(self.EMPTY_STYLE))])
            return Strip.blank(width, base)
        item = self.row_at(index)
        if item is None:
            self._ask_for(index // PAGE_SIZE)
            return Strip.blank(width, base)
        return self._draw_item(item, row, width, index == self.cursor)

    def _draw_item(self, item, row: int, width: int, selected: bool) -> Strip:
        """Line ``row`` of ``item``'s two, through the row cache (``self._render_row``)."""
        raise NotImplementedError
