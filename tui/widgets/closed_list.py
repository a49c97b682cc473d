"""The closed deals of a pipeline, two lines each, drawn line by line.

Like a board column (``CardList``): ``render_line`` draws only what is on screen,
and rows come in windows ("pages"); a page it lacks is asked for with
``PageNeeded``, so 60,000 closed deals cost what 60 do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from store.closed import ClosedDeal
from store.dates import show_day
from store.money import DEFAULT_CURRENCY, format_money
from tui.plain_text import plain, visible
from tui.widgets.line_view import LineView

ROW_HEIGHT = 2  # the outcome, title and value; then when, who and why
PAGE_SIZE = 50
BADGE_WIDTH = 8  # "WON", "LOST", "DISQUAL" and a space


def close_day(day: date | None, today: date) -> str:
    if day is None:
        return "closed, date unknown"
    if day == today:
        return "today"
    if (today - day).days == 1:
        return "yesterday"
    return show_day(day, today, weekday=False)  # the year only when it is not this one


class ClosedList(LineView, can_focus=True, inherit_bindings=False):
    """Won, lost and disqualified deals, newest close first."""

    HELP_GROUP = "Closed deals"
    COMPONENT_CLASSES = {
        "closed--won",
        "closed--lost",
        "closed--title",
        "closed--meta",
        "closed--cursor",
    }
    FOCUS_COMPONENTS = frozenset({"closed--cursor"})
    DEFAULT_CSS = """
    ClosedList {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    ClosedList > .closed--won { color: $success; text-style: bold; }
    ClosedList > .closed--lost { color: $error; text-style: bold; }
    ClosedList > .closed--title { text-style: bold; }
    ClosedList > .closed--meta { color: $text-muted; }
    ClosedList > .closed--cursor { background: $card-cursor-blurred-background; }
    ClosedList:focus > .closed--cursor { background: $card-cursor-background; }
    """
    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, tooltip="Next closed deal", id="closed-down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, tooltip="Previous closed deal", id="closed-up"),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False, id="closed-page-down"),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False, id="closed-page-up"),
        Binding("home,g", "cursor_to(0)", "Newest", show=False, tooltip="The most recent close", id="closed-first"),
        Binding("end,G", "cursor_to(-1)", "Oldest", show=False, tooltip="The oldest close", id="closed-last"),
    ]

    cursor: reactive[int] = reactive(0)

    @dataclass
    class PageNeeded(Message):
        page: int

    @dataclass
    class CursorMoved(Message):
        deal: ClosedDeal | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.today = date.today()
        self.currency = DEFAULT_CURRENCY
        self._pages: dict[int, list[ClosedDeal]] = {}
        self._asked: set[int] = set()

    # --- data in ---------------------------------------------------------------------------

    def reset(self, total: int, pages: dict[int, list[ClosedDeal]], today: date, currency: str = DEFAULT_CURRENCY) -> None:
        """New totals and the pages already fetched; the rest is asked for when drawn."""
        self.total = total
        self.today = today
        self.currency = currency
        self._pages = dict(pages)
        self._asked = set(pages)
        self._render_row.cache_clear()  # a row's deal may be another one now
        self.virtual_size = Size(self.size.width, total * ROW_HEIGHT)
        self.cursor = min(self.cursor, max(total - 1, 0))
        self._scroll_to_cursor()
        self.refresh()

    def set_page(self, page: int, rows: list[ClosedDeal]) -> None:
        self._pages[page] = rows
        self.refresh()
        if page == self.cursor // PAGE_SIZE:
            self.post_message(self.CursorMoved(self.selected))

    def deal_at(self, index: int) -> ClosedDeal | None:
        if not 0 <= index < self.total:
            return None
        rows = self._pages.get(index // PAGE_SIZE)
        if rows is None:
            return None
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    @property
    def selected(self) -> ClosedDeal | None:
        return self.deal_at(self.cursor)

    # --- cursor ----------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.total - 1)) if self.total else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self.selected))

    def _scroll_to_cursor(self) -> None:
        if not self.size.height:
            return  # not laid out yet: on_resize scrolls
        self.scroll_to_region(
            Region(0, self.cursor * ROW_HEIGHT, 1, ROW_HEIGHT), animate=False, force=True, immediate=True
        )

    def on_resize(self) -> None:
        self._scroll_to_cursor()

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_cursor_page(self, step: int) -> None:
        self.cursor += step * max(1, self.size.height // ROW_HEIGHT)

    def action_cursor_to(self, index: int) -> None:
        self.cursor = index if index >= 0 else self.total - 1

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
                return Strip([Segment(" (no closed deals)".ljust(width), base + self._style("closed--meta"))])
            return Strip.blank(width, base)
        deal = self.deal_at(index)
        if deal is None:
            self._ask_for(index // PAGE_SIZE)
            return Strip.blank(width, base)
        return self._render_row(deal, row, width, index == self.cursor, self.has_focus, self.today)

    def _ask_for(self, page: int) -> None:
        if page not in self._asked:
            self._asked.add(page)
            self.post_message(self.PageNeeded(page))

    def _foreground(self, name: str) -> Style:
        """A component's colour and weight without its background, so the cursor's shows through."""
        full = self.get_component_rich_style(name)
        return Style(bgcolor=full.bgcolor) if name == "closed--cursor" else Style(
            color=full.color, bold=full.bold, italic=full.italic)

    def _draw_row(self, deal: ClosedDeal, row: int, width: int, selected: bool, focused: bool, today: date) -> Strip:
        base = self._style("base")
        line_style = base + self._foreground("closed--cursor") if selected else base
        text = Text(no_wrap=True, overflow="ellipsis")
        if row == 0:
            badge = "DISQUAL" if deal.outcome == "disqualified" else deal.outcome.upper()
            text.append(f"{badge:<{BADGE_WIDTH}}", self._foreground("closed--won" if deal.outcome == "won" else "closed--lost"))
            value = format_money(deal.value, self.currency, short=True)
            room = max(width - 2 - BADGE_WIDTH - len(value) - 1, 1)
            title = plain(deal.title, self._foreground("closed--title"), no_wrap=True, overflow="ellipsis")
            title.truncate(room, overflow="ellipsis", pad=True)
            text.append_text(title)
            text.append(" " + value, self._foreground("closed--title"))
        else:
            parts = [close_day(deal.closed_on, today), deal.owner_name]
            if deal.account_name and not deal.title.casefold().startswith(deal.account_name.casefold()):
                parts.insert(1, deal.account_name)
            if deal.lost_reason:
                parts.append(deal.lost_reason)
            text.append(" " * BADGE_WIDTH)
            text.append(visible(" · ".join(parts)), self._foreground("closed--meta"))  # typed by users
        text.truncate(width - 1, overflow="ellipsis", pad=True)
        segments = Segment.apply_style(text.render(self.app.console), style=line_style)
        return Strip([Segment(" ", line_style), *segments]).crop(0, width)
