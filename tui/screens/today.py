"""Today (key 3): the rep's task queue, worked from the top until it is empty.

Overdue, today and coming up, with today's capacity meter and the week strip
above. Loading and every write run in thread workers that post plain data back;
after a write the queue reloads and the cursor moves on to the next task, the
way a queue is worked. Managers can look at any rep's queue (``r``). The layout,
loading and live refresh are ``tui/screens/today_live.py``; this module is the
keys that work the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from textual import on, work
from textual.binding import Binding
from textual.message import Message

from store import activities, tasks
from store.balance import BalancePlan, apply_balance, balance_plan, move_task, snooze
from store.dates import show_day
from store.errors import Conflict, Forbidden, StoreError
from store.reps import RepInfo, get_rep
from store.today import QueueTask, guess_activity_type
from tui.screens.today_live import LiveQueueScreen
from tui.widgets.queue_rows import DAY
from tui.widgets.task_queue import TaskQueue


class TodayScreen(LiveQueueScreen):
    HELP_TITLE = "Today"
    HELP_GROUP = "Today"
    BINDINGS = [
        Binding("space", "complete", "Done", id="today-done"),
        Binding("s", "snooze", "Snooze", id="today-snooze"),
        Binding("d", "set_due", "Due day", id="today-set-due"),
        Binding("B", "balance", "Balance", id="today-balance"),
        Binding("enter", "open", "Open deal", id="today-open-deal"),
        Binding("a", "log_activity", "Log activity on the deal", show=False, id="today-log-activity"),
        Binding("t", "add_task", "Add a task to the deal", show=False, id="today-add-task"),
        Binding("n", "add_note", "Add a note to the deal", show=False, id="today-add-note"),
        Binding("u", "undo", "Undo your last change", show=False, id="today-undo"),
        Binding("r", "pick_rep", "Rep", id="today-pick-rep"),
        Binding("escape", "my_queue", "Back to my queue", show=False, id="today-my-queue"),
        Binding("c", "workweek", "Working days and capacity", show=False, id="today-workweek"),
    ]

    @dataclass
    class WriteDone(Message):
        """A write committed (or was refused): say so, then reload around ``focus_task``."""

        message: str
        severity: str = "information"
        focus_task: int | None = None
        then: Callable[[], None] | None = None  # what follows a write that went through

    @dataclass
    class PlanReady(Message):
        plan: BalancePlan

    # --- the selected task -----------------------------------------------------------------

    def _selected(self) -> QueueTask | None:
        return self.query_one(TaskQueue).selected

    def _need_task(self) -> QueueTask | None:
        task = self._selected()
        if task is None:
            row = self.query_one(TaskQueue).selected_row
            hint = (
                "Open the day with enter, then pick a task"
                if row is not None and row.kind == DAY
                else "No task selected"
            )
            self.notify(hint, severity="warning", timeout=3)
        return task

    def _task_or_toggle_day(self) -> QueueTask | None:
        """The selected task for space and enter; on a coming-up day they open or close it."""
        queue_view = self.query_one(TaskQueue)
        row = queue_view.selected_row
        if row is not None and row.kind == DAY:
            queue_view.toggle_day()
            return None
        return self._need_task()

    def _next_after(self, task: QueueTask) -> int | None:
        return self.query_one(TaskQueue).task_after(task.id)

    # --- writes ----------------------------------------------------------------------------

    @work(thread=True, group="today-write", exit_on_error=False)
    def _write(self, operation, describe, focus_task: int | None, then=None) -> None:
        """Run one store write; report it as a ``WriteDone``."""
        try:
            with self.app.database.session() as session:
                result = operation(session)
        except (Conflict, Forbidden) as exc:
            # Someone else changed the task since the queue was read (say who, and reload),
            # or it is not the rep's to change (store.permissions): nothing was written.
            self.post_message(self.WriteDone(str(exc), "error", focus_task))
            return
        except StoreError as exc:
            self.post_message(self.WriteDone(str(exc), "warning", focus_task))
            return
        self.post_message(self.WriteDone(describe(result), "information", focus_task, then))

    @on(WriteDone)
    def _write_done(self, message: WriteDone) -> None:
        if message.message:
            self.notify(message.message, severity=message.severity, markup=False)
        self.reload(message.focus_task)
        if message.then is not None and message.severity == "information":
            message.then()

    def action_complete(self) -> None:
        task = self._task_or_toggle_day()
        if task is None:
            return
        me = self.app.rep.id
        self._write(
            lambda s: tasks.complete_task(s, task.id, by=me, version=task.version),
            lambda done: "",  # the offer to log it says it is done
            self._next_after(task),
            then=lambda: self._offer_to_log(task),
        )

    def _offer_to_log(self, task: QueueTask) -> None:
        from tui.screens.modals.done_log import DoneLog, LogDoneScreen

        def chosen(log: DoneLog | None) -> None:
            if log is None:
                self.notify(f"Done: “{task.title}”", markup=False)
                return
            me = self.app.rep.id
            self._write(
                lambda s: activities.log_activity(
                    s, task.deal_id, log.type, by=me, outcome=log.outcome, milestone=activities.DEFAULT_MILESTONE
                ),
                lambda a: f"Done: “{task.title}”; logged {_a(a.type)} on “{task.deal_title}”",
                None,
            )

        self.app.push_screen(LogDoneScreen(task.title, task.deal_title, guess_activity_type(task.title)), chosen)

    def action_snooze(self) -> None:
        task = self._need_task()
        if task is None:
            return
        me = self.app.rep.id
        self._write(
            lambda s: snooze(s, task.id, by=me, expected_due=task.due, version=task.version),
            lambda moved: (
                f"Snoozed “{task.title}” to {show_day(moved.task.due)} ({moved.load.load} of {moved.load.capacity})"
            ),
            self._next_after(task),
        )

    def action_set_due(self) -> None:
        task = self._need_task()
        if task is None or self.queue is None:
            return
        from tui.screens.modals.due_day import DueDayScreen

        def chosen(day: date | None) -> None:
            if day is None:
                return
            me = self.app.rep.id
            self._write(
                lambda s: move_task(s, task.id, day, by=me, expected_due=task.due, version=task.version),
                lambda moved: (
                    f"“{task.title}” is now due {show_day(moved.task.due)} ({moved.load.load} of {moved.load.capacity})"
                ),
                self._next_after(task) if day != task.due else task.id,
            )

        self.app.push_screen(DueDayScreen(task.title, task.due, self.queue.rep), chosen)

    def action_balance(self) -> None:
        if self.queue is None:
            return
        self._plan(self.queue.rep)

    @work(thread=True, exclusive=True, group="today-plan", exit_on_error=False)
    def _plan(self, rep: RepInfo) -> None:
        try:
            with self.app.database.session() as session:
                plan = balance_plan(session, get_rep(session, rep.id))
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.post_message(self.PlanReady(plan))

    @on(PlanReady)
    def _plan_ready(self, message: PlanReady) -> None:
        plan = message.plan
        if plan.is_empty:
            text = "Nothing to balance: nothing overdue and no day over capacity"
            if plan.unplaced:
                text = "No working day with room within a year: nothing can move"
            self.notify(text, timeout=4)
            return
        from tui.screens.modals.balance import BalanceScreen

        def confirmed(apply: bool | None) -> None:
            if not apply:
                self.notify("Balance cancelled: nothing moved", timeout=3)
                return
            me = self.app.rep.id
            focus = self._selected().id if self._selected() else None
            self._write(
                lambda s: apply_balance(s, plan, by=me),
                lambda moved: (
                    f"Moved {moved} task{'s' * (moved != 1)}; no day is over capacity now"
                    if not plan.unplaced
                    else f"Moved {moved} task{'s' * (moved != 1)}; {len(plan.unplaced)} found no room"
                ),
                focus,
            )

        self.app.push_screen(BalanceScreen(plan), confirmed)

    def action_undo(self) -> None:
        """``u``: the rep's own last change since they opened Legwork, wherever it was made."""
        from store import undo

        me, since = self.app.rep.id, self.app.undo_since
        selected = self._selected()
        self._write(
            lambda s: undo.undo_latest(s, by=me, since=since),
            lambda undone: undone.description,
            selected.id if selected else None,
        )

    # --- the task's deal -------------------------------------------------------------------

    def action_open(self) -> None:
        task = self._task_or_toggle_day()
        if task is None:
            return
        from tui.screens.deal import open_deal

        open_deal(self.app, task.deal_id, pipeline=task.pipeline)

    def _on_deal(self, form_class) -> None:
        task = self._need_task()
        if task is None:
            return

        def saved(message: str | None) -> None:
            if message:
                self.notify(message, markup=False)
                self.reload(task.id)

        self.app.push_screen(form_class(task.deal_id), saved)

    def action_log_activity(self) -> None:
        from tui.screens.modals.activity_form import LogActivityScreen

        self._on_deal(LogActivityScreen)

    def action_add_task(self) -> None:
        from tui.screens.modals.task_form import AddTaskScreen

        self._on_deal(AddTaskScreen)

    def action_add_note(self) -> None:
        from tui.screens.modals.note_form import AddNoteScreen

        self._on_deal(AddNoteScreen)

    # --- whose queue, and their week -------------------------------------------------------

    def action_pick_rep(self) -> None:
        if self.data is None or self.data.team is None:
            return
        from tui.screens.modals.rep_picker import RepPickerScreen

        def chosen(rep_id: int | None) -> None:
            if rep_id is not None and rep_id != self.rep_id:
                self.rep_id = rep_id
                self.reload()

        self.app.push_screen(RepPickerScreen(self.data.team, self.rep_id), chosen)

    def action_my_queue(self) -> None:
        self.rep_id = self.app.rep.id
        self.reload()

    def action_workweek(self) -> None:
        if self.queue is None:
            return
        from tui.screens.modals.workweek import WorkweekScreen

        def saved(rep: RepInfo | None) -> None:
            if rep is None:
                return
            from store.workweek import describe_working_days

            self.notify(
                f"{rep.name}: {describe_working_days(rep.working_days)}, {rep.capacity} tasks a day", markup=False
            )
            self.reload()

        self.app.push_screen(WorkweekScreen(self.queue.rep), saved)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_rep":
            return self.app.rep is not None and self.app.rep.is_manager
        if action == "my_queue":
            return self.viewing_other
        if action == "workweek" and self.viewing_other:
            return self.app.rep.is_manager
        return True


def _a(kind: str) -> str:
    """``a call``, ``an email``, ``an activity`` (for "other")."""
    if kind == "other":
        return "an activity"
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
