"""The accounts list and the contacts list, two lines a row, drawn line by line.

Built like ``ClosedList``: ``render_line`` draws only what is on screen and rows
come in windows ("pages") a ``PageNeeded`` message asks for, so 100,000 contacts
cost what 100 do. One widget shows either list (``kind``); the screen swaps the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from store.money import DEFAULT_CURRENCY, format_money
from store.people import AccountRow, ContactInfo
from tui.plain_text import plain, visible
from tui.widgets.line_view import LineView

ROW_HEIGHT = 2
PAGE_SIZE = 50
ACCOUNTS, CONTACTS = "accounts", "contacts"
INDENT = 3


def reach(contact: ContactInfo) -> str:
    """The email and phone of a contact, for one line."""
    return "  ".join(part for part in (contact.email, contact.phone) if part)


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class PeopleList(LineView, can_focus=True, inherit_bindings=False):
    """Accounts or contacts, by name."""

    HELP_GROUP = "People"
    COMPONENT_CLASSES = {"people--name", "people--meta", "people--cursor"}
    FOCUS_COMPONENTS = frozenset({"people--cursor"})
    DEFAULT_CSS = """
    PeopleList {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    PeopleList > .people--name { text-style: bold; }
    PeopleList > .people--meta { color: $text-muted; }
    PeopleList > .people--cursor { background: $card-cursor-blurred-background; }
    PeopleList:focus > .people--cursor { background: $card-cursor-background; }
    """
    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, tooltip="Next row", id="people-down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, tooltip="Previous row", id="people-up"),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False, id="people-page-down"),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False, id="people-page-up"),
        Binding("home,g", "cursor_to(0)", "First", show=False, tooltip="The first row", id="people-first"),
        Binding("end,G", "cursor_to(-1)", "Last", show=False, tooltip="The last row", id="people-last"),
    ]

    cursor: reactive[int] = reactive(0)

    @dataclass
    class PageNeeded(Message):
        kind: str
        page: int

    @dataclass
    class CursorMoved(Message):
        row: AccountRow | ContactInfo | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = ACCOUNTS
        self.total = 0
        self.currency = DEFAULT_CURRENCY
        self.empty_text = ""
        self._pages: dict[int, list] = {}
        self._asked: set[int] = set()

    # --- data in ---------------------------------------------------------------------------

    def reset(self, kind: str, total: int, pages: dict[int, list], *, cursor: int = 0,
              currency: str = DEFAULT_CURRENCY, empty_text: str = "") -> None:
        self.kind, self.total, self.currency, self.empty_text = kind, total, currency, empty_text
        self._pages = dict(pages)
        self._asked = set(pages)
        self._render_row.cache_clear()  # a row may be another account now
        self.virtual_size = Size(self.size.width, total * ROW_HEIGHT)
        self.set_reactive(PeopleList.cursor, self.validate_cursor(cursor))
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self.selected))

    def set_page(self, kind: str, page: int, rows: list) -> None:
        if kind != self.kind:
            return  # the other list's, landing after a toggle
        self._pages[page] = rows
        self.refresh()
        if page == self.cursor // PAGE_SIZE:
            self.post_message(self.CursorMoved(self.selected))

    def row_at(self, index: int):
        if not 0 <= index < self.total:
            return None
        rows = self._pages.get(index // PAGE_SIZE)
        if rows is None:
            return None
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    @property
    def selected(self) -> AccountRow | ContactInfo | None:
        return self.row_at(self.cursor)

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
                return Strip([Segment(f" {self.empty_text}".ljust(width), base + self._style("people--meta"))])
            return Strip.blank(width, base)
        item = self.row_at(index)
        if item is None:
            self._ask_for(index // PAGE_SIZE)
            return Strip.blank(width, base)
        return self._render_row(item, row, width, index == self.cursor, self.has_focus)

    def _ask_for(self, page: int) -> None:
        if page not in self._asked:
            self._asked.add(page)
            self.post_message(self.PageNeeded(self.kind, page))

    def _foreground(self, name: str) -> Style:
        full = self.get_component_rich_style(name)
        return Style(color=full.color, bold=full.bold, italic=full.italic)

    def _draw_row(self, item, row: int, width: int, selected: bool, focused: bool) -> Strip:
        base = self._style("base")
        line_style = base + Style(bgcolor=self.get_component_rich_style("people--cursor").bgcolor) if selected else base
        name, meta = self._foreground("people--name"), self._foreground("people--meta")
        room = max(width - 2, 1)
        if isinstance(item, AccountRow):
            if row == 0:
                right = f"{format_money(item.open_value, self.currency, short=True)} open" if item.open_deals else ""
                text = self._left_right(plain(item.name, name), Text(right, style=meta), room)
            else:
                parts = [plural(item.contacts, "contact"), plural(item.open_deals, "open deal")]
                if item.closed_deals:
                    parts.append(f"{item.closed_deals:,} closed")
                if item.domain:
                    parts.insert(0, visible(item.domain))
                text = Text(" " * INDENT + " · ".join(parts), style=meta)
        else:
            if row == 0:
                left = plain(item.name, name)
                if item.job_title:
                    left.append(" · ", style=meta)
                    left.append(visible(item.job_title), style=meta)
                text = self._left_right(left, plain(item.account_name or "no account", meta), room)
            else:
                text = Text(" " * INDENT + (visible(reach(item)) or "no email or phone"), style=meta)
        text.no_wrap = True
        text.truncate(room, overflow="ellipsis", pad=True)
        segments = Segment.apply_style(text.render(self.app.console), style=line_style)
        return Strip([Segment(" ", line_style), *segments, Segment(" ", line_style)]).crop(0, width)

    @staticmethod
    def _left_right(left: Text, right: Text, room: int) -> Text:
        """``left`` cut to leave ``right`` its room at the end of the line."""
        right_width = min(right.cell_len, room // 2)
        right.truncate(right_width, overflow="ellipsis")
        left.no_wrap = True
        left.truncate(max(room - right_width - 1, 1), overflow="ellipsis", pad=True)
        return Text.assemble(left, " ", right)
