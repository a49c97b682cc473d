"""Undo the last change a rep made to a deal.

Deal-row changes carry the columns' ``before`` values and the version they
produced; undo restores those values only if nobody changed the deal since.
Work recorded on a deal (an activity, a task, a note) is removed or reverted.
Nothing is erased from the history: an "undone" event points at what it reversed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import Session, select

from store import clock, events, rollups
from store.activities import refresh_deal_activity
from store.deals import DealDetail, check_version, deserialise, get_deal
from store.errors import NotFound, RuleViolation
from store.models import Activity, Deal, DealEvent, Note, Rep, Task
from store.tasks import refresh_next_due, task_conflict, write_task
from store.tx import write

UNDOABLE = events.DEAL_ROW_KINDS - {events.CREATED} | {
    events.ACTIVITY_LOGGED,
    events.TASK_ADDED,
    events.TASK_DONE,
    events.TASK_REOPENED,
    events.TASK_RESCHEDULED,
    events.NOTE_ADDED,
}

TASK_KINDS = {events.TASK_ADDED, events.TASK_DONE, events.TASK_REOPENED, events.TASK_RESCHEDULED}

DESCRIPTIONS = {
    events.STAGE_CHANGED: "stage move",
    events.CONVERTED: "conversion",
    events.WON: "won",
    events.LOST: "lost",
    events.REOPENED: "reopening",
    events.OWNER_CHANGED: "owner change",
    events.VALUE_CHANGED: "value change",
    events.CLOSE_DATE_CHANGED: "close date change",
    events.DETAILS_EDITED: "edit",
    events.ACTIVITY_LOGGED: "logged activity",
    events.TASK_ADDED: "new task",
    events.TASK_DONE: "task completion",
    events.TASK_REOPENED: "task reopening",
    events.TASK_RESCHEDULED: "task reschedule",
    events.NOTE_ADDED: "note",
}


@dataclass(frozen=True)
class Undone:
    description: str  # "Undid the stage move (Proposal → Negotiation)"
    deal: DealDetail


def _last_change(session: Session, deal_id: int, rep_id: int) -> list[DealEvent]:
    """The rep's most recent change to the deal not yet undone: one write's events."""
    undone = set(
        session.exec(
            select(DealEvent.undoes_id).where(DealEvent.deal_id == deal_id, DealEvent.kind == events.UNDONE)
        )
    )
    candidates = session.exec(
        select(DealEvent)
        .where(DealEvent.deal_id == deal_id, DealEvent.rep_id == rep_id, DealEvent.kind.in_(UNDOABLE))
        .order_by(DealEvent.id.desc())
    )
    for event in candidates:
        if event.id in undone:
            continue
        if event.kind not in events.DEAL_ROW_KINDS:
            return [event]
        version = event.data.get("version")
        group = session.exec(
            select(DealEvent).where(
                DealEvent.deal_id == deal_id,
                DealEvent.rep_id == rep_id,
                DealEvent.kind.in_(events.DEAL_ROW_KINDS),
                DealEvent.id <= event.id,
            ).order_by(DealEvent.id.desc())
        )
        return [e for e in group if e.data.get("version") == version and e.id not in undone]
    return []


def _describe(event: DealEvent) -> str:
    what = DESCRIPTIONS.get(event.kind, event.kind)
    data = event.data
    if "from_stage" in data:
        return f"{what} ({data['from_stage']} → {data['to_stage']})"
    if "title" in data:
        return f"{what} “{data['title']}”"
    return what


def undo_last(session: Session, deal_id: int, *, version: int, by: int) -> Undone:
    with write(session):
        deal = session.get(Deal, deal_id, populate_existing=True)
        if deal is None:
            raise NotFound(f"no deal with id {deal_id}")
        check_version(session, deal, version)
        if session.get(Rep, by) is None:
            raise NotFound(f"no rep with id {by}")
        change = _last_change(session, deal_id, by)
        if not change:
            raise RuleViolation(f"nothing of yours to undo on “{deal.title}”")
        head = change[0]
        if head.kind in events.DEAL_ROW_KINDS:
            _undo_row_change(session, deal, change, by)
        else:
            _undo_work(session, deal, head, by)
        description = "undid the " + "; ".join(_describe(e) for e in reversed(change))
    return Undone(description, get_deal(session, deal_id))


def _undo_row_change(session: Session, deal: Deal, change: list[DealEvent], by: int) -> None:
    # Later changes to the row, by anyone, must themselves have been undone.
    undone = set(
        session.exec(
            select(DealEvent.undoes_id).where(DealEvent.deal_id == deal.id, DealEvent.kind == events.UNDONE)
        )
    )
    later = session.exec(
        select(DealEvent, Rep.name)
        .join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
        .where(
            DealEvent.deal_id == deal.id,
            DealEvent.id > change[0].id,
            DealEvent.kind.in_(events.DEAL_ROW_KINDS),
        )
    )
    for event, who in later:
        if event.id not in undone:
            raise RuleViolation(
                f"“{deal.title}” was changed again by {who or 'someone'} after your "
                f"{DESCRIPTIONS[change[0].kind]}: undoing it would overwrite that"
            )
    restore: dict = {}
    for event in change:
        for column, value in event.data["before"].items():
            restore[column] = deserialise(column, value)
    now = clock.now()
    current = deal.version
    result = session.execute(
        update(Deal)
        .where(Deal.id == deal.id, Deal.version == current)
        .values(**restore, version=Deal.version + 1, updated_at=now, updated_by_id=by)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise RuleViolation(f"“{deal.title}” changed while undoing; reload and try again")
    for event in change:
        events.record(
            session,
            deal.id,
            by,
            events.UNDONE,
            {"kind": event.kind, "summary": _describe(event), "version": current + 1},
            undoes_id=event.id,
            at=now,
        )
    session.flush()


def _refuse_if_task_changed_since(session: Session, deal: Deal, task: Task, event: DealEvent) -> None:
    """Later changes to the task, by anyone, must themselves have been undone:
    undoing a reschedule must not take back the move someone else made after it."""
    undone = set(
        session.exec(
            select(DealEvent.undoes_id).where(DealEvent.deal_id == deal.id, DealEvent.kind == events.UNDONE)
        )
    )
    later = session.exec(
        select(DealEvent, Rep.name)
        .join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
        .where(DealEvent.deal_id == deal.id, DealEvent.id > event.id, DealEvent.kind.in_(TASK_KINDS))
        .order_by(DealEvent.id)
    )
    for later_event, who in later:
        if later_event.data.get("task_id") == task.id and later_event.id not in undone:
            raise RuleViolation(
                f"“{task.title}” was changed again by {who or 'someone'} after your "
                f"{DESCRIPTIONS[event.kind]}: undoing it would overwrite that"
            )


def _undo_work(session: Session, deal: Deal, event: DealEvent, by: int) -> None:
    data = event.data
    if event.kind == events.ACTIVITY_LOGGED:
        activity = session.get(Activity, data["activity_id"])
        if activity is not None:
            rollups.activity_counted(
                session,
                rep_id=activity.rep_id,
                type=activity.type,
                milestone=activity.milestone,
                occurred_at=clock.aware(activity.occurred_at),
                sign=-1,
            )
            session.delete(activity)
            session.flush()
        refresh_deal_activity(session, deal.id)
    elif event.kind == events.NOTE_ADDED:
        note = session.get(Note, data["note_id"])
        if note is not None:
            session.delete(note)
    else:
        task = session.get(Task, data["task_id"], populate_existing=True)
        if task is None:
            raise RuleViolation(f"the task “{data.get('title', '')}” no longer exists")
        if event.kind == events.TASK_ADDED and task.done_at is not None:
            raise RuleViolation(f"“{task.title}” is already done: reopen it rather than undo it")
        _refuse_if_task_changed_since(session, deal, task, event)
        if event.kind == events.TASK_ADDED:
            # Conditional on the version read: a task someone changed meanwhile stays.
            deleted = session.execute(
                delete(Task).where(Task.id == task.id, Task.version == task.version)
                .execution_options(synchronize_session=False)
            )
            if deleted.rowcount != 1:
                raise task_conflict(session, task.id, task.version, by)
            session.expunge(task)
        elif event.kind == events.TASK_DONE:
            write_task(session, task, by, done_at=None)
        elif event.kind == events.TASK_REOPENED:
            # When it was done before the reopening (older events lack it).
            done_at = data.get("done_at")
            write_task(session, task, by, done_at=deserialise("done_at", done_at) if done_at else event.at)
        elif event.kind == events.TASK_RESCHEDULED:
            write_task(session, task, by, due=deserialise("expected_close", data["from"]))
    events.record(
        session, deal.id, by, events.UNDONE, {"kind": event.kind, "summary": _describe(event)}, undoes_id=event.id
    )
    session.flush()
    if event.kind not in (events.ACTIVITY_LOGGED, events.NOTE_ADDED):
        refresh_next_due(session, [deal.id])
