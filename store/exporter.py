"""Export deals, activities, tasks, notes and deal history as CSV or JSON, and a rep's calendar as iCalendar.

The columns are the import's own field names (import_fields.py), so ``legwork
import`` reads an export back as it is: export, then import into an empty
database, and the same deals, stages, values, activities, tasks and notes come
back. ``events`` is every deal's history (DealEvent: when, what, who, its data as JSON,
the event it undid), which ``legwork import --kind events`` puts back in place of the
history an import records. A deal is named by its external id, or — if it has none — by the stable key
the importer gives such deals (``store.deal_keys``); activities, tasks and
notes name their deal the same way, so they link to it on the way back in.

Rows are read a few thousand at a time and written as they come, so a
million-activity export never holds the whole table in memory.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import IO, Callable, Iterator

from sqlalchemy import func, select
from sqlmodel import Session

from store import clock, csv_cells, settings
from store.deal_keys import deal_key_rows, deal_keys
from store.errors import InvalidInput, NotFound
from store.money import format_amount
from store.models import (
    OPEN,
    PIPELINES,
    Account,
    Activity,
    Contact,
    Deal,
    DealEvent,
    Note,
    Rep,
    Stage,
    Task,
)

UTC = timezone.utc
WHAT = ("deals", "activities", "tasks", "notes", "events")
FORMATS = ("csv", "json")
CHUNK = 5000

COLUMNS: dict[str, tuple[str, ...]] = {
    "deals": (
        "external_id", "title", "pipeline", "stage", "value", "currency", "account", "contact", "contact_email",
        "contact_phone", "contact_job_title", "owner", "owner_handle", "expected_close", "created_at",
        "stage_entered_at", "converted_at", "closed_at", "lost_reason", "source", "territory", "product",
        "probability",
    ),
    "activities": (
        "deal_external_id", "deal_title", "account", "type", "milestone", "occurred_at", "duration_min", "outcome",
        "rep", "rep_handle",
    ),
    "tasks": (
        "deal_external_id", "deal_title", "account", "title", "due", "done_at", "owner", "owner_handle", "created_at",
    ),
    "notes": ("deal_external_id", "deal_title", "account", "body", "created_at", "rep", "rep_handle"),
    "events": (
        "deal_external_id", "deal_title", "account", "event_id", "at", "kind", "actor", "actor_handle", "data",
        "undoes_event_id",
    ),
}


@dataclass(frozen=True)
class DealFilter:
    """Which deals (and which deals' work) to export; the default is everything."""

    pipeline: str | None = None
    owner_id: int | None = None
    open_only: bool = False


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return clock.aware(value).astimezone(UTC).isoformat()


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _filtered(query, deal_filter: DealFilter):
    if deal_filter.pipeline:
        query = query.where(Deal.pipeline == deal_filter.pipeline)
    if deal_filter.owner_id is not None:
        query = query.where(Deal.owner_id == deal_filter.owner_id)
    if deal_filter.open_only:
        query = query.where(Deal.stage_id.in_(select(Stage.id).where(Stage.kind == OPEN)))
    return query


def _stream(session: Session, query) -> Iterator:
    return iter(session.execute(query.execution_options(yield_per=CHUNK)))


def rows(session: Session, what: str, deal_filter: DealFilter = DealFilter()) -> Iterator[dict[str, str]]:
    """The export's rows as ``{column: text}``, in the order they were created."""
    if what not in WHAT:
        raise InvalidInput(f"export {what!r}: choose one of {', '.join(WHAT)} (or calendar)")
    if deal_filter.pipeline is not None and deal_filter.pipeline not in PIPELINES:
        raise InvalidInput(f"pipeline {deal_filter.pipeline!r} must be one of {', '.join(PIPELINES)}")
    keys = deal_keys(deal_key_rows(session))
    return {"deals": _deals, "activities": _activities, "tasks": _tasks, "notes": _notes, "events": _events}[what](
        session, keys, deal_filter
    )


def _deals(session: Session, keys: dict[int, str], deal_filter: DealFilter) -> Iterator[dict[str, str]]:
    currency = settings.currency(session)
    query = _filtered(
        select(
            Deal.id, Deal.title, Deal.pipeline, Stage.name, Deal.value, Account.name, Contact.name, Contact.email,
            Contact.phone, Contact.job_title, Rep.name, Rep.handle, Deal.expected_close, Deal.created_at,
            Deal.stage_entered_at, Deal.converted_at, Deal.closed_at, Deal.lost_reason, Deal.source,
            Deal.territory, Deal.product, Deal.probability, Deal.created_known,
        )
        .join(Stage, Stage.id == Deal.stage_id)
        .join(Rep, Rep.id == Deal.owner_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .join(Contact, Contact.id == Deal.contact_id, isouter=True)
        .order_by(Deal.id),
        deal_filter,
    )
    for (deal_id, title, pipeline, stage, value, account, contact, email, phone, job, owner, handle, expected,
         created, entered, converted, closed, reason, source, territory, product, probability,
         created_known) in _stream(session, query):
        yield {
            "external_id": keys[deal_id],
            "title": title,
            "pipeline": pipeline,
            "stage": stage,
            "value": format_amount(value),
            "currency": currency,
            "account": account or "",
            "contact": contact or "",
            "contact_email": email or "",
            "contact_phone": phone or "",
            "contact_job_title": job or "",
            "owner": owner,
            "owner_handle": handle,
            "expected_close": _day(expected),
            # Unknown (an import without one): left empty, so an import of this file marks it so again.
            "created_at": _moment(created) if created_known else "",
            "stage_entered_at": _moment(entered),
            "converted_at": _moment(converted),
            "closed_at": _moment(closed),
            "lost_reason": reason or "",
            "source": source or "",
            "territory": territory or "",
            "product": product or "",
            # The deal's own, as "60%" (never read as a 0-1 fraction); empty: its stage's.
            "probability": f"{probability}%" if probability is not None else "",
        }


def _work_query(model, deal_filter: DealFilter, *columns):
    return _filtered(
        select(*columns, Deal.id, Deal.title, Account.name)
        .join(Deal, Deal.id == model.deal_id)
        .join(Account, Account.id == Deal.account_id, isouter=True),
        deal_filter,
    ).order_by(model.id)


def _activities(session: Session, keys: dict[int, str], deal_filter: DealFilter) -> Iterator[dict[str, str]]:
    query = _work_query(
        Activity, deal_filter, Activity.type, Activity.milestone, Activity.occurred_at, Activity.duration_min,
        Activity.outcome, Rep.name, Rep.handle,
    ).join(Rep, Rep.id == Activity.rep_id)
    for type_, milestone, occurred, duration, outcome, rep, handle, deal_id, title, account in _stream(session, query):
        yield {
            "deal_external_id": keys[deal_id], "deal_title": title, "account": account or "", "type": type_,
            "milestone": milestone or "", "occurred_at": _moment(occurred),
            "duration_min": "" if duration is None else str(duration), "outcome": outcome, "rep": rep,
            "rep_handle": handle,
        }


def _tasks(session: Session, keys: dict[int, str], deal_filter: DealFilter) -> Iterator[dict[str, str]]:
    query = _work_query(
        Task, deal_filter, Task.title, Task.due, Task.done_at, Task.created_at, Rep.name, Rep.handle,
    ).join(Rep, Rep.id == Task.owner_id)
    for title_, due, done_at, created, owner, handle, deal_id, title, account in _stream(session, query):
        yield {
            "deal_external_id": keys[deal_id], "deal_title": title, "account": account or "", "title": title_,
            "due": _day(due), "done_at": _moment(done_at), "owner": owner, "owner_handle": handle,
            "created_at": _moment(created),
        }


def _notes(session: Session, keys: dict[int, str], deal_filter: DealFilter) -> Iterator[dict[str, str]]:
    query = _work_query(Note, deal_filter, Note.body, Note.created_at, Rep.name, Rep.handle).join(
        Rep, Rep.id == Note.rep_id
    )
    for body, created, rep, handle, deal_id, title, account in _stream(session, query):
        yield {
            "deal_external_id": keys[deal_id], "deal_title": title, "account": account or "", "body": body,
            "created_at": _moment(created), "rep": rep, "rep_handle": handle,
        }


def _events(session: Session, keys: dict[int, str], deal_filter: DealFilter) -> Iterator[dict[str, str]]:
    query = _work_query(
        DealEvent, deal_filter, DealEvent.id, DealEvent.at, DealEvent.kind, DealEvent.data, DealEvent.undoes_id,
        Rep.name, Rep.handle,
    ).join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
    for event_id, at, kind, data, undoes, actor, handle, deal_id, title, account in _stream(session, query):
        yield {
            "deal_external_id": keys[deal_id], "deal_title": title, "account": account or "",
            "event_id": str(event_id), "at": _moment(at), "kind": kind, "actor": actor or "",
            "actor_handle": handle or "",
            # Sorted keys: the same history always writes the same bytes.
            "data": json.dumps(data or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
            "undoes_event_id": "" if undoes is None else str(undoes),
        }


def export(
    session: Session,
    what: str,
    out: IO[str],
    *,
    fmt: str = "csv",
    deal_filter: DealFilter = DealFilter(),
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``what`` to the text stream ``out`` as CSV or JSON; the number of rows written.

    Open ``out`` with ``newline=""`` for CSV (the csv module writes CRLF row ends itself).
    CSV text cells a spreadsheet would run as a formula are escaped (csv_cells.py), and
    ``legwork import`` reads them back; JSON is written as it is stored (no spreadsheet runs it).
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"format {fmt!r} must be one of {', '.join(FORMATS)}")
    columns = COLUMNS.get(what)
    source = rows(session, what, deal_filter)
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in source:
            writer.writerow(csv_cells.escape_row(columns, row))
            count += 1
            if progress and count % CHUNK == 0:
                progress(count)
        return count
    out.write("[")
    for row in source:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps({c: (row[c] if row[c] != "" else None) for c in columns}, ensure_ascii=False))
        count += 1
        if progress and count % CHUNK == 0:
            progress(count)
    out.write("\n]\n" if count else "]\n")
    return count


def count_rows(session: Session, what: str, deal_filter: DealFilter = DealFilter()) -> int:
    """How many rows an export of ``what`` holds (for a progress bar)."""
    model = {"deals": Deal, "activities": Activity, "tasks": Task, "notes": Note, "events": DealEvent}[what]
    query = select(func.count(model.id))
    if model is not Deal:
        query = query.join(Deal, Deal.id == model.deal_id)
    return session.execute(_filtered(query, deal_filter)).scalar() or 0


# --- the calendar ------------------------------------------------------------------------------

# A task reads like a meeting when it names one and does not ask to arrange it:
# "Discovery meeting with Jo" is on the calendar; "Book discovery meeting with Jo" is a to-do.
_MEETING = re.compile(
    r"\b(meeting|meet|demo|presentation|lunch|dinner|coffee|breakfast|visit|workshop|on-?site|qbr|kick-?off|"
    r"interview|call with|video call|zoom|teams call|webinar|walkthrough|walk-through)\b",
    re.IGNORECASE,
)
_ARRANGING = re.compile(
    r"^\s*(book|schedule|re-?schedule|arrange|set ?up|organi[sz]e|prepare|prep|send|confirm|plan|find|propose|"
    r"chase|draft|research|follow[ -]?up|e-?mail|invite|cancel|get|ask|update|check|try|call|write|share|review)\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\b(?:at\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b|\b(?:at\s+)?(\d{1,2})[:.](\d{2})\b",
                    re.IGNORECASE)
MEETING_MINUTES = 60


def looks_like_meeting(title: str) -> bool:
    """True for "Discovery meeting with Jo", "Demo for Acme 14:00", "Lunch with Sam"."""
    return bool(_MEETING.search(title)) and not _ARRANGING.match(title)


def meeting_time(title: str) -> time | None:
    """The time of day a meeting's title names ("Demo 14:00", "call with Jo at 2pm"), if any."""
    match = _CLOCK.search(title)
    if not match:
        return None
    if match[3]:
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        hour = hour % 12 + (12 if match[3].lower() == "pm" else 0)
    else:
        hour, minute = int(match[4]), int(match[5])
        if hour > 23 or minute > 59:
            return None
    return time(hour, minute)


@dataclass(frozen=True)
class CalendarExport:
    data: bytes  # the .ics file
    tasks: int  # open tasks, as all-day events on their due day
    meetings: int  # open tasks that read like meetings
    timed: int  # meetings whose title gave a time of day


def export_calendar(session: Session, rep_id: int) -> CalendarExport:
    """The rep's open tasks as an iCalendar file: each an all-day event on its due day; tasks
    that read like meetings (Legwork has no separate notion of a scheduled meeting) are
    events of their own, at the time their title names, else all day."""
    import icalendar  # lazily: it costs nothing at TUI start-up

    rep = session.get(Rep, rep_id)
    if rep is None:
        raise NotFound(f"no rep with id {rep_id}")
    query = (
        select(Task.id, Task.title, Task.due, Task.created_at, Deal.id, Deal.title, Account.name)
        .join(Deal, Deal.id == Task.deal_id)
        .join(Account, Account.id == Deal.account_id, isouter=True)
        .where(Task.owner_id == rep_id, Task.done_at.is_(None))
        .order_by(Task.due, Task.id)
    )
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(rep.timezone)
    now = clock.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Legwork//legwork export calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Legwork — {rep.name}")
    tasks = meetings = timed = 0
    for task_id, title, due, created, deal_id, deal_title, account in session.execute(query):
        event = icalendar.Event()
        event.add("uid", f"legwork-task-{task_id}@legwork")
        event.add("dtstamp", now)
        event.add("created", clock.aware(created))
        event.add("summary", title)
        deal_line = f"{deal_title} · {account}" if account else deal_title
        meeting = looks_like_meeting(title)
        at = meeting_time(title) if meeting else None
        if at is not None:
            start = datetime.combine(due, at, tzinfo=zone).astimezone(UTC)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=MEETING_MINUTES))
            timed += 1
        else:
            event.add("dtstart", due)
            event.add("dtend", due + timedelta(days=1))
            event.add("transp", "TRANSPARENT")  # an all-day reminder does not block the day
        kind = "Meeting" if meeting else "Task"
        event.add("categories", ["Legwork", kind])
        event.add("description", f"{deal_line}\nLegwork {kind.lower()} on deal {deal_id}")
        calendar.add_component(event)
        tasks += 1
        meetings += meeting
    return CalendarExport(calendar.to_ical(), tasks, meetings, timed)
