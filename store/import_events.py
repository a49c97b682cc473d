"""Import the deal history ``legwork export events`` wrote, so a move between two Legwork
databases loses none of it.

Importing deals, activities, tasks and notes records the history an import can know:
a ``created`` (``converted``, ``won``, ``lost``) event per deal and an
``activity_logged`` / ``task_added`` / ``task_done`` / ``note_added`` per row, all by
the importing rep and marked ``imported``. The events file holds the real history:
who created the deal, every stage move, value change, win, reopening and undo, with
their times. For each deal of the file this import

- keeps every event already in the database (matched by kind, time, actor and data,
  ids aside): importing the same file twice adds nothing;
- puts the original ``created`` history in place of the synthetic one, and the original
  work events in place of the synthetic ones that stand for the same activity, task or
  note (the row keeps its new id; the task its original creator, the activity the time
  it was logged);
- keeps each event's actor by handle. A handle this database does not know is reported
  and the event is recorded as the importing rep's, with the original handle kept in
  its data (``actor_handle``).

Ids inside event data point at the other database's rows; they are translated: stages
by name, owners by name, activities, tasks and notes through the pairing above, undone
events through the file's own event ids. An id with no counterpart becomes null (an
undo of it then finds nothing to change, as for a deleted row).

Past 400 lines on purpose: the pairing of events with what an earlier import wrote and
the translation of their ids are one algorithm over the same indexes; split, each half
would need the other's state.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, delete, select

from store import events
from store.import_fields import EVENTS
from store.import_values import fold
from store.import_report import rows_text
from store.bulk import chunks, insert_plain, reserve_ids
from store.importer.base import utc_iso
from store.importer.report import RowProblem
from store.importer.work import WorkImport
from store.models import LEAD, OPPORTUNITY, Activity, Deal, DealEvent, Rep, Stage, Task
from store.validate import strip_controls

UTC = timezone.utc
KNOWN_KINDS = frozenset(events.DEAL_ROW_KINDS | {
    events.ACTIVITY_LOGGED, events.TASK_ADDED, events.TASK_DONE, events.TASK_REOPENED, events.TASK_RESCHEDULED,
    events.NOTE_ADDED, events.UNDONE,
})
# The history an import records for a deal, which the original history replaces.
SYNTHETIC_DEAL_KINDS = frozenset({events.CREATED, events.CONVERTED, events.WON, events.LOST})
WORK_KINDS = frozenset({events.ACTIVITY_LOGGED, events.TASK_ADDED, events.TASK_DONE, events.NOTE_ADDED})
MAX_DATA = 100_000  # characters of one event's JSON: far above any the store writes
_ROW_IDS = {events.ACTIVITY_LOGGED: "activity_id", events.NOTE_ADDED: "note_id"}
NOTED_HANDLE = "actor_handle"  # in data: the original actor, when this database does not know them


def _work_key(kind: str, data: dict) -> tuple:
    """What a work event says about its row, the same in the original and the synthetic one."""
    if kind == events.ACTIVITY_LOGGED:
        return (kind, data.get("type"), data.get("milestone"), fold(str(data.get("outcome") or "")))
    if kind in (events.TASK_ADDED, events.TASK_DONE):
        return (kind, fold(str(data.get("title") or "")))
    return (kind, fold(str(data.get("summary") or "")))


def _without_ids(value: Any) -> Any:
    """Data as two databases agree on it: ids, the import marker and a noted handle left out."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items()
                if not k.endswith("_id") and k not in ("imported", NOTED_HANDLE)}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _signature(kind: str, at: datetime, actor: str | None, data: dict) -> tuple:
    return (kind, utc_iso(at), actor or "", json.dumps(_without_ids(data), sort_keys=True, default=str))


