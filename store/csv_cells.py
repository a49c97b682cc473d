"""Text cells a spreadsheet would run as a formula, and how Legwork's CSV keeps them text.

The rule (OWASP's advice on CSV injection): a text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return — or with other whitespace and
then one of ``= + - @`` — is written with a single quote in front, so Excel,
LibreOffice and Google Sheets show it as text instead of running it. A cell that
begins with ``'`` gets one more ``'`` in front when what follows that quote would
itself be escaped, so reading back is unambiguous: ``unescape`` drops one leading
``'`` exactly when the rest is a cell ``escape`` would have quoted. A plain
``'quoted`` cell is left as it is both ways.

Only text is escaped: the numbers and times the export formats itself (a negative
amount ``-12.50`` must stay a number) are listed in ``FORMATTED``.
"""

from __future__ import annotations

from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")

# Export columns whose cells Legwork formats itself (amounts, counts, ISO days and times):
# never a formula, and a leading "-" there is a negative number.
FORMATTED = frozenset({
    "value", "duration_min", "expected_close", "created_at", "stage_entered_at", "converted_at", "closed_at",
    "occurred_at", "due", "done_at", "at", "event_id", "undoes_event_id",
})


def needs_quote(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (or it is ``'`` before such a cell)."""
    while True:
        if not text.strip():
            return False  # blank, or only whitespace: nothing a spreadsheet can run
        if text.startswith(CONTROL_STARTS):
            return True
        text = text.lstrip()
        if text.startswith(FORMULA_STARTS):
            return True
        if not text.startswith("'"):
            return False
        text = text[1:]


def escape(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text."""
    return "'" + text if needs_quote(text) else text


def unescape(cell: str) -> str:
    """The text ``escape`` wrote as ``cell``."""
    return cell[1:] if cell.startswith("'") and needs_quote(cell[1:]) else cell


def escape_row(columns: Iterable[str], row: dict[str, str]) -> list[str]:
    return [row[c] if c in FORMATTED else escape(row[c]) for c in columns]


def is_legwork_export(headers: Iterable[str], column_sets: Iterable[Iterable[str]]) -> bool:
    """True when a file's header row is exactly the columns of one of Legwork's CSV exports."""
    found = set(headers)
    return any(found == set(columns) for columns in column_sets)


def unescape_rows(headers: list[str], rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """A Legwork export's rows with every escaped text cell read back to its text."""
    text_columns = [i for i, header in enumerate(headers) if header not in FORMATTED]
    out = []
    for number, cells in rows:
        if any(cell.startswith("'") for cell in cells):
            cells = list(cells)
            for i in text_columns:
                if i < len(cells):
                    cells[i] = unescape(cells[i])
        out.append((number, cells))
    return out
