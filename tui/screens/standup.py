"""The stand-up (key 5): the team's numbers, then one deal per page, big enough for a
shared screen, with the board's keys to record decisions on the deal in view.

The agenda loads in a thread worker; after a write only the deal in view is read
again (``standup.agenda_item``), so the page shows the result at once and the
walk keeps its place.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from store import clock, standup
from store.dates import show_day
from store.errors import StoreError
from store.goals import ACTIVITIES, metric, progress_text
from store.money import format_money
from store.standup import Agenda, AgendaItem
from store.terms import LEAD
from store.timeline import activity_headline, format_when
from tui.deal_actions import DealActions, DealRef, deal_action_bindings
from tui.plain_text import plain, visible
from tui.widgets.key_footer import KeyFooter

class DrawnOnce:
    """A Rich renderable drawn once per width. Textual draws a Static's Rich renderable
    to count its lines and again to show them: the team's numbers table (a row per rep)
    was drawn twice on every stand-up's first page. The options a table's drawing
    depends on key the copy; the height is not one (rich.table draws with height None)."""

    def __init__(self, renderable) -> None:
        self.renderable = renderable
        self._drawn: tuple[tuple, list] | None = None

    def __rich_console__(self, console, options):
        key = (options.max_width, options.min_width, options.justify, options.overflow, options.no_wrap,
               options.highlight, options.markup, options.ascii_only, options.encoding, options.legacy_windows,
               options.is_terminal)
        if self._drawn is None or self._drawn[0] != key:
            self._drawn = (key, list(console.render(self.renderable, options)))
        return self._drawn[1]

    def __rich_measure__(self, console, options):
        return Measurement.get(console, options, self.renderable)


_NEEDS_DEAL = frozenset(
    {"move", "convert", "won", "lost", "disqualify", "undo", "edit_deal", "log_activity", "add_task", "add_note",
     "open_deal"}
)


class StandupScreen(DealActions, Screen):
    HELP_TITLE = "Stand-up"
    HELP_GROUP = "Stand-up"
    DEFAULT_CSS = """
    StandupScreen #standup-bar {
        height: 1;
        padding: 0 1;
        background: $primary;
        color: $text;
        text-style: bold;
    }
    StandupScreen #page { height: 1fr; padding: 1 2 0 2; }
    StandupScreen #deal-title {
        text-style: bold;
        color: $accent;
        border-bottom: heavy $accent;
        margin-bottom: 1;
    }
    StandupScreen #deal-facts { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("j,space", "page(1)", "Next", tooltip="The next deal on the agenda", id="standup-next"),
        Binding("k,backspace", "page(-1)", "Previous", tooltip="The previous deal on the agenda", id="standup-previous"),
        Binding("g", "first_page", "First", show=False, tooltip="The first page: the numbers", id="standup-first"),
        Binding("G", "last_page", "Last", show=False, tooltip="The last deal on the agenda", id="standup-last"),
        Binding("right_square_bracket", "group(1)", "Next group", show=False,
                tooltip="The first deal of the next group", id="standup-next-group"),
        Binding("left_square_bracket", "group(-1)", "Previous group", show=False,
                tooltip="The first deal of this group, or of the one before", id="standup-previous-group"),
        Binding("enter", "open_deal", "Timeline", tooltip="Open the deal's full timeline", id="standup-open-deal"),
        *deal_action_bindings("move-forward", "move-back", "mark-won", "mark-lost", "convert-lead", "add-task",
                              "log-activity", "add-note", "edit-deal", "undo",
                              hide={"convert-lead", "log-activity"}, disqualify=True),
        Binding("r", "pick_scope", "Team/rep", tooltip="The whole team's agenda, or one rep's", id="standup-pick-rep"),
        Binding("R", "reload", "Reload", show=False, tooltip="Build the agenda again", id="standup-reload"),
    ]

    @dataclass
    class Loaded(Message):
        agenda: Agenda

    @dataclass
    class ItemReloaded(Message):
        deal_id: int
        item: AgendaItem | None

    @dataclass
    class LoadFailed(Message):
        message: str

    def __init__(self, rep_id: int | None = None) -> None:
        super().__init__()
        self.rep_id = rep_id  # None: the whole team
        self.agenda: Agenda | None = None
        self.items: list[AgendaItem] = []
        self.page = 0  # 0: the numbers; n: items[n - 1]

    @property
    def item(self) -> AgendaItem | None:
        return self.items[self.page - 1] if 0 < self.page <= len(self.items) else None

    # --- layout and loading ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the agenda…", id="standup-bar", markup=False)
        with VerticalScroll(id="page"):
            yield Static("", id="deal-title", markup=False)
            yield Static("", id="deal-facts", markup=False)
            yield Static("", id="deal-body", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Stand-up"
        self.sub_title = "loading…"
        self.query_one("#page").focus()
        self.reload()

    def on_screen_resume(self) -> None:
        # Back from the timeline: decisions made there show on this page.
        if self.agenda is not None and self.item is not None:
            self._reload_item(self.item.deal.id)

    def reload(self) -> None:
        self._load(self.rep_id)

    def action_reload(self) -> None:
        self.reload()

    def action_pick_scope(self) -> None:
        from store.reps import list_reps
        from tui.screens.modals.standup_scope import StandupScopeScreen

        with self.app.database.session() as session:
            reps = list_reps(session)

        def picked(choice: tuple[int | None] | None) -> None:
            if choice is not None and choice[0] != self.rep_id:
                self.rep_id = choice[0]
                self.page = 0  # a new agenda starts at its numbers
                self.reload()

        self.app.push_screen(StandupScopeScreen(reps, self.rep_id), picked)

    @work(thread=True, exclusive=True, group="standup-load", exit_on_error=False)
    def _load(self, rep_id: int | None) -> None:
        worker = get_current_worker()
        try:
            with self.app.database.session() as session:
                agenda = standup.standup_agenda(session, rep_id=rep_id, viewer_tz=self.app.rep.timezone)
        except StoreError as exc:
            self.post_message(self.LoadFailed(str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(agenda))

    @work(thread=True, group="standup-item", exit_on_error=False)
    def _reload_item(self, deal_id: int) -> None:
        try:
            with self.app.database.session() as session:
                item = standup.agenda_item(session, self.agenda, deal_id)
        except StoreError:
            item = None
        self.post_message(self.ItemReloaded(deal_id, item))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        current = self.item.deal.id if self.item else None
        self.agenda = message.agenda
        self.sub_title = f"{message.agenda.rep_name or 'team'} · {self.app.rep.name}"
        self.items = list(message.agenda.items)
        position = message.agenda.position_of(current) if current is not None else None
        self.page = position + 1 if position is not None else min(self.page, len(self.items))
        self.deal_actions_ready()
        self._show()

    @on(ItemReloaded)
    def _item_reloaded(self, message: ItemReloaded) -> None:
        self.deal_actions_ready()
        for n, item in enumerate(self.items):
            if item.deal.id == message.deal_id and message.item is not None:
                self.items[n] = message.item
        self._show()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.deal_actions_ready()
        self.notify(message.message, severity="error", markup=False)

    # --- walking ---------------------------------------------------------------------------

    def action_page(self, step: int) -> None:
        if self.agenda is None:
            return
        self._go(self.page + step)

    def action_first_page(self) -> None:
        self._go(0)

    def action_last_page(self) -> None:
        self._go(len(self.items))

    def action_group(self, step: int) -> None:
        """Jump a group: forward to the next group's first deal; back to this group's
        first deal, or from there to the previous group's."""
        if self.agenda is None:
            return
        starts = [n + 1 for n in self.agenda.group_starts()]  # pages: 0 is the numbers
        if step > 0:
            later = [p for p in starts if p > self.page]
            self._go(later[0] if later else self.page)
        else:
            earlier = [p for p in starts if p < self.page]
            self._go(earlier[-1] if earlier else 0)

    def _go(self, page: int) -> None:
        if self.agenda is None:
            return
        self.page = max(0, min(len(self.items), page))
        self._show()

    def action_open_deal(self) -> None:
        item = self.item
        if item is not None:
            from tui.screens.deal import open_deal

            open_deal(self.app, item.deal.id, pipeline=item.deal.pipeline)

    # --- drawing ---------------------------------------------------------------------------

    def position_text(self) -> str:
        """``7 / 23`` on a deal; ``Numbers`` on the first page."""
        return f"{self.page} / {len(self.items)}" if self.item else "Numbers"

    def _show(self) -> None:
        agenda = self.agenda
        if agenda is None:
            return
        who = agenda.rep_name or "Team"
        since = f"since {show_day(agenda.since)}"
        item = self.item
        header = f"Numbers · {who}" if item is None else f"{item.group_title} ({self._group_position(item)})"
        bar = Text(no_wrap=True, overflow="ellipsis")
        bar.append(visible(header))
        bar.append(f"  ·  {since}" + (f"  ·  {self.position_text()}" if item else ""))
        self.query_one("#standup-bar", Static).update(bar)
        title, facts, body = (self.query_one(f"#{name}", Static) for name in ("deal-title", "deal-facts", "deal-body"))
        if item is None:
            yesterday = agenda.yesterday
            title.update(Text(f"Numbers: {show_day(yesterday)} · {agenda.week.label}"))
            facts.update(self._numbers_summary())
            body.update(DrawnOnce(self._numbers_table()))
        else:
            title.update(plain(item.deal.title))
            facts.update(self._facts(item))
            body.update(self._body(item))
        self.query_one("#page", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def _group_position(self, item: AgendaItem) -> str:
        """``3 of 40``; ``3 of 40 listed, 1,589 in all`` when the group was cut short."""
        group = [i.deal.id for i in self.items if i.group == item.group]
        position = f"{group.index(item.deal.id) + 1} of {len(group)}"
        total = self.agenda.group_total(item.group)
        return position if total == len(group) else f"{position} listed, {total:,} in all"

    def _numbers_summary(self) -> Text:
        agenda = self.agenda
        deals = len(self.items)
        more = sum(agenda.left_out.values())
        text = f"{deals} deal{'s' if deals != 1 else ''} to walk"
        if more:
            text += f" ({more} more not listed)"
        return Text(text + " · j / space to start")

    def _numbers_table(self) -> Table:
        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        table.add_column("Rep", no_wrap=True, overflow="ellipsis", max_width=22)
        table.add_column("Yday", justify="right")
        table.add_column("Week", justify="right")
        table.add_column("Goal", justify="right")
        table.add_column("Other goals (week / goal)", overflow="fold")
        for row in self.agenda.numbers:
            goal = row.goals.get(ACTIVITIES)
            others = [f"{metric(k).short} {progress_text(k, done, target, self.agenda.currency)}"
                      for k, done, target in row.goal_figures() if k != ACTIVITIES]
            table.add_row(
                plain(row.name),  # a str cell would be read as markup
                str(row.yesterday.get(ACTIVITIES, 0)),
                str(row.week.get(ACTIVITIES, 0)),
                Text(f"{goal}" if goal else "—", style="bold" if goal and row.week.get(ACTIVITIES, 0) >= goal else ""),
                Text(" · ".join(others), no_wrap=False),
            )
        return table

    def _facts(self, item: AgendaItem) -> Text:
        deal = item.deal
        text = Text()
        text.append(visible(f"{deal.account_name or 'No account'} · {deal.owner_name}") + "\n")
        value = format_money(deal.value, self.agenda.currency)
        days = ("? days in stage" if item.days_in_stage is None
                else f"{item.days_in_stage} day{'s' if item.days_in_stage != 1 else ''} in stage")
        text.append(f"{visible(deal.stage_name)} · {value} · {days}")
        if deal.expected_close:
            text.append(f" · closes {show_day(deal.expected_close)}")
        if deal.lost_reason:
            text.append(f"\nReason: {visible(deal.lost_reason)}")
        return text

    def _body(self, item: AgendaItem) -> Text:
        agenda = self.agenda
        now, tz = clock.now(), self.app.rep.timezone
        text = Text()
        text.append("What changed\n", style="bold underline")
        for line in item.changes or ("Nothing since " + f"{agenda.since:%a}",):
            text.append(f"  {visible(line)}\n")
        text.append("\nLast activities\n", style="bold underline")
        for a in item.activities:
            headline = activity_headline(a.type, a.milestone, a.outcome, a.duration_min)
            text.append(f"  {format_when(a.occurred_at, now, tz)} · {visible(a.rep_name)} · {visible(headline)}\n")
        if not item.activities:
            text.append("  None yet\n")
        text.append("\nNext task\n", style="bold underline")
        task = item.next_task
        text.append(f"  {show_day(task.due)} · {visible(task.title)}" if task else "  None: decide the next step")
        return text

    # --- writes (DealActions does the work) ---------------------------------------------------

    def acted_on(self) -> DealRef | None:
        item = self.item
        return DealRef(item.deal.id, item.deal.version, item.deal.title, item.deal.pipeline) if item else None

    def deal_written(self, deal_id: int, message: str, severity: str) -> None:
        if message:
            self.notify(message, severity=severity, markup=False)
        self._reload_item(deal_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in _NEEDS_DEAL:
            return True
        item = self.item
        if item is None:
            return None if action in ("move", "won", "lost", "add_task", "open_deal") else False
        deal = item.deal
        if action in ("move", "convert", "won", "lost", "disqualify") and not deal.is_open:
            return False
        if action in ("convert", "disqualify"):
            return deal.pipeline == LEAD
        if action in ("won", "lost"):
            return deal.pipeline != LEAD
        return True
