"""A deal's timeline, drawn line by line.

``TimelineView`` draws only the lines on screen with ``render_line``: one line
per entry, plus the wrapped text of the entries a rep expanded. A deal with 500
entries costs what one with 5 does. User text (notes, outcomes) is always plain
``Text``, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from tui.plain_text import visible
from tui.widgets.line_view import CursorLineView, cursor_bindings
from store import events as deal_events
from store.reps import initials
from store.timeline import ACTIVITY, EVENT, NOTE, TASK, TimelineEntry, format_when
from tui.widgets.stage_column import due_label

LEFT = 12  # marker, icon, space, label (8), space
WHEN_WIDTH = 16  # "2026-10-03 14:00"
WIDE = 100  # from this width the timeline names people in full, not by initials

EVENT_LABELS = {
    deal_events.CREATED: "created",
    deal_events.STAGE_CHANGED: "stage",
    deal_events.CONVERTED: "convert",
    deal_events.WON: "won",
    deal_events.LOST: "lost",
    deal_events.REOPENED: "reopen",
    deal_events.OWNER_CHANGED: "owner",
    deal_events.VALUE_CHANGED: "value",
    deal_events.CLOSE_DATE_CHANGED: "close",
    deal_events.DETAILS_EDITED: "edited",
    deal_events.UNDONE: "undo",
    deal_events.CONTACT_ADDED: "contact",
    deal_events.CONTACT_REMOVED: "contact",
    deal_events.PRIMARY_CONTACT_SET: "contact",
    deal_events.ACCOUNT_MERGED: "merged",
    deal_events.CONTACT_MERGED: "merged",
}


def entry_label(entry: TimelineEntry) -> str:
    if entry.kind == ACTIVITY:
        return entry.activity_type or "activity"
    if entry.kind == NOTE:
        return "note"
    if entry.kind == TASK:
        return "task" if entry.is_open_task else "done"
    return EVENT_LABELS.get(entry.event_kind, "history")


def entry_icon(entry: TimelineEntry) -> str:
    if entry.kind == ACTIVITY:
        return "●"
    if entry.kind == NOTE:
        return "≡"
    if entry.kind == TASK:
        return "□" if entry.is_open_task else "✓"
    return "◆"


@dataclass(frozen=True)
class Moment:
    """What "now" is for the rep reading the timeline."""

    now: datetime
    today: date
    tz: str


class TimelineView(CursorLineView, can_focus=True):
    """A deal's timeline, newest first, one line per entry; notes expand in place."""

    HELP_GROUP = "Timeline"
    COMPONENT_CLASSES = {
        "timeline--activity",
        "timeline--note",
        "timeline--task",
        "timeline--event",
        "timeline--won",
        "timeline--lost",
        "timeline--done",
        "timeline--muted",
        "timeline--warning",
        "timeline--detail",
        "timeline--cursor",
    }
    FOCUS_COMPONENTS = frozenset({"timeline--cursor"})  # rows are keyed by focus (render_line)
    DEFAULT_CSS = """
    TimelineView {
        height: 1fr;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    TimelineView > .timeline--activity { color: $text-accent; }
    TimelineView > .timeline--note { color: $text-secondary; }
    TimelineView > .timeline--task { color: $text-primary; }
    TimelineView > .timeline--event { color: $text-muted; }
    TimelineView > .timeline--won { color: $success; text-style: bold; }
    TimelineView > .timeline--lost { color: $error; }
    TimelineView > .timeline--done { color: $text-muted; }
    TimelineView > .timeline--muted { color: $text-muted; }
    TimelineView > .timeline--warning { color: $warning; text-style: bold; }
    TimelineView > .timeline--detail { color: $text; }
    TimelineView > .timeline--cursor { background: $card-cursor-blurred-background; }
    TimelineView:focus > .timeline--cursor { background: $card-cursor-background; }
    """
    BINDINGS = [
        *cursor_bindings("timeline", first="Newest", last="Oldest"),
        Binding("enter,space", "toggle", "Expand", show=False, id="timeline-expand"),
        # Inherited sideways scrolling: nothing to scroll, so kept out of the help.
        Binding("left", "scroll_left", "", show=False),
        Binding("right", "scroll_right", "", show=False),
        Binding("ctrl+pageup", "page_left", "", show=False),
        Binding("ctrl+pagedown", "page_right", "", show=False),
    ]

    @dataclass
    class CursorMoved(Message):
        timeline: "TimelineView"
        entry: TimelineEntry | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[TimelineEntry] = []
        self.moment = Moment(datetime.now(timezone.utc), date.today(), "UTC")
        self.empty_text = "Nothing here yet"
        self._expanded: set[tuple[str, int]] = set()
        self._rows: list[tuple[int, int]] = []  # (entry index, line within it: 0 is the entry)
        self._first_row: list[int] = []
        self._layout_width = 0
        self._detail_lines = lru_cache(maxsize=1024)(self._wrap_detail)

    # --- data in ---------------------------------------------------------------------------

    def show(self, entries: list[TimelineEntry], moment: Moment, *, empty_text: str = "Nothing here yet") -> None:
        """New entries; the cursor stays on the entry it was on, if it is still there."""
        current = self.selected
        self.entries = list(entries)
        self.moment = moment
        self.empty_text = empty_text
        keys = {e.key: i for i, e in enumerate(self.entries)}
        self._expanded &= set(keys)
        self._render_row.cache_clear()
        self._detail_lines.cache_clear()
        self._layout()
        index = keys.get(current.key) if current is not None else None
        self.set_reactive(TimelineView.cursor, self.validate_cursor(self.cursor if index is None else index))
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.selected))

    @property
    def selected(self) -> TimelineEntry | None:
        return self.entries[self.cursor] if 0 <= self.cursor < len(self.entries) else None

    def is_expanded(self, entry: TimelineEntry) -> bool:
        return entry.key in self._expanded

    # --- layout ----------------------------------------------------------------------------

    @property
    def _width(self) -> int:
        return self.scrollable_content_region.width or self.size.width

    def _layout(self) -> None:
        width = self._width
        self._layout_width = width
        rows: list[tuple[int, int]] = []
        first: list[int] = []
        for index, entry in enumerate(self.entries):
            first.append(len(rows))
            rows.append((index, 0))
            if entry.key in self._expanded:
                rows.extend((index, n + 1) for n in range(len(self._detail_lines(entry, width))))
        self._rows, self._first_row = rows, first
        self.virtual_size = Size(width, max(len(rows), 1))

    def on_resize(self, event: events.Resize) -> None:
        if self._width != self._layout_width:
            self._render_row.cache_clear()
            self._layout()
            self._scroll_to_cursor()

    def _headline_width(self, width: int) -> int:
        return max(8, width - LEFT - 2 - self._who_width(width) - 2 - WHEN_WIDTH - 1)

    @staticmethod
    def _who_width(width: int) -> int:
        return 16 if width >= WIDE else 3

    def _wrap_detail(self, entry: TimelineEntry, width: int) -> tuple[str, ...]:
        """What expanding ``entry`` adds under it: the text its line could not show."""
        headline_fits = Text(visible(entry.headline)).cell_len <= self._headline_width(width)
        if entry.kind == NOTE:
            body = visible(entry.detail.strip(), multiline=True).splitlines()
            if headline_fits:
                body = body[1:]  # the first line is the headline, already on show
        elif entry.kind == EVENT and entry.detail:
            body = entry.detail.strip().splitlines()  # an undone note's text, kept to recover it
        elif headline_fits:
            return ()
        else:
            body = [visible(entry.detail or entry.headline, multiline=True)]
        room = max(10, width - LEFT - 1)
        lines: list[str] = []
        for paragraph in body:
            if not paragraph.strip():
                lines.append("")
                continue
            wrapped = Text(paragraph).wrap(self.app.console, room)
            lines.extend(line.plain for line in wrapped)
        while lines and not lines[-1]:
            lines.pop()
        return tuple(lines)

    def is_expandable(self, entry: TimelineEntry) -> bool:
        return bool(self._detail_lines(entry, self._width))

    # --- cursor ----------------------------------------------------------------------------

    def _cursor_count(self) -> int:
        return len(self.entries)

    def _cursor_region(self) -> tuple[int, int] | None:
        if not self.entries:
            return None
        entry = self.entries[self.cursor]
        return self._first_row[self.cursor], 1 + (len(self._detail_lines(entry, self._width))
                                                  if self.is_expanded(entry) else 0)

    def _cursor_moved(self) -> Message:
        return self.CursorMoved(self, self.selected)

    def action_toggle(self) -> None:
        entry = self.selected
        if entry is None:
            return
        if entry.key in self._expanded:
            self._expanded.discard(entry.key)
        elif self.is_expandable(entry):
            self._expanded.add(entry.key)
        else:
            return
        self._render_row.cache_clear()
        self._layout()
        self._scroll_to_cursor()
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        self.focus()
        row = event.y + self.scroll_offset.y
        if 0 <= row < len(self._rows):
            self.cursor = self._rows[row][0]

    # --- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self._width
        base = self._style("base")
        if not self.entries:
            if y == 1:
                text = Text()
                text.append(f"  {self.empty_text}", style=self._style("timeline--muted"))
                text.truncate(width, pad=True)
                return Strip(list(text.render(self.app.console))).apply_style(base)
            return Strip.blank(width, base)
        if row >= len(self._rows):
            return Strip.blank(width, base)
        index, line = self._rows[row]
        return self._render_row(self.entries[index], line, width, index == self.cursor, self.has_focus)

    def _draw_row(self, entry: TimelineEntry, line: int, width: int, selected: bool, focused: bool) -> Strip:
        if line == 0:
            strip = self._entry_strip(entry, width, selected)
            if strip is not None:
                return strip
        text = self._entry_line(entry, width) if line == 0 else self._detail_line(entry, line - 1, width)
        text.truncate(width, overflow="ellipsis", pad=True)
        if selected:
            text.stylize(Style(bgcolor=self._style("timeline--cursor").bgcolor))
        # Text.render leaves unstyled gaps unstyled: put the widget's own style under them.
        return Strip(list(text.render(self.app.console))).apply_style(self._style("base")).crop(0, width)

    def _kind_style(self, entry: TimelineEntry) -> Style:
        if entry.overdue:
            return self._style("timeline--warning")
        if entry.kind == EVENT and entry.event_kind == deal_events.WON:
            return self._style("timeline--won")
        if entry.kind == EVENT and entry.event_kind == deal_events.LOST:
            return self._style("timeline--lost")
        if entry.kind == TASK and not entry.is_open_task:
            return self._style("timeline--done")
        return self._style(f"timeline--{entry.kind}")

    def _entry_parts(self, entry: TimelineEntry, width: int) -> list[tuple[str, Style]]:
        """An entry's line in pieces, each in its style: the marker, the kind, the
        headline, who and when, in columns."""
        kind = self._kind_style(entry)
        base = self._style("base")
        muted = self._style("timeline--warning") if entry.overdue else self._style("timeline--muted")
        plain = self._style("timeline--warning") if entry.overdue else base
        if entry.kind == TASK and not entry.is_open_task:
            plain = self._style("timeline--done")
        if self.is_expandable(entry):
            marker = "▾" if self.is_expanded(entry) else "▸"
        else:
            marker = " "
        who_width = self._who_width(width)
        return [
            (marker, muted),
            (entry_icon(entry), kind),
            (" ", base),
            (f"{entry_label(entry):<8.8}", kind),
            (" ", base),
            (_fit(visible(entry.headline), self._headline_width(width)), plain),
            ("  ", base),
            (_fit(self._who(entry, who_width), who_width), muted),
            ("  ", base),
            (f"{self._when(entry):<{WHEN_WIDTH}}", muted),
        ]

    def _entry_strip(self, entry: TimelineEntry, width: int, selected: bool) -> Strip | None:
        """The entry's line as segments, as ``_entry_line`` draws it but without building
        and rendering a Text (a screenful of them is most of opening a deal); None when
        the line is wider than the widget (narrow): the Text path cuts it with an ellipsis."""
        parts = self._entry_parts(entry, width)
        room = width - sum(cell_len(text) for text, _style in parts)
        if room < 0:
            return None
        if room:
            parts.append((" " * room, self._style("base")))
        if selected:
            cursor = Style(bgcolor=self._style("timeline--cursor").bgcolor)
            return Strip([Segment(text, style + cursor) for text, style in parts], width)
        return Strip([Segment(text, style) for text, style in parts], width)

    def _entry_line(self, entry: TimelineEntry, width: int) -> Text:
        return Text.assemble(*self._entry_parts(entry, width), style=self._style("base"), no_wrap=True, end="")

    def _detail_line(self, entry: TimelineEntry, index: int, width: int) -> Text:
        lines = self._detail_lines(entry, width)
        content = lines[index] if index < len(lines) else ""
        return Text.assemble(
            " " * LEFT, (content, self._style("timeline--detail")), style=self._style("base"), no_wrap=True, end=""
        )

    @staticmethod
    def _who(entry: TimelineEntry, width: int) -> str:
        if not entry.who:
            return ""
        return visible(entry.who if width > 3 else initials(entry.who))

    def _when(self, entry: TimelineEntry) -> str:
        if entry.is_open_task and entry.task_due is not None:
            return f"due {due_label(entry.task_due, self.moment.today)}"
        return format_when(entry.at, self.moment.now, self.moment.tz)


def _fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with an ellipsis (as
    ``Text.truncate(width, overflow="ellipsis", pad=True)`` does)."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    return text + " " * (width - length)
