"""First run: a rep unknown to the database says who they are, on one screen."""

from __future__ import annotations

import pendulum
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from store.errors import StoreError
from store.onboarding import first_rep, sign_up
from store.reps import DEFAULT_CAPACITY, RepInfo
from tui.plain_text import visible
from tui.widgets.key_footer import KeyFooter


def local_timezone() -> str:
    try:
        return pendulum.local_timezone().name
    except Exception:  # no zone configured on some servers
        return "UTC"


class OnboardingScreen(Screen[RepInfo | None]):
    HELP_TITLE = "Welcome"
    DEFAULT_CSS = """
    OnboardingScreen { align: center middle; }
    OnboardingScreen > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: round $primary; background: $surface; padding: 0 2;
    }
    OnboardingScreen .intro { margin-bottom: 1; }
    OnboardingScreen .row { height: 1; margin-bottom: 1; }
    OnboardingScreen .row Label { width: 18; color: $text-muted; }
    OnboardingScreen .row Input { width: 1fr; border: none; height: 1; padding: 0 1; background: $boost; }
    OnboardingScreen .row Input:focus { border: none; background: $primary 30%; }
    OnboardingScreen .row Select { width: 1fr; height: 1; }
    OnboardingScreen .row Select > SelectCurrent { border: none; height: 1; padding: 0 1; background: $boost; }
    OnboardingScreen .row Select:focus > SelectCurrent { background: $primary 30%; }
    OnboardingScreen #error { color: $error; height: auto; margin-bottom: 1; }
    OnboardingScreen #error.-empty { display: none; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="onboarding-save"),
        Binding("escape", "cancel", "Quit", id="onboarding-cancel"),
    ]

    FIRST_REP = "You are the first rep: you can be the team's manager"

    def __init__(self, handle: str) -> None:
        super().__init__()
        self.handle = handle
        self.first = False  # the database has no rep yet: the role can be chosen

    def _role_row(self) -> list[tuple[str, Input | Select]]:
        """Only the first rep of an empty database chooses a role; everyone else signs up
        as a rep (a manager makes managers), and the store refuses otherwise."""
        if not self.first:
            return []
        return [("Role", Select([("Rep", "rep"), ("Manager", "manager")], value="rep", allow_blank=False,
                                id="role"))]

    def compose(self) -> ComposeResult:
        with self.app.database.session() as session:
            self.first = first_rep(session)
        # One row a field and the error above them, so the whole screen and any error
        # fit an 80×24 terminal without scrolling.
        with Vertical():
            yield Static(
                visible(f"Welcome to Legwork. This database does not know “{self.handle}” yet.\n"
                        "Tell it who you are; enter on the last field saves.", multiline=True),
                classes="intro",
                markup=False,
            )
            if self.first:
                yield Static(self.FIRST_REP, id="first-rep", classes="intro", markup=False)
            yield Static("", id="error", classes="-empty", markup=False)
            for label, field in (
                ("Handle (sign-in)", Input(visible(self.handle), id="handle")),
                ("Your name", Input(placeholder="Alex Kim", id="name")),
                *self._role_row(),
                ("Timezone", Input(local_timezone(), id="timezone")),
                ("Tasks a day", Input(str(DEFAULT_CAPACITY), id="capacity", type="integer")),
            ):
                with Horizontal(classes="row"):
                    yield Label(label)
                    yield field
        yield KeyFooter()

    def _show_error(self, message: str) -> None:
        error = self.query_one("#error", Static)
        error.update(message)
        error.set_class(not message, "-empty")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        if event.input.id == "capacity":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        capacity_text = self.query_one("#capacity", Input).value.strip()
        if not capacity_text.isdigit():
            self._show_error("Capacity must be a whole number of tasks, e.g. 12")
            return
        try:
            with self.app.database.session() as session:
                rep = sign_up(
                    session,
                    self.query_one("#handle", Input).value,
                    self.query_one("#name", Input).value,
                    manager=self.first and self.query_one("#role", Select).value == "manager",
                    timezone=self.query_one("#timezone", Input).value.strip(),
                    capacity=int(capacity_text),
                )
        except StoreError as exc:
            self._show_error(visible(str(exc)[:1].upper() + str(exc)[1:]))
            return
        self.dismiss(rep)

    def action_cancel(self) -> None:
        self.dismiss(None)
