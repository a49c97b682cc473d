"""Reading a file for an import: file → table → mapping, its cells cleaned, its dates' order.

``read_mapping`` is the mapping an import would use (``--show-mapping``);
``read_back_export`` reads Legwork's own CSV export back as the text it was;
``without_controls`` strips control characters from every cell (``store.validate``'s
rule) and names the rows holding a NUL; ``date_order`` decides whether a file's
a/b/yyyy dates are day or month first, or refuses the file when they cannot tell.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from store import csv_cells
from store.exporter import COLUMNS
from store.import_fields import (
    ACCOUNTS,
    ACTIVITIES,
    CONTACTS,
    DEALS,
    EVENTS,
    NOTES,
    TASKS,
    Mapping,
    build_mapping,
    parse_overrides,
)
from store.import_files import Table, read_table
from store.import_values import DAY_FIRST, MONTH_FIRST, numeric_order
from store.importer.report import ImportOptions
from store.validate import has_controls, strip_controls

__all__ = ["DATE_FIELDS", "date_order", "read_back_export", "read_mapping", "without_controls"]

# The fields whose cells may be a/b/yyyy dates, by kind.
DATE_FIELDS = {
    DEALS: ("expected_close", "close_date", "closed_at", "created_at", "stage_entered_at", "converted_at",
            "engaged_at", "last_activity"),
    ACTIVITIES: ("occurred_at",),
    TASKS: ("due", "done_at", "created_at"),
    NOTES: ("created_at",),
    EVENTS: (),  # ISO times only: the events export writes them
    ACCOUNTS: (),
    CONTACTS: (),
}


def read_mapping(path: str | Path, options: ImportOptions = ImportOptions()) -> Mapping:
    """The mapping an import of ``path`` would use (``--show-mapping``). Raises
    ``UnreadableFile``, or ``InvalidInput`` for a bad ``--map``."""
    table = read_table(path, options.encoding)
    return build_mapping(options.kind, table.headers, parse_overrides(options.kind, list(options.mappings)))


def read_back_export(table: Table) -> Table:
    """Legwork's own CSV export quotes cells a spreadsheet would run (csv_cells.py): read them back as
    the text they were. Other files keep their cells: there a leading ' may be the data itself."""
    if table.format != "csv" or not csv_cells.is_legwork_export(table.headers, COLUMNS.values()):
        return table
    return replace(table, rows=csv_cells.unescape_rows(table.headers, table.rows))


def without_controls(table: Table) -> tuple[Table, dict[int, str], dict[int, int]]:
    """The table with control characters stripped from its cells (``store.validate``'s rule),
    the rows holding a NUL (refused: column named), and how many cells each row had cleaned."""
    nul_rows: dict[int, str] = {}
    stripped: dict[int, int] = {}
    if not table.may_hold_controls:
        return table, nul_rows, stripped
    rows = []
    for number, cells in table.rows:
        if not has_controls("\n".join(cells)):  # one scan per row: most rows hold none
            rows.append((number, cells))
            continue
        cleaned = []
        for i, cell in enumerate(cells):
            if "\x00" in cell and number not in nul_rows:
                nul_rows[number] = table.headers[i] if i < len(table.headers) else f"column {i + 1}"
            text, removed = strip_controls(cell)
            if removed:
                stripped[number] = stripped.get(number, 0) + 1
            cleaned.append(text.strip())
        rows.append((number, cleaned))
    for number in nul_rows:
        stripped.pop(number, None)
    if not stripped and not nul_rows:
        return table, nul_rows, stripped
    return replace(table, rows=rows), nul_rows, stripped


def date_order(table: Table, mapping: Mapping, options: ImportOptions) -> tuple[str | None, str, str | None]:
    """(order, how it was decided, why the file is refused) for the file's a/b/yyyy dates."""
    columns = [i for f in DATE_FIELDS[options.kind] for i in mapping.fields.get(f, ())]
    day_first: list[tuple[int, str]] = []
    month_first: list[tuple[int, str]] = []
    ambiguous: list[tuple[int, str]] = []
    for number, cells in table.rows:
        for i in columns:
            cell = cells[i] if i < len(cells) else ""
            if not cell or "/" not in cell and "-" not in cell[:3]:
                continue
            proven, unsure = numeric_order(cell)
            if proven == DAY_FIRST:
                day_first.append((number, cell))
            elif proven == MONTH_FIRST:
                month_first.append((number, cell))
            elif unsure:
                ambiguous.append((number, cell))
    if options.date_order:
        shown = "D/M/YYYY" if options.date_order == DAY_FIRST else "M/D/YYYY"
        flag = "--dayfirst" if options.date_order == DAY_FIRST else "--monthfirst"
        return options.date_order, f"dates read as {shown} ({flag})", None

    def show(found: list[tuple[int, str]], limit: int = 8) -> str:
        rows = sorted({n for n, _ in found})
        listed = ", ".join(str(n) for n in rows[:limit]) + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
        return f"row{'s' if len(rows) > 1 else ''} {listed} (e.g. {found[0][1]!r})"

    if day_first and month_first:
        return None, "", (
            f"the dates disagree: {show(day_first)} can only be day first, {show(month_first)} only month first; "
            "fix them, or pass --dayfirst or --monthfirst to read them all one way"
        )
    if day_first:
        return DAY_FIRST, f"dates read as D/M/YYYY: {show(day_first, 3)} can only be day first", None
    if month_first:
        return MONTH_FIRST, f"dates read as M/D/YYYY: {show(month_first, 3)} can only be month first", None
    if ambiguous:
        return None, "", (
            f"the dates are ambiguous: {show(ambiguous)} could be day first or month first; "
            "pass --dayfirst (D/M/YYYY) or --monthfirst (M/D/YYYY)"
        )
    return None, "", None
