"""Search by words, on both backends: what is found, how it is kept current, and that no query fails."""

from __future__ import annotations

import pytest
from sqlmodel import select

from store import activities, deals, notes, reps, search_index
from store.deals import DealFields
from store.demo import DemoSize, populate_demo
from store.models import Account
from store.search import ACCOUNT, ACTIVITY, CONTACT, DEAL, NOTE, query_terms, search, search_in, snippet


@pytest.fixture
def alex(session):
    return reps.create_rep(session, "alex", "Alex Kim")


def ids(results, kind):
    group = results.group(kind)
    return [hit.id for hit in group.hits] if group else []


def opportunity(session, alex, title, **fields):
    return deals.create_opportunity(session, DealFields(title=title, **fields), by=alex.id)


def test_a_deal_is_found_by_the_start_of_any_word_of_its_title_account_or_product(session, alex):
    deal = opportunity(session, alex, "Fleet rollout", account="Lakeshore Health", product="Telematics")
    other = opportunity(session, alex, "Payroll pilot", account="Globex")
    for query in ("lake", "LAKESHORE", "fle", "rollout", "tele", "lake fleet", "health roll"):
        assert ids(search(session, query), DEAL) == [deal.id], query
    assert ids(search(session, "glob"), DEAL) == [other.id]
    assert ids(search(session, "lake payroll"), DEAL) == []  # every word must be found
    assert ids(search(session, "shore"), DEAL) == []  # words are found by their start


def test_case_and_accents_are_folded_both_ways(session, alex):
    deal = opportunity(session, alex, "Électricité Dupont — Zürich depot", account="ÉNERGIE São Paulo")
    for query in ("electricite", "ELECTR", "électr", "zurich", "ZÜRICH", "energie", "sao paulo", "SÃO"):
        assert ids(search(session, query), DEAL) == [deal.id], query
    plain = opportunity(session, alex, "Creme brulee supply")
    assert ids(search(session, "crème brûlée"), DEAL) == [plain.id]


def test_closed_deals_are_found_and_say_so(session, alex):
    won = opportunity(session, alex, "Harbor won deal")
    won = deals.mark_won(session, won.id, version=won.version, by=alex.id)
    lost = opportunity(session, alex, "Harbor lost deal")
    deals.mark_lost(session, lost.id, "Price", version=lost.version, by=alex.id)
    still_open = opportunity(session, alex, "Harbor open deal")
    results = search(session, "harbor")
    hits = {hit.id: hit for hit in results.group(DEAL).hits}
    assert set(hits) == {won.id, lost.id, still_open.id}
    assert not hits[won.id].is_open and not hits[lost.id].is_open and hits[still_open.id].is_open
    assert "closed won" in hits[won.id].context and "closed lost" in hits[lost.id].context
    assert hits[won.id].deal_id == won.id and hits[won.id].pipeline == "opportunity"


def test_a_renamed_deal_is_found_by_its_new_name_only(session, alex):
    deal = opportunity(session, alex, "Oldname rollout", account="Acme")
    deals.edit_deal(session, deal.id, DealFields(title="Newname rollout"), version=deal.version, by=alex.id)
    assert ids(search(session, "oldname"), DEAL) == []
    assert ids(search(session, "newname"), DEAL) == [deal.id]
    assert search(session, "newname").group(DEAL).hits[0].label == "Newname rollout"


def test_a_deal_moved_to_another_account_is_found_by_that_account(session, alex):
    deal = opportunity(session, alex, "Rollout", account="Initech")
    deals.edit_deal(session, deal.id, DealFields(account="Umbrella"), version=deal.version, by=alex.id)
    assert ids(search(session, "initech"), DEAL) == []
    assert ids(search(session, "umbrella"), DEAL) == [deal.id]


def test_renaming_an_account_renames_what_its_deals_are_found_by(session, alex):
    deal = opportunity(session, alex, "Rollout", account="Initech")
    account = session.exec(select(Account).where(Account.id == deal.account_id)).one()
    account.name = "Intertrode"
    session.add(account)
    session.commit()
    assert ids(search(session, "initech"), DEAL) == [] and ids(search(session, "initech"), ACCOUNT) == []
    assert ids(search(session, "intertrode"), DEAL) == [deal.id]
    assert ids(search(session, "intertrode"), ACCOUNT) == [deal.account_id]


