"""One deal's timeline: activities, notes, tasks and its history, merged.

Open tasks come first (soonest due first): they are what happens next. Everything
else is newest first. History events that only repeat an activity, note or task
row (``activity_logged``, ``note_added``, ``task_done`` …) are left out: the row
itself is on the timeline. A handful of queries, however long the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any

import pendulum
from sqlmodel import Session, select

from store import clock, events
from store.dates import show_day
from store.errors import InvalidInput
from store.models import Activity, DealEvent, Note, Rep, Task
from store.terms import LEAD
from store.money import database_currency, format_money
from store.notes import summary_of

ACTIVITY, NOTE, TASK, EVENT = "activity", "note", "task", "event"
KINDS = frozenset({ACTIVITY, NOTE, TASK, EVENT})

# History that changed the deal itself, plus undos; the rest duplicates a row above.
SHOWN_EVENTS = events.DEAL_ROW_KINDS | events.PEOPLE_KINDS | {events.UNDONE}

# What an edit touched, in words (keys are the deal columns an event's "after" holds).
_COLUMN_WORDS = {
    "title": "title",
    "account_id": "account",
    "contact_id": "contact",
    "source": "source",
    "territory": "territory",
    "product": "product",
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a deal's timeline, as plain data."""

    kind: str  # "activity" | "note" | "task" | "event"
    id: int  # the activity's, note's, task's or event's id
    at: pendulum.DateTime  # UTC; done tasks: when done; open tasks: when added
    who: str | None
    headline: str  # one line, plain text
    detail: str | None = None  # a note's full body, an activity's whole outcome
    task_due: date | None = None
    task_done_at: pendulum.DateTime | None = None
    overdue: bool = False
    event_kind: str | None = None  # for events: the DealEvent kind
    activity_type: str | None = None
    milestone: str | None = None

    @property
    def is_open_task(self) -> bool:
        return self.kind == TASK and self.task_done_at is None

    @property
    def key(self) -> tuple[str, int]:
        """Unique within one deal's timeline."""
        return (self.kind, self.id)


def deal_timeline(
    session: Session,
    deal_id: int,
    *,
    kinds: frozenset[str] | None = None,
    today: date | None = None,
) -> list[TimelineEntry]:
    """The deal's timeline: open tasks on top, then everything else newest first.

    ``kinds`` keeps only some of "activity", "note", "task", "event"; ``today``
    (the rep's calendar day, default today in UTC) decides which tasks are overdue.
    """
    wanted = KINDS if kinds is None else frozenset(kinds)
    unknown = wanted - KINDS
    if unknown:
        raise InvalidInput(f"timeline kinds {sorted(unknown)} must be among {sorted(KINDS)}")
    today = today or clock.today_in("UTC")
    entries: list[TimelineEntry] = []
    open_tasks: list[TimelineEntry] = []
    if ACTIVITY in wanted:
        entries += _activities(session, deal_id)
    if NOTE in wanted:
        entries += _notes(session, deal_id)
    if TASK in wanted:
        for entry in _tasks(session, deal_id, today):
            (open_tasks if entry.is_open_task else entries).append(entry)
    if EVENT in wanted:
        entries += _events(session, deal_id, currency(session))
    open_tasks.sort(key=lambda e: (e.task_due, e.id))
    # At the same moment: notes, activities and tasks above history; later ids first.
    entries.sort(key=lambda e: (e.at, _TIE[e.kind], e.id), reverse=True)
    return open_tasks + entries


_TIE = {EVENT: 0, TASK: 1, ACTIVITY: 2, NOTE: 3}


def _utc(value: datetime | None) -> pendulum.DateTime | None:
    """``clock.aware`` for many rows: the same value, built a dozen times faster."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("refusing a naive datetime: say which timezone it is in")
    v = value.astimezone(timezone.utc)
    return pendulum.DateTime(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, tzinfo=pendulum.UTC)


# Columns, not ORM objects: a long timeline is read as plain rows.
def _activities(session: Session, deal_id: int) -> list[TimelineEntry]:
    rows = session.exec(
        select(
            Activity.id, Activity.occurred_at, Activity.type, Activity.milestone, Activity.outcome,
            Activity.duration_min, Rep.name,
        )
        .join(Rep, Rep.id == Activity.rep_id)
        .where(Activity.deal_id == deal_id)
    )
    return [
        TimelineEntry(
            kind=ACTIVITY,
            id=id_,
            at=_utc(occurred_at),
            who=name,
            headline=activity_headline(type_, milestone, outcome, duration),
            detail=outcome or None,
            activity_type=type_,
            milestone=milestone,
        )
        for id_, occurred_at, type_, milestone, outcome, duration, name in rows
    ]


def activity_headline(type_: str, milestone: str | None, outcome: str, duration_min: int | None = None) -> str:
    """``Meeting · rapport · 45 min: Walked Jo through the pilot``."""
    parts = [type_.capitalize()]
    if milestone:
        parts.append(milestone)
    if duration_min:
        parts.append(f"{duration_min} min")
    head = " · ".join(parts)
    return f"{head}: {outcome}" if outcome else head


def _notes(session: Session, deal_id: int) -> list[TimelineEntry]:
    rows = session.exec(
        select(Note.id, Note.created_at, Note.body, Rep.name).join(Rep, Rep.id == Note.rep_id).where(Note.deal_id == deal_id)
    )
    return [
        TimelineEntry(kind=NOTE, id=id_, at=_utc(created_at), who=name, headline=summary_of(body), detail=body)
        for id_, created_at, body, name in rows
    ]


def _tasks(session: Session, deal_id: int, today: date) -> list[TimelineEntry]:
    rows = session.exec(
        select(Task.id, Task.title, Task.due, Task.done_at, Task.created_at, Rep.name)
        .join(Rep, Rep.id == Task.owner_id)
        .where(Task.deal_id == deal_id)
    )
    entries = []
    for id_, title, due, done_at, created_at, owner in rows:
        done_at = _utc(done_at)
        entries.append(
            TimelineEntry(
                kind=TASK,
                id=id_,
                at=done_at or _utc(created_at),
                who=owner,
                headline=title,
                task_due=due,
                task_done_at=done_at,
                overdue=done_at is None and due < today,
            )
        )
    return entries


def currency(session: Session) -> str:
    """The database's currency code (one per database), for formatting money."""
    return database_currency(session)


