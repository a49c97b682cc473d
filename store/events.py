"""The deal history: every write records who changed what, and when."""

from __future__ import annotations

from dataclasses import dataclass
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
# Who the deal is with (store.people): versioned writes of the deal row, shown on its
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
