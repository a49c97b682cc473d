"""Imports of the work on deals: activities (``store.import_work.ActivityImport`` builds
on ``WorkImport`` here), tasks and notes. Each row names its deal (by external id, or
by title and account) and is known by its deal and content, so importing a file twice
adds nothing; tasks and notes go in with their ``task_added`` / ``task_done`` /
``note_added`` events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from store import clock, events
from store.bulk import chunks, insert_plain, insert_rows
from store.errors import InvalidInput
from store.import_fields import NOTES, TASKS
from store.import_values import Moment, fold, parse_flag
from store.importer.base import DealIndex, Import, event_row, utc_iso
from store.importer.report import RowProblem
from store.models import MILESTONES, DealEvent, Note, Task
from store.notes import MAX_BODY as NOTE_BODY
from store.tasks import refresh_next_due

NOTE_SUMMARY = 120  # characters of a note's first line, the summary the timeline shows

# What another CRM calls an activity type, and a meeting that marks a milestone (activity files).
ACTIVITY_WORDS = {
    **dict.fromkeys(("call", "calls", "phone", "phonecall", "outboundcall", "inboundcall", "coldcall", "logacall",
                     "loggedcall"), "call"),
    **dict.fromkeys(("email", "emails", "mail", "emailsent", "sentemail", "inboundemail", "outboundemail",
                     "loggedemail"), "email"),
    **dict.fromkeys(("meeting", "meetings", "lunch", "visit", "appointment", "videocall", "zoom", "onsite",
                     "event", "conference", "coffee", "meet"), "meeting"),
    **dict.fromkeys(("demo", "demonstration", "productdemo", "presentation", "webinar"), "demo"),
    **dict.fromkeys(("proposal", "quote", "offer", "sentproposal", "quotation"), "proposal"),
    **dict.fromkeys(("other", "task", "deadline", "note", "linkedin", "linkedinmessage", "message", "sms", "text",
                     "whatsapp", "chat", "todo"), "other"),
}
MILESTONE_WORDS = {
    **{m: m for m in MILESTONES},
    **dict.fromkeys(("1stmeeting", "firstmeeting", "meeting1"), "rapport"),
    **dict.fromkeys(("2ndmeeting", "secondmeeting", "meeting2"), "discovery"),
    **dict.fromkeys(("3rdmeeting", "thirdmeeting", "meeting3"), "findings"),
    **dict.fromkeys(("4thmeeting", "fourthmeeting", "meeting4"), "proposal"),
}


class WorkImport(Import):
    """Rows that belong to a deal, found by external id or by title (and account)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.index = DealIndex(self.session)
        self.planned: list[dict] = []
        self.seen: dict[tuple, int] = {}

    def deal(self, values: dict[str, str], reasons: list[str]) -> int | None:
        try:
            return self.index.find(
                values.get("deal_external_id", "").strip() or None,
                " ".join(values.get("deal_title", "").split()) or None,
                " ".join(values.get("account", "").split()) or None,
            )
        except InvalidInput as exc:
            reasons.append(str(exc))
            return None

    def existing(self, deal_ids: set[int]) -> set[tuple]:
        raise NotImplementedError

    def unique_rows(self) -> list[tuple[int, tuple, dict]]:
        """(row number, key, planned item) of each row that reads, once: a row that does
        not is refused with its reasons, a second row with the same key as a duplicate."""
        pending: list[tuple[int, tuple, dict]] = []
        for number, values in self.rows():
            reasons: list[str] = []
            self.row = number
            item = self.plan_row(values, reasons)
            if item is LEFT_OUT and not reasons:
                continue  # said in the report's remarks, not refused
            if reasons or item is None:
                self.problems.setdefault(number, []).extend(reasons or ["not importable"])
                continue
            key = self.key(item)
            if key in self.seen:
                self.refuse(number, f"a duplicate of row {self.seen[key]}")
                continue
            self.seen[key] = number
            pending.append((number, key, item))
        return pending

    def plan(self) -> None:
        pending = self.unique_rows()
        known = self.existing({item["deal_id"] for _, _, item in pending})
        for number, key, item in pending:
            if key in known:
                self.skipped.append(RowProblem(number, f"already in the database (the same {self.noun} on that deal)"))
            else:
                item["row"] = number
                self.planned.append(item)
        self.reps.keep({item.get("rep") or item.get("owner") for item in self.planned})

    def has_work(self) -> bool:
        return bool(self.planned)


LEFT_OUT: Any = object()  # plan_row: the row is left out, and the remarks say why


def existing_tasks(session: Session, deal_ids: set[int]) -> set[tuple]:
    """(deal, folded title, due day, creation moment or None) of the deals' tasks."""
    known = set()
    for chunk in chunks(sorted(deal_ids)):
        for deal_id, title, due, created in session.execute(
            select(Task.deal_id, Task.title, Task.due, Task.created_at).where(Task.deal_id.in_(chunk))
        ):
            known.add((deal_id, fold(title), due.isoformat(), None))
            known.add((deal_id, fold(title), due.isoformat(), utc_iso(clock.aware(created))))
    return known


