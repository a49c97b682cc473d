"""Deals: creating, moving, converting, winning, losing, reopening, editing,
and the versioned writes that keep several reps from overwriting each other.

Every test runs on SQLite and PostgreSQL. Assertions read the committed rows
through a separate connection, not only what the store function returned.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from store import activities, deals, events, reps, tasks
from store.db import open_database
from store.errors import Conflict, InvalidInput, NotFound, RuleViolation
from store.models import LEAD, LOST, OPPORTUNITY, WON, Account, Contact, Deal, DealEvent, Stage
from store.stages import find_stage, list_stages
from tests.store.conftest import count, kinds, stored, tick

F = deals.DealFields


# --- helpers -----------------------------------------------------------------------------------


def stage_named(session, pipeline: str, name: str) -> int:
    return find_stage(session, pipeline, name).id


def open_stage_names(session, pipeline: str) -> list[str]:
    return [s.name for s in list_stages(session, pipeline, open_only=True)]


@pytest.fixture
def lead(session, ana):
    return deals.create_lead(session, F(title="Acme rollout", account="Acme", value=500_000), by=ana.id)


@pytest.fixture
def opp(session, ana):
    return deals.create_opportunity(session, F(title="Globex renewal", account="Globex", value=1_200_000), by=ana.id)


# --- creating ----------------------------------------------------------------------------------


def test_a_lead_starts_in_the_first_open_lead_stage(session, db, ana, frozen):
    lead = deals.create_lead(session, F(title="  Acme   rollout "), by=ana.id)
    first = list_stages(session, LEAD, open_only=True)[0]
    row = stored(db, lead.id)
    assert row["pipeline"] == LEAD
    assert row["stage_id"] == first.id
    assert row["title"] == "Acme rollout"  # whitespace collapsed
    assert row["owner_id"] == ana.id
    assert row["version"] == 1
    assert row["value"] == 0
    assert row["created_at"] == frozen
    assert row["stage_entered_at"] == frozen
    assert row["updated_by_id"] == ana.id
    assert row["converted_at"] is None and row["closed_at"] is None
    assert lead.stage_name == first.name and lead.is_open


def test_an_opportunity_starts_in_the_first_open_opportunity_stage(session, db, ana):
    opp = deals.create_opportunity(session, F(title="Globex", value=99), by=ana.id)
    row = stored(db, opp.id)
    assert row["pipeline"] == OPPORTUNITY
    assert row["stage_id"] == list_stages(session, OPPORTUNITY, open_only=True)[0].id
    assert row["value"] == 99
    assert opp.probability == list_stages(session, OPPORTUNITY, open_only=True)[0].probability


def test_creating_records_a_created_event_with_who_and_when(session, ana, frozen):
    lead = deals.create_lead(session, F(title="Acme", value=10), by=ana.id)
    [event] = events.history(session, lead.id)
    assert event.kind == events.CREATED
    assert event.rep_id == ana.id and event.rep_name == "Ana Reyes"
    assert event.at == frozen
    assert event.data["pipeline"] == LEAD
    assert event.data["to_stage"] == lead.stage_name
    assert event.data["version"] == 1


def test_a_new_deal_may_start_in_a_later_open_stage_of_its_own_pipeline(session, db, ana):
    proposal = stage_named(session, OPPORTUNITY, "Proposal")
    opp = deals.create_deal(session, OPPORTUNITY, F(title="Initech"), by=ana.id, stage_id=proposal)
    assert stored(db, opp.id)["stage_id"] == proposal


@pytest.mark.parametrize(
    ("pipeline", "stage"),
    [(OPPORTUNITY, ("lead", "Connected")), (OPPORTUNITY, ("opportunity", "Won")), (LEAD, ("lead", "Disqualified"))],
)
def test_a_new_deal_cannot_start_in_a_terminal_stage_or_another_pipelines_stage(session, db, ana, pipeline, stage):
    stage_id = stage_named(session, *stage)
    with pytest.raises(RuleViolation):
        deals.create_deal(session, pipeline, F(title="Initech"), by=ana.id, stage_id=stage_id)
    assert count(db, Deal) == 0


@pytest.mark.parametrize("title", [None, "", "   ", "\n\t"])
def test_a_title_is_required(session, db, ana, title):
    with pytest.raises(InvalidInput, match="title"):
        deals.create_lead(session, F(title=title, account="Acme"), by=ana.id)
    assert count(db, Deal) == 0
    assert count(db, Account) == 0
    assert count(db, DealEvent) == 0


def test_a_title_over_300_characters_is_refused(session, db, ana):
    with pytest.raises(InvalidInput):
        deals.create_lead(session, F(title="x" * 301), by=ana.id)
    deals.create_lead(session, F(title="x" * 300), by=ana.id)
    assert count(db, Deal) == 1


@pytest.mark.parametrize("value", [-1, -1_000_000, 1.5, "12"])
def test_a_value_must_be_a_whole_non_negative_number_of_minor_units(session, db, ana, value):
    with pytest.raises(InvalidInput):
        deals.create_opportunity(session, F(title="Acme", value=value), by=ana.id)
    assert count(db, Deal) == 0


def test_a_zero_value_is_fine(session, db, ana):
    opp = deals.create_opportunity(session, F(title="Acme", value=0), by=ana.id)
    assert stored(db, opp.id)["value"] == 0


def test_a_value_the_database_cannot_hold_is_refused_cleanly(session, db, ana):
    with pytest.raises(InvalidInput, match="value"):
        deals.create_opportunity(session, F(title="Huge", value=2**63), by=ana.id)
    assert count(db, Deal) == 0
    # Past 32 bits ($21.4m in cents) is an ordinary enterprise deal.
    big = deals.create_opportunity(session, F(title="Big", value=2**31 + 7), by=ana.id)
    biggest = deals.create_opportunity(session, F(title="Biggest", value=deals.MAX_VALUE), by=ana.id)
    assert stored(db, big.id)["value"] == 2**31 + 7
    assert stored(db, biggest.id)["value"] == deals.MAX_VALUE


@pytest.mark.parametrize(
    "fields",
    [
        F(title="Acme", account="a" * 201),
        F(title="Acme", contact="c" * 201),
        F(title="Acme", contact="Jane", contact_email="j@" + "e" * 199),
        F(title="Acme", contact="Jane", contact_phone="1" * 65),
        F(title="Acme", source="s" * 101),
        F(title="Acme", territory="t" * 101),
        F(title="Acme", product="p" * 101),
    ],
    ids=["account", "contact", "email", "phone", "source", "territory", "product"],
)
def test_text_longer_than_its_column_is_refused_the_same_on_every_backend(session, db, ana, fields):
    with pytest.raises(InvalidInput):
        deals.create_lead(session, fields, by=ana.id)
    assert count(db, Deal) == 0
    assert count(db, Account) == 0 and count(db, Contact) == 0


def test_a_contact_email_needs_an_at_sign(session, db, ana):
    with pytest.raises(InvalidInput, match="@"):
        deals.create_lead(session, F(title="Acme", contact="Jane", contact_email="jane.example.com"), by=ana.id)
    assert count(db, Deal) == 0


def test_an_unknown_pipeline_is_refused(session, db, ana):
    with pytest.raises(InvalidInput):
        deals.create_deal(session, "partners", F(title="Acme"), by=ana.id)
    assert count(db, Deal) == 0


def test_an_unknown_creator_or_owner_is_refused(session, db, ana):
    with pytest.raises(NotFound):
        deals.create_lead(session, F(title="Acme"), by=ana.id + 100)
    with pytest.raises(NotFound):
        deals.create_lead(session, F(title="Acme", owner_id=ana.id + 100), by=ana.id)
    assert count(db, Deal) == 0


def test_a_deal_can_be_created_for_another_owner(session, db, ana, bob):
    lead = deals.create_lead(session, F(title="Acme", owner_id=ana.id), by=bob.id)
    row = stored(db, lead.id)
    assert row["owner_id"] == ana.id and row["updated_by_id"] == bob.id
    assert lead.owner_handle == "ana"


def test_accounts_are_found_case_insensitively_or_created(session, db, ana):
    first = deals.create_lead(session, F(title="One", account="Acme Corp"), by=ana.id)
    second = deals.create_lead(session, F(title="Two", account="  ACME   corp "), by=ana.id)
    third = deals.create_lead(session, F(title="Three", account="Acme Inc"), by=ana.id)
    assert stored(db, first.id)["account_id"] == stored(db, second.id)["account_id"]
    assert stored(db, third.id)["account_id"] != stored(db, first.id)["account_id"]
    assert count(db, Account) == 2
    assert second.account_name == "Acme Corp"  # the first spelling is kept


def test_contacts_are_found_case_insensitively_within_their_account(session, db, ana):
    a = deals.create_lead(session, F(title="A", account="Acme", contact="Jane Doe", contact_email="jane@acme.io"), by=ana.id)
    b = deals.create_lead(session, F(title="B", account="acme", contact="JANE DOE", contact_phone="+1 555"), by=ana.id)
    c = deals.create_lead(session, F(title="C", account="Globex", contact="Jane Doe"), by=ana.id)
    d = deals.create_lead(session, F(title="D", contact="jane doe"), by=ana.id)
    e = deals.create_lead(session, F(title="E", contact="Jane Doe"), by=ana.id)
    assert stored(db, a.id)["contact_id"] == stored(db, b.id)["contact_id"]
    assert stored(db, c.id)["contact_id"] != stored(db, a.id)["contact_id"]
    assert stored(db, d.id)["contact_id"] == stored(db, e.id)["contact_id"] != stored(db, a.id)["contact_id"]
    assert count(db, Contact) == 3
    # A second mention fills in what the first did not say, and keeps what it did.
    detail = deals.get_deal(session, b.id)
    assert detail.contact_email == "jane@acme.io" and detail.contact_phone == "+1 555"


def test_get_deal_of_an_unknown_id_is_not_found(session):
    with pytest.raises(NotFound):
        deals.get_deal(session, 12345)


def test_list_deals_filters_by_pipeline_owner_and_openness(session, ana, bob, lead, opp):
    mine = deals.create_opportunity(session, F(title="Bob's", owner_id=bob.id), by=bob.id)
    deals.mark_lost(session, mine.id, "Timing", version=mine.version, by=bob.id)
    assert [d.id for d in deals.list_deals(session)] == [lead.id, opp.id, mine.id]
    assert [d.id for d in deals.list_deals(session, OPPORTUNITY)] == [opp.id, mine.id]
    assert [d.id for d in deals.list_deals(session, owner_id=bob.id)] == [mine.id]
    assert [d.id for d in deals.list_deals(session, OPPORTUNITY, open_only=True)] == [opp.id]


# --- moving --------------------------------------------------------------------------------------


def test_a_lead_moves_forward_through_every_open_stage_then_stops(session, db, ana, lead):
    names = open_stage_names(session, LEAD)
    deal = lead
    for expected in names[1:]:
        deal = deals.move_deal(session, deal.id, +1, version=deal.version, by=ana.id)
        assert deal.stage_name == expected
    row = stored(db, lead.id)
    assert row["stage_id"] == stage_named(session, LEAD, names[-1])
    assert row["version"] == len(names)
    with pytest.raises(RuleViolation, match="last open stage"):
        deals.move_deal(session, deal.id, +1, version=deal.version, by=ana.id)
    assert stored(db, lead.id) == row  # nothing written
    assert kinds(session, lead.id) == ["created"] + ["stage_changed"] * (len(names) - 1)


def test_an_opportunity_cannot_move_past_its_last_open_stage_into_won(session, db, ana, opp):
    last = list_stages(session, OPPORTUNITY, open_only=True)[-1]
    opp = deals.move_to_stage(session, opp.id, last.id, version=opp.version, by=ana.id)
    with pytest.raises(RuleViolation, match="won or lost"):
        deals.move_deal(session, opp.id, +1, version=opp.version, by=ana.id)
    assert stored(db, opp.id)["stage_id"] == last.id


def test_moving_back_from_the_first_stage_is_refused(session, db, ana, lead):
    with pytest.raises(RuleViolation, match="first stage"):
        deals.move_deal(session, lead.id, -1, version=lead.version, by=ana.id)
    assert stored(db, lead.id)["version"] == 1
    assert kinds(session, lead.id) == ["created"]


def test_moving_back_goes_to_the_previous_open_stage_and_restarts_the_stage_clock(session, db, ana, lead):
    names = open_stage_names(session, LEAD)
    deal = deals.move_deal(session, lead.id, +1, version=lead.version, by=ana.id)
    deal = deals.move_deal(session, deal.id, +1, version=deal.version, by=ana.id)
    now = tick(90)
    back = deals.move_deal(session, deal.id, -1, version=deal.version, by=ana.id)
    row = stored(db, lead.id)
    assert back.stage_name == names[1]
    assert row["stage_id"] == stage_named(session, LEAD, names[1])
    assert row["stage_entered_at"] == now
    assert row["updated_at"] == now
    last = events.history(session, lead.id)[-1]
    assert last.kind == events.STAGE_CHANGED
    assert last.data["from_stage"] == names[2] and last.data["to_stage"] == names[1]
    assert last.at == now


@pytest.mark.parametrize("step", [0, 2, -2])
def test_a_deal_moves_one_stage_at_a_time(session, db, ana, lead, step):
    with pytest.raises(InvalidInput):
        deals.move_deal(session, lead.id, step, version=lead.version, by=ana.id)
    assert stored(db, lead.id)["version"] == 1


def test_closed_deals_do_not_move(session, db, ana, opp, lead):
    won = deals.mark_won(session, opp.id, version=opp.version, by=ana.id)
    dq = deals.mark_lost(session, lead.id, "Not a fit", version=lead.version, by=ana.id)
    for deal, word in ((won, "won"), (dq, "disqualified")):
        before = stored(db, deal.id)
        for step in (-1, 1):
            with pytest.raises(RuleViolation, match=f"{word}: reopen it first"):
                deals.move_deal(session, deal.id, step, version=deal.version, by=ana.id)
        open_stage = list_stages(session, deal.pipeline, open_only=True)[0]
        with pytest.raises(RuleViolation, match="reopen it first"):
            deals.move_to_stage(session, deal.id, open_stage.id, version=deal.version, by=ana.id)
        assert stored(db, deal.id) == before


def test_move_to_stage_jumps_to_any_open_stage_of_the_pipeline(session, db, ana, opp):
    negotiation = stage_named(session, OPPORTUNITY, "Negotiation")
    moved = deals.move_to_stage(session, opp.id, negotiation, version=opp.version, by=ana.id)
    assert stored(db, opp.id)["stage_id"] == negotiation
    assert moved.stage_name == "Negotiation" and moved.version == 2
    qualified = stage_named(session, OPPORTUNITY, "Qualified")
    deals.move_to_stage(session, opp.id, qualified, version=moved.version, by=ana.id)
    assert stored(db, opp.id)["stage_id"] == qualified


def test_move_to_the_current_stage_changes_nothing(session, db, ana, opp):
    deals.move_to_stage(session, opp.id, opp.stage_id, version=opp.version, by=ana.id)
    assert stored(db, opp.id)["version"] == 1
    assert kinds(session, opp.id) == ["created"]


@pytest.mark.parametrize("name", ["Won", "Lost"])
def test_move_to_stage_refuses_terminal_stages(session, db, ana, opp, name):
    with pytest.raises(RuleViolation, match="won, lost or disqualify"):
        deals.move_to_stage(session, opp.id, stage_named(session, OPPORTUNITY, name), version=opp.version, by=ana.id)
    assert stored(db, opp.id)["stage_id"] == opp.stage_id
    assert stored(db, opp.id)["closed_at"] is None


def test_move_to_stage_refuses_the_disqualified_stage_for_a_lead(session, db, ana, lead):
    with pytest.raises(RuleViolation):
        deals.move_to_stage(session, lead.id, stage_named(session, LEAD, "Disqualified"), version=1, by=ana.id)
    assert stored(db, lead.id)["stage_id"] == lead.stage_id


def test_move_to_stage_refuses_the_other_pipelines_stages(session, db, ana, lead, opp):
    with pytest.raises(RuleViolation, match="not a stage of the lead pipeline"):
        deals.move_to_stage(session, lead.id, stage_named(session, OPPORTUNITY, "Proposal"), version=1, by=ana.id)
    with pytest.raises(RuleViolation, match="not a stage of the opportunity pipeline"):
        deals.move_to_stage(session, opp.id, stage_named(session, LEAD, "Connected"), version=1, by=ana.id)
    assert stored(db, lead.id)["pipeline"] == LEAD and stored(db, lead.id)["stage_id"] == lead.stage_id
    assert stored(db, opp.id)["stage_id"] == opp.stage_id


def test_move_to_an_unknown_stage_is_not_found(session, db, ana, opp):
    with pytest.raises(NotFound):
        deals.move_to_stage(session, opp.id, 9999, version=opp.version, by=ana.id)
    assert stored(db, opp.id)["version"] == 1


def test_moving_an_unknown_deal_is_not_found(session, ana):
    with pytest.raises(NotFound):
        deals.move_deal(session, 9999, 1, version=1, by=ana.id)


# --- converting ----------------------------------------------------------------------------------


def test_conversion_keeps_the_record_and_its_history(session, db, ana, lead, frozen):
    deal = deals.move_deal(session, lead.id, +1, version=lead.version, by=ana.id)
    activities.log_activity(session, lead.id, "call", by=ana.id, milestone="nurture")
    tasks.add_task(session, lead.id, "Send deck", date(2026, 11, 20), by=ana.id)
    now = tick(30)
    converted = deals.convert_lead(session, lead.id, version=deal.version, by=ana.id)
    assert converted.id == lead.id
    row = stored(db, lead.id)
    assert row["pipeline"] == OPPORTUNITY
    assert row["stage_id"] == list_stages(session, OPPORTUNITY, open_only=True)[0].id
    assert row["converted_at"] == now and row["stage_entered_at"] == now
    assert row["created_at"] == frozen  # the same record, not a copy
    assert row["title"] == "Acme rollout" and row["value"] == 500_000
    assert count(db, Deal) == 1
    assert kinds(session, lead.id) == ["created", "stage_changed", "activity_logged", "task_added", "converted"]
    event = events.history(session, lead.id)[-1]
    assert event.data["from_stage"] == deal.stage_name
    assert event.data["to_stage"] == converted.stage_name
    assert event.data["before"]["pipeline"] == LEAD and event.data["after"]["pipeline"] == OPPORTUNITY
    assert len(activities.deal_activities(session, lead.id)) == 1
    assert len(tasks.deal_tasks(session, lead.id)) == 1


def test_only_leads_convert(session, db, ana, opp):
    with pytest.raises(RuleViolation, match="already an opportunity"):
        deals.convert_lead(session, opp.id, version=opp.version, by=ana.id)
    assert stored(db, opp.id)["version"] == 1


def test_a_converted_lead_cannot_convert_again(session, db, ana, lead):
    converted = deals.convert_lead(session, lead.id, version=lead.version, by=ana.id)
    with pytest.raises(RuleViolation):
        deals.convert_lead(session, lead.id, version=converted.version, by=ana.id)
    assert kinds(session, lead.id).count("converted") == 1


def test_a_disqualified_lead_does_not_convert(session, db, ana, lead):
    dq = deals.mark_lost(session, lead.id, "No budget", version=lead.version, by=ana.id)
    with pytest.raises(RuleViolation, match="disqualified"):
        deals.convert_lead(session, lead.id, version=dq.version, by=ana.id)
    row = stored(db, lead.id)
    assert row["pipeline"] == LEAD and row["converted_at"] is None


# --- won, lost, reopen ---------------------------------------------------------------------------


def test_winning_an_opportunity_closes_it_in_the_won_stage(session, db, ana, opp, frozen):
    won = deals.mark_won(session, opp.id, version=opp.version, by=ana.id)
    row = stored(db, opp.id)
    won_stage = session.exec(select(Stage).where(Stage.pipeline == OPPORTUNITY, Stage.kind == WON)).one()
    assert row["stage_id"] == won_stage.id
    assert row["closed_at"] == frozen
    assert won.stage_kind == WON and not won.is_open
    event = events.history(session, opp.id)[-1]
    assert event.kind == events.WON and event.data["value"] == 1_200_000 and event.rep_id == ana.id


def test_a_lead_cannot_be_won(session, db, ana, lead):
    with pytest.raises(RuleViolation, match="convert it"):
        deals.mark_won(session, lead.id, version=lead.version, by=ana.id)
    assert stored(db, lead.id)["closed_at"] is None


def test_a_closed_deal_cannot_be_won_or_lost_again(session, db, ana, opp):
    won = deals.mark_won(session, opp.id, version=opp.version, by=ana.id)
    with pytest.raises(RuleViolation, match="reopen it first"):
        deals.mark_won(session, opp.id, version=won.version, by=ana.id)
    with pytest.raises(RuleViolation, match="reopen it first"):
        deals.mark_lost(session, opp.id, "Price", version=won.version, by=ana.id)
    assert stored(db, opp.id)["version"] == won.version


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_losing_needs_a_reason(session, db, ana, opp, reason):
    with pytest.raises(InvalidInput, match="why"):
        deals.mark_lost(session, opp.id, reason, version=opp.version, by=ana.id)
    row = stored(db, opp.id)
    assert row["closed_at"] is None and row["lost_reason"] is None and row["version"] == 1


def test_a_reason_longer_than_its_column_is_refused(session, db, ana, opp):
    with pytest.raises(InvalidInput):
        deals.mark_lost(session, opp.id, "r" * 301, version=opp.version, by=ana.id)
    assert stored(db, opp.id)["closed_at"] is None


def test_losing_an_opportunity_closes_it_in_the_lost_stage_with_the_reason(session, db, ana, opp, frozen):
    lost = deals.mark_lost(session, opp.id, "  Lost to   competitor ", version=opp.version, by=ana.id)
    row = stored(db, opp.id)
    assert row["stage_id"] == stage_named(session, OPPORTUNITY, "Lost")
    assert row["lost_reason"] == "Lost to competitor"
    assert row["closed_at"] == frozen
    assert lost.stage_kind == LOST
    event = events.history(session, opp.id)[-1]
    assert event.kind == events.LOST and event.data["reason"] == "Lost to competitor"


def test_losing_a_lead_disqualifies_it(session, db, ana, lead):
    dq = deals.mark_lost(session, lead.id, "Not a fit", version=lead.version, by=ana.id)
    row = stored(db, lead.id)
    assert row["stage_id"] == stage_named(session, LEAD, "Disqualified")
    assert row["pipeline"] == LEAD and row["lost_reason"] == "Not a fit"
    assert dq.stage_name == "Disqualified"


def test_reopening_returns_to_the_stage_it_was_closed_from(session, db, ana, opp):
    proposal = stage_named(session, OPPORTUNITY, "Proposal")
    deal = deals.move_to_stage(session, opp.id, proposal, version=opp.version, by=ana.id)
    deal = deals.mark_won(session, opp.id, version=deal.version, by=ana.id)
    now = tick(60)
    reopened = deals.reopen(session, opp.id, version=deal.version, by=ana.id)
    row = stored(db, opp.id)
    assert row["stage_id"] == proposal  # not the last open stage
    assert row["closed_at"] is None and row["lost_reason"] is None
    assert row["stage_entered_at"] == now
    assert reopened.is_open
    assert kinds(session, opp.id)[-1] == events.REOPENED


def test_reopening_uses_the_most_recent_close(session, db, ana, opp):
    deal = deals.move_to_stage(session, opp.id, stage_named(session, OPPORTUNITY, "Proposal"), version=1, by=ana.id)
    deal = deals.mark_won(session, opp.id, version=deal.version, by=ana.id)
    deal = deals.reopen(session, opp.id, version=deal.version, by=ana.id)
    deal = deals.move_deal(session, opp.id, +1, version=deal.version, by=ana.id)
    assert deal.stage_name == "Negotiation"
    deal = deals.mark_lost(session, opp.id, "Price", version=deal.version, by=ana.id)
    deals.reopen(session, opp.id, version=deal.version, by=ana.id)
    row = stored(db, opp.id)
    assert row["stage_id"] == stage_named(session, OPPORTUNITY, "Negotiation")
    assert row["lost_reason"] is None


def test_a_disqualified_lead_reopens_as_a_lead(session, db, ana, lead):
    deal = deals.move_deal(session, lead.id, +1, version=lead.version, by=ana.id)
    deal = deals.mark_lost(session, lead.id, "Unreachable", version=deal.version, by=ana.id)
    deals.reopen(session, lead.id, version=deal.version, by=ana.id)
    row = stored(db, lead.id)
    assert row["pipeline"] == LEAD and row["stage_id"] == deal_stage(session, LEAD, 1)
    assert row["closed_at"] is None and row["lost_reason"] is None


def deal_stage(session, pipeline: str, index: int) -> int:
    return list_stages(session, pipeline, open_only=True)[index].id


def test_an_open_deal_cannot_be_reopened(session, db, ana, opp):
    with pytest.raises(RuleViolation, match="already open"):
        deals.reopen(session, opp.id, version=opp.version, by=ana.id)
    assert stored(db, opp.id)["version"] == 1


# --- editing -------------------------------------------------------------------------------------


def test_editing_records_one_event_per_kind_of_change_in_one_version(session, db, ana, bob, opp):
    detail = deals.edit_deal(
        session,
        opp.id,
        F(owner_id=bob.id, value=1_500_000, expected_close=date(2026, 12, 31), title="Globex renewal 2027", source="Referral"),
        version=opp.version,
        by=bob.id,
    )
    row = stored(db, opp.id)
    assert row["owner_id"] == bob.id
    assert row["value"] == 1_500_000
    assert row["expected_close"] == date(2026, 12, 31)
    assert row["title"] == "Globex renewal 2027" and row["source"] == "Referral"
    assert row["version"] == 2 and detail.version == 2
    history = events.history(session, opp.id)
    assert [e.kind for e in history] == [
        "created",
        events.OWNER_CHANGED,
        events.VALUE_CHANGED,
        events.CLOSE_DATE_CHANGED,
        events.DETAILS_EDITED,
    ]
    owner, value, close, details = history[1:]
    assert owner.data["from"] == "Ana Reyes" and owner.data["to"] == "Bob Stone"
    assert owner.data["before"] == {"owner_id": ana.id} and owner.data["after"] == {"owner_id": bob.id}
    assert value.data["before"] == {"value": 1_200_000} and value.data["after"] == {"value": 1_500_000}
    assert close.data["before"] == {"expected_close": None}
    assert close.data["after"] == {"expected_close": "2026-12-31"}
    assert details.data["after"] == {"title": "Globex renewal 2027", "source": "Referral"}
    assert {e.data["version"] for e in history[1:]} == {2}
    assert history[0].rep_id == ana.id and all(e.rep_id == bob.id for e in history[1:])


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        (F(value=7), events.VALUE_CHANGED),
        (F(expected_close=date(2027, 1, 15)), events.CLOSE_DATE_CHANGED),
        (F(territory="EMEA"), events.DETAILS_EDITED),
        (F(account="Globex Holdings"), events.DETAILS_EDITED),
        (F(contact="Hank Scorpio"), events.DETAILS_EDITED),
    ],
)
def test_each_edit_kind_on_its_own(session, db, ana, opp, fields, kind):
    deals.edit_deal(session, opp.id, fields, version=opp.version, by=ana.id)
    assert kinds(session, opp.id) == ["created", kind]
    assert stored(db, opp.id)["version"] == 2


def test_an_owner_change_on_its_own(session, db, ana, bob, opp):
    deals.edit_deal(session, opp.id, F(owner_id=bob.id), version=opp.version, by=bob.id)
    assert kinds(session, opp.id) == ["created", events.OWNER_CHANGED]
    row = stored(db, opp.id)
    assert row["owner_id"] == bob.id and row["updated_by_id"] == bob.id


def test_an_edit_that_changes_nothing_writes_nothing(session, db, ana, opp):
    deals.edit_deal(session, opp.id, F(title=" Globex  renewal", value=1_200_000, account="GLOBEX"), version=1, by=ana.id)
    assert stored(db, opp.id)["version"] == 1
    assert kinds(session, opp.id) == ["created"]


def test_editing_to_an_unknown_owner_is_refused(session, db, ana, opp):
    with pytest.raises(NotFound):
        deals.edit_deal(session, opp.id, F(owner_id=999, value=5), version=opp.version, by=ana.id)
    row = stored(db, opp.id)
    assert row["owner_id"] == ana.id and row["value"] == 1_200_000 and row["version"] == 1


@pytest.mark.parametrize("fields", [F(title="  "), F(value=-5), F(contact="Jane", contact_email="nope")])
def test_an_invalid_edit_writes_nothing(session, db, ana, opp, fields):
    before = stored(db, opp.id)
    with pytest.raises(InvalidInput):
        deals.edit_deal(session, opp.id, fields, version=opp.version, by=ana.id)
    assert stored(db, opp.id) == before
    assert kinds(session, opp.id) == ["created"]


def test_editing_an_account_reuses_an_existing_one_case_insensitively(session, db, ana, lead, opp):
    deals.edit_deal(session, lead.id, F(account="GLOBEX"), version=lead.version, by=ana.id)
    assert stored(db, lead.id)["account_id"] == stored(db, opp.id)["account_id"]
    assert count(db, Account) == 2  # Acme and Globex; no second Globex


def test_an_empty_account_clears_it(session, db, ana, opp):
    deals.edit_deal(session, opp.id, F(account=""), version=opp.version, by=ana.id)
    assert stored(db, opp.id)["account_id"] is None


# --- versions and conflicts ------------------------------------------------------------------------


WRITES = {
    "move": lambda s, d, v, by: deals.move_deal(s, d.id, +1, version=v, by=by),
    "move_to_stage": lambda s, d, v, by: deals.move_to_stage(
        s, d.id, list_stages(s, d.pipeline, open_only=True)[-1].id, version=v, by=by
    ),
    "convert": lambda s, d, v, by: deals.convert_lead(s, d.id, version=v, by=by),
    "lost": lambda s, d, v, by: deals.mark_lost(s, d.id, "No budget", version=v, by=by),
    "edit": lambda s, d, v, by: deals.edit_deal(s, d.id, F(value=1), version=v, by=by),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_stale_version_is_refused_naming_the_deal_and_who_changed_it(session, db, ana, bob, lead, write):
    # Bob changes the lead after Ana read it at version 1.
    tick(5)
    deals.edit_deal(session, lead.id, F(territory="EMEA"), version=1, by=bob.id)
    before = stored(db, lead.id)
    n_events = count(db, DealEvent)
    with pytest.raises(Conflict) as caught:
        WRITES[write](session, lead, 1, ana.id)
    message = str(caught.value)
    assert "Acme rollout" in message and "Bob Stone" in message
    assert "\n" not in message
    assert caught.value.deal_id == lead.id and caught.value.current_version == 2
    assert stored(db, lead.id) == before
    assert count(db, DealEvent) == n_events


def test_a_stale_version_is_refused_for_win_and_reopen(session, db, ana, bob, opp):
    deals.edit_deal(session, opp.id, F(value=1), version=1, by=bob.id)
    with pytest.raises(Conflict, match="Bob Stone"):
        deals.mark_won(session, opp.id, version=1, by=ana.id)
    won = deals.mark_won(session, opp.id, version=2, by=ana.id)
    deals.edit_deal(session, opp.id, F(value=2), version=won.version, by=bob.id)
    with pytest.raises(Conflict):
        deals.reopen(session, opp.id, version=won.version, by=ana.id)
    assert stored(db, opp.id)["closed_at"] is not None


def test_every_write_bumps_the_version_by_one(session, db, ana, lead):
    deal = lead
    for step in (
        lambda d: deals.move_deal(session, d.id, 1, version=d.version, by=ana.id),
        lambda d: deals.edit_deal(session, d.id, F(value=3), version=d.version, by=ana.id),
        lambda d: deals.convert_lead(session, d.id, version=d.version, by=ana.id),
        lambda d: deals.mark_won(session, d.id, version=d.version, by=ana.id),
        lambda d: deals.reopen(session, d.id, version=d.version, by=ana.id),
        lambda d: deals.mark_lost(session, d.id, "Price", version=d.version, by=ana.id),
    ):
        old = stored(db, deal.id)["version"]
        deal = step(deal)
        assert stored(db, deal.id)["version"] == old + 1 == deal.version


def test_two_processes_moving_the_same_deal(db_url, frozen):
    """Two separate Database objects, as two reps' terminals would have."""
    one = open_database(db_url)
    two = open_database(db_url)
    try:
        with one.session() as s1, two.session() as s2:
            ana = reps.create_rep(s1, "ana", "Ana Reyes")
            bob = reps.create_rep(s1, "bob", "Bob Stone", role="manager")
            lead = deals.create_lead(s1, F(title="Acme rollout"), by=ana.id)
            names = open_stage_names(s1, LEAD)

            seen_by_ana = deals.get_deal(s1, lead.id)
            seen_by_bob = deals.get_deal(s2, lead.id)
            assert seen_by_ana.version == seen_by_bob.version == 1

            tick(1)
            deals.move_deal(s1, lead.id, +1, version=seen_by_ana.version, by=ana.id)
            tick(1)
            with pytest.raises(Conflict) as caught:
                deals.move_deal(s2, lead.id, +1, version=seen_by_bob.version, by=bob.id)
            assert "Acme rollout" in str(caught.value) and "Ana Reyes" in str(caught.value)

            # The first move is kept; the second wrote nothing.
            with one.engine.connect() as c:
                row = c.execute(select(Deal.__table__).where(Deal.id == lead.id)).mappings().one()
            assert row["stage_id"] == deal_stage(s1, LEAD, 1) and row["version"] == 2
            assert row["updated_by_id"] == ana.id

            # Bob reloads and retries: now both moves are in the history.
            reloaded = deals.get_deal(s2, lead.id)
            assert reloaded.version == 2 and reloaded.stage_name == names[1]
            tick(1)
            deals.move_deal(s2, lead.id, +1, version=reloaded.version, by=bob.id)
            history = events.history(s1, lead.id)
            moves = [(e.rep_id, e.data["from_stage"], e.data["to_stage"]) for e in history if e.kind == "stage_changed"]
            assert moves == [(ana.id, names[0], names[1]), (bob.id, names[1], names[2])]
            assert deals.get_deal(s1, lead.id).version == 3
    finally:
        one.dispose()
        two.dispose()


