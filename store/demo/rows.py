"""From planned deals to rows: ids in the order things were created, then each deal's
steps replayed as the store would have written them (the deal row, its activities,
tasks and notes, and the deal events with the same ``before``/``after``/``version``
data as deals.py, activities.py, tasks.py and notes.py write)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from store import events
from store.demo.plan import DealPlan
from store.models import LEAD, MILESTONES, OPPORTUNITY, Account, Activity, Contact, Deal, DealEvent, Note, Task
from store.names import name_key

if TYPE_CHECKING:
    from store.demo.builder import Builder
    from store.demo.team import RepPlan


def to_rows(
    b: Builder, reps: list[RepPlan], manager: RepPlan, deals: list[DealPlan]
) -> tuple[dict[str, list[dict]], dict[str, int]]:
    """Every row to insert, by table name, and what was counted on the way (won, lost, open tasks...)."""
    # Ids in the order things were created, as if a team had typed them in.
    for d in deals:
        d.created_at = d.steps[0].at
    deals.sort(key=lambda d: (d.created_at, d.n))
    for d in deals:
        d.id = b.new_id(Deal)
        account = d.account
        if account["created_at"] is None or d.created_at < account["created_at"]:
            account["created_at"] = d.created_at
    b.accounts.sort(key=lambda a: (a["created_at"], a["name"]))
    for account in b.accounts:
        account["id"] = b.new_id(Account)
    contacts = sorted(b.contacts, key=lambda c: (c["account"]["id"], c["n"]))
    for contact in contacts:
        contact["id"] = b.new_id(Contact)
    written: dict[str, list] = {"act": [], "task_add": [], "note": []}
    for d in deals:
        for step in d.steps:
            if step.kind in written:
                written[step.kind].append((step.end, d.id, len(written[step.kind]), step))
    for kind, table in (("act", Activity), ("task_add", Task), ("note", Note)):
        for _end, _deal, _n, step in sorted(written[kind], key=lambda r: r[:3]):
            (step.data["task"] if kind == "task_add" else step.data)["id"] = b.new_id(table)

    rows: dict[str, list[dict]] = {"activity": [], "task": [], "note": [], "deal": [], "deal_event": []}
    counts = dict.fromkeys(("won", "lost", "disqualified", "converted", "leads", "opps", "open", "overdue"), 0)
    del written
    for d in deals:
        _replay(b, d, rows, counts)
        d.steps = None  # the rows hold everything now
    rows["deal_event"].sort(key=lambda e: (e["at"], e["deal_id"], e.pop("_seq")))
    for event in rows["deal_event"]:
        event["id"] = b.new_id(DealEvent)
    for name in ("activity", "task", "note"):
        rows[name].sort(key=lambda r: r["id"])
    rows["rep"] = [
        {"id": r.id, "handle": r.handle, "name": r.name, "email": r.email, "role": r.role, "timezone": r.tz,
         "capacity": r.capacity, "working_days": "".join(str(x) for x in sorted(r.days)), "active": True,
         "created_at": r.created_at}
        for r in (manager, *reps)
        if r.new
    ]
    rows["account"] = [
        {"id": a["id"], "name": a["name"], "name_key": name_key(a["name"]), "domain": a["domain"],
         "created_at": a["created_at"]}
        for a in b.accounts
    ]
    rows["contact"] = [
        {"id": c["id"], "account_id": c["account"]["id"], "name": c["name"], "name_key": name_key(c["name"]),
         "email": c["email"],
         "phone": c["phone"], "job_title": c["job_title"], "created_at": c["account"]["created_at"]}
        for c in contacts
    ]
    rows["deal_contact"] = []
    for d in deals:
        # Every deal's primary contact; on every other deal, a second one from
        # its account (a buyer and a user), so contact pages have deals to show.
        rows["deal_contact"].append({"deal_id": d.id, "contact_id": d.contact["id"], "added_at": d.created_at})
        others = [c for c in d.account["contacts"] if c is not d.contact]
        if others and d.n % 2 == 0:
            rows["deal_contact"].append({"deal_id": d.id, "contact_id": others[d.n % len(others)]["id"],
                                         "added_at": d.created_at})
    return rows, counts


def _replay(b: Builder, d: DealPlan, rows: dict[str, list[dict]], counts: dict[str, int]) -> None:
    """Walk the steps as the store would have written them: the deal row, its events and work."""
    rep = d.rep
    first_pipeline, first_idx, _ = d.path[0]
    first_stage = b.open[first_pipeline][first_idx]
    state: dict[str, Any] = {
        "pipeline": first_pipeline,
        "stage_id": first_stage.id,
        "stage_entered_at": d.created_at,
        "converted_at": None,
        "closed_at": None,
        "lost_reason": None,
        "expected_close": d.expected[0] if first_pipeline == OPPORTUNITY else None,
        "value": d.value,
    }
    names = {first_stage.id: first_stage.name}
    version, updated_at, last_activity, best = 1, d.created_at, None, 0
    deal_events = rows["deal_event"]
    seq = 0

    def event(at: datetime, kind: str, data: dict) -> None:
        nonlocal seq
        deal_events.append({"id": None, "deal_id": d.id, "rep_id": rep.id, "at": at, "kind": kind,
                            "data": data, "undoes_id": None, "_seq": seq})
        seq += 1

    def row_change(at: datetime, kind: str, after: dict, extra: dict) -> None:
        nonlocal version, updated_at
        version += 1
        updated_at = at
        before = {column: events.column_value(state[column]) for column in after}
        state.update(after)
        event(at, kind, events.row_change(before, {c: events.column_value(v) for c, v in after.items()},
                                          version, **extra))

    def stage_change(at: datetime, kind: str, stage, columns: dict, extra: dict) -> None:
        names[stage.id] = stage.name
        row_change(at, kind, {"stage_id": stage.id, "stage_entered_at": at, **columns},
                   events.stage_move(names[state["stage_id"]], stage.name, **extra))

    for step in d.steps:
        kind, data, at = step.kind, step.data, step.at
        if kind == "created":
            event(at, events.CREATED, events.created(first_pipeline, first_stage.name, d.value))
        elif kind == "act":
            rows["activity"].append({
                "id": data["id"], "deal_id": d.id, "rep_id": rep.id, "type": data["type"],
                "milestone": data["milestone"], "occurred_at": at, "duration_min": data["duration"],
                "outcome": data["outcome"], "created_at": step.end,
            })
            event(step.end, events.ACTIVITY_LOGGED,
                  events.activity_logged(data["id"], data["type"], data["milestone"], data["outcome"]))
            if last_activity is None or at > last_activity:
                last_activity = at
            if data["milestone"]:
                best = max(best, MILESTONES.index(data["milestone"]) + 1)
        elif kind == "task_add":
            task = data["task"]
            due = date.fromordinal(task["due"])
            if task["open"]:
                counts["open"] += 1
                counts["overdue"] += task["due"] < b.T
            rows["task"].append({
                "id": task["id"], "deal_id": d.id, "owner_id": rep.id, "title": task["title"], "due": due,
                "done_at": None if task["open"] else task["done_step"].at, "created_at": at,
                "created_by_id": rep.id,
            })
            event(at, events.TASK_ADDED, events.task_added(task["id"], task["title"], due))
        elif kind == "task_done":
            task = data["task"]
            event(at, events.TASK_DONE, events.task_done(task["id"], task["title"]))
        elif kind == "note":
            body = data["body"]
            rows["note"].append({"id": data["id"], "deal_id": d.id, "rep_id": rep.id, "body": body,
                                 "created_at": at})
            event(at, events.NOTE_ADDED, events.note_added(data["id"], body.splitlines()[0].strip()))
        elif kind == "move":
            stage_change(at, events.STAGE_CHANGED, data["stage"], {}, {})
        elif kind == "convert":
            stage_change(at, events.CONVERTED, data["stage"], {"pipeline": OPPORTUNITY, "converted_at": at}, {})
            counts["converted"] += 1
        elif kind == "won":
            stage_change(at, events.WON, data["stage"], {"closed_at": at}, {"value": state["value"]})
        elif kind == "lost":
            reason = data["reason"]
            stage_change(at, events.LOST, data["stage"], {"closed_at": at, "lost_reason": reason},
                         {"reason": reason})
        elif kind == "close_date" and data["value"] != state["expected_close"]:
            row_change(at, events.CLOSE_DATE_CHANGED, {"expected_close": data["value"]}, {})
        elif kind == "value" and data["value"] != state["value"]:
            row_change(at, events.VALUE_CHANGED, {"value": data["value"]}, {})
    if d.end_kind == "won":
        counts["won"] += 1
    elif d.end_kind == "lost":
        counts["disqualified" if state["pipeline"] == LEAD else "lost"] += 1
    counts["leads" if state["pipeline"] == LEAD else "opps"] += 1
    rows["deal"].append({
        "id": d.id,
        "pipeline": state["pipeline"],
        "stage_id": state["stage_id"],
        "title": d.title,
        "account_id": d.account["id"],
        "contact_id": d.contact["id"],
        "owner_id": rep.id,
        "value": state["value"],
        "expected_close": state["expected_close"],
        "source": d.source,
        "territory": d.territory,
        "product": d.product,
        "created_at": d.created_at,
        "stage_entered_at": state["stage_entered_at"],
        "converted_at": state["converted_at"],
        "closed_at": state["closed_at"],
        "lost_reason": state["lost_reason"],
        "external_id": None,
        "last_activity_at": last_activity,
        "milestone": MILESTONES[best - 1] if best else None,
        "version": version,
        "updated_at": updated_at,
        "updated_by_id": rep.id,
    })
