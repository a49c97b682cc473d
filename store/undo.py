"""Undo the last change a rep made to a deal.

Deal-row changes carry the columns' ``before`` values and the version they
produced; undo restores those values only if nobody changed the deal since.
Work recorded on a deal (an activity, a task, a note) is removed or reverted.
Nothing is erased from the history: an "undone" event points at what it reversed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from store import clock, events, permissions, rollups
from store.activities import refresh_deal_activity
from store.deal_detail import DealDetail, get_deal
from store.deal_rows import check_version, deserialise, update_row
from store.errors import NotFound, RuleViolation
from store.models import LEAD, Activity, Deal, DealEvent, Note, Rep, Task
from store.money import format_money
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
    origin, target = events.stage_names(data)
    if "from_stage" in data:
        return f"{what} ({origin} → {target})"
    if "title" in data:
        return f"{what} “{data['title']}”"
    return what


def undo_last(session: Session, deal_id: int, *, version: int, by: int) -> Undone:
    with write(session):
        deal = session.get(Deal, deal_id, populate_existing=True)
        if deal is None:
            raise NotFound(f"no deal with id {deal_id}")
        if session.get(Rep, by) is None:
            raise NotFound(f"no rep with id {by}")
        check_version(session, deal, version)
        change = _last_change(session, deal_id, by)
        if not change:
            raise RuleViolation(f"nothing of yours to undo on “{deal.title}”")
        head = change[0]
        _require_undo(session, by, deal, head)
        if head.kind in events.DEAL_ROW_KINDS:
            _undo_row_change(session, deal, change, by)
        else:
            _undo_work(session, deal, head, by)
        description = "undid the " + "; ".join(_describe(e) for e in reversed(change))
    return Undone(description, get_deal(session, deal_id))


def _require_undo(session: Session, by: int, deal: Deal, head: DealEvent) -> None:
    """Undo is a new change: the rep must still be allowed to make it now (the deal may
    have gone to another team since). A task's change is the task's owner's to undo too."""
    task_id = head.data.get("task_id") if head.kind in TASK_KINDS else None
    task = session.get(Task, task_id) if task_id is not None else None
    if task is not None:
        permissions.require_task_change(session, by, task, "undo a change to")
    else:
        permissions.require_deal_change(session, by, deal, "undo a change to")


def _undo_row_change(session: Session, deal: Deal, change: list[DealEvent], by: int) -> None:
    # Later changes to the row, by anyone, must themselves have been undone.
    # A merge or a contact change counts: undoing past it could point the deal at a
    # contact or account merged away.
    for _event, who in _later_changes(session, deal.id, change[0].id, events.DEAL_ROW_KINDS | events.PEOPLE_KINDS):
        raise RuleViolation(
            f"“{deal.title}” was changed again by {who or 'someone'} after your "
            f"{DESCRIPTIONS[change[0].kind]}: undoing it would overwrite that"
        )
    restore: dict = {}
    for event in change:
        for column, value in event.data["before"].items():
            restore[column] = deserialise(column, value)
    now = clock.now()
    new_version = update_row(session, deal.id, deal.version, by, restore, now)
    for event in change:
        events.record(
            session,
            deal.id,
            by,
            events.UNDONE,
            events.undone(event.kind, _describe(event), version=new_version),
            undoes_id=event.id,
            at=now,
        )
    session.flush()


def _refuse_if_task_changed_since(session: Session, deal: Deal, task: Task, event: DealEvent) -> None:
    """Later changes to the task, by anyone, must themselves have been undone:
    undoing a reschedule must not take back the move someone else made after it."""
    for later_event, who in _later_changes(session, deal.id, event.id, TASK_KINDS):
        if later_event.data.get("task_id") == task.id:
            raise RuleViolation(
                f"“{task.title}” was changed again by {who or 'someone'} after your "
                f"{DESCRIPTIONS[event.kind]}: undoing it would overwrite that"
            )


def _later_changes(session: Session, deal_id: int, after_id: int, kinds) -> list[tuple[DealEvent, str | None]]:
    """The deal's events of ``kinds`` recorded after ``after_id`` and not undone since, with who made them."""
    undone = set(
        session.exec(select(DealEvent.undoes_id).where(DealEvent.deal_id == deal_id, DealEvent.kind == events.UNDONE))
    )
    later = session.exec(
        select(DealEvent, Rep.name)
        .join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
        .where(DealEvent.deal_id == deal_id, DealEvent.id > after_id, DealEvent.kind.in_(kinds))
        .order_by(DealEvent.id)
    )
    return [(event, who) for event, who in later if event.id not in undone]


def _undo_work(session: Session, deal: Deal, event: DealEvent, by: int) -> None:
    data = event.data
    kept: dict = {}
    if event.kind == events.ACTIVITY_LOGGED:
        activity = session.get(Activity, data["activity_id"])
        if activity is not None:
            kept = {"occurred_at": clock.aware(activity.occurred_at).isoformat(), "body": activity.outcome or None}
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
            # The undone event keeps the text: a rep who undid the wrong thing can copy it back.
            kept = {"summary": f"note “{data.get('summary') or ''}”", "body": note.body}
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
            write_task(session, task, by, what="undo a change to", done_at=None)
        elif event.kind == events.TASK_REOPENED:
            # When it was done before the reopening (older events lack it).
            done_at = data.get("done_at")
            write_task(session, task, by, what="undo a change to", done_at=deserialise("done_at", done_at) if done_at else event.at)
        elif event.kind == events.TASK_RESCHEDULED:
            write_task(session, task, by, what="undo a change to", due=deserialise("expected_close", data["from"]))
    kept = {k: v for k, v in kept.items() if v}  # a note's own summary stands for the description
    record = events.undone(event.kind, kept.pop("summary", _describe(event)), **kept)
    events.record(session, deal.id, by, events.UNDONE, record, undoes_id=event.id)
    session.flush()
    if event.kind not in (events.ACTIVITY_LOGGED, events.NOTE_ADDED):
        refresh_next_due(session, [deal.id])


