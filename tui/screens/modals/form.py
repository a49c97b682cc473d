"""Shared look of Legwork's forms: one line per field, the error under it.

Fields are one row high so a whole form fits an 80×24 terminal; enter saves
from any field, escape cancels with nothing saved.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Label, Static
from tui.plain_text import visible

FORM_CSS = """
.form-row { height: 1; }
.form-row Label { width: 16; color: $text-muted; }
.form-row Input, .form-row Select { width: 1fr; }
.form-row Input { border: none; height: 1; padding: 0 1; background: $boost; }
.form-row Input:focus { border: none; background: $primary 30%; }
.form-row Select { height: 1; }
.form-row Select > SelectCurrent { border: none; height: 1; padding: 0 1; background: $boost; }
.form-row Select:focus > SelectCurrent { background: $primary 30%; }
.field-error { color: $error; height: auto; padding-left: 16; }
.field-error.-empty { display: none; }
.form-hint { color: $text-muted; height: auto; margin-bottom: 1; }
.form-title { text-style: bold; }
"""


def field_row(label: str, widget: Widget) -> ComposeResult:
    with Horizontal(classes="form-row"):
        yield Label(label)
        yield widget
    error = Static("", id=f"{widget.id}-error", classes="field-error -empty", markup=False)
    yield error


def show_error(form: Widget, field_id: str, message: str | None) -> None:
    error = form.query_one(f"#{field_id}-error", Static)
    error.update(visible(message))  # it may quote what was typed
    error.set_class(not message, "-empty")
