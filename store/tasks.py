"""Tasks: what to do next on a deal, with a due day and an owner.

Capacity is how many tasks a rep can do in a day. It warns and suggests; it
never refuses. A day's load is the rep's tasks due that day that are still open
or were done on or after the day began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pendulum
from sqlalchemy import update
from sqlmodel import Session, func, or_, select

from store import clock, events, permissions, validate
from store.errors import InvalidInput, NotFound, RuleViolation, TaskConflict
from store.deal_rows import load_for_write
from store.models import OPEN, Deal, Rep, Task
from store.reps import RepInfo
from store.tx import lock_rows, write

MAX_TITLE = 300
LOOKAHEAD_DAYS = 366


@dataclass(frozen=True)
class TaskInfo:
    id: int
    deal_id: int
    deal_title: str
    owner_id: int
    title: str
    due: date
    done_at: pendulum.DateTime | None
    version: int = 1  # state it when writing: see ``complete_task``

    @property
    def is_open(self) -> bool:
        return self.done_at is None


@dataclass(frozen=True)
class DayLoad:
    day: date
    load: int
    capacity: int

    @property
    def has_room(self) -> bool:
        return self.load < self.capacity

    @property
    def label(self) -> str:
        """``Thu: 9 of 12`` — how full the day is, as the task form shows it."""
        return f"{pendulum.Date(self.day.year, self.day.month, self.day.day).format('ddd')}: {self.load} of {self.capacity}"


def _info(task: Task, deal_title: str) -> TaskInfo:
    return TaskInfo(
        id=task.id,
        deal_id=task.deal_id,
        deal_title=deal_title,
        owner_id=task.owner_id,
        title=task.title,
        due=task.due,
        done_at=clock.aware(task.done_at),
        version=task.version,
    )


def get_task(session: Session, task_id: int) -> TaskInfo:
    row = session.exec(select(Task, Deal.title).join(Deal, Deal.id == Task.deal_id).where(Task.id == task_id)).first()
    if row is None:
        raise NotFound(f"no task with id {task_id}")
    return _info(*row)


def deal_tasks(session: Session, deal_id: int) -> list[TaskInfo]:
    """Open tasks first (soonest due first), then done ones (latest first)."""
    rows = session.exec(select(Task, Deal.title).join(Deal, Deal.id == Task.deal_id).where(Task.deal_id == deal_id))
    tasks = [_info(t, title) for t, title in rows]
    open_ = sorted((t for t in tasks if t.is_open), key=lambda t: (t.due, t.id))
    done = sorted((t for t in tasks if not t.is_open), key=lambda t: t.done_at, reverse=True)
    return open_ + done


def next_open_task(session: Session, deal_id: int) -> TaskInfo | None:
    row = session.exec(
        select(Task, Deal.title)
        .join(Deal, Deal.id == Task.deal_id)
        .where(Task.deal_id == deal_id, Task.done_at.is_(None))
        .order_by(Task.due, Task.id)
    ).first()
    return _info(*row) if row else None


# --- capacity ------------------------------------------------------------------------------


def is_working_day(rep: RepInfo, day: date) -> bool:
    return day.isoweekday() in rep.working_days


def day_loads(session: Session, rep: RepInfo, start: date, end: date) -> dict[date, int]:
    """Tasks per day for ``start`` ≤ day ≤ ``end`` (days with none are absent)."""
    query = (
        select(Task.due, Task.done_at)
        .where(Task.owner_id == rep.id, Task.due >= start, Task.due <= end)
        .where(or_(Task.done_at.is_(None), Task.done_at >= clock.day_start(start, rep.timezone)))
    )
    loads: dict[date, int] = {}
    for due, done_at in session.exec(query):
        if done_at is None or clock.aware(done_at) >= clock.day_start(due, rep.timezone):
            loads[due] = loads.get(due, 0) + 1
    return loads


def load_on(session: Session, rep: RepInfo, day: date) -> DayLoad:
    return DayLoad(day, day_loads(session, rep, day, day).get(day, 0), rep.capacity)


def next_day_with_room(session: Session, rep: RepInfo, start: date | None = None, *, exclude: date | None = None) -> DayLoad:
    """The first working day on or after ``start`` (default: today in the rep's
    timezone) with fewer tasks than the rep's capacity."""
    day = pendulum.Date(*(start or clock.today_in(rep.timezone)).timetuple()[:3])
    horizon = day.add(days=LOOKAHEAD_DAYS)
    loads = day_loads(session, rep, day, horizon)
    while day <= horizon:
        if is_working_day(rep, day) and day != exclude:
            load = DayLoad(day, loads.get(day, 0), rep.capacity)
            if load.has_room:
                return load
        day = day.add(days=1)
    raise RuleViolation(f"{rep.name} has no working day with room in the next year")


# --- writes --------------------------------------------------------------------------------