# --- the rep's own changes in this session, newest first ---------------------------------------

# A change older than this is not undone by a key press, even in a terminal left open overnight.
UNDO_WINDOW = timedelta(hours=12)


# ``events.latest_id`` when a terminal opens: ``undo_latest`` takes only changes recorded
# after it, so ``u`` never reaches back into yesterday's work.
session_start = events.latest_id


def undo_latest(session: Session, *, by: int, since: int) -> Undone:
    """Undo the rep's most recent change recorded after event ``since``, on whichever deal.

    Refused, with nothing written, when there is none, when it is older than
    ``UNDO_WINDOW``, or when anyone has written to that deal since (their change would
    be overwritten or orphaned). Repeated calls walk back through the rep's changes.
    """
    with write(session):
        if session.get(Rep, by) is None:
            raise NotFound(f"no rep with id {by}")
        undone = set(
            session.exec(select(DealEvent.undoes_id).where(DealEvent.kind == events.UNDONE, DealEvent.id > since))
        )
        mine = session.exec(
            select(DealEvent)
            .where(DealEvent.rep_id == by, DealEvent.id > since, DealEvent.kind.in_(UNDOABLE))
            .order_by(DealEvent.id.desc())
        )
        head = next((e for e in mine if e.id not in undone), None)
        if head is None:
            raise RuleViolation("Nothing of yours to undo: undo reaches only changes made since you opened Legwork")
        deal = session.get(Deal, head.deal_id, populate_existing=True)
        _require_undo(session, by, deal, head)
        now = clock.now()
        if now - clock.aware(head.at) > UNDO_WINDOW:
            raise RuleViolation(
                f"Your last change, the {_describe(head)} on “{deal.title}”, is over "
                f"{UNDO_WINDOW // timedelta(hours=1)} hours old: change it by hand"
            )
        change = _last_change(session, deal.id, by)
        if not change or change[0].id != head.id:  # the rep's history on the deal disagrees: be safe
            raise RuleViolation(f"Your last change on “{deal.title}” cannot be undone: change it by hand")
        later = session.exec(
            select(DealEvent, Rep.name)
            .join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
            .where(DealEvent.deal_id == deal.id, DealEvent.id > head.id, DealEvent.kind != events.UNDONE)
            .order_by(DealEvent.id)
        )
        for event, who in later:
            if event.id not in undone:
                someone = "you" if event.rep_id == by else (who or "someone")
                raise RuleViolation(
                    f"Not undone: {someone} changed “{deal.title}” after your {_describe(head)} "
                    f"({DESCRIPTIONS.get(event.kind, event.kind.replace('_', ' '))}); change it by hand"
                )
        if head.kind in events.DEAL_ROW_KINDS:
            _undo_row_change(session, deal, change, by)
        else:
            _undo_work(session, deal, head, by)
        after = get_deal(session, deal.id)
        description = "Undid: " + _what_was_undone(session, head, after)
    return Undone(description, after)


# The toast after an undo, per kind: what the change was, and where the deal or work is now.
# {title} is the deal's, quoted; {stage} the stage it is in after the undo; {task} the task's title.
_UNDID = {
    events.LOST: "{lost} {title} — back in {stage}",
    events.STAGE_CHANGED: "moved {title} {from_stage} → {to_stage} — back in {stage}",
    events.CONVERTED: "converted {title} — a lead again, in {stage}",
    events.REOPENED: "reopened {title} — closed again as {stage}",
    events.ACTIVITY_LOGGED: "{type} logged on {title} — removed",
    events.NOTE_ADDED: "note on {title} “{summary}” — its text stays in the timeline",
    events.TASK_ADDED: "new task {task} on {title} — removed",
    events.TASK_DONE: "done {task} on {title} — open again",
    events.TASK_REOPENED: "reopened task {task} on {title} — done again",
    events.TASK_RESCHEDULED: "rescheduled {task} on {title} — due {from_due} again",
}


def _what_was_undone(session: Session, head: DealEvent, deal: DealDetail) -> str:
    """The toast after an undo: what the change was, and where the deal or work is now."""
    from store.timeline import currency  # the database's currency, for the won value

    data, title = head.data, f"“{deal.title}”"
    if head.kind == events.WON:
        value = data.get("value", deal.value)
        return f"won {title} ({format_money(value, currency(session))}) — back in {deal.stage_name}"
    if head.kind in events.DEAL_ROW_KINDS and head.kind not in _UNDID:
        return f"{_describe(head)} of {title} — the previous values are back"
    origin, target = events.stage_names(data)
    return _UNDID.get(head.kind, _UNDID[events.TASK_RESCHEDULED]).format(
        title=title,
        stage=deal.stage_name,
        lost="disqualified" if deal.pipeline == LEAD else "lost",
        from_stage=origin,
        to_stage=target,
        type=data.get("type", "activity"),
        summary=data.get("summary", ""),
        task=f"“{data.get('title', '')}”",
        from_due=data.get("from"),
    )
