"""Reps: who is signed in, their role, timezone, capacity and working days."""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass

import pendulum
from sqlmodel import Session, select

from store import clock, validate
from store.errors import InvalidInput, NotFound
from store.models import ROLES, Rep
from store.tx import write

_HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
DEFAULT_CAPACITY = 12
# Column widths (see models.py): PostgreSQL refuses longer text, SQLite keeps it.
MAX_NAME = 200
MAX_EMAIL = 200
MONDAY_TO_FRIDAY = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class RepInfo:
    id: int
    handle: str
    name: str
    role: str
    timezone: str
    capacity: int
    working_days: tuple[int, ...]  # ISO weekdays, Monday = 1
    email: str | None = None

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def initials(self) -> str:
        return initials(self.name)


def initials(name: str) -> str:
    parts = [p for p in re.split(r"[\s.-]+", name) if p]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


def to_info(rep: Rep) -> RepInfo:
    return RepInfo(
        id=rep.id,
        handle=rep.handle,
        name=rep.name,
        role=rep.role,
        timezone=rep.timezone,
        capacity=rep.capacity,
        working_days=tuple(int(d) for d in rep.working_days),
        email=rep.email,
    )


def signed_in_handle(cli_value: str | None = None) -> str:
    """``--rep`` wins, then ``LEGWORK_REP``, then the login name."""
    handle = cli_value or os.environ.get("LEGWORK_REP")
    if not handle:
        try:
            handle = getpass.getuser()
        except Exception:  # no login name in some containers
            handle = "me"
    return handle.strip().lower()


def find_rep(session: Session, handle: str) -> RepInfo | None:
    rep = session.exec(select(Rep).where(Rep.handle == handle.lower())).first()
    return to_info(rep) if rep else None


def find_active_rep(session: Session, handle: str) -> RepInfo | None:
    """The rep who may sign in as ``handle``: known to the database and not deactivated."""
    rep = session.exec(select(Rep).where(Rep.handle == handle.lower(), Rep.active == True)).first()  # noqa: E712
    return to_info(rep) if rep else None


def get_rep(session: Session, rep_id: int) -> RepInfo:
    rep = session.get(Rep, rep_id)
    if rep is None:
        raise NotFound(f"no rep with id {rep_id}")
    return to_info(rep)


def list_reps(session: Session, *, include_inactive: bool = False) -> list[RepInfo]:
    query = select(Rep).order_by(Rep.name)
    if not include_inactive:
        query = query.where(Rep.active == True)  # noqa: E712
    return [to_info(rep) for rep in session.exec(query)]


def _check(handle: str, name: str, role: str, timezone: str, capacity: int, working_days) -> None:
    for value, what in ((handle, "handle"), (name, "name"), (role, "role"), (timezone, "timezone")):
        validate.text(value, what)
    validate.whole(capacity, "capacity")
    if not isinstance(working_days, (tuple, list)):
        raise InvalidInput("working days must be a list of ISO weekdays 1 (Monday) to 7 (Sunday)")
    for weekday in working_days:
        validate.whole(weekday, "a working day")
    if not _HANDLE.match(handle):
        raise InvalidInput(
            f"handle {handle!r} must be lower-case letters, digits, '.', '_' or '-'"
        )
    if not name.strip():
        raise InvalidInput("name is empty")
    if len(name.strip()) > MAX_NAME:
        raise InvalidInput(f"name is {len(name.strip())} characters; keep it under {MAX_NAME}")
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} must be one of {', '.join(ROLES)}")
    if timezone not in pendulum.timezones():
        raise InvalidInput(f"timezone {timezone!r} is not a known zone like Europe/Berlin")
    if not 1 <= capacity <= 200:
        raise InvalidInput(f"capacity {capacity} must be between 1 and 200 tasks a day")
    if not working_days or any(d not in range(1, 8) for d in working_days):
        raise InvalidInput("working days must be ISO weekdays 1 (Monday) to 7 (Sunday)")


def create_rep(
    session: Session,
    handle: str,
    name: str,
    *,
    role: str = "rep",
    timezone: str = "UTC",
    capacity: int = DEFAULT_CAPACITY,
    working_days: tuple[int, ...] = MONDAY_TO_FRIDAY,
    email: str | None = None,
) -> RepInfo:
    handle = validate.text(handle, "handle").strip().lower()
    _check(handle, name, role, timezone, capacity, working_days)
    validate.text(email, "email")
    if email is not None and len(email) > MAX_EMAIL:
        raise InvalidInput(f"email is {len(email)} characters; keep it under {MAX_EMAIL}")
    with write(session):
        if session.exec(select(Rep.id).where(Rep.handle == handle)).first():
            raise InvalidInput(f"a rep with handle {handle!r} already exists")
        rep = Rep(
            handle=handle,
            name=name.strip(),
            role=role,
            timezone=timezone,
            capacity=capacity,
            working_days="".join(str(d) for d in sorted(set(working_days))),
            email=email,
            created_at=clock.now(),
        )
        session.add(rep)
        session.flush()
        info = to_info(rep)
    return info


def update_rep(
    session: Session,
    rep_id: int,
    *,
    capacity: int | None = None,
    working_days: tuple[int, ...] | None = None,
    timezone: str | None = None,
    role: str | None = None,
) -> RepInfo:
    validate.ident(rep_id, "rep")
    with write(session):
        rep = session.get(Rep, rep_id)
        if rep is None:
            raise NotFound(f"no rep with id {rep_id}")
        new_days = working_days if working_days is not None else tuple(int(d) for d in rep.working_days)
        _check(
            rep.handle,
            rep.name,
            role or rep.role,
            timezone or rep.timezone,
            capacity if capacity is not None else rep.capacity,
            new_days,
        )
        if capacity is not None:
            rep.capacity = capacity
        if working_days is not None:
            rep.working_days = "".join(str(d) for d in sorted(set(working_days)))
        if timezone is not None:
            rep.timezone = timezone
        if role is not None:
            rep.role = role
        session.add(rep)
        session.flush()
        info = to_info(rep)
    return info
