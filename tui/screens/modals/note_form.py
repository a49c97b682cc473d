"""`n`: write a note — a short summary of an outcome — on a deal.

A note is what happened; a plan is a task. A note whose first line reads like a
plan ("will call Tuesday") is not saved straight away: one key turns it into a
task on the rep's next day with room, another saves it as a note anyway.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from store import tasks
from store.deal_detail import DealDetail
from store.notes import MAX_SUMMARY, add_note, looks_like_plan, summary_of
from store.tasks import DayLoad, next_day_with_room
from tui.plain_text import visible
from tui.failures import reason
from tui.screens.modals.form import FormWorkers, show_error
from tui.screens.modals.task_form import LOGGING_FORM_CSS, show_day

PLAN_OFFER = "This reads like a plan: t = make it a task, enter = save as a note anyway"


class PlanOffer(Static, can_focus=True):
    """The one-key offer; focusable so that its keys reach the screen, not the text."""


class AddNoteScreen(FormWorkers, ModalScreen[str | None]):
    """Dismisses with a one-line message saying what was saved, or ``None`` when cancelled.

    The caller shows the message (it quotes the deal's title: ``markup=False``).
    """

    HELP_TITLE = "Add a note"
    DEFAULT_CSS = (
        """
    AddNoteScreen { align: center middle; }
    AddNoteScreen #body { height: 8; border: none; padding: 0 1; background: $boost; }
    AddNoteScreen #body:focus { background: $primary 15%; }
    AddNoteScreen #body-error { padding-left: 0; }
    AddNoteScreen PlanOffer { height: auto; margin-top: 1; color: $warning; text-style: bold; }
    AddNoteScreen PlanOffer:focus { background: $warning 15%; }
    AddNoteScreen #plan-detail { color: $text-muted; height: auto; }
    AddNoteScreen .-hidden { display: none; }
    """
        + LOGGING_FORM_CSS
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="note-cancel"),
        Binding("ctrl+s", "save", "Save", id="note-save"),
        Binding("t", "make_task", "Make it a task", id="note-make-task"),
        Binding("enter", "save_note", "Save as a note", id="note-save-anyway"),
    ]

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.deal: DealDetail | None = None
        self.offering = False  # the plan offer is showing and waits for t or enter

    def compose(self) -> ComposeResult:
        with Vertical(classes="logging-form"):
            yield Static("Note", id="form-title", classes="form-title", markup=False)
            yield Static(
                "The first line is the summary the timeline shows; the rest is detail.\n"
                "ctrl+s saves · escape cancels",
                classes="form-hint",
            )
            yield TextArea(id="body")
            yield Static("", id="body-error", classes="field-error -empty", markup=False)
            yield PlanOffer(PLAN_OFFER, id="plan-offer", classes="-hidden", markup=False)
            yield Static("", id="plan-detail", classes="-hidden", markup=False)
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#body", TextArea).focus()
        self.load_deal()

    def deal_loaded(self, deal: DealDetail) -> None:
        self.query_one("#form-title", Static).update(visible(f"Note on “{deal.title}”"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # t and enter belong to the text while writing; they answer the offer only while it shows.
        if action in ("make_task", "save_note"):
            return self.offering
        return True

    @property
    def body(self) -> str:
        return self.query_one("#body", TextArea).text.strip()

    def _offer(self, show: bool, detail: str = "") -> None:
        self.offering = show
        offer = self.query_one(PlanOffer)
        offer.set_class(not show, "-hidden")
        plan_detail = self.query_one("#plan-detail", Static)
        plan_detail.update(visible(detail))
        plan_detail.set_class(not show, "-hidden")
        body = self.query_one("#body", TextArea)
        body.read_only = show
        (offer if show else body).focus()
        self.refresh_bindings()

    def _suggested_day(self, session) -> DayLoad:
        return next_day_with_room(session, self.app.rep)

    def action_save(self) -> None:
        if self.offering:
            self.action_save_note()
            return
        show_error(self, "body", None)
        body = self.body
        if not body:
            show_error(self, "body", "The note is empty: write what happened")
            return
        summary = summary_of(body)
        if len(summary) > MAX_SUMMARY:
            show_error(
                self,
                "body",
                f"The first line is {len(summary)} characters; keep the summary under {MAX_SUMMARY} "
                "and put the detail on the lines below",
            )
            return
        if looks_like_plan(body):
            try:
                with self.app.database.session() as session:
                    day = self._suggested_day(session)
            except Exception as exc:  # noqa: BLE001 - only a suggestion: say why there is none
                detail = f"No day to suggest: {reason(exc)} · escape edits"
            else:
                detail = f"Task from the first line, due {show_day(day.day)} ({day.label}) · escape edits"
            self._offer(True, detail)
            return
        self.action_save_note()

    def action_save_note(self) -> None:
        deal_id, body, rep_id = self.deal_id, self.body, self.app.rep.id
        self.save_in_worker(
            lambda session: add_note(session, deal_id, body, by=rep_id),
            lambda note: f"Note “{note.summary}” on “{self.deal_title}”",
        )

    def action_make_task(self) -> None:
        deal_id, title, rep = self.deal_id, summary_of(self.body), self.app.rep

        def make_task(session):
            day = self._suggested_day(session)
            return tasks.add_task(session, deal_id, title, day.day, by=rep.id)

        self.save_in_worker(make_task, lambda task: f"Task “{task.title}” due {show_day(task.due)} on “{self.deal_title}”")

    def save_refused(self, message: str) -> None:
        self._offer(False)
        super().save_refused(message)

    def worker_failed(self, worker) -> None:
        if worker.group == "form-save":
            self._offer(False)  # back to the text, which is still there
        super().worker_failed(worker)

    def action_cancel(self) -> None:
        if self.offering:
            self._offer(False)  # back to writing; nothing was saved
            return
        self.dismiss(None)