def test_accounts_and_contacts_and_what_opening_them_opens(session, alex):
    older = opportunity(session, alex, "First", account="Lakeshore Foods", contact="Ana Reyes",
                        contact_email="ana.reyes@lakeshorefoods.com", contact_phone="+1 206 555 0169")
    newer = opportunity(session, alex, "Second", account="Lakeshore Foods")
    closed = opportunity(session, alex, "Third", account="Lakeshore Foods")
    deals.mark_won(session, closed.id, version=closed.version, by=alex.id)
    [account] = search(session, "lakeshore").group(ACCOUNT).hits
    assert (account.kind, account.id, account.label) == (ACCOUNT, older.account_id, "Lakeshore Foods")
    assert account.deal_id == newer.id and account.is_open  # the latest open deal, not the latest closed
    assert "3 deals" in account.context
    for query in ("ana", "reyes", "ana.reyes", "lakeshorefoods", "555 0169", "0169"):
        found = search(session, query).group(CONTACT)
        assert found is not None and [h.id for h in found.hits] == [older.contact_id], query
    contact = search(session, "reyes").group(CONTACT).hits[0]
    assert contact.deal_id == older.id  # the contact's own deal
    assert contact.account_id == older.account_id and "Lakeshore Foods" in contact.context


def test_notes_and_activity_outcomes_open_their_deal(session, alex):
    deal = opportunity(session, alex, "Fleet rollout")
    note = notes.add_note(session, deal.id, "Budget approved by finance\nThey want a pilot first", by=alex.id)
    activity = activities.log_activity(session, deal.id, "call", by=alex.id, outcome="Talked pilot scope with Jo")
    results = search(session, "pilot")
    [note_hit] = results.group(NOTE).hits
    [activity_hit] = results.group(ACTIVITY).hits
    assert (note_hit.id, note_hit.deal_id, note_hit.label) == (note.id, deal.id, "Fleet rollout")
    assert (activity_hit.id, activity_hit.deal_id) == (activity.id, deal.id)
    assert "pilot" in note_hit.context and "pilot" in activity_hit.context
    assert "\n" not in note_hit.context
    assert ids(search(session, "budget finance"), NOTE) == [note.id]


def test_each_group_is_limited_and_says_when_there_is_more(session, alex):
    made = [opportunity(session, alex, f"Kestrel deal {i}").id for i in range(7)]
    group = search(session, "kestrel", per_group=5).group(DEAL)
    assert len(group.hits) == 5 and group.more
    assert set(h.id for h in group.hits) <= set(made)
    group = search(session, "kestrel", per_group=10).group(DEAL)
    assert len(group.hits) == 7 and not group.more


def test_a_title_word_ranks_above_an_account_word(session, alex):
    by_account = opportunity(session, alex, "Rollout", account="Falcon Works")
    by_title = opportunity(session, alex, "Falcon rollout", account="Other")
    assert ids(search(session, "falcon"), DEAL) == [by_title.id, by_account.id]


