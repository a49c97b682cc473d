"""The Today queue as rows: section headings, tasks, coming-up days and notes.

What the queue says, in order, apart from how ``TaskQueue`` draws it: a heading per
section with its counts, a task, a coming-up day (its tasks below it once opened),
and the notes for an empty section or the days past the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from store.dates import show_day
from store.today import QueueTask, TodayQueue, UpcomingDay

SECTION, TASK, DAY, NOTE = "section", "task", "day", "note"


@dataclass(frozen=True)
class Row:
    kind: str
    section: str = ""  # overdue / today / coming_up
    text: str = ""  # a heading's or a note's words
    detail: str = ""  # a heading's muted words after it
    warn: bool = False
    task: QueueTask | None = None
    day: UpcomingDay | None = None
    open: bool = False  # a day: shown opened

    @property
    def selectable(self) -> bool:
        return self.kind == TASK or (self.kind == DAY and self.day is not None and bool(self.day.tasks))


def queue_rows(queue: TodayQueue | None, opened: set[date]) -> list[Row]:
    """The queue as rows, top to bottom; a coming-up day in ``opened`` shows its tasks."""
    return list(_rows(queue, opened))


def _rows(queue: TodayQueue | None, opened: set[date]) -> Iterator[Row]:
    if queue is None:
        yield Row(NOTE, text="Loading…")
        return
    meter = queue.meter
    overdue = len(queue.overdue)
    yield Row(
        SECTION,
        "overdue",
        "Overdue",
        f"{overdue} task{'s' * (overdue != 1)}, oldest first" if overdue else "",
        warn=bool(overdue),
    )
    if not overdue:
        yield Row(NOTE, "overdue", "Nothing overdue.")
    for task in queue.overdue:
        yield Row(TASK, "overdue", task=task)

    if meter.working or meter.planned:
        detail = f"{meter.to_do} to do · {meter.done} done · {meter.planned} of {meter.capacity}"
        if meter.over:
            detail += " · over capacity"
    else:
        detail = "a day off"
    yield Row(SECTION, "today", f"Today, {show_day(queue.today)}", detail, warn=meter.over)
    if not queue.due_today:
        yield Row(NOTE, "today", "All done for today." if meter.done else "Nothing due today.")
    for task in queue.due_today:
        yield Row(TASK, "today", task=task)

    count = queue.coming_up_count
    yield Row(SECTION, "coming_up", "Coming up", f"{count} task{'s' * (count != 1)}; enter opens a day")
    for upcoming in queue.coming_up:
        is_open = upcoming.day in opened and bool(upcoming.tasks)
        yield Row(DAY, "coming_up", day=upcoming, open=is_open, warn=upcoming.over)
        if is_open:
            for task in upcoming.tasks:
                yield Row(TASK, "coming_up", task=task)
    if queue.later:
        later = f"and {queue.later} later"
        if queue.next_later:
            later += f", the first on {show_day(queue.next_later)}"
        yield Row(NOTE, "coming_up", later)
