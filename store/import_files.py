"""Reading an import file into a header and rows of text cells.

CSV (comma, semicolon, tab or pipe separated; UTF-8 with or without a BOM, or
UTF-16 as Excel's "Unicode text" writes it; CRLF, LF or CR line ends) and JSON
(a list of objects, as ``legwork export --format json`` writes). Anything else is
an ``UnreadableFile`` with a one-line reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from store.errors import StoreError
from store.validate import has_controls, strip_controls

DELIMITERS = (",", ";", "\t", "|")
_JSON_CONTROL_ESCAPE = re.compile(r"\\u00(?:[01][0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])")
csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))  # long notes


class UnreadableFile(StoreError):
    """The file cannot be read as a table at all (missing, binary, wrong encoding)."""


@dataclass(frozen=True)
class Table:
    name: str
    format: str  # "csv" | "json"
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)
    delimiter: str = ","
    # JSON only: the cells that were not strings, {row number: {column index: "number" | "yes/no" |
    # "list" | "object"}}, so the importer can refuse a title of 12 or a value of true.
    json_types: dict[int, dict[int, str]] = field(default_factory=dict)
    # False when one scan of the file found no control character (nor a JSON escape of one),
    # so the importer need not look at every cell.
    may_hold_controls: bool = True


def read_table(path: str | Path, encoding: str = "utf-8") -> Table:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path} is a directory, not a file") from None
    except PermissionError:
        raise UnreadableFile(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_table(data, path.name, encoding, json_hint=path.suffix.lower() == ".json")


def parse_table(data: bytes, name: str, encoding: str = "utf-8", *, json_hint: bool = False) -> Table:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(f"{name} is a spreadsheet workbook, not CSV: save it as CSV (UTF-8) and import that")
    text = _decode(data, name, encoding)
    if "\x00" in text:
        raise UnreadableFile(f"{name} holds binary data, not text: is it really a CSV file?")
    if not text.strip():
        raise UnreadableFile(f"{name} is empty")
    if json_hint or text.lstrip()[:1] in ("[", "{"):
        table = _json_table(text, name)
        controls = has_controls(text) or _JSON_CONTROL_ESCAPE.search(text) is not None
    else:
        table = _csv_table(text, name)
        controls = has_controls(text)
    return table if controls else replace(table, may_hold_controls=False)


def _decode(data: bytes, name: str, encoding: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # a BOM is read past, not kept in the first column's name
    try:
        return data.decode(encoding)
    except LookupError:
        raise UnreadableFile(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise UnreadableFile(
            f"{name} is not {encoding.removesuffix('-sig').upper()} text (byte 0x{byte} on line {line}): "
            "save it as UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252)"
        ) from None
    except UnicodeError:  # codecs such as punycode fail without saying where
        raise UnreadableFile(
            f"{name} is not {encoding.upper()} text: save it as UTF-8, or name its encoding with --encoding"
        ) from None


def _headers(raw: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    headers = []
    for index, header in enumerate(raw, start=1):
        header = " ".join(strip_controls(str(header).replace("\ufeff", ""))[0].split()) or f"column {index}"
        count = seen.get(header.casefold(), 0) + 1
        seen[header.casefold()] = count
        headers.append(header if count == 1 else f"{header} ({count})")
    return headers


def _sniff(first_line: str) -> str:
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_table(text: str, name: str) -> Table:
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = _sniff(first_line)
    records = _records(text, name, delimiter)
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)
    if not records:
        raise UnreadableFile(f"{name} is empty")
    headers = _headers(records[0])
    rows = [
        (number, [cell.strip() for cell in record])
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]
    if not rows:
        raise UnreadableFile(f"{name} has a header row but no rows below it")
    return Table(name, "csv", headers, rows, delimiter)


def _records(text: str, name: str, delimiter: str) -> list[list[str]]:
    """The file's records. A record spanning lines must hold a properly quoted cell: one stray
    quote otherwise swallows every line up to the next quote (or the end of the file) into one
    cell, and a file of 100,000 rows would import as a handful, so the whole file is refused."""
    lines = io.StringIO(text, newline="").readlines()  # split as the csv reader counts lines
    reader = csv.reader(lines, delimiter=delimiter)
    records: list[list[str]] = []
    start = 1
    try:
        for record in reader:
            if reader.line_num > start:
                _check_quotes(lines[start - 1 : reader.line_num], start, reader.line_num, name, delimiter)
            records.append(record)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFile(f"{name} is not readable CSV near line {reader.line_num}: {exc}") from None
    return records


def _check_quotes(lines: list[str], start: int, end: int, name: str, delimiter: str) -> None:
    try:
        for _record in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise UnreadableFile(
                f"{name}: the quoted cell on line {start} is never closed, so the {end - start} lines after it "
                "would be read as one cell: close its quote (or remove it) and import again"
            ) from None
        raise UnreadableFile(
            f"{name}: the quoted cell on line {start} runs on to line {end}, where a quote inside a cell "
            f"closes it: check the quotes on line {start} (a quote inside a quoted cell is written \"\")"
        ) from None


class _Number(str):
    """A JSON number kept as the digits the file wrote: converting 5,000 digits to an int
    raises, and a float would round an amount."""


def _json_type(value) -> str | None:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, _Number):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def _json_table(text: str, name: str) -> Table:
    try:
        return _json_records(text, name)
    except RecursionError:  # parsing, or writing a nested cell back out as text
        raise UnreadableFile(f"{name}: its JSON is nested too deeply to be a list of records") from None


def _json_records(text: str, name: str) -> Table:
    try:
        data = json.loads(text, parse_int=_Number, parse_float=_Number, parse_constant=_Number)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"{name} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise UnreadableFile(f"{name}: expected a list of records, or an object holding one")
        data = lists[0]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnreadableFile(f"{name}: expected a list of records (JSON objects)")
    keys: dict[str, None] = {}
    for item in data:
        for key in item:
            keys.setdefault(str(key), None)
    raw_headers = list(keys)
    headers = _headers(raw_headers)
    rows = []
    json_types: dict[int, dict[int, str]] = {}
    for number, item in enumerate(data, start=1):
        cells = [item.get(key) for key in raw_headers]
        texts = [_cell(value) for value in cells]
        if not any(texts):
            continue
        rows.append((number, texts))
        types = {i: kind for i, value in enumerate(cells) if (kind := _json_type(value)) is not None}
        if types:
            json_types[number] = types
    if not rows:
        raise UnreadableFile(f"{name} holds no records")
    return Table(name, "json", headers, rows, json_types=json_types)