def write_tasks(planner: WorkImport, planned: list[dict]) -> None:
    """Insert planned tasks with their ``task_added`` (and ``task_done``) events."""
    if not planned:
        return
    session, by, name = planner.session, planner.rep.id, planner.table.name
    rows = [
        {"deal_id": t["deal_id"], "owner_id": planner.reps.ids[t["owner"]], "title": t["title"], "due": t["due"],
         "done_at": t["done_at"], "created_at": t["created_at"], "created_by_id": by}
        for t in planned
    ]
    total = len(rows)
    ids = insert_rows(session, Task, rows, lambda n: planner.written("writing tasks", n, total))
    event_rows = []
    for task_id, row in zip(ids, rows):
        event_rows.append(event_row(row["deal_id"], by, row["created_at"], events.TASK_ADDED,
                                    events.task_added(task_id, row["title"], row["due"], imported=name)))
        if row["done_at"] is not None:
            event_rows.append(event_row(row["deal_id"], by, row["done_at"], events.TASK_DONE,
                                        events.task_done(task_id, row["title"], imported=name)))
    insert_plain(session, DealEvent, event_rows)
    refresh_next_due(session, [row["deal_id"] for row in rows])


class TaskImport(WorkImport):
    kind = TASKS
    noun = "task"

    def plan_row(self, values: dict[str, str], reasons: list[str]) -> dict | None:
        deal_id = self.deal(values, reasons)
        title = self.text(values, "title", reasons)
        if not title and not values.get("title"):
            reasons.append("no title")
        due_m = self.moment(values, "due", reasons)
        if due_m is None and not values.get("due"):
            reasons.append("no due day: a task needs one")
        done = None
        if values.get("done"):
            try:
                done = parse_flag(values["done"], "done")
            except InvalidInput as exc:
                reasons.append(str(exc))
        done_at = self.past(self.moment(values, "done_at", reasons), "done", reasons)
        created_m = self.moment(values, "created_at", reasons)
        created_at = self.past(created_m, "created", reasons)
        owner = self.rep_handle(values, "owner", "owner_handle", reasons)
        if reasons:
            return None
        if done and done_at is None:
            done_at = min(Moment(due_m.day).at(self.tz), self.now)
        if done is False:
            done_at = None
        given_created = created_at
        if created_at is None:
            created_at = min(self.now, done_at) if done_at is not None else self.now
        elif done_at is not None and done_at < created_at:
            reasons.append("done before it was created")
            return None
        return {"deal_id": deal_id, "title": title, "due": due_m.day, "owner": owner, "done_at": done_at,
                "created_at": created_at, "given_created": given_created}

    def key(self, item: dict) -> tuple:
        return (item["deal_id"], fold(item["title"]), item["due"].isoformat(), utc_iso(item["given_created"]))

    def existing(self, deal_ids: set[int]) -> set[tuple]:
        return existing_tasks(self.session, deal_ids)

    def counts(self) -> dict[str, int]:
        done = sum(t["done_at"] is not None for t in self.planned)
        return {"tasks": len(self.planned), "open": len(self.planned) - done, "done": done,
                "reps": len(self.reps.new)}

    def write(self) -> None:
        self.reps.write(self.session, self.now)
        write_tasks(self, self.planned)


class NoteImport(WorkImport):
    kind = NOTES
    noun = "note"

    def plan_row(self, values: dict[str, str], reasons: list[str]) -> dict | None:
        deal_id = self.deal(values, reasons)
        body = values.get("body", "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if not body:
            reasons.append("the note is empty")
        else:
            summary = body.splitlines()[0].strip()
            if len(body) > NOTE_BODY:
                reasons.append(f"the note is {len(body):,} characters; keep it under {NOTE_BODY:,}")
            elif len(summary) > NOTE_SUMMARY:
                reasons.append(
                    f"the first line is {len(summary)} characters: it is the summary the timeline shows, "
                    f"keep it under {NOTE_SUMMARY} (put the rest on the lines below)"
                )
        created_at = self.past(self.moment(values, "created_at", reasons), "created", reasons)
        rep = self.rep_handle(values, "rep", "rep_handle", reasons)
        if reasons:
            return None
        return {"deal_id": deal_id, "body": body, "rep": rep, "created_at": created_at or self.now,
                "given_created": created_at}

    def key(self, item: dict) -> tuple:
        return (item["deal_id"], item["body"], utc_iso(item["given_created"]))

    def existing(self, deal_ids: set[int]) -> set[tuple]:
        known = set()
        for chunk in chunks(sorted(deal_ids)):
            for deal_id, body, created in self.session.execute(
                select(Note.deal_id, Note.body, Note.created_at).where(Note.deal_id.in_(chunk))
            ):
                known.add((deal_id, body.strip(), None))
                known.add((deal_id, body.strip(), utc_iso(clock.aware(created))))
        return known

    def counts(self) -> dict[str, int]:
        return {"notes": len(self.planned), "reps": len(self.reps.new)}

    def write(self) -> None:
        session, now, by = self.session, self.now, self.rep.id
        self.reps.write(session, now)
        rows = [
            {"deal_id": n["deal_id"], "rep_id": self.reps.ids[n["rep"]], "body": n["body"],
             "created_at": n["created_at"]}
            for n in self.planned
        ]
        total = len(rows)
        ids = insert_rows(session, Note, rows, lambda n: self.written("writing notes", n, total))
        insert_plain(session, DealEvent, [
            event_row(row["deal_id"], by, row["created_at"], events.NOTE_ADDED,
                      events.note_added(note_id, row["body"].splitlines()[0].strip(), imported=self.table.name))
            for note_id, row in zip(ids, rows)
        ])
