"""Reps: who is signed in, their role, team, timezone, capacity and working days.

Adding a rep, changing a role or a team, and deactivating a rep are a manager's
(store.permissions; ``by=None`` only while the database has no manager, to set a
new team up). A rep changes their own name, email, timezone, capacity and working
days. Every change is recorded with who and when (store.audit).
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass

import pendulum
from sqlmodel import Session, select, update

from store import audit, clock, events, permissions, validate
from store.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from store.models import ROLES, Deal, Rep, Task, Team
from store.tx import lock_rows, write

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
    team_id: int | None = None
    active: bool = True

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
        team_id=rep.team_id,
        active=bool(rep.active),
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


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # an update's "leave this as it is" where None means "none"
# What a rep may change about themself; the rest of a rep is a manager's.
OWN_FIELDS = ("name", "email", "timezone", "capacity", "working_days")


def parse_working_days(text: str) -> tuple[int, ...]:
    """``1-5``, ``1,3,5``, ``1-3,6`` or ``12345``: ISO weekdays, Monday = 1."""
    value = (validate.text(text, "working days") or "").replace(" ", "")
    days: set[int] = set()
    try:
        for part in value.split(","):
            if "-" in part:
                low, high = (int(x) for x in part.split("-", 1))
                if low > high:
                    raise ValueError
                days.update(range(low, high + 1))
            elif part:
                days.update(int(d) for d in part) if len(part) > 1 else days.add(int(part))
    except ValueError:
        raise InvalidInput(f"working days {text!r} must be ISO weekdays like 1-5 or 1,2,4 (Monday = 1)") from None
    if not days or any(d not in range(1, 8) for d in days):
        raise InvalidInput(f"working days {text!r} must be ISO weekdays 1 (Monday) to 7 (Sunday)")
    return tuple(sorted(days))


def _check_email(email: str | None) -> str | None:
    validate.text(email, "email")
    if email is None or not email.strip():
        return None
    email = email.strip()
    if len(email) > MAX_EMAIL:
        raise InvalidInput(f"email is {len(email)} characters; keep it under {MAX_EMAIL}")
    if "@" not in email or any(c.isspace() for c in email):
        raise InvalidInput(f"email {email!r} does not look like an address (name@example.com)")
    return email


def _team(session: Session, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    validate.ident(team_id, "team")
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team with id {team_id}")
    return team


def _rep_row(session: Session, rep_id: int) -> Rep:
    validate.ident(rep_id, "rep")
    rep = session.get(Rep, rep_id)
    if rep is None:
        raise NotFound(f"no rep with id {rep_id}")
    return rep


def _require_admin_of(session: Session, by: int | None, rep: Rep, what: str) -> None:
    """A manager, of ``rep`` when ``rep`` is in a team that has one (a rep without a
    team, or in a team nobody leads, is any manager's to place)."""
    actor = permissions.require_manager(session, by, what)
    if actor is None or rep.team_id is None or permissions.manages(session, actor, rep):
        return
    team = session.get(Team, rep.team_id)
    if team is None or team.manager_id is None:
        return
    raise Forbidden(f"{actor.handle} cannot {what}: {rep.handle} is in another manager's team")


def _other_managers(session: Session, rep_id: int) -> int:
    return len(session.exec(
        select(Rep.id).where(Rep.role == "manager", Rep.active == True, Rep.id != rep_id)  # noqa: E712
    ).all())


def _days_text(days) -> str:
    return "".join(str(d) for d in sorted(set(days)))


def _snapshot(rep: Rep) -> dict:
    return {
        "name": rep.name, "email": rep.email, "role": rep.role, "timezone": rep.timezone,
        "capacity": rep.capacity, "working_days": rep.working_days, "team_id": rep.team_id, "active": rep.active,
    }


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
    team_id: int | None = None,
    by: int | None = None,
) -> RepInfo:
    """Add a rep: a manager's change (``by``), or the first steps of a new team's set-up
    (``by=None`` while no manager exists)."""
    return _add(session, handle, name, role=role, timezone=timezone, capacity=capacity, working_days=working_days,
                email=email, team_id=team_id, by=by, joining=False)


