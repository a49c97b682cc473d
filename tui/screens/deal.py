"""One deal: its facts on top, its timeline below, and the board's keys on it.

Pushed over a board with ``enter``; ``escape`` goes back. Loading and every
write run in thread workers that post plain data back; each write states the
version this screen read, so a change someone else made meanwhile is refused,
named, and the screen reloads.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from store.deal_page import DealPage, deal_page
from store.deal_detail import DealDetail
from store.errors import StoreError
from store.terms import LEAD, OPPORTUNITY
from store.timeline import ACTIVITY, EVENT, NOTE, TASK
from tui.clipboard import copy_value
from tui.deal_actions import DealActions, DealRef, deal_action_bindings
from tui.failures import reason
from tui.widgets.deal_facts import DealFacts
from tui.widgets.key_footer import KeyFooter
from tui.widgets.timeline import Moment, TimelineView

# What `f` cycles through: (label, kinds shown; None is everything).
FILTERS: list[tuple[str, frozenset[str] | None]] = [
    ("All", None),
    ("Activities", frozenset({ACTIVITY})),
    ("Notes", frozenset({NOTE})),
    ("Tasks", frozenset({TASK})),
    ("History", frozenset({EVENT})),
]


# A database slower than this shows the screen with "Loading…" rather than nothing.
SLOW_READ_SECONDS = 0.15


class DealScreen(DealActions, Screen):
    HELP_TITLE = "Deal"
    HELP_GROUP = "Deal"
    DEFAULT_CSS = """
    DealScreen #timeline-bar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="deal-back"),
        *deal_action_bindings("move-forward", "move-back", "convert-lead", "mark-won", "mark-lost", "log-activity",
                              "add-task", "add-note", hide={"log-activity", "add-task"}, disqualify=True),
        Binding("f", "cycle_filter", "Filter", id="deal-filter"),
        *deal_action_bindings("edit-deal", "undo"),
        Binding("o", "reopen", "Reopen", id="deal-reopen"),
        Binding("P", "contacts", "Contacts", show=False,
                tooltip="The people on the deal: add one (or a new one), make one the primary, remove one",
                id="deal-contacts"),
        Binding("y", "copy_email", "Copy email", show=False, tooltip="Copy the primary contact's email (OSC 52)",
                id="deal-copy-email"),
        Binding("Y", "copy_phone", "Copy phone", show=False, tooltip="Copy the primary contact's phone (OSC 52)",
                id="deal-copy-phone"),
    ]

    @dataclass
    class Loaded(Message):
        data: DealPage

    @dataclass
    class LoadFailed(Message):
        message: str
        deal_id: int

    def __init__(self, deal_id: int | None, *, pipeline: str | None = None) -> None:
        """``pipeline``, when the caller knows it, lets the footer show the right
        keys before the deal has loaded (and spares redrawing it after). No
        ``deal_id``: built ahead of its first deal (``prepare_deal_screen``)."""
        super().__init__()
        self.deal_id = deal_id
        self._pipeline_hint = pipeline
        self.data: DealPage | None = None
        self.filter_index = 0
        self._keys_for = self._key_state()  # what the footer's keys were drawn for
        self._opening = False  # open_deal reads the page: mounting must not read it again

    @property
    def deal(self) -> DealDetail | None:
        return self.data.deal if self.data else None

    @property
    def moment(self) -> Moment | None:
        data = self.data
        return Moment(data.now, data.today, data.tz) if data else None

    def show_deal(self, deal_id: int, pipeline: str | None = None, *, load: bool = True) -> None:
        """Show another deal on this (reused) screen: nothing of the last one stays.
        ``load=False``: the caller reads the page and hands it to ``show_page``."""
        self.deal_id = deal_id
        self._pipeline_hint = pipeline
        self.data = None
        self.filter_index = 0
        self._opening = not load
        if not self.is_mounted:
            return  # on_mount loads it, or shows what open_deal read
        if load:
            self.reload()
        self.title, self.sub_title = "Deal", ""
        self.query_one(DealFacts).clear()
        self.query_one("#timeline-bar", Static).update("")
        timeline = self.query_one(TimelineView)
        timeline.show([], timeline.moment, empty_text="Loading…")
        timeline.focus()
        self._refresh_keys()

    def show_page(self, page: DealPage) -> None:
        """The page ``open_deal`` read: drawn now if the screen is mounted, else when it is."""
        if page.deal.id != self.deal_id:
            return  # another deal was asked for meanwhile
        self._opening = False
        self.data = page
        if self.is_mounted:
            self._draw()

    # --- layout and loading ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield DealFacts(id="facts")
        yield Static("", id="timeline-bar", markup=False)
        yield TimelineView(id="timeline")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        if self.data is None and not self._opening and self.deal_id is not None:
            self.reload()  # first: the store works while the screen lays itself out
        self.title = "Deal"
        timeline = self.query_one(TimelineView)
        timeline.focus()
        if self.data is not None:
            self._draw()  # read before the screen was shown: its first frame has the deal
        else:
            timeline.show([], timeline.moment, empty_text="Loading…")

    def reload(self) -> None:
        self._load(self.app.rep.timezone)

    @work(thread=True, exclusive=True, group="deal-load", exit_on_error=False)
    def _load(self, tz: str) -> None:
        worker = get_current_worker()
        deal_id = self.deal_id
        try:
            with self.app.database.session() as session:
                data = deal_page(session, deal_id, tz=tz)
        except StoreError as exc:
            self.post_message(self.LoadFailed(str(exc), deal_id))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(data))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        if message.data.deal.id != self.deal_id:
            return  # the last deal's, landing after the screen moved on
        self.data = message.data
        self._draw()

    def _draw(self) -> None:
        data = self.data
        self.deal_actions_ready()
        deal = data.deal
        self.title = "Lead" if deal.pipeline == LEAD else "Opportunity"
        self.sub_title = deal.title
        self.query_one(DealFacts).show(deal, data.next_task, self.moment, data.currency,
                                       other_contacts=data.other_contacts)
        self._show_timeline()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        if self._key_state() != self._keys_for:
            self._keys_for = self._key_state()
            self.refresh_bindings()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.deal_id != self.deal_id:
            return  # the last deal's, landing after the screen moved on
        self.deal_actions_ready()
        self.notify(message.message, severity="error", markup=False)
        if self.is_current:
            self.app.pop_screen()

    def _show_timeline(self) -> None:
        data = self.data
        label, kinds = FILTERS[self.filter_index]
        shown = [e for e in data.entries if kinds is None or e.kind in kinds]
        empty = "Nothing on this deal yet" if kinds is None else f"No {label.lower()} on this deal"
        self.query_one(TimelineView).show(shown, self.moment, empty_text=empty)
        self.query_one("#timeline-bar", Static).update(self._filter_bar())

    def _filter_bar(self) -> Text:
        counts = {label: sum(1 for e in self.data.entries if kinds is None or e.kind in kinds) for label, kinds in FILTERS}
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, (label, _kinds) in enumerate(FILTERS):
            chosen = i == self.filter_index
            text.append(f" {label} {counts[label]} ", style="bold reverse" if chosen else "")
        text.append("  f filter · enter expands", style="dim")
        return text

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        if self.data is not None:
            self._show_timeline()

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- the deal's contacts ------------------------------------------------------------------

    def action_copy_email(self) -> None:
        if self.deal is not None:
            copy_value(self.app, self.deal.contact_email, "email")

    def action_copy_phone(self) -> None:
        if self.deal is not None:
            copy_value(self.app, self.deal.contact_phone, "phone")

    def action_contacts(self) -> None:
        from tui.screens.modals.deal_contacts import DealContactsScreen

        deal = self.deal
        if deal is None:
            return

        def closed(contact_id: int | None) -> None:
            self.reload()  # the primary, or how many there are, may have changed
            if contact_id is not None:
                self.app.open_contact(contact_id)

        self.app.push_screen(DealContactsScreen(deal.id), closed)

    # --- writes (DealActions does the work) ---------------------------------------------------

    def acted_on(self) -> DealRef | None:
        deal = self.deal  # None while loading: the keys are shown but not yet usable
        return DealRef(deal.id, deal.version, deal.title, deal.pipeline) if deal else None

    def deal_written(self, deal_id: int, message: str, severity: str) -> None:
        if message:
            self.notify(message, severity=severity, markup=False)
        self.reload()

    _NEEDS_DEAL = frozenset(
        {"move", "convert", "won", "lost", "disqualify", "undo", "edit_deal", "log_activity", "add_task", "add_note",
         "reopen", "contacts", "copy_email", "copy_phone"}
    )

    def _key_state(self) -> tuple[str, bool] | None:
        """What the deal-action keys depend on: (pipeline, open?)."""
        if self.data is not None:
            return (self.data.deal.pipeline, self.data.deal.is_open)
        return (self._pipeline_hint, True) if self._pipeline_hint else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in self._NEEDS_DEAL:
            return True
        state = self._key_state()
        if state is None:
            return None  # still loading: shown, but not yet usable
        pipeline, is_open = state
        if action in ("move", "convert", "won", "lost", "disqualify") and not is_open:
            return False  # closed: only reopen, undo and edit apply
        if action == "reopen":
            return not is_open
        if action in ("convert", "disqualify"):
            return pipeline == LEAD
        if action in ("won", "lost"):
            return pipeline != LEAD
        return True


