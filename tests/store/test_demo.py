"""The demo team: realistic, consistent with the store's own rules, deterministic."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone

import pendulum
import pytest
from sqlalchemy import delete, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from store import activities, deals, demo, events, notes, reps, tasks, undo
from store.activities import milestone_rank
from store.errors import RuleViolation
from store.models import (
    LEAD,
    MILESTONES,
    OPEN,
    OPPORTUNITY,
    Account,
    Activity,
    ActivityDay,
    Contact,
    Deal,
    DealContact,
    DealEvent,
    DealMilestone,
    Note,
    Rep,
    Stage,
    Task,
    Team,
)
from store.stages import lost_reasons
from tests.store.rollup_check import assert_next_due_match, assert_rollups_match

TODAY = date(2026, 11, 18)  # the Wednesday of the ``frozen`` fixture
SMALL = demo.DemoSize(reps=3, leads=30, opportunities=45, history_days=120)
TABLES = (Rep, Account, Contact, Deal, DealContact, Activity, Task, Note, DealEvent, ActivityDay, DealMilestone)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _dump(session: Session) -> dict[str, list[tuple]]:
    out = {}
    for table in TABLES:
        columns = list(table.__table__.columns)
        rows = session.execute(sa_select(*columns).order_by(*table.__table__.primary_key.columns)).all()
        out[table.__tablename__] = [tuple(row) for row in rows]
    return out


def _wipe(session: Session) -> None:
    session.execute(update(Rep).values(team_id=None))
    session.execute(delete(Team))
    for table in reversed(TABLES):
        session.execute(delete(table))
    session.commit()


def _events_by_deal(session: Session) -> dict[int, list[DealEvent]]:
    grouped: dict[int, list[DealEvent]] = defaultdict(list)
    for event in session.exec(select(DealEvent).order_by(DealEvent.id)).all():
        grouped[event.deal_id].append(event)
    return grouped


def _check_history(session: Session, today: date) -> None:
    """Every deal row is exactly what replaying its events gives, and the work adds up."""
    stages = {s.id: s for s in session.exec(select(Stage)).all()}
    stage_by_name = {(s.pipeline, s.name): s for s in stages.values()}
    cutoff = datetime(today.year, today.month, today.day, tzinfo=timezone.utc)
    by_deal = _events_by_deal(session)
    acts: dict[int, list[Activity]] = defaultdict(list)
    for activity in session.exec(select(Activity)).all():
        acts[activity.deal_id].append(activity)
    open_tasks = {t.deal_id for t in session.exec(select(Task).where(Task.done_at.is_(None))).all()}
    rep_zone = {r.id: r.timezone for r in session.exec(select(Rep)).all()}
    stale = 0
    open_deals = 0
    for deal in session.exec(select(Deal)).all():
        history = by_deal[deal.id]
        assert history, deal.title
        ats = [_utc(e.at) for e in history]
        assert ats == sorted(ats), f"events of {deal.title} are out of order"
        assert ats[-1] < cutoff, "nothing happens after today began"
        first = history[0]
        assert first.kind == events.CREATED and first.data["version"] == 1
        assert _utc(deal.created_at) == ats[0]
        assert set(first.data) == {"pipeline", "to_stage", "value", "version"}
        state = {
            "pipeline": first.data["pipeline"],
            "stage_id": stage_by_name[(first.data["pipeline"], first.data["to_stage"])].id,
            "stage_entered_at": ats[0].isoformat(),
            "converted_at": None,
            "closed_at": None,
            "lost_reason": None,
            "value": first.data["value"],
        }
        expected_close_known = first.data["pipeline"] == LEAD
        state["expected_close"] = None
        version = 1
        for event in history[1:]:
            if event.kind not in events.DEAL_ROW_KINDS:
                continue
            version += 1
            assert event.data["version"] == version, f"{deal.title}: {event.kind} has a wrong version"
            for column, before in event.data["before"].items():
                if column == "expected_close" and not expected_close_known:
                    expected_close_known = True
                else:
                    assert state[column] == before, f"{deal.title}: {event.kind} before {column}"
            state.update(event.data["after"])
            if event.kind in (events.STAGE_CHANGED, events.CONVERTED, events.WON, events.LOST):
                assert event.data["after"]["stage_entered_at"] == _utc(event.at).isoformat()
                assert stages[state["stage_id"]].name == event.data["to_stage"]
            if event.kind == events.LOST:
                assert event.data["reason"] == event.data["after"]["lost_reason"]
        assert deal.version == version, deal.title
        assert deal.pipeline == state["pipeline"]
        assert deal.stage_id == state["stage_id"]
        assert _utc(deal.stage_entered_at).isoformat() == state["stage_entered_at"]
        assert deal.value == state["value"]
        assert deal.lost_reason == state["lost_reason"]
        for column in ("converted_at", "closed_at"):
            value = getattr(deal, column)
            assert (value and _utc(value).isoformat()) == state[column], f"{deal.title}: {column}"
        if expected_close_known:
            assert (deal.expected_close and deal.expected_close.isoformat()) == state["expected_close"]
        stage = stages[deal.stage_id]
        assert stage.pipeline == deal.pipeline
        assert (deal.closed_at is None) == (stage.kind == OPEN)
        assert (deal.converted_at is None) == (not any(e.kind == events.CONVERTED for e in history))
        # Activities: what refresh_deal_activity would have set.
        mine = acts[deal.id]
        last = max((_utc(a.occurred_at) for a in mine), default=None)
        assert (deal.last_activity_at and _utc(deal.last_activity_at)) == last
        best = max((milestone_rank(a.milestone) for a in mine), default=0)
        assert deal.milestone == (MILESTONES[best - 1] if best else None)
        assert all(a.rep_id == deal.owner_id for a in mine)
        logged = sorted(e.data["activity_id"] for e in history if e.kind == events.ACTIVITY_LOGGED)
        assert logged == sorted(a.id for a in mine)
        for activity in mine:
            local = pendulum.instance(_utc(activity.occurred_at)).in_timezone(rep_zone[deal.owner_id])
            assert local.isoweekday() <= 5 and 8 <= local.hour < 19, (deal.title, local)
        # Meetings climb the activity pipeline in order.
        meetings = sorted((_utc(a.occurred_at), milestone_rank(a.milestone)) for a in mine)
        ranks = [rank for _at, rank in meetings if rank >= 2]
        assert ranks == sorted(ranks), f"{deal.title}: milestones out of order"
        if stage.kind == OPEN:
            # Rotting, as DealDetail.is_stale tells it.
            open_deals += 1
            quiet = (cutoff - _utc(deal.last_activity_at or deal.created_at)).days
            stale += deal.id not in open_tasks and quiet > stage.rot_days
    assert 0.04 * open_deals <= stale <= 0.3 * open_deals, (stale, open_deals)


def _summary_matches(session: Session, summary: demo.DemoSummary, today: date) -> None:
    def count(model, *where) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    assert summary.deals == count(Deal)
    assert summary.leads == count(Deal, Deal.pipeline == LEAD)
    assert summary.opportunities == count(Deal, Deal.pipeline == OPPORTUNITY)
    assert summary.converted == count(Deal, Deal.converted_at.is_not(None))
    assert summary.activities == count(Activity)
    assert summary.tasks == count(Task)
    assert summary.open_tasks == count(Task, Task.done_at.is_(None))
    assert summary.overdue_tasks == count(Task, Task.done_at.is_(None), Task.due < today)
    assert summary.notes == count(Note)
    assert summary.events == count(DealEvent)
    assert summary.reps == count(Rep)


def _open_stage_counts(session: Session) -> dict[tuple[str, str, str], int]:
    rows = session.exec(
        select(Stage.pipeline, Stage.name, Stage.kind, func.count(Deal.id))
        .join(Deal, Deal.stage_id == Stage.id, isouter=True)
        .group_by(Stage.id, Stage.pipeline, Stage.name, Stage.kind)
    ).all()
    return {(p, n, k): c for p, n, k, c in rows}


# --- the default demo ---------------------------------------------------------------------------


def test_the_default_demo_is_a_believable_team(session, frozen):
    summary = demo.populate_demo(session)  # today: the frozen clock's day
    assert summary.reps == 7 and summary.deals == 360
    team = {r.handle: r for r in reps.list_reps(session)}
    assert set(team) == {"morgan", "alex", "priya", "sam", "jordan", "lena", "diego"}
    assert team["morgan"].is_manager and team["morgan"].name == "Morgan Blake"
    assert team["alex"].name == "Alex Kim" and demo.DEMO_REP == "alex"
    assert len({r.timezone for r in team.values()}) >= 3
    assert sorted(r.capacity for r in team.values()).count(10) == 1
    assert all(r.working_days == (1, 2, 3, 4, 5) for r in team.values())
    _summary_matches(session, summary, TODAY)
    for (pipeline, name, kind), n in _open_stage_counts(session).items():
        assert n > 0, f"{pipeline} stage {name} is empty"
    assert summary.won > 0 and summary.lost > 0 and summary.disqualified > 0 and summary.converted > 0
    # Values in cents, $5k to $250k, skewed small.
    values = sorted(session.exec(select(Deal.value)).all())
    assert values[0] >= 5_000_00 and values[-1] <= 250_000_00
    assert values[len(values) // 2] < 40_000_00
    assert all(v % 100 == 0 for v in values)
    # Accounts, contacts and titles read like B2B sales.
    everything = deals.list_deals(session)
    domains = dict(session.exec(select(Account.id, Account.domain)).all())
    for detail in everything:
        assert detail.title.startswith(detail.account_name + " — ")
        assert detail.contact_email.split("@")[1] == domains[detail.account_id]
        assert detail.contact_phone and detail.source and detail.territory and detail.product
    assert {d.source for d in everything} == {"Inbound", "Outbound", "Referral", "Event", "Partner"}
    assert {d.territory for d in everything} == {"North America", "EMEA", "APAC"}
    assert 3 <= len({d.product for d in everything}) <= 5
    assert len({d.account_name for d in everything}) > 0.8 * len(everything)
    # The stale ones DealDetail sees are the ones the summary counts.
    with_tasks = {t.deal_id for t in session.exec(select(Task).where(Task.done_at.is_(None))).all()}
    assert sum(d.is_stale(d.id in with_tasks) for d in everything) == summary.stale
    # Two quarters of work; deals closed within them; close dates past, this and next quarter.
    first = session.exec(select(func.min(Activity.occurred_at))).one()
    assert 150 <= (TODAY - _utc(first).date()).days <= 183  # local days: Sydney is ahead of UTC
    assert summary.activities > 5 * summary.deals
    closed = [_utc(c).date() for c in session.exec(select(Deal.closed_at).where(Deal.closed_at.is_not(None))).all()]
    assert min(closed) >= date(2026, 5, 19) and max(closed) < TODAY
    assert {(c.month - 1) // 3 for c in closed} == {1, 2, 3}  # Q2 (partly), Q3 and Q4 2026
    expected = [
        d.expected_close for d in everything if d.pipeline == OPPORTUNITY and d.is_open and d.expected_close
    ]
    assert any(e < TODAY for e in expected)
    assert any(TODAY < e <= date(2026, 12, 31) for e in expected)
    assert any(date(2027, 1, 1) <= e <= date(2027, 3, 31) for e in expected)
    assert session.exec(select(func.count()).select_from(Task).where(Task.done_at.is_not(None))).one() > 300
    _check_history(session, TODAY)


# --- determinism --------------------------------------------------------------------------------


def test_the_demo_fills_the_rollups_and_next_task_days(session, frozen):
    demo.populate_demo(session, today=frozen.date(), size=SMALL)
    assert_rollups_match(session)
    assert_next_due_match(session)


def test_the_same_seed_and_day_give_the_same_rows(session):
    demo.populate_demo(session, seed=11, today=TODAY, size=SMALL)
    first = _dump(session)
    _wipe(session)
    demo.populate_demo(session, seed=11, today=TODAY, size=SMALL)
    assert _dump(session) == first
    _wipe(session)
    demo.populate_demo(session, seed=12, today=TODAY, size=SMALL)
    other = _dump(session)
    assert other["deal"] != first["deal"] and other["activity"] != first["activity"]


@pytest.mark.parametrize("later", [date(2027, 3, 1), date(2027, 6, 26)])  # a Monday, a Saturday
def test_everything_is_relative_to_today(session, later):
    summary = demo.populate_demo(session, today=later, size=SMALL)
    last = _utc(session.exec(select(func.max(DealEvent.at))).one())
    assert (later - last.date()).days <= 3
    assert last < datetime(later.year, later.month, later.day, tzinfo=timezone.utc)
    assert summary.overdue_tasks > 0 and summary.overloaded_day > later
    _check_history(session, later)
    # Only the deals left to rot on purpose are stale, from the first minute of the day to the last.
    with_tasks = {t.deal_id for t in session.exec(select(Task).where(Task.done_at.is_(None))).all()}
    for hour, minute in ((0, 1), (23, 59)):
        at = pendulum.datetime(later.year, later.month, later.day, hour, minute, tz="UTC")
        stale = sum(d.is_stale(d.id in with_tasks, at=at) for d in deals.list_deals(session, open_only=True))
        assert stale == summary.stale


# --- the shape of the pipeline ------------------------------------------------------------------


def test_every_stage_and_ending_is_there_even_for_a_small_team(session):
    summary = demo.populate_demo(session, today=TODAY, size=SMALL)
    counts = _open_stage_counts(session)
    assert all(n > 0 for n in counts.values()), counts
    assert summary.won and summary.lost and summary.disqualified and summary.converted
    converted = session.exec(select(Deal).where(Deal.converted_at.is_not(None))).all()
    assert converted and all(d.pipeline == OPPORTUNITY for d in converted)
    by_deal = _events_by_deal(session)
    for deal in converted:
        kinds = [e.kind for e in by_deal[deal.id]]
        assert events.CONVERTED in kinds
        assert by_deal[deal.id][0].data["pipeline"] == LEAD
    lost = session.exec(select(Deal).where(Deal.lost_reason.is_not(None))).all()
    assert lost and all(d.lost_reason in lost_reasons(session, d.pipeline) for d in lost)
    assert {d.pipeline for d in lost} == {LEAD, OPPORTUNITY}
    slipped = [
        e for events_ in by_deal.values() for e in events_
        if e.kind == events.CLOSE_DATE_CHANGED and e.data["before"]["expected_close"] is not None
    ]
    assert slipped and all(e.data["after"]["expected_close"] > e.data["before"]["expected_close"] for e in slipped)
    _check_history(session, TODAY)


def test_milestones_follow_the_stages(session):
    demo.populate_demo(session, today=TODAY, size=SMALL)
    rows = session.exec(select(Stage.name, Deal.milestone).join(Deal, Deal.stage_id == Stage.id)).all()
    ranks = defaultdict(list)
    for name, milestone in rows:
        ranks[name].append(milestone_rank(milestone))
    average = lambda names: sum(sum(ranks[n]) for n in names) / sum(len(ranks[n]) for n in names)  # noqa: E731
    assert average(["Negotiation", "Won"]) > average(["Qualified"]) + 1.5
    assert average(["Qualified"]) > average(["New", "Attempting"])
    # A won deal went through every meeting, in order.
    won = session.exec(select(Deal.id).join(Stage).where(Stage.name == "Won")).all()
    for deal_id in won:
        reached = [a.milestone for a in reversed(activities.deal_activities(session, deal_id)) if a.milestone]
        meetings = [m for m in reached if m != "nurture"]
        assert meetings[:1] == ["rapport"] and "proposal" in meetings
        assert [milestone_rank(m) for m in meetings] == sorted(milestone_rank(m) for m in meetings)


# --- tasks and capacity -------------------------------------------------------------------------


def test_tasks_respect_capacity_but_for_one_overloaded_day(session):
    summary = demo.populate_demo(session, today=TODAY, size=SMALL)
    assert summary.overloaded_day is not None and summary.overloaded_day > TODAY
    over = []
    for rep in reps.list_reps(session):
        loads = tasks.day_loads(session, rep, TODAY, date(2027, 3, 1))
        over += [(rep.handle, day, load) for day, load in loads.items() if load > rep.capacity]
        assert all(tasks.is_working_day(rep, day) for day in loads)
    alex = reps.find_rep(session, "alex")
    assert over == [("alex", summary.overloaded_day, alex.capacity + 3)]
    open_tasks = session.exec(select(Task).where(Task.done_at.is_(None))).all()
    overdue = [t for t in open_tasks if t.due < TODAY]
    assert overdue and all(1 <= (TODAY - t.due).days <= 10 for t in overdue)
    assert any(t.due == TODAY for t in open_tasks)
    # Open tasks only on open deals; a share of open deals has no next step.
    open_ids = set(session.exec(select(Deal.id).join(Stage).where(Stage.kind == OPEN)).all())
    assert {t.deal_id for t in open_tasks} <= open_ids
    assert 0.1 * len(open_ids) <= len(open_ids - {t.deal_id for t in open_tasks}) <= 0.45 * len(open_ids)
    # Done tasks were done after they were created.
    for task in session.exec(select(Task).where(Task.done_at.is_not(None))).all():
        assert _utc(task.created_at) <= _utc(task.done_at)


def test_notes_read_at_a_glance(session):
    demo.populate_demo(session, today=TODAY, size=SMALL)
    bodies = session.exec(select(Note.body)).all()
    assert bodies
    assert all(len(notes.summary_of(b)) <= notes.MAX_SUMMARY for b in bodies)
    assert not [b for b in bodies if notes.looks_like_plan(b)]
    assert any("\n" in b for b in bodies)


# --- the store works on demo data ---------------------------------------------------------------


def test_store_functions_work_on_demo_data(session, frozen):
    demo.populate_demo(session, today=TODAY, size=SMALL)
    alex = reps.find_rep(session, "alex")
    mine = deals.list_deals(session, OPPORTUNITY, owner_id=alex.id, open_only=True)
    deal = next(d for d in mine if d.stage_name != "Negotiation")
    moved = deals.move_deal(session, deal.id, 1, version=deal.version, by=alex.id)
    assert moved.version == deal.version + 1
    back = undo.undo_last(session, deal.id, version=moved.version, by=alex.id)
    assert back.deal.stage_id == deal.stage_id and back.deal.stage_entered_at == deal.stage_entered_at
    # Undo the demo's own last changes on a won deal (a note, then the win): it reopens.
    won = next(d for d in deals.list_deals(session, OPPORTUNITY, owner_id=alex.id) if d.stage_name == "Won")
    current = won
    for _ in range(3):
        done = undo.undo_last(session, won.id, version=current.version, by=alex.id)
        current = done.deal
        if current.is_open:
            break
    assert "won" in done.description and current.closed_at is None
    assert current.stage_name in ("Proposal", "Negotiation") and current.version > won.version
    # New rows get fresh ids after the demo's (PostgreSQL sequences were moved on).
    lead = deals.create_lead(session, deals.DealFields(title="Walk-in — new lead", account="Walk-in Ltd"), by=alex.id)
    assert lead.id > max(d.id for d in mine) and lead.stage_name == "New"
    activity = activities.log_activity(
        session, lead.id, "call", by=alex.id, milestone="nurture", outcome="Quick intro call"
    )
    task = tasks.add_task(session, lead.id, "Call back", TODAY, by=alex.id)
    note = notes.add_note(session, lead.id, "Interested in telematics", by=alex.id)
    manager = next(r for r in reps.list_reps(session) if r.is_manager)
    newer = reps.create_rep(session, "new.rep", "New Rep", by=manager.id)
    assert min(activity.id, task.id, note.id) > 1 and newer.id > alex.id
    assert deals.get_deal(session, lead.id).milestone == "nurture"


def test_it_is_one_transaction(session):
    def interrupt(label: str, fraction: float) -> None:
        if label.startswith("Writing deal_event"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        demo.populate_demo(session, today=TODAY, size=SMALL, progress=interrupt)
    assert not demo.is_populated(session)
    assert all(session.exec(select(func.count()).select_from(t)).one() == 0 for t in TABLES)


def test_it_refuses_a_database_with_deals(session, frozen):
    assert not demo.is_populated(session)
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    assert demo.is_populated(session)  # a real team lives here
    deals.create_lead(session, deals.DealFields(title="Acme rollout"), by=ana.id)
    with pytest.raises(RuleViolation):
        demo.populate_demo(session, today=TODAY, size=SMALL)
    assert session.exec(select(func.count()).select_from(Deal)).one() == 1
    assert session.exec(select(func.count()).select_from(Rep)).one() == 1


def test_existing_reps_are_reused_and_teams_can_grow(session, frozen):
    alex = reps.create_rep(session, "alex", "Alex Kim", timezone="Europe/Paris", capacity=8)
    size = demo.DemoSize(reps=9, leads=40, opportunities=50, history_days=90)
    seen = []
    summary = demo.populate_demo(session, today=TODAY, size=size, progress=lambda label, f: seen.append((label, f)))
    team = reps.list_reps(session)
    assert summary.reps == len(team) == 10
    assert len({r.handle for r in team}) == 10
    assert reps.find_rep(session, "alex") == alex
    assert summary.overloaded_day is not None
    assert tasks.load_on(session, alex, summary.overloaded_day).load == 8 + 3
    fractions = [f for _label, f in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    _check_history(session, TODAY)


def test_the_demo_team_is_two_teams_led_by_its_manager(session):
    demo.populate_demo(session, today=TODAY, size=SMALL)
    teams = session.exec(select(Team).order_by(Team.name)).all()
    manager = session.exec(select(Rep).where(Rep.role == "manager")).one()
    assert [t.name for t in teams] == ["Americas", "International"]
    assert {t.manager_id for t in teams} == {manager.id}
    reps_by_team = {t.name: {r.handle for r in session.exec(select(Rep).where(Rep.team_id == t.id))} for t in teams}
    assert manager.handle in reps_by_team["Americas"] and "priya" in reps_by_team["International"]
    assert session.exec(select(func.count()).select_from(Rep).where(Rep.team_id.is_(None))).one() == 0


def test_demo_contacts_have_an_email_and_a_phone_and_some_deals_two(session):
    from store import contacts as people_contacts

    demo.populate_demo(session, seed=11, today=TODAY, size=SMALL)
    contacts = people_contacts.list_contacts(session, limit=1000)
    assert contacts and all(c.email and "@" in c.email and c.phone and c.account_id for c in contacts)
    on_deals = session.exec(select(DealContact.deal_id, func.count()).group_by(DealContact.deal_id)).all()
    assert {deal_id for deal_id, _n in on_deals} == set(session.exec(select(Deal.id)).all())
    assert any(n == 2 for _deal, n in on_deals)
    deal_id = next(deal_id for deal_id, n in on_deals if n == 2)
    on_deal = people_contacts.deal_contacts(session, deal_id)
    assert [c.primary for c in on_deal] == [True, False]
    assert deal_id in {d.id for d in people_contacts.contact_page(session, on_deal[1].contact.id).deals}
