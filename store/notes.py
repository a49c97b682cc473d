"""Notes: short summaries of outcomes. The first line must read at a glance."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pendulum
from sqlmodel import Session, select

from store import clock, events, permissions, validate
from store.errors import InvalidInput
from store.models import Note, Rep
from store.tx import write

MAX_SUMMARY = 120
# Far past any note a person writes; a pasted log or a runaway import cell is refused.
MAX_BODY = 100_000
# A note is a record of what happened; these openings describe a plan (a task).
_PLAN = re.compile(
    r"^\s*(?:(?:i|we)(?:\s+|(?=['’]ll)))?(?:will|['’]ll|need(?:s)? to|must|should|to ?do|todo|follow[\s-]?up|remember to|"
    r"call back|schedule|plan to|going to|gonna)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NoteInfo:
    id: int
    deal_id: int
    rep_id: int
    rep_name: str
    body: str
    created_at: pendulum.DateTime

    @property
    def summary(self) -> str:
        return summary_of(self.body)


def summary_of(body: str) -> str:
    return body.strip().splitlines()[0].strip() if body.strip() else ""


def looks_like_plan(body: str) -> bool:
    """True for "will call Tuesday", "need to send pricing", "todo: …", "follow up …"."""
    return bool(_PLAN.match(summary_of(body)))


def add_note(session: Session, deal_id: int, body: str, *, by: int) -> NoteInfo:
    body = validate.text(body, "the note").strip()
    if not body:
        raise InvalidInput("the note is empty")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"the note is {len(body):,} characters; keep it under {MAX_BODY:,}")
    validate.ident(deal_id, "deal")
    validate.ident(by, "rep")
    if len(summary_of(body)) > MAX_SUMMARY:
        raise InvalidInput(
            f"the first line is the summary the timeline shows: keep it under {MAX_SUMMARY} characters"
        )
    with write(session):
        deal, rep = permissions.deal_for_work(session, deal_id, by, "add a note to")
        note = Note(deal_id=deal_id, rep_id=by, body=body, created_at=clock.now())
        session.add(note)
        session.flush()
        events.record(session, deal_id, by, events.NOTE_ADDED, events.note_added(note.id, summary_of(body)))
        info = NoteInfo(
            id=note.id, deal_id=deal_id, rep_id=by, rep_name=rep.name, body=body, created_at=clock.aware(note.created_at)
        )
    return info


def deal_notes(session: Session, deal_id: int) -> list[NoteInfo]:
    rows = session.exec(
        select(Note, Rep.name)
        .join(Rep, Rep.id == Note.rep_id)
        .where(Note.deal_id == deal_id)
        .order_by(Note.created_at.desc(), Note.id.desc())
    )
    return [
        NoteInfo(id=n.id, deal_id=n.deal_id, rep_id=n.rep_id, rep_name=name, body=n.body, created_at=clock.aware(n.created_at))
        for n, name in rows
    ]
