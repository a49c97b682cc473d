"""First run: a rep unknown to the database says who they are, on one screen."""

from __future__ import annotations

import pendulum
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from store.errors import StoreError
from store.reps import DEFAULT_CAPACITY, RepInfo, create_rep
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
    OnboardingScreen Label { margin-top: 1; }
    OnboardingScreen #error { color: $error; margin-top: 1; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="onboarding-save"),
        Binding("escape", "cancel", "Quit", id="onboarding-cancel"),
    ]

    def __init__(self, handle: str) -> None:
        super().__init__()
        self.handle = handle

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                visible(f"Welcome to Legwork. This database does not know “{self.handle}” yet.\n"
                        "Tell it who you are; enter on the last field saves.", multiline=True),
                markup=False,
            )
            yield Label("Handle (how you sign in)")
            yield Input(visible(self.handle), id="handle")
            yield Label("Your name")
            yield Input(placeholder="Alex Kim", id="name")
            yield Label("Role")
            yield Select([("Rep", "rep"), ("Manager", "manager")], value="rep", allow_blank=False, id="role")
            yield Label("Timezone")
            yield Input(local_timezone(), id="timezone")
            yield Label("Tasks you can do in a day")
            yield Input(str(DEFAULT_CAPACITY), id="capacity", type="integer")
            yield Static("", id="error", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        if event.input.id == "capacity":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        error = self.query_one("#error", Static)
        capacity_text = self.query_one("#capacity", Input).value.strip()
        if not capacity_text.isdigit():
            error.update("Capacity must be a whole number of tasks, e.g. 12")
            return
        try:
            with self.app.database.session() as session:
                rep = create_rep(
                    session,
                    self.query_one("#handle", Input).value,
                    self.query_one("#name", Input).value,
                    role=self.query_one("#role", Select).value,
                    timezone=self.query_one("#timezone", Input).value.strip(),
                    capacity=int(capacity_text),
                )
        except StoreError as exc:
            error.update(visible(str(exc)))
            return
        self.dismiss(rep)

    def action_cancel(self) -> None:
        self.dismiss(None)
