"""The whole hostile corpus, end to end: through ``legwork import`` (CSV and JSON), through the
store's write functions, and then on screen under Pilot.

Whatever a string is, it ends as a refused row, a refused write (``StoreError``) or stored
text; never a traceback, never a partial write; nothing stored holds a byte a terminal would
run; and nothing the app then draws sends one to the terminal. The CLI and store halves run on
SQLite and PostgreSQL; the screen half on SQLite (it reads what either stored the same way).
"""

from __future__ import annotations

import csv
import io
import json
import re

import pendulum
import pytest
from sqlmodel import SQLModel

from store import accounts, activities, contacts, deals, notes, reps, tasks
from store.errors import StoreError
from tests import hostile_corpus as hc
from tests.conftest import FIXED_NOW
from tui.app import LegworkApp
from tui.cli import main

# What stored text may never hold: C0 but tab, newline and CR; DEL; C1. (Bidi controls may be
# stored — they are shown visibly — so the screen check below covers them.)
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CORPUS = [text for text in hc.ALL if text.strip()]


def snapshot(db) -> dict[str, list[str]]:
    with db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in SQLModel.metadata.sorted_tables
        }


def stored_text(db) -> list[str]:
    """Every string in every table: what any screen or command could later show."""
    with db.engine.connect() as connection:
        return [
            value
            for table in SQLModel.metadata.sorted_tables
            for row in connection.execute(table.select())
            for value in row
            if isinstance(value, str)
        ]


@pytest.fixture
def legwork(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    with db.session() as session:
        reps.create_rep(session, "alex", "Alex Kim")

    def run(*argv: str) -> tuple[int, str]:
        status = main(["--db", db.url, "--rep", "alex", *argv])
        captured = capsys.readouterr()
        return status, captured.out + captured.err

    return run


def corpus_csv(path, corpus=None) -> None:
    """A CSV of the corpus; a raw NUL byte makes it a binary file, refused whole (see below)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "account", "contact", "value", "stage", "notes"])
    for n, text in enumerate(corpus or [t for t in CORPUS if "\x00" not in t]):
        writer.writerow([f"{text} #{n}", text, text, "1000", "Qualified", text])
    path.write_text(out.getvalue(), encoding="utf-8")


def corpus_json(path) -> None:
    rows = [{"title": f"{text} #{n}", "account": text, "value": 1000, "stage": "Qualified"}
            for n, text in enumerate(CORPUS)]
    path.write_text(json.dumps(rows), encoding="utf-8")


@pytest.mark.parametrize("writer", [corpus_csv, corpus_json], ids=["csv", "json"])
def test_import_of_the_corpus_is_all_or_nothing_and_stores_nothing_a_terminal_runs(db, legwork, tmp_path, writer):
    path = tmp_path / ("corpus.json" if writer is corpus_json else "corpus.csv")
    writer(path)
    before = snapshot(db)
    status, said = legwork("import", str(path))
    assert "Traceback" not in said
    if status != 0:  # refused as a whole: nothing written
        assert status == 1, said
        assert snapshot(db) == before
        status, said = legwork("import", str(path), "--skip-invalid")
        assert "Traceback" not in said
    assert status in (0, 1), said
    bad = [text for text in stored_text(db) if FORBIDDEN.search(text)]
    assert not bad, f"stored with control characters: {bad[:3]!r}"
    with db.session() as session:
        assert len(deals.list_deals(session)) > 0  # the corpus did get in, cleaned


def test_a_csv_holding_a_raw_nul_is_one_file_error_and_writes_nothing(db, legwork, tmp_path):
    path = tmp_path / "corpus.csv"
    corpus_csv(path, CORPUS)
    before = snapshot(db)
    for extra in ((), ("--skip-invalid",)):
        status, said = legwork("import", str(path), *extra)
        assert status == 2 and "Traceback" not in said
        assert len(said.strip().splitlines()) == 1, said
        assert snapshot(db) == before


def test_store_writes_of_the_corpus_refuse_or_store_clean_text(db):
    with db.session() as session:
        alex = reps.create_rep(session, "alex", "Alex Kim")
        deal = deals.create_opportunity(session, deals.DealFields(title="Plain deal"), by=alex.id)
    writes = {
        "deal title": lambda s, text: deals.create_opportunity(s, deals.DealFields(title=text), by=alex.id),
        "account": lambda s, text: deals.create_opportunity(s, deals.DealFields(title="A", account=text), by=alex.id),
        "task": lambda s, text: tasks.add_task(s, deal.id, text, FIXED_NOW.date(), by=alex.id),
        "note": lambda s, text: notes.add_note(s, deal.id, text, by=alex.id),
        "outcome": lambda s, text: activities.log_activity(s, deal.id, "call", by=alex.id, outcome=text),
        "people account": lambda s, text: accounts.add_account(s, text, domain=text, by=alex.id),
        "people contact": lambda s, text: contacts.add_contact(s, text, phone=text[:64], job_title=text,
                                                             account_name=text, by=alex.id),
        "contact filter": lambda s, text: (contacts.list_contacts(s, text), accounts.list_accounts(s, text)),
    }
    for what, write in writes.items():
        for text in CORPUS:
            before = snapshot(db)
            try:
                with db.session() as session:
                    write(session, text)
            except StoreError:
                assert snapshot(db) == before, f"a refused {what} wrote something"
            except Exception as exc:  # noqa: BLE001 - the point: only StoreError may come out
                pytest.fail(f"{what} {text[:20]!r}: {type(exc).__name__}: {exc}")
    bad = [text for text in stored_text(db) if FORBIDDEN.search(text)]
    assert not bad, f"stored with control characters: {bad[:3]!r}"


async def test_the_app_draws_an_imported_corpus_without_raw_control_bytes(sqlite_db, tmp_path, monkeypatch, capsys):
    from tests.tui.conftest import settle
    from tests.tui.test_hostile_text import assert_safe

    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    with sqlite_db.session() as session:
        reps.create_rep(session, "alex", "Alex Kim")
    path = tmp_path / "corpus.csv"
    corpus_csv(path)
    with pendulum.travel_to(FIXED_NOW, freeze=True):
        assert main(["--db", sqlite_db.url, "--rep", "alex", "import", str(path), "--skip-invalid"]) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err
    app = LegworkApp(sqlite_db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        assert_safe(app, "]0;evil")  # the corpus is on the board, its escapes stripped on import
        for keys in (["j", "j"], ["enter"], ["escape", "3"], ["1"], ["6"], ["enter"], ["escape", "tab"], ["enter"]):
            await pilot.press(*keys)
            await settle(app, pilot)
            assert_safe(app)
