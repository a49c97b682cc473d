"""One small form for the Team screen's changes: a title, a line per field, and a save
that runs a store function in a worker. The store decides (a manager's change, the
values' rules); a refusal shows under the fields and the form stays open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from store.errors import InvalidInput
from tui.plain_text import visible
from tui.screens.modals.form import FormWorkers, field_row
from tui.screens.modals.task_form import LOGGING_FORM_CSS, sentence


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    value: str = ""
    hint: str = ""


def whole(text: str, what: str) -> int:
    """A whole number typed into a field, or the store's kind of refusal."""
    try:
        return int(text.strip().rstrip("%"))
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number, not {text.strip()!r}") from None


class AdminForm(FormWorkers, ModalScreen[object]):
    """Dismisses with what ``save`` returned, or ``None`` when cancelled."""

    HELP_TITLE = "Team set-up form"
    DEFAULT_CSS = "AdminForm { align: center middle; }" + LOGGING_FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="admin-form-cancel"),
        Binding("ctrl+s", "save", "Save", id="admin-form-save"),
        Binding("enter", "save", "Save", show=False, id="admin-form-enter"),  # a form with no fields (a removal)
    ]

    def __init__(self, title: str, fields: list[Field], save: Callable[[object, dict[str, str]], object],
                 hint: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.save = save
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="logging-form"):
            yield Static(visible(self.form_title), classes="form-title", markup=False)
            yield Static(visible(self.hint or "enter saves · escape cancels · tab next field"), classes="form-hint",
                         markup=False)
            for field in self.fields:
                yield from field_row(field.label, Input(visible(field.value), id=field.id))
                if field.hint:
                    yield Static(visible(field.hint), classes="field-hint", markup=False)
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#{self.fields[0].id}", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        values = {f.id: self.query_one(f"#{f.id}", Input).value for f in self.fields}
        save = self.save
        self.save_in_worker(lambda session: save(session, values), lambda saved: saved)

    def save_refused(self, message: str) -> None:
        super().save_refused(sentence(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
