"""One rep's numbers week by week, and the deals their activities touched.

Pushed from the numbers table with `enter`; `escape` goes back; `enter` on a
deal opens its timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from store.dates import show_day
from store.drilldown import RepDrilldown, rep_drilldown
from store.goals import METRICS
from store.periods import Period
from tui.failures import ReportsFailedWorkers
from tui.widgets.activity_pipeline import STEP_NAMES
from tui.widgets.key_footer import KeyFooter
from tui.plain_text import plain, visible
from tui.widgets.numbers_table import PAD, amount, fit_columns, right_align


class RepNumbersScreen(ReportsFailedWorkers, Screen):
    HELP_TITLE = "Numbers of one rep"
    HELP_GROUP = "Drill-down"
    DEFAULT_CSS = """
    RepNumbersScreen .section {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    RepNumbersScreen #weeks {
        height: auto;
        max-height: 50%;
    }
    RepNumbersScreen #touched {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="drill-back"),
        # priority: ahead of the tables' own enter, so the footer names it.
        Binding("enter", "open_deal", "Open deal", id="drill-open-deal", priority=True),
    ]

    @dataclass
    class Loaded(Message):
        drilldown: RepDrilldown

    def __init__(self, period: Period, rep_id: int | None, name: str) -> None:
        super().__init__()
        self.period = period
        self.rep_id = rep_id
        self.rep_name = name
        self.data: RepDrilldown | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._heading(), id="weeks-title", classes="section")
        yield DataTable(id="weeks", cursor_type="row", fixed_columns=1, zebra_stripes=True)
        yield Static("Deals touched: loading…", id="touched-title", classes="section", markup=False)
        yield DataTable(id="touched", cursor_type="row")
        yield KeyFooter()

    def _heading(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(visible(self.rep_name), style="bold")  # a name someone typed: plain text
        if self.period.kind == "week":
            text.append(f" · the weeks up to the week of {self.period.start.format('D MMM YYYY')}", style="bold")
        else:
            text.append(f" · {self.period.label} by week", style="bold")
        text.append(f"  {self.period.span}", style="dim")
        return text

    def on_mount(self) -> None:
        self.title = f"Numbers · {self.rep_name}"
        self.sub_title = self.period.label
        weeks = self.query_one("#weeks", DataTable)
        weeks.add_column("Week", key="week")
        for metric in METRICS:
            weeks.add_column(Text(metric.short, justify="right"), key=metric.key)
        touched = self.query_one("#touched", DataTable)
        for label, key in (("Deal", "title"), ("Acts", "n"), ("Last", "last"), ("Stage", "stage"),
                           ("Milestone", "milestone"), ("Value", "value")):
            touched.add_column(label, key=key)
        weeks.focus()
        self._load(self.period, self.rep_id)

    @work(thread=True, exclusive=True, group="drilldown", exit_on_error=False)
    def _load(self, period: Period, rep_id: int | None) -> None:
        worker = get_current_worker()
        with self.app.database.session() as session:
            drilldown = rep_drilldown(session, period, rep_id)
        if not worker.is_cancelled:
            self.post_message(self.Loaded(drilldown))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.data = data = message.drilldown
        weeks = self.query_one("#weeks", DataTable)
        weeks.clear()
        rows = [
            [Text(show_day(week.week.start), no_wrap=True),
             *(Text(amount(week.figures[m.key], m.money, data.currency)) for m in METRICS)]
            for week in data.weeks
        ]
        right_align(rows, [len(str(c.label)) for c in weeks.ordered_columns])
        for week, cells in zip(data.weeks, rows):
            weeks.add_row(*cells, key=week.week.start.isoformat())
        fit_columns(weeks)
        if not data.weeks:
            self.query_one("#weeks-title", Static).update(Text.assemble(self._heading(), ("  (not started yet)", "dim")))
        touched = self.query_one("#touched", DataTable)
        touched.clear()
        tz = self.period.tz
        rows = [
            [
                plain(deal.title, no_wrap=True, overflow="ellipsis"),  # typed by a user: plain text
                Text(str(deal.activities)),
                Text(show_day(deal.last_touched.in_timezone(tz).date())),
                plain(deal.stage_name),
                Text(STEP_NAMES.get(deal.milestone, deal.milestone or "")),
                Text(amount(deal.value, True, data.currency)),
            ]
            for deal in data.deals
        ]
        for row in rows:  # only the counts and the values line up on the right
            row[1].pad_left(4 - row[1].cell_len, PAD)
            row[5].pad_left(8 - row[5].cell_len, PAD)
        for deal, cells in zip(data.deals, rows):
            touched.add_row(*cells, key=str(deal.deal_id))
        fit_columns(touched)
        shown = f"{len(data.deals)} of {data.deals_total}" if data.deals_total > len(data.deals) else str(data.deals_total)
        title = "Deals touched" if self.rep_id is None else f"Deals {self.rep_name}'s activities touched"
        self.query_one("#touched-title", Static).update(plain(f"{title} in {self.period.label}: {shown}  (enter opens)"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open_deal(self) -> None:
        touched = self.query_one("#touched", DataTable)
        if not touched.row_count:
            return
        if self.focused is not touched:
            touched.focus()
            return
        self._open(touched.coordinate_to_cell_key(touched.cursor_coordinate).row_key.value)

    def _open(self, key: str) -> None:
        from tui.screens.deal import open_deal

        open_deal(self.app, int(key))
