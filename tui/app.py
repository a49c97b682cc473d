"""LegworkApp: the six modes, global keys, theme, and who is signed in."""

from __future__ import annotations

import gc
from dataclasses import replace

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen

from store.db import Database
from store.events import latest_id
from store.reps import RepInfo, find_rep
from store.safe_text import visible


def _screen(module: str, name: str, *args):
    """A mode's screen factory; the module is imported when the mode is first opened,
    so start-up pays only for the screen it shows."""

    def make():
        from importlib import import_module

        screen = getattr(import_module(module), name)(*args)
        # Textual restyles the whole app (every stylesheet parsed again, every node of every
        # screen restyled; twice) when it installs a screen whose CSS count lags the app's,
        # which a new screen's always does once a theme is set. A screen never mounted has
        # no style to bring up to date: it is styled from the current sheet as it mounts.
        # That restyling was most of a mode's first open (and of the first board's).
        screen._css_update_count = screen.app._css_update_count
        return screen

    make.module = module
    return make


def _palette():
    import tui.palette

    return tui.palette


_heap_frozen = False


def _freeze_start_up_heap() -> None:
    """Imports, styles and the ORM's mappers live as long as the process: keep them
    out of the collector's full passes, each of which otherwise stalls a frame by
    50-100 ms at scale. Once per process (tests run many apps in one).

    Also turns collection back on: ``legwork`` switches it off while it starts
    (tui.cli), since start-up makes a few hundred thousand long-lived objects and
    almost no garbage, and collecting meanwhile costs ~70 ms for nothing."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()
    gc.enable()


class LegworkApp(App[int]):
    TITLE = "Legwork"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    # ctrl+p: Textual's commands, the screen's actions (get_system_commands) and search.
    COMMANDS = {lambda: _palette().CommandsProvider, lambda: _palette().SearchProvider}

    MODES = {
        "leads": _screen("tui.screens.board", "BoardScreen", "lead"),
        "opportunities": _screen("tui.screens.board", "BoardScreen", "opportunity"),
        "today": _screen("tui.screens.today", "TodayScreen"),
        "numbers": _screen("tui.screens.numbers", "NumbersScreen"),
        "standup": _screen("tui.screens.standup", "StandupScreen"),
        "people": _screen("tui.screens.people", "PeopleScreen"),
        "team": _screen("tui.screens.team", "TeamScreen"),
    }
    # Textual starts in its own blank default mode; the boards open once we know who is signed in.
    START_MODE = "opportunities"
    # Once the first board has shown its data and nothing is loading, the other modes'
    # modules (and the deal screen's) are imported in a thread, so a mode's first open
    # does not import them. Seconds after the first board opens; None: never (a test of
    # what start-up itself imports).
    PREPARE_AFTER: float | None = 0.2

    BINDINGS = [
        Binding("1", "switch_mode('leads')", "Leads", show=False, id="mode-leads"),
        Binding("2", "switch_mode('opportunities')", "Opportunities", show=False, id="mode-opportunities"),
        Binding("3", "switch_mode('today')", "Today", show=False, id="mode-today"),
        Binding("4", "switch_mode('numbers')", "Numbers", show=False, id="mode-numbers"),
        Binding("5", "switch_mode('standup')", "Stand-up", show=False, id="mode-standup"),
        Binding("6", "switch_mode('people')", "People", show=False, tooltip="Accounts and contacts",
                id="mode-people"),
        Binding("7", "switch_mode('team')", "Team", show=False, tooltip="Team: reps, teams, stages, lost reasons, "
                "settings", id="mode-team"),
        Binding("question_mark", "help", "Help", tooltip="Every key of this screen", id="help"),
        # Screens with a filter of their own (the boards, the closed list) keep `/` for it.
        Binding("slash", "search", "Search", show=False, tooltip="Search deals, accounts, contacts, notes, activities",
                id="search"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        database: Database,
        handle: str,
        *,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
        timezone: str | None = None,
        fixed_identity: bool = False,
    ) -> None:
        super().__init__()
        self.database = database
        self.handle = handle
        # Signed in by an SSH key (tui/ssh_session.py): no onboarding as someone else,
        # nothing that writes a file on the server.
        self.fixed_identity = fixed_identity
        self.rep: RepInfo | None = None
        self.undo_since = 0
        self._theme_name = theme
        self._keymap = keymap or {}
        self._timezone = timezone

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # The cursor row of every list (cards, tasks, timeline, closed deals). ANSI themes
        # cannot blend: "$primary 40%" comes out as solid primary (the focused header's and
        # scrollbar's colour) and a lightened surface as the terminal's own, so they get one
        # plain colour each theme can draw; the focused column still shows by its header.
        theme = self.current_theme
        if theme.ansi:
            cursor = "ansi_bright_black" if theme.dark else "ansi_white"
            return {"card-cursor-background": cursor, "card-cursor-blurred-background": cursor}
        colors = theme.to_color_system().generate()
        return {
            "card-cursor-background": f"{colors['primary']} 40%",
            "card-cursor-blurred-background": colors["surface-lighten-1"],
        }

    def on_mount(self) -> None:
        if self._theme_name:
            if self._theme_name in self.available_themes:
                self.theme = self._theme_name
            else:
                self.notify(f"unknown theme {self._theme_name!r}; using the default", severity="warning", markup=False)
        if self._keymap:
            self.set_keymap(self._keymap)
        with self.database.session() as session:
            self.rep = find_rep(session, self.handle)
            # ``u`` undoes only what this terminal's rep changed after this moment.
            self.undo_since = latest_id(session)
        if self.rep is not None and self._timezone:
            self.rep = self._in_timezone(self.rep)
        if self.rep is None and self.fixed_identity:
            from rich.text import Text

            self.exit(return_code=1, message=Text(f"legwork: {visible(self.handle)} is not a rep of this database"))
        elif self.rep is None:
            from tui.screens.onboarding import OnboardingScreen

            self.push_screen(OnboardingScreen(self.handle), self._signed_up)
        else:
            self._start()
        _freeze_start_up_heap()

    def _in_timezone(self, rep: RepInfo) -> RepInfo:
        """The config file's timezone wins over the rep's for this terminal (a rep travelling)."""
        import pendulum

        if self._timezone not in pendulum.timezones():
            self.notify(f"unknown timezone {self._timezone!r} in the config file; using {rep.timezone}",
                        severity="warning", markup=False)
            return rep
        return replace(rep, timezone=self._timezone)

    def _start(self) -> None:
        self.sub_title = f"{self.rep.name} · {self.database.description}"
        self.switch_mode(self.START_MODE)
        if self.PREPARE_AFTER is not None:
            self.set_timer(self.PREPARE_AFTER, self._prepare_when_idle)

    # --- the other modes, prepared while the first board is idle ---------------------------

    def _prepare_when_idle(self, quiet_checks: int = 0) -> None:
        # Idle = no worker running at two checks 0.1 s apart: the board's data has
        # arrived, been handled and drawn. Then after the next frame, not before it.
        busy = any(not worker.is_finished for worker in self.workers)
        if busy or quiet_checks < 1:
            self.set_timer(0.1, lambda: self._prepare_when_idle(0 if busy else quiet_checks + 1))
            return
        self.call_after_refresh(self._prepare_modes)

    @work(thread=True, exclusive=True, group="prepare-modes", exit_on_error=False)
    def _prepare_modes(self) -> None:
        """Import what each mode's first open would (the thread gives the GIL back to
        the interface every few milliseconds, so a key pressed meanwhile is not held up)."""
        from importlib import import_module

        for module in dict.fromkeys([*(make.module for make in self.MODES.values()), "tui.screens.deal"]):
            import_module(module)
        self.call_from_thread(self._prepare_deal_screen)

    def _prepare_deal_screen(self) -> None:
        from tui.screens.deal import prepare_deal_screen

        prepare_deal_screen(self)

    def _signed_up(self, rep: RepInfo | None) -> None:
        if rep is None:
            self.exit(0)
            return
        self.rep = rep
        self.notify(f"Welcome, {rep.name}. Press ? for every key.", markup=False)
        self._start()

    # --- nothing stored reaches the terminal raw (store.safe_text) -------------------------

    def format_title(self, title: str, sub_title: str) -> Content:
        # Every screen's title and sub-title (a deal's title, a rep's name) is drawn here.
        return super().format_title(visible(title), visible(sub_title))

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        # Every toast, the app's and every screen's and widget's, comes through here.
        super().notify(visible(message, multiline=True), title=visible(title), severity=severity, timeout=timeout,
                       markup=markup)

    async def on_event(self, event: events.Event) -> None:
        # A paste (a web page's hidden ESC sequence, say) would be drawn raw by an
        # Input or TextArea: the control characters go in as their visible pictures.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = visible(event.text, multiline=True)
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("switch_mode", "search") and self.rep is None:
            return False
        if action == "search" and isinstance(self.screen, ModalScreen):
            return False  # `/` in a form or a picker is not a search of everything
        return True

    def get_system_commands(self, screen):
        for command in super().get_system_commands(screen):
            # A screenshot is an SVG file written in the server's working directory.
            if not (self.fixed_identity and command.title == "Screenshot"):
                yield command
        if self.rep is not None:
            yield SystemCommand("Team", "Reps, teams, stages, lost reasons, currency and timezone (7)",
                                lambda: self.switch_mode("team"))
            yield from _palette().screen_commands(screen)

    def action_search(self) -> None:
        _palette().open_search(self)

    def action_command_palette(self) -> None:
        _palette().open_palette(self)

    # --- pages anyone can open (global search, a deal's contact) ----------------------------

    def open_account(self, account_id: int) -> None:
        """Push ``account_id``'s page (tui.screens.account.AccountScreen) over the current screen."""
        if self.rep is None:
            return
        from tui.screens.account import AccountScreen

        self.push_screen(AccountScreen(account_id))

    def open_contact(self, contact_id: int) -> None:
        """Push ``contact_id``'s page (tui.screens.contact.ContactScreen) over the current screen."""
        if self.rep is None:
            return
        from tui.screens.contact import ContactScreen

        self.push_screen(ContactScreen(contact_id))

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))
