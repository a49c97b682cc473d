"""Work rows from another CRM that keep their meaning: what a row is about, and whether it is done.

Salesforce exports activities as Task rows: ``WhatId`` names what the task is
about (an opportunity ``006…``, or an account ``001…``), ``WhoId`` whom (a contact
``003…`` or a lead ``00Q…``); ``Status`` says whether it happened (``Completed``) or
is still to do (``Not Started``, ``In Progress``, ``Waiting on someone else``,
``Deferred``). Legwork keeps activities and tasks on deals, logs only what
happened as an activity, and keeps what is still to do as an open task.

The helpers are plain functions over cell text; ``ActivityImport`` is the importer's
planner for activity files (``store.importer.import_table`` runs it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from store import clock, events, rollups
from store.activities import refresh_deals_activity
from store.errors import InvalidInput
from store.import_fields import ACTIVITIES
from store.import_values import fold, normalise, parse_duration, parse_flag
from store.import_report import rows_text
from store.bulk import chunks, insert_plain, insert_rows
from store.importer.base import LIMITS, event_row, utc_iso
from store.importer.work import (
    ACTIVITY_WORDS,
    LEFT_OUT,
    MILESTONE_WORDS,
    WorkImport,
    existing_tasks,
    write_tasks,
)
from store.models import ACTIVITY_TYPES, MILESTONES, OPEN, Account, Activity, Deal, DealEvent, Stage
from store.names import name_key

# A Salesforce record id: 15 or 18 letters and digits, the first three naming the object.
_SALESFORCE_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
OPPORTUNITY_ID, ACCOUNT_ID, CONTACT_ID, LEAD_ID = "opportunity", "account", "contact", "lead"
_PREFIXES = {"006": OPPORTUNITY_ID, "001": ACCOUNT_ID, "003": CONTACT_ID, "00Q": LEAD_ID}


def salesforce_object(text: str | None) -> str | None:
    """``"account"`` for ``001…``, ``"contact"``, ``"lead"`` or ``"opportunity"``; None for anything
    that is not a Salesforce record id of those objects."""
    text = (text or "").strip()
    if not _SALESFORCE_ID.match(text):
        return None
    return _PREFIXES.get(text[:3])


def is_done(text: str | None) -> bool | None:
    """Whether a status or done cell says the work happened: True (``Completed``, ``yes``),
    False (``Not Started``, ``In Progress``, ``Waiting on someone else``, ``Deferred``, ``no``),
    None for an empty cell. Raises ``InvalidInput`` for a status that says neither."""
    if text is None or not text.strip():
        return None
    try:
        # HubSpot writes NOT_STARTED, others not-started: the words are what count.
        return parse_flag(text.replace("_", " ").replace("-", " "), "status")
    except InvalidInput:
        raise InvalidInput(
            f"status {text.strip()!r} says neither done (Completed) nor still to do (Not Started, In Progress): "
            "leave the column out with --map \"COLUMN=-\" to log every row as done"
        ) from None


def best_type(cells: list[str], words: dict[str, str]) -> tuple[str | None, str]:
    """The activity type the row's type cells name, the most telling first: Salesforce writes
    ``Task`` in TaskSubtype where a custom ``Type__c`` says ``Meeting``. Returns (type or None,
    the cell it came from, or the first unknown cell)."""
    generic: tuple[str, str] | None = None
    unknown = ""
    for cell in cells:
        found = words.get(normalise(cell))
        if found is None:
            unknown = unknown or cell
        elif found != "other":
            return found, cell
        elif generic is None:
            generic = (found, cell)
    if generic is not None:
        return generic
    return None, unknown


@dataclass
class AboutElsewhere:
    """Rows about an account, contact or lead rather than a deal: left out, or put on the
    account's only open deal when that is certain."""

    rows: dict[str, list[int]] = field(default_factory=dict)  # "account" / "contact" / "lead" -> rows
    attached: list[int] = field(default_factory=list)
    attached_deals: set[int] = field(default_factory=set)

    def add(self, what: str, row: int) -> None:
        self.rows.setdefault(what, []).append(row)

    @property
    def left_out(self) -> list[int]:
        return sorted(n for rows in self.rows.values() for n in rows)

    def remarks(self, noun: str, rows_text) -> list[str]:
        """The report's plain words, grouped with counts. ``rows_text`` lists row numbers."""
        out: list[str] = []
        left = self.left_out
        if left:
            kinds = [k for k in (ACCOUNT_ID, CONTACT_ID, LEAD_ID) if k in self.rows]
            words = [{ACCOUNT_ID: "an account", CONTACT_ID: "a contact", LEAD_ID: "a lead"}[k] for k in kinds]
            about = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
            detail = "; ".join(f"{len(self.rows[k]):,} {k}{'s' if len(self.rows[k]) != 1 else ''}" for k in kinds)
            out.append(
                f"{len(left):,} row{'s are' if len(left) != 1 else ' is'} about {about}, not a deal ({detail}): "
                f"Legwork keeps {noun} on deals, so {'they were' if len(left) != 1 else 'it was'} left out; "
                f"{rows_text(left)}. A row whose account has exactly one open deal goes on that deal; "
                "for the others, give them a deal column (the opportunity's id or name) and import them again."
            )
        if self.attached:
            deals = len(self.attached_deals)
            out.append(
                f"{len(self.attached):,} row{'s' if len(self.attached) != 1 else ''} about an account "
                f"{'were' if len(self.attached) != 1 else 'was'} put on the account's only open deal "
                f"({deals:,} deal{'s' if deals != 1 else ''}): {rows_text(self.attached)}."
            )
        return out


