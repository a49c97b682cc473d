"""The activity pipeline drawn as a small table: where the relationships are.

``ActivityPipelineView`` shows what it is given (the numbers screen loads it);
``MilestoneBoard`` loads its own, for the leads board's `v` toggle.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from tui.failures import ReportsFailedWorkers

from store.settings import team_timezone
from store.activity_pipeline import ActivityPipeline, activity_pipeline
from store.periods import WEEK, current_period
from store.terms import LEAD
from tui.plain_text import plain

STEP_NAMES = {
    None: "no milestone",
    "nurture": "nurture",
    "rapport": "rapport · 1st",
    "discovery": "discovery · 2nd",
    "findings": "findings · 3rd",
    "proposal": "proposal · 4th",
}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def pipeline_table(pipeline: ActivityPipeline, title: str, *, split: bool = True) -> Table:
    """Steps down the side; open deals now, and this period's movement beside each.

    ``split`` shows open leads and opportunities apart (wide layouts).
    """
    table = Table(
        title=plain(title, "bold", no_wrap=True, overflow="ellipsis"),  # a rep's name in it
        title_justify="left",
        box=None,
        padding=(0, 1, 0, 0),
        expand=False,
        show_edge=False,
    )
    table.add_column("Milestone", no_wrap=True, overflow="ellipsis")
    table.add_column("Open", justify="right", no_wrap=True)
    if split:
        table.add_column("Leads", justify="right", no_wrap=True, style="dim")
        table.add_column("Opps", justify="right", no_wrap=True, style="dim")
    table.add_column("Moved", justify="right", no_wrap=True)
    table.add_column("Conv", justify="right", no_wrap=True)
    table.add_column("Prev", justify="right", no_wrap=True, style="dim")
    for step in pipeline.steps:
        cells = [Text(STEP_NAMES.get(step.milestone, step.milestone or "")), str(step.open_deals)]
        if split:
            cells += [str(step.leads), str(step.opportunities)]
        last = step.milestone == (pipeline.steps[-1].milestone)
        cells += [
            "" if last else str(step.moved_past),
            "" if last else percent(step.conversion),
            "" if last else percent(step.conversion_previous),
        ]
        table.add_row(*cells)
    return table


class ActivityPipelineView(Static, can_focus=True):
    """Focusable so tab reaches it and a narrow screen scrolls it into view."""

    DEFAULT_CSS = """
    ActivityPipelineView { height: auto; padding: 0 1; }
    ActivityPipelineView:focus { background: $boost; }
    """

    def show(self, pipeline: ActivityPipeline, scope: str, *, split: bool) -> None:
        title = f"Activity pipeline · {scope}"
        self.update(pipeline_table(pipeline, title, split=split))


class MilestoneBoard(ReportsFailedWorkers, VerticalScroll, can_focus=True):
    """The leads board seen by milestone instead of stage: open leads at each
    step, and how many moved past it this week. Loads in a thread worker."""

    DEFAULT_CSS = """
    MilestoneBoard { height: 1fr; padding: 1 2; background: $surface; }
    MilestoneBoard > Static { width: auto; }
    """

    @dataclass
    class Loaded(Message):
        pipeline: ActivityPipeline
        owner_id: int | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._owner_id: int | None = None

    def compose(self):
        yield Static("Loading…", id="milestone-table", markup=False)

    def load(self, database, owner_id: int | None) -> None:
        self._owner_id = owner_id
        self._read(database, owner_id)

    @work(thread=True, exclusive=True, group="milestone-board", exit_on_error=False)
    def _read(self, database, owner_id: int | None) -> None:
        worker = get_current_worker()
        with database.session() as session:
            week = current_period(WEEK, team_timezone(session))
            pipeline = activity_pipeline(session, week, owner_id=owner_id, pipeline=LEAD)
        if not worker.is_cancelled:
            self.post_message(self.Loaded(pipeline, owner_id))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        message.stop()
        if message.owner_id != self._owner_id:
            return
        scope = "your leads" if message.owner_id is not None else "the team's leads"
        table = pipeline_table(message.pipeline, f"Milestones · {scope} · this week", split=False)
        note = Text(
            "\nOpen: leads whose furthest activity reached the step. Moved: leads that went past it "
            "this week. Conv: moved ÷ leads at the step during the week; Prev: last week.\n"
            "v: back to stages · 4: numbers",
            style="dim",
        )
        grid = Table.grid()
        grid.add_row(table)
        grid.add_row(note)
        self.query_one("#milestone-table", Static).update(grid)