def refresh_next_due(session: Session, deal_ids: list[int] | None = None) -> None:
    """Recompute ``deal.next_task_due`` (the earliest due day of its open tasks)
    for these deals, or for every deal with ``None`` (bulk writers, migrations)."""
    first_due = (
        select(func.min(Task.due)).where(Task.deal_id == Deal.id, Task.done_at.is_(None)).scalar_subquery()
    )
    statement = update(Deal).values(next_task_due=first_due).execution_options(synchronize_session=False)
    if deal_ids is None:
        session.execute(statement)
        return
    ids = sorted(set(deal_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        lock_rows(session, Deal.id, chunk)
        session.execute(statement.where(Deal.id.in_(chunk)))


def _clean_title(title: str) -> str:
    title = " ".join(validate.text(title, "title").split())
    if not title:
        raise InvalidInput("a task needs a title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"title is {len(title)} characters; keep it under {MAX_TITLE}")
    return title


def add_task(
    session: Session, deal_id: int, title: str, due: date, *, by: int, owner_id: int | None = None
) -> TaskInfo:
    with write(session):
        info = insert_task(session, deal_id, title, due, by=by, owner_id=owner_id)
    return info


def insert_task(
    session: Session, deal_id: int, title: str, due: date, *, by: int, owner_id: int | None = None
) -> TaskInfo:
    """``add_task`` inside a transaction someone else commits (a follow-up to an activity)."""
    title = _clean_title(title)
    if due is None:
        raise InvalidInput("a task needs a due day")
    validate.day(due, "due day")
    for given, what in ((deal_id, "deal"), (by, "rep"), (owner_id, "owner")):
        validate.ident(given, what)
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound(f"no deal with id {deal_id}")
    owner = owner_id or by
    for rep_id in {by, owner}:
        if session.get(Rep, rep_id) is None:
            raise NotFound(f"no rep with id {rep_id}")
    permissions.require_deal_change(session, by, deal, "add a task to")
    permissions.require_assign(session, by, owner, "give a task to")
    task = Task(deal_id=deal_id, owner_id=owner, title=title, due=due, created_at=clock.now(), created_by_id=by)
    session.add(task)
    session.flush()
    refresh_next_due(session, [deal_id])
    events.record(session, deal_id, by, events.TASK_ADDED, events.task_added(task.id, title, due))
    return _info(task, deal.title)


def _load_task(session: Session, task_id: int) -> tuple[Task, str]:
    validate.ident(task_id, "task")
    # populate_existing: Core UPDATEs bypass the identity map; read what the row holds now.
    row = session.exec(
        select(Task, Deal.title)
        .join(Deal, Deal.id == Task.deal_id)
        .where(Task.id == task_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound(f"no task with id {task_id}")
    return row


def _moment(session: Session, at, by: int) -> str:
    """When, in the acting rep's timezone: ``10:42`` today, else ``Tue 17 Nov 10:42``."""
    rep = session.get(Rep, by)
    zone = rep.timezone if rep is not None else "UTC"
    local = clock.aware(at).in_timezone(zone)
    return local.format("HH:mm") if local.date() == clock.now().in_timezone(zone).date() else local.format(
        "ddd D MMM HH:mm"
    )


def task_conflict(session: Session, task_id: int, read_version: int, by: int) -> TaskConflict:
    """The refusal of a write whose task changed since ``read_version``: who did what, when."""
    row = session.exec(
        select(Task, Rep.name)
        .join(Rep, Rep.id == Task.updated_by_id, isouter=True)
        .where(Task.id == task_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        return TaskConflict(f"task {task_id} was deleted by someone else; reload", 0, 0, task_id)
    task, who = row
    who = who or "Someone else"
    when = task.updated_at or task.done_at or task.created_at
    if task.done_at is not None:
        what = f"already marked “{task.title}” done at {_moment(session, task.done_at, by)}"
    else:
        what = f"changed “{task.title}” at {_moment(session, when, by)} (now due {_day(task.due)})"
    return TaskConflict(
        f"{who} {what} after you read it; reload and try again", task.deal_id, task.version, task_id
    )


def _day(day: date) -> str:
    return pendulum.Date(day.year, day.month, day.day).format("ddd D MMM")


def check_task_version(session: Session, task: Task, version: int | None, by: int) -> None:
    """Refuse (``TaskConflict``) if the caller read another version of the task than the row holds."""
    if version is not None and task.version != version:
        raise task_conflict(session, task.id, version, by)


def write_task(session: Session, task: Task, by: int, *, what: str = "change", **values) -> int:
    """Set ``values`` on the task in one conditional UPDATE of the version just read.

    Another writer that committed since ``task`` was read makes it match nothing
    and the write is refused with ``TaskConflict``: reading and checking alone
    would let two reps both complete one task. Refused (``Forbidden``) unless ``by``
    may change the task (store.permissions): every task write comes through here.
    Returns the new version.
    """
    permissions.require_task_change(session, by, task, what)
    read = task.version
    result = session.execute(
        update(Task)
        .where(Task.id == task.id, Task.version == read)
        .values(**values, version=read + 1, updated_at=clock.now(), updated_by_id=by)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise task_conflict(session, task.id, read, by)
    session.refresh(task)
    return read + 1


def _already_done(session: Session, task: Task, by: int) -> RuleViolation:
    who = session.get(Rep, task.updated_by_id) if task.updated_by_id else None
    by_whom = f" by {who.name}" if who is not None else ""
    return RuleViolation(
        f"“{task.title}” is already done (marked{by_whom} at {_moment(session, task.done_at, by)})"
    )


def complete_task(session: Session, task_id: int, *, by: int, version: int | None = None) -> TaskInfo:
    """Mark a task done; ``version`` is the one the caller read (refused if it changed)."""
    with write(session):
        task, deal_title = _load_task(session, task_id)
        permissions.require_task_change(session, by, task, "complete")
        check_task_version(session, task, version, by)
        if task.done_at is not None:
            raise _already_done(session, task, by)
        now = clock.now()
        write_task(session, task, by, what="complete", done_at=now)
        events.record(session, task.deal_id, by, events.TASK_DONE, events.task_done(task.id, task.title), at=now)
        session.flush()
        refresh_next_due(session, [task.deal_id])
        info = _info(task, deal_title)
    return info


def reopen_task(session: Session, task_id: int, *, by: int, version: int | None = None) -> TaskInfo:
    with write(session):
        task, deal_title = _load_task(session, task_id)
        permissions.require_task_change(session, by, task, "reopen")
        check_task_version(session, task, version, by)
        if task.done_at is None:
            raise RuleViolation(f"“{task.title}” is not done")
        done_at = clock.aware(task.done_at)
        write_task(session, task, by, what="reopen", done_at=None)
        reopened = events.task_reopened(task.id, task.title, done_at)
        events.record(session, task.deal_id, by, events.TASK_REOPENED, reopened)
        session.flush()
        refresh_next_due(session, [task.deal_id])
        info = _info(task, deal_title)
    return info


def reschedule_task(session: Session, task_id: int, due: date, *, by: int, version: int | None = None) -> TaskInfo:
    validate.day(due, "due day")
    with write(session):
        task, deal_title = _load_task(session, task_id)
        require_movable(session, task, by, version, "reschedule")
        record_reschedule(session, task, due, by)
        info = _info(task, deal_title)
    return info


def require_movable(session: Session, task: Task, by: int, version: int | None, verb: str) -> None:
    """Before a new due day: ``by`` may change the task, it is still at the ``version``
    the caller read (else ``TaskConflict``), and it is not done."""
    permissions.require_task_change(session, by, task, verb)
    check_task_version(session, task, version, by)
    if task.done_at is not None:
        raise RuleViolation(f"“{task.title}” is done: there is nothing to {verb}")


def record_reschedule(session: Session, task: Task, due: date, by: int) -> None:
    """Within the caller's transaction: move the task (conditionally, see ``write_task``),
    record ``task_rescheduled`` and keep the deal's next due day."""
    if task.due == due:
        return
    from_due = task.due
    write_task(session, task, by, what="reschedule", due=due)
    moved = events.task_rescheduled(task.id, task.title, from_due, due)
    events.record(session, task.deal_id, by, events.TASK_RESCHEDULED, moved)
    session.flush()
    refresh_next_due(session, [task.deal_id])


def open_task_count(session: Session, deal_id: int) -> int:
    return session.exec(select(func.count(Task.id)).where(Task.deal_id == deal_id, Task.done_at.is_(None))).one()


def close_open_tasks(session: Session, deal_id: int, *, by: int) -> list[TaskInfo]:
    """Mark a closed deal's open tasks done, so they leave Today and stop counting
    against capacity. Each gets a ``task_done`` event (undo reopens it) that says it
    went with the deal. Refused while the deal is open: its tasks are its next steps."""
    with write(session):
        lock_rows(session, Deal.id, [deal_id])  # a reopening waits, and so do we
        if session.get(Rep, by) is None:
            raise NotFound(f"no rep with id {by}")
        deal, stage = load_for_write(session, deal_id, by=by, what="close the tasks of")
        if stage.kind == OPEN:
            raise RuleViolation(f"“{deal.title}” is open: its tasks are its next steps")
        open_tasks = session.exec(
            select(Task).where(Task.deal_id == deal_id, Task.done_at.is_(None)).order_by(Task.due, Task.id)
        ).all()
        now = clock.now()
        for task in open_tasks:
            write_task(session, task, by, what="close", done_at=now)  # versioned like every task write
            events.record(
                session, deal_id, by, events.TASK_DONE,
                events.task_done(task.id, task.title, with_deal=True), at=now,
            )
        session.flush()
        refresh_next_due(session, [deal_id])
        closed = [_info(task, deal.title) for task in open_tasks]
    return closed
