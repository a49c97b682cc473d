"""`t`: add a task to a deal, on a day the rep has room for.

Capacity warns and suggests; it never refuses. Left empty, the due field means
the first working day with room, and the line under it shows how full the typed
(or proposed) day is while the rep types. A full, past or non-working day is
warned about on the field, naming the next day with room; enter again on the
same day keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from store import clock, tasks
from store.dates import before_deal_warning, parse_day, show_day
from store.deal_detail import DealDetail, get_deal
from store.errors import InvalidInput, RuleViolation, StoreError
from store.reps import RepInfo, get_rep, list_reps
from store.tasks import DayLoad, is_working_day, load_on, next_day_with_room
from tui.failures import ReportsFailedWorkers
from tui.plain_text import plain, visible
from tui.screens.modals.form import FORM_CSS, KEEP_OPEN, FormWorkers, field_row, show_error

# Shared by the three logging forms (activity, task, note).
LOGGING_FORM_CSS = (
    """
.logging-form {
    width: 78; max-width: 100%; height: auto; max-height: 100%;
    border: round $primary; background: $surface; padding: 0 1;
}
.field-hint { color: $text-muted; height: auto; padding-left: 16; }
.field-hint.-covered { display: none; }
#form-error { color: $error; height: auto; }
"""
    + FORM_CSS
)


def show_field_error(screen, field_id: str, message: str | None) -> None:
    """``show_error``, and the field's hint line steps aside while the error says more."""
    show_error(screen, field_id, message)
    for hint in screen.query(f"#{field_id}-hint"):
        hint.set_class(bool(message), "-covered")


def sentence(message: str) -> str:
    """A store message as the first words on a field: capitalised, nothing else touched."""
    return message[:1].upper() + message[1:]


@dataclass(frozen=True)
class DueCheck:
    """What a due field's text means right now, for the rep who will own the task."""

    day: pendulum.Date
    load: DayLoad
    proposed: bool  # the field was empty: ``day`` is the first working day with room
    problem: str | None = None  # "Thu 19 Nov is full", … when the day is a poor pick
    next_free: DayLoad | None = None  # the day to suggest instead

    @property
    def hint(self) -> str:
        if self.proposed:
            return f"Empty: {show_day(self.day)}, first day with room ({self.load.label})"
        if self.problem:
            return f"{self.problem} ({self.load.label})"
        return f"{show_day(self.day)} ({self.load.label})"

    @property
    def warning(self) -> str | None:
        """The message on the field when the rep saves onto a poor day."""
        if not self.problem:
            return None
        instead = (
            f" Next day with room: {show_day(self.next_free.day)} ({self.next_free.label})."
            if self.next_free
            else ""
        )
        return f"{self.problem} ({self.load.label}).{instead} Enter again to keep {show_day(self.day)}."


def check_due(session, rep: RepInfo, text: str, deal_created: date | None = None) -> DueCheck:
    """Read a due field; raises ``InvalidInput`` for text that is not a day."""
    today = clock.today_in(rep.timezone)
    if not text.strip():
        load = next_day_with_room(session, rep)
        return DueCheck(load.day, load, proposed=True)
    day = parse_day(text, today)
    load = load_on(session, rep, day)
    before_deal = deal_created and before_deal_warning(day, deal_created, today)
    if before_deal:
        problem = before_deal
    elif day < today:
        problem = f"{show_day(day)} has passed"
    elif not is_working_day(rep, day):
        problem = f"{show_day(day)} is not one of your working days"
    elif not load.has_room:
        problem = f"{show_day(day)} is full"
    else:
        return DueCheck(day, load, proposed=False)
    try:
        free = next_day_with_room(session, rep, max(day, today))
    except RuleViolation:
        free = None
    return DueCheck(day, load, proposed=False, problem=problem, next_free=free)


class DueHint(ReportsFailedWorkers, Static):
    """The line under a due field: which day it means and how full that day is.

    The screen calls ``check`` as the rep types; the load is read in a thread
    worker so typing never waits on the database.
    """

    @dataclass
    class Checked(Message):
        text: str
        line: str

    def __init__(self, database, rep: RepInfo, *, id: str) -> None:
        super().__init__("", id=id, classes="field-hint", markup=False)
        self.database = database
        self.rep = rep
        self._text: str | None = None

    def check(self, text: str) -> None:
        self._text = text
        self._read_load(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="due-hint")
    def _read_load(self, text: str) -> None:
        try:
            with self.database.session() as session:
                line = check_due(session, self.rep, text).hint
        except InvalidInput:
            line = 'Not a day yet: "fri", "+3d", "next week", 2026-12-01…'
        except StoreError as exc:
            line = str(exc)
        self.post_message(self.Checked(text, line))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        message.stop()
        if message.text == self._text:  # an answer for text the rep has since changed is stale
            self.update(message.line)


