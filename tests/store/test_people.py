"""Accounts and contacts (store.accounts, store.contacts, store.merges): paged
lists with a filter, pages, add, edit, merge, and the contacts on a deal — on
both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store import accounts, contacts, deals, merges, tasks, undo
from store.activities import log_activity
from store.deals import DealFields
from store.errors import Conflict, InvalidInput, RuleViolation
from store.events import history
from store.models import Account, Contact, Deal, DealContact
from store.notes import add_note


def test_accounts_page_in_name_order_and_filter(session, ana):
    for name in ("Zeta Corp", "acme", "Beta Ltd", "Électricité Dupont", "Acme Rockets"):
        accounts.add_account(session, name, by=ana.id)
    assert accounts.count_accounts(session) == 5
    names = [a.name for a in accounts.list_accounts(session)]
    assert names == ["acme", "Acme Rockets", "Beta Ltd", "Électricité Dupont", "Zeta Corp"]
    assert [a.name for a in accounts.list_accounts(session, offset=1, limit=2)] == ["Acme Rockets", "Beta Ltd"]
    assert accounts.count_accounts(session, "ACME") == 2
    assert [a.name for a in accounts.list_accounts(session, "electricite")] == ["Électricité Dupont"]
    # LIKE wildcards typed in the filter are plain characters.
    assert accounts.count_accounts(session, "%") == 0
    assert accounts.count_accounts(session, "_") == 0
    beta = accounts.list_accounts(session, "beta")[0]
    assert accounts.account_position(session, beta.id) == 2
    assert accounts.account_position(session, beta.id, "acme") is None


def test_account_rows_count_contacts_and_open_deals(session, ana):
    deal = deals.create_opportunity(session, DealFields(title="Fleet", account="Acme", contact="Jo Park", value=5000),
                                    by=ana.id)
    deals.create_opportunity(session, DealFields(title="Spares", account="Acme", value=700), by=ana.id)
    lost = deals.create_opportunity(session, DealFields(title="Old", account="Acme", value=900), by=ana.id)
    deals.mark_lost(session, lost.id, "No budget", version=lost.version, by=ana.id)
    row = accounts.list_accounts(session, "acme")[0]
    assert (row.contacts, row.open_deals, row.open_value, row.closed_deals) == (1, 2, 5700, 1)
    assert row.id == deal.account_id


def test_contacts_filter_by_name_email_phone_and_account(session, ana):
    acme = accounts.add_account(session, "Acme", by=ana.id)
    contacts.add_contact(session, "Jo Park", account_id=acme.id, email="jo@acme.example", phone="+1 555 0101",
                       by=ana.id)
    contacts.add_contact(session, "Sam Ortiz", email="sam@other.example", by=ana.id)
    contacts.add_contact(session, "Émile Zola", phone="+33 1 22", by=ana.id)
    assert [c.name for c in contacts.list_contacts(session)] == ["Émile Zola", "Jo Park", "Sam Ortiz"]
    assert contacts.count_contacts(session, "emile") == 1
    assert [c.name for c in contacts.list_contacts(session, "ACME.example")] == ["Jo Park"]
    assert [c.name for c in contacts.list_contacts(session, "555 01")] == ["Jo Park"]
    assert [c.name for c in contacts.list_contacts(session, "acme")] == ["Jo Park"]  # by its account
    jo = contacts.list_contacts(session, "jo park")[0]
    assert (jo.account_name, jo.email, jo.phone) == ("Acme", "jo@acme.example", "+1 555 0101")
    assert contacts.contact_position(session, jo.id) == 1


def test_lists_page_without_reading_everything(session, ana):
    acme = accounts.add_account(session, "Acme", by=ana.id)
    for n in range(120):
        contacts.add_contact(session, f"Person {n:03d}", account_id=acme.id, by=ana.id)
    assert contacts.count_contacts(session) == 120
    page = contacts.list_contacts(session, offset=100, limit=50)
    assert [c.name for c in page] == [f"Person {n:03d}" for n in range(100, 120)]
    assert contacts.count_contacts(session, "person 0") == 100  # 000-099
    window = contacts.list_contacts(session, "person 0", offset=50, limit=50)
    assert [c.name for c in window] == [f"Person {n:03d}" for n in range(50, 100)]
    with pytest.raises(InvalidInput):
        contacts.list_contacts(session, offset=-1)


def test_add_refuses_a_second_spelling_and_bad_values(session, ana):
    accounts.add_account(session, "Électricité Dupont", domain="dupont.example", by=ana.id)
    with pytest.raises(RuleViolation, match="exists already"):
        accounts.add_account(session, "ELECTRICITE  DUPONT", by=ana.id)
    with pytest.raises(InvalidInput):
        accounts.add_account(session, "   ", by=ana.id)
    with pytest.raises(InvalidInput, match="control character"):
        accounts.add_account(session, "Evil\x1b[2J", by=ana.id)
    with pytest.raises(InvalidInput, match="not an address"):
        contacts.add_contact(session, "Jo", email="jo at acme", by=ana.id)
    with pytest.raises(InvalidInput, match="keep it under"):
        contacts.add_contact(session, "Jo", phone="1" * 65, by=ana.id)
    contacts.add_contact(session, "Jo Park", by=ana.id)
    with pytest.raises(RuleViolation, match="contact there already"):
        contacts.add_contact(session, "jo  park", by=ana.id)
    assert accounts.count_accounts(session) == 1 and contacts.count_contacts(session) == 1


def test_edit_account_and_contact(session, ana):
    acme = accounts.add_account(session, "Acme", by=ana.id)
    globex = accounts.add_account(session, "Globex", by=ana.id)
    edited = accounts.edit_account(session, acme.id, name="Acme Corp", domain="acme.example", by=ana.id)
    assert (edited.name, edited.domain) == ("Acme Corp", "acme.example")
    with pytest.raises(RuleViolation, match="merge"):
        accounts.edit_account(session, globex.id, name="ACME corp", by=ana.id)
    assert accounts.edit_account(session, acme.id, domain=None, by=ana.id).domain is None
    jo = contacts.add_contact(session, "Jo", account_id=acme.id, email="jo@acme.example", by=ana.id)
    jo = contacts.edit_contact(session, jo.id, name="Jo Park", account_id=globex.id, phone="+1 555", by=ana.id)
    assert (jo.name, jo.account_name, jo.email, jo.phone) == ("Jo Park", "Globex", "jo@acme.example", "+1 555")
    jo = contacts.edit_contact(session, jo.id, email=None, by=ana.id)
    assert jo.email is None and jo.phone == "+1 555"
    # A form names the account: matched by its key, made when there is none.
    jo = contacts.edit_contact(session, jo.id, account_name="ACME corp", by=ana.id)
    assert jo.account_id == acme.id
    sam = contacts.add_contact(session, "Sam", account_name="Initech", by=ana.id)
    assert sam.account_name == "Initech" and accounts.count_accounts(session) == 3
    assert [c.name for c in contacts.list_contacts(session, account_id=acme.id)] == ["Jo Park"]
    assert contacts.count_contacts(session, "sam", account_id=acme.id) == 0


def test_account_page_shows_contacts_deals_and_one_timeline(session, ana):
    fleet = deals.create_opportunity(session, DealFields(title="Fleet", account="Acme", contact="Jo Park",
                                                         contact_email="jo@acme.example"), by=ana.id)
    spares = deals.create_opportunity(session, DealFields(title="Spares", account="Acme"), by=ana.id)
    other = deals.create_opportunity(session, DealFields(title="Elsewhere", account="Globex"), by=ana.id)
    log_activity(session, fleet.id, "call", by=ana.id, outcome="Talked pilot")
    add_note(session, spares.id, "Budget approved\nfor Q1", by=ana.id)
    add_note(session, other.id, "Not this account", by=ana.id)
    task = tasks.add_task(session, spares.id, "Send quote", fleet.created_at.date().add(days=2), by=ana.id)
    page = accounts.account_page(session, fleet.account_id)
    assert page.account.name == "Acme"
    assert [c.name for c in page.contacts] == ["Jo Park"] and page.contacts[0].email == "jo@acme.example"
    assert {d.title for d in page.deals} == {"Fleet", "Spares"} and page.deals_total == 2
    assert [t.id for t in page.open_tasks] == [task.id]
    headlines = [e.headline for e in page.timeline]
    assert "Budget approved" in headlines and any("Talked pilot" in h for h in headlines)
    assert "Not this account" not in headlines


def test_merge_accounts_moves_deals_and_contacts_in_one_write(session, db, ana):
    a = deals.create_opportunity(session, DealFields(title="Fleet", account="Acme", contact="Jo"), by=ana.id)
    b = deals.create_opportunity(session, DealFields(title="Spares", account="Acme Inc", contact="Sam"), by=ana.id)
    c = deals.create_lead(session, DealFields(title="Inbound", account="Acme Inc"), by=ana.id)
    accounts.edit_account(session, b.account_id, domain="acme.example", by=ana.id)
    merged = merges.merge_accounts(session, a.account_id, b.account_id, by=ana.id)
    assert (merged.deals_moved, merged.contacts_moved) == (2, 1)
    with db.session() as fresh:
        assert fresh.get(Account, b.account_id) is None
        assert set(fresh.exec(select(Deal.account_id)).scalars()) == {a.account_id}
        assert set(fresh.exec(select(Contact.account_id)).scalars()) == {a.account_id}
        assert fresh.get(Account, a.account_id).domain == "acme.example"
    for moved in (b, c):
        detail = deals.get_deal(session, moved.id)
        assert detail.version == moved.version + 1
        event = history(session, moved.id)[-1]
        assert event.kind == "account_merged" and event.data["from"] == "Acme Inc"
    assert history(session, a.id)[-1].kind == "created"  # the kept account's deals are untouched


def test_a_stale_deal_makes_the_merge_roll_back(session, db, ana):
    a = deals.create_opportunity(session, DealFields(title="Fleet", account="Acme"), by=ana.id)
    b = deals.create_opportunity(session, DealFields(title="Spares", account="Acme Inc"), by=ana.id)
    with pytest.raises(RuleViolation):
        merges.merge_accounts(session, a.account_id, a.account_id, by=ana.id)
    # Someone holds "Spares" at version 1; after the merge their edit is refused.
    merges.merge_accounts(session, a.account_id, b.account_id, by=ana.id)
    with pytest.raises(Conflict):
        deals.edit_deal(session, b.id, DealFields(title="Spares 2"), version=b.version, by=ana.id)


def test_merge_contacts_keeps_one_on_every_deal(session, db, ana):
    acme = accounts.add_account(session, "Acme", by=ana.id)
    jo = contacts.add_contact(session, "Jo Park", account_id=acme.id, email="jo@acme.example", by=ana.id)
    dup = contacts.add_contact(session, "J. Park", account_id=acme.id, phone="+1 555 0101", job_title="CFO",
                             by=ana.id)
    fleet = deals.create_opportunity(session, DealFields(title="Fleet", account="Acme"), by=ana.id)
    spares = deals.create_opportunity(session, DealFields(title="Spares", account="Acme"), by=ana.id)
    fleet = contacts.add_deal_contact(session, fleet.id, dup.id, version=fleet.version, by=ana.id)
    spares = contacts.add_deal_contact(session, spares.id, jo.id, version=spares.version, by=ana.id)
    spares = contacts.add_deal_contact(session, spares.id, dup.id, version=spares.version, by=ana.id)
    merged = merges.merge_contacts(session, jo.id, dup.id, by=ana.id)
    assert merged.deals_moved == 2
    assert deals.get_deal(session, fleet.id).contact_id == jo.id
    assert [(c.contact.id, c.primary) for c in contacts.deal_contacts(session, spares.id)] == [(jo.id, True)]
    kept = contacts.get_contact(session, jo.id)
    assert (kept.email, kept.phone, kept.job_title) == ("jo@acme.example", "+1 555 0101", "CFO")
    assert contacts.count_contacts(session) == 1
    assert history(session, spares.id)[-1].kind == "contact_merged"
    with db.session() as fresh:
        assert set(fresh.exec(select(DealContact.contact_id)).scalars()) == {jo.id}


def test_deal_contacts_add_remove_and_primary(session, ana):
    deal = deals.create_opportunity(session, DealFields(title="Fleet", account="Acme", contact="Jo"), by=ana.id)
    jo_id = deal.contact_id
    sam = contacts.add_contact(session, "Sam", account_id=deal.account_id, email="sam@acme.example", by=ana.id)
    deal = contacts.add_deal_contact(session, deal.id, sam.id, version=deal.version, by=ana.id)
    assert deal.contact_id == jo_id  # the first contact stays the primary
    assert [(c.contact.name, c.primary) for c in contacts.deal_contacts(session, deal.id)] == [("Jo", True), ("Sam", False)]
    with pytest.raises(RuleViolation, match="already"):
        contacts.add_deal_contact(session, deal.id, sam.id, version=deal.version, by=ana.id)
    with pytest.raises(Conflict):
        contacts.set_primary_contact(session, deal.id, sam.id, version=deal.version - 1, by=ana.id)
    deal = contacts.set_primary_contact(session, deal.id, sam.id, version=deal.version, by=ana.id)
    assert (deal.contact_id, deal.contact_email) == (sam.id, "sam@acme.example")
    deal = contacts.remove_deal_contact(session, deal.id, sam.id, version=deal.version, by=ana.id)
    assert deal.contact_id == jo_id  # the one left takes its place
    deal = contacts.remove_deal_contact(session, deal.id, jo_id, version=deal.version, by=ana.id)
    assert deal.contact_id is None and contacts.deal_contacts(session, deal.id) == []
    kinds = [e.kind for e in history(session, deal.id)]
    assert kinds[-4:] == ["contact_added", "primary_contact_set", "contact_removed", "contact_removed"]
    # The contact's page lists the deals it is on, as the primary or not.
    other = deals.create_opportunity(session, DealFields(title="Spares", account="Acme"), by=ana.id)
    contacts.add_deal_contact(session, other.id, sam.id, version=other.version, by=ana.id)
    assert [d.title for d in contacts.contact_page(session, sam.id).deals] == ["Spares"]


def test_undo_does_not_reach_past_a_merge(session, ana):
    a = deals.create_opportunity(session, DealFields(title="Fleet", account="Acme"), by=ana.id)
    b = deals.create_opportunity(session, DealFields(title="Spares", account="Acme Inc"), by=ana.id)
    b = deals.edit_deal(session, b.id, DealFields(account="Acme Ltd"), version=b.version, by=ana.id)
    merges.merge_accounts(session, a.account_id, b.account_id, by=ana.id)
    current = deals.get_deal(session, b.id)
    with pytest.raises(RuleViolation, match="changed again"):
        undo.undo_last(session, b.id, version=current.version, by=ana.id)
