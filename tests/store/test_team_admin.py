"""Setting a team up is a manager's job, in the store: reps, teams, stages, lost
reasons and settings; each change recorded with who and when, on both backends."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from store import audit, deactivation, deals, events, reps, settings, stages, tasks, teams
from store.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from store.models import LEAD, OPPORTUNITY, Deal, DealEvent, Rep, Stage, Task

D = deals.DealFields


@pytest.fixture
def boss(session, frozen):
    """The first manager, added by no one (a new server's administrator)."""
    return reps.create_rep(session, "boss", "Bo Boss", role="manager")


@pytest.fixture
def ana(session, boss):
    return reps.create_rep(session, "ana", "Ana Reyes", by=boss.id)


def kinds(session) -> list[tuple[str | None, str, str]]:
    return [(r.actor, r.kind, r.subject) for r in reversed(audit.history(session))]


def test_no_one_sets_up_until_the_first_manager_then_only_managers(session, boss, ana):
    with pytest.raises(Forbidden, match="only a manager can add a rep: sign in as one"):
        reps.create_rep(session, "eve", "Eve Other")  # no signed-in rep, and a manager exists
    with pytest.raises(Forbidden, match="ana cannot add a rep: only a manager can"):
        reps.create_rep(session, "eve", "Eve Other", by=ana.id)
    assert reps.find_rep(session, "eve") is None
    assert kinds(session) == [(None, "rep.added", "boss"), ("boss", "rep.added", "ana")]


def test_a_rep_edits_their_own_details_but_not_their_role_or_team(session, boss, ana):
    east = teams.create_team(session, "East", by=boss.id)
    mine = reps.update_rep(session, ana.id, name="Ana R. Reyes", email="ana@example.com", capacity=8,
                           working_days=(1, 2, 3), timezone="Europe/Berlin", by=ana.id)
    assert (mine.name, mine.email, mine.capacity, mine.working_days) == ("Ana R. Reyes", "ana@example.com", 8, (1, 2, 3))
    with pytest.raises(Forbidden, match="only a manager"):
        reps.update_rep(session, ana.id, role="manager", by=ana.id)
    with pytest.raises(Forbidden, match="only a manager"):
        reps.update_rep(session, ana.id, team_id=east.id, by=ana.id)
    with pytest.raises(Forbidden):
        reps.update_rep(session, boss.id, capacity=3, by=ana.id)  # someone else's details
    moved = reps.update_rep(session, ana.id, team_id=east.id, by=boss.id)
    assert moved.team_id == east.id and reps.get_rep(session, ana.id).role == "rep"
    changed = [r for r in audit.history(session) if r.kind == "rep.changed"]
    assert [(r.actor, r.data["after"]) for r in reversed(changed)] == [
        ("ana", {"name": "Ana R. Reyes", "email": "ana@example.com", "timezone": "Europe/Berlin", "capacity": 8,
                 "working_days": "123"}),
        ("boss", {"team_id": east.id}),
    ]


def test_the_last_manager_stays_one(session, boss, ana):
    with pytest.raises(RuleViolation, match="boss is the last manager"):
        reps.update_rep(session, boss.id, role="rep", by=boss.id)
    with pytest.raises(RuleViolation, match="last manager"):
        deactivation.deactivate_rep(session, boss.id, by=boss.id)
    reps.update_rep(session, ana.id, role="manager", by=boss.id)
    assert reps.update_rep(session, boss.id, role="rep", by=ana.id).role == "rep"


def test_a_manager_of_another_team_cannot_change_its_reps(session, boss, ana):
    east = teams.create_team(session, "East", manager_id=boss.id, by=boss.id)
    reps.update_rep(session, ana.id, team_id=east.id, by=boss.id)
    west_boss = reps.create_rep(session, "wes", "Wes Lead", role="manager", by=boss.id)
    west = teams.create_team(session, "West", manager_id=west_boss.id, by=boss.id)
    reps.update_rep(session, west_boss.id, team_id=west.id, by=boss.id)
    with pytest.raises(Forbidden, match="another manager's team"):
        reps.update_rep(session, ana.id, capacity=2, by=west_boss.id)
    assert reps.get_rep(session, ana.id).capacity == 12


def test_deactivating_a_rep_with_open_work_says_where_it_goes(session, boss, ana):
    bob = reps.create_rep(session, "bob", "Bob Stone", by=boss.id)
    first = deals.create_opportunity(session, D(title="Acme"), by=ana.id)
    second = deals.create_lead(session, D(title="Globex"), by=ana.id)
    won = deals.mark_won(session, deals.create_opportunity(session, D(title="Initech"), by=ana.id).id, version=1,
                         by=ana.id)
    task = tasks.add_task(session, first.id, "Call back", date(2026, 11, 20), by=ana.id)
    with pytest.raises(RuleViolation, match=r"ana holds 2 open deals and 1 open task: say who takes them"):
        deactivation.deactivate_rep(session, ana.id, by=boss.id)
    with pytest.raises(Forbidden):
        deactivation.deactivate_rep(session, ana.id, reassign_to=bob.id, by=bob.id)
    handover = deactivation.deactivate_rep(session, ana.id, reassign_to=bob.id, by=boss.id)
    assert (handover.deals, handover.tasks, handover.to_handle) == (2, 1, "bob")
    for deal in (first, second):
        now = deals.get_deal(session, deal.id)
        assert now.owner_id == bob.id and now.version == deal.version + 1
        event = session.exec(select(DealEvent).where(DealEvent.deal_id == deal.id).order_by(DealEvent.id.desc())).first()
        assert (event.kind, event.rep_id, event.data["after"], event.data["version"]) == (
            events.OWNER_CHANGED, boss.id, {"owner_id": bob.id}, deal.version + 1)
    assert deals.get_deal(session, won.id).owner_id == ana.id  # history stays hers
    assert session.get(Task, task.id).owner_id == bob.id
    assert not session.get(Rep, ana.id).active and reps.find_rep(session, "ana") in reps.list_reps(
        session, include_inactive=True)
    assert {r.handle for r in reps.list_reps(session)} == {"boss", "bob"}
    record = audit.history(session)[0]
    assert (record.actor, record.kind, record.data["deals"], record.data["reassigned_to"]) == ("boss", "rep.deactivated", 2, "bob")


def test_a_deactivated_rep_changes_nothing_even_from_a_session_still_open(session, boss, ana):
    bob = reps.create_rep(session, "bob", "Bob Stone", by=boss.id)
    kept = deals.create_opportunity(session, D(title="Acme"), by=ana.id)
    won = deals.mark_won(session, deals.create_opportunity(session, D(title="Initech"), by=ana.id).id, version=1,
                         by=ana.id)
    task = tasks.add_task(session, kept.id, "Call back", date(2026, 11, 20), by=ana.id)
    deactivation.deactivate_rep(session, ana.id, reassign_to=bob.id, by=boss.id)
    rows_before = {table: len(session.exec(select(table)).all()) for table in (Deal, DealEvent, Task)}
    refused = [
        lambda: deals.reopen(session, won.id, version=2, by=ana.id),  # her own closed deal
        lambda: deals.create_opportunity(session, D(title="New one"), by=ana.id),
        lambda: tasks.add_task(session, kept.id, "Sneak in", date(2026, 11, 21), by=ana.id),
        lambda: tasks.complete_task(session, task.id, by=ana.id),
    ]
    for change in refused:
        with pytest.raises(Forbidden, match="ana is deactivated"):
            change()
    assert {table: len(session.exec(select(table)).all()) for table in (Deal, DealEvent, Task)} == rows_before
    assert deals.get_deal(session, won.id).closed_at is not None
    deactivation.reactivate_rep(session, ana.id, by=boss.id)
    assert deals.reopen(session, won.id, version=2, by=ana.id).closed_at is None


def test_teams_names_managers_and_members(session, boss, ana):
    east = teams.create_team(session, " East ", manager_id=boss.id, office="Berlin", region="EMEA",
                             timezone="Europe/Berlin", by=boss.id)
    with pytest.raises(InvalidInput, match="already exists"):
        teams.create_team(session, "EAST", by=boss.id)
    with pytest.raises(InvalidInput, match="not an active manager"):
        teams.create_team(session, "West", manager_id=ana.id, by=boss.id)
    with pytest.raises(InvalidInput, match="timezone"):
        teams.create_team(session, "West", timezone="Mars/Base", by=boss.id)
    with pytest.raises(Forbidden):
        teams.create_team(session, "West", by=ana.id)
    reps.update_rep(session, ana.id, team_id=east.id, by=boss.id)
    renamed = teams.update_team(session, east.id, name="East Coast", office=None, by=boss.id)
    assert (renamed.name, renamed.office, renamed.region, renamed.members) == ("East Coast", None, "EMEA", 1)
    assert teams.find_team(session, "east coast") == renamed
    assert [r.handle for r in teams.members(session, east.id)] == ["ana"]
    with pytest.raises(NotFound, match="East Coast"):
        teams.find_team(session, "Nowhere")
    record = audit.history(session)[0]
    assert (record.actor, record.kind, record.data["after"]) == ("boss", "team.changed", {"name": "East Coast",
                                                                                         "office": None})


def test_stages_are_added_reordered_and_reweighted_by_a_manager(session, boss, ana):
    demo = stages.add_stage(session, OPPORTUNITY, "Demo", after=stages.find_stage(session, OPPORTUNITY, "Qualified").id,
                            probability=20, rot_days=7, by=boss.id)
    names = [s.name for s in stages.list_stages(session, OPPORTUNITY)]
    assert names == ["Qualified", "Demo", "Needs analysis", "Proposal", "Negotiation", "Won", "Lost"]
    with pytest.raises(InvalidInput, match="missing: Negotiation"):
        stages.reorder_stages(session, OPPORTUNITY, ["Qualified", "Needs analysis", "Demo", "Proposal"], by=boss.id)
    stages.reorder_stages(session, OPPORTUNITY, ["qualified", "Needs analysis", "Demo", "Proposal", "Negotiation"],
                          by=boss.id)
    assert [s.name for s in stages.list_stages(session, OPPORTUNITY)][:3] == ["Qualified", "Needs analysis", "Demo"]
    with pytest.raises(Forbidden):
        stages.add_stage(session, LEAD, "Warm", by=ana.id)
    with pytest.raises(Forbidden):
        stages.update_stage(session, demo.id, probability=90, by=ana.id)
    won = stages.terminal_stage(session, OPPORTUNITY, "won")
    with pytest.raises(RuleViolation, match="closes a deal"):
        stages.update_stage(session, won.id, probability=50, by=boss.id)
    # The forecast weighs a deal by its stage's probability.
    deal = deals.create_deal(session, OPPORTUNITY, D(title="Acme", value=10_000), by=ana.id, stage_id=demo.id)
    assert deals.get_deal(session, deal.id).weighted_value == 2_000
    stages.update_stage(session, demo.id, probability=45, by=boss.id)
    assert deals.get_deal(session, deal.id).weighted_value == 4_500
    assert [k for _, k, _ in kinds(session)][-3:] == ["stage.added", "stage.reordered", "stage.changed"]


def test_retiring_a_stage_moves_its_deals_with_an_event_each(session, boss, ana):
    proposal = stages.find_stage(session, OPPORTUNITY, "Proposal")
    negotiation = stages.find_stage(session, OPPORTUNITY, "Negotiation")
    held = [deals.create_deal(session, OPPORTUNITY, D(title=f"Deal {i}"), by=ana.id, stage_id=proposal.id)
            for i in range(3)]
    with pytest.raises(RuleViolation, match=r"Proposal holds 3 deals: say where they go \(--move-to one of "
                                            r"Qualified, Needs analysis, Negotiation\)"):
        stages.retire_stage(session, proposal.id, by=boss.id)
    with pytest.raises(Forbidden):
        stages.retire_stage(session, proposal.id, move_to=negotiation.id, by=ana.id)
    with pytest.raises(RuleViolation, match="cannot be retired"):
        stages.retire_stage(session, stages.terminal_stage(session, OPPORTUNITY, "won").id, by=boss.id)
    assert stages.retire_stage(session, proposal.id, move_to=negotiation.id, by=boss.id) == 3
    for deal in held:
        now = deals.get_deal(session, deal.id)
        assert now.stage_id == negotiation.id and now.version == deal.version + 1
        event = session.exec(select(DealEvent).where(DealEvent.deal_id == deal.id).order_by(DealEvent.id.desc())).first()
        assert (event.kind, event.rep_id, event.data["from_stage"], event.data["to_stage"]) == (
            events.STAGE_CHANGED, boss.id, "Proposal", "Negotiation")
    assert "Proposal" not in [s.name for s in stages.list_stages(session, OPPORTUNITY)]
    assert stages.get_stage(session, proposal.id).retired  # old events still name it
    with pytest.raises(InvalidInput, match="retired"):
        stages.add_stage(session, OPPORTUNITY, "proposal", by=boss.id)
    assert session.exec(select(Deal).where(Deal.stage_id == proposal.id)).first() is None
    assert session.get(Stage, proposal.id).position > session.get(Stage, stages.terminal_stage(session, OPPORTUNITY, "lost").id).position
    record = audit.history(session)[0]
    assert (record.actor, record.kind, record.data) == ("boss", "stage.retired", {"moved": 3, "move_to": "Negotiation"})


def test_lost_reasons_and_settings_are_a_managers(session, boss, ana):
    assert stages.add_lost_reason(session, OPPORTUNITY, " Budget cut ", by=boss.id)[-1] == "Budget cut"
    with pytest.raises(InvalidInput, match="already"):
        stages.add_lost_reason(session, OPPORTUNITY, "budget CUT", by=boss.id)
    assert "Timing" not in stages.remove_lost_reason(session, OPPORTUNITY, "timing", by=boss.id)
    with pytest.raises(NotFound):
        stages.remove_lost_reason(session, OPPORTUNITY, "Timing", by=boss.id)
    for change in (lambda: stages.add_lost_reason(session, LEAD, "Spam", by=ana.id),
                   lambda: stages.set_lost_reasons(session, LEAD, ["Spam"], by=ana.id),
                   lambda: settings.set_currency(session, "EUR", by=ana.id),
                   lambda: settings.set_team_timezone(session, "Asia/Tokyo", by=ana.id),
                   lambda: settings.set_open_editing(session, True, by=ana.id)):
        with pytest.raises(Forbidden, match="ana cannot"):
            change()
    settings.set_currency(session, "EUR", by=boss.id)
    assert settings.currency(session) == "EUR" and "Spam" not in stages.lost_reasons(session, LEAD)
    assert kinds(session)[-3:] == [("boss", "lost_reason.added", "opportunity: Budget cut"),
                                   ("boss", "lost_reason.removed", "opportunity: Timing"),
                                   ("boss", "setting.changed", "currency")]


def test_the_onboarding_joins_as_a_rep_once_a_manager_exists(session, frozen):
    first = reps.sign_up(session, "kim", "Kim First", role="manager")
    assert first.is_manager
    with pytest.raises(Forbidden, match="a manager gives that role"):
        reps.sign_up(session, "lee", "Lee Second", role="manager")
    assert reps.sign_up(session, "lee", "Lee Second").role == "rep"
    assert kinds(session) == [("kim", "rep.joined", "kim"), ("lee", "rep.joined", "lee")]


@pytest.mark.parametrize(("text", "days"), [("1-5", (1, 2, 3, 4, 5)), ("1,3,5", (1, 3, 5)), ("1-3,6", (1, 2, 3, 6)),
                                            ("12345", (1, 2, 3, 4, 5))])
def test_working_days_from_digits(text, days):
    assert reps.parse_working_days(text) == days


@pytest.mark.parametrize("text", ["", "0-5", "5-1", "8", "mon"])
def test_bad_working_days(text):
    with pytest.raises(InvalidInput):
        reps.parse_working_days(text)
