"""The scale data set of DESIGN.md ("Speed budgets"), written into a SQLite file.

    python -m bench.seed --deals 100000 --out PATH [--reps 50] [--seed N] [--force]

For ``--deals N`` (100,000 is DESIGN's set) the file holds, in DESIGN's proportions:
50 reps and a manager; 0.2 N leads, 0.8 N opportunities of which 0.6 N closed (won
or lost); about 10 N activities, 3 N tasks of which 0.3 N open, 2 N notes; and
every deal event the store would have written for all of that.

How it is built (the demo generator does the story telling; this only steers it):

1. ``store.demo.populate_demo`` builds the bulk, twice, in two processes at once
   (the machine has two cores), on the same ``today``:
   * part A, ``DemoSize(reps, leads=0.2564 N, opportunities=0.388 N)``: every lead,
     every open opportunity and some closed ones. The generator converts 22 % of
     its leads (0.2 N stay leads) and leaves 45 % of its opportunities open
     (0.2 N), so A holds 0.644 N deals;
   * part B, opportunities only: the generator closes 55 % of them, which is
     fewer than DESIGN's 75 %, so B's *closed* opportunities (won and lost, with
     their whole history) are copied into A until it holds N deals; B's open ones
     are thrown away. Ids from B are moved past A's (so, unlike the demo's, ids
     are not in creation order across the two parts); the ids inside B's events
     (``activity_id``, ``task_id``, ``note_id``) are moved with them.
2. The generator writes ~8.7 activities, ~2.2 tasks and ~1.3 notes a deal; DESIGN
   wants 10, 3 and 2. The rest are added here with bulk Core inserts, with the
   events the store would have recorded (``activity_logged``, ``task_added`` /
   ``task_done``, ``note_added``), inside each deal's worked span
   (``created_at`` .. ``last_activity_at``), on the owner's working days and hours:
   * extra activities are follow-up calls and emails dated no later than the
     deal's ``last_activity_at`` and with no milestone past the deal's
     ``milestone`` (``nurture`` for a deal that has not met yet, none after), so
     ``deal.last_activity_at`` and ``deal.milestone`` stay what the activities say;
     deals without any activity get none;
   * extra done tasks are due (and done) inside the same span, all before today;
   * extra open tasks go only to open deals that already have an open task (so no
     deal's stale / no-next-step state changes), due from tomorrow on, on working
     days with room under the owner's capacity;
   * extra notes, on deals with activities, inside the span.
3. One open opportunity of the rep ``alex`` (the demo rep) gets a long history:
   activities, notes and done tasks until its timeline (``store.timeline.deal_timeline``)
   has exactly 500 entries. Its id is in the sidecar (``timeline_deal``).

The file is not ANALYZEd: a real team's database never is either.

A JSON sidecar ``PATH.json`` holds the parameters, the counts, how long it took and
the peak memory. Run again with the same parameters and nothing is built; a file
built on an earlier day is reused but said to be (its tasks fall due relative to
that day): ``--force`` builds it again.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from zoneinfo import ZoneInfo

GENERATOR_VERSION = 3  # bump when the shape of the data changes: cached files are rebuilt
TIMELINE_ENTRIES = 500
TIMELINE_REP = "alex"
PER_DEAL = {"activities": 10.0, "tasks": 3.0, "open_tasks": 0.3, "notes": 2.0}
# Part A's and B's sizes per deal asked for (see the module docstring).
LEADS_A = 0.2 / 0.78
OPPS_A = 0.2 / 0.45 - 0.22 * LEADS_A
CLOSED_SHARE_B = 0.55
BATCH = 5000


def say(message: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S')}] {message}", flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def params_of(deals: int, reps: int, seed: int) -> dict:
    return {"deals": deals, "reps": reps, "seed": seed, "generator": GENERATOR_VERSION}


def cached(path: Path, params: dict) -> dict | None:
    """The sidecar of a file built with ``params``, or None."""
    side = sidecar_path(path)
    if not (path.exists() and side.exists()):
        return None
    try:
        info = json.loads(side.read_text())
    except (OSError, ValueError):
        return None
    return info if info.get("params") == params else None


# --- part A / part B: the demo generator, in a process of its own ------------------------------


def _build_part(label: str, path: str, reps: int, leads: int, opportunities: int, history_days: int, seed: int,
                today: str) -> dict:
    """Runs in a child process: one populate_demo into a fresh file."""
    gc.disable()  # millions of small objects, no cycles worth collecting: ~25 % faster
    from store import demo
    from store.db import open_database

    started = time.perf_counter()
    database = open_database(f"sqlite:///{path}")
    last = [0.0]

    def progress(text: str, fraction: float) -> None:
        if fraction - last[0] >= 0.1 or fraction >= 1.0:
            last[0] = fraction
            say(f"part {label}: {text} {fraction:4.0%}")

    size = demo.DemoSize(reps=reps, leads=leads, opportunities=opportunities, history_days=history_days)
    with database.session() as session:
        summary = demo.populate_demo(session, seed=seed, today=date.fromisoformat(today), size=size,
                                     progress=progress)
    database.dispose()
    return {"summary": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(summary).items()},
            "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


# --- merging B's closed opportunities into A ---------------------------------------------------


def _columns(conn, table: str) -> list[str]:
    return [row[1] for row in conn.exec_driver_sql(f"PRAGMA main.table_info({table})")]


def _merge(conn, keep: int) -> int:
    """Copy the first ``keep`` closed opportunities of the attached ``b`` (and their
    accounts, contacts, activities, tasks, notes and events) into main. Returns how
    many were copied."""
    q = conn.exec_driver_sql
    mine = q("SELECT id, handle FROM main.rep ORDER BY id").all()
    theirs = q("SELECT id, handle FROM b.rep ORDER BY id").all()
    if mine != theirs:
        raise SystemExit("part A and part B have different reps: cannot merge")
    stages_a = q("SELECT id, pipeline, name FROM main.stage ORDER BY id").all()
    stages_b = q("SELECT id, pipeline, name FROM b.stage ORDER BY id").all()
    if stages_a != stages_b:
        raise SystemExit("part A and part B have different stages: cannot merge")
    off = {t: q(f"SELECT coalesce(max(id), 0) FROM main.{t}").scalar()
           for t in ("account", "contact", "deal", "activity", "task", "note", "deal_event")}
    q("CREATE TEMP TABLE kept AS SELECT d.id AS id FROM b.deal d JOIN b.stage s ON s.id = d.stage_id "
      "WHERE d.pipeline = 'opportunity' AND s.kind != 'open' ORDER BY d.id LIMIT ?", (keep,))
    q("CREATE UNIQUE INDEX temp.kept_id ON kept(id)")
    copied = q("SELECT count(*) FROM kept").scalar()
    q("CREATE TEMP TABLE kept_account AS SELECT DISTINCT account_id AS id FROM b.deal "
      "WHERE id IN (SELECT id FROM kept) AND account_id IS NOT NULL")

    def copy(table: str, where: str, shift: dict[str, str]) -> None:
        cols = _columns(conn, table)
        exprs = [shift.get(c, c) for c in cols]
        q(f"INSERT INTO main.{table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM b.{table} WHERE {where}")

    copy("account", "id IN (SELECT id FROM kept_account)", {"id": f"id + {off['account']}"})
    copy("contact", "account_id IN (SELECT id FROM kept_account)",
         {"id": f"id + {off['contact']}", "account_id": f"account_id + {off['account']}"})
    copy("deal", "id IN (SELECT id FROM kept)", {
        "id": f"id + {off['deal']}",
        "account_id": f"account_id + {off['account']}",
        "contact_id": f"contact_id + {off['contact']}",
    })
    copy("deal_contact", "deal_id IN (SELECT id FROM kept)",
         {"deal_id": f"deal_id + {off['deal']}", "contact_id": f"contact_id + {off['contact']}"})
    for table in ("activity", "task", "note"):
        copy(table, "deal_id IN (SELECT id FROM kept)", {"id": f"id + {off[table]}", "deal_id": f"deal_id + {off['deal']}"})
    data = ("CASE "
            f"WHEN kind = 'activity_logged' THEN json_set(data, '$.activity_id', json_extract(data, '$.activity_id') + {off['activity']}) "
            f"WHEN kind IN ('task_added', 'task_done', 'task_reopened', 'task_rescheduled') THEN json_set(data, '$.task_id', json_extract(data, '$.task_id') + {off['task']}) "
            f"WHEN kind = 'note_added' THEN json_set(data, '$.note_id', json_extract(data, '$.note_id') + {off['note']}) "
            "ELSE data END")
    copy("deal_event", "deal_id IN (SELECT id FROM kept)", {
        "id": f"id + {off['deal_event']}", "deal_id": f"deal_id + {off['deal']}", "data": data,
        "undoes_id": f"undoes_id + {off['deal_event']}",
    })
    return copied


# --- the top-ups -------------------------------------------------------------------------------


class _Fields(dict):
    def __missing__(self, key):  # a template field the top-up does not know
        return {"n": "20", "small": "3", "pct": "20", "term": "1", "industry": "operations", "unit": "sites",
                "month": "March", "title": "Head of Operations", "value": "the quoted price"}.get(key, "their team")


class _TopUp:
    """Adds activities, tasks and notes (and their events) with bulk Core inserts."""

    def __init__(self, conn, rng: random.Random, today: date):
        from sqlalchemy import insert

        from store.demo import words
        from store.models import Activity, DealEvent, Note, Task

        self.conn, self.rng, self.today, self.words = conn, rng, today, words
        self.tables = {"activity": Activity.__table__, "task": Task.__table__, "note": Note.__table__,
                       "deal_event": DealEvent.__table__}
        self.insert = insert
        self.cutoff = datetime(today.year, today.month, today.day)  # naive UTC, like the rows
        self.rows: dict[str, list[dict]] = {name: [] for name in self.tables}
        q = conn.exec_driver_sql
        self.next_id = {t: q(f"SELECT coalesce(max(id), 0) + 1 FROM {t}").scalar() for t in self.tables}
        self.reps = {rid: (ZoneInfo(tz), days, cap) for rid, tz, days, cap in
                     q("SELECT id, timezone, working_days, capacity FROM rep")}

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def moment(self, rep_id: int, start: datetime, end: datetime) -> datetime | None:
        """A random moment in the rep's working hours (08:30-17:30 local, working
        days) between ``start`` and ``end`` (naive UTC), or None if there is none."""
        zone, days, _cap = self.reps[rep_id]
        if end <= start:
            return None
        first, last = start.date(), end.date()
        span = (last - first).days
        for _ in range(20):
            day = first + timedelta(days=self.rng.randint(0, span))
            if str(day.isoweekday()) not in days:
                continue
            minute = self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
            local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, self.rng.randint(0, 59),
                             tzinfo=zone)
            at = local.astimezone(UTC).replace(tzinfo=None)
            if start <= at <= end:
                return at
        return None

    def event(self, deal_id: int, rep_id: int, at: datetime, kind: str, data: dict) -> None:
        self.rows["deal_event"].append({"id": self._id("deal_event"), "deal_id": deal_id, "rep_id": rep_id, "at": at,
                                        "kind": kind, "data": data, "undoes_id": None})

    def activity(self, deal, at: datetime, fields: dict) -> None:
        rng, w = self.rng, self.words
        deal_id, owner, milestone = deal[0], deal[1], deal[5]
        type_ = "email" if rng.random() < 0.55 else "call"
        if milestone in (None, "nurture"):
            pool = (w.EMAIL_NURTURE if type_ == "email" else w.CALL_NURTURE)
            ms = "nurture"
        else:
            pool = (w.FOLLOW_UP_EMAIL if type_ == "email" else w.FOLLOW_UP_CALL)
            ms = None
        outcome = rng.choice(pool).format_map(fields)[:500]
        duration = None if type_ == "email" else rng.randint(4, 25)
        written = min(at + timedelta(minutes=(duration or 0) + rng.randint(1, 8)), self.cutoff - timedelta(minutes=1))
        activity_id = self._id("activity")
        self.rows["activity"].append({"id": activity_id, "deal_id": deal_id, "rep_id": owner, "type": type_,
                                      "milestone": ms, "occurred_at": at, "duration_min": duration,
                                      "outcome": outcome, "created_at": max(written, at)})
        self.event(deal_id, owner, max(written, at), "activity_logged",
                   {"activity_id": activity_id, "type": type_, "milestone": ms, "outcome": outcome})

    def done_task(self, deal, due_at: datetime, fields: dict) -> None:
        rng, w = self.rng, self.words
        deal_id, owner = deal[0], deal[1]
        title = rng.choice(w.TASKS_OPP[min(rng.randint(0, 3), len(w.TASKS_OPP) - 1)]).format_map(fields)[:300]
        created = due_at - timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 300))
        created = max(created, deal[2])
        task_id = self._id("task")
        self.rows["task"].append({"id": task_id, "deal_id": deal_id, "owner_id": owner, "title": title,
                                  "due": due_at.date(), "done_at": due_at, "created_at": created,
                                  "created_by_id": owner})
        self.event(deal_id, owner, created, "task_added", {"task_id": task_id, "title": title,
                                                            "due": due_at.date().isoformat()})
        self.event(deal_id, owner, due_at, "task_done", {"task_id": task_id, "title": title})

    def open_task(self, deal, due: date, fields: dict) -> None:
        rng, w = self.rng, self.words
        deal_id, owner = deal[0], deal[1]
        title = rng.choice(w.TASKS_OPP[min(rng.randint(0, 3), len(w.TASKS_OPP) - 1)]).format_map(fields)[:300]
        created = self.moment(owner, self.cutoff - timedelta(days=7), self.cutoff - timedelta(minutes=1)) \
            or self.cutoff - timedelta(hours=20)
        created = max(created, deal[2])
        task_id = self._id("task")
        self.rows["task"].append({"id": task_id, "deal_id": deal_id, "owner_id": owner, "title": title,
                                  "due": due, "done_at": None, "created_at": created, "created_by_id": owner})
        self.event(deal_id, owner, created, "task_added", {"task_id": task_id, "title": title,
                                                            "due": due.isoformat()})

    def note(self, deal, at: datetime, fields: dict) -> None:
        rng, w = self.rng, self.words
        deal_id, owner, milestone = deal[0], deal[1], deal[5]
        pool = {"rapport": w.NOTE_RAPPORT, "discovery": w.NOTE_DISCOVERY, "findings": w.NOTE_FINDINGS,
                "proposal": w.NOTE_PROPOSAL}.get(milestone, w.NOTE_RAPPORT)
        head, detail = rng.choice(pool)
        body = head if detail is None or rng.random() < 0.5 else f"{head}\n{detail}"
        body = body.format_map(fields)
        note_id = self._id("note")
        self.rows["note"].append({"id": note_id, "deal_id": deal_id, "rep_id": owner, "body": body, "created_at": at})
        self.event(deal_id, owner, at, "note_added", {"note_id": note_id, "summary": body.splitlines()[0].strip()})

    def flush(self) -> None:
        for name in ("activity", "task", "note", "deal_event"):
            rows = self.rows[name]
            for row in rows:  # the rows are naive UTC; the column type wants it said
                for key, value in row.items():
                    if isinstance(value, datetime) and value.tzinfo is None:
                        row[key] = value.replace(tzinfo=UTC)
            for start in range(0, len(rows), BATCH):
                self.conn.execute(self.insert(self.tables[name]), rows[start:start + BATCH])
            rows.clear()


def _parse(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _deals_for_topup(conn) -> list[tuple]:
    """(id, owner, created_at, span end, open?, milestone, first name, company, product) of every
    deal that has at least one activity; span end = its last activity."""
    rows = conn.exec_driver_sql(
        "SELECT d.id, d.owner_id, d.created_at, d.last_activity_at, s.kind = 'open', d.milestone, "
        "c.name, a.name, d.product FROM deal d JOIN stage s ON s.id = d.stage_id "
        "LEFT JOIN contact c ON c.id = d.contact_id LEFT JOIN account a ON a.id = d.account_id "
        "WHERE d.last_activity_at IS NOT NULL ORDER BY d.id"
    ).all()
    return [(r[0], r[1], _parse(r[2]), _parse(r[3]), bool(r[4]), r[5], (r[6] or "there").split(" ")[0],
             r[7] or "them", r[8] or "the product") for r in rows]


def _fields(deal) -> _Fields:
    return _Fields(first=deal[6], company=deal[7], product=deal[8])


def _top_up(conn, n: int, today: date, rng: random.Random) -> dict:
    q = conn.exec_driver_sql
    have = {
        "activities": q("SELECT count(*) FROM activity").scalar(),
        "tasks": q("SELECT count(*) FROM task").scalar(),
        "open_tasks": q("SELECT count(*) FROM task WHERE done_at IS NULL").scalar(),
        "notes": q("SELECT count(*) FROM note").scalar(),
    }
    want = {k: round(v * n) for k, v in PER_DEAL.items()}
    add = {k: max(0, want[k] - have[k]) for k in want}
    add["done_tasks"] = max(0, add["tasks"] - add["open_tasks"])
    say(f"generator wrote {have}; adding {add['activities']:,} activities, {add['done_tasks']:,} done and "
        f"{add['open_tasks']:,} open tasks, {add['notes']:,} notes")
    top = _TopUp(conn, rng, today)
    worked = [d for d in _deals_for_topup(conn) if d[3] > d[2]]
    for kind, count in (("activity", add["activities"]), ("done_task", add["done_tasks"]), ("note", add["notes"])):
        made = tries = 0
        while made < count and tries < count * 5 and worked:
            tries += 1
            deal = rng.choice(worked)
            at = top.moment(deal[1], deal[2], deal[3])
            if at is None:
                continue
            getattr(top, kind)(deal, at, _fields(deal))
            made += 1
            if made % 50_000 == 0:
                top.flush()
        top.flush()
        say(f"  added {made:,} rows: {kind.replace('_', ' ')}")
    # Open tasks: on open deals that already have one, from tomorrow on, within capacity.
    if add["open_tasks"]:
        with_task = {r[0] for r in q("SELECT DISTINCT deal_id FROM task WHERE done_at IS NULL")}
        live = [d for d in worked if d[4] and d[0] in with_task]
        loads: dict[tuple[int, date], int] = {}
        for owner, due, count in q("SELECT owner_id, due, count(*) FROM task WHERE done_at IS NULL GROUP BY 1, 2"):
            loads[(owner, date.fromisoformat(str(due)))] = count
        made = 0
        while made < add["open_tasks"] and live:
            deal = rng.choice(live)
            _zone, days, cap = top.reps[deal[1]]
            due = today + timedelta(days=rng.randint(1, 30))
            for _ in range(400):
                if str(due.isoweekday()) in days and loads.get((deal[1], due), 0) < cap:
                    break
                due += timedelta(days=1)
            loads[(deal[1], due)] = loads.get((deal[1], due), 0) + 1
            top.open_task(deal, due, _fields(deal))
            made += 1
        top.flush()
        say(f"  added {made:,} open tasks")
    return add


def _timeline_count(conn, deal_id: int) -> int:
    from store import events

    shown = sorted(events.DEAL_ROW_KINDS | {events.UNDONE})
    marks = ", ".join("?" * len(shown))
    return conn.exec_driver_sql(
        "SELECT (SELECT count(*) FROM activity WHERE deal_id = ?) + (SELECT count(*) FROM note WHERE deal_id = ?) "
        f"+ (SELECT count(*) FROM task WHERE deal_id = ?) + (SELECT count(*) FROM deal_event WHERE deal_id = ? "
        f"AND kind IN ({marks}))", (deal_id,) * 4 + tuple(shown),
    ).scalar()


def _long_timeline(conn, today: date, rng: random.Random) -> int:
    """Give one open opportunity of TIMELINE_REP a 500-entry timeline; return its id."""
    q = conn.exec_driver_sql
    row = q(
        "SELECT d.id FROM deal d JOIN stage s ON s.id = d.stage_id JOIN rep r ON r.id = d.owner_id "
        "WHERE r.handle = ? AND d.pipeline = 'opportunity' AND s.kind = 'open' AND d.last_activity_at IS NOT NULL "
        "ORDER BY d.created_at LIMIT 1", (TIMELINE_REP,),
    ).first()
    if row is None:
        raise SystemExit(f"no open opportunity of {TIMELINE_REP!r} to give a long timeline")
    deal_id = row[0]
    deal = next(d for d in _deals_for_topup(conn) if d[0] == deal_id)
    # Stretch the worked span back: the deal was worked for a long while before it reached this stage.
    start = min(deal[2], deal[3] - timedelta(days=200))
    if start < deal[2]:
        stamp = start.strftime("%Y-%m-%d %H:%M:%S.%f")  # as the DateTime column stores it on SQLite
        q("UPDATE deal SET created_at = ? WHERE id = ?", (stamp, deal_id))
        q("UPDATE deal_event SET at = ? WHERE deal_id = ? AND kind = 'created'", (stamp, deal_id))
        deal = (deal[0], deal[1], start) + deal[3:]
    top = _TopUp(conn, rng, today)
    missing = TIMELINE_ENTRIES - _timeline_count(conn, deal_id)
    fields = _fields(deal)
    for _ in range(max(0, missing)):
        at = None
        while at is None:
            at = top.moment(deal[1], deal[2], deal[3])
        pick = rng.random()
        (top.activity if pick < 0.6 else top.note if pick < 0.85 else top.done_task)(deal, at, fields)
    top.flush()
    count = _timeline_count(conn, deal_id)
    if count != TIMELINE_ENTRIES:
        say(f"warning: the long timeline has {count} entries, not {TIMELINE_ENTRIES}")
    return deal_id


# --- the whole build ---------------------------------------------------------------------------


def _counts(conn) -> dict:
    q = conn.exec_driver_sql
    one = lambda sql: q(sql).scalar()
    return {
        "reps": one("SELECT count(*) FROM rep"),
        "deals": one("SELECT count(*) FROM deal"),
        "leads": one("SELECT count(*) FROM deal WHERE pipeline = 'lead'"),
        "leads_open": one("SELECT count(*) FROM deal d JOIN stage s ON s.id = d.stage_id "
                          "WHERE d.pipeline = 'lead' AND s.kind = 'open'"),
        "opportunities": one("SELECT count(*) FROM deal WHERE pipeline = 'opportunity'"),
        "opportunities_open": one("SELECT count(*) FROM deal d JOIN stage s ON s.id = d.stage_id "
                                  "WHERE d.pipeline = 'opportunity' AND s.kind = 'open'"),
        "opportunities_closed": one("SELECT count(*) FROM deal d JOIN stage s ON s.id = d.stage_id "
                                    "WHERE d.pipeline = 'opportunity' AND s.kind != 'open'"),
        "activities": one("SELECT count(*) FROM activity"),
        "tasks": one("SELECT count(*) FROM task"),
        "open_tasks": one("SELECT count(*) FROM task WHERE done_at IS NULL"),
        "notes": one("SELECT count(*) FROM note"),
        "events": one("SELECT count(*) FROM deal_event"),
    }


def build(path: Path, deals: int, reps: int = 50, seed: int = 1, *, history_days: int = 730,
          jobs: int = 2) -> dict:
    """Build the data set into ``path`` (replaced) and its sidecar; return the sidecar."""
    from sqlalchemy import create_engine
    from sqlmodel import Session

    from store import clock, rollups
    from store.tasks import refresh_next_due

    started = time.perf_counter()
    load_before = os.getloadavg()
    today = clock.now().date()
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.with_name(path.name + ".building")
    work.mkdir(exist_ok=True)
    part_a, part_b = work / "a.db", work / "b.db"
    for file in work.iterdir():
        file.unlink()
    leads_a = max(1, round(deals * LEADS_A))
    opps_a = max(1, round(deals * OPPS_A))
    # B's closed share is ~55 %; ask for 3 % more than needed and keep what is needed.
    need_b = deals - leads_a - opps_a
    opps_b = max(4, int(need_b / CLOSED_SHARE_B * 1.03) + 4)
    say(f"building {deals:,} deals for {reps} reps (seed {seed}, today {today}) in {path}")
    say(f"part A: demo generator, {leads_a:,} leads + {opps_a:,} opportunities; "
        f"part B: {opps_b:,} opportunities, of which the closed ones are kept")
    args_a = ("A", str(part_a), reps, leads_a, opps_a, history_days, seed, today.isoformat())
    args_b = ("B", str(part_b), reps, 0, opps_b, history_days, seed + 1_000_003, today.isoformat())
    parts = {}
    with ProcessPoolExecutor(max_workers=max(1, min(2, jobs)), mp_context=get_context("spawn")) as pool:
        futures = {"A": pool.submit(_build_part, *args_a), "B": pool.submit(_build_part, *args_b)}
        for label, future in futures.items():
            parts[label] = future.result()
            say(f"part {label} done in {parts[label]['seconds']:.0f} s, peak {parts[label]['peak_rss_mb']:.0f} MB: "
                f"{parts[label]['summary']['deals']:,} deals")
    generated = time.perf_counter() - started

    engine = create_engine(f"sqlite:///{part_a}")
    rng = random.Random(seed * 7919 + 17)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql(f"ATTACH DATABASE '{part_b}' AS b")
        have = conn.exec_driver_sql("SELECT count(*) FROM main.deal").scalar()
        copied = _merge(conn, deals - have)
        say(f"merged {copied:,} closed opportunities of part B into part A")
    with engine.begin() as conn:
        conn.exec_driver_sql("DETACH DATABASE b")
    with engine.begin() as conn:
        added = _top_up(conn, deals, today, rng)
        timeline_deal = _long_timeline(conn, today, rng)
        counts = _counts(conn)
    with Session(engine) as session:  # the merge and top-up wrote activities past the rollups
        rollups.rebuild(session)
        refresh_next_due(session)
        session.commit()
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(part_a, path)
    shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    info = {
        "params": params_of(deals, reps, seed),
        "today": today.isoformat(),
        "history_days": history_days,
        "timeline_deal": timeline_deal,
        "counts": counts,
        "added_by_bench": added,
        "parts": parts,
        "seconds": round(seconds, 1),
        "generator_seconds": round(generated, 1),
        "peak_rss_mb": {"A": round(parts["A"]["peak_rss_mb"]), "B": round(parts["B"]["peak_rss_mb"]),
                        "merge": round(peak_rss_mb())},
        "file_mb": round(path.stat().st_size / 2**20),
        "load_average": [round(x, 2) for x in load_before],
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    sidecar_path(path).write_text(json.dumps(info, indent=2) + "\n")
    return info


def ensure(path: Path, deals: int, reps: int = 50, seed: int = 1, *, force: bool = False) -> dict:
    """The sidecar of ``path``, building the file first unless it is cached."""
    params = params_of(deals, reps, seed)
    info = None if force else cached(path, params)
    if info is not None:
        from store import clock

        say(f"{path}: cached ({info['counts']['deals']:,} deals, built {info['today']})")
        if info["today"] != clock.now().date().isoformat():
            say(f"note: built on {info['today']}; its tasks fall due relative to that day (--force rebuilds)")
        return info
    return build(path, deals, reps, seed)


def describe(info: dict) -> str:
    c = info["counts"]
    return (f"{c['reps']} reps (incl. manager), {c['deals']:,} deals: {c['leads']:,} leads ({c['leads_open']:,} open), "
            f"{c['opportunities']:,} opportunities ({c['opportunities_closed']:,} closed), "
            f"{c['activities']:,} activities, {c['tasks']:,} tasks ({c['open_tasks']:,} open), "
            f"{c['notes']:,} notes, {c['events']:,} events; {info['file_mb']:,} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True, help="the SQLite file to write")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="build even if a cached file matches")
    args = parser.parse_args(argv)
    if args.deals < 100:
        parser.error("--deals must be at least 100")
    info = ensure(args.out, args.deals, args.reps, args.seed, force=args.force)
    say(describe(info))
    peaks = info["peak_rss_mb"]
    say(f"built in {info['seconds']:.0f} s (generator {info['generator_seconds']:.0f} s); peak memory "
        f"part A {peaks['A']:,} MB, part B {peaks['B']:,} MB (at the same time), merge/top-up {peaks['merge']:,} MB; "
        f"load average then {info['load_average']}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
