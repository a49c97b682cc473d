"""Capacity at a glance: today's meter and the week strip.

``TodayMeter`` is one line: done and still-to-do against the rep's daily
capacity, with what is overdue on top. ``WeekStrip`` is two lines: for each of
the next working days, its load against capacity as a bar, so an overloaded day
shows before it arrives. Both draw from a ``TodayQueue``; neither holds anything
a rep typed.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from store.tasks import DayLoad
from store.today import TodayQueue

FULL, EMPTY = "█", "░"


class _CapacityWidget(Widget):
    COMPONENT_CLASSES = {
        "capacity--label",
        "capacity--done",
        "capacity--todo",
        "capacity--free",
        "capacity--full",
        "capacity--over",
        "capacity--muted",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queue: TodayQueue | None = None

    def show(self, queue: TodayQueue) -> None:
        self.queue = queue
        self.refresh()

    def _fg(self, name: str):
        style = self.get_component_rich_style(name, partial=True)
        return Style(color=style.color, bold=style.bold)


class TodayMeter(_CapacityWidget):
    """``Today ████▒▒▒░░░ 3 done · 5 to do · 8 of 12 · 5 overdue``."""

    DEFAULT_CSS = """
    TodayMeter { height: 1; padding: 0 1; background: $boost; }
    TodayMeter > .capacity--label { text-style: bold; }
    TodayMeter > .capacity--done { color: $success; }
    TodayMeter > .capacity--todo { color: $primary; }
    TodayMeter > .capacity--free { color: $text-disabled; }
    TodayMeter > .capacity--full { color: $warning; }
    TodayMeter > .capacity--over { color: $warning; text-style: bold; }
    TodayMeter > .capacity--muted { color: $text-muted; }
    """

    def render(self) -> Text:
        if self.queue is None:
            return Text("")
        room = self.content_size.width or self.size.width
        # What matters most stays when the line is narrow: the extras go first.
        for extras in (("cleared", "later", "hint"), ("later", "hint"), ("later",), ()):
            text = self._line(self.queue, room, extras)
            if text.cell_len <= room:
                break
        return text

    def _line(self, queue: TodayQueue, room: int, extras: tuple[str, ...]) -> Text:
        meter = queue.meter
        muted = self._fg("capacity--muted")
        over = self._fg("capacity--over")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("Today ", style=self._fg("capacity--label"))
        if not meter.working and not meter.planned:
            text.append("a day off", style=muted)
        else:
            cells = 10 if room < 100 else 20
            capacity = max(meter.capacity, 1)
            done = min(cells, round(meter.done * cells / capacity))
            planned = min(cells, max(done, round(meter.planned * cells / capacity)))
            text.append(FULL * done, style=self._fg("capacity--done"))
            text.append(FULL * (planned - done), style=over if meter.over else self._fg("capacity--todo"))
            text.append(EMPTY * (cells - planned), style=self._fg("capacity--free"))
            text.append(f" {meter.done} done · {meter.to_do} to do · ", style=muted)
            if meter.over:
                text.append(
                    f"{meter.planned} of {meter.capacity}: over by {meter.planned - meter.capacity}", style=over
                )
            else:
                text.append(f"{meter.planned} of {meter.capacity}", style=muted)
        if meter.overdue:
            text.append(" · ", style=muted)
            text.append(f"{meter.overdue} overdue", style=over)
        if meter.cleared_overdue and "cleared" in extras:
            text.append(f" · {meter.cleared_overdue} overdue cleared", style=muted)
        later_over = [d for d in queue.overloaded if d.day != queue.today]
        if later_over and "later" in extras:
            text.append(" · ", style=muted)
            text.append(", ".join(f"{d.day:%a}" for d in later_over) + " over capacity", style=over)
        if (meter.overdue or queue.overloaded) and "hint" in extras:
            text.append(" · B balances", style=muted)
        return text


class WeekStrip(_CapacityWidget):
    """Two lines: each working day's name and load, then its bar."""

    DEFAULT_CSS = """
    WeekStrip { height: 2; padding: 0 1; }
    WeekStrip > .capacity--label { text-style: bold; }
    WeekStrip > .capacity--todo { color: $primary; }
    WeekStrip > .capacity--free { color: $text-disabled; }
    WeekStrip > .capacity--full { color: $warning; }
    WeekStrip > .capacity--over { color: $error; text-style: bold; }
    WeekStrip > .capacity--muted { color: $text-muted; }
    """

    def render(self) -> Text:
        queue = self.queue
        if queue is None or not queue.week:
            return Text("")
        width = max(self.size.width, 20)
        days = queue.week
        column = max(width // len(days), 8)
        heads = Text(no_wrap=True, end="")
        bars = Text(no_wrap=True, end="")
        for load in days:
            heads.append_text(self._head(load, column, is_today=load.day == queue.today))
            bars.append_text(self._bar(load, column))
        return Text("\n").join([heads, bars])

    def _level(self, load: DayLoad) -> str:
        if load.load > load.capacity:
            return "capacity--over"
        if load.load == load.capacity:
            return "capacity--full"
        return "capacity--todo"

    def _head(self, load: DayLoad, column: int, *, is_today: bool) -> Text:
        name = "Today" if is_today else f"{load.day:%a} {load.day.day}"
        count = f"{load.load}/{load.capacity}"
        room = column - 1
        gap = max(room - len(name) - len(count), 1)
        text = Text(no_wrap=True, end="")
        text.append(name, style=self._fg("capacity--label" if is_today else "capacity--muted"))
        text.append(" " * gap)
        level = self._level(load)
        text.append(count, style=self._fg(level if level != "capacity--todo" else "capacity--muted"))
        text.append(" ")
        text.truncate(column, overflow="ellipsis", pad=True)
        return text

    def _bar(self, load: DayLoad, column: int) -> Text:
        cells = column - 1
        filled = min(cells, round(load.load * cells / max(load.capacity, 1)))
        if load.load and not filled:
            filled = 1  # one task still shows
        text = Text(no_wrap=True, end="")
        text.append(FULL * filled, style=self._fg(self._level(load)))
        text.append(EMPTY * (cells - filled), style=self._fg("capacity--free"))
        text.append(" ")
        return text
