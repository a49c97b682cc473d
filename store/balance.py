"""Moving tasks to days with room: snooze, a new due day, and balancing.

Every move records the same ``task_rescheduled`` event ``tasks.reschedule_task``
does (so the timeline shows it and undo reverts it) and can state the due day the
screen read: a task someone else moved or finished meanwhile is refused, not
silently moved again.

Balancing proposes before it moves: ``balance_plan`` reads and returns a plan;
``apply_balance`` applies one plan in one transaction, or nothing at all if any
of its tasks changed since the plan was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from store import clock, permissions, validate
from store.dates import show_day
from store.errors import Forbidden, NotFound, RuleViolation, TaskConflict
from store.models import Deal, Task
from store.reps import RepInfo, get_rep
from store.tasks import (
    LOOKAHEAD_DAYS,
    DayLoad,
    TaskInfo,
    day_loads,
    is_working_day,
    load_on,
    next_day_with_room,
    record_reschedule,
    require_movable,
)
from store.today import ONE_DAY, as_date
from store.tx import lock_rows, write


class PlanOutdated(RuleViolation):
    """Tasks in a balance plan changed after it was made; nothing was moved."""


@dataclass(frozen=True)
class Rescheduled:
    task: TaskInfo
    from_due: date
    load: DayLoad  # the new day, this task included


def _locked_task(session: Session, task_id: int) -> Task:
    # populate_existing: a row this session read earlier is read again, now under the lock.
    task = session.exec(
        select(Task).where(Task.id == task_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    return task


def move_task(
    session: Session,
    task_id: int,
    due: date,
    *,
    by: int,
    expected_due: date | None = None,
    version: int | None = None,
) -> Rescheduled:
    """Give an open task a new due day; refused if it is done, no longer due on
    ``expected_due`` or no longer at ``version`` (someone else changed it since the
    screen read it: ``TaskConflict``)."""
    due = as_date(validate.day(due, "due day"))
    with write(session):
        task = _locked_task(session, task_id)
        require_movable(session, task, by, version, "move")
        if expected_due is not None and as_date(task.due) != as_date(expected_due):
            raise RuleViolation(f"“{task.title}” was moved to {_show(task.due)} meanwhile; look again before moving it")
        from_due = as_date(task.due)
        record_reschedule(session, task, due, by)
        owner = get_rep(session, task.owner_id)
        deal_title = session.exec(select(Deal.title).where(Deal.id == task.deal_id)).one()
        info = TaskInfo(task.id, task.deal_id, deal_title, task.owner_id, task.title, due, None, task.version)
        load = load_on(session, owner, due)
    return Rescheduled(info, from_due, load)


def snooze(
    session: Session,
    task_id: int,
    *,
    by: int,
    today: date | None = None,
    expected_due: date | None = None,
    version: int | None = None,
) -> Rescheduled:
    """Move a task to the first working day with room for its owner, after its
    due day or today, whichever is later."""
    task = session.get(Task, task_id, populate_existing=True)
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    owner = get_rep(session, task.owner_id)
    today = as_date(today or clock.today_in(owner.timezone))
    start = max(as_date(task.due), today) + ONE_DAY
    target = next_day_with_room(session, owner, start)
    return move_task(
        session, task_id, target.day, by=by, expected_due=expected_due or task.due, version=version or task.version
    )


def _show(day: date) -> str:
    return show_day(day)


# --- balancing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedMove:
    task_id: int
    title: str
    deal_title: str
    from_due: date
    to_due: date | None  # None: no working day with room within the look-ahead
    overdue: bool  # why it moves: overdue, or its day is over capacity
    version: int | None = None  # the task's version when planned: applying it states that


@dataclass(frozen=True)
class DayChange:
    day: date
    before: int
    after: int
    capacity: int


@dataclass(frozen=True)
class BalancePlan:
    """What balancing would do. Nothing has moved yet: see ``apply_balance``."""

    rep_id: int
    rep_name: str
    today: date
    capacity: int
    moves: tuple[PlannedMove, ...]  # placed, in queue order (most overdue first)
    unplaced: tuple[PlannedMove, ...]  # no room found for these; they stay where they are
    days: tuple[DayChange, ...]  # every day from today on whose load changes, in day order

    @property
    def is_empty(self) -> bool:
        return not self.moves

    @property
    def overdue_moves(self) -> int:
        return sum(1 for m in self.moves if m.overdue)

    @property
    def excess_moves(self) -> int:
        return len(self.moves) - self.overdue_moves


@dataclass(frozen=True)
class OpenTask:
    """What balancing needs to know of an open task."""

    id: int
    title: str
    deal_title: str
    due: date
    version: int | None = None


def balance_plan(session: Session, rep: RepInfo, today: date | None = None) -> BalancePlan:
    """Spread overdue tasks and the excess of over-capacity days over the next
    working days with room (see ``plan_balance``). Two queries; changes nothing."""
    today = as_date(today or clock.today_in(rep.timezone))
    horizon = today + timedelta(days=LOOKAHEAD_DAYS)
    rows = session.exec(
        select(Task.id, Task.title, Deal.title, Task.due, Task.version)
        .join(Deal, Deal.id == Task.deal_id)
        .where(Task.owner_id == rep.id, Task.done_at.is_(None), Task.due <= horizon)
        .order_by(Task.due, Task.id)
    ).all()
    loads = day_loads(session, rep, today, horizon)
    return plan_balance(
        rep,
        today,
        [
            OpenTask(task_id, title, deal_title, as_date(due), version)
            for task_id, title, deal_title, due, version in rows
        ],
        {as_date(d): n for d, n in loads.items()},
        horizon,
    )


def plan_balance(
    rep: RepInfo, today: date, open_tasks: list[OpenTask], loads: dict[date, int], horizon: date
) -> BalancePlan:
    """The balancing rule, on plain data.

    ``open_tasks`` are the rep's open tasks due up to ``horizon``; ``loads`` the
    load of each day from ``today`` to ``horizon`` (done tasks included, as
    ``tasks.day_loads`` counts them).

    - Overdue tasks go first, most overdue first (then by id); a day's excess
      follows, earlier days first. The excess of a working day is its newest open
      tasks (highest ids) beyond capacity; done tasks are never moved.
    - Overdue tasks may land on today; a day's excess lands after that day.
    - Order is kept: a task due earlier never lands after one due later.
    - No day receiving tasks ends above capacity; none is looked at past ``horizon``.
    - Non-working days are left as they are.
    """
    before = dict(loads)
    loads = dict(loads)
    ordered = sorted(open_tasks, key=lambda t: (t.due, t.id))
    to_place = [t for t in ordered if t.due < today]
    on_day: dict[date, list[OpenTask]] = {}
    for task in ordered:
        if task.due >= today:
            on_day.setdefault(task.due, []).append(task)
    for day in sorted(on_day):
        excess = loads.get(day, 0) - rep.capacity
        if excess > 0 and is_working_day(rep, day):
            moving = on_day[day][-excess:]  # the newest open tasks of the day
            to_place.extend(moving)
            loads[day] -= len(moving)

    moves: list[PlannedMove] = []
    unplaced: list[PlannedMove] = []
    cursor = today  # never goes back: that is what keeps the order
    for task in to_place:
        overdue = task.due < today
        day = max(cursor, today if overdue else task.due + ONE_DAY)
        while day <= horizon and not (is_working_day(rep, day) and loads.get(day, 0) < rep.capacity):
            day += ONE_DAY
        if day > horizon:
            unplaced.append(PlannedMove(task.id, task.title, task.deal_title, task.due, None, overdue, task.version))
            if not overdue:
                loads[task.due] += 1  # it stays where it is
            continue
        loads[day] = loads.get(day, 0) + 1
        cursor = day
        moves.append(PlannedMove(task.id, task.title, task.deal_title, task.due, day, overdue, task.version))

    changed = sorted(d for d in set(before) | set(loads) if before.get(d, 0) != loads.get(d, 0))
    return BalancePlan(
        rep_id=rep.id,
        rep_name=rep.name,
        today=today,
        capacity=rep.capacity,
        moves=tuple(moves),
        unplaced=tuple(unplaced),
        days=tuple(DayChange(d, before.get(d, 0), loads.get(d, 0), rep.capacity) for d in changed),
    )


def _require_balance(session: Session, by: int, rep_id: int) -> None:
    """A rep balances their own days; a manager those of the reps they manage."""
    validate.ident(by, "rep")
    if permissions.may_change_for(session, by, rep_id):
        return
    actor, owner = permissions.rep_row(session, by), permissions.rep_row(session, rep_id)
    raise Forbidden(f"{actor.handle} cannot balance {owner.handle}'s days: only they and their manager can")


def apply_balance(session: Session, plan: BalancePlan, *, by: int) -> int:
    """Apply a plan in one transaction; returns how many tasks moved.

    Refused (``PlanOutdated``), with nothing moved, when any task of the plan is
    gone, done, owned by someone else, no longer due where the plan found it or
    changed in any other way (its version) since the plan read it.
    """
    if not plan.moves:
        return 0
    with write(session):
        _require_balance(session, by, plan.rep_id)
        wanted = [m.task_id for m in plan.moves]
        found = {
            t.id: t
            for t in session.exec(
                select(Task)
                .where(Task.id.in_(wanted))
                .order_by(Task.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        }
        problems = []
        for move in plan.moves:
            task = found.get(move.task_id)
            if task is None:
                problems.append(f"“{move.title}” was deleted")
            elif task.done_at is not None:
                problems.append(f"“{move.title}” is done")
            elif task.owner_id != plan.rep_id:
                problems.append(f"“{move.title}” belongs to someone else now")
            elif as_date(task.due) != move.from_due:
                problems.append(f"“{move.title}” was moved to {_show(task.due)}")
            elif move.version is not None and task.version != move.version:
                problems.append(f"“{move.title}” was changed")
        if problems:
            shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
            raise PlanOutdated(f"Nothing moved: tasks changed since the plan was made ({shown}). Balance again.")
        # Every deal of the plan at once and in id order, so two balances sharing deals
        # cannot each hold one the other waits for (each move locks its deal again).
        lock_rows(session, Deal.id, [task.deal_id for task in found.values()])
        for move in plan.moves:
            try:
                # Conditional on the version just read: on SQLite nothing above locked the rows.
                record_reschedule(session, found[move.task_id], move.to_due, by)
            except TaskConflict:
                raise PlanOutdated(f"Nothing moved: “{move.title}” changed while balancing. Balance again.") from None
        session.flush()
    return len(plan.moves)
