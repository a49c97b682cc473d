"""Who may change what, enforced in the store: every write a rep may not make is
refused with ``Forbidden`` and writes nothing; every write they may make is recorded
with who made it. On SQLite and PostgreSQL.

The team: Mara leads team A (``team.manager_id``) without being in it; Meg is a
manager in team A; Ana and Bob are reps in team A. Ben manages team B, where Cy
works. Old was team A's manager and is deactivated. Nia (a rep) and Zed (a
manager) have no team: the implicit team of a database from before teams.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from store import activities, balance, deals, events, goals, notes, reps, tasks, undo, workweek
from store.errors import Forbidden
from store.importer import ImportOptions, import_file
from store.models import Activity, AdminEvent, Deal, DealEvent, Goal, Note, Rep, Setting, Task, Team
from store.settings import OPEN_EDITING
from tests.conftest import FIXED_NOW

F = deals.DealFields
MON, THU = date(2026, 11, 16), date(2026, 11, 19)  # FIXED_NOW is Wednesday 18 November


@dataclass
class World:
    mara: int
    meg: int
    ana: int
    bob: int
    ben: int
    cy: int
    old: int
    nia: int
    zed: int
    deal: int  # Ana's open opportunity
    won: int  # Ana's won opportunity (with an open task)
    lead: int  # Ana's lead
    task: int  # Ana's overdue task on her deal
    cy_deal: int
    nia_deal: int
    since: int  # events.latest_id before anyone acted: what ``u`` may reach


def _team(session, name: str, manager_id: int | None) -> int:
    team = Team(name=name, manager_id=manager_id, created_at=FIXED_NOW)
    session.add(team)
    session.commit()
    return team.id


def _join(session, rep_id: int, team_id: int | None, *, active: bool = True) -> None:
    rep = session.get(Rep, rep_id)
    rep.team_id, rep.active = team_id, active
    session.add(rep)
    session.commit()


@pytest.fixture
def world(session, frozen) -> World:
    # Reps first, then managers: once a manager exists, adding anyone is a manager's
    # (by=None is the set-up before there is one).
    people: dict[str, int] = {}
    first_manager = None
    for handle, name, role in sorted((
        ("mara", "Mara Lind", "manager"), ("meg", "Meg Ott", "manager"), ("ana", "Ana Reyes", "rep"),
        ("bob", "Bob Stone", "rep"), ("ben", "Ben Cole", "manager"), ("cy", "Cy Park", "rep"),
        ("old", "Old Boss", "manager"), ("nia", "Nia Kay", "rep"), ("zed", "Zed Ruiz", "manager"),
    ), key=lambda spec: spec[2] == "manager"):
        people[handle] = reps.create_rep(session, handle, name, role=role, by=first_manager).id
        if role == "manager" and first_manager is None:
            first_manager = people[handle]
    team_a = _team(session, "Team A", people["mara"])
    team_b = _team(session, "Team B", people["ben"])
    for handle in ("meg", "ana", "bob"):
        _join(session, people[handle], team_a)
    for handle in ("ben", "cy"):
        _join(session, people[handle], team_b)
    _join(session, people["old"], team_a, active=False)
    ana = people["ana"]
    deal = deals.create_opportunity(session, F(title="Acme rollout", value=1000), by=ana)
    won = deals.create_opportunity(session, F(title="Globex", value=500), by=ana)
    task_on_won = tasks.add_task(session, won.id, "Send the contract", THU, by=ana)
    won = deals.mark_won(session, won.id, version=won.version, by=ana)
    assert task_on_won.is_open
    lead = deals.create_lead(session, F(title="Initech"), by=ana)
    task = tasks.add_task(session, deal.id, "Call the CFO", MON, by=ana)
    cy_deal = deals.create_opportunity(session, F(title="Umbrella"), by=people["cy"])
    nia_deal = deals.create_opportunity(session, F(title="Hooli"), by=people["nia"])
    return World(**people, deal=deal.id, won=won.id, lead=lead.id, task=task.id, cy_deal=cy_deal.id,
                 nia_deal=nia_deal.id, since=events.latest_id(session))


def snapshot(db) -> dict:
    """Every row a write of this module could touch, as committed."""
    with db.engine.connect() as connection:
        return {
            model.__tablename__: sorted(tuple(r) for r in connection.execute(select(model.__table__)))
            for model in (Deal, DealEvent, Task, Activity, Note, Goal, Rep, Setting, AdminEvent)
        }


def version(session, deal_id: int) -> int:
    return deals.get_deal(session, deal_id).version


def task_version(session, task_id: int) -> int:
    return tasks.get_task(session, task_id).version


def open_editing(session, on: bool = True) -> None:
    session.merge(Setting(key=OPEN_EDITING, value="true" if on else "false"))
    session.commit()


def _rep(session, rep_id: int):
    return reps.get_rep(session, rep_id)


# Each write, by ``by`` on the world; the same table serves the refusals and the allowed cases.
WRITES = {
    "move": lambda s, w, by: deals.move_deal(s, w.deal, +1, version=version(s, w.deal), by=by),
    "move to stage": lambda s, w, by: deals.move_to_stage(
        s, w.deal, deals.list_stages(s, "opportunity", open_only=True)[-1].id, version=version(s, w.deal), by=by),
    "edit": lambda s, w, by: deals.edit_deal(s, w.deal, F(title="Acme 2"), version=version(s, w.deal), by=by),
    "convert": lambda s, w, by: deals.convert_lead(s, w.lead, version=version(s, w.lead), by=by),
    "won": lambda s, w, by: deals.mark_won(s, w.deal, version=version(s, w.deal), by=by),
    "lost": lambda s, w, by: deals.mark_lost(s, w.deal, "Price", version=version(s, w.deal), by=by),
    "reopen": lambda s, w, by: deals.reopen(s, w.won, version=version(s, w.won), by=by),
    "close its tasks": lambda s, w, by: tasks.close_open_tasks(s, w.won, by=by),
    "reassign": lambda s, w, by: deals.edit_deal(s, w.deal, F(owner_id=w.bob), version=version(s, w.deal), by=by),
    "create for ana": lambda s, w, by: deals.create_opportunity(s, F(title="Hers", owner_id=w.ana), by=by),
    "log activity": lambda s, w, by: activities.log_activity(s, w.deal, "call", by=by),
    "note": lambda s, w, by: notes.add_note(s, w.deal, "Spoke to the CFO", by=by),
    "task add": lambda s, w, by: tasks.add_task(s, w.deal, "Send pricing", THU, by=by),
    "task for ana": lambda s, w, by: tasks.add_task(s, w.deal, "Send pricing", THU, by=by, owner_id=w.ana),
    "task complete": lambda s, w, by: tasks.complete_task(s, w.task, by=by, version=task_version(s, w.task)),
    "task reschedule": lambda s, w, by: tasks.reschedule_task(
        s, w.task, THU, by=by, version=task_version(s, w.task)),
    "task move": lambda s, w, by: balance.move_task(s, w.task, THU, by=by),
    "task snooze": lambda s, w, by: balance.snooze(s, w.task, by=by),
    "balance": lambda s, w, by: balance.apply_balance(s, balance.balance_plan(s, _rep(s, w.ana), FIXED_NOW.date()),
                                                      by=by),
    "goals": lambda s, w, by: goals.set_goals(s, w.ana, "week", {"activity:call": 5}, by=by),
    "workweek": lambda s, w, by: workweek.set_workweek(s, w.ana, working_days=(1, 2, 3), capacity=4, by=by),
}


# What a write by ``by`` left behind, naming its actor.
def recorded_actor(session, w: World, write: str) -> int | None:
    if write == "goals":
        return session.exec(select(Goal.updated_by_id).where(Goal.rep_id == w.ana)).one()[0]
    if write == "workweek":
        return None  # rep rows carry no actor: admin_event, added by store.reps, will
    if write == "create for ana":
        deal_id = session.exec(select(Deal.id).where(Deal.title == "Hers")).one()[0]
        return session.exec(select(DealEvent.rep_id).where(DealEvent.deal_id == deal_id)).one()[0]
    if write in ("task add", "task for ana"):
        return session.exec(select(Task.created_by_id).where(Task.title == "Send pricing")).one()[0]
    if write in ("task complete", "task reschedule", "task move", "task snooze", "balance"):
        return session.get(Task, w.task, populate_existing=True).updated_by_id
    deal_id = {"convert": w.lead, "reopen": w.won, "close its tasks": w.won}.get(write, w.deal)
    return session.exec(
        select(DealEvent.rep_id).where(DealEvent.deal_id == deal_id).order_by(DealEvent.id.desc())
    ).first()[0]


DEAL_AND_TASK_WRITES = [w for w in WRITES if w not in ("goals", "workweek", "balance")]

# A rep on a teammate's deal: everything refused.
REP_ON_TEAMMATE = [(write, "bob") for write in WRITES]
# Managers outside Ana's team, and a deactivated one.
OUTSIDERS = [(write, who) for write in ("move", "edit", "won", "note", "task complete", "goals", "workweek")
             for who in ("ben", "old")]
REFUSED = REP_ON_TEAMMATE + OUTSIDERS + [
    ("move", "zed"),  # the no-team manager does not manage team A
    ("goals", "ana"),  # goals are a manager's, even one's own
]


@pytest.mark.parametrize(("write", "who"), REFUSED)
def test_a_forbidden_write_is_refused_and_writes_nothing(session, db, world, write, who):
    before = snapshot(db)
    with pytest.raises(Forbidden) as refused:
        WRITES[write](session, world, getattr(world, who))
    message = str(refused.value)
    assert "\n" not in message and message.startswith((who, "only")), message
    assert snapshot(db) == before


def test_a_rep_cannot_give_their_own_deal_or_their_work_away(session, db, world):
    before = snapshot(db)
    with pytest.raises(Forbidden, match="ana cannot give a deal to bob: only their manager can"):
        deals.edit_deal(session, world.deal, F(owner_id=world.bob), version=version(session, world.deal), by=world.ana)
    with pytest.raises(Forbidden, match="ana cannot give a task to bob"):
        tasks.add_task(session, world.deal, "For Bob", THU, by=world.ana, owner_id=world.bob)
    with pytest.raises(Forbidden, match="ana cannot create a deal for bob"):
        deals.create_opportunity(session, F(title="Bob's", owner_id=world.bob), by=world.ana)
    assert snapshot(db) == before


def test_a_manager_of_one_team_cannot_touch_another_teams_deal(session, db, world):
    before = snapshot(db)
    for write in (
        lambda: deals.move_deal(session, world.cy_deal, +1, version=version(session, world.cy_deal), by=world.mara),
        lambda: notes.add_note(session, world.cy_deal, "Hello", by=world.meg),
        lambda: deals.create_opportunity(session, F(title="For Cy", owner_id=world.cy), by=world.mara),
        lambda: goals.set_goals(session, world.cy, "week", {"activity:call": 1}, by=world.mara),
    ):
        with pytest.raises(Forbidden):
            write()
    assert snapshot(db) == before


@pytest.mark.parametrize("way", ["undo_latest", "undo_last"])
def test_undo_into_a_deal_one_may_no_longer_change_is_refused(session, db, world, way):
    # Under open editing Bob noted on Ana's deal; then the team turned it off.
    open_editing(session)
    notes.add_note(session, world.deal, "Bob was here", by=world.bob)
    open_editing(session, False)
    before = snapshot(db)
    with pytest.raises(Forbidden, match="bob cannot undo a change to ana's deal"):
        if way == "undo_latest":
            undo.undo_latest(session, by=world.bob, since=world.since)
        else:
            undo.undo_last(session, world.deal, version=version(session, world.deal), by=world.bob)
    assert snapshot(db) == before


def test_an_import_giving_deals_to_reps_one_does_not_manage_is_refused(session, db, world, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("title,owner,stage,value\nStark,ana,Qualified,100\nWayne,bob,Qualified,200\n", encoding="utf-8")
    before = snapshot(db)
    report = import_file(session, path, by=world.bob, options=ImportOptions(kind="deals"))
    assert not report.committed and "bob cannot import work for ana" in report.error
    assert snapshot(db) == before
    report = import_file(session, path, by=world.ben, options=ImportOptions(kind="deals"))
    assert not report.committed and "ben cannot import work for ana" in report.error
    assert snapshot(db) == before
    # Ana's manager may: both deals, owned by their reps, created by her.
    report = import_file(session, path, by=world.mara, options=ImportOptions(kind="deals"))
    assert report.committed, report.error
    owners = dict(session.exec(select(Deal.title, Deal.owner_id).where(Deal.title.in_(["Stark", "Wayne"]))).all())
    assert owners == {"Stark": world.ana, "Wayne": world.bob}


def test_an_import_naming_new_reps_is_a_managers(session, db, world, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("title,owner,stage,value\nStark,Newt Person,Qualified,100\n", encoding="utf-8")
    before = snapshot(db)
    report = import_file(session, path, by=world.ana, options=ImportOptions(kind="deals"))
    assert not report.committed and "ana cannot add the reps an import names" in report.error
    assert snapshot(db) == before


# --- what is allowed, and recorded with who did it ------------------------------------------------

ALLOWED = (
    [(write, "ana") for write in WRITES if write not in ("goals", "create for ana", "reassign", "task for ana")]
    + [(write, "mara") for write in WRITES]  # leads team A through team.manager_id
    + [(write, "meg") for write in WRITES]  # a manager in team A
)


@pytest.mark.parametrize(("write", "who"), ALLOWED)
def test_an_allowed_write_is_recorded_with_its_actor(session, world, write, who):
    actor = getattr(world, who)
    WRITES[write](session, world, actor)
    if write == "workweek":
        assert reps.get_rep(session, world.ana).capacity == 4
    else:
        assert recorded_actor(session, world, write) == actor


@pytest.mark.parametrize("who", ["bob", "cy"])  # a teammate, and a rep of another team
@pytest.mark.parametrize("write", DEAL_AND_TASK_WRITES)
def test_open_editing_lets_every_rep_change_every_deal(session, world, write, who):
    open_editing(session)
    WRITES[write](session, world, getattr(world, who))
    assert recorded_actor(session, world, write) == getattr(world, who)


@pytest.mark.parametrize("write", ["goals", "workweek"])
def test_open_editing_leaves_administration_to_managers(session, db, world, write):
    open_editing(session)
    before = snapshot(db)
    with pytest.raises(Forbidden):
        WRITES[write](session, world, world.bob)
    assert snapshot(db) == before


def test_the_implicit_no_team_team(session, world):
    # Zed, a manager without a team, manages Nia, a rep without one; Nia's deal is Zed's to move.
    moved = deals.move_deal(session, world.nia_deal, +1, version=version(session, world.nia_deal), by=world.zed)
    assert deals.get_deal(session, moved.id).version == 2
    last = session.exec(select(DealEvent.rep_id).where(DealEvent.deal_id == world.nia_deal)
                        .order_by(DealEvent.id.desc())).first()[0]
    assert last == world.zed
    tasks.add_task(session, world.nia_deal, "For Nia", THU, by=world.zed, owner_id=world.nia)
    goals.set_goals(session, world.nia, "week", {"activity:call": 3}, by=world.zed)
    assert goals.rep_goals(session, world.nia, "week") == {"activity:call": 3}


def test_undo_of_ones_own_change_on_ones_own_deal(session, world):
    deals.move_deal(session, world.deal, +1, version=version(session, world.deal), by=world.ana)
    undone = undo.undo_latest(session, by=world.ana, since=world.since)
    assert undone.deal.id == world.deal
    # A manager undoes their own change on their rep's deal.
    deals.move_deal(session, world.deal, +1, version=version(session, world.deal), by=world.mara)
    undo.undo_last(session, world.deal, version=version(session, world.deal), by=world.mara)
    last = session.exec(select(DealEvent.kind, DealEvent.rep_id).where(DealEvent.deal_id == world.deal)
                        .order_by(DealEvent.id.desc())).first()
    assert tuple(last) == (events.UNDONE, world.mara)


# --- signing up ---------------------------------------------------------------------------------


def test_only_the_first_rep_of_an_empty_database_signs_up_as_manager(session, db, frozen):
    from store import onboarding

    assert onboarding.first_rep(session)
    first = onboarding.sign_up(session, "mara", "Mara Lind", manager=True)
    assert first.is_manager and not onboarding.first_rep(session)
    before = snapshot(db)
    with pytest.raises(Forbidden, match="only the first rep of a new database can sign up as its manager"):
        onboarding.sign_up(session, "sly", "Sly Fox", manager=True)
    assert snapshot(db) == before
    second = onboarding.sign_up(session, "ana", "Ana Reyes")
    assert not second.is_manager and reps.get_rep(session, second.id).role == "rep"


def test_a_task_owner_undoes_their_own_task_change_on_someone_elses_deal(session, db, world):
    # Mara gives Bob a task on Ana's deal; Bob completes it, then takes that back.
    task = tasks.add_task(session, world.deal, "Bob's call", THU, by=world.mara, owner_id=world.bob)
    tasks.complete_task(session, task.id, by=world.bob)
    undone = undo.undo_latest(session, by=world.bob, since=world.since)
    assert undone.deal.id == world.deal
    assert tasks.get_task(session, task.id).is_open
    assert session.get(Task, task.id, populate_existing=True).updated_by_id == world.bob
    # The task was his to change; Ana's deal itself still is not.
    with pytest.raises(Forbidden):
        notes.add_note(session, world.deal, "Nope", by=world.bob)
