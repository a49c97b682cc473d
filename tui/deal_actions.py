"""The actions every deal-focused screen offers: move, convert, win, lose,
undo, edit, and the activity / task / note forms.

Boards, the deal screen and the stand-up mix ``DealActions`` in and say which
deal the keys act on (``acted_on``) and what to do after a write
(``deal_written``). Each write is one store call in a thread worker stating the
version the screen read; the worker posts a ``DealWritten`` message, never
touching widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual import work
from textual.binding import Binding
from textual.message import Message

from store import changes, deals
from store.errors import Conflict, Forbidden, StoreError
from store.money import database_currency, format_money
from store.stages import lost_reasons
from store.terms import LEAD
from tui.failures import ReportsFailedWorkers, reason


# The deal actions' keys, by binding id: the same id on the boards, the deal screen and
# the stand-up, so one ``[keymap]`` line remaps the action everywhere it is offered.
# id: (keys, action, footer label, what it does, shown in the footer unless hidden)
DEAL_ACTION_KEYS: dict[str, tuple[str, str, str, str, bool]] = {
    "move-forward": ("L,greater_than_sign", "move(1)", "Stage →", "Move the deal one stage forward", True),
    "move-back": ("H,less_than_sign", "move(-1)", "← Stage", "Move the deal one stage back", True),
    "log-activity": ("a", "log_activity", "Activity", "Log an activity (call, email, meeting…)", True),
    "add-task": ("t", "add_task", "Task", "Add a task (next step) to the deal", True),
    "add-note": ("n", "add_note", "Note", "Add a note (an outcome summary)", False),
    "edit-deal": ("e", "edit_deal", "Edit", "Edit the deal", False),
    "convert-lead": ("c", "convert", "Convert", "Convert the lead into an opportunity", True),
    "mark-won": ("w", "won", "Won", "Mark the deal won", True),
    "mark-lost": ("x", "lost", "Lost", "Mark the deal lost / disqualify the lead, with a reason", True),
    "undo": ("u", "undo", "Undo", "Undo your last change to the deal", False),
}
# The ids each screen had before there was one per action: a config naming them still works.
OLD_DEAL_ACTION_IDS: dict[str, str] = {
    **{f"{screen}-{binding_id}": binding_id for screen in ("deal", "standup") for binding_id in DEAL_ACTION_KEYS
       if binding_id not in ("edit-deal", "undo")},
    "deal-edit": "edit-deal", "standup-edit": "edit-deal",
    "deal-undo": "undo", "standup-undo": "undo",
    "deal-disqualify": "mark-lost", "standup-disqualify": "mark-lost",
}


def deal_action_bindings(*ids: str, hide: frozenset[str] | set[str] = frozenset(),
                         disqualify: bool = False) -> list[Binding]:
    """The bindings of the deal actions ``ids``, in that order. ``hide`` keeps some out of
    the footer; ``disqualify`` adds, under the same id and key as ``mark-lost``, a
    "Disqualify" binding for a screen whose ``check_action`` offers one or the other."""
    bindings = []
    for binding_id in ids:
        keys, action, label, tooltip, show = DEAL_ACTION_KEYS[binding_id]
        bindings.append(Binding(keys, action, label, show=show and binding_id not in hide, tooltip=tooltip,
                                id=binding_id))
        if binding_id == "mark-lost" and disqualify:
            bindings.append(Binding(keys, "disqualify", "Disqualify", show=show and binding_id not in hide,
                                    tooltip="Disqualify the lead, with a reason", id=binding_id))
    return bindings


@dataclass(frozen=True)
class DealRef:
    """The deal a key acts on, as the screen last read it."""

    id: int
    version: int
    title: str
    pipeline: str
    stage_id: int | None = None


@dataclass
class DealWritten(Message):
    """A write committed, or was refused (``severity`` warning / error)."""

    deal_id: int
    message: str
    severity: str = "information"
    stage_id: int | None = None  # the stage the screen showed the deal in
    # ``changes.change_token`` just before and just after a committed write, for
    # screens that set ``WATCHES_CHANGE_TOKEN``: equal "before" and last-seen tokens,
    # and ``changes.changed_only_by`` this deal between them, mean nothing but this
    # write changed since the screen last loaded (``tokens`` is None otherwise).
    tokens: tuple[tuple, tuple] | None = None
    after: object | None = None  # what the screen's ``read_after_write`` read


@dataclass
class UndoRefused(Message):
    """``u`` found nothing it may undo, or the undo failed: nothing was written."""

    message: str
    severity: str = "warning"


class DealActions(ReportsFailedWorkers):
    """Mixin for a Screen. Subclasses implement ``acted_on`` and ``deal_written``."""

    _deal_write_pending = False
    WATCHES_CHANGE_TOKEN = False

    def acted_on(self) -> DealRef | None:
        raise NotImplementedError

    def deal_written(self, deal_id: int, message: str, severity: str) -> None:
        """After a write (or a form's save): tell the rep and reload around the deal."""
        raise NotImplementedError

    def deal_actions_ready(self) -> None:
        """The screen shows fresh versions again: the next write may start."""
        self._deal_write_pending = False

    def worker_failed(self, worker) -> None:
        # A failed load or write must not leave the keys saying "still saving" for ever.
        self.deal_actions_ready()

    # --- the write pipeline ------------------------------------------------------------------

    def _target(self) -> DealRef | None:
        deal = self.acted_on()
        if deal is None:
            self.notify("No deal selected", severity="warning")
        return deal

    def _write_deal(self, deal: DealRef, describe: Callable, operation: Callable) -> None:
        # One write at a time: the next must state the version this one produces.
        if self._deal_write_pending:
            self.notify("Still saving the last change…", severity="warning", timeout=2)
            return
        self._deal_write_pending = True
        self._run_deal_write(deal, describe, operation)

    @work(thread=True, group="deal-write", exit_on_error=False)
    def _run_deal_write(self, deal: DealRef, describe: Callable, operation: Callable) -> None:
        # Every way out posts a DealWritten: the screen takes no new write until it hears.
        try:
            before = self._change_token() if self.WATCHES_CHANGE_TOKEN else None
        except Exception:  # noqa: BLE001 - without it the screen just reloads everything
            before = None
        try:
            with self.app.database.session() as session:
                result = operation(session)
        except (Conflict, Forbidden) as exc:  # not the rep's to change: one error line, nothing written
            self.post_message(DealWritten(deal.id, str(exc), "error", deal.stage_id))
            return
        except StoreError as exc:
            self.post_message(DealWritten(deal.id, str(exc), "warning", deal.stage_id))
            return
        except Exception as exc:  # noqa: BLE001 - the database went away, or a bug: say so
            self.log.error(f"deal write failed: {exc!r}")
            self.post_message(DealWritten(deal.id, f"Could not save: {reason(exc)}", "error", deal.stage_id))
            return
        try:
            tokens = self._tokens_if_only(deal.id, before) if before is not None else None
            after = self.read_after_write(deal.id, deal.stage_id, tokens)
        except Exception:  # noqa: BLE001 - committed: the screen reloads everything instead
            tokens = after = None
        self.post_message(DealWritten(deal.id, describe(result), "information", deal.stage_id, tokens, after))

    def read_after_write(self, deal_id: int, stage_id: int | None, tokens) -> object | None:
        """What the screen will show after its own committed write, read in the write's
        worker so the screen hears back once instead of twice. None: nothing read."""
        return None

    def _change_token(self) -> tuple:
        # A session of its own: the write's session must not start with a read.
        with self.app.database.session() as session:
            return changes.change_token(session)

    def _tokens_if_only(self, deal_id: int, before: tuple) -> tuple[tuple, tuple] | None:
        """(before, after) when nothing but this deal changed since ``before``."""
        with self.app.database.session() as session:
            after = changes.change_token(session)
            return (before, after) if changes.changed_only_by(session, before, after, deal_id) else None

    def on_deal_written(self, message: DealWritten) -> None:
        message.stop()
        self.deal_written(message.deal_id, message.message, message.severity)

    # --- the actions -------------------------------------------------------------------------

    def _write_target(self, describe: Callable, write: Callable) -> None:
        """One key's write on the deal it acts on: ``write(session, deal, rep_id)``."""
        deal = self._target()
        if deal:
            rep_id = self.app.rep.id
            self._write_deal(deal, describe, lambda s: write(s, deal, rep_id))

    def action_move(self, step: int) -> None:
        self._write_target(
            lambda moved: f"“{moved.title}” → {moved.stage_name}",
            lambda s, deal, by: deals.move_deal(s, deal.id, step, version=deal.version, by=by),
        )

    def action_convert(self) -> None:
        self._write_target(
            lambda converted: f"“{converted.title}” is now an opportunity in {converted.stage_name}",
            lambda s, deal, by: deals.convert_lead(s, deal.id, version=deal.version, by=by),
        )

    def action_won(self) -> None:
        self._write_target(
            lambda done: f"Won “{done[0].title}”: {format_money(done[0].value, done[1])}",
            # The currency is read in the write's own session, for the message.
            lambda s, deal, by: (deals.mark_won(s, deal.id, version=deal.version, by=by), database_currency(s)),
        )

    def action_lost(self) -> None:
        deal = self._target()
        if deal is not None:
            self._read_lost_reasons(deal)

    @work(thread=True, group="form-load", exit_on_error=False)
    def _read_lost_reasons(self, deal: DealRef) -> None:
        from store import tasks  # with the forms: not needed to start

        with self.app.database.session() as session:
            reasons = lost_reasons(session, deal.pipeline)
            open_tasks = tasks.open_task_count(session, deal.id)
        self.app.call_from_thread(self._ask_lost_reason, deal, reasons, open_tasks)

    def _ask_lost_reason(self, deal: DealRef, reasons: list[str], open_tasks: int) -> None:
        from store import tasks
        from tui.screens.modals.lost_reason import LostReasonScreen

        verb = "Disqualify" if deal.pipeline == LEAD else "Lost"

        def lose(reason: str, close_tasks: bool) -> None:
            rep_id = self.app.rep.id

            def write(s):
                lost = deals.mark_lost(s, deal.id, reason, version=deal.version, by=rep_id)
                # A second transaction: the loss stands even if closing its tasks fails.
                return lost, tasks.close_open_tasks(s, deal.id, by=rep_id) if close_tasks else []

            def describe(result) -> str:
                lost, closed = result
                done = f"; closed its {len(closed)} open task{'s' if len(closed) != 1 else ''}" if closed else ""
                return f"{verb}: “{lost.title}” ({reason}){done}"

            self._write_deal(deal, describe, write)

        def chosen(reason: str | None) -> None:
            if not reason:
                return
            if not open_tasks:
                lose(reason, False)
                return
            from tui.screens.modals.confirm import ConfirmScreen

            # Left open, a closed deal's tasks stay in Today and count against capacity.
            question = f"Close its {open_tasks} open task{'s' if open_tasks != 1 else ''} too?"
            self.app.push_screen(
                ConfirmScreen(question, f"{verb}: “{deal.title}”. Closed, its tasks leave Today and free the days "
                              "they were due.", "y closes them · n keeps them · escape cancels"),
                lambda answer: None if answer is None else lose(reason, answer),
            )

        self.app.push_screen(LostReasonScreen(deal.title, reasons, verb), chosen)

    def action_reopen(self) -> None:
        """`o`: a closed deal goes back to an open stage, the one it closed from unless
        the rep picks another."""
        deal = self._target()
        if deal is None:
            return
        from store import closed
        from tui.screens.modals.reopen_stage import ReopenStageScreen

        with self.app.database.session() as session:
            detail = deals.get_deal(session, deal.id)
            if detail.is_open:  # someone reopened it meanwhile: show it as it is now
                self.deal_written(deal.id, f"“{detail.title}” is open already, in {detail.stage_name}", "warning")
                return
            choice = closed.reopen_choice(session, deal.id)

        def chosen(stage_id: int | None) -> None:
            if stage_id is not None:
                rep_id = self.app.rep.id
                self._write_deal(
                    deal,
                    lambda reopened: f"Reopened “{reopened.title}” in {reopened.stage_name}",
                    lambda s: deals.reopen(s, deal.id, version=deal.version, by=rep_id, stage_id=stage_id),
                )

        self.app.push_screen(ReopenStageScreen(deal.title, choice), chosen)

    def action_disqualify(self) -> None:
        self.action_lost()

    def action_undo(self) -> None:
        """``u``: the rep's own last change since they opened Legwork, whichever deal it
        was on and wherever the cursor is now (a won card has left the board)."""
        if self._deal_write_pending:
            self.notify("Still saving the last change…", severity="warning", timeout=2)
            return
        self._deal_write_pending = True
        self._run_undo(self.app.rep.id, self.app.undo_since)

    @work(thread=True, group="deal-write", exit_on_error=False)
    def _run_undo(self, rep_id: int, since: int) -> None:
        from store import undo  # with the activity and task modules: not needed to start

        try:
            with self.app.database.session() as session:
                undone = undo.undo_latest(session, by=rep_id, since=since)
        except Forbidden as exc:
            self.post_message(UndoRefused(str(exc), "error"))
            return
        except StoreError as exc:
            self.post_message(UndoRefused(str(exc), "warning"))
            return
        except Exception as exc:  # noqa: BLE001 - the database went away, or a bug: say so
            self.log.error(f"undo failed: {exc!r}")
            self.post_message(UndoRefused(f"Could not undo: {reason(exc)}", "error"))
            return
        self.post_message(DealWritten(undone.deal.id, undone.description))

    def on_undo_refused(self, message: UndoRefused) -> None:
        message.stop()
        self.notify(message.message, severity=message.severity, markup=False)
        self.deal_actions_ready()  # nothing was written: the screen's versions still hold

    def action_edit_deal(self) -> None:
        deal = self._target()
        if deal is not None:
            self._read_deal_to_edit(deal.id)

    @work(thread=True, group="form-load", exit_on_error=False)
    def _read_deal_to_edit(self, deal_id: int) -> None:
        with self.app.database.session() as session:
            detail = deals.get_deal(session, deal_id)
        self.app.call_from_thread(self._edit, detail)

    def _edit(self, detail) -> None:
        from tui.screens.modals.deal_form import DealFormScreen

        self.app.push_screen(DealFormScreen(detail.pipeline, detail), lambda saved: self._form_closed(detail.id, saved))

    def _open_form(self, form_class) -> None:
        deal = self._target()
        if deal:
            self.app.push_screen(form_class(deal.id), lambda saved: self._form_closed(deal.id, saved))

    def _form_closed(self, deal_id: int, saved: str | int | None) -> None:
        """A form saved (its message, or the deal form's deal id) or was cancelled (None)."""
        if saved is not None:
            self.deal_written(deal_id, saved if isinstance(saved, str) else "", "information")

    def action_log_activity(self) -> None:
        from tui.screens.modals.activity_form import LogActivityScreen

        self._open_form(LogActivityScreen)

    def action_add_task(self) -> None:
        from tui.screens.modals.task_form import AddTaskScreen

        self._open_form(AddTaskScreen)

    def action_add_note(self) -> None:
        from tui.screens.modals.note_form import AddNoteScreen

        self._open_form(AddNoteScreen)
