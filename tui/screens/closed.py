"""`C` on a board: the pipeline's closed deals (won, lost, disqualified), newest
close first, under the board's filter; `enter` opens one, `o` reopens it.

Loading runs in thread workers that post plain data back, as on the boards; rows
come a window at a time (``ClosedList``). Reopening is a versioned deal write
through ``DealActions``; afterwards the list reloads and the cursor stays where it
was, on the next deal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from store import changes, clock, closed
from store.board import BoardFilter
from store.closed import ClosedDeal, ClosedTotals
from store.money import database_currency, format_money
from store.terms import LEAD
from tui.deal_actions import DealActions, DealRef
from tui.widgets.closed_list import ClosedList
from tui.widgets.paged_rows import PAGE_SIZE
from tui.widgets.key_footer import KeyFooter

LIVE_CHECK_SECONDS = 3.0


@dataclass(frozen=True)
class ClosedData:
    totals: ClosedTotals
    pages: dict[int, list[ClosedDeal]]
    focus: int | None  # the index of the deal to put the cursor on
    token: tuple
    today: date
    tz: str
    currency: str


class ClosedDealsScreen(DealActions, Screen):
    HELP_GROUP = "Closed deals"
    DEFAULT_CSS = """
    ClosedDealsScreen #closed-summary {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $boost;
    }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the board", id="closed-back"),
        Binding("enter", "open_deal", "Open", tooltip="Open the deal's timeline", id="closed-open-deal"),
        Binding("o", "reopen", "Reopen", tooltip="Reopen the deal in an open stage", id="closed-reopen"),
        Binding("u", "undo", "Undo", show=False, tooltip="Undo your last change to the deal", id="closed-undo"),
        Binding("m", "toggle_mine", "Mine/team", tooltip="Your deals / the whole team", id="closed-toggle-mine"),
        Binding("slash", "filter", "Filter", tooltip="Filter by owner, territory, product, source, text",
                id="closed-filter"),
    ]

    @dataclass
    class Loaded(Message):
        data: ClosedData

    @dataclass
    class PageLoaded(Message):
        page: int
        rows: list[ClosedDeal]

    def __init__(self, pipeline: str, flt: BoardFilter, tz: str) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.flt = flt
        self.tz = tz  # the board's: close days fall on the same days as its "today"
        self.HELP_TITLE = "Closed leads" if pipeline == LEAD else "Closed opportunities"
        self.data: ClosedData | None = None
        self._selected: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="closed-summary", markup=False)
        yield ClosedList(id="closed")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = self.HELP_TITLE
        self.query_one(ClosedList).focus()
        self.reload()
        self.set_interval(LIVE_CHECK_SECONDS, self._check_for_changes)

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self._poll(self.data.token)

    # --- loading ---------------------------------------------------------------------------

    def reload(self, focus_deal: int | None = None) -> None:
        self._load(self.flt, focus_deal or self._selected, self.query_one(ClosedList).cursor)

    @work(thread=True, exclusive=True, group="closed-load", exit_on_error=False)
    def _load(self, flt: BoardFilter, focus_deal: int | None, cursor: int) -> None:
        worker = get_current_worker()
        with self.app.database.session() as session:
            token = changes.change_token(session)
            currency = database_currency(session)
            totals = closed.closed_totals(session, self.pipeline, flt)
            focus = closed.closed_index(session, self.pipeline, flt, focus_deal) if focus_deal else None
            # The deal's page; without it (it left the list), the page the cursor stays on.
            wanted = {0, (cursor if focus is None else focus) // PAGE_SIZE}
            pages = {
                page: closed.closed_deals(session, self.pipeline, flt, offset=page * PAGE_SIZE, limit=PAGE_SIZE,
                                          tz=self.tz)
                for page in wanted
            }
        if not worker.is_cancelled:
            self.post_message(self.Loaded(ClosedData(totals, pages, focus, token, clock.today_in(self.tz), self.tz, currency)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        data = message.data
        self.deal_actions_ready()
        self.data = data
        rows = self.query_one(ClosedList)
        rows.reset(data.totals.count, data.pages, data.today, data.currency)
        if data.focus is not None:
            rows.cursor = data.focus
        self._selected = rows.selected.id if rows.selected else None
        self._show_summary(data.totals)

    def _show_summary(self, totals: ClosedTotals) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        scope = "Mine" if self.flt.owner_id == self.app.rep.id else ("Team" if self.flt.owner_id is None else "Owner")
        text.append(f" {scope} ", style="bold reverse")
        text.append(" ")
        money = lambda cents: format_money(cents, self.data.currency, short=True)  # noqa: E731
        if self.pipeline == LEAD:
            parts = [("Converted leads are on the opportunity board · Disqualified ", str(totals.lost_count))]
        else:
            parts = [
                ("Won ", f"{money(totals.won_value)} ({totals.won_count})"),
                ("Lost ", f"{money(totals.lost_value)} ({totals.lost_count})"),
            ]
        for i, (label, value) in enumerate(parts):
            if i:
                text.append(" · ", style="dim")
            text.append(label, style="dim")
            text.append(value, style="bold")
        described = self.flt.describe(self._owner_label())
        if described:
            text.append("\nfilter: ", style="dim")
            text.append(described)
        self.query_one("#closed-summary", Static).update(text)
        self.sub_title = f"{scope.lower()} · {self.app.rep.name}"

    def _owner_label(self) -> str | None:
        owner = self.flt.owner_id
        if owner is None or owner == self.app.rep.id:
            return None
        with self.app.database.session() as session:
            from store.reps import get_rep

            return get_rep(session, owner).name

    @on(ClosedList.PageNeeded)
    def _page_needed(self, message: ClosedList.PageNeeded) -> None:
        self._load_page(self.flt, message.page)

    @work(thread=True, group="closed-page", exit_on_error=False)
    def _load_page(self, flt: BoardFilter, page: int) -> None:
        with self.app.database.session() as session:
            rows = closed.closed_deals(session, self.pipeline, flt, offset=page * PAGE_SIZE, limit=PAGE_SIZE, tz=self.tz)
        self.post_message(self.PageLoaded(page, rows))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        if self.data is not None:
            self.query_one(ClosedList).set_page(message.page, message.rows)

    @on(ClosedList.CursorMoved)
    def _cursor_moved(self, message: ClosedList.CursorMoved) -> None:
        if message.deal is not None:
            self._selected = message.deal.id

    def _check_for_changes(self) -> None:
        if self.data is not None and self.is_current:
            self._poll(self.data.token)

    @work(thread=True, exclusive=True, group="closed-poll", exit_on_error=False)
    def _poll(self, token: tuple) -> None:
        with self.app.database.session() as session:
            current = changes.change_token(session)
        if current != token:
            self.app.call_from_thread(self.reload)

    # --- keys ------------------------------------------------------------------------------

    def acted_on(self) -> DealRef | None:
        deal = self.query_one(ClosedList).selected
        return DealRef(deal.id, deal.version, deal.title, deal.pipeline, deal.stage_id) if deal else None

    def deal_written(self, deal_id: int, message: str, severity: str) -> None:
        if message:
            self.notify(message, severity=severity, markup=False)
        # A reopened deal leaves the list: the cursor stays where it was, on the next one.
        self.reload(deal_id)

    def action_back(self) -> None:
        self.dismiss()

    def action_open_deal(self) -> None:
        deal = self._target()
        if deal is None:
            return
        from tui.screens.deal import open_deal

        open_deal(self.app, deal.id, pipeline=self.pipeline)

    def action_toggle_mine(self) -> None:
        owner = None if self.flt.owner_id is not None else self.app.rep.id
        self.flt = replace(self.flt, owner_id=owner)
        self.reload()

    def action_filter(self) -> None:
        from tui.screens.modals.board_filter import BoardFilterScreen

        def chosen(flt: BoardFilter | None) -> None:
            if flt is not None:
                self.flt = flt
                self.reload()

        self.app.push_screen(BoardFilterScreen(self.flt), chosen)
