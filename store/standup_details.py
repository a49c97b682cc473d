"""What the stand-up shows of each deal it lists: what changed since the look-back
began (the deal row's history, then the work recorded on it), its last two
activities and its next open task. One query each, for all the listed deals.
"""

from __future__ import annotations

import pendulum
from sqlalchemy import func
from sqlmodel import Session, select

from store import clock, events
from store.activities import ActivityInfo
from store.models import Activity, DealEvent, Rep, Task
from store.tasks import TaskInfo
from store.timeline import SHOWN_EVENTS, event_headline, format_when

# Work recorded on a deal, said in a few words after the history of the deal row.
_WORK_WORDS = {
    events.TASK_ADDED: lambda d: f"Task added: {d.get('title', '')} (due {d.get('due', '?')})",
    events.TASK_DONE: lambda d: f"Task done: {d.get('title', '')}",
    events.TASK_RESCHEDULED: lambda d: f"Task moved {d.get('from', '?')} → {d.get('to', '?')}: {d.get('title', '')}",
    events.NOTE_ADDED: lambda d: f"Note: {d.get('summary', '')}",
}


def changes_since(
    session: Session, ids: list[int], since_at: pendulum.DateTime, now: pendulum.DateTime, tz: str, money: str
) -> dict[int, list[str]]:
    """Per deal, ``when · who · what`` for each change since ``since_at``, oldest first;
    ``when`` as the timeline tells it in ``tz``."""
    lines: dict[int, list[str]] = {}
    kinds = SHOWN_EVENTS | set(_WORK_WORDS)
    for deal_id, at, kind, data, who in session.exec(
        select(DealEvent.deal_id, DealEvent.at, DealEvent.kind, DealEvent.data, Rep.name)
        .join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
        .where(DealEvent.deal_id.in_(ids), DealEvent.at >= since_at, DealEvent.kind.in_(kinds))
        .order_by(DealEvent.at, DealEvent.id)
    ):
        text = _WORK_WORDS[kind](data) if kind in _WORK_WORDS else event_headline(kind, data, money)
        if kind == events.STAGE_CHANGED:
            text = f"Moved {text}"
        when = format_when(clock.aware(at), now, tz)
        lines.setdefault(deal_id, []).append(f"{when} · {who or 'someone'} · {text}")
    return lines


def last_activities(session: Session, ids: list[int], count: int = 2) -> dict[int, list[ActivityInfo]]:
    """Per deal, its last ``count`` activities, newest first."""
    rank = (
        func.row_number()
        .over(partition_by=Activity.deal_id, order_by=(Activity.occurred_at.desc(), Activity.id.desc()))
        .label("rank")
    )
    ranked = select(Activity.id, rank).where(Activity.deal_id.in_(ids)).subquery()
    rows = session.exec(
        select(Activity, Rep.name)
        .join(ranked, ranked.c.id == Activity.id)
        .join(Rep, Rep.id == Activity.rep_id)
        .where(ranked.c.rank <= count)
        .order_by(Activity.deal_id, Activity.occurred_at.desc(), Activity.id.desc())
    )
    found: dict[int, list[ActivityInfo]] = {}
    for a, name in rows:
        found.setdefault(a.deal_id, []).append(
            ActivityInfo(a.id, a.deal_id, a.rep_id, name, a.type, a.milestone, clock.aware(a.occurred_at),
                         a.duration_min, a.outcome)
        )
    return found


def next_tasks(session: Session, ids: list[int], titles: dict[int, str]) -> dict[int, TaskInfo]:
    """Per deal, its open task due soonest (``titles``: the deals' titles, by id)."""
    found: dict[int, TaskInfo] = {}
    for task in session.exec(
        select(Task).where(Task.deal_id.in_(ids), Task.done_at.is_(None)).order_by(Task.due, Task.id)
    ):
        if task.deal_id not in found:
            found[task.deal_id] = TaskInfo(task.id, task.deal_id, titles[task.deal_id], task.owner_id, task.title,
                                           task.due, None, task.version)
    return found

