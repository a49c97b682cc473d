"""The lead and opportunity boards: columns of stages, moved along by keyboard.

Database work runs in thread workers that post plain data back; handlers here
update the widgets. After every write the board reloads and the cursor follows
the deal it acted on, wherever it went.

Past 400 lines, not yet split: the load, the after-write read (which adjusts totals from
the move instead of re-reading them) and the live refresh share the board's state; the
summary line and the filter actions are the seams to move out next.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from store import board, changes, clock
from store.board import BoardFilter, ColumnSummary, DealCard, LeadSummary, OpportunitySummary
from store.terms import LEAD
from store.money import DEFAULT_CURRENCY, format_money
from tui.deal_actions import DealActions, DealRef, DealWritten, deal_action_bindings
from tui.plain_text import visible
from tui.widgets.key_footer import KeyFooter
from tui.widgets.stage_column import PAGE_SIZE, CardList, StageColumn

LIVE_CHECK_SECONDS = 3.0
MIN_COLUMN_WIDTH = 30


@dataclass(frozen=True)
class BoardData:
    columns: list[ColumnSummary]
    summary: OpportunitySummary | LeadSummary
    pages: dict[int, dict[int, list[DealCard]]]  # stage id → page → cards
    focus: tuple[int, int] | None  # (stage id, index) of the deal to select
    token: tuple
    today: date
    team_tz: str = "UTC"
    currency: str = DEFAULT_CURRENCY  # the database's, read once per load
    extra: dict = field(default_factory=dict)
    # The stage ids whose cards were fetched (``pages``); None: every column's.
    # The other columns keep the cards they have.
    fetched: frozenset[int] | None = None
    flt: BoardFilter | None = None  # what a partial load was read under


class BoardScreen(DealActions, Screen):
    HELP_GROUP = "Board"
    WATCHES_CHANGE_TOKEN = True
    # Screen's ``focused`` repaints the whole screen when it changes; here only the
    # two card lists (their own focus styles) and the two headers change with it,
    # and each refreshes itself. A move into another column is a focus change.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    DEFAULT_CSS = """
    BoardScreen #summary {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $boost;
    }
    BoardScreen #columns {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("h,left", "column(-1)", "Left", show=False, tooltip="Previous stage column", id="column-left"),
        Binding("l,right", "column(1)", "Right", show=False, tooltip="Next stage column", id="column-right"),
        *deal_action_bindings("move-forward", "move-back"),
        Binding("enter", "open_deal", "Open", tooltip="Open the deal's timeline", id="open-deal"),
        *deal_action_bindings("log-activity", "add-task", "add-note"),
        Binding("N", "new_deal", "New", tooltip="New lead / opportunity", id="new-deal"),
        *deal_action_bindings("edit-deal", "convert-lead", "mark-won", "mark-lost", "undo"),
        Binding("m", "toggle_mine", "Mine/team", show=False, tooltip="Your deals / the whole team", id="toggle-mine"),
        Binding("slash", "filter", "Filter", tooltip="Filter by owner, territory, product, source, text", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, tooltip="Clear the filter", id="clear-filter"),
        Binding("C", "show_closed", "Closed", show=False, tooltip="Won, lost and disqualified deals; reopen one",
                id="show-closed"),
        Binding("v", "toggle_milestones", "Milestones", show=False, tooltip="Leads by stage / by activity milestone",
                id="toggle-milestones"),
    ]

    @dataclass
    class Loaded(Message):
        data: BoardData

    @dataclass
    class PageLoaded(Message):
        stage_id: int
        page: int
        cards: list[DealCard]

    def __init__(self, pipeline: str) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.HELP_TITLE = "Leads board" if pipeline == LEAD else "Opportunity board"
        self.flt: BoardFilter | None = None
        self.data: BoardData | None = None
        self._columns: dict[int, StageColumn] = {}
        self._column_order: list[int] = []
        self._selected_deal: int | None = None
        self._owner_name: str | None = None
        self._first_column = 0
        self._full_load_pending = False
        self._load_failed = False
        self._summary_lines = 0
        self._acted_at: tuple[int | None, int] = (None, 0)  # (stage id, index) of the card a key acted on

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="summary", markup=False)
        yield Horizontal(id="columns")
        yield KeyFooter()

    def on_mount(self) -> None:
        rep = self.app.rep
        self.title = "Leads" if self.pipeline == LEAD else "Opportunities"
        self.flt = BoardFilter(owner_id=None if rep.is_manager else rep.id)
        self._owner_name = rep.name
        self.sub_title = f"{'team' if rep.is_manager else 'mine'} · {rep.name}"
        self.reload()
        self.set_interval(LIVE_CHECK_SECONDS, self._check_for_changes)

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self, focused: int | None = None) -> None:
        """Show as many whole columns as fit, never narrower than a readable card,
        and page sideways so the focused column (``focused``, else the one with
        focus now) is always among them."""
        if not self._columns:
            return
        order = self._column_order
        fit = max(1, min(len(order), (self.size.width + 1) // (MIN_COLUMN_WIDTH + 1)))
        if focused is None:
            focused = self._focused_column_id()
        index = order.index(focused) if focused in order else 0
        first = min(max(self._first_column, index - fit + 1), index, len(order) - fit)
        self._first_column = first
        width = (self.size.width + 1) // fit - 1
        for position, stage_id in enumerate(order):
            column = self._columns[stage_id]
            visible = first <= position < first + fit
            column.display = visible
            column.styles.width = width
            # A gap after every column on screen but the last. Not :last-of-type: that
            # counts the displayed columns, but is worked out again only when the column
            # itself is restyled, so after paging the column left of the focused one
            # could keep the 0 it had as the last on screen (and lose its gap) or not,
            # depending on what else restyled it in between.
            column.styles.margin = (0, 0 if position == first + fit - 1 else 1, 0, 0)
            column.set_focused(stage_id == focused)
            column.set_edges(more_left=visible and position == first and first > 0,
                             more_right=visible and position == first + fit - 1 and first + fit < len(order))

    def _focus_column(self, stage_id: int) -> None:
        """Focus a column's cards now, with the columns paged to show it.

        ``Widget.focus`` only takes effect on a later turn of the event loop, so
        anything reading ``self.focused`` before then (fitting the columns, the
        next key) would act on the column that had focus before.
        """
        self._fit_columns(stage_id)
        self.set_focus(self._columns[stage_id].cards)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Focus that arrives some other way (a click, the screen coming back) pages too.
        if isinstance(event.widget, CardList):
            self._fit_columns(event.widget.stage_id)

    def on_screen_resume(self) -> None:
        # Back from a modal or the deal screen: reload only if something changed
        # (a write's own reload is already on its way).
        if self.data is not None:
            self._poll(self.data.token)

    # --- loading ---------------------------------------------------------------------------

    def reload(self, focus_deal: int | None = None) -> None:
        self._full_load_pending = True
        self._load(self.flt, focus_deal or self._selected_deal)
        self._reload_milestones()

    def _reload_milestones(self) -> None:
        for milestones in self.query("#milestones"):
            if milestones.display:
                milestones.load(self.app.database, self.flt.owner_id)

    @work(thread=True, exclusive=True, group="board-load", exit_on_error=False)
    def _load(self, flt: BoardFilter, focus_deal: int | None) -> None:
        worker = get_current_worker()
        with self.app.database.session() as session:
            read = board.load_board(session, self.pipeline, flt, page_size=PAGE_SIZE, focus_deal=focus_deal)
        if not worker.is_cancelled:
            self.post_message(self.Loaded(BoardData(read.columns, read.summary, read.pages, read.focus, read.token,
                                                    read.today, read.tz, read.currency)))

    def _after_write(
        self, flt: BoardFilter, deal_id: int, stage_id: int, tokens: tuple[tuple, tuple], shown: BoardData
    ) -> BoardData:
        """After this screen's own write: cards only for the columns the deal left
        and entered; the totals and the summary worked out from a stage move and
        the ones shown (nothing else changed since: see ``_only_this_write``), or
        aggregated again after any other write."""
        tz = shown.team_tz
        with self.app.database.session() as session:
            today = clock.today_in(tz)
            totals = None
            if today == shown.today:  # the summary's months and quarters are the same
                since = tokens[0][0][0] or 0  # the newest event id when the board was read
                totals = board.after_move(session, shown.columns, shown.summary, deal_id, since_event=since,
                                          today=today)
            # The page the cursor was on in the column the deal left (the cards from it on
            # moved up by one), and the deal's page where it is now (load_board adds it).
            # A new day changes every card's due-day label: every column's first page then.
            touched = {stage_id: self._pages_around(stage_id)} if today == shown.today else None
            read = board.load_board(session, self.pipeline, flt, page_size=PAGE_SIZE, focus_deal=deal_id, tz=tz,
                                    currency=shown.currency, token=False, cards_for=touched, totals=totals)
        return BoardData(read.columns, read.summary, read.pages, read.focus, tokens[1], read.today, tz,
                         shown.currency, fetched=frozenset(read.pages), flt=flt)

    def _only_this_write(self, stage_id: int | None, tokens: tuple[tuple, tuple] | None) -> bool:
        """Nothing but this screen's own write changed since the board last loaded."""
        data = self.data
        return not (tokens is None or stage_id is None or data is None or self._full_load_pending
                    or tokens[0] != data.token)

    def read_after_write(self, deal_id: int, stage_id: int | None, tokens) -> BoardData | None:
        # In the write's worker: the board's next data, so the screen hears once, not twice.
        if not self._only_this_write(stage_id, tokens):
            return None
        return self._after_write(self.flt, deal_id, stage_id, tokens, self.data)

    @on(Loaded)
    async def _show(self, message: Loaded) -> None:
        data = message.data
        self.deal_actions_ready()
        self._load_failed = False
        if data.fetched is None:
            self._full_load_pending = False
        previous_focus = self._focused_column_id()
        previous_cursor = {sid: col.cards.cursor for sid, col in self._columns.items()}
        self.data = data
        wanted_order = [c.stage_id for c in data.columns]
        rebuilt = wanted_order != self._column_order
        if rebuilt:
            container = self.query_one("#columns", Horizontal)
            await container.remove_children()
            self._columns = {
                c.stage_id: StageColumn(c, weighted=self.pipeline != LEAD, currency=data.currency)
                for c in data.columns
            }
            self._column_order = wanted_order
            await container.mount_all(self._columns.values())
            self._fit_columns()
        for column in data.columns:
            widget = self._columns[column.stage_id]
            kept = not rebuilt and data.fetched is not None and column.stage_id not in data.fetched
            if kept and widget.column.count == column.count:
                widget.update_summary(column, data.currency)
                continue  # the cards this column has are still its cards
            widget.update_summary(column, data.currency)
            widget.cards.reset(column.count, data.pages.get(column.stage_id, {}), data.today, data.currency)
            if column.stage_id in previous_cursor:
                widget.cards.cursor = previous_cursor[column.stage_id]
        self._show_summary(data)
        if data.focus:
            stage_id, index = data.focus
            self._columns[stage_id].cards.cursor = index
            self._focus_column(stage_id)
        elif previous_focus in self._columns:
            self._focus_column(previous_focus)
        elif self._columns:
            self._focus_column(self._column_order[0])

    def _show_summary(self, data: BoardData) -> None:
        summary = data.summary
        text = Text(no_wrap=True, overflow="ellipsis")
        scope = "Mine" if self.flt.owner_id == self.app.rep.id else ("Team" if self.flt.owner_id is None else "Owner")
        text.append(f" {scope} ", style="bold reverse")
        text.append(" ")
        if isinstance(summary, OpportunitySummary):
            money = lambda cents: format_money(cents, data.currency, short=True)  # noqa: E731
            parts = [
                ("Open ", f"{money(summary.open_value)} ({summary.open_count})"),
                ("Forecast ", f"{money(summary.weighted_this_month)} mo / {money(summary.weighted_this_quarter)} qtr"),
                ("Won ", f"{money(summary.won_this_quarter)} qtr"),
                ("Next qtr ", money(summary.next_quarter_value)),
            ]
        else:
            parts = [
                ("Open ", str(summary.open_count)),
                ("New this week ", str(summary.new_this_week)),
                ("Converted this month ", str(summary.converted_this_month)),
                ("Disqualified ", str(summary.disqualified_this_month)),
            ]
        for i, (label, value) in enumerate(parts):
            if i:
                text.append(" · ", style="dim")
            text.append(label, style="dim")
            text.append(value, style="bold")
        described = self.flt.describe(self._owner_label())
        if described:
            text.append("\nfilter: ", style="dim")
            text.append(visible(described))  # names and words someone typed
            text.append("  (esc clears)", style="dim")
        summary_line = self.query_one("#summary", Static)
        # Its height follows the lines it has (the filter's is the second): lay out only then.
        lines = 2 if described else 1
        summary_line.update(text, layout=lines != self._summary_lines)
        self._summary_lines = lines
        self.sub_title = f"{scope.lower()} · {self.app.rep.name}"

    def _owner_label(self) -> str | None:
        owner = self.flt.owner_id
        if owner is None or owner == self.app.rep.id:
            return None  # shown as the Mine / Team badge instead
        with self.app.database.session() as session:
            from store.reps import get_rep

            return get_rep(session, owner).name

    @on(CardList.PageNeeded)
    def _page_needed(self, message: CardList.PageNeeded) -> None:
        self._load_page(self.flt, message.stage_id, message.page)

    @work(thread=True, group="board-page", exit_on_error=False)
    def _load_page(self, flt: BoardFilter, stage_id: int, page: int) -> None:
        with self.app.database.session() as session:
            cards = board.column_cards(session, stage_id, flt, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        self.post_message(self.PageLoaded(stage_id, page, cards))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        column = self._columns.get(message.stage_id)
        if column is not None:
            column.cards.set_page(message.page, message.cards)

    @on(CardList.CursorMoved)
    def _cursor_moved(self, message: CardList.CursorMoved) -> None:
        if message.card_list.has_focus and message.card is not None:
            self._selected_deal = message.card.id

    # --- live refresh ----------------------------------------------------------------------

    def _check_for_changes(self) -> None:
        if self.data is not None and self.is_current:
            self._poll(self.data.token)
        elif self._load_failed and self.is_current:
            self.reload()  # the first load failed (told already): try again, quietly

    def worker_failed(self, worker) -> None:
        super().worker_failed(worker)
        if worker.group == "board-load":
            self._load_failed = True
            if self.data is None:
                self.query_one("#summary", Static).update("Could not load the board; trying again every few seconds")

    @work(thread=True, exclusive=True, group="board-poll", exit_on_error=False)
    def _poll(self, token: tuple) -> None:
        with self.app.database.session() as session:
            current = changes.change_token(session)
        if current != token:
            self.app.call_from_thread(self.reload)

    # --- selection -------------------------------------------------------------------------

    def _focused_column_id(self) -> int | None:
        focused = self.focused
        return focused.stage_id if isinstance(focused, CardList) else None

    def selected_card(self) -> DealCard | None:
        focused = self.focused
        return focused.selected if isinstance(focused, CardList) else None

    def action_column(self, step: int) -> None:
        if not self._column_order:
            return
        current = self._focused_column_id()
        index = self._column_order.index(current) if current in self._column_order else 0
        index = max(0, min(index + step, len(self._column_order) - 1))
        self._focus_column(self._column_order[index])

    # --- writes ----------------------------------------------------------------------------

    def acted_on(self) -> DealRef | None:
        card = self.selected_card()
        if card is None:
            return None
        self._acted_at = (card.stage_id, self.focused.cursor)
        return DealRef(card.id, card.version, card.title, self.pipeline, card.stage_id)

    def _pages_around(self, stage_id: int) -> set[int]:
        """The page of the card last acted on in column ``stage_id`` (and the one
        before, when it was the first of its page: its column may now end there)."""
        acted_stage, index = self._acted_at
        if acted_stage != stage_id:
            return {0}
        return {index // PAGE_SIZE, max(index - 1, 0) // PAGE_SIZE}

    def on_deal_written(self, message: DealWritten) -> None:
        """A key's write: if nothing but it changed since the board loaded, only the
        columns it touched need their cards again; otherwise the whole board."""
        message.stop()
        message.prevent_default()  # instead of DealActions' handler, not as well
        after = message.after
        # Checked again here: the board may have started a full load, or changed its
        # filter, while the write's worker read ``after``.
        if after is None or after.flt != self.flt or not self._only_this_write(message.stage_id, message.tokens):
            self.deal_written(message.deal_id, message.message, message.severity)
            return
        self._selected_deal = message.deal_id
        self.post_message(self.Loaded(after))
        self._reload_milestones()
        # After the moved card is drawn: the toast is confirmation, not the change.
        self.call_after_refresh(self.notify, message.message, severity=message.severity, markup=False)

    def deal_written(self, deal_id: int, message: str, severity: str) -> None:
        if message:
            self.notify(message, severity=severity, markup=False)
        self._selected_deal = deal_id
        self.reload(deal_id)

    def action_open_deal(self) -> None:
        card = self._target()
        if card is None:
            return
        from tui.screens.deal import open_deal

        self._selected_deal = card.id
        open_deal(self.app, card.id, pipeline=self.pipeline)

    def action_new_deal(self) -> None:
        from tui.screens.modals.deal_form import DealFormScreen

        self.app.push_screen(DealFormScreen(self.pipeline, None), self._form_saved)

    def _form_saved(self, deal_id: int | None) -> None:
        if deal_id is not None:
            self._selected_deal = deal_id
            self.reload(deal_id)

    def action_toggle_mine(self) -> None:
        rep = self.app.rep
        owner = None if self.flt.owner_id is not None else rep.id
        self.flt = replace(self.flt, owner_id=owner)
        self.notify("Showing your deals" if owner else "Showing the whole team's deals")
        self.reload()

    def action_filter(self) -> None:
        from tui.screens.modals.board_filter import BoardFilterScreen

        def chosen(flt: BoardFilter | None) -> None:
            if flt is not None:
                self.flt = flt
                self.reload()

        self.app.push_screen(BoardFilterScreen(self.flt), chosen)

    def action_clear_filter(self) -> None:
        if self.flt.is_empty() and self.flt.owner_id in (None, self.app.rep.id):
            return
        # Back to the rep's own scope, or the team if they were on the team view.
        self.flt = BoardFilter(owner_id=None if self.flt.owner_id is None else self.app.rep.id)
        self.notify("Filter cleared")
        self.reload()

    def action_show_closed(self) -> None:
        from tui.screens.closed import ClosedDealsScreen

        tz = self.data.team_tz if self.data else "UTC"
        self.app.push_screen(ClosedDealsScreen(self.pipeline, self.flt, tz))

    async def action_toggle_milestones(self) -> None:
        """`v` on the leads board: the stage columns, or the leads by activity milestone."""
        if not self.query("#milestones"):
            # Mounted on first use: start-up does not pay for the numbers machinery.
            from tui.widgets.activity_pipeline import MilestoneBoard

            hidden = MilestoneBoard(id="milestones")
            hidden.display = False
            await self.mount(hidden, before=self.query_one(KeyFooter))
        milestones = self.query_one("#milestones")
        milestones.display = not milestones.display
        self.query_one("#columns").display = not milestones.display
        if milestones.display:
            milestones.load(self.app.database, self.flt.owner_id)
            milestones.focus()
        elif self._columns:
            self._focus_column(self._focused_column_id() or self._column_order[0])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_milestones" and self.pipeline != LEAD:
            return False
        if action == "convert" and self.pipeline != LEAD:
            return False
        if action == "won" and self.pipeline == LEAD:
            return False
        if action == "clear_filter" and (
            self.flt is None or (self.flt.is_empty() and self.flt.owner_id in (None, self.app.rep.id))
        ):
            return False
        return True
