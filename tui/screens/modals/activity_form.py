"""`a`: log what happened on a deal — a call, an email, a meeting… — and,
optionally, the follow-up task that comes out of it.

Every field is checked before anything is written, and the activity and its
follow-up are one store call, one transaction: saved together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from store import activities, clock, tasks
from store.activities import DEFAULT_MILESTONE, FUTURE_SLACK, MAX_OUTCOME
from store.dates import before_deal_warning, parse_moment
from store.deal_detail import DealDetail, get_deal
from store.errors import InvalidInput
from store.terms import ACTIVITY_TYPES, MILESTONES
from tui.plain_text import visible
from tui.screens.modals.form import KEEP_OPEN, FormWorkers, field_row
from tui.screens.modals.task_form import (
    LOGGING_FORM_CSS,
    DueField,
    DueHint,
    sentence,
    show_day,
    show_field_error,
)

NO_MILESTONE = "none"


@dataclass(frozen=True)
class ActivityEntry:
    """What the rep entered, checked and ready to save."""

    type: str
    milestone: str | None
    occurred_at: pendulum.DateTime
    outcome: str
    follow_up: str  # "" for no follow-up task
    due: date | None


class FormSelect(Select[str]):
    """A Select that behaves like the form's other fields: enter saves the form.

    Space and the arrow keys open the list.
    """

    BINDINGS = [Binding("enter", "submit", "Save", show=False)]

    class Submitted(Message):
        pass

    def action_submit(self) -> None:
        self.post_message(self.Submitted())


def _what(type_: str) -> str:
    """``a call``, ``an email``, ``an activity`` (for "other")."""
    if type_ == "other":
        return "an activity"
    return f"{'an' if type_[0] in 'aeiou' else 'a'} {type_}"


class LogActivityScreen(FormWorkers, ModalScreen[str | None]):
    """Dismisses with a one-line message saying what was logged, or ``None`` when cancelled.

    The caller shows the message (it quotes the deal's title: ``markup=False``).
    """

    HELP_TITLE = "Log an activity"
    DEFAULT_CSS = "LogActivityScreen { align: center middle; }" + LOGGING_FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="activity-cancel"),
        Binding("ctrl+s", "save", "Save", id="activity-save"),
    ]

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.deal: DealDetail | None = None
        self.follow_up_due = DueField("follow-up-due")
        self._warned_when = None  # a moment before the deal existed, already warned about

    def compose(self) -> ComposeResult:
        milestones = [(m, m) for m in MILESTONES] + [("none", NO_MILESTONE)]
        with Vertical(classes="logging-form"):
            yield Static("Log an activity", id="form-title", classes="form-title", markup=False)
            yield Static("enter saves · escape cancels · tab next field · space opens a list", classes="form-hint")
            yield from field_row(
                "Type", FormSelect([(t, t) for t in ACTIVITY_TYPES], value="call", allow_blank=False, id="type")
            )
            yield from field_row(
                "Milestone",
                FormSelect(milestones, value=DEFAULT_MILESTONE or NO_MILESTONE, allow_blank=False, id="milestone"),
            )
            yield Static("Pick one only if this activity reached it", id="milestone-hint", classes="field-hint",
                         markup=False)
            yield from field_row(
                "When", Input(placeholder="now · today 9:30 · yesterday 15:00 · mon 10:00", id="when")
            )
            yield Static("", id="when-hint", classes="field-hint", markup=False)
            yield from field_row("Outcome", Input(placeholder="what came of it, in one line", id="outcome"))
            yield from field_row("Follow-up task", Input(placeholder="optional: what to do next", id="follow-up"))
            yield from field_row("Due", Input(placeholder="empty = first day with room", id="follow-up-due"))
            yield DueHint(self.app.database, self.app.rep, id="follow-up-due-hint")
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#type", FormSelect).focus()
        self._show_when("")
        self.query_one(DueHint).check("")
        self.load_deal()

    def deal_loaded(self, deal: DealDetail) -> None:
        self.query_one("#form-title", Static).update(visible(f"Log an activity on “{deal.title}”"))
        self.query_one("#milestone-hint", Static).update(
            f"Pick one only if this activity reached it (so far: {deal.milestone or 'none yet'})"
        )

    # --- live hints ------------------------------------------------------------------------

    def _show_when(self, text: str) -> None:
        tz = self.app.rep.timezone
        try:
            moment = parse_moment(text, clock.now(), tz)
        except InvalidInput:
            line = 'Not a moment yet: "yesterday 15:00", "mon 10:00", "today 9:30"…'
        else:
            local = moment.in_timezone(tz)
            shown = f"{show_day(local.date())} {local:%H:%M}"
            line = f"Now ({shown})" if not text.strip() else shown
        self.query_one("#when-hint", Static).update(line)

    @on(Input.Changed, "#when")
    def _when_changed(self, event: Input.Changed) -> None:
        show_field_error(self, "when", None)
        self._show_when(event.value)

    @on(Input.Changed, "#follow-up-due")
    def _due_changed(self, event: Input.Changed) -> None:
        show_field_error(self, "follow-up-due", None)
        self.follow_up_due.forget()
        self.query_one(DueHint).check(event.value)

    # --- saving ----------------------------------------------------------------------------

    @on(Input.Submitted)
    @on(FormSelect.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def _text(self, id_: str) -> str:
        return " ".join(self.query_one(f"#{id_}", Input).value.split())

    def _read(self) -> tuple[ActivityEntry | None, str]:
        """The form's values (None after marking every bad field) and the follow-up's
        due text, which a worker checks against the database."""
        for id_ in ("when", "outcome", "follow-up", "follow-up-due"):
            show_field_error(self, id_, None)
        rep = self.app.rep
        ok = True
        milestone = self.query_one("#milestone", FormSelect).value
        now = clock.now()
        when = now
        try:
            when = parse_moment(self.query_one("#when", Input).value, now, rep.timezone)
        except InvalidInput as exc:
            show_field_error(self, "when", sentence(str(exc)))
            ok = False
        if when > now + FUTURE_SLACK:
            show_field_error(self, "when", "That is in the future: an activity is what happened; plan a follow-up")
            ok = False
        elif ok and self.deal is not None:
            created = self.deal.created_at.in_timezone(rep.timezone).date()
            warning = before_deal_warning(when.in_timezone(rep.timezone).date(), created)
            # A warning, not a refusal: history can be back-filled; enter again on the same moment logs it.
            if warning and self._warned_when != when:
                self._warned_when = when
                show_field_error(self, "when", f"{warning}. Enter again to log it anyway.")
                ok = False
        outcome = self._text("outcome")
        if len(outcome) > MAX_OUTCOME:
            show_field_error(self, "outcome", f"That is {len(outcome)} characters; keep it under {MAX_OUTCOME}")
            ok = False
        follow_up = self._text("follow-up")
        if len(follow_up) > tasks.MAX_TITLE:
            show_field_error(self, "follow-up", f"That is {len(follow_up)} characters; keep it under {tasks.MAX_TITLE}")
            ok = False
        elif not follow_up and self._text("follow-up-due"):
            show_field_error(self, "follow-up", "Say what to do on that day, or clear the due day")
            ok = False
        entry = ActivityEntry(
            type=self.query_one("#type", FormSelect).value,
            milestone=None if milestone == NO_MILESTONE else milestone,
            occurred_at=when,
            outcome=outcome,
            follow_up=follow_up,
            due=None,
        )
        return (entry if ok else None), self.query_one("#follow-up-due", Input).value

    def action_save(self) -> None:
        entry, due_text = self._read()
        rep, deal_id, due_field = self.app.rep, self.deal_id, self.follow_up_due
        follow_up = self._text("follow-up")
        wants_due = bool(follow_up) and len(follow_up) <= tasks.MAX_TITLE

        def log(session):
            # The follow-up's day is checked even when another field is wrong: every error at once.
            created = get_deal(session, deal_id).created_at.in_timezone(rep.timezone).date()
            due = due_field.check(session, rep, due_text, created) if wants_due else None
            if entry is None or (wants_due and not due_field.would_accept(due)):
                return due, None
            activity = activities.log_activity(
                session,
                deal_id,
                entry.type,
                by=rep.id,
                occurred_at=entry.occurred_at,
                milestone=entry.milestone,
                outcome=entry.outcome,
                follow_up=(entry.follow_up, due.day) if entry.follow_up else None,
            )
            return due, activity

        def outcome(result):
            due, activity = result
            if activity is None:
                if due is not None:
                    due_field.accept(self, due)  # says what is wrong with the day, if anything
                return KEEP_OPEN
            message = f"Logged {_what(activity.type)} on “{self.deal_title}”"
            if activity.follow_up:
                message += f"; follow-up due {show_day(activity.follow_up.due)}"
            return message

        self.save_in_worker(log, outcome)

    def action_cancel(self) -> None:
        self.dismiss(None)
