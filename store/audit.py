"""The record of team administration: who added a rep, renamed a stage, changed a
setting, and when. Deals keep their own history (DealEvent); everything else a
manager changes is written here, in the transaction of the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from store import clock
from store.models import AdminEvent, Rep

MAX_SUBJECT = 200


@dataclass(frozen=True)
class AdminRecord:
    id: int
    at: datetime
    actor: str | None  # the acting rep's handle; None when no rep was signed in
    kind: str
    subject: str
    data: dict[str, Any]


def record(session: Session, by: int | None, kind: str, subject: str, **data: Any) -> None:
    """Add one record to the caller's transaction (the caller commits)."""
    session.add(AdminEvent(at=clock.now(), rep_id=by, kind=kind, subject=subject[:MAX_SUBJECT], data=data))


def history(session: Session, *, limit: int = 200) -> list[AdminRecord]:
    """The newest records first."""
    rows = session.exec(
        select(AdminEvent, Rep.handle)
        .join(Rep, Rep.id == AdminEvent.rep_id, isouter=True)
        .order_by(AdminEvent.id.desc())
        .limit(limit)
    )
    return [
        AdminRecord(id=e.id, at=clock.aware(e.at), actor=handle, kind=e.kind, subject=e.subject, data=dict(e.data))
        for e, handle in rows
    ]