class DueField:
    """Reads a due field at save time, remembering a warned day so enter again keeps it."""

    def __init__(self, field_id: str) -> None:
        self.field_id = field_id
        self._warned: date | None = None

    def forget(self) -> None:
        """The rep edited the field: a day warned about before must be insisted on afresh."""
        self._warned = None

    def read(self, screen, session, rep: RepInfo, deal_created: date | None = None) -> DueCheck | None:
        """The day to save on, or None after showing why not on the field."""
        text = screen.query_one(f"#{self.field_id}", Input).value
        return self.accept(screen, self.check(session, rep, text, deal_created))

    @staticmethod
    def check(session, rep: RepInfo, text: str, deal_created: date | None = None) -> DueCheck | str:
        """What ``text`` means, or the message for the field; no widgets (a worker calls it)."""
        try:
            return check_due(session, rep, text, deal_created)
        except InvalidInput as exc:
            return sentence(str(exc))
        except RuleViolation as exc:
            return str(exc)

    def accept(self, screen, due: DueCheck | str) -> DueCheck | None:
        """``check``'s answer, on the screen: the day to save on, or None after saying why not."""
        if isinstance(due, str):
            show_field_error(screen, self.field_id, due)
            return None
        if due.warning and self._warned != due.day:
            self._warned = due.day
            show_field_error(screen, self.field_id, due.warning)
            return None
        return due

    def would_accept(self, due: DueCheck | str) -> bool:
        """``accept`` would let the save go ahead (a worker asks before writing)."""
        return not isinstance(due, str) and (not due.warning or self._warned == due.day)


class AddTaskScreen(FormWorkers, ModalScreen[str | None]):
    """Dismisses with a one-line message saying what was added, or ``None`` when cancelled.

    The caller shows the message (it quotes the deal's title: ``markup=False``).
    """

    HELP_TITLE = "Add a task"
    DEFAULT_CSS = "AddTaskScreen { align: center middle; }" + LOGGING_FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="task-cancel"),
        Binding("ctrl+s", "save", "Save", id="task-save"),
    ]

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.deal: DealDetail | None = None
        self.due = DueField("due")
        self.reps: dict[int, RepInfo] = {}  # who may own it, once read (a worker)

    @property
    def owner(self) -> RepInfo | None:
        """Who will own the task: the rep chosen, else (until the reps are read) None."""
        chosen = self.query_one("#owner", Select).value
        return self.reps.get(chosen) if isinstance(chosen, int) else None

    def compose(self) -> ComposeResult:
        with Vertical(classes="logging-form"):
            yield Static("Task", id="form-title", classes="form-title", markup=False)
            yield Static("enter saves · escape cancels · tab next field", classes="form-hint")
            yield from field_row("Title", Input(placeholder="send the pricing sheet", id="title"))
            yield from field_row("Due", Input(placeholder="empty = first day with room", id="due"))
            yield DueHint(self.app.database, self.app.rep, id="due-hint")
            # The deal's owner and the other reps arrive with the deal (a worker).
            yield from field_row("Owner", Select([], prompt="the deal's owner", id="owner"))
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self.query_one(DueHint).check("")
        self.load_deal()
        self._load_reps()

    def deal_loaded(self, deal: DealDetail) -> None:
        self.query_one("#form-title", Static).update(visible(f"Task on “{deal.title}”"))
        self._offer_owners()

    @work(thread=True, group="form-load", exit_on_error=False)
    def _load_reps(self) -> None:
        with self.app.database.session() as session:
            reps = list_reps(session)
        self.app.call_from_thread(self._reps_loaded, reps)

    def _reps_loaded(self, reps: list[RepInfo]) -> None:
        self.reps = {r.id: r for r in reps}
        self.reps.setdefault(self.app.rep.id, self.app.rep)
        self._offer_owners()

    def _offer_owners(self) -> None:
        if not self.reps or self.deal is None:
            return
        # A manager adding a next step on Diego's deal means Diego's task, on Diego's days.
        owner_id = self.deal.owner_id if self.deal.owner_id in self.reps else self.app.rep.id
        select = self.query_one("#owner", Select)
        select.set_options([(plain(r.name), r.id) for r in self.reps.values()])
        select.value = owner_id

    @on(Select.Changed, "#owner")
    def _owner_changed(self) -> None:
        owner = self.owner
        if owner is None:
            return
        # The due day's room is the owner's: check it again for the rep now chosen.
        self.due.forget()
        hint = self.query_one(DueHint)
        hint.rep = owner
        hint.check(self.query_one("#due", Input).value)

    @on(Input.Changed, "#due")
    def _due_changed(self, event: Input.Changed) -> None:
        show_field_error(self, "due", None)
        self.due.forget()
        self.query_one(DueHint).check(event.value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        for id_ in ("title", "due"):
            show_field_error(self, id_, None)
        title = " ".join(self.query_one("#title", Input).value.split())
        ok = True
        if not title:
            show_field_error(self, "title", "A task needs a title")
            ok = False
        elif len(title) > tasks.MAX_TITLE:
            show_field_error(self, "title", f"The title is {len(title)} characters; keep it under {tasks.MAX_TITLE}")
            ok = False
        rep, deal_id, text, due_field = self.app.rep, self.deal_id, self.query_one("#due", Input).value, self.due
        chosen = self.owner

        def add(session):
            # Saved before the owners arrived: the deal's owner, as the form would have offered.
            deal = get_deal(session, deal_id)
            owner = chosen or get_rep(session, deal.owner_id)
            created = deal.created_at.in_timezone(rep.timezone).date()
            due = due_field.check(session, owner, text, created)
            if not ok or not due_field.would_accept(due):
                return due, None, owner
            return due, tasks.add_task(session, deal_id, title, due.day, by=rep.id, owner_id=owner.id), owner

        def outcome(result):
            due, task, owner = result
            if task is None:
                due_field.accept(self, due)  # says what is wrong with the day, if anything
                return KEEP_OPEN
            whose = "" if owner.id == rep.id else f" for {owner.name}"
            return f"Task “{task.title}”{whose} due {show_day(task.due)} on “{self.deal_title}”"

        self.save_in_worker(add, outcome)

    def action_cancel(self) -> None:
        self.dismiss(None)
