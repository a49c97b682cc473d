"""What every import shares: ``Import``, the planner each kind builds on (reading rows,
refusing them with reasons, text, moments and reps from cells), ``Reps`` (the reps a
file names, new ones planned), ``DealIndex`` (every deal by key and title, for rows
that name a deal), the limits a cell is held to and the deal-event row an import writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from store import clock, permissions
from store.bulk import chunks, insert_rows
from store.deal_keys import deal_key_rows, deal_keys
from store.errors import InvalidInput
from store.import_fields import DEALS, Mapping
from store.import_files import Table
from store.import_values import (
    Moment,
    derive_handle,
    fold,
    name_from_email,
    parse_moment,
)
from store.importer.report import ImportOptions, RowProblem
from store.models import Deal, Rep
from store.names import name_key
from store.reps import _HANDLE, RepInfo

UTC = timezone.utc
PROGRESS_MIN = 2000  # files with fewer rows than this report no progress
FUTURE_SLACK = timedelta(minutes=5)
Progress = Callable[[str, int, int], None]

# Column widths (see models.py) and the store's own limits.
LIMITS = {
    "title": 300, "account": 200, "contact": 200, "contact_email": 200, "contact_phone": 64,
    "contact_job_title": 200, "source": 100, "territory": 100, "product": 100, "lost_reason": 300,
    "external_id": 200, "outcome": 500, "rep": 200, "owner": 200, "deal_title": 300,
}
REASON_WIDTH = 240  # a reason quotes the cell: a 50 MB cell must not become a 50 MB line
_LONG_RUN = re.compile(r"\S{60,}")
# JSON cells that may be a number or true / false rather than text; a list or an object never is.
_JSON_NUMBER_FIELDS = {"value", "duration_min", "external_id", "deal_external_id", "contact_phone"}
_JSON_FLAG_FIELDS = {"done", "is_won", "is_closed"}


def shorten(reason: str) -> str:
    """A reason short enough to read: a long quoted cell keeps its ends, the words around it stay."""
    if len(reason) <= REASON_WIDTH:
        return reason
    reason = _LONG_RUN.sub(lambda run: run[0][:24] + "…" + run[0][-8:], reason)
    return reason if len(reason) <= REASON_WIDTH else reason[: REASON_WIDTH - 1] + "…"


class Reps:
    """Reps by handle, name and e-mail; owners the file names that do not exist yet are planned."""

    def __init__(self, session: Session, importer: RepInfo) -> None:
        self.importer = importer
        self.ids: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.by_email: dict[str, str] = {}
        for rep_id, handle, name, email in session.execute(select(Rep.id, Rep.handle, Rep.name, Rep.email)):
            self.ids[handle] = rep_id
            self.names[handle] = name
            self.by_name.setdefault(fold(name), handle)
            if email:
                self.by_email.setdefault(fold(email), handle)
        self.new: dict[str, tuple[str, str | None]] = {}  # handle -> (name, email)
        self.new_by_text: dict[str, str] = {}

    def resolve(self, name: str | None, handle: str | None) -> str:
        """The handle of the rep a row names (creating one is planned if needed)."""
        if handle:
            handle = handle.strip().lower()
            if handle in self.ids or handle in self.new:
                return handle
            if not _HANDLE.match(handle):
                raise InvalidInput(f"rep handle {handle!r} must be lower-case letters, digits, '.', '_' or '-'")
            display = " ".join((name or handle).split())
            if len(display) > LIMITS["rep"]:
                raise InvalidInput(f"rep name is {len(display)} characters; keep it under {LIMITS['rep']}")
            self.new[handle] = (display, None)
            return handle
        if not name:
            return self.importer.handle
        text = " ".join(name.split())
        key = fold(text)
        for found in (key if key in self.ids else None, self.by_name.get(key), self.by_email.get(key),
                      self.new_by_text.get(key)):
            if found:
                return found
        if len(text) > LIMITS["rep"]:
            raise InvalidInput(f"owner {text[:40]!r}… is {len(text)} characters; keep it under {LIMITS['rep']}")
        email = text if "@" in text and " " not in text else None
        display = name_from_email(text) if email else text
        base = derive_handle(text)
        handle, n = base, 2
        while handle in self.ids or handle in self.new:
            handle, n = f"{base}{n}", n + 1
        self.new[handle] = (display, email)
        self.new_by_text[key] = handle
        return handle

    def keep(self, used: set[str]) -> None:
        """Forget planned reps that only refused rows named."""
        self.new = {handle: spec for handle, spec in self.new.items() if handle in used}
        self.used = {handle for handle in used if handle}

    def require_permission(self, session: Session, deal_ids: set[int] = frozenset()) -> None:
        """Refuse (``Forbidden``) an import that gives work to reps the importer does not
        manage, adds reps, or adds work to their deals: once per rep, before writing."""
        by = self.importer.id
        if self.new:
            permissions.require_manager(session, by, "add the reps an import names")
        for handle in sorted(getattr(self, "used", set()) - set(self.new)):
            permissions.require_assign(session, by, self.ids[handle], "import work for")
        owners: set[int] = set()
        for chunk in chunks(sorted(deal_ids)):
            owners.update(session.execute(select(Deal.owner_id).where(Deal.id.in_(chunk)).distinct()).scalars())
        for owner_id in sorted(owners - {by}):
            if not permissions.may_change_for(session, by, owner_id):
                permissions.require_assign(session, by, owner_id, "import work onto the deals of")

    def write(self, session: Session, now: datetime) -> None:
        if not self.new:
            return
        rows = [
            {"handle": handle, "name": name, "email": email, "role": "rep", "timezone": self.importer.timezone,
             "capacity": 12, "working_days": "12345", "active": True, "created_at": now}
            for handle, (name, email) in self.new.items()
        ]
        for handle, rep_id in zip(self.new, insert_rows(session, Rep, rows)):
            self.ids[handle] = rep_id


class DealIndex:
    """Every deal by key (external id or stable key) and by title, for duplicates and links."""

    def __init__(self, session: Session, extra: bool = False) -> None:
        rows = deal_key_rows(session)
        keys = deal_keys(rows)
        self.by_key: dict[str, int] = {}
        for deal_id, key in keys.items():
            self.by_key.setdefault(key, deal_id)
        self.by_title: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for deal_id, _ext, _handle, title, account in rows:
            self.by_title[fold(title)].append((deal_id, name_key(account or "")))

    def find(self, external_id: str | None, title: str | None, account: str | None) -> int:
        if external_id and external_id in self.by_key:
            return self.by_key[external_id]
        if not title:
            if external_id:
                raise InvalidInput(f"no deal has external id {external_id!r}")
            raise InvalidInput("no deal named: give a deal external id, or the deal's title (and account)")
        candidates = self.by_title.get(fold(title), [])
        if account:
            candidates = [c for c in candidates if c[1] == name_key(account)]
        where = f" at {account!r}" if account else ""
        unknown = f"no deal has external id {external_id!r}, and " if external_id else ""
        if not candidates:
            raise InvalidInput(f"{unknown}no deal is called {title!r}{where}")
        if len(candidates) > 1:
            raise InvalidInput(f"{len(candidates)} deals are called {title!r}{where}: give the deal's external id")
        return candidates[0][0]


class Import:
    kind = DEALS
    label = "rows"

    def __init__(self, session: Session, rep: RepInfo, table: Table, mapping: Mapping, options: ImportOptions,
                 order: str | None, progress: Progress | None) -> None:
        self.session, self.rep, self.table, self.mapping = session, rep, table, mapping
        self.options, self.order = options, order
        self.progress = progress if progress is not None and len(table.rows) >= PROGRESS_MIN else None
        now = clock.now()  # a plain datetime: pendulum's arithmetic is slow in bulk
        self.now = datetime(now.year, now.month, now.day, now.hour, now.minute, now.second, now.microsecond, UTC)
        self.tz = options.timezone or rep.timezone
        self._check_timezone()
        self.latest = self.now + FUTURE_SLACK
        self.today = self.now.astimezone(_zone(self.tz)).date()
        self.reps = Reps(session, rep)
        self.problems: dict[int, list[str]] = {}
        self.skipped: list[RowProblem] = []
        self.unmatched: dict[str, list[int]] = {}
        self.width = len(table.headers)
        self.fields = [(f, ix) for f, ix in mapping.fields.items()]

    def _check_timezone(self) -> None:
        import pendulum

        if self.tz not in pendulum.timezones():
            raise InvalidInput(f"timezone {self.tz!r} is not a known zone like Europe/Berlin")

    # reading rows

    def values(self, cells: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        n = len(cells)
        for name, indexes in self.fields:
            for i in indexes:
                if i < n and cells[i]:
                    out[name] = cells[i]
                    break
        return out

    def rows(self) -> Iterable[tuple[int, dict[str, str]]]:
        total = len(self.table.rows)
        for done, (number, cells) in enumerate(self.table.rows):
            if self.progress and done % 1000 == 0:
                self.progress(f"checking {self.kind}", done, total)
            if len(cells) > self.width and any(cells[self.width:]):
                self.refuse(number, f"has {len(cells)} cells but the header names {self.width} columns")
                continue
            if number in self.table.json_types and self._wrong_json_types(number, cells):
                continue
            if number in self.problems:  # a NUL: refused before the row was read
                continue
            yield number, self.values(cells)
        if self.progress:
            self.progress(f"checking {self.kind}", total, total)

    def _wrong_json_types(self, number: int, cells: list[str]) -> bool:
        """Refuse a JSON row whose fields hold the wrong kind of value (a title of 12, a value of true)."""
        types = self.table.json_types[number]
        wrong = False
        for name, indexes in self.fields:
            for i in indexes:
                kind = types.get(i)
                if kind is None or kind == "number" and name in _JSON_NUMBER_FIELDS | _JSON_FLAG_FIELDS \
                        or kind == "yes/no" and name in _JSON_FLAG_FIELDS:
                    continue
                what = name.replace("_", " ")
                shown = shorten(cells[i]) if kind in ("number", "yes/no") else f"a JSON {kind}"
                expected = "an amount" if name == "value" else "minutes" if name == "duration_min" else "text"
                self.refuse(number, f"{what} is {shown}, not {expected}: write it as {expected} in the file")
                wrong = True
        return wrong

    def refuse(self, row: int, reason: str) -> None:
        self.problems.setdefault(row, []).append(reason)

    def text(self, values: dict[str, str], name: str, reasons: list[str], *, what: str | None = None) -> str | None:
        value = values.get(name)
        if value is None:
            return None
        value = " ".join(value.split())
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            reasons.append(f"{what or name.replace('_', ' ')} is {len(value)} characters; keep it under {limit}")
            return None
        return value or None

    def moment(self, values: dict[str, str], name: str, reasons: list[str]) -> Moment | None:
        value = values.get(name)
        if not value:
            return None
        try:
            return parse_moment(value, self.order)
        except InvalidInput as exc:
            reasons.append(f"{name.replace('_', ' ')}: {exc}")
            return None

    def past(self, moment: Moment | None, what: str, reasons: list[str], *, start_of_day: bool = False,
             hint: str = "") -> datetime | None:
        """A moment that has happened. A bare date means noon that day in the file's timezone
        (its start, for creation), and a bare date of today means now at the latest."""
        if moment is None:
            return None
        at = moment.at(self.tz, time(0, 0) if start_of_day else time(12, 0))
        if at > self.latest:
            if moment.clock is None and moment.day <= self.today:
                return self.now
            reasons.append(f"{what} {moment.day.isoformat()} is in the future{hint}")
            return None
        return at

    def _not_before(self, later: datetime | None, moment: Moment | None, earlier: datetime) -> datetime | None:
        if later is None or moment is None or later >= earlier or moment.clock is not None:
            return later
        return earlier if moment.day == earlier.astimezone(_zone(self.tz)).date() else later

    def _day(self, moment: datetime) -> str:
        return moment.astimezone(_zone(self.tz)).date().isoformat()

    def rep_handle(self, values: dict[str, str], name_field: str, handle_field: str, reasons: list[str]) -> str | None:
        try:
            return self.reps.resolve(values.get(name_field), values.get(handle_field))
        except InvalidInput as exc:
            reasons.append(str(exc))
            return None

    # hooks

    def plan(self) -> None:
        raise NotImplementedError

    def counts(self) -> dict[str, int]:
        raise NotImplementedError

    def has_work(self) -> bool:
        return any(self.counts().values())

    def remarks(self) -> list[str]:
        """Plain words about the file the report prints before its summary."""
        return []

    def write(self) -> None:
        raise NotImplementedError

    def written(self, label: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(label, done, total)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def event_row(deal_id: int, rep_id: int, at: datetime, kind: str, data: dict) -> dict:
    return {"deal_id": deal_id, "rep_id": rep_id, "at": at, "kind": kind, "data": data, "undoes_id": None}


def utc_iso(value: datetime | None) -> str | None:
    """A moment as ISO text in UTC (None stays None): how imports key rows by their moments,
    and how event data records them."""
    return value.astimezone(UTC).isoformat() if value is not None else None