def _events(session: Session, deal_id: int, currency: str) -> list[TimelineEntry]:
    rows = session.exec(
        select(DealEvent.id, DealEvent.at, DealEvent.kind, DealEvent.data, Rep.name)
        .join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
        .where(DealEvent.deal_id == deal_id, DealEvent.kind.in_(SHOWN_EVENTS))
    )
    return [
        TimelineEntry(
            kind=EVENT,
            id=id_,
            at=_utc(at),
            who=name,
            headline=event_headline(kind, data or {}, currency),
            # An undone note or activity keeps its text here, so it can be recovered.
            detail=(data or {}).get("body") if kind == events.UNDONE else None,
            event_kind=kind,
        )
        for id_, at, kind, data, name in rows
    ]


def event_headline(kind: str, data: dict[str, Any], currency: str = "USD") -> str:
    """One plain line saying what a history event changed."""
    line = _headline(kind, data, currency)
    if data.get("via") == "import":  # a re-import's update (store.import_update)
        line += f" (import of {data.get('imported') or 'a file'})"
    return line


def _headline(kind: str, data: dict[str, Any], currency: str) -> str:
    money = lambda cents: format_money(cents, currency) if cents is not None else "none"  # noqa: E731
    before, after = data.get("before", {}), data.get("after", {})
    move = " → ".join(str(name) for name in events.stage_names(data, "?"))
    if kind == events.CREATED:
        what = "a lead" if data.get("pipeline") == LEAD else "an opportunity"
        value = f" · {money(data['value'])}" if data.get("value") else ""
        unknown = " (date unknown: imported without one)" if data.get("created_unknown") else ""
        return f"Created as {what} in {data.get('to_stage', '?')}{value}{unknown}"
    if kind == events.STAGE_CHANGED:
        return move
    if kind == events.CONVERTED:
        return f"Converted to an opportunity: {move}"
    if kind == events.WON:
        return f"Won · {money(data.get('value'))}"
    if kind == events.LOST:
        # "Lost" for an opportunity, "Disqualified" for a lead: the stage says which.
        reason = data.get("reason")
        return f"{data.get('to_stage', 'Lost')}: {reason}" if reason else data.get("to_stage", "Lost")
    if kind == events.REOPENED:
        return f"Reopened: {move}"
    if kind == events.OWNER_CHANGED:
        return f"Owner {data.get('from', '?')} → {data.get('to', '?')}"
    if kind == events.VALUE_CHANGED:
        return f"Value {money(before.get('value'))} → {money(after.get('value'))}"
    if kind == events.CLOSE_DATE_CHANGED:
        return f"Expected close {before.get('expected_close') or 'none'} → {after.get('expected_close') or 'none'}"
    if kind == events.DETAILS_EDITED and list(after) == ["probability"]:
        shown = lambda p: f"{p}%" if p is not None else "the stage's"  # noqa: E731
        return f"Win probability {shown(before.get('probability'))} → {shown(after.get('probability'))}"
    if kind == events.DETAILS_EDITED:
        changed = [_COLUMN_WORDS.get(column, column.replace("_", " ")) for column in after]
        title = f" (now “{after['title']}”)" if "title" in after else ""
        return f"Edited {', '.join(changed) or 'details'}{title}"
    if kind == events.CONTACT_ADDED:
        return f"Contact {data.get('contact', '?')} added" + (" as the primary" if data.get("primary") else "")
    if kind == events.CONTACT_REMOVED:
        return f"Contact {data.get('contact', '?')} removed"
    if kind == events.PRIMARY_CONTACT_SET:
        return f"Primary contact now {data.get('contact', '?')}"
    if kind in (events.ACCOUNT_MERGED, events.CONTACT_MERGED):
        what = "Account" if kind == events.ACCOUNT_MERGED else "Contact"
        return f"{what} {data.get('from', '?')} merged into {data.get('into', '?')}"
    if kind == events.UNDONE:
        summary = data.get("summary") or data.get("kind", "change").replace("_", " ")
        return f"Undid the {summary}"
    return kind.replace("_", " ").capitalize()


def format_when(moment: datetime, now: datetime, tz: str) -> str:
    """When something happened, as the rep reads it in their timezone ``tz``.

    Within the last week: ``today 15:20``, ``yesterday 15:20``, ``Mon 09:10``;
    earlier (or later than today): ``3 Oct 14:00``, with the year when not this year's.
    """
    zone = _zone(tz)
    local = moment.astimezone(zone)
    days = (now.astimezone(zone).date() - local.date()).days
    clock_time = f"{local.hour:02d}:{local.minute:02d}"
    if days == 0:
        return f"today {clock_time}"
    if days == 1:
        return f"yesterday {clock_time}"
    if 1 < days < 7:
        return f"{_WEEKDAYS[local.weekday()]} {clock_time}"
    return f"{show_day(local.date(), now.astimezone(zone).date(), weekday=False)} {clock_time}"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@lru_cache(maxsize=64)
def _zone(tz: str):
    # The timeline formats one moment per line it draws: load each zone once.
    return pendulum.timezone(tz)
