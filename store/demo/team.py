"""The demo's team: its reps (who they are, where, and which days they work) and the
two teams they sit in."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pendulum
from sqlalchemy import select, update
from sqlmodel import Session

from store.demo.inserts import move_sequence
from store.demo.plan import UTC, slug
from store.demo.words import (
    DEMO_TEAMS,
    DOMAIN_BY_ZONE,
    EXTRA_ZONES,
    MANAGER,
    PHONE_BY_ZONE,
    REP_FIRST,
    REP_LAST,
    TEAM,
)
from store.models import Rep, Team

if TYPE_CHECKING:
    from store.demo.builder import Builder


class RepPlan:
    """A rep as the demo plans with them: their days (ordinals), hours and where they sell."""

    __slots__ = ("id", "handle", "name", "tz", "capacity", "days", "territory", "tld", "phone", "_noon", "new",
                 "role", "email", "created_at", "_zone")

    def __init__(self, id_, handle, name, tz, capacity, days, territory, role, email, new):
        self.id, self.handle, self.name, self.tz = id_, handle, name, tz
        self.capacity, self.days, self.territory = capacity, frozenset(days), territory
        self.role, self.email, self.new = role, email, new
        self.tld = DOMAIN_BY_ZONE.get(tz, ".com")
        self.phone = PHONE_BY_ZONE.get(tz)
        self._zone = pendulum.timezone(tz)
        self._noon: dict[int, datetime] = {}
        self.created_at: datetime | None = None

    def works(self, o: int) -> bool:
        return (o - 1) % 7 + 1 in self.days  # day ordinal 1 (0001-01-01) was a Monday

    def back(self, o: int) -> int:
        """The working day on or before day ordinal ``o``."""
        for _ in range(7):
            if self.works(o):
                return o
            o -= 1
        return o

    def fwd(self, o: int) -> int:
        """The working day on or after day ordinal ``o``."""
        for _ in range(7):
            if self.works(o):
                return o
            o += 1
        return o

    def pick(self, rng: random.Random, a: int, b: int) -> int:
        """A working day between ``a`` and ``b``, each as likely (a weekend does not pile onto Friday)."""
        if b > a:
            for _ in range(12):
                o = rng.randint(a, b)
                if self.works(o):
                    return o
        o = self.fwd(a)
        return o if o <= b else self.back(b)

    def near(self, rng: random.Random, o: int, latest: int) -> int:
        """The working day nearest ``o`` (either way when it is a weekend), no later than ``latest``."""
        if self.works(o):
            return o
        after = self.fwd(o)
        return after if after <= latest and rng.random() < 0.5 else self.back(o)

    def noon(self, o: int) -> datetime:
        """Local noon of day ``o``, in UTC. Working hours never straddle a DST change."""
        moment = self._noon.get(o)
        if moment is None:
            d = date.fromordinal(o)
            moment = self._zone.convert(datetime(d.year, d.month, d.day, 12)).astimezone(UTC)
            self._noon[o] = moment
        return moment

    def at(self, o: int, minute: int) -> datetime:
        """Minute ``minute`` of local day ``o``, in UTC."""
        return self.noon(o) + timedelta(minutes=minute - 720)


def hire(b: Builder) -> tuple[list[RepPlan], RepPlan]:
    """The reps and their manager (first), reusing reps whose handles already exist."""
    existing = {r.handle: r for r in b.session.execute(select(Rep)).scalars()}
    specs = [MANAGER + ("manager",)] + [t + ("rep",) for t in TEAM[: b.size.reps]]
    taken = {s[0] for s in specs} | set(existing)
    for i in range(b.size.reps - len(TEAM)):
        first = REP_FIRST[i % len(REP_FIRST)]
        last = REP_LAST[(i * 7 + i // len(REP_FIRST)) % len(REP_LAST)]
        handle, k = first.lower(), 2
        while handle in taken:
            handle, k = f"{first.lower()}{k}", k + 1
        taken.add(handle)
        tz, territory = EXTRA_ZONES[i % len(EXTRA_ZONES)]
        specs.append((handle, f"{first} {last}", tz, territory, 12, "rep"))
    team = []
    for handle, name, tz, territory, capacity, role in specs:
        row = existing.get(handle)
        if row is not None:
            days = tuple(int(x) for x in row.working_days) or (1, 2, 3, 4, 5)
            rep = RepPlan(row.id, handle, row.name, row.timezone, row.capacity, days, territory, row.role,
                          row.email, False)
        else:
            first, last = name.split(" ", 1)
            email = f"{slug(first)}.{slug(last)}@legwork-demo.example"
            rep = RepPlan(b.new_id(Rep), handle, name, tz, capacity, (1, 2, 3, 4, 5), territory, role, email, True)
            joined = b.S - (900 if role == "manager" else b.rng.randint(40, 700))
            rep.created_at = rep.at(rep.back(joined), 9 * 60 + 30)
        team.append(rep)
    return team[1:], team[0]


def make_teams(session: Session, manager: RepPlan, reps: list[RepPlan]) -> None:
    """Two teams by territory, both led by the demo's manager: the Americas, where
    the manager sits, and the rest of the world. Only on a database with no teams."""
    if not manager.new or session.execute(select(Team.id).limit(1)).first() is not None:
        return
    made = {}
    # Ids given, as for every demo row, so a seed gives the same rows on every backend.
    for team_id, (name, office, region) in enumerate(DEMO_TEAMS, start=1):
        session.add(Team(id=team_id, name=name, manager_id=manager.id, office=office, region=region,
                         created_at=manager.created_at))
        made[region] = team_id
    session.flush()
    move_sequence(session, "team")
    members: dict[int, list[int]] = {}
    for rep in (manager, *reps):
        if rep.new:
            region = "Americas" if rep.territory == "North America" else "International"
            members.setdefault(made[region], []).append(rep.id)
    for team_id, ids in members.items():
        session.execute(update(Rep).where(Rep.id.in_(ids)).values(team_id=team_id))
