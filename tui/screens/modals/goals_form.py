"""`g` on the numbers screen (managers): one rep's goals for a kind of period.

A field per figure of the numbers table; empty means no goal. Money goals take
what the deal form takes ("400k", "$12,500"). Enter saves every field at once;
escape cancels with nothing saved.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from store import goals
from store.errors import InvalidInput
from store.goals import METRICS, Metric
from store.money import amount_text, parse_money
from tui.plain_text import visible
from tui.screens.modals.form import FORM_CSS, FormWorkers, field_row, show_error
from tui.screens.modals.frame import modal_frame_css

FORM_LABEL_WIDTH = 26


def field_id(metric: Metric) -> str:
    return "goal-" + metric.key.replace(":", "-").replace("_", "-")


class GoalsFormScreen(FormWorkers, ModalScreen[str | None]):
    """Dismisses with a one-line message saying what was saved, or ``None`` when cancelled."""

    HELP_TITLE = "Goals"
    DEFAULT_CSS = (
        modal_frame_css("GoalsFormScreen", 64)
        + """
    GoalsFormScreen VerticalScroll { height: auto; max-height: 1fr; }
    GoalsFormScreen .form-row Label { width: 26; }
    GoalsFormScreen .field-error { padding-left: 26; }
    GoalsFormScreen #form-error { color: $error; height: auto; }
    """
        + FORM_CSS
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="goals-cancel"),
        Binding("ctrl+s", "save", "Save", id="goals-save"),
    ]

    def __init__(self, rep_id: int, rep_name: str, period_kind: str, current: dict[str, int], currency: str) -> None:
        """``current``: the rep's goals now (``goals.rep_goals``), read by the caller's worker."""
        super().__init__()
        self.currency = currency
        self.rep_id = rep_id
        self.rep_name = rep_name
        self.period_kind = period_kind
        self.current = current

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical():
            yield Static(visible(f"Goals per {self.period_kind} for {self.rep_name}"), classes="form-title", markup=False)
            yield Static(
                "empty = no goal · enter saves · escape cancels",
                classes="form-hint",
            )
            with VerticalScroll():
                for metric in METRICS:
                    value = current.get(metric.key)
                    shown = "" if value is None else (amount_text(value) if metric.money else str(value))
                    placeholder = f"e.g. 400k ({self.currency})" if metric.money else "e.g. 25"
                    yield from field_row(metric.label, Input(shown, placeholder=placeholder, id=field_id(metric)))
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def _read(self) -> dict[str, int | None] | None:
        """Every field as a target (None for empty), or None after showing what is wrong."""
        targets: dict[str, int | None] = {}
        ok = True
        for metric in METRICS:
            id_ = field_id(metric)
            raw = self.query_one(f"#{id_}", Input).value.strip()
            show_error(self, id_, None)
            if not raw:
                targets[metric.key] = None
                continue
            try:
                if metric.money:
                    target = parse_money(raw, self.currency)
                else:
                    cleaned = raw.replace(",", "").replace("_", "")
                    if not cleaned.isdigit():
                        raise InvalidInput(f"{raw!r} is not a whole number")
                    target = int(cleaned)
            except InvalidInput as exc:
                show_error(self, id_, str(exc)[:1].upper() + str(exc)[1:])
                ok = False
                continue
            targets[metric.key] = target
        return targets if ok else None

    def action_save(self) -> None:
        targets = self._read()
        if targets is None:
            return
        rep_id, period_kind, rep_name, me = self.rep_id, self.period_kind, self.rep_name, self.app.rep.id

        def outcome(saved) -> str:
            if saved:
                return f"{len(saved)} goal{'s' if len(saved) != 1 else ''} per {period_kind} for {rep_name}"
            return f"No goals per {period_kind} for {rep_name}"

        self.save_in_worker(lambda session: goals.set_goals(session, rep_id, period_kind, targets, by=me), outcome)

    def action_cancel(self) -> None:
        self.dismiss(None)