class ActivityImport(WorkImport):
    """Activities: what happened. A row the file says is not done yet (Salesforce's ``Not Started``,
    ``In Progress``…) is an open task due on its date; a row about an account or contact rather
    than a deal goes on the account's only open deal, else it is left out and the report says so."""

    kind = ACTIVITIES
    noun = "activity"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.type_columns = self.mapping.fields.get("type", ())
        self.elsewhere = AboutElsewhere()
        self.undated: list[int] = []
        self._accounts: tuple[dict[str, int], dict[str, int], dict[int, list[int]]] | None = None

    def values(self, cells: list[str]) -> dict[str, str]:
        out = super().values(cells)
        if len(self.type_columns) > 1:
            out["_types"] = [cells[i] for i in self.type_columns if i < len(cells) and cells[i]]
        return out

    def _account_links(self) -> tuple[dict[str, int], dict[str, int], dict[int, list[int]]]:
        """(the other CRM's account ids, learnt from this file's rows on known deals; accounts by
        name key; each account's open deals)."""
        if self._accounts is None:
            deal_account = dict(self.session.execute(select(Deal.id, Deal.account_id)).all())
            by_ref: dict[str, int] = {}
            deal_ix = self.mapping.fields.get("deal_external_id", ())
            ref_ix = self.mapping.fields.get("account_id", ())
            if deal_ix and ref_ix:
                for _number, cells in self.table.rows:
                    deal_key = next((cells[i].strip() for i in deal_ix if i < len(cells) and cells[i].strip()), "")
                    ref = next((cells[i].strip() for i in ref_ix if i < len(cells) and cells[i].strip()), "")
                    deal_id = self.index.by_key.get(deal_key)
                    if ref and deal_id is not None and deal_account.get(deal_id):
                        by_ref.setdefault(ref, deal_account[deal_id])
            by_name = {key: account_id for account_id, key in
                       self.session.execute(select(Account.id, Account.name_key).order_by(Account.id.desc()))}
            open_deals: dict[int, list[int]] = defaultdict(list)
            for deal_id, account_id in self.session.execute(
                select(Deal.id, Deal.account_id).join(Stage, Stage.id == Deal.stage_id)
                .where(Stage.kind == OPEN, Deal.account_id.is_not(None))
            ):
                open_deals[account_id].append(deal_id)
            self._accounts = (by_ref, by_name, open_deals)
        return self._accounts

    def _about_elsewhere(self, values: dict[str, str]) -> str | None:
        """"account", "contact" or "lead" when the row names one of those instead of a deal."""
        what_id = values.get("deal_external_id", "").strip()
        if what_id and what_id in self.index.by_key:
            return None
        found = salesforce_object(what_id)
        if found in (ACCOUNT_ID, CONTACT_ID, LEAD_ID):
            return found
        if not what_id and not values.get("deal_title"):
            found = salesforce_object(values.get("who_id"))
            if found in (CONTACT_ID, LEAD_ID):
                return found
            if values.get("account") or values.get("account_id"):
                return ACCOUNT_ID  # no deal named, only an account
        return None

    def _deal_or_left_out(self, values: dict[str, str], reasons: list[str]) -> int | None:
        about = self._about_elsewhere(values)
        if about is None:
            return self.deal(values, reasons)
        by_ref, by_name, open_deals = self._account_links()
        what_id = values.get("deal_external_id", "").strip()
        account_id = by_ref.get(what_id) if about == ACCOUNT_ID else None
        account_id = account_id or by_ref.get(values.get("account_id", "").strip())
        if account_id is None and values.get("account"):
            account_id = by_name.get(name_key(values["account"]))
        deals_there = open_deals.get(account_id, []) if account_id is not None else []
        if len(deals_there) == 1:
            self.elsewhere.attached.append(self.row)
            self.elsewhere.attached_deals.add(deals_there[0])
            return deals_there[0]
        self.elsewhere.add(about, self.row)
        return LEFT_OUT

    def plan_row(self, values: dict[str, str], reasons: list[str]) -> dict | None:
        deal_id = self._deal_or_left_out(values, reasons)
        if deal_id is LEFT_OUT:
            return LEFT_OUT
        done = None
        if values.get("done"):
            try:
                done = is_done(values["done"])
            except InvalidInput as exc:
                reasons.append(str(exc))
        if done is False:
            return self._open_task(deal_id, values, reasons)
        type_text = values.get("type", "")
        type_ = ACTIVITY_WORDS.get(normalise(type_text))
        if "_types" in values:
            type_, type_text = best_type(values["_types"], ACTIVITY_WORDS)
        if not type_text:
            reasons.append("no activity type")
        elif type_ is None:
            reasons.append(f"activity type {type_text!r} is none of {', '.join(ACTIVITY_TYPES)}")
        milestone = None
        if values.get("milestone"):
            milestone = MILESTONE_WORDS.get(normalise(values["milestone"]))
            if milestone is None:
                reasons.append(f"milestone {values['milestone']!r} is none of {', '.join(MILESTONES)}")
        moment = self.moment(values, "occurred_at", reasons)
        if moment is None and not values.get("occurred_at"):
            reasons.append("no date: an activity is dated when it happened")
        occurred = self.past(moment, "occurred", reasons,
                             hint=": an activity is what happened; plan it as a task")
        duration = None
        try:
            duration = parse_duration(values.get("duration_min", ""))
        except InvalidInput as exc:
            reasons.append(str(exc))
        outcome = self.text(values, "outcome", reasons) or ""
        rep = self.rep_handle(values, "rep", "rep_handle", reasons)
        if reasons:
            return None
        return {"deal_id": deal_id, "rep": rep, "type": type_, "milestone": milestone, "occurred_at": occurred,
                "duration_min": duration, "outcome": outcome}

    def _open_task(self, deal_id: int | None, values: dict[str, str], reasons: list[str]) -> dict | None:
        """A row that did not happen yet: an open task, due on its date (today when it has none)."""
        title = " ".join(values.get("outcome", "").split())
        if not title:
            cells = values.get("_types") or [values.get("type", "")]
            title = next((cell for cell in cells if cell), "")
        if not title:
            reasons.append("not done yet, and no subject to make a task of")
        elif len(title) > LIMITS["title"]:
            reasons.append(f"subject is {len(title)} characters; a task title keeps under {LIMITS['title']}")
        due_m = self.moment(values, "occurred_at", reasons)
        owner = self.rep_handle(values, "rep", "rep_handle", reasons)
        if reasons:
            return None
        if due_m is None:
            self.undated.append(self.row)
        due = due_m.day if due_m is not None else self.today
        return {"task": True, "deal_id": deal_id, "title": title, "due": due, "owner": owner, "done_at": None,
                "created_at": self.now, "given_created": None}

    def key(self, item: dict) -> tuple:
        if item.get("task"):
            return ("task", item["deal_id"], fold(item["title"]), item["due"].isoformat(), None)
        return (item["deal_id"], item["type"], utc_iso(item["occurred_at"]), fold(item["outcome"]))

    def existing(self, deal_ids: set[int]) -> set[tuple]:
        known = {("task", *key) for key in existing_tasks(self.session, deal_ids)}
        for chunk in chunks(sorted(deal_ids)):
            for deal_id, type_, occurred, outcome in self.session.execute(
                select(Activity.deal_id, Activity.type, Activity.occurred_at, Activity.outcome)
                .where(Activity.deal_id.in_(chunk))
            ):
                known.add((deal_id, type_, utc_iso(clock.aware(occurred)), fold(outcome)))
        return known

    def counts(self) -> dict[str, int]:
        tasks = sum(1 for item in self.planned if item.get("task"))
        return {"activities": len(self.planned) - tasks, "tasks": tasks, "reps": len(self.reps.new)}

    def remarks(self) -> list[str]:
        out = self.elsewhere.remarks("activities", rows_text)
        tasks = [item["row"] for item in self.planned if item.get("task")]
        if tasks:
            undated = (f"; {rows_text(self.undated)} had no date and {'is' if len(self.undated) == 1 else 'are'} "
                       "due today") if self.undated else ""
            out.append(
                f"{len(tasks):,} row{'s' if len(tasks) != 1 else ''} not done yet (Not Started, In Progress, "
                f"Deferred…) {'are' if len(tasks) != 1 else 'is'} imported as open "
                f"task{'s' if len(tasks) != 1 else ''} due on {'their' if len(tasks) != 1 else 'its'} date, "
                f"not as activities: {rows_text(tasks)}{undated}."
            )
        return out

    def write(self) -> None:
        session, now, by = self.session, self.now, self.rep.id
        self.reps.write(session, now)
        rows = [
            {"deal_id": a["deal_id"], "rep_id": self.reps.ids[a["rep"]], "type": a["type"],
             "milestone": a["milestone"], "occurred_at": a["occurred_at"], "duration_min": a["duration_min"],
             "outcome": a["outcome"], "created_at": now}
            for a in self.planned if not a.get("task")
        ]
        total = len(rows)
        ids = insert_rows(session, Activity, rows, lambda n: self.written("writing activities", n, total))
        insert_plain(session, DealEvent, [
            event_row(row["deal_id"], by, now, events.ACTIVITY_LOGGED,
                      events.activity_logged(activity_id, row["type"], row["milestone"], row["outcome"],
                                             imported=self.table.name))
            for activity_id, row in zip(ids, rows)
        ])
        if rows:
            refresh_deals_activity(session, sorted({row["deal_id"] for row in rows}))
            rollups.activities_counted(session, ids)
        write_tasks(self, [item for item in self.planned if item.get("task")])