def test_the_conditional_update_refuses_a_write_that_raced_past_the_version_check(db_url, frozen, monkeypatch):
    """Even if both processes pass the read-time check, only one UPDATE matches."""
    one = open_database(db_url)
    two = open_database(db_url)
    try:
        with one.session() as s1, two.session() as s2:
            ana = reps.create_rep(s1, "ana", "Ana Reyes")
            bob = reps.create_rep(s1, "bob", "Bob Stone", role="manager")
            lead = deals.create_lead(s1, F(title="Acme rollout"), by=ana.id)
            deals.move_deal(s1, lead.id, +1, version=1, by=ana.id)
            monkeypatch.setattr(deals, "check_version", lambda *args: None)
            with pytest.raises(Conflict, match="Ana Reyes"):
                deals.move_deal(s2, lead.id, +1, version=1, by=bob.id)
            with two.engine.connect() as c:
                row = c.execute(select(Deal.__table__).where(Deal.id == lead.id)).mappings().one()
                n = c.execute(select(func.count()).select_from(DealEvent.__table__)).scalar_one()
            assert row["version"] == 2 and row["stage_id"] == deal_stage(s1, LEAD, 1)
            assert n == 2  # created + Ana's move
    finally:
        one.dispose()
        two.dispose()


@pytest.mark.parametrize("write", list(WRITES) + ["won", "reopen"])
def test_every_write_records_who_and_when(session, db, ana, bob, write):
    if write in ("won", "reopen"):
        deal = deals.create_opportunity(session, F(title="Initech"), by=ana.id)
        if write == "reopen":
            deal = deals.mark_won(session, deal.id, version=1, by=ana.id)
    else:
        deal = deals.create_lead(session, F(title="Initech"), by=ana.id)
    n = count(db, DealEvent, DealEvent.deal_id == deal.id)
    now = tick(45)
    if write == "won":
        deals.mark_won(session, deal.id, version=deal.version, by=bob.id)
    elif write == "reopen":
        deals.reopen(session, deal.id, version=deal.version, by=bob.id)
    else:
        WRITES[write](session, deal, deal.version, bob.id)
    assert count(db, DealEvent, DealEvent.deal_id == deal.id) == n + 1
    event = events.history(session, deal.id)[-1]
    assert event.rep_id == bob.id and event.rep_name == "Bob Stone" and event.at == now
    assert event.data["version"] == deal.version + 1
    row = stored(db, deal.id)
    assert row["updated_by_id"] == bob.id and row["updated_at"] == now


