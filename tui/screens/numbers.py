"""Numbers (`4`): every rep's activity and results, and the team's, period over period.

The table holds a row per rep and one for the team; below it, the activity
pipeline and the forecast for whichever row the cursor is on. `[` / `]` step
through periods (`]` no further than the current one), `p` cycles week / month /
quarter, `J` goes to a period named by date (2017-Q4), `enter` drills into a row, `g`
(managers) sets that rep's goals. `d` swaps the activity figures for the deal
figures (win rate, won and lost, average won deal, sales cycle), which `b` groups by
rep, team or territory (from the activity figures, it shows the deal figures).
Every read runs in a thread worker that posts plain data back; the handlers here
only draw.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from store import changes, deal_numbers, forecast, numbers
from store.deal_numbers import BY_REP, GROUPINGS, DealNumbers
from store.forecast import Forecast
from store.activity_pipeline import ActivityPipeline, activity_pipeline
from store.numbers import TeamNumbers
from store.periods import PERIOD_KINDS, WEEK, Period, next_kind
from tui.failures import ReportsFailedWorkers
from tui.widgets.activity_pipeline import ActivityPipelineView
from tui.widgets.deal_numbers_table import DealNumbersTable
from tui.widgets.forecast import ForecastView
from tui.widgets.key_footer import KeyFooter
from tui.widgets.numbers_table import NumbersTable, Palette

LIVE_CHECK_SECONDS = 30.0  # numbers need not follow every keystroke of fifty reps
SCOPE_DELAY = 0.2  # wait for the cursor to settle before reading a row's pipeline and forecast
WIDE = 110
PANELS_HEIGHT = 10  # the pipeline: a title, a header, six steps; and a border  # from here on the pipeline shows open leads and opportunities apart


@dataclass(frozen=True)
class Scope:
    """The row the lower panels describe: the team (None) or one rep."""

    rep_id: int | None
    name: str


class NumbersScreen(ReportsFailedWorkers, Screen):
    HELP_TITLE = "Numbers"
    HELP_GROUP = "Numbers"
    DEFAULT_CSS = """
    NumbersScreen #period-bar {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    NumbersScreen #numbers-table, NumbersScreen #deal-table {
        height: auto;
    }
    NumbersScreen #deal-table {
        display: none;
    }
    NumbersScreen #panels {
        height: auto;
        border-top: hkey $panel;
    }
    NumbersScreen #panels > * {
        width: 1fr;
    }
    """
    BINDINGS = [
        Binding("left_square_bracket", "shift_period(-1)", "◀ Period", id="numbers-previous"),
        Binding("right_square_bracket", "shift_period(1)", "Period ▶", id="numbers-next"),
        Binding("p", "cycle_kind", "Week/month/qtr", id="numbers-period-kind"),
        # priority: ahead of the table's own enter, so the footer names it.
        Binding("enter", "drill", "Drill down", id="numbers-drill", priority=True),
        Binding("g", "goals", "Goals", id="numbers-goals"),
        Binding("d", "toggle_deals", "Deals", tooltip="Deal figures / activity figures", id="numbers-deal-figures"),
        Binding("b", "cycle_grouping", "Deals by rep/team/territory", show=False, id="numbers-group-by"),
        Binding("J", "jump", "Go to period", show=False, id="numbers-jump"),
        Binding("full_stop", "this_period", "This period", show=False, id="numbers-this-period"),
    ]

    @dataclass
    class TableLoaded(Message):
        numbers: TeamNumbers
        token: tuple
        scope_read: Scope | None = None  # the row whose panels the same worker reads

    @dataclass
    class DealsLoaded(Message):
        deals: DealNumbers

    @dataclass
    class ScopeLoaded(Message):
        period: Period
        scope: Scope
        pipeline: ActivityPipeline
        forecast: Forecast

    def __init__(self, kind: str = WEEK) -> None:
        super().__init__()
        if kind not in PERIOD_KINDS:
            raise ValueError(f"period kind {kind!r} must be one of {', '.join(PERIOD_KINDS)}")
        self.kind = kind
        self.period_offset = 0  # periods away from the current one
        self.data: TeamNumbers | None = None
        self.scope: Scope | None = None
        self.scope_shown: Scope | None = None  # whose pipeline and forecast the lower panels show
        self._scope_timer: Timer | None = None
        self._token: tuple | None = None
        self.showing_deals = False  # the deal figures instead of the activity figures
        self.grouping = BY_REP  # how the deal figures group: rep, team or territory
        self.deals: DealNumbers | None = None

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="period-bar", markup=False)
        yield NumbersTable(id="numbers-table")
        yield DealNumbersTable(id="deal-table")
        with Horizontal(id="panels"):
            yield ActivityPipelineView("", id="pipeline")
            yield ForecastView("", id="forecast")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_title()
        self.sub_title = self.app.rep.name
        self.query_one(NumbersTable).focus()
        self.reload()
        self.set_interval(LIVE_CHECK_SECONDS, self._check_for_changes)

    def on_resize(self) -> None:
        # The table takes what its rows need, leaving the panels below their room.
        for table in (self.query_one(NumbersTable), self.query_one(DealNumbersTable)):
            table.styles.max_height = max(4, self.size.height - 3 - PANELS_HEIGHT)

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.reload()

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self._show_bar(loading=True)
        self.refresh_bindings()
        # The first answer puts the cursor on my row (the team's when I have none): the
        # same worker reads its panels then, rather than a timer after the table.
        first_for = self.app.rep.id if self.data is None and not self.showing_deals else None
        self._load_table(self.kind, self.period_offset, self.grouping, self.showing_deals, first_for)

    @work(thread=True, exclusive=True, group="numbers-table", exit_on_error=False)
    def _load_table(self, kind: str, offset: int, grouping: str, deals_first: bool, first_for: int | None) -> None:
        """The figures, then (``first_for``: the first answer, for that rep) the panels of
        the row the cursor starts on, then the sparklines and the deal figures."""
        worker = get_current_worker()
        with self.app.database.session() as session:
            token = changes.change_token(session)
            period = numbers.team_period(session, kind, offset=offset)
            table = numbers.team_numbers(session, period, spark=0)
            if worker.is_cancelled:
                return
            scope = None
            if first_for is not None:
                rep_id = first_for if table.row(first_for) is not None else None
                scope = Scope(rep_id, table.row(rep_id).name)
            self.post_message(self.TableLoaded(table, token, scope))
            if scope is not None:
                self._read_scope(session, worker, table.period, scope)
            # What shows first is read first: the activity table's sparklines, or the deal figures.
            for step in ("deals", "sparklines") if deals_first else ("sparklines", "deals"):
                if step == "deals":
                    answer = self.DealsLoaded(deal_numbers.deal_numbers(session, period, by=grouping))
                else:
                    # The sparklines read twelve periods: they follow the table.
                    table = numbers.add_sparklines(session, table)
                    answer = self.TableLoaded(table, token, scope)
                if worker.is_cancelled:
                    return
                self.post_message(answer)

    @on(TableLoaded)
    def _table_loaded(self, message: TableLoaded) -> None:
        if message.numbers.period.kind != self.kind:
            return  # an answer for a period kind the user has since left
        self.data = message.numbers
        self._token = message.token
        table = self.query_one(NumbersTable)
        table.show(message.numbers, self.app.rep.id, Palette(self.app.current_theme))
        self._show_bar()
        self._scope_changed(force=True, read=message.scope_read)

    @on(DealsLoaded)
    def _deals_loaded(self, message: DealsLoaded) -> None:
        if self.data is None or message.deals.period != self.data.period or message.deals.by != self.grouping:
            return  # an answer for a view the user has since left
        self.deals = message.deals
        self.query_one(DealNumbersTable).show(message.deals, self.app.rep.id, Palette(self.app.current_theme))

    def _show_title(self) -> None:
        # Say what the deal figures count: the columns only have room for "Win%".
        self.title = f"Numbers · deals closed, by {self.grouping} · win% by count" if self.showing_deals else "Numbers"

    def _rep_name(self, rep_id: int | None) -> str:
        row = self.data.row(rep_id) if self.data else None
        if row is not None:
            return row.name
        # A rep with deals closed but no activity row (no longer active, say).
        deal_row = self.deals.row(str(rep_id)) if rep_id is not None and self.deals else None
        return deal_row.name if deal_row else "Team"

    def _scope_changed(self, *, force: bool = False, read: Scope | None = None) -> None:
        """The cursor moved to another row: read that row's pipeline and forecast soon
        (unless the table's worker reads them: ``read``)."""
        if self.data is None:
            return
        found, rep_id = self.query_one(NumbersTable).selected_rep
        if self.showing_deals:
            # The deal figures' rep rows lead the panels; a team or territory row, the whole team's.
            found, rep_id = self.query_one(DealNumbersTable).selected_rep
            found, rep_id = (True, rep_id) if found else (True, None)
        if not found:
            return
        scope = Scope(rep_id, self._rep_name(rep_id))
        if not force and scope == self.scope:
            return
        self.scope = scope
        if self._scope_timer is not None:
            self._scope_timer.stop()
        if scope == read:
            return
        period = self.data.period
        self._scope_timer = self.set_timer(SCOPE_DELAY, lambda: self._load_scope(period, scope))

    @work(thread=True, exclusive=True, group="numbers-scope", exit_on_error=False)
    def _load_scope(self, period: Period, scope: Scope) -> None:
        worker = get_current_worker()
        with self.app.database.session() as session:
            self._read_scope(session, worker, period, scope)

    def _read_scope(self, session, worker, period: Period, scope: Scope) -> None:
        pipeline = activity_pipeline(session, period, owner_id=scope.rep_id)
        outlook = forecast.forecast(session, period, owner_id=scope.rep_id)
        if not worker.is_cancelled:
            self.post_message(self.ScopeLoaded(period, scope, pipeline, outlook))

    @on(ScopeLoaded)
    def _scope_loaded(self, message: ScopeLoaded) -> None:
        if self.data is None or message.period != self.data.period or message.scope != self.scope:
            return
        name = message.scope.name
        wide = self.size.width >= WIDE
        self.query_one(ActivityPipelineView).show(message.pipeline, name, split=wide)
        self.query_one(ForecastView).show(message.forecast, name, slipped_lines=3 if self.size.height >= 30 else 1)
        self.scope_shown = message.scope

    @on(DataTable.RowHighlighted, "#numbers-table")
    @on(DataTable.RowHighlighted, "#deal-table")
    def _row_highlighted(self) -> None:
        self._scope_changed()

    def _show_bar(self, *, loading: bool = False) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.data is None:
            text.append("Loading…", style="dim")
        else:
            period, previous = self.data.period, self.data.previous
            text.append(" ◀ ", style="bold")
            text.append(f" {period.label} ", style="bold reverse")
            text.append(" ▶ ", style="bold")
            text.append(f" {period.span}")
            if period.is_current():
                text.append(" · now", style="bold")
            # A period under way is held against the same days of the one before.
            text.append(f"  vs {previous.span}" + (" (same days)" if previous.is_partial else ""), style="dim")
            if loading:
                text.append("  loading…", style="dim italic")
        self.query_one("#period-bar", Static).update(text)

    # --- live refresh ----------------------------------------------------------------------

    def _check_for_changes(self) -> None:
        if self._token is not None and self.is_current:
            self._poll(self._token)

    @work(thread=True, exclusive=True, group="numbers-poll", exit_on_error=False)
    def _poll(self, token: tuple) -> None:
        with self.app.database.session() as session:
            current = changes.change_token(session)
        if current != token:
            self.app.call_from_thread(self.reload)

    # --- keys ------------------------------------------------------------------------------

    def action_shift_period(self, step: int) -> None:
        if self.period_offset + step > 0:
            self.app.bell()  # the current period is the last: later ones have no numbers yet
            return
        self.period_offset += step
        self.reload()

    def action_this_period(self) -> None:
        if self.period_offset:
            self.period_offset = 0
            self.reload()

    def action_cycle_kind(self) -> None:
        self.kind = next_kind(self.kind)
        self.period_offset = 0
        self.notify(f"Numbers by {self.kind}")
        self.reload()

    def action_toggle_deals(self) -> None:
        self.showing_deals = not self.showing_deals
        deal_table, table = self.query_one(DealNumbersTable), self.query_one(NumbersTable)
        deal_table.display, table.display = self.showing_deals, not self.showing_deals
        (deal_table if self.showing_deals else table).focus()
        self._show_title()
        self.refresh_bindings()
        self._scope_changed()

    def action_cycle_grouping(self) -> None:
        if not self.showing_deals:
            self.action_toggle_deals()  # the grouping is the deal figures': show them
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self._show_title()
        self.reload()

    def action_jump(self) -> None:
        from tui.screens.modals.period_jump import PeriodChoice, PeriodJumpScreen

        def chosen(choice: PeriodChoice | None) -> None:
            if choice is None:
                return
            self.kind, self.period_offset = choice.kind, choice.offset
            self.reload()

        self.app.push_screen(PeriodJumpScreen(), chosen)

    def action_drill(self) -> None:
        if self.data is None:
            return
        if self.showing_deals:
            found, rep_id = self.query_one(DealNumbersTable).selected_rep
            if not found:
                self.notify("Drill into a rep's row: group the deal figures by rep (b)", severity="warning")
                return
        else:
            found, rep_id = self.query_one(NumbersTable).selected_rep
        if not found:
            return
        from tui.screens.rep_numbers import RepNumbersScreen

        self.app.push_screen(RepNumbersScreen(self.data.period, rep_id, self._rep_name(rep_id)))

    def action_goals(self) -> None:
        if self.data is None:
            return
        found, rep_id = self.query_one(NumbersTable).selected_rep
        if not found or rep_id is None:
            self.notify("Put the cursor on a rep's row to set their goals", severity="warning")
            return
        self._read_goals(rep_id, self.data.row(rep_id).name, self.kind)

    @work(thread=True, group="form-load", exit_on_error=False)
    def _read_goals(self, rep_id: int, rep_name: str, kind: str) -> None:
        from store.goals import rep_goals

        with self.app.database.session() as session:
            current = rep_goals(session, rep_id, kind)
        self.app.call_from_thread(self._edit_goals, rep_id, rep_name, kind, current)

    def _edit_goals(self, rep_id: int, rep_name: str, kind: str, current: dict[str, int]) -> None:
        from tui.screens.modals.goals_form import GoalsFormScreen

        def saved(message: str | None) -> None:
            if message:
                self.notify(message, markup=False)
                self.reload()

        self.app.push_screen(GoalsFormScreen(rep_id, rep_name, kind, current, self.data.currency), saved)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "goals":
            return self.app.rep is not None and self.app.rep.is_manager and not self.showing_deals
        if action == "this_period":
            return self.period_offset != 0
        if action == "shift_period" and parameters and parameters[0] == 1 and self.period_offset >= 0:
            return None  # shown, greyed: at the current period
        return True
