"""Running an import: ``import_file`` reads the file, ``import_table`` cleans and maps the
table, decides its date order, has the planner of its kind read every row, and — unless
it is a dry run, or rows were refused without ``--skip-invalid`` — writes the plan in
one transaction. Everything but an unreadable file ends up in the ``ImportReport``.
"""

from __future__ import annotations

import time as timer
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from store import import_meaning as meaning
from store.bulk import lock_for_write
from store.errors import InvalidInput, StoreError
from store.import_fields import (
    ACCOUNTS,
    ACTIVITIES,
    CONTACTS,
    DEALS,
    EVENTS,
    KINDS,
    NOTES,
    TASKS,
    build_mapping,
    missing_message,
    parse_overrides,
)
from store.import_files import Table, read_table
from store.importer.base import Progress, shorten
from store.importer.deal_plan import DealImport
from store.importer.reading import date_order, read_back_export, without_controls
from store.importer.report import ImportOptions, ImportReport, RowProblem
from store.importer.work import NoteImport, TaskImport
from store.reps import get_rep
from store.tx import write

__all__ = ["import_file", "import_table"]


def import_file(
    session: Session,
    path: str | Path,
    *,
    by: int,
    options: ImportOptions = ImportOptions(),
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` as the rep ``by``. Raises ``UnreadableFile`` for a file that cannot
    be read at all; everything else — bad columns, bad rows, a failed write — is in the report."""
    table = read_table(path, options.encoding)
    return import_table(session, table, by=by, options=options, dry_run=dry_run, progress=progress)


def import_table(
    session: Session,
    table: Table,
    *,
    by: int,
    options: ImportOptions = ImportOptions(),
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    started = timer.perf_counter()
    table = read_back_export(table)
    if options.kind not in KINDS:
        raise InvalidInput(f"--kind {options.kind!r} must be one of {', '.join(KINDS)}")
    table, nul_rows, stripped = without_controls(table)
    base = dict(file=table.name, kind=options.kind, dry_run=dry_run, rows=len(table.rows),
                skip_invalid=options.skip_invalid, stripped_cells=sum(stripped.values()),
                stripped_rows=tuple(sorted(stripped)))
    try:
        mapping = build_mapping(options.kind, table.headers, parse_overrides(options.kind, list(options.mappings)))
    except InvalidInput as exc:
        return ImportReport(**base, file_problem=str(exc), seconds=timer.perf_counter() - started)
    base["mapping"] = mapping
    if mapping.missing:
        return ImportReport(**base, file_problem=missing_message(mapping, options.kind),
                            seconds=timer.perf_counter() - started)
    rep = get_rep(session, by)
    order, note, problem = date_order(table, mapping, options)
    base.update(date_order=order, date_note=note)
    if problem:
        session.rollback()
        return ImportReport(**base, file_problem=problem, seconds=timer.perf_counter() - started)
    from store.import_directory import (  # here: they import this package
        AccountImport,
        ContactImport,
    )
    from store.import_events import EventImport
    from store.import_work import ActivityImport

    planner_class = {DEALS: DealImport, ACTIVITIES: ActivityImport, TASKS: TaskImport, NOTES: NoteImport,
                     EVENTS: EventImport, ACCOUNTS: AccountImport, CONTACTS: ContactImport}
    try:
        planner = planner_class[options.kind](session, rep, table, mapping, options, order, progress)
    except InvalidInput as exc:
        session.rollback()
        return ImportReport(**base, file_problem=str(exc), seconds=timer.perf_counter() - started)
    for row, header in nul_rows.items():
        planner.refuse(row, f"column {header!r} holds a NUL character: no text a person typed has one")
    planner.plan()
    refused = tuple(
        RowProblem(row, "; ".join(short), tuple(short))
        for row, short in ((row, [shorten(reason) for reason in reasons])
                           for row, reasons in sorted(planner.problems.items()))
    )
    result = dict(
        **base,
        refused=refused,
        skipped=tuple(planner.skipped),
        unmatched_stages=tuple((name, tuple(rows)) for name, rows in planner.unmatched.items()),
        created=tuple(planner.counts().items()),
        stage_help=tuple(planner.stage_help()) if planner.unmatched else (),
        updated=tuple(planner.updates.lines()) if options.kind == DEALS else (),
        unchanged=planner.updates.unchanged if options.kind == DEALS else 0,
        notes=tuple(getattr(planner, "notes", ())),
        created_from=tuple(sorted(getattr(planner, "created_from", {}).items(),
                                  key=lambda item: meaning.CREATED_ORDER.index(item[0]))),
        new_reps=tuple((handle, name) for handle, (name, _email) in planner.reps.new.items()),
        remarks=tuple(planner.remarks()),
    )
    blocked = bool(refused) and not options.skip_invalid
    if dry_run or blocked or not planner.has_work():
        session.rollback()
        return ImportReport(**result, seconds=timer.perf_counter() - started)
    try:
        with write(session):
            lock_for_write(session)
            planner.reps.require_permission(session, {item["deal_id"] for item in getattr(planner, "planned", [])
                                                      if isinstance(item, dict) and item.get("deal_id")})
            planner.write()
    except (SQLAlchemyError, StoreError, ValueError, OverflowError) as exc:
        return ImportReport(**result, error=_first_line(exc), seconds=timer.perf_counter() - started)
    return ImportReport(**result, committed=True, seconds=timer.perf_counter() - started)


def _first_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__
