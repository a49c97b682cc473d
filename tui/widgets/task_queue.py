"""The Today queue, drawn line by line: sections, tasks and coming-up days.

``TaskQueue`` is one line-API widget (``render_line``), never a widget per task:
a queue of 600 tasks costs what one of 6 does. It lays the queue's rows out
(``queue_rows.py`` says which: a section heading, a task — two lines, or one on a
wide terminal —, a coming-up day, collapsed to one line unless opened) and keeps
a cursor on the rows a rep can act on: tasks and days. Task titles and deal names are plain ``Text``,
never markup.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from store.dates import show_day
from store.today import QueueTask, TodayQueue, last_activity_label, late_label
from tui.plain_text import visible
from tui.widgets.line_view import CursorLineView, cursor_bindings
from tui.widgets.queue_rows import DAY, NOTE, SECTION, TASK, Row, queue_rows

WIDE = 110  # from this width a task takes one line instead of two


class TaskQueue(CursorLineView, can_focus=True):
    """A rep's queue: Overdue, Today, Coming up; ``enter`` on a day opens it."""

    RENDER_CACHE_SIZE = 2048

    HELP_GROUP = "Queue"
    COMPONENT_CLASSES = {
        "queue--heading",
        "queue--title",
        "queue--muted",
        "queue--warning",
        "queue--day",
        "queue--cursor",
    }
    FOCUS_COMPONENTS = frozenset({"queue--cursor"})  # rows are keyed by focus (render_line)
    DEFAULT_CSS = """
    TaskQueue {
        height: 1fr;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    TaskQueue > .queue--heading { color: $text-primary; text-style: bold; }
    TaskQueue > .queue--title { color: $text; }
    TaskQueue > .queue--muted { color: $text-muted; }
    TaskQueue > .queue--warning { color: $warning; text-style: bold; }
    TaskQueue > .queue--day { color: $text; }
    TaskQueue > .queue--cursor { background: $card-cursor-blurred-background; }
    TaskQueue:focus > .queue--cursor { background: $card-cursor-background; }
    """
    BINDINGS = [
        *cursor_bindings("queue", down="Next", up="Previous"),
        Binding("right,o", "open_day(True)", "Open day", show=False, id="queue-open-day"),
        Binding("left", "open_day(False)", "Close day", show=False, id="queue-close-day"),
    ]

    # ``cursor`` is an index into the selectable rows.

    @dataclass
    class CursorMoved(Message):
        queue: "TaskQueue"
        task: QueueTask | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queue: TodayQueue | None = None
        self.opened: set[date] = set()
        self._rows: list[Row] = []
        self._tops: list[int] = []  # the first line of each row
        self._selectable: list[int] = []  # row indexes the cursor can be on
        self._layout_width = 0
        self._title_column = 0  # wide layout: the width of the title column

    # --- data in ---------------------------------------------------------------------------

    def show(self, queue: TodayQueue, *, focus_task: int | None = None) -> None:
        """A new queue. The cursor goes to ``focus_task`` (opening its day), else stays on
        the task or day it was on, else keeps its place."""
        before = self.selected_row
        self.queue = queue
        days = {d.day for d in queue.coming_up}
        self.opened &= days
        if focus_task is not None:
            for upcoming in queue.coming_up:
                if any(t.id == focus_task for t in upcoming.tasks):
                    self.opened.add(upcoming.day)
        self._layout()
        index = self._find(focus_task) if focus_task is not None else None
        if index is None and before is not None:
            index = self._find(before.task.id if before.task else None, before.day.day if before.day else None)
        self._move_cursor(self.cursor if index is None else index)

    def _find(self, task_id: int | None, day: date | None = None) -> int | None:
        for position, row_index in enumerate(self._selectable):
            row = self._rows[row_index]
            if task_id is not None and row.task is not None and row.task.id == task_id:
                return position
            if day is not None and row.kind == DAY and row.day.day == day:
                return position
        return None

    def _move_cursor(self, index: int) -> None:
        self.set_reactive(TaskQueue.cursor, self.validate_cursor(index))
        self._render_row.cache_clear()
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.selected))

    @property
    def selected_row(self) -> Row | None:
        if not self._selectable:
            return None
        return self._rows[self._selectable[self.cursor]]

    @property
    def selected(self) -> QueueTask | None:
        """The task under the cursor (None on a day line or an empty queue)."""
        row = self.selected_row
        return row.task if row is not None else None

    def task_after(self, task_id: int) -> int | None:
        """The task the cursor should go to once ``task_id`` leaves the queue: the
        next one, else the one before."""
        ids = [self._rows[i].task.id for i in self._selectable if self._rows[i].task is not None]
        if task_id not in ids:
            return None
        at = ids.index(task_id)
        if at + 1 < len(ids):
            return ids[at + 1]
        return ids[at - 1] if at > 0 else None

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def lines(self) -> list[str]:
        """Every line as plain text (for tests and a screen reader's sake)."""
        width = self._width
        return [
            self._row_line(row, n, width, False).plain.rstrip() for row in self._rows for n in range(self._height(row))
        ]

    # --- layout ----------------------------------------------------------------------------

    @property
    def _width(self) -> int:
        return self.scrollable_content_region.width or self.size.width or 80

    @property
    def wide(self) -> bool:
        return self._width >= WIDE

    def _height(self, row: Row) -> int:
        return 2 if row.kind == TASK and not self.wide else 1

    def _layout(self) -> None:
        self._layout_width = self._width
        self._rows = rows = queue_rows(self.queue, self.opened)
        tops, line = [], 0
        for row in rows:
            tops.append(line)
            line += self._height(row)
        self._tops = tops
        self._selectable = [i for i, row in enumerate(rows) if row.selectable]
        # A coming-up task sits two columns deeper; its title ends where the others' do.
        titles = [
            Text(_one_line(row.task.title)).cell_len + (2 if row.section == "coming_up" else 0)
            for row in rows
            if row.task is not None
        ]
        self._title_column = max(titles, default=0) + 2
        self._render_row.cache_clear()
        self.virtual_size = Size(self._width, max(line, 1))

    def on_resize(self, event: events.Resize) -> None:
        if self._width != self._layout_width:
            self._layout()
            self._scroll_to_cursor()

    # --- cursor ----------------------------------------------------------------------------

    def _cursor_count(self) -> int:
        return len(self._selectable)

    def watch_cursor(self) -> None:
        self._render_row.cache_clear()
        super().watch_cursor()

    def _cursor_region(self) -> tuple[int, int] | None:
        if not self._selectable:
            return 0, 1  # the top
        index = self._selectable[self.cursor]
        top = self._tops[index]
        # Keep the heading in sight when the cursor is on its first row.
        if index > 0 and self._rows[index - 1].kind == SECTION:
            top = self._tops[index - 1]
        return top, self._tops[index] + self._height(self._rows[index]) - top

    def _cursor_page(self) -> int:
        return self.size.height // (1 if self.wide else 2)

    def _cursor_moved(self) -> Message:
        return self.CursorMoved(self, self.selected)

    def toggle_day(self, open_: bool | None = None) -> bool:
        """Open or close the day under the cursor (or the day of the task under it, to
        close). True if something changed."""
        row = self.selected_row
        if row is None:
            return False
        day = row.day.day if row.kind == DAY else (row.task.due if row.section == "coming_up" else None)
        if day is None:
            return False
        now_open = day in self.opened
        wanted = (not now_open) if open_ is None else open_
        if wanted == now_open or (row.kind == TASK and wanted):
            return False
        (self.opened.add if wanted else self.opened.discard)(day)
        self._layout()
        self._move_cursor(self._find(None, day) or 0)
        return True

    def action_open_day(self, open_: bool) -> None:
        self.toggle_day(open_)

    def on_click(self, event: events.Click) -> None:
        self.focus()
        line = event.y + self.scroll_offset.y
        index = bisect_right(self._tops, line) - 1
        if index in self._selectable:
            self.cursor = self._selectable.index(index)

    # --- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        width = self._width
        base = self._style("base")
        if not self._rows or line >= self._tops[-1] + self._height(self._rows[-1]):
            return Strip.blank(width, base)
        index = bisect_right(self._tops, line) - 1
        selected = bool(self._selectable) and self._selectable[self.cursor] == index
        return self._render_row(index, line - self._tops[index], width, selected, self.has_focus)

    def _draw_row(self, index: int, line: int, width: int, selected: bool, focused: bool) -> Strip:
        text = self._row_line(self._rows[index], line, width, selected)
        text.truncate(width, overflow="ellipsis", pad=True)
        if selected:
            text.stylize(Style(bgcolor=self._style("queue--cursor").bgcolor))
        return Strip(list(text.render(self.app.console))).apply_style(self._style("base")).crop(0, width)

    def _row_line(self, row: Row, line: int, width: int, selected: bool) -> Text:
        if row.kind == SECTION:
            return self._heading(row)
        if row.kind == NOTE:
            return Text.assemble(("   " + row.text, self._style("queue--muted")), no_wrap=True, end="")
        if row.kind == DAY:
            return self._day_line(row, width)
        return self._task_line(row, line, width, selected)

    def _heading(self, row: Row) -> Text:
        style = self._style("queue--warning" if row.warn else "queue--heading")
        text = Text(no_wrap=True, end="")
        text.append(f" {row.text}", style=style)
        if row.detail:
            text.append("  ")
            text.append(row.detail, style=self._style("queue--warning" if row.warn else "queue--muted"))
        return text

    def _day_line(self, row: Row, width: int) -> Text:
        upcoming = row.day
        load = upcoming.load
        marker = ("▾" if row.open else "▸") if upcoming.tasks else " "
        count = len(upcoming.tasks)
        text = Text(no_wrap=True, end="")
        text.append(f" {marker} ", style=self._style("queue--muted"))
        text.append(f"{show_day(upcoming.day):<11}", style=self._style("queue--day"))
        words = f"{count} task{'s' * (count != 1)}" if count else "no tasks"
        text.append(f"{words:<10}", style=self._style("queue--muted"))
        if not upcoming.working:
            text.append("  not a working day", style=self._style("queue--muted"))
        elif upcoming.over:
            text.append(f"  {load.load} of {load.capacity}: over capacity", style=self._style("queue--warning"))
        else:
            text.append(f"  {load.load} of {load.capacity}", style=self._style("queue--muted"))
        return text

    def _about(self, task: QueueTask) -> str:
        """``Acme fleet rollout (Acme) · Qualified · call 3 days ago``."""
        deal = task.deal_title
        account = task.account_name
        # Titles often start with the account ("Acme — rollout"): don't say it twice.
        if account and not deal.casefold().startswith(account.casefold()):
            deal = f"{deal} ({account})"
        queue = self.queue
        last = last_activity_label(task, queue.today, queue.rep.timezone)
        return _one_line(" · ".join((deal, task.stage_name, last)))

    def _when(self, row: Row) -> tuple[str, str]:
        task = row.task
        if task.is_overdue:
            return late_label(task.days_late), "queue--warning"
        return "", "queue--muted"  # its section or day line says when

    def _task_line(self, row: Row, line: int, width: int, selected: bool) -> Text:
        task = row.task
        indent = "     " if row.section == "coming_up" else "   "
        title_style = self._style("queue--title")
        muted = self._style("queue--muted")
        if line == 1:  # the second line of a two-line task
            about = Text(self._about(task), style=muted, no_wrap=True, end="")
            return Text.assemble(indent + "  ", about, no_wrap=True, end="")
        when, when_style = self._when(row)
        when_text = Text(f" {when:>12}", style=self._style(when_style), no_wrap=True, end="")
        marker = "▶ " if selected else ("! " if task.is_overdue else "□ ")
        marker_style = self._style("queue--warning") if task.is_overdue else muted
        title = Text(_one_line(task.title), style=title_style, no_wrap=True, end="")
        room = width - len(indent) - 2 - when_text.cell_len - 1
        if self.wide:
            # One column for every row; a coming-up task's deeper indent comes out of its title.
            title_room = min(self._title_column, room * 9 // 20) - (len(indent) - 3)
            title.truncate(title_room, overflow="ellipsis", pad=True)
            about = Text(self._about(task), style=muted, no_wrap=True, end="")
            about.truncate(max(room - title_room, 0), overflow="ellipsis", pad=True)
            title = Text.assemble(title, about, no_wrap=True, end="")
        else:
            title.truncate(max(room, 1), overflow="ellipsis", pad=True)
        return Text.assemble(indent, (marker, marker_style), title, when_text, no_wrap=True, end="")


def _one_line(text: str) -> str:
    """Stored text on one line: runs of whitespace as one space, control characters shown."""
    return visible(" ".join(text.split()))
