"""The accounts list and the contacts list, two lines a row, drawn line by line.

Paged like the closed deals (``PagedRows``): 100,000 contacts cost what 100 do.
One widget shows either list (``kind``); the screen swaps the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from store.accounts import AccountRow
from store.contacts import ContactInfo
from store.money import DEFAULT_CURRENCY, format_money
from tui.plain_text import plain, visible
from tui.widgets.line_view import cursor_bindings
from tui.widgets.paged_rows import ROW_HEIGHT, PagedRows

ACCOUNTS, CONTACTS = "accounts", "contacts"
INDENT = 3


def reach(contact: ContactInfo) -> str:
    """The email and phone of a contact, for one line."""
    return "  ".join(part for part in (contact.email, contact.phone) if part)


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class PeopleList(PagedRows, can_focus=True, inherit_bindings=False):
    """Accounts or contacts, by name."""

    HELP_GROUP = "People"
    COMPONENT_CLASSES = {"people--name", "people--meta", "people--cursor"}
    FOCUS_COMPONENTS = frozenset({"people--cursor"})
    EMPTY_STYLE = "people--meta"
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
        *cursor_bindings("people", tooltips=("Next row", "Previous row", "The first row", "The last row")),
    ]

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
        self.currency = DEFAULT_CURRENCY

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
        self._page_arrived(page, rows)

    def _draw_item(self, item, row: int, width: int, selected: bool) -> Strip:
        return self._render_row(item, row, width, selected, self.has_focus)

    def _page_needed(self, page: int) -> None:
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
