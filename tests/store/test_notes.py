"""Notes: short summaries of outcomes whose first line reads at a glance."""

from __future__ import annotations

import pytest
from sqlmodel import select

from store import deals, events, notes
from store.errors import InvalidInput, NotFound
from store.models import Note
from tests.store.conftest import event_count


def note_rows(db):
    with db.engine.connect() as connection:
        return connection.execute(select(Note.__table__).order_by(Note.id)).mappings().all()


@pytest.fixture
def deal(session, ana):
    return deals.create_lead(session, deals.DealFields(title="Acme rollout"), by=ana.id)


def test_adding_a_note_stores_it_and_records_an_event(session, db, ana, deal, frozen):
    body = "  Called, they agreed to a pilot\nBudget is approved for Q1.\n"
    info = notes.add_note(session, deal.id, body, by=ana.id)
    [row] = note_rows(db)
    assert row["body"] == "Called, they agreed to a pilot\nBudget is approved for Q1."
    assert row["deal_id"] == deal.id and row["rep_id"] == ana.id and row["created_at"] == frozen
    assert info.id == row["id"] and info.rep_name == "Ana Reyes"
    assert info.summary == "Called, they agreed to a pilot"
    event = events.history(session, deal.id)[-1]
    assert event.kind == events.NOTE_ADDED and event.rep_id == ana.id and event.at == frozen
    assert event.data == {"note_id": info.id, "summary": "Called, they agreed to a pilot"}


@pytest.mark.parametrize("body", ["", "   ", "\n\n\t"])
def test_an_empty_note_is_refused(session, db, ana, deal, body):
    n = event_count(db)
    with pytest.raises(InvalidInput, match="empty"):
        notes.add_note(session, deal.id, body, by=ana.id)
    assert note_rows(db) == [] and event_count(db) == n


def test_a_first_line_too_long_to_read_at_a_glance_is_refused(session, db, ana, deal):
    with pytest.raises(InvalidInput, match="first line"):
        notes.add_note(session, deal.id, "x" * (notes.MAX_SUMMARY + 1), by=ana.id)
    with pytest.raises(InvalidInput, match="first line"):
        notes.add_note(session, deal.id, "y" * 200 + "\nshort second line", by=ana.id)
    assert note_rows(db) == []


def test_a_short_first_line_may_be_followed_by_a_long_body(session, db, ana, deal):
    body = "x" * notes.MAX_SUMMARY + "\n" + "details " * 500
    notes.add_note(session, deal.id, body, by=ana.id)
    [row] = note_rows(db)
    assert row["body"] == body.strip()


def test_a_note_on_an_unknown_deal_or_by_an_unknown_rep(session, db, ana, deal):
    with pytest.raises(NotFound):
        notes.add_note(session, 999, "Called", by=ana.id)
    with pytest.raises(NotFound):
        notes.add_note(session, deal.id, "Called", by=999)
    assert note_rows(db) == []


def test_deal_notes_are_newest_first(session, ana, deal, frozen):
    import pendulum

    first = notes.add_note(session, deal.id, "First call went well", by=ana.id)
    pendulum.travel_to(frozen.add(hours=2), freeze=True)
    second = notes.add_note(session, deal.id, "Demo booked by them", by=ana.id)
    listed = notes.deal_notes(session, deal.id)
    assert [n.id for n in listed] == [second.id, first.id]
    assert listed[0].created_at == frozen.add(hours=2)


@pytest.mark.parametrize(
    "body",
    [
        "will call Tue",
        "Will call Tuesday after lunch",
        "need to send pricing",
        "Needs to sign off",
        "todo: x",
        "TODO send deck",
        "to do: pricing",
        "Follow up with CFO",
        "follow-up next week",
        "I will call Tuesday",
        "I'll call Tuesday",
        "We’ll send the contract",
        "we need to send the MSA",
        "Remember to chase legal",
        "Schedule a demo",
        "going to send pricing",
        "  should loop in finance\nthey asked for it",
    ],
)
def test_plans_look_like_plans(body):
    assert notes.looks_like_plan(body)


@pytest.mark.parametrize(
    "body",
    [
        "Called, they agreed to a pilot",
        "Scheduled a demo for Tuesday",
        "Willow Corp signed the MSA",
        "Needs analysis finished, pain is reporting",
        "Wells Fargo introduced us",
        "Illinois office is the buyer",
        "Demo went well\nwill call Tuesday",  # only the first line is the summary
        "",
    ],
)
def test_outcomes_do_not_look_like_plans(body):
    assert not notes.looks_like_plan(body)


def test_summary_is_the_first_non_blank_line():
    assert notes.summary_of("\n\n  Signed!  \nmore") == "Signed!"
    assert notes.summary_of("   ") == ""
