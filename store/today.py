"""Today: a rep's task queue — overdue, due today, coming up — measured against capacity.

The queue is read with a handful of queries whatever its length (DESIGN.md: the
today queue within 50 ms at 30,000 open tasks over 50 reps):

1. the rep's open tasks due up to the end of the coming-up window, joined to
   their deal, stage and account (index ``ix_task_owner_open_due``);
2. the newest activity of each of those deals, as one GROUP BY (``ix_activity_deal_when``);
3. the rep's tasks done since today began (the capacity meter);
4. how many open tasks lie beyond the window.

Days are the rep's days: "today" is today in the rep's timezone, and a task done
before its day began (in that timezone) no longer counts against that day (the
same rule as ``tasks.day_loads``).

Moving tasks (snooze, a new due day, balancing) is in balance.py; working days and
capacity settings in workweek.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pendulum
from sqlalchemy import and_, case
from sqlmodel import Session, func, select

from store import clock
from store.models import Account, Activity, Deal, Stage, Task
from store.changes import change_token
from store.reps import RepInfo, get_rep, list_reps
from store.tasks import DayLoad, day_loads, is_working_day

OVERDUE, TODAY, COMING_UP = "overdue", "today", "coming_up"
WEEK_DAYS = 5  # working days in the week strip, today included when it is one
_ID_CHUNK = 500  # deal ids per IN (...) list: well inside every backend's parameter limit
ONE_DAY = timedelta(days=1)


def as_date(value: date) -> date:
    """A plain ``datetime.date``, whatever date-like value came in (pendulum.Date, a row's date)."""
    return date(value.year, value.month, value.day)


# --- what the queue holds ------------------------------------------------------------------


@dataclass(frozen=True)
class QueueTask:
    """One open task as the queue shows it, with enough of its deal to act on."""

    id: int
    title: str
    due: date
    owner_id: int
    deal_id: int
    deal_title: str
    pipeline: str
    account_name: str | None
    stage_name: str
    last_activity_type: str | None
    last_activity_at: pendulum.DateTime | None
    days_late: int  # 0 unless overdue
    version: int = 1  # the task's version as read: writes state it (store.tasks)

    @property
    def is_overdue(self) -> bool:
        return self.days_late > 0


@dataclass(frozen=True)
class UpcomingDay:
    """A coming-up day: its load against capacity and its open tasks."""

    day: date
    load: DayLoad
    working: bool
    tasks: tuple[QueueTask, ...]

    @property
    def over(self) -> bool:
        return self.load.load > self.load.capacity


@dataclass(frozen=True)
class CapacityMeter:
    """Today's work against the rep's capacity.

    ``planned`` is today's load (due today, open or done today); ``done`` is how
    many of those are done. Overdue tasks are not part of today's load, but they
    are on the rep's plate: ``overdue`` counts them, ``cleared_overdue`` those done today.
    """

    day: date
    planned: int
    done: int
    capacity: int
    overdue: int
    cleared_overdue: int
    working: bool

    @property
    def to_do(self) -> int:
        return self.planned - self.done

    @property
    def over(self) -> bool:
        """Today alone is planned past capacity."""
        return self.planned > self.capacity

    @property
    def over_with_overdue(self) -> bool:
        """Today's plan plus what is still overdue does not fit today."""
        return self.planned + self.overdue > self.capacity


@dataclass(frozen=True)
class TodayQueue:
    rep: RepInfo
    today: date
    overdue: tuple[QueueTask, ...]  # oldest first
    due_today: tuple[QueueTask, ...]
    coming_up: tuple[UpcomingDay, ...]  # the week strip's days after today, and any other day with tasks among them
    later: int  # open tasks due after the last coming-up day
    next_later: date | None  # the first of those
    meter: CapacityMeter
    week: tuple[DayLoad, ...]  # the next WEEK_DAYS working days, today first when it is one

    @property
    def tasks(self) -> tuple[QueueTask, ...]:
        """Every listed task in queue order: overdue, today, then coming up."""
        upcoming = tuple(t for day in self.coming_up for t in day.tasks)
        return self.overdue + self.due_today + upcoming

    @property
    def overloaded(self) -> tuple[DayLoad, ...]:
        """Days of the week strip planned past capacity."""
        return tuple(d for d in self.week if d.load > d.capacity)

    @property
    def coming_up_count(self) -> int:
        return sum(len(day.tasks) for day in self.coming_up)


def working_days_from(rep: RepInfo, start: date, count: int) -> list[date]:
    """The first ``count`` working days on or after ``start``."""
    days: list[date] = []
    day = as_date(start)
    while len(days) < count:
        if is_working_day(rep, day):
            days.append(day)
        day += ONE_DAY
    return days


def today_queue(session: Session, rep: RepInfo, today: date | None = None, *, week_days: int = WEEK_DAYS) -> TodayQueue:
    """The rep's queue on ``today`` (default: today in the rep's timezone)."""
    today = as_date(today or clock.today_in(rep.timezone))
    week = working_days_from(rep, today, max(week_days, 1))
    horizon = max(week[-1], today)
    day_start = clock.day_start(today, rep.timezone)

    rows = session.exec(
        select(
            Task.id,
            Task.title,
            Task.due,
            Task.owner_id,
            Deal.id,
            Deal.title,
            Deal.pipeline,
            Account.name,
            Stage.name,
            Task.version,
        )
        .join(Deal, Deal.id == Task.deal_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .where(Task.owner_id == rep.id, Task.done_at.is_(None), Task.due <= horizon)
        .order_by(Task.due, Task.id)
    ).all()
    last = _last_activities(session, {row[4] for row in rows})

    done_today = session.exec(
        select(Task.due, Task.done_at).where(Task.owner_id == rep.id, Task.done_at >= day_start)
    ).all()
    later, next_later = session.exec(
        select(func.count(), func.min(Task.due)).where(
            Task.owner_id == rep.id, Task.done_at.is_(None), Task.due > horizon
        )
    ).one()

    loads: dict[date, int] = {}
    overdue: list[QueueTask] = []
    due_today: list[QueueTask] = []
    upcoming: dict[date, list[QueueTask]] = {}
    for task_id, title, due, owner_id, deal_id, deal_title, pipeline, account, stage, version in rows:
        due = as_date(due)
        kind, at = last.get(deal_id, (None, None))
        task = QueueTask(
            id=task_id,
            title=title,
            due=due,
            owner_id=owner_id,
            deal_id=deal_id,
            deal_title=deal_title,
            pipeline=pipeline,
            account_name=account,
            stage_name=stage,
            last_activity_type=kind,
            last_activity_at=at,
            days_late=max((today - due).days, 0),
            version=version,
        )
        if due < today:
            overdue.append(task)
            continue
        loads[due] = loads.get(due, 0) + 1
        (due_today if due == today else upcoming.setdefault(due, [])).append(task)

    done = cleared = 0
    for due, done_at in done_today:
        due = as_date(due)
        if due < today:
            cleared += 1
        elif clock.aware(done_at) >= clock.day_start(due, rep.timezone):  # done early does not count
            loads[due] = loads.get(due, 0) + 1
            done += due == today

    coming_days = sorted({d for d in week if d > today} | set(upcoming))
    return TodayQueue(
        rep=rep,
        today=today,
        overdue=tuple(overdue),
        due_today=tuple(due_today),
        coming_up=tuple(
            UpcomingDay(
                day=d,
                load=DayLoad(d, loads.get(d, 0), rep.capacity),
                working=is_working_day(rep, d),
                tasks=tuple(upcoming.get(d, ())),
            )
            for d in coming_days
        ),
        later=int(later),
        next_later=as_date(next_later) if next_later is not None else None,
        meter=CapacityMeter(
            day=today,
            planned=loads.get(today, 0),
            done=done,
            capacity=rep.capacity,
            overdue=len(overdue),
            cleared_overdue=cleared,
            working=is_working_day(rep, today),
        ),
        week=tuple(DayLoad(d, loads.get(d, 0), rep.capacity) for d in week),
    )


def _last_activities(session: Session, deal_ids: set[int]) -> dict[int, tuple[str, pendulum.DateTime]]:
    """deal id → (type, when) of its newest activity; one GROUP BY per chunk of deals."""
    found: dict[int, tuple[str, pendulum.DateTime, int]] = {}
    ids = sorted(deal_ids)
    for i in range(0, len(ids), _ID_CHUNK):
        chunk = ids[i : i + _ID_CHUNK]
        newest = (
            select(Activity.deal_id, func.max(Activity.occurred_at).label("at"))
            .where(Activity.deal_id.in_(chunk))
            .group_by(Activity.deal_id)
            .subquery("newest")
        )
        for deal_id, kind, at, activity_id in session.exec(
            select(Activity.deal_id, Activity.type, Activity.occurred_at, Activity.id).join(
                newest, and_(Activity.deal_id == newest.c.deal_id, Activity.occurred_at == newest.c.at)
            )
        ):
            # Two activities at the same moment: the one logged last wins.
            if deal_id not in found or activity_id > found[deal_id][2]:
                found[deal_id] = (kind, clock.aware(at), activity_id)
    return {deal_id: (kind, at) for deal_id, (kind, at, _id) in found.items()}


def week_strip(
    session: Session, rep: RepInfo, today: date | None = None, *, days: int = WEEK_DAYS
) -> tuple[DayLoad, ...]:
    """The next ``days`` working days (today first when it is one): load against capacity."""
    today = as_date(today or clock.today_in(rep.timezone))
    week = working_days_from(rep, today, max(days, 1))
    loads = day_loads(session, rep, week[0], week[-1])
    return tuple(DayLoad(d, loads.get(d, 0), rep.capacity) for d in week)


# --- saying it in words ---------------------------------------------------------------------


def days_ago(moment: pendulum.DateTime, today: date, tz: str) -> str:
    """``today``, ``yesterday``, ``3 days ago``, ``5 weeks ago``, ``4 months ago``: by the rep's calendar."""
    local = moment.in_timezone(tz).date()
    days = (as_date(today) - as_date(local)).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 61:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


def last_activity_label(task: QueueTask, today: date, tz: str) -> str:
    """``call 3 days ago``, or ``no activity yet``."""
    if task.last_activity_type is None or task.last_activity_at is None:
        return "no activity yet"
    return f"{task.last_activity_type} {days_ago(task.last_activity_at, today, tz)}"


def late_label(days_late: int) -> str:
    return "1 day late" if days_late == 1 else f"{days_late} days late"


# Checked in order; the first word of a title decides before any later word does.
_TYPE_WORDS = (
    ("call", ("call", "calls", "phone", "ring", "dial")),
    ("email", ("email", "e-mail", "mail", "send", "reply", "write")),
    ("meeting", ("meet", "meeting", "lunch", "visit", "coffee")),
    ("demo", ("demo", "demos", "demonstrate", "walkthrough")),
    ("proposal", ("proposal", "quote", "pricing")),
)


def guess_activity_type(title: str) -> str:
    """The activity a task most likely stood for: "Call Jo" → call, "Send the deck" → email.

    The first word decides ("Send the proposal" → email); if it says nothing,
    the first telling word later on does ("Follow-up call" → call); else "other".
    """
    words = [w for w in re.split(r"[^a-z-]+", title.lower()) if w]
    for word in words:
        for kind, starts in _TYPE_WORDS:
            if any(word == s or (len(s) > 3 and word.startswith(s)) for s in starts):
                return kind
    return "other"


# --- the team, for managers -----------------------------------------------------------------


@dataclass(frozen=True)
class RepDay:
    """One rep's open work as a manager's picker shows it."""

    rep: RepInfo
    overdue: int
    due_today: int


def team_overdue(session: Session) -> list[RepDay]:
    """Every active rep, by name, with their open overdue and due-today counts, each
    judged on the rep's own today. One aggregate query."""
    team = list_reps(session)
    if not team:
        return []
    by_today: dict[date, list[int]] = {}
    for rep in team:
        by_today.setdefault(as_date(clock.today_in(rep.timezone)), []).append(rep.id)
    overdue = func.sum(
        case(*[(and_(Task.owner_id.in_(ids), Task.due < day), 1) for day, ids in by_today.items()], else_=0)
    )
    due_today = func.sum(
        case(*[(and_(Task.owner_id.in_(ids), Task.due == day), 1) for day, ids in by_today.items()], else_=0)
    )
    counts = {
        owner: (int(late or 0), int(now or 0))
        for owner, late, now in session.exec(
            select(Task.owner_id, overdue, due_today)
            .where(
                Task.owner_id.in_([r.id for r in team]),
                Task.done_at.is_(None),
                Task.due <= max(by_today),
            )
            .group_by(Task.owner_id)
        )
    }
    return [RepDay(rep, *counts.get(rep.id, (0, 0))) for rep in team]


@dataclass(frozen=True)
class TodayPage:
    """Everything the Today screen shows, read in one call."""

    queue: TodayQueue
    team: tuple[RepDay, ...] | None  # every rep's overdue counts: for managers, else None
    token: tuple  # store.changes.change_token when it was read, to notice others' changes


def load_today(session: Session, rep_id: int, *, team: bool = False, today: date | None = None) -> TodayPage:
    """Rep ``rep_id``'s queue (on ``today``, default their today), with the team's
    overdue counts when ``team`` (a manager's screen). The change token is read
    first: a write landing during the read makes the next poll reload, never hides."""
    token = change_token(session)
    rep = get_rep(session, rep_id)
    return TodayPage(today_queue(session, rep, today), tuple(team_overdue(session)) if team else None, token)
