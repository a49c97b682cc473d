"""The closed deals of a pipeline, two lines each, drawn line by line.

Paged like the accounts and contacts (``PagedRows``): 60,000 closed deals cost
what 60 do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from store.closed import ClosedDeal
from store.dates import show_day
from store.money import DEFAULT_CURRENCY, format_money
from tui.plain_text import plain, visible
from tui.widgets.line_view import cursor_bindings
from tui.widgets.paged_rows import ROW_HEIGHT, PagedRows

BADGE_WIDTH = 8  # "WON", "LOST", "DISQUAL" and a space


def close_day(day: date | None, today: date) -> str:
    if day is None:
        return "closed, date unknown"
    if day == today:
        return "today"
    if (today - day).days == 1:
        return "yesterday"
    return show_day(day, today, weekday=False)  # the year only when it is not this one


class ClosedList(PagedRows, can_focus=True, inherit_bindings=False):
    """Won, lost and disqualified deals, newest close first: two lines each, the
    outcome, title and value, then when, who and why."""

    HELP_GROUP = "Closed deals"
    COMPONENT_CLASSES = {
        "closed--won",
        "closed--lost",
        "closed--title",
        "closed--meta",
        "closed--cursor",
    }
    FOCUS_COMPONENTS = frozenset({"closed--cursor"})
    EMPTY_STYLE = "closed--meta"
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
        *cursor_bindings("closed", first="Newest", last="Oldest", tooltips=(
            "Next closed deal", "Previous closed deal", "The most recent close", "The oldest close")),
    ]

    @dataclass
    class PageNeeded(Message):
        page: int

    @dataclass
    class CursorMoved(Message):
        deal: ClosedDeal | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.today = date.today()
        self.currency = DEFAULT_CURRENCY
        self.empty_text = "(no closed deals)"

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
        self._page_arrived(page, rows)

    def _draw_item(self, deal: ClosedDeal, row: int, width: int, selected: bool) -> Strip:
        return self._render_row(deal, row, width, selected, self.has_focus, self.today)

    def _page_needed(self, page: int) -> None:
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