def sign_up(
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
    """A newcomer adds themself (the onboarding screen): as a rep, without a team; as a
    manager only while the database has none (the first person on a new server)."""
    return _add(session, handle, name, role=role, timezone=timezone, capacity=capacity, working_days=working_days,
                email=email, team_id=None, by=None, joining=True)


def _add(session: Session, handle, name, *, role, timezone, capacity, working_days, email, team_id, by,
         joining: bool) -> RepInfo:
    handle = validate.text(handle, "handle").strip().lower()
    _check(handle, name, role, timezone, capacity, working_days)
    email = _check_email(email)
    with write(session):
        if joining:
            if role != "rep" and permissions.has_manager(session):
                raise Forbidden(f"{handle} cannot join as a {role}: a manager gives that role (legwork rep edit)")
        else:
            permissions.require_manager(session, by, "add a rep")
        team = _team(session, team_id)
        if session.exec(select(Rep.id).where(Rep.handle == handle)).first():
            raise InvalidInput(f"a rep with handle {handle!r} already exists")
        rep = Rep(
            handle=handle,
            name=name.strip(),
            role=role,
            timezone=timezone,
            capacity=capacity,
            working_days=_days_text(working_days),
            email=email,
            team_id=team.id if team else None,
            created_at=clock.now(),
        )
        session.add(rep)
        session.flush()
        audit.record(session, rep.id if joining else by, "rep.joined" if joining else "rep.added", handle,
                     role=role, team=team.name if team else None)
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
    name: str | None = None,
    email: str | None = KEEP,
    team_id: int | None = KEEP,
    by: int | None = None,
) -> RepInfo:
    """Change what is given. A rep changes their own name, email, timezone, capacity and
    working days; a manager (theirs) anything, role and team included. ``email=None`` /
    ``team_id=None`` clear them; the last active manager stays a manager."""
    validate.ident(rep_id, "rep")
    validate.text(name, "name")
    validate.text(timezone, "timezone")
    validate.text(role, "role")
    validate.whole(capacity, "capacity")
    if working_days is not None:
        _check("x", "x", "rep", "UTC", 1, working_days)
    if email is not KEEP:
        email = _check_email(email)
    with write(session):
        rep = _rep_row(session, rep_id)
        manager_fields = role is not None or team_id is not KEEP
        if by is None or by != rep_id or manager_fields:
            what = f"change {rep.handle}'s " + ("role or team" if manager_fields else "details")
            _require_admin_of(session, by, rep, what)
        elif not rep.active:
            raise Forbidden(f"{rep.handle} is deactivated")
        new_days = working_days if working_days is not None else tuple(int(d) for d in rep.working_days)
        _check(
            rep.handle,
            name if name is not None else rep.name,
            role or rep.role,
            timezone or rep.timezone,
            capacity if capacity is not None else rep.capacity,
            new_days,
        )
        before = _snapshot(rep)
        if role is not None and role != "manager" and rep.role == "manager" and rep.active \
                and not _other_managers(session, rep.id):
            raise RuleViolation(f"{rep.handle} is the last manager: make another rep a manager first")
        if team_id is not KEEP:
            team = _team(session, team_id)
            rep.team_id = team.id if team else None
        if name is not None:
            rep.name = name.strip()
        if email is not KEEP:
            rep.email = email
        if capacity is not None:
            rep.capacity = capacity
        if working_days is not None:
            rep.working_days = _days_text(working_days)
        if timezone is not None:
            rep.timezone = timezone
        if role is not None:
            rep.role = role
        after = _snapshot(rep)
        changed = {k: after[k] for k in after if after[k] != before[k]}
        if changed:
            audit.record(session, by, "rep.changed", rep.handle, before={k: before[k] for k in changed}, after=changed)
        session.add(rep)
        session.flush()
        info = to_info(rep)
    return info


@dataclass(frozen=True)
class Handover:
    """What a deactivated rep held, now someone else's."""

    deals: int
    tasks: int
    to_handle: str | None