def _clean(value: Any) -> tuple[Any, int]:
    """``value`` with control characters stripped from every string in it, and how many were changed."""
    if isinstance(value, str):
        text, removed = strip_controls(value)
        return text, int(bool(removed))
    if isinstance(value, dict):
        out, n = {}, 0
        for key, item in value.items():
            out[key], changed = _clean(item)
            n += changed
        return out, n
    if isinstance(value, list):
        items = [_clean(item) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    return value, 0


class EventImport(WorkImport):
    kind = EVENTS
    noun = "event"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.stage_ids: dict[tuple[str, str], int] = {}
        self.stage_by_name: dict[str, list[int]] = defaultdict(list)
        for stage_id, pipeline, name in self.session.execute(select(Stage.id, Stage.pipeline, Stage.name)):
            self.stage_ids[(pipeline, fold(name))] = stage_id
            self.stage_by_name[fold(name)].append(stage_id)
        self.unknown_actors: dict[str, list[int]] = {}
        self.cleaned_rows: list[int] = []
        self.replaced = 0
        self.inserts: list[dict] = []
        self.deletes: list[int] = []
        self.row_updates: list[tuple[Any, int, dict]] = []
        self.versions: dict[int, int] = {}
        self.owned: list[tuple[int, int, dict]] = []  # events given back to their rep: (id, rep, data)

    def _wrong_json_types(self, number: int, cells: list[str]) -> bool:
        # The export writes event ids as numbers; anything else is refused as for other kinds.
        types = self.table.json_types[number]
        ids = {i for f in ("event_id", "undoes_event_id") for i in self.mapping.fields.get(f, ())}
        if all(kind == "number" and i in ids for i, kind in types.items()):
            return False
        return super()._wrong_json_types(number, cells)

    # one row

    def plan_row(self, values: dict[str, str], reasons: list[str]) -> dict | None:
        deal_id = self.deal(values, reasons)
        kind = values.get("kind", "").strip()
        if kind not in KNOWN_KINDS:
            reasons.append(f"kind {kind!r} is no event of a Legwork deal's history")
        at = None
        try:
            at = datetime.fromisoformat(values.get("at", "").strip())
        except ValueError:
            reasons.append(f"at {values.get('at', '')!r} is not an ISO time like 2026-03-04T09:15:00+00:00")
        else:
            if at.tzinfo is None:
                reasons.append(f"at {values['at']!r} has no UTC offset")
                at = None
            elif at > self.latest:
                reasons.append(f"at {values['at']!r} is in the future")
                at = None
            else:
                at = at.astimezone(UTC)
        raw = values.get("data", "") or "{}"
        data: Any = None
        if len(raw) > MAX_DATA:
            reasons.append(f"data is {len(raw):,} characters; an event's keeps under {MAX_DATA:,}")
        else:
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):
                reasons.append("data is not valid JSON")
            else:
                if not isinstance(data, dict):
                    reasons.append("data must be a JSON object")
                    data = None
        event_id = undoes = None
        for field in ("event_id", "undoes_event_id"):
            text = values.get(field, "").strip()
            if text:
                if not text.isdigit() or len(text) > 18:
                    reasons.append(f"{field.replace('_', ' ')} {text!r} is not a number")
                elif field == "event_id":
                    event_id = int(text)
                else:
                    undoes = int(text)
        handle = values.get("actor_handle", "").strip().lower() or None
        if reasons:
            return None
        data, cleaned = _clean(data)
        if cleaned:
            self.cleaned_rows.append(self.row)
        return {"deal_id": deal_id, "kind": kind, "at": at, "data": data, "handle": handle,
                "event_id": event_id, "undoes": undoes}

    def key(self, item: dict) -> tuple:
        if item["event_id"] is not None:
            return ("event", item["event_id"])
        return (item["deal_id"], *_signature(item["kind"], item["at"], item["handle"], item["data"]))

    # the whole file

    def plan(self) -> None:
        by_deal: dict[int, list[dict]] = defaultdict(list)
        for number, _key, item in self.unique_rows():
            item["row"] = number
            by_deal[item["deal_id"]].append(item)
        existing = self._existing(set(by_deal))
        target_of: dict[int, int] = {}  # the file's event id -> this database's
        for deal_id, items in by_deal.items():
            items.sort(key=lambda i: (i["at"], i["event_id"] or 0, i["row"]))
            self._plan_deal(deal_id, items, existing.get(deal_id, []), target_of)
        self.skipped.sort(key=lambda problem: problem.row)
        self._link(target_of)

    def _existing(self, deal_ids: set[int]) -> dict[int, list[dict]]:
        found: dict[int, list[dict]] = defaultdict(list)
        referenced: set[int] = set()
        for chunk in chunks(sorted(deal_ids)):
            for event_id, deal_id, at, kind, data, undoes, handle in self.session.execute(
                select(DealEvent.id, DealEvent.deal_id, DealEvent.at, DealEvent.kind, DealEvent.data,
                       DealEvent.undoes_id, Rep.handle)
                .join(Rep, Rep.id == DealEvent.rep_id, isouter=True)
                .where(DealEvent.deal_id.in_(chunk))
                .order_by(DealEvent.at, DealEvent.id)
            ):
                data = dict(data or {})
                at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)  # clock.aware, faster
                found[deal_id].append({"id": event_id, "at": at, "kind": kind, "data": data,
                                       "actor": data.get(NOTED_HANDLE) or handle})
                if undoes is not None:
                    referenced.add(undoes)
        for rows in found.values():
            for row in rows:
                row["referenced"] = row["id"] in referenced
        return found

    def _plan_deal(self, deal_id: int, items: list[dict], existing: list[dict], target_of: dict[int, int]) -> None:
        free: dict[tuple, list[dict]] = defaultdict(list)
        for event in existing:
            free[_signature(event["kind"], event["at"], event["actor"], event["data"])].append(event)
        new: list[dict] = []
        for item in items:
            match = free.get(_signature(item["kind"], item["at"], item["handle"], item["data"]))
            if match:
                event = match.pop(0)
                event["matched"] = True
                if item["event_id"] is not None:
                    target_of[item["event_id"]] = event["id"]
                if NOTED_HANDLE in event["data"] and item["handle"] in self.reps.ids:
                    # Recorded as the importer's last time; the rep has been added since.
                    data = {k: v for k, v in event["data"].items() if k != NOTED_HANDLE}
                    self.owned.append((event["id"], self.reps.ids[item["handle"]], data))
                    continue
                self.skipped.append(RowProblem(item["row"], "already in the database (the same event on that deal)"))
            else:
                new.append(item)
        if not new:
            return
        deletes_before = len(self.deletes)
        synthetic = [e for e in existing if not e.get("matched") and "imported" in e["data"]
                     and not e["referenced"]]
        # The original creation replaces the one the deals import recorded.
        if any(item["kind"] == events.CREATED for item in items):
            for event in synthetic:
                if event["kind"] in SYNTHETIC_DEAL_KINDS:
                    self.deletes.append(event["id"])
        # Each original work event replaces the synthetic one standing for the same row.
        stand_ins: dict[tuple, list[dict]] = defaultdict(list)
        for event in synthetic:
            if event["kind"] in WORK_KINDS:
                stand_ins[_work_key(event["kind"], event["data"])].append(event)
        row_of: dict[tuple[str, Any], Any] = {}  # (id key, the other database's id) -> this one's
        for item in new:
            if item["kind"] not in WORK_KINDS:
                continue
            candidates = stand_ins.get(_work_key(item["kind"], item["data"]))
            if not candidates:
                continue
            event = candidates.pop(0)
            self.deletes.append(event["id"])
            id_key = _ROW_IDS.get(item["kind"], "task_id")
            row_of[(id_key, item["data"].get(id_key))] = event["data"].get(id_key)
            self._keep_row_facts(item, event["data"].get(id_key))
        pipeline = OPPORTUNITY
        for item in new:
            if item["kind"] == events.CREATED:
                pipeline = item["data"].get("pipeline") or pipeline
            data = self._translated(item["kind"], item["data"], pipeline, row_of)
            if item["kind"] == events.CONVERTED:
                pipeline = OPPORTUNITY
            rep_id = self.reps.ids.get(item["handle"]) if item["handle"] else None
            if item["handle"] and rep_id is None:
                self.unknown_actors.setdefault(item["handle"], []).append(item["row"])
                rep_id = self.rep.id
                data = {**data, NOTED_HANDLE: item["handle"]}
            version = data.get("version") if item["kind"] in events.DEAL_ROW_KINDS | {events.UNDONE} else None
            if isinstance(version, int):
                self.versions[deal_id] = max(self.versions.get(deal_id, 0), version)
            self.inserts.append({"deal_id": deal_id, "rep_id": rep_id, "at": item["at"], "kind": item["kind"],
                                 "data": data, "undoes_id": None, "_undoes": item["undoes"],
                                 "_event_id": item["event_id"], "_row": item["row"]})
        self.replaced += len(self.deletes) - deletes_before

    def _keep_row_facts(self, item: dict, row_id: Any) -> None:
        """What the row itself lost on the way: who added a task, when an activity was logged."""
        if not isinstance(row_id, int):
            return
        if item["kind"] == events.TASK_ADDED and item["handle"] in self.reps.ids:
            self.row_updates.append((Task, row_id, {"created_by_id": self.reps.ids[item["handle"]]}))
        elif item["kind"] == events.ACTIVITY_LOGGED:
            self.row_updates.append((Activity, row_id, {"created_at": item["at"]}))

    def _stage(self, name: Any, pipeline: str | None) -> int | None:
        if not isinstance(name, str):
            return None
        if pipeline and (pipeline, fold(name)) in self.stage_ids:
            return self.stage_ids[(pipeline, fold(name))]
        found = self.stage_by_name.get(fold(name), [])
        return found[0] if len(found) == 1 else None

    def _translated(self, kind: str, data: dict, pipeline: str, row_of: dict) -> dict:
        """``data`` with the other database's ids replaced by this one's (None when there is none)."""
        data = json.loads(json.dumps(data))  # a copy to change
        for side, name_key in (("before", "from_stage"), ("after", "to_stage")):
            part = data.get(side)
            if not isinstance(part, dict):
                continue
            if "stage_id" in part:
                at = part.get("pipeline") or (LEAD if kind == events.CONVERTED and side == "before" else None)
                if kind == events.CONVERTED and side == "after":
                    at = OPPORTUNITY
                part["stage_id"] = self._stage(data.get(name_key), at or pipeline)
            if "owner_id" in part:
                who = data.get("from" if side == "before" else "to")
                handle = self.reps.by_name.get(fold(who)) if isinstance(who, str) else None
                part["owner_id"] = self.reps.ids.get(handle) if handle else None
            for column in ("account_id", "contact_id"):
                if column in part:
                    part[column] = None  # the other database's account: the deal row keeps the current one
        for id_key in ("activity_id", "task_id", "note_id"):
            if id_key in data:
                data[id_key] = row_of.get((id_key, data[id_key]))
        return data

    def _link(self, target_of: dict[int, int]) -> None:
        """Oldest first, so an undone event comes after what it undid; ids are given at write time."""
        self.inserts.sort(key=lambda e: (e["at"], e["_event_id"] or 0, e["_row"]))
        self.target_of = target_of

    # results

    def has_work(self) -> bool:
        return bool(self.inserts or self.deletes or self.owned)

    def counts(self) -> dict[str, int]:
        return {"events": len(self.inserts), "reps": 0}

    def remarks(self) -> list[str]:
        out = []
        if self.owned:
            out.append(f"{len(self.owned):,} event{'s' if len(self.owned) != 1 else ''} recorded as the importer's "
                       f"last time {'go' if len(self.owned) != 1 else 'goes'} back to {'their' if len(self.owned) != 1 else 'its'} "
                       "rep, known here now.")
        if self.replaced:
            out.append(f"{self.replaced:,} event{'s' if self.replaced != 1 else ''} an import recorded "
                       f"(created, logged … by the importing rep) {'are' if self.replaced != 1 else 'is'} "
                       "replaced by the original history.")
        for handle, rows in sorted(self.unknown_actors.items()):
            out.append(f"No rep {handle!r} here: {len(rows):,} event{'s' if len(rows) != 1 else ''} by them "
                       f"{'are' if len(rows) != 1 else 'is'} recorded as yours, with their handle noted "
                       f"({rows_text(rows)}). Add the rep and import again to keep them as theirs.")
        if self.cleaned_rows:
            out.append(f"Stripped control characters (ESC, DEL and the like) from the data of "
                       f"{len(self.cleaned_rows):,} event{'s' if len(self.cleaned_rows) != 1 else ''}: "
                       f"{rows_text(self.cleaned_rows)}")
        return out

    def write(self) -> None:
        session = self.session
        connection = session.connection()
        table = DealEvent.__table__
        # The synthetic events' rows are reused for the original history rather than deleted:
        # deleting a deal_event row makes the database look for events undoing it, a scan of the
        # whole table per row (deal_event.undoes_id has no index).
        slots = sorted(self.deletes)
        reused, surplus = slots[: len(self.inserts)], slots[len(self.inserts):]
        fresh = reserve_ids(session, DealEvent, len(self.inserts) - len(reused)) if len(self.inserts) > len(reused) \
            else []
        target_of = dict(self.target_of)
        for row, event_id in zip(self.inserts, reused + fresh):
            row["id"] = event_id
            if row["_event_id"] is not None:
                target_of[row["_event_id"]] = event_id
        for row in self.inserts:
            row["undoes_id"] = target_of.get(row["_undoes"]) if row["_undoes"] is not None else None
        for chunk in chunks(surplus):
            session.execute(delete(DealEvent).where(DealEvent.id.in_(chunk)))
        total = len(self.inserts)
        new_rows = [
            {"id": row["id"], "deal_id": row["deal_id"], "rep_id": row["rep_id"], "at": row["at"], "kind": row["kind"],
             "data": row["data"], "undoes_id": None}
            for row in self.inserts[len(reused):]
        ]
        insert_plain(session, DealEvent, new_rows, lambda n: self.written("writing events", n, total))
        if reused:
            connection.execute(
                table.update().where(table.c.id == bindparam("b_id")).values(
                    deal_id=bindparam("b_deal"), rep_id=bindparam("b_rep"), at=bindparam("b_at"),
                    kind=bindparam("b_kind"), data=bindparam("b_data"), undoes_id=bindparam("b_undoes")),
                [{"b_id": row["id"], "b_deal": row["deal_id"], "b_rep": row["rep_id"], "b_at": row["at"],
                  "b_kind": row["kind"], "b_data": row["data"], "b_undoes": row["undoes_id"]}
                 for row in self.inserts[: len(reused)]],
            )
        links = [{"b_id": row["id"], "b_undoes": row["undoes_id"]}
                 for row in self.inserts[len(reused):] if row["undoes_id"] is not None]
        if links:
            connection.execute(table.update().where(table.c.id == bindparam("b_id"))
                               .values(undoes_id=bindparam("b_undoes")), links)
        if self.owned:
            connection.execute(
                table.update().where(table.c.id == bindparam("b_id")).values(rep_id=bindparam("b_rep"),
                                                                             data=bindparam("b_data")),
                [{"b_id": event_id, "b_rep": rep_id, "b_data": data} for event_id, rep_id, data in self.owned],
            )
        by_column: dict[tuple[Any, str], list[dict]] = defaultdict(list)
        for model, row_id, values in self.row_updates:
            for column, value in values.items():
                by_column[(model, column)].append({"b_id": row_id, "b_value": value})
        for (model, column), params in by_column.items():
            rows_table = model.__table__
            connection.execute(rows_table.update().where(rows_table.c.id == bindparam("b_id"))
                               .values({column: bindparam("b_value")}), params)
        # A later change groups its events by the version it makes: it must not meet an old one.
        if self.versions:
            deals = Deal.__table__
            connection.execute(
                deals.update().where(deals.c.id == bindparam("b_id"), deals.c.version < bindparam("b_version"))
                .values(version=bindparam("b_version")),
                [{"b_id": deal_id, "b_version": version} for deal_id, version in self.versions.items()],
            )
        self.written("writing events", total, total)
