"""Accounts and contacts are matched by one rule on every backend (store.names).

SQLite's ``lower()`` folds ASCII only; PostgreSQL's folds everything; the importer
folded in Python. Now every lookup compares ``name_key``, computed in Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from store import deals
from store.accounts import suggest_account
from store.importer import ImportOptions, import_file
from store.models import Account, Contact, Deal
from store.names import name_key

SPELLINGS = ("Électricité Dupont", "ÉLECTRICITÉ  DUPONT", "Electricite Dupont")


def accounts(db) -> list[tuple[str, str]]:
    with db.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(Account.name, Account.name_key).order_by(Account.id))]


def deal_accounts(db) -> set[int]:
    with db.engine.connect() as connection:
        return set(connection.execute(select(Deal.account_id)).scalars())


@pytest.mark.parametrize(
    "a, b",
    [
        ("Électricité Dupont", " ÉLECTRICITÉ\tDUPONT "),
        ("Électricité Dupont", "Electricite Dupont"),
        ("Straße Bau", "STRASSE BAU"),
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),  # NFKC
        ("e\u0301cole", "\u00e9cole"),  # decomposed and composed é
    ],
)
def test_one_key_for_spellings_of_one_name(a, b):
    assert name_key(a) == name_key(b)


def test_accents_of_other_scripts_are_kept():
    # A virama or a kana voicing mark changes the letter; Latin accents do not change the company.
    assert name_key("क्ष") != name_key("कष")
    assert name_key("が") != name_key("か")


def test_three_spellings_are_one_account_through_the_deal_form(session, db, ana):
    for n, spelling in enumerate(SPELLINGS):
        deals.create_lead(session, deals.DealFields(title=f"Deal {n}", account=spelling), by=ana.id)
    assert accounts(db) == [("Électricité Dupont", "electricite dupont")]
    assert len(deal_accounts(db)) == 1


def test_editing_a_deal_to_another_spelling_keeps_its_account(session, db, ana):
    deal = deals.create_lead(session, deals.DealFields(title="Rollout", account=SPELLINGS[0]), by=ana.id)
    edited = deals.edit_deal(session, deal.id, deals.DealFields(account=SPELLINGS[1]), version=1, by=ana.id)
    assert edited.account_id == deal.account_id and edited.version == 1  # nothing changed
    assert len(accounts(db)) == 1


def test_contacts_are_matched_by_the_same_rule(session, db, ana):
    for n, name in enumerate(("Hélène Faure", "HÉLÈNE FAURE", "Helene  Faure")):
        deals.create_lead(
            session, deals.DealFields(title=f"Deal {n}", account=SPELLINGS[n], contact=name), by=ana.id
        )
    with db.engine.connect() as connection:
        rows = connection.execute(select(Contact.name, Contact.name_key)).all()
    assert [tuple(r) for r in rows] == [("Hélène Faure", "helene faure")]


def test_three_spellings_are_one_account_through_import_and_the_form(session, db, ana, tmp_path: Path):
    deals.create_lead(session, deals.DealFields(title="Typed in", account="électricité dupont"), by=ana.id)
    path = tmp_path / "deals.csv"
    path.write_text(
        "title,account,contact,owner\n"
        + "".join(f"Imported {n},{spelling},Hélène Faure,ana\n" for n, spelling in enumerate(SPELLINGS)),
        encoding="utf-8",
    )
    report = import_file(session, path, by=ana.id, options=ImportOptions())
    assert report.committed and report.count("accounts") == 0 and report.count("contacts") == 1, report.lines()
    assert accounts(db) == [("électricité dupont", "electricite dupont")]
    assert len(deal_accounts(db)) == 1
    # And the form finds what the import created.
    with db.engine.connect() as connection:
        imported = connection.execute(select(Contact.id, Contact.name_key)).one()
    assert imported.name_key == "helene faure"
    deal = deals.create_lead(
        session, deals.DealFields(title="Typed again", account="ELECTRICITE DUPONT", contact="HELENE FAURE"), by=ana.id
    )
    assert deal.contact_id == imported.id and len(accounts(db)) == 1


@pytest.mark.parametrize("typed", ["ÉLEC", "élec", "elec", "Electricité D", "  ELECTRICITE  "])
def test_suggestions_find_an_account_by_any_spelling_of_its_start(session, ana, typed):
    for name in ("Electrolux", "Électricité Dupont", "Acme"):
        deals.create_lead(session, deals.DealFields(title=f"At {name}", account=name), by=ana.id)
    assert suggest_account(session, typed) == "Électricité Dupont"


def test_suggestions_treat_like_wildcards_as_text(session, ana):
    deals.create_lead(session, deals.DealFields(title="One", account="100% Juice"), by=ana.id)
    deals.create_lead(session, deals.DealFields(title="Two", account="1000 Lakes"), by=ana.id)
    assert suggest_account(session, "100%") == "100% Juice"
    assert suggest_account(session, "10_0") is None
    assert suggest_account(session, "   ") is None


@pytest.mark.parametrize("typed", ["ÉLEC", "electricite", "hélène"])
def test_the_board_filter_finds_accounts_and_contacts_by_their_key(session, ana, typed):
    from store import board
    from store.board import BoardFilter

    deals.create_lead(session, deals.DealFields(title="Rollout", account=SPELLINGS[0], contact="Hélène Faure"), by=ana.id)
    deals.create_lead(session, deals.DealFields(title="Other", account="Acme"), by=ana.id)
    columns = board.board_columns(session, "lead", BoardFilter(text=typed))
    assert sum(c.count for c in columns) == 1