HOSTILE_QUERIES = [
    '"', '""', "'", "''", '"lake', "lake\"", "*", "**", "lake*", "-", "-lake", "lake -shore", "NEAR", "NEAR(lake shore)",
    "lake NEAR shore", "AND", "OR", "NOT", "lake OR", "OR lake", "lake AND NOT", "(", ")", "(lake", "lake)", "{", "}",
    "^lake", ":", "title:lake", "title : lake", "col:", "+", "lake + shore", "\\", "\\'", "%", "_", "%_", "' OR 1=1 --",
    "'; DROP TABLE deal; --", "\x1b[2J", "lake\x00shore", "\x00", "\x07\x08", "lake\u202eshore", "\ufeff", "©™",
    "la:*", "la & sh", "!lake", "lake | shore", "<->", "lake <-> shore", "a" * 5000, "lake " * 500, "🦆 lake",
    "\u0301", "e\u0301lectricite", "ß", "İstanbul", "\t\n\r", "   ", "", "l", "x y z",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_no_query_fails(session, alex, query):
    deal = opportunity(session, alex, "Lakeshore fleet", account="Shore Co")
    results = search(session, query)
    assert results.query == query
    # Found exactly when every word of the query starts a word of the deal's.
    words_of_deal = ("lakeshore", "fleet", "shore", "co")
    expected = bool(results.terms) and all(any(w.startswith(t) for w in words_of_deal) for t in results.terms)
    assert (deal.id in ids(results, DEAL)) == expected, (query, results.terms)
    if query in ('"lake', 'lake"', "lake*", "-lake", "(lake", "lake)", "^lake", "!lake", "🦆 lake", "la:*",
                 "lake + shore", "lake | shore", "lake <-> shore", "lake " * 500):
        assert expected, query


def test_operators_are_plain_words(session, alex):
    near = opportunity(session, alex, "Near miss reporting")
    opportunity(session, alex, "Other deal")
    assert ids(search(session, "NEAR"), DEAL) == [near.id]
    assert ids(search(session, '"near"*'), DEAL) == [near.id]
    assert query_terms("-lake* NEAR(a b)") == ("lake", "near")  # one letter narrows nothing
    assert query_terms("a") == () and query_terms("a b") == () and query_terms("jo p") == ("jo",)


def test_hostile_titles_come_back_as_stored(session, alex):
    title = "[@click=app.quit]x \x1b]0;owned\x07 deal"
    deal = deals.create_opportunity(session, DealFields(title="placeholder"), by=alex.id)
    # Stored as an import would store it (the form refuses control characters).
    from store.models import Deal

    row = session.get(Deal, deal.id)
    row.title = title
    session.add(row)
    session.commit()
    [hit] = search(session, "click quit").group(DEAL).hits
    assert hit.label == title  # the store gives the data; the screens show it safely (tui.plain_text)


def test_rows_written_in_bulk_are_found(session):
    """The demo builder (and the importer) insert with executemany / COPY, past the ORM."""
    populate_demo(session, seed=3, size=DemoSize(reps=2, leads=6, opportunities=8, history_days=30))
    session.commit()
    name = session.exec(select(Account.name).order_by(Account.id)).first()
    first_word = name.split()[0]
    results = search(session, first_word)
    assert results.group(ACCOUNT) is not None and results.group(DEAL) is not None
    assert any(hit.label == name for hit in results.group(ACCOUNT).hits)


def test_search_in_opens_its_own_session(db, session, alex):
    deal = opportunity(session, alex, "Threaded lookup")
    assert ids(search_in(db, "threaded"), DEAL) == [deal.id]


def test_every_trigger_of_the_index_is_there_at_head(db):
    with db.engine.connect() as connection:
        assert search_index.has_index(connection)
        assert search_index.missing_triggers(connection) == set()


def test_without_fts5_sqlite_falls_back_to_like(db, session, alex):
    if not db.is_sqlite:
        pytest.skip("the fallback is SQLite's")
    deal = opportunity(session, alex, "Lakeshore fleet", account="Électricité Dupont")
    note = notes.add_note(session, deal.id, "Pilot budget approved", by=alex.id)
    with db.engine.begin() as connection:
        search_index.drop(connection)
        assert not search_index.has_index(connection)
    with db.session() as fresh:
        assert ids(search(fresh, "lake"), DEAL) == [deal.id]
        assert ids(search(fresh, "electricite"), DEAL) == [deal.id]  # the account's name_key
        assert ids(search(fresh, "budget"), NOTE) == [note.id]
        assert ids(search(fresh, "100%_"), DEAL) == []
        for query in HOSTILE_QUERIES:
            search(fresh, query)


def test_snippet_shows_the_words_around_the_first_match():
    body = "Intro call went fine. " * 5 + "They mentioned the pilot budget is approved. " + "More text. " * 5
    cut = snippet(body, ("pilot",), width=40)
    assert "pilot" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) <= 42
    assert snippet("short\nnote", ("x",)) == "short note"