# --- derived facts -------------------------------------------------------------------------------


def test_weighted_value_and_days_in_stage(session, ana, opp, frozen):
    deal = deals.move_to_stage(session, opp.id, stage_named(session, OPPORTUNITY, "Proposal"), version=1, by=ana.id)
    assert deal.weighted_value == 1_200_000 * deal.probability // 100
    assert deal.days_in_stage(frozen.add(days=3, hours=1)) == 3
    assert deal.days_in_stage(frozen.add(days=17, hours=23)) == 17  # whole days, not days past the weeks


def test_a_deal_rots_without_activity_past_its_stage_threshold_and_no_open_task(session, ana, lead, frozen):
    rot = lead.rot_days
    assert not lead.is_stale(False, frozen.add(days=rot))
    assert lead.is_stale(False, frozen.add(days=rot + 1))
    assert not lead.is_stale(True, frozen.add(days=rot + 1))  # something is scheduled
    tick(rot * 24 * 60)
    activities.log_activity(session, lead.id, "call", by=ana.id)
    fresh = deals.get_deal(session, lead.id)
    assert not fresh.is_stale(False, frozen.add(days=rot + 1))
    assert fresh.is_stale(False, frozen.add(days=2 * rot + 1))


def test_a_closed_deal_never_rots(session, ana, opp, frozen):
    won = deals.mark_won(session, opp.id, version=1, by=ana.id)
    assert not won.is_stale(False, frozen.add(days=365))