def open_work(session: Session, rep_id: int) -> tuple[int, int]:
    """(open deals, open tasks) ``rep_id`` owns."""
    deals = session.exec(select(Deal.id).where(Deal.owner_id == rep_id, Deal.closed_at.is_(None))).all()
    tasks = session.exec(select(Task.id).where(Task.owner_id == rep_id, Task.done_at.is_(None))).all()
    return len(deals), len(tasks)


def _counted(n: int, word: str) -> str:
    return f"{n:,} open {word}" + ("" if n == 1 else "s")


def deactivate_rep(session: Session, rep_id: int, *, reassign_to: int | None = None, by: int | None = None) -> Handover:
    """Take a rep off the team (a manager's): they no longer sign in, and no longer count
    in the team's numbers. Their open deals and tasks must go to ``reassign_to``
    (each deal's new owner an owner-change event by ``by``); closed deals and the
    history stay theirs. Teams they led lose their manager."""
    validate.ident(rep_id, "rep")
    validate.ident(reassign_to, "rep")
    with write(session):
        rep = _rep_row(session, rep_id)
        _require_admin_of(session, by, rep, f"deactivate {rep.handle}")
        if not rep.active:
            raise RuleViolation(f"{rep.handle} is deactivated already")
        if rep.role == "manager" and not _other_managers(session, rep.id):
            raise RuleViolation(f"{rep.handle} is the last manager: make another rep a manager first")
        deal_ids = list(session.exec(
            select(Deal.id).where(Deal.owner_id == rep.id, Deal.closed_at.is_(None)).order_by(Deal.id)
        ))
        task_ids = list(session.exec(
            select(Task.id).where(Task.owner_id == rep.id, Task.done_at.is_(None)).order_by(Task.id)
        ))
        target = None
        if reassign_to is not None:
            target = _rep_row(session, reassign_to)
            if target.id == rep.id or not target.active:
                raise InvalidInput(f"{rep.handle}'s work must go to another active rep, not {target.handle}")
        elif deal_ids or task_ids:
            held = " and ".join(
                _counted(n, w) for n, w in ((len(deal_ids), "deal"), (len(task_ids), "task")) if n
            )
            raise RuleViolation(f"{rep.handle} holds {held}: say who takes them (--reassign-to HANDLE)")
        now = clock.now()
        if deal_ids:
            lock_rows(session, Deal.id, deal_ids)
            versions = dict(session.exec(select(Deal.id, Deal.version).where(Deal.id.in_(deal_ids))).all())
            session.execute(
                update(Deal).where(Deal.id.in_(deal_ids))
                .values(owner_id=target.id, version=Deal.version + 1, updated_at=now, updated_by_id=by)
                .execution_options(synchronize_session=False)
            )
            for deal_id in deal_ids:
                events.record(session, deal_id, by, events.OWNER_CHANGED, events.row_change(
                    {"owner_id": rep.id}, {"owner_id": target.id}, versions[deal_id] + 1,
                    **events.owner_change(rep.name, target.name, reason=f"{rep.handle} deactivated"),
                ), at=now)
        if task_ids:
            session.execute(
                update(Task).where(Task.id.in_(task_ids))
                .values(owner_id=target.id, version=Task.version + 1, updated_at=now, updated_by_id=by)
                .execution_options(synchronize_session=False)
            )
        led = list(session.exec(select(Team).where(Team.manager_id == rep.id)))
        for team in led:
            team.manager_id = None
            session.add(team)
        rep.active = False
        session.add(rep)
        audit.record(session, by, "rep.deactivated", rep.handle, deals=len(deal_ids), tasks=len(task_ids),
                     reassigned_to=target.handle if target else None, teams_left=[t.name for t in led])
        session.flush()
        result = Handover(len(deal_ids), len(task_ids), target.handle if target else None)
    return result


def reactivate_rep(session: Session, rep_id: int, *, by: int | None = None) -> RepInfo:
    with write(session):
        rep = _rep_row(session, rep_id)
        _require_admin_of(session, by, rep, f"reactivate {rep.handle}")
        if rep.active:
            raise RuleViolation(f"{rep.handle} is active already")
        rep.active = True
        session.add(rep)
        audit.record(session, by, "rep.reactivated", rep.handle)
        session.flush()
        info = to_info(rep)
    return info