def prepare_deal_screen(app) -> None:
    """Build the current mode's deal screen before its first deal, while the rep reads
    the board: composing and styling it is a fifth of a first open's time."""
    name = f"deal:{app.current_mode}"
    if app.is_screen_installed(name):
        return
    # A board's deals are of its pipeline: the footer's keys are drawn for them now.
    screen = DealScreen(None, pipeline={"leads": LEAD, "opportunities": OPPORTUNITY}.get(app.current_mode))
    app.install_screen(screen, name)
    # What App.push_screen does to start a screen it has not run (App._get_screen),
    # without showing it; Textual has no public call for it.
    app._register(app, screen)


def open_deal(app, deal_id: int, *, pipeline: str | None = None) -> None:
    """Show ``deal_id``'s screen. One deal screen per mode stays installed and is
    reused: styling a new screen's widgets (the footer's keys above all) cost more
    than loading a 500-entry timeline.

    The page is read before the screen is shown, so its first frame is the deal's
    and not a "Loading…" frame drawn and thrown away (on a slow database the screen
    shows after SLOW_READ_SECONDS, loading). The screen is not shown if the rep has
    moved on from the screen that asked by the time it would be."""
    name = f"deal:{app.current_mode}"
    if not app.is_screen_installed(name):
        app.install_screen(DealScreen(deal_id, pipeline=pipeline), name)
    screen = app.get_screen(name)
    if screen in app.screen_stack:  # already open below (no key leads there today): a screen of its own
        screen = DealScreen(deal_id, pipeline=pipeline)
    screen.show_deal(deal_id, pipeline, load=False)
    mode, asked_from = app.current_mode, app.screen
    shown = []

    def show() -> None:
        if shown or screen.deal_id != deal_id or app.current_mode != mode or screen in app.screen_stack:
            return  # shown already (by this open or another), or the rep has gone elsewhere
        # Not over what the rep went to meanwhile; a palette that asked has closed itself.
        if app.screen is asked_from or asked_from not in app.screen_stack:
            shown.append(True)
            app.push_screen(screen)

    def arrived(page: DealPage | None, failure: str | None) -> None:
        timer.stop()
        if screen.deal_id != deal_id:
            return  # the screen was asked for another deal meanwhile
        if page is None:
            app.notify(failure, severity="error", markup=False)
            screen.deal_actions_ready()
            if shown and app.screen is screen:
                app.pop_screen()
            return
        screen.show_page(page)
        show()

    def read() -> None:
        try:
            with app.database.session() as session:
                page = deal_page(session, deal_id, tz=app.rep.timezone)
        except StoreError as exc:
            app.call_from_thread(arrived, None, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the database went away, or a bug: say so
            app.call_from_thread(arrived, None, f"Could not open the deal: {reason(exc)}")
            return
        app.call_from_thread(arrived, page, None)

    timer = app.set_timer(SLOW_READ_SECONDS, show)
    app.run_worker(read, thread=True, exclusive=True, group="deal-open", exit_on_error=False)
