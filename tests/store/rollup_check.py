"""Derived data worked out again from the rows it derives from, by other code than
the store's: the activity rollups (store.rollups) and each deal's next task day."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

import pendulum
from sqlmodel import select

from store.models import Activity, ActivityDay, Deal, DealMilestone, Setting, Task


def day_rows(owner) -> dict:
    """activity_day as {(day, rep id, type, milestone): n}."""
    table = ActivityDay.__table__
    with owner.engine.connect() as connection:
        return {
            (row.day, row.rep_id, row.type, row.milestone): row.n
            for row in connection.execute(select(table))
        }


def milestone_rows(owner) -> dict:
    """deal_milestone as {(deal id, milestone): reached_at}."""
    table = DealMilestone.__table__
    with owner.engine.connect() as connection:
        rows = connection.execute(select(table))
        return {(row.deal_id, row.milestone): pendulum.instance(row.reached_at) for row in rows}


def assert_rollups_match(session) -> None:
    """Both rollups equal a count of the activity table, days taken in the rollup's timezone."""
    session.flush()
    tz = session.exec(select(Setting.value).where(Setting.key == "activity_day_tz")).one()
    zone = ZoneInfo(tz)
    days: Counter = Counter()
    reached: dict = {}
    for activity in session.exec(select(Activity)):
        day = activity.occurred_at.astimezone(zone).date()
        days[(day, activity.rep_id, activity.type, activity.milestone or "")] += 1
        if activity.milestone:
            key = (activity.deal_id, activity.milestone)
            reached[key] = min(reached.get(key, activity.occurred_at), activity.occurred_at)
    stored_days = {
        (row.day, row.rep_id, row.type, row.milestone): row.n for row in session.exec(select(ActivityDay))
    }
    stored_reached = {(row.deal_id, row.milestone): row.reached_at for row in session.exec(select(DealMilestone))}
    assert stored_days == dict(days)
    assert stored_reached == reached


def assert_next_due_match(session) -> None:
    """Every deal's next_task_due is the earliest due day of its open tasks (None without)."""
    session.flush()
    earliest: dict = {}
    for task in session.exec(select(Task).where(Task.done_at.is_(None))):
        earliest[task.deal_id] = min(earliest.get(task.deal_id, task.due), task.due)
    stored = {deal_id: due for deal_id, due in session.exec(select(Deal.id, Deal.next_task_due))}
    assert stored == {deal_id: earliest.get(deal_id) for deal_id in stored}
