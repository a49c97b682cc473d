"""``legwork import`` of other CRMs' exports, end to end: Salesforce (Opportunity with
User and Account files), Maven, Pipedrive re-imports; what is printed, the exit status,
what the database holds after, and what the deal screen then shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from store import deals, reps
from store.models import Deal
from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.cli import main
from tui.screens.deal import DealScreen

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
SF = FIXTURES / "salesforce"
SF_STAGES = ["--stage", "Prospecting=Qualified", "--stage", "Qualification=Qualified",
             "--stage", "Proposal/Price Quote=Proposal", "--stage", "Negotiation/Review=Negotiation"]
PIPEDRIVE_STAGES = ["--stage", "Contact Made=Qualified", "--stage", "Demo Scheduled=Needs analysis",
                    "--stage", "Proposal Made=Proposal", "--stage", "Negotiations Started=Negotiation"]


@pytest.fixture
def cli(sqlite_db, tmp_path, monkeypatch, frozen):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    with sqlite_db.session() as session:
        alex = reps.create_rep(session, "alex", "Alex Kim", role="manager")  # an import may add the reps it names
        reps.create_rep(session, "dana", "Dana Ortiz", email="dana.ortiz@example.test", by=alex.id)
        reps.create_rep(session, "sam", "Sam Lee", by=alex.id)

    def legwork(*argv: str, rep: str = "alex", db: str | None = None) -> int:
        return main(["--db", db or sqlite_db.url, "--rep", rep, *argv])

    legwork.db = sqlite_db
    return legwork


def titles(db) -> dict[str, int]:
    with db.engine.connect() as connection:
        return dict(connection.execute(select(Deal.title, Deal.id)).all())


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_a_salesforce_migration_end_to_end(cli, capsys):
    opportunities = str(SF / "Opportunity.csv")
    assert cli("import", opportunities, "--dry-run") == 1
    out = capsys.readouterr().out
    assert "Owners not known: no --owners file" in out
    assert "9 deals name their account by id only: pass --accounts Account.csv" in out
    assert '--stage "Negotiation/Review=Negotiation"' in out and "Our opportunity stages:" in out
    assert "pass --created-from close or --created-unknown-when-after-close" in out
    companions = ["--owners", str(SF / "User.csv"), "--accounts", str(SF / "Account.csv")]
    assert cli("import", opportunities, *companions, *SF_STAGES, "--created-from", "close", "--dry-run") == 1
    out = capsys.readouterr().out
    assert ('Owners not in User.csv: 0058d00000Usr009AAA (1 row). Map each to a rep: '
            '--map-owner "0058d00000Usr009AAA=HANDLE"') in out
    assert titles(cli.db) == {}
    assert cli("import", opportunities, *companions, *SF_STAGES, "--created-from", "close",
               "--map-owner", "0058d00000Usr009AAA=dana") == 0
    out = capsys.readouterr().out
    assert "Imported 9 deals (9 opportunities; 1 won, 1 lost), 6 accounts, 1 rep: pquinn (Pat Quinn)" in out
    assert "2 deals closed before their created date: dated created on their close day" in out
    deal_id = titles(cli.db)["Acme fleet renewal"]
    app = LegworkApp(cli.db, "alex")
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(DealScreen(deal_id))
        await settle(app, pilot)
        assert "Opportunity · Negotiation · 90% (imported)" in screen_text(app)
        await pilot.press("H")  # back a stage: the imported probability was for Negotiation
        await settle(app, pilot)
        text = screen_text(app)
        assert "Opportunity · Proposal" in text and "(imported)" not in text
    with cli.db.session() as session:
        assert deals.get_deal(session, deal_id).probability == 60


async def test_maven_rows_without_dates_show_unknown_days_in_stage(cli, capsys):
    path = str(FIXTURES / "maven" / "sales_pipeline.csv")
    assert cli("import", path, "--stage", "Prospecting=Qualified", "--stage", "Engaging=Needs analysis") == 0
    out = capsys.readouterr().out
    assert ("8 deals had no created date: 5 took their engage date, 1 took their close date, "
            "2 are marked unknown and left out of period figures.") in out
    deal_id = titles(cli.db)["GTX Plus Pro"]  # a product and no account: titled from the product
    app = LegworkApp(cli.db, "alex")
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(DealScreen(deal_id))
        await settle(app, pilot)
        assert "?d in stage" in screen_text(app)


def test_a_newer_pipedrive_export_updates_what_changed(cli, capsys):
    assert cli("import", str(FIXTURES / "pipedrive" / "deals.csv"), *PIPEDRIVE_STAGES) == 0
    capsys.readouterr()
    newer = str(FIXTURES / "pipedrive" / "deals_newer.csv")
    assert cli("import", newer, *PIPEDRIVE_STAGES, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "  ACME renewal: Qualified → Won, $12,000 → $14,500" in out
    assert "A real run, in one transaction: 2 updated, 1 new (1 deal (1 opportunity), 1 account), 3 unchanged." in out
    assert "Oscorp sensors" not in titles(cli.db)
    assert cli("import", newer, *PIPEDRIVE_STAGES) == 0
    assert "Imported: 2 updated, 1 new (1 deal (1 opportunity), 1 account), 3 unchanged" in capsys.readouterr().out
    with cli.db.session() as session:
        acme = deals.get_deal(session, titles(cli.db)["ACME renewal"])
    assert (acme.stage_name, acme.value, acme.version) == ("Won", 1_450_000, 2)
    assert cli("import", newer, *PIPEDRIVE_STAGES) == 0
    assert "Nothing new to import: the valid rows are already in the database, unchanged." \
        in capsys.readouterr().out


def test_skip_invalid_that_imports_nothing_fails(cli, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("Title,Value\nA,lots\nB,n/a\n")
    assert cli("import", str(path), "--skip-invalid") == 1
    out = capsys.readouterr().out
    assert "Nothing was imported: 2 rows refused, every row of the file." in out
    assert titles(cli.db) == {}


def test_show_mapping_and_a_refused_dry_run_create_no_database(cli, tmp_path, capsys):
    nowhere = tmp_path / "new"
    nowhere.mkdir()
    db_path = nowhere / "legwork.db"
    opportunities = str(SF / "Opportunity.csv")
    assert cli("import", opportunities, "--show-mapping", db=str(db_path)) == 0
    assert "OwnerId               →  owner_id" in capsys.readouterr().out
    assert cli("import", opportunities, "--dry-run", db=str(db_path)) == 1
    assert f"there is no database at {db_path} yet" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("Colour\nred\n")
    assert cli("import", str(bad), "--dry-run", db=str(db_path)) == 1
    assert "nothing was imported: no column for title or account or account_id" in capsys.readouterr().out
    assert cli("import", opportunities, db=str(db_path)) == 1
    assert list(nowhere.iterdir()) == []  # no database file, no -wal, no -shm


def test_accounts_and_contacts_files(cli, capsys):
    assert cli("import", str(SF / "Account.csv"), "--kind", "accounts") == 0
    assert "Imported 6 accounts" in capsys.readouterr().out
    assert cli("import", str(SF / "Contact.csv"), "--kind", "contacts", "--accounts", str(SF / "Account.csv")) == 1
    out = capsys.readouterr().out
    assert "1 row (row 5): e.g. row 5: account '0018d00000Acc999AAA' is not in Account.csv" in out
    assert cli("import", str(SF / "Contact.csv"), "--kind", "contacts", "--accounts", str(SF / "Account.csv"),
               "--skip-invalid") == 0
    assert "Imported 3 contacts" in capsys.readouterr().out
