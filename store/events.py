"""The deal history: every write records who changed what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import pendulum
from sqlmodel import Session, func, select

from store import clock
from store.models import DealEvent, Rep

# Kinds that change the deal row itself (and carry the version they produced).
CREATED = "created"
STAGE_CHANGED = "stage_changed"
CONVERTED = "converted"
WON = "won"
LOST = "lost"
REOPENED = "reopened"
OWNER_CHANGED = "owner_changed"
VALUE_CHANGED = "value_changed"
CLOSE_DATE_CHANGED = "close_date_changed"
DETAILS_EDITED = "details_edited"
# Kinds that record work on a deal without changing the deal row.
ACTIVITY_LOGGED = "activity_logged"
TASK_ADDED = "task_added"
TASK_DONE = "task_done"
TASK_REOPENED = "task_reopened"
TASK_RESCHEDULED = "task_rescheduled"
NOTE_ADDED = "note_added"
UNDONE = "undone"
# Who the deal is with (store.contacts, store.merges): versioned writes of the deal row, shown on its
# timeline, but not undone with `u` (a merged-away account or contact is gone).
CONTACT_ADDED = "contact_added"
CONTACT_REMOVED = "contact_removed"
PRIMARY_CONTACT_SET = "primary_contact_set"
ACCOUNT_MERGED = "account_merged"
CONTACT_MERGED = "contact_merged"
PEOPLE_KINDS = frozenset({CONTACT_ADDED, CONTACT_REMOVED, PRIMARY_CONTACT_SET, ACCOUNT_MERGED, CONTACT_MERGED})

DEAL_ROW_KINDS = frozenset(
    {
        CREATED,
        STAGE_CHANGED,
        CONVERTED,
        WON,
        LOST,
        REOPENED,
        OWNER_CHANGED,
        VALUE_CHANGED,
        CLOSE_DATE_CHANGED,
        DETAILS_EDITED,
    }
)


@dataclass(frozen=True)
class EventInfo:
    id: int
    deal_id: int
    kind: str
    at: pendulum.DateTime
    rep_id: int | None
    rep_name: str | None
    data: dict[str, Any]
    undoes_id: int | None


def record(
    session: Session,
    deal_id: int,
    rep_id: int | None,
    kind: str,
    data: dict[str, Any] | None = None,
    *,
    undoes_id: int | None = None,
    at: pendulum.DateTime | None = None,
) -> DealEvent:
    event = DealEvent(
        deal_id=deal_id,
        rep_id=rep_id,
        at=at or clock.now(),
        kind=kind,
        data=data or {},
        undoes_id=undoes_id,
    )
    session.add(event)
    return event


def history(session: Session, deal_id: int) -> list[EventInfo]:
    """Every event of a deal, oldest first."""
    rows = session.exec(
        select(DealEvent, Rep.name)
        .join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
        .where(DealEvent.deal_id == deal_id)
        .order_by(DealEvent.at, DealEvent.id)
    )
    return [
        EventInfo(
            id=e.id,
            deal_id=e.deal_id,
            kind=e.kind,
            at=clock.aware(e.at),
            rep_id=e.rep_id,
            rep_name=name,
            data=dict(e.data),
            undoes_id=e.undoes_id,
        )
        for e, name in rows
    ]


def latest_id(session: Session) -> int:
    """The newest event's id (0 in an empty database): a marker for "changes since now"."""
    return session.exec(select(func.max(DealEvent.id))).one() or 0


# --- what each kind records in ``data``: built here, by every writer ---------------------------
# The stored JSON keeps its keys in the order written (SQLite's text, the export's lines): these
# functions fix that order, so a payload is the same whichever module records it.


def column_value(value: Any) -> Any:
    """A deal column's value as ``row_change`` stores it (and undo reads it back): a moment as
    ISO text in UTC, a day as an ISO date, anything else as it is."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("refusing a naive datetime: say which timezone it is in")
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_change(before: dict[str, Any], after: dict[str, Any], version: int, **extra: Any) -> dict[str, Any]:
    """A change of deal-row columns (every ``DEAL_ROW_KINDS`` and ``PEOPLE_KINDS`` event): the
    columns' values ``before`` (what undo restores) and ``after``, the version the write made,
    then the kind's own keys (``stage_move``, ``owner_change``…)."""
    return {"before": before, "after": after, "version": version, **extra}


def created(pipeline: str, to_stage: str, value: int, version: int = 1, **more: Any) -> dict[str, Any]:
    return {"pipeline": pipeline, "to_stage": to_stage, "value": value, "version": version, **more}


def stage_move(from_stage: str, to_stage: str, **more: Any) -> dict[str, Any]:
    """The keys of a move between stages (stage_changed, converted, reopened; won adds
    ``value``, lost ``reason``) after ``row_change``'s."""
    return {"from_stage": from_stage, "to_stage": to_stage, **more}


def stage_names(data: dict[str, Any], missing: Any = None) -> tuple[Any, Any]:
    """The (from, to) stage names a ``stage_move`` payload holds; ``missing`` for a key it lacks."""
    return data.get("from_stage", missing), data.get("to_stage", missing)


def owner_change(from_name: str, to_name: str, **more: Any) -> dict[str, Any]:
    return {"from": from_name, "to": to_name, **more}


def merged(from_name: str, into_name: str) -> dict[str, Any]:
    """account_merged and contact_merged: the name merged away and the one kept."""
    return {"from": from_name, "into": into_name}


def contact(name: str, **more: Any) -> dict[str, Any]:
    """contact_added (with ``primary``), contact_removed, primary_contact_set."""
    return {"contact": name, **more}


def activity_logged(activity_id: int, type: str, milestone: str | None, outcome: str, **more: Any) -> dict[str, Any]:
    return {"activity_id": activity_id, "type": type, "milestone": milestone, "outcome": outcome, **more}


def note_added(note_id: int, summary: str, **more: Any) -> dict[str, Any]:
    return {"note_id": note_id, "summary": summary, **more}


def task_added(task_id: int, title: str, due: date, **more: Any) -> dict[str, Any]:
    return {"task_id": task_id, "title": title, "due": due.isoformat(), **more}


def task_done(task_id: int, title: str, **more: Any) -> dict[str, Any]:
    """``with_deal=True`` in ``more``: closed because its deal closed (``tasks.close_open_tasks``)."""
    return {"task_id": task_id, "title": title, **more}


def task_reopened(task_id: int, title: str, done_at: datetime) -> dict[str, Any]:
    # When it had been done, so that undoing the reopening can put that back.
    return {"task_id": task_id, "title": title, "done_at": done_at.isoformat()}


def task_rescheduled(task_id: int, title: str, from_due: date, to_due: date) -> dict[str, Any]:
    return {"task_id": task_id, "title": title, "from": from_due.isoformat(), "to": to_due.isoformat()}


def undone(kind: str, summary: str, **more: Any) -> dict[str, Any]:
    """What an undo reversed: its kind and summary, then ``version`` for a row change or
    what the removed work kept (an activity's time and body, a note's text)."""
    return {"kind": kind, "summary": summary, **more}
