"""Teams: a rep belongs to one; its manager changes its reps' deals (store.permissions).

A team has a name (unique, any case), an optional manager (an active manager), an
office and a region to group numbers by, and an optional timezone. Adding and
changing teams is a manager's job, recorded with who and when (store.audit).
"""

from __future__ import annotations

from dataclasses import dataclass

import pendulum
from sqlmodel import Session, func, select

from store import audit, clock, permissions, validate
from store.errors import InvalidInput, NotFound
from store.models import Rep, Team
from store.reps import KEEP, RepInfo, to_info
from store.tx import write

MAX_NAME = 100
MAX_PLACE = 100


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    manager_id: int | None
    manager_handle: str | None
    office: str | None
    region: str | None
    timezone: str | None
    members: int  # active reps


def _info(session: Session, team: Team) -> TeamInfo:
    manager = session.get(Rep, team.manager_id) if team.manager_id is not None else None
    members = session.exec(
        select(func.count()).select_from(Rep).where(Rep.team_id == team.id, Rep.active == True)  # noqa: E712
    ).one()
    return TeamInfo(
        id=team.id, name=team.name, manager_id=team.manager_id, manager_handle=manager.handle if manager else None,
        office=team.office, region=team.region, timezone=team.timezone, members=members,
    )


def list_teams(session: Session) -> list[TeamInfo]:
    return [_info(session, t) for t in session.exec(select(Team).order_by(Team.name))]


def find_team(session: Session, name: str) -> TeamInfo:
    """The team called ``name``, in any case."""
    if not isinstance(name, str):
        raise InvalidInput("a team name must be text")
    key = name.strip().casefold()
    teams = list(session.exec(select(Team).order_by(Team.name)))
    for team in teams:
        if team.name.casefold() == key:
            return _info(session, team)
    known = ", ".join(t.name for t in teams) or "none yet"
    raise NotFound(f"no team called {name.strip()!r} (teams: {known})")


def get_team(session: Session, team_id: int) -> TeamInfo:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team with id {team_id}")
    return _info(session, team)


def members(session: Session, team_id: int, *, include_inactive: bool = False) -> list[RepInfo]:
    query = select(Rep).where(Rep.team_id == team_id).order_by(Rep.name)
    if not include_inactive:
        query = query.where(Rep.active == True)  # noqa: E712
    return [to_info(r) for r in session.exec(query)]


def _clean_name(name: str) -> str:
    name = (validate.text(name, "a team name") or "").strip()
    if not name:
        raise InvalidInput("a team needs a name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"a team name is at most {MAX_NAME} characters")
    return name


def _clean_place(value: str | None, what: str) -> str | None:
    value = validate.text(value, what)
    if value is None or not value.strip():
        return None
    if len(value.strip()) > MAX_PLACE:
        raise InvalidInput(f"{what} is at most {MAX_PLACE} characters")
    return value.strip()


def _clean_timezone(tz: str | None) -> str | None:
    tz = validate.text(tz, "timezone")
    if tz is None or not tz.strip():
        return None
    if tz.strip() not in pendulum.timezones():
        raise InvalidInput(f"timezone {tz.strip()!r} is not a known zone like Europe/Berlin")
    return tz.strip()


def _check_name_free(session: Session, name: str, team_id: int | None = None) -> None:
    for team in session.exec(select(Team)):
        if team.id != team_id and team.name.casefold() == name.casefold():
            raise InvalidInput(f"a team called {team.name!r} already exists")


def _manager(session: Session, manager_id: int | None) -> Rep | None:
    if manager_id is None:
        return None
    validate.ident(manager_id, "manager")
    rep = session.get(Rep, manager_id)
    if rep is None:
        raise NotFound(f"no rep with id {manager_id}")
    if rep.role != "manager" or not rep.active:
        raise InvalidInput(f"{rep.handle} is not an active manager: make them one first (legwork rep edit --role manager)")
    return rep


def _snapshot(session: Session, team: Team) -> dict:
    manager = session.get(Rep, team.manager_id) if team.manager_id is not None else None
    return {"name": team.name, "manager": manager.handle if manager else None, "office": team.office,
            "region": team.region, "timezone": team.timezone}


def create_team(
    session: Session,
    name: str,
    *,
    manager_id: int | None = None,
    office: str | None = None,
    region: str | None = None,
    timezone: str | None = None,
    by: int | None = None,
) -> TeamInfo:
    name = _clean_name(name)
    office = _clean_place(office, "office")
    region = _clean_place(region, "region")
    timezone = _clean_timezone(timezone)
    with write(session):
        permissions.require_manager(session, by, "add a team")
        _check_name_free(session, name)
        manager = _manager(session, manager_id)
        team = Team(name=name, manager_id=manager.id if manager else None, office=office, region=region,
                    timezone=timezone, created_at=clock.now())
        session.add(team)
        session.flush()
        audit.record(session, by, "team.added", name, **{k: v for k, v in _snapshot(session, team).items() if v})
        info = _info(session, team)
    return info


def update_team(
    session: Session,
    team_id: int,
    *,
    name: str | None = None,
    manager_id: int | None = KEEP,
    office: str | None = KEEP,
    region: str | None = KEEP,
    timezone: str | None = KEEP,
    by: int | None = None,
) -> TeamInfo:
    """Change what is given; ``None`` (or empty text) clears the manager, office, region
    or timezone."""
    validate.ident(team_id, "team")
    if name is not None:
        name = _clean_name(name)
    if office is not KEEP:
        office = _clean_place(office, "office")
    if region is not KEEP:
        region = _clean_place(region, "region")
    if timezone is not KEEP:
        timezone = _clean_timezone(timezone)
    with write(session):
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound(f"no team with id {team_id}")
        permissions.require_manager(session, by, f"change the team {team.name!r}")
        before = _snapshot(session, team)
        if name is not None:
            _check_name_free(session, name, team.id)
            team.name = name
        if manager_id is not KEEP:
            manager = _manager(session, manager_id)
            team.manager_id = manager.id if manager else None
        if office is not KEEP:
            team.office = office
        if region is not KEEP:
            team.region = region
        if timezone is not KEEP:
            team.timezone = timezone
        session.add(team)
        session.flush()
        after = _snapshot(session, team)
        changed = {k: after[k] for k in after if after[k] != before[k]}
        if changed:
            audit.record(session, by, "team.changed", before["name"], before={k: before[k] for k in changed},
                         after=changed)
        info = _info(session, team)
    return info
