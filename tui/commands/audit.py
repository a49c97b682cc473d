"""``legwork audit``: the record of team administration, newest first — who added a rep,
renamed a stage, changed a setting, and when (times in UTC)."""

from __future__ import annotations

import json

from store import audit
from store.audit import AdminRecord
from tui.commands.admin import one_line_errors, Refused, one_line, run_guarded
from tui.commands.output import out_json, write_lines


def add_arguments(parser) -> None:
    one_line_errors(parser)
    parser.add_argument("--limit", metavar="N", default="50", help="the newest N records (default 50)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def run(args, database, handle: str) -> int:
    def body(session) -> int:
        try:
            limit = int(args.limit)
        except ValueError:
            raise Refused(f"--limit must be a whole number, not {args.limit!r}") from None
        if not 1 <= limit <= 100_000:
            raise Refused("--limit must be between 1 and 100,000")
        records = audit.history(session, limit=limit)
        if args.json:
            out_json([as_json(r) for r in records])
        else:
            write_lines([record_line(r) for r in records] or ["nothing recorded yet"])
        return 0

    return run_guarded(database, body)


def as_json(record: AdminRecord) -> dict:
    return {"id": record.id, "at": record.at.isoformat(), "by": record.actor, "kind": record.kind,
            "subject": record.subject, "data": record.data}


def record_line(record: AdminRecord) -> str:
    """``2026-12-04 04:12  boss  stage.changed  opportunity: Proposal  {"probability": 70}``."""
    who = record.actor or "(no rep)"
    data = json.dumps(record.data, ensure_ascii=False, sort_keys=True, default=str) if record.data else ""
    return f"{record.at.strftime('%Y-%m-%d %H:%M')}  {who:<12} {record.kind:<18} {one_line(record.subject)}  {one_line(data)}".rstrip()
