"""The deal screen's read model: one call returns the deal, its whole timeline, its
pipeline's lost reasons, the currency and its contacts, as the reader's day sees them.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pendulum
import pytest

from store import activities, contacts, deals, notes, reps, settings, stages, tasks
from store.deal_page import deal_page
from store.errors import InvalidInput, NotFound

F = deals.DealFields


@pytest.fixture
def ana(session, frozen):
    """A manager (who may set the currency and the lost reasons)."""
    return reps.create_rep(session, "ana", "Ana Reyes", role="manager")


def acme(session, ana) -> deals.DealDetail:
    return deals.create_opportunity(
        session, F(title="Acme fleet", account="Acme", contact="Jo Park", value=1_200_000), by=ana.id
    )


def test_one_call_reads_everything_the_deal_screen_shows(session, ana, frozen):
    deal = acme(session, ana)
    settings.set_currency(session, "EUR", by=ana.id)
    stages.set_lost_reasons(session, "opportunity", ["Price", "Timing"], by=ana.id)
    activities.log_activity(session, deal.id, "call", by=ana.id, outcome="Spoke to Jo")
    notes.add_note(session, deal.id, "Budget approved\nQ1 money.", by=ana.id)
    due = tasks.add_task(session, deal.id, "Send the deck", pendulum.date(2026, 11, 20), by=ana.id)
    second = contacts.add_contact(session, "Sam Lee", by=ana.id)
    current = deals.get_deal(session, deal.id)
    contacts.add_deal_contact(session, deal.id, second.id, version=current.version, by=ana.id)

    page = deal_page(session, deal.id, tz="America/New_York")

    assert page.deal.title == "Acme fleet" and page.deal.version == deals.get_deal(session, deal.id).version
    assert page.next_task is not None and page.next_task.id == due.id  # open tasks lead
    assert {e.kind for e in page.entries} == {"activity", "note", "task", "event"}
    assert page.lost_reasons == ("Price", "Timing")
    assert page.currency == "EUR"
    assert [(c.contact.name, c.primary) for c in page.contacts] == [("Jo Park", True), ("Sam Lee", False)]
    assert page.other_contacts == 1
    assert page.now == frozen and page.tz == "America/New_York"
    assert page.today == pendulum.date(2026, 11, 18)


def test_today_is_the_readers_day_and_decides_what_is_overdue(session, ana, frozen):
    deal = acme(session, ana)
    tasks.add_task(session, deal.id, "Call back", pendulum.date(2026, 11, 18), by=ana.id)
    late_evening = pendulum.datetime(2026, 11, 19, 2, 0, tz="UTC")  # still the 18th in New York

    in_new_york = deal_page(session, deal.id, tz="America/New_York", now=late_evening)
    in_tokyo = deal_page(session, deal.id, tz="Asia/Tokyo", now=late_evening)

    assert in_new_york.today == pendulum.date(2026, 11, 18) and not in_new_york.next_task.overdue
    assert in_tokyo.today == pendulum.date(2026, 11, 19) and in_tokyo.next_task.overdue


def test_a_lead_gets_the_lead_reasons_and_no_contacts_when_it_has_none(session, ana, frozen):
    stages.set_lost_reasons(session, "lead", ["No budget"], by=ana.id)
    lead = deals.create_lead(session, F(title="Cold call"), by=ana.id)

    page = deal_page(session, lead.id, tz="UTC")

    assert page.lost_reasons == ("No budget",)
    assert page.contacts == () and page.other_contacts == 0
    assert [e.kind for e in page.entries] == ["event"]  # created


def test_a_deal_that_is_gone_or_a_bad_id_is_refused(session, ana):
    with pytest.raises(NotFound):
        deal_page(session, 999_999, tz="UTC")
    with pytest.raises(InvalidInput):
        deal_page(session, 0, tz="UTC")
