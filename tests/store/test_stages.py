"""Stages and lost reasons are data a team can rename and re-weight."""

from __future__ import annotations

import pytest
from sqlmodel import select

from store import deals, reps, stages
from store.errors import InvalidInput, NotFound
from store.models import LEAD, LOST, OPEN, OPPORTUNITY, WON, LostReason, Stage


def stage_rows(db, pipeline: str):
    with db.engine.connect() as connection:
        query = select(Stage.__table__).where(Stage.pipeline == pipeline).order_by(Stage.position)
        return connection.execute(query).mappings().all()


def reason_rows(db, pipeline: str):
    with db.engine.connect() as connection:
        query = select(LostReason.__table__).where(LostReason.pipeline == pipeline).order_by(LostReason.position)
        return connection.execute(query).mappings().all()


def test_list_stages_in_position_order(session, db):
    for pipeline in (LEAD, OPPORTUNITY):
        listed = stages.list_stages(session, pipeline)
        assert [s.id for s in listed] == [r["id"] for r in stage_rows(db, pipeline)]
        opens = stages.list_stages(session, pipeline, open_only=True)
        assert opens == [s for s in listed if s.kind == OPEN] and all(s.is_open for s in opens)


def test_an_unknown_pipeline_is_refused(session):
    with pytest.raises(InvalidInput):
        stages.list_stages(session, "partners")
    with pytest.raises(InvalidInput):
        stages.lost_reasons(session, "partners")
    with pytest.raises(InvalidInput):
        stages.set_lost_reasons(session, "partners", ["x"])


def test_finding_stages(session):
    proposal = stages.find_stage(session, OPPORTUNITY, "  proposal ")
    assert proposal.name == "Proposal" and stages.get_stage(session, proposal.id) == proposal
    with pytest.raises(NotFound, match="Qualified"):  # the message lists the stages there are
        stages.find_stage(session, OPPORTUNITY, "Closing")
    with pytest.raises(NotFound):
        stages.get_stage(session, 9999)
    assert stages.terminal_stage(session, OPPORTUNITY, WON).name == "Won"
    assert stages.terminal_stage(session, OPPORTUNITY, LOST).name == "Lost"
    assert stages.terminal_stage(session, LEAD, LOST).name == "Disqualified"
    with pytest.raises(NotFound):
        stages.terminal_stage(session, LEAD, WON)


def test_renaming_and_reweighting_a_stage(session, db, frozen):
    proposal = stages.find_stage(session, OPPORTUNITY, "Proposal")
    updated = stages.update_stage(session, proposal.id, name="  Quote sent ", probability=55, rot_days=9)
    row = next(r for r in stage_rows(db, OPPORTUNITY) if r["id"] == proposal.id)
    assert (row["name"], row["probability"], row["rot_days"]) == ("Quote sent", 55, 9)
    assert (row["position"], row["kind"]) == (proposal.position, proposal.kind)
    assert updated.name == "Quote sent"


def test_deals_show_the_renamed_stage_and_its_new_weight(session, frozen):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    proposal = stages.find_stage(session, OPPORTUNITY, "Proposal")
    deal = deals.create_deal(session, OPPORTUNITY, deals.DealFields(title="Acme", value=10_000), by=ana.id, stage_id=proposal.id)
    stages.update_stage(session, proposal.id, name="Quote sent", probability=25)
    again = deals.get_deal(session, deal.id)
    assert again.stage_name == "Quote sent" and again.probability == 25 and again.weighted_value == 2_500


def test_a_renamed_stage_keeps_its_place_in_moves(session, frozen):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    lead = deals.create_lead(session, deals.DealFields(title="Acme"), by=ana.id)
    second = stages.list_stages(session, LEAD, open_only=True)[1]
    stages.update_stage(session, second.id, name="Reached out")
    moved = deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    assert moved.stage_name == "Reached out"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "Negotiation"}, "already"),
        ({"name": "NEGOTIATION"}, "already"),
        ({"probability": -1}, "probability"),
        ({"probability": 101}, "probability"),
        ({"rot_days": -1}, "rot"),
    ],
)
def test_bad_stage_changes_are_refused_and_nothing_is_written(session, db, kwargs, match):
    proposal = stages.find_stage(session, OPPORTUNITY, "Proposal")
    before = stage_rows(db, OPPORTUNITY)
    with pytest.raises(InvalidInput, match=match):
        stages.update_stage(session, proposal.id, **kwargs)
    assert stage_rows(db, OPPORTUNITY) == before


def test_a_stage_may_take_a_name_used_in_the_other_pipeline_or_its_own_in_new_case(session, db):
    proposal = stages.find_stage(session, OPPORTUNITY, "Proposal")
    stages.update_stage(session, proposal.id, name="New")  # "New" is a lead stage
    stages.update_stage(session, proposal.id, name="NEW")  # its own name, re-cased
    assert stages.get_stage(session, proposal.id).name == "NEW"


def test_updating_an_unknown_stage(session):
    with pytest.raises(NotFound):
        stages.update_stage(session, 9999, name="x")


def test_lost_reasons_are_editable(session, db):
    assert stages.lost_reasons(session, OPPORTUNITY)[:2] == ["Lost to competitor", "No budget"]
    lead_reasons = stages.lost_reasons(session, LEAD)
    saved = stages.set_lost_reasons(session, OPPORTUNITY, ["  Price ", "", "Timing", "Went with incumbent"])
    assert saved == ["Price", "Timing", "Went with incumbent"]
    assert [r["label"] for r in reason_rows(db, OPPORTUNITY)] == saved
    assert [r["position"] for r in reason_rows(db, OPPORTUNITY)] == [0, 1, 2]
    assert stages.lost_reasons(session, OPPORTUNITY) == saved
    assert stages.lost_reasons(session, LEAD) == lead_reasons  # the other pipeline is untouched


def test_lost_reasons_can_be_reordered(session, db):
    current = stages.lost_reasons(session, LEAD)
    stages.set_lost_reasons(session, LEAD, list(reversed(current)))
    assert [r["label"] for r in reason_rows(db, LEAD)] == list(reversed(current))


@pytest.mark.parametrize("labels", [["Price", "price"], ["Price", " Price "], ["r" * 101]])
def test_bad_lost_reasons_are_refused_and_the_old_ones_kept(session, db, labels):
    before = reason_rows(db, OPPORTUNITY)
    with pytest.raises(InvalidInput):
        stages.set_lost_reasons(session, OPPORTUNITY, labels)
    assert reason_rows(db, OPPORTUNITY) == before


def test_a_deal_may_be_lost_for_a_reason_not_in_the_list(session, frozen):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    opp = deals.create_opportunity(session, deals.DealFields(title="Acme"), by=ana.id)
    lost = deals.mark_lost(session, opp.id, "Acquired by a customer of ours", version=1, by=ana.id)
    assert lost.lost_reason == "Acquired by a customer of ours"
