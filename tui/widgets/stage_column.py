"""A board column: a header with the stage's totals over a line-API card list.

``CardList`` draws only the lines on screen with ``render_line`` and keeps
windows ("pages") of cards; a page it lacks is asked for with ``PageNeeded``,
so a column of 20,000 deals costs what a column of 20 does.

Past 400 lines on purpose: most of it is the stage move's drawing path (issue #20: a
move under a frame at 100k deals), which skips Textual's layout, restyle and scrollbar
redraw where nothing visible changed; those shortcuts depend on each other and on the
Textual internals they name, and are read together when Textual is upgraded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widgets import Static

from store.board import ColumnSummary, DealCard
from store.dates import show_day
from store.money import DEFAULT_CURRENCY, format_money
from tui.plain_text import plain, visible
from tui.widgets.line_view import LineView

CARD_HEIGHT = 4  # three lines of card and a separator
PAGE_SIZE = 40


def due_label(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta < 0:
        return f"{-delta}d late"
    if delta < 7:
        return day.strftime("%a")
    return show_day(day, today, weekday=False)


class _ColumnScrollBar(ScrollBar):
    """Textual's scrollbar, drawn again only when what it shows has changed.

    Every move changes a column's length by one card, which refreshes its
    scrollbar; on a long column the thumb stays where it was, yet Textual would
    render all of the bar's lines again. The bar's segments (``render_bar``,
    cheap) are compared with the last drawn ones instead.
    """

    _drawn: tuple[tuple, list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()
        if not isinstance(bar, ScrollBarRender) or not isinstance(bar.style, Style):
            return super().render_lines(crop)
        width, height = self.size
        shown = bar.render_bar(
            size=height if bar.vertical else width,
            window_size=bar.window_size,
            virtual_size=bar.virtual_size,
            position=bar.position,
            vertical=bar.vertical,
            thickness=width if bar.vertical else height,
            back_color=bar.style.bgcolor or RichColor.parse("#555555"),  # ScrollBarRender's defaults
            bar_color=bar.style.color or RichColor.parse("bright_magenta"),
        )
        key = (tuple(shown.segments), bar.style, crop, self.size, self.visual_style, self.app.current_theme.name,
               self.app.ansi_color)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        strips = super().render_lines(crop)
        self._drawn = (key, strips)
        return strips


class CardList(LineView, can_focus=True, inherit_bindings=False):
    """The cards of one stage, drawn line by line, fetched a page at a time.

    It takes none of ScrollView's keys: left and right belong to the board.
    """

    HELP_GROUP = "Board"

    COMPONENT_CLASSES = {
        "card--title",
        "card--meta",
        "card--next",
        "card--warning",
        "card--cursor",
        "card--separator",
    }
    FOCUS_COMPONENTS = frozenset({"card--cursor"})  # rows are keyed by focus (render_line)
    DEFAULT_CSS = """
    CardList {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    CardList > .card--title { text-style: bold; }
    CardList > .card--meta { color: $text-muted; }
    CardList > .card--next { color: $text; }
    CardList > .card--warning { color: $warning; text-style: bold; }
    CardList > .card--cursor { background: $card-cursor-blurred-background; }
    CardList:focus > .card--cursor { background: $card-cursor-background; }
    CardList > .card--separator { color: $panel-lighten-1; }
    """
    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, tooltip="Next deal in the column", id="cursor-down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, tooltip="Previous deal in the column", id="cursor-up"),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False, id="cursor-page-down"),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False, id="cursor-page-up"),
        Binding("home,g", "cursor_to(0)", "First deal", show=False, id="cursor-first"),
        Binding("end,G", "cursor_to(-1)", "Last deal", show=False, id="cursor-last"),
    ]

    cursor: reactive[int] = reactive(0)

    @dataclass
    class PageNeeded(Message):
        card_list: "CardList"
        stage_id: int
        page: int

    @dataclass
    class CursorMoved(Message):
        card_list: "CardList"
        card: DealCard | None

    def __init__(self, stage_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stage_id = stage_id
        self.total = 0
        self.today = date.today()
        self.currency = DEFAULT_CURRENCY
        self._pages: dict[int, list[DealCard]] = {}
        self._asked: set[int] = set()
        self._line_width: int | None = None  # during render_lines

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Widget.vertical_scrollbar, with the bar that is drawn only when it changes.
        if self._vertical_scrollbar is None:
            bar = _ColumnScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    # --- data in ---------------------------------------------------------------------------

    def reset(
        self, total: int, pages: dict[int, list[DealCard]], today: date, currency: str = DEFAULT_CURRENCY
    ) -> None:
        """New totals and the pages already fetched; everything else is refetched on demand."""
        self.total = total
        if (today, currency) != (self.today, self.currency):
            self._render_row.cache_clear()  # due-day labels and values depend on them
        self.today, self.currency = today, currency
        self._pages = dict(pages)
        self._asked = set(pages)
        self._set_virtual_size(Size(self.size.width, total * CARD_HEIGHT))
        self.cursor = min(self.cursor, max(total - 1, 0))
        self._scroll_to_cursor()  # the same index may now sit elsewhere in a shorter column
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """The column's new length, without a layout pass when one cannot change anything.

        Setting ``virtual_size`` asks for a layout of the whole screen, and each layout
        redraws the scrollbars of every column on it (a ScrollView takes the layout's
        virtual size, the visible area, for a change). A card moving between two
        columns changes their lengths by one: when the scrollbar neither appears nor
        goes, the widget's place on screen is the same, and updating the scrollbar's
        thumb is all the change there is.
        """
        old = self.virtual_size
        if size == old:
            return
        height = self.container_size.height
        if not height or size.width != old.width or (size.height > height) != (old.height > height):
            self.virtual_size = size  # laid out (again): the scrollbar may come or go
            return
        self.set_reactive(CardList.virtual_size, size)
        self._scroll_update(size)  # Textual's own: the scrollbar's thumb, the scroll clamped to the new length

    def set_page(self, page: int, cards: list[DealCard]) -> None:
        self._pages[page] = cards
        self.refresh()

    def card_at(self, index: int) -> DealCard | None:
        if not 0 <= index < self.total:
            return None
        cards = self._pages.get(index // PAGE_SIZE)
        if cards is None:
            return None
        offset = index % PAGE_SIZE
        return cards[offset] if offset < len(cards) else None

    @property
    def selected(self) -> DealCard | None:
        return self.card_at(self.cursor)

    # --- cursor ----------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.total - 1)) if self.total else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.selected))

    def _scroll_to_cursor(self) -> None:
        if not self.size.height:
            return  # off screen: there is no window to scroll yet (see on_resize)
        # The card's three lines, not its separator: a column one line short of
        # whole cards would otherwise scroll by a line and cut the top card's title.
        self.scroll_to_region(
            Region(0, self.cursor * CARD_HEIGHT, 1, CARD_HEIGHT - 1), animate=False, force=True, immediate=True
        )

    def on_resize(self) -> None:
        # A column off screen has no height, so a cursor set there (a deal moved
        # into it) could not scroll: scroll when the column gets its size.
        self._scroll_to_cursor()

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_cursor_page(self, step: int) -> None:
        self.cursor += step * max(1, self.size.height // CARD_HEIGHT)

    def action_cursor_to(self, index: int) -> None:
        self.cursor = index if index >= 0 else self.total - 1

    def on_click(self, event: events.Click) -> None:
        self.focus()
        self.cursor = (event.y + self.scroll_offset.y) // CARD_HEIGHT

    def on_focus(self) -> None:
        self.refresh()
        self.post_message(self.CursorMoved(self, self.selected))

    def on_blur(self) -> None:
        self.refresh()

    def watch_has_focus(self, has_focus: bool) -> None:
        # Focus moving in or out restyles the list, its six component classes and its
        # scrollbar (Textual applies the stylesheet to each again), yet the cursor's
        # background is all that depends on it (``CardList:focus > .card--cursor``).
        # Once that style is cached for the new focus state, the rows drawn with it
        # are what changes: a redraw (on_focus / on_blur) is enough. A theme change
        # clears the cache (LineView.notify_style_update), so it is restyled again.
        if ("fg", self._style_key("card--cursor")) in self._styles:
            return
        super().watch_has_focus(has_focus)

    # --- drawing ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The width is the same for every line of a pass; working it out walks the
        # widget's scrollbars and gutter, and cost as much as drawing a cached line.
        self._line_width = self.scrollable_content_region.width
        try:
            return super().render_lines(crop)
        finally:
            self._line_width = None

    def render_line(self, y: int) -> Strip:
        scroll_y = self.scroll_offset.y
        line = scroll_y + y
        index, row = divmod(line, CARD_HEIGHT)
        width = self._line_width or self.scrollable_content_region.width
        base = self._style("base")
        if index >= self.total:
            if self.total == 0 and line == 1:
                return Strip([Segment(" (no deals)".ljust(width), base + self._foreground("card--meta"))])
            return Strip.blank(width, base)
        card = self.card_at(index)
        if card is None:
            self._ask_for(index // PAGE_SIZE)
            return Strip.blank(width, base)
        selected = index == self.cursor
        return self._render_row(card, row, width, selected, self.has_focus)

    def _ask_for(self, page: int) -> None:
        if page not in self._asked:
            self._asked.add(page)
            self.post_message(self.PageNeeded(self, self.stage_id, page))

    def _foreground(self, name: str) -> Style:
        """A component's colour and weight without its background, so the cursor's shows through."""
        key = ("fg", self._style_key(name))
        style = self._styles.get(key)
        if style is None:
            full = self.get_component_rich_style(name)
            if name == "card--cursor":
                style = Style(bgcolor=full.bgcolor)
            else:
                style = Style(color=full.color, bold=full.bold, italic=full.italic)
            self._styles[key] = style
        return style

    def _draw_row(self, card: DealCard, row: int, width: int, selected: bool, focused: bool) -> Strip:
        base = self._style("base")
        style = self._foreground
        if row == CARD_HEIGHT - 1:
            return Strip([Segment("─" * width, base + style("card--separator"))])
        line_style = base + style("card--cursor") if selected else base
        text = self._card_line(card, row, style)
        text.truncate(width - 1, overflow="ellipsis")
        text.pad_right(width - 1 - text.cell_len)
        # Text.render leaves out the text's own base style: put it under the spans.
        own = text.style if isinstance(text.style, Style) else self.app.console.get_style(text.style or "none")
        segments = Segment.apply_style(text.render(self.app.console), style=line_style + own)
        return Strip([Segment(" ", line_style), *segments]).crop(0, width)

    def _card_line(self, card: DealCard, row: int, style) -> Text:
        # Every stored string on a card goes through plain / visible: drawn once, then cached.
        if row == 0:
            return plain(card.title, style("card--title"), no_wrap=True)
        if row == 1:
            parts = [format_money(card.value, self.currency, short=True), card.owner_initials, f"{'?' if card.days_in_stage is None else card.days_in_stage}d in stage"]
            if card.milestone:
                parts.append(card.milestone)
            # Titles often start with the account ("Acme — rollout"); don't say it twice.
            account = card.account_name
            if account and not card.title.casefold().startswith(account.casefold()):
                parts.insert(0, account)
            return plain(" · ".join(parts), style("card--meta"), no_wrap=True)
        if card.next_task_due is None:
            line = Text("no next step", style=style("card--warning"), no_wrap=True)
        else:
            when = due_label(card.next_task_due, self.today)
            line = Text(f"{when}: ", style=style("card--warning") if card.overdue else style("card--meta"), no_wrap=True)
            line.append(visible(card.next_task_title), style=style("card--next"))
        if card.stale:
            line = Text.assemble(Text("stale ", style=style("card--warning")), line, no_wrap=True)
        return line


class StageColumn(Vertical):
    """One stage: its name and totals, then its cards."""

    DEFAULT_CSS = """
    StageColumn {
        width: 30;
        height: 1fr;
        margin-right: 1;
    }
    StageColumn > .column-header {
        height: 2;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    /* Set by the board with focus, not :focus-within: that styles a column mounted
       the same moment only now and then. On the header alone: a class on the column
       would restyle its card list and scrollbars too, on every focus change. */
    StageColumn > .column-header.-focused {
        background: $primary;
        color: $text;
    }
    """

    def __init__(self, column: ColumnSummary, *, weighted: bool, currency: str = DEFAULT_CURRENCY) -> None:
        super().__init__(id=f"stage-{column.stage_id}")
        self.column = column
        self.weighted = weighted
        self.currency = currency
        self.cards = CardList(column.stage_id, id=f"cards-{column.stage_id}")
        self._more_left = False
        self._more_right = False

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="column-header")
        yield self.cards

    @property
    def header(self) -> Static:
        return self.query_one(".column-header", Static)

    def set_focused(self, focused: bool) -> None:
        """Highlight the header of the column that has the focus."""
        self.header.set_class(focused, "-focused")

    @property
    def is_focused_column(self) -> bool:
        return self.header.has_class("-focused")

    def set_edges(self, *, more_left: bool, more_right: bool) -> None:
        """Mark the board's edge columns when more stages are off screen."""
        if (more_left, more_right) != (self._more_left, self._more_right):
            self._more_left, self._more_right = more_left, more_right
            self._redraw_header()

    def update_summary(self, column: ColumnSummary, currency: str = DEFAULT_CURRENCY) -> None:
        if (column, currency) != (self.column, self.currency):
            self.column, self.currency = column, currency
            self._redraw_header()

    def _redraw_header(self) -> None:
        # The header's size is fixed (two lines, the column's width): no layout pass.
        self.header.update(self._header(), layout=False)

    def _header(self) -> Table:
        column = self.column
        grid = Table.grid(expand=True)
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        grid.add_column(justify="right", no_wrap=True)
        money = format_money(column.value, self.currency, short=True)
        if self.weighted:
            money += f" · wtd {format_money(column.weighted, self.currency, short=True)}"
        name = plain(column.stage_name, "bold")
        if self._more_left:
            name = Text.assemble(("◀ ", "bold"), name)
        count = Text(f"{column.count} deal" if column.count == 1 else f"{column.count} deals")
        if self._more_right:
            count.append(" ▶", style="bold")
        grid.add_row(name, count)
        grid.add_row(Text(money), Text(f"{column.probability}%" if self.weighted else ""))
        return grid
