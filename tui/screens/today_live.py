"""Today's reading half: the layout, a rep's queue loaded, and reloaded when it changes.

``LiveQueueScreen`` lays Today out (meter, week strip, the managers' team line, the
queue), loads whose queue ``rep_id`` names in a thread worker and reloads it when
someone writes or midnight passes. It writes nothing: ``tui/screens/today.py`` adds
the keys that work the queue, on top of ``reload`` and ``queue``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from store import changes, clock
from store.dates import show_day
from store.today import RepDay, TodayPage, TodayQueue, load_today
from tui.failures import ReportsFailedWorkers
from tui.plain_text import visible
from tui.widgets.capacity import TodayMeter, WeekStrip
from tui.widgets.key_footer import KeyFooter
from tui.widgets.task_queue import TaskQueue

LIVE_CHECK_SECONDS = 3.0


@dataclass(frozen=True)
class TodayData:
    page: TodayPage  # the queue, the team's counts (managers), the change token
    focus_task: int | None

    @property
    def queue(self) -> TodayQueue:
        return self.page.queue

    @property
    def team(self) -> tuple[RepDay, ...] | None:  # managers only
        return self.page.team

    @property
    def token(self) -> tuple:  # changes.change_token, to notice other people's changes
        return self.page.token


class LiveQueueScreen(ReportsFailedWorkers, Screen):
    DEFAULT_CSS = """
    LiveQueueScreen TaskQueue { height: 1fr; }
    LiveQueueScreen #team { height: 1; padding: 0 1; background: $boost; display: none; }
    LiveQueueScreen #team.-manager { display: block; }
    """

    @dataclass
    class Loaded(Message):
        data: TodayData

    def __init__(self) -> None:
        super().__init__()
        self.rep_id: int | None = None  # whose queue; None until mounted (then the signed-in rep)
        self.data: TodayData | None = None

    # --- layout and loading ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield TodayMeter(id="meter")
        yield WeekStrip(id="week")
        yield Static("", id="team")
        yield TaskQueue(id="queue")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.title = "Today"
        self.rep_id = self.app.rep.id
        self.query_one(TaskQueue).focus()
        self.reload()
        self.set_interval(LIVE_CHECK_SECONDS, self._check_for_changes)

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.reload()

    @property
    def queue(self) -> TodayQueue | None:
        return self.data.queue if self.data else None

    @property
    def viewing_other(self) -> bool:
        return self.rep_id is not None and self.rep_id != self.app.rep.id

    def reload(self, focus_task: int | None = None) -> None:
        self._load(self.rep_id, self.app.rep.is_manager, focus_task)

    @work(thread=True, exclusive=True, group="today-load", exit_on_error=False)
    def _load(self, rep_id: int, manager: bool, focus_task: int | None) -> None:
        worker = get_current_worker()
        with self.app.database.session() as session:
            page = load_today(session, rep_id, team=manager)
        if not worker.is_cancelled:
            self.post_message(self.Loaded(TodayData(page, focus_task)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.data = data = message.data
        queue = data.queue
        if queue.rep.id == self.app.rep.id:
            self.app.rep = queue.rep  # capacity or days may have changed since sign-in
        self.query_one(TodayMeter).show(queue)
        self.query_one(WeekStrip).show(queue)
        self.query_one(TaskQueue).show(queue, focus_task=data.focus_task)
        self._show_team(data.team)
        whose = "your queue" if not self.viewing_other else f"{queue.rep.name}'s queue"
        parts = [whose, show_day(queue.today)]
        if data.team is not None:
            late = sum(r.overdue for r in data.team)
            parts.append(f"team {late} overdue")
        self.sub_title = " · ".join(parts)
        self.refresh_bindings()

    def _show_team(self, team: tuple[RepDay, ...] | None) -> None:
        """Managers: every rep's overdue count on one line, the worst first."""
        line = self.query_one("#team", Static)
        line.set_class(team is not None, "-manager")
        if team is None:
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Team overdue ", style="bold")
        behind = sorted((r for r in team if r.overdue), key=lambda r: (-r.overdue, r.rep.name))
        for i, row in enumerate(behind):
            if i:
                text.append(" · ", style="dim")
            text.append(visible(" ".join(row.rep.name.split())))
            text.append(f" {row.overdue}", style="bold")
        if not behind:
            text.append("none", style="dim")
        text.append("  r picks a rep", style="dim")
        line.update(text)

    # --- live refresh ----------------------------------------------------------------------

    def _check_for_changes(self) -> None:
        if self.data is not None and self.is_current:
            self._poll(self.data.token, self.data.queue.today, self.data.queue.rep.timezone)

    @work(thread=True, exclusive=True, group="today-poll", exit_on_error=False)
    def _poll(self, token: tuple, today: date, tz: str) -> None:
        with self.app.database.session() as session:
            current = changes.change_token(session)
        # Midnight moves tasks from today to overdue without anyone writing.
        if current != token or clock.today_in(tz) != today:
            self.app.call_from_thread(self.reload)
