"""`/`: narrow a board by owner, territory, product, source and free text."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from store import board
from store.board import BoardFilter
from tui.plain_text import plain, visible
from tui.failures import ReportsFailedWorkers
from tui.screens.modals.form import FORM_CSS, field_row
from tui.screens.modals.frame import modal_frame_css


@dataclass
class ChoicesLoaded(Message):
    choices: board.FilterChoices


def _options(values: list) -> list[tuple[str, object]]:
    return [(plain(str(label)), key) for key, label in values]  # a str prompt would be read as markup


class BoardFilterScreen(ReportsFailedWorkers, ModalScreen[BoardFilter | None]):
    HELP_TITLE = "Filter"
    DEFAULT_CSS = modal_frame_css("BoardFilterScreen", 64) + FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filter-cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filter-apply"),
    ]

    def __init__(self, current: BoardFilter) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        flt = self.current

        def dropdown(id_: str, value, label: str) -> Select:
            # Until the choices arrive (a worker), only the current one, so nothing is lost.
            options = [(label, value)] if value is not None else []
            return Select(options, value=value if value is not None else Select.NULL, prompt="any", id=id_)

        with Vertical():
            yield Static("Filter the board (enter applies, escape cancels)", classes="form-title")
            yield from field_row("Text", Input(visible(flt.text or ""), placeholder="title, account or contact", id="text"))
            yield from field_row("Owner", dropdown("owner", flt.owner_id, "…"))
            yield from field_row("Territory", dropdown("territory", flt.territory, str(flt.territory)))
            yield from field_row("Product", dropdown("product", flt.product, str(flt.product)))
            yield from field_row("Source", dropdown("source", flt.source, str(flt.source)))

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()
        self._load_choices()

    @work(thread=True, group="form-load", exit_on_error=False)
    def _load_choices(self) -> None:
        with self.app.database.session() as session:
            self.post_message(ChoicesLoaded(board.filter_choices(session)))

    def on_choices_loaded(self, message: ChoicesLoaded) -> None:
        choices = message.choices
        for id_, values in (
            ("owner", choices.owners),
            ("territory", [(t, t) for t in choices.territories]),
            ("product", [(p, p) for p in choices.products]),
            ("source", [(s, s) for s in choices.sources]),
        ):
            select = self.query_one(f"#{id_}", Select)
            chosen = select.value
            options = _options(values)
            select.set_options(options)
            if chosen in {key for _label, key in options}:
                select.value = chosen

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    def _value(self, id_: str):
        value = self.query_one(f"#{id_}", Select).value
        return None if value is Select.NULL else value

    def action_apply(self) -> None:
        text = self.query_one("#text", Input).value.strip() or None
        self.dismiss(
            BoardFilter(
                owner_id=self._value("owner"),
                territory=self._value("territory"),
                product=self._value("product"),
                source=self._value("source"),
                text=text,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
