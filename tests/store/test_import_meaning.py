"""Data from another CRM keeps its meaning: a deal's own win probability, a created
date that is the best the row has (never the import's time), refusals that say how
to go on. Hand-written fixtures shaped like each CRM's export (tests/fixtures/import/);
every test runs on SQLite and PostgreSQL and reads back what was committed.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from store import deals, forecast, numbers, reps, undo
from store.board import BoardFilter, board_columns, opportunity_summary
from store.goals import OPPORTUNITIES_CREATED, PIPELINE_CREATED
from store.importer import ImportOptions, import_file
from store.models import OPPORTUNITY, Account, Contact, Deal, DealEvent, Rep, Stage
from store.periods import period_containing

reps_table, accounts_table, contacts_table = Rep.__table__, Account.__table__, Contact.__table__
FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
UTC = timezone.utc
SF_STAGES = ("Prospecting=Qualified", "Qualification=Qualified", "Proposal/Price Quote=Proposal",
             "Negotiation/Review=Negotiation")
MAVEN_STAGES = ("Prospecting=Qualified", "Engaging=Needs analysis")
SF_OPTIONS = dict(stages=SF_STAGES, owners=str(FIXTURES / "salesforce" / "User.csv"),
                  accounts=str(FIXTURES / "salesforce" / "Account.csv"),
                  owner_map=("0058d00000Usr009AAA=dana",))


def run(session, path, rep, *, dry: bool = False, **options):
    return import_file(session, path, by=rep.id, options=ImportOptions(**options), dry_run=dry)


def stored(db) -> dict[str, dict]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(Deal.__table__, Stage.name.label("stage"), Stage.probability.label("stage_probability"))
            .join(Stage, Stage.id == Deal.stage_id)
        ).mappings().all()
    return {row["title"]: dict(row) for row in rows}


def aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@pytest.fixture
def me(session, frozen):
    return reps.create_rep(session, "alex", "Alex Kim", role="manager")  # an import may add the reps it names


@pytest.fixture
def team(session, me):
    dana = reps.create_rep(session, "dana", "Dana Ortiz", email="dana.ortiz@example.test", by=me.id)
    sam = reps.create_rep(session, "sam", "Sam Lee", by=me.id)
    return dana, sam


# --- 1. a deal's own probability ---------------------------------------------------------------


def test_salesforce_expected_revenue_is_legworks_weighted_forecast(session, db, me, team):
    path = FIXTURES / "salesforce" / "Opportunity.csv"
    report = run(session, path, me, created_from="close", **SF_OPTIONS)
    assert report.ok and report.committed, report.lines()
    quarter = period_containing("quarter", date(2026, 11, 18), "UTC")
    # What Salesforce says this quarter's open pipeline is worth: sum(Amount × Probability).
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    in_quarter = [r for r in rows if r["IsClosed"] == "false"
                  and quarter.start <= date.fromisoformat(r["CloseDate"]) < quarter.end]
    expected = sum(int(r["Amount"]) * int(r["Probability"]) for r in in_quarter)  # dollars × percent
    assert expected == sum(int(r["ExpectedRevenue"]) for r in in_quarter) * 100  # the file agrees with itself
    ours = forecast.period_forecast(session, quarter)
    assert ours.open_count == len(in_quarter) == 5
    assert ours.weighted == expected  # cents: dollars × percent ÷ 100 × 100
    # The board's quarter figure and its columns weigh each deal the same way.
    summary = opportunity_summary(session, BoardFilter(), tz="UTC")
    assert summary.weighted_this_quarter == expected
    columns = board_columns(session, OPPORTUNITY, BoardFilter())
    open_rows = [r for r in rows if r["IsClosed"] == "false"]
    assert sum(c.weighted for c in columns) == sum(int(r["Amount"]) * int(r["Probability"]) for r in open_rows)
    got = stored(db)
    assert got["Acme fleet renewal"]["probability"] == 90
    assert got["Acme fleet renewal"]["stage_probability"] == 80
    assert got["Umbrella security suite"]["probability"] is None  # closed: no forecast to weigh


def test_hubspot_fractions_and_pipedrive_percent(session, db, me, team):
    hubspot = run(session, FIXTURES / "hubspot" / "deals.csv", me,
                  stages=("qualifiedtobuy=Needs analysis", "presentationscheduled=Proposal"))
    assert hubspot.committed, hubspot.lines()
    pipedrive = run(session, FIXTURES / "pipedrive" / "deals.csv", me,
                    stages=("Contact Made=Qualified", "Demo Scheduled=Needs analysis", "Proposal Made=Proposal",
                            "Negotiations Started=Negotiation"))
    assert pipedrive.committed, pipedrive.lines()
    got = stored(db)
    assert got["Vandelay imports"]["probability"] == 40  # 0.4
    assert got["Kramerica oil bladder"]["probability"] == 65  # 0.65
    assert got["ACME renewal"]["probability"] == 40  # 40
    assert got["Soylent trial"]["probability"] is None  # empty: the stage's


def test_a_stage_move_clears_the_deals_own_probability(session, db, me, team):
    report = run(session, FIXTURES / "salesforce" / "Opportunity.csv", me, created_from="close", **SF_OPTIONS)
    assert report.committed, report.lines()
    deal_id = stored(db)["Initech pilot"]["id"]
    detail = deals.get_deal(session, deal_id)
    assert (detail.stage_name, detail.probability, detail.own_probability) == ("Needs analysis", 25, 25)
    assert detail.probability_note == "25% (imported)"
    moved = deals.move_deal(session, deal_id, 1, version=detail.version, by=me.id)
    assert (moved.stage_name, moved.probability, moved.own_probability, moved.probability_note) == (
        "Proposal", 60, None, "")
    with db.engine.connect() as connection:
        event = connection.execute(
            select(DealEvent.data).where(DealEvent.deal_id == deal_id).order_by(DealEvent.id.desc())
        ).scalars().first()
    assert event["before"]["probability"] == 25 and event["after"]["probability"] is None
    # Undo puts the imported probability back with the stage.
    undo.undo_last(session, deal_id, version=moved.version, by=me.id)
    assert deals.get_deal(session, deal_id).own_probability == 25
    # Winning clears it too.
    won_id = stored(db)["Acme fleet renewal"]["id"]
    won = deals.mark_won(session, won_id, version=deals.get_deal(session, won_id).version, by=me.id)
    assert won.own_probability is None and stored(db)["Acme fleet renewal"]["probability"] is None


def test_a_probability_out_of_range_is_refused(session, db, me, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("Title,Stage,Probability\nA,Qualified,60\nB,Qualified,140\nC,Qualified,high\n")
    report = run(session, path, me)
    reasons = {p.row: p.reason for p in report.refused}
    assert reasons == {3: "probability '140' is not between 0 and 100%",
                       4: "probability 'high' is not a number: write 60, 60% or 0.6"}


# --- 2. missing created dates ------------------------------------------------------------------


def test_maven_created_dates_come_from_the_row_or_are_unknown(session, db, me):
    report = run(session, FIXTURES / "maven" / "sales_pipeline.csv", me, stages=MAVEN_STAGES)
    assert report.committed, report.lines()
    assert dict(report.created_from) == {"engage date": 5, "close date": 1, "unknown": 2}
    assert ("8 deals had no created date: 5 took their engage date, 1 took their close date, "
            "2 are marked unknown and left out of period figures.") in report.lines()
    got = stored(db)
    cancity = got["Cancity — GTX Plus Basic"]
    assert aware(cancity["created_at"]) == datetime(2026, 10, 20, tzinfo=UTC) and cancity["created_known"]
    bubba = got["Bubba Corp — GTXPro"]  # no engage date: its close date
    assert aware(bubba["created_at"]).date() == date(2026, 11, 3)
    for title in ("GTX Plus Pro", "Ron-tech — MG Advanced"):  # Prospecting: no date at all
        assert got[title]["created_known"] is False or got[title]["created_known"] == 0
        assert aware(got[title]["created_at"]).year == 1970  # never the import's time
        assert deals.get_deal(session, got[title]["id"]).days_in_stage() is None
    # Period figures count the five deals dated in this quarter (the sixth engaged on 30 September),
    # not the two unknown ones: dated "now", they would have made it seven.
    quarter = period_containing("quarter", date(2026, 11, 18), "UTC")
    team = numbers.team_numbers(session, quarter, spark=0).team
    assert team.figures[OPPORTUNITIES_CREATED].value == 5
    assert team.figures[PIPELINE_CREATED].value == (1054 + 4514) * 100


def test_no_created_date_is_never_the_import_time(session, db, me, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("Title,Stage,Last Activity Date\nA,Qualified,2026-06-01\nB,Qualified,\n")
    report = run(session, path, me)
    assert report.committed and dict(report.created_from) == {"last activity": 1, "unknown": 1}
    got = stored(db)
    assert aware(got["A"]["created_at"]) == datetime(2026, 6, 1, tzinfo=UTC)
    assert aware(got["B"]["created_at"]).year == 1970 and not got["B"]["created_known"]


# --- 3. refusals with a way forward ----------------------------------------------------------


def test_closed_before_created_names_the_options(session, db, me, team):
    path = FIXTURES / "salesforce" / "Opportunity.csv"
    refused = run(session, path, me, **SF_OPTIONS)
    assert not refused.ok and not refused.committed
    reasons = {p.row: p.reason for p in refused.refused}
    assert set(reasons) == {6, 7}
    assert reasons[6] == ("closed 2025-11-14 before it was created 2026-03-15: pass --created-from close or "
                          "--created-unknown-when-after-close")
    lines = refused.lines()
    assert any("--created-from close dates such deals created on their close day" in line for line in lines)
    unknown = run(session, path, me, dry=True, unknown_when_after_close=True, **SF_OPTIONS)
    assert unknown.ok and dict(unknown.created_from)["unknown (--created-unknown-when-after-close)"] == 2
    report = run(session, path, me, created_from="close", **SF_OPTIONS)
    assert report.committed
    umbrella = stored(db)["Umbrella security suite"]
    assert aware(umbrella["created_at"]) == aware(umbrella["closed_at"])
    assert aware(umbrella["closed_at"]).date() == date(2025, 11, 14)


def test_unknown_stage_lists_ours_and_a_line_to_copy(session, db, me, team):
    report = run(session, FIXTURES / "salesforce" / "Opportunity.csv", me, created_from="close",
                 **{**SF_OPTIONS, "stages": ()})
    assert dict(report.unmatched_stages).keys() == {"Negotiation/Review", "Proposal/Price Quote", "Qualification",
                                                     "Prospecting"}
    help_ = report.stage_help
    assert help_[0] == "  Our opportunity stages: Qualified, Needs analysis, Proposal, Negotiation, Won, Lost"
    line = help_[-1].strip()
    assert '--stage "Negotiation/Review=Negotiation"' in line and '--stage "Qualification=Qualified"' in line
    assert '--stage "Proposal/Price Quote=Proposal"' in line
    # The line works as it is.
    stages = tuple(part.strip('" ') for part in line.split("--stage ") if part.strip())
    again = run(session, FIXTURES / "salesforce" / "Opportunity.csv", me, dry=True, created_from="close",
                **{**SF_OPTIONS, "stages": stages})
    assert again.ok and not again.unmatched_stages


def test_a_product_without_an_account_titles_the_deal(session, db, me):
    report = run(session, FIXTURES / "maven" / "sales_pipeline.csv", me, stages=MAVEN_STAGES)
    assert report.committed and "GTX Plus Pro" in stored(db)


def test_refusals_are_grouped_by_reason(session, db, me, tmp_path):
    rows = ["Title,Stage,Value"] + [f"Deal {i},Qualified,n/a{i}" for i in range(2000)] + ["Other,Nowhere,5"]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n")
    report = run(session, path, me)
    lines = report.lines()
    assert len(lines) < 15, lines
    assert lines[1] == "Nothing was imported: 2,001 rows refused, every row of the file."  # the outcome first
    assert "  2,000 rows (rows 2, 3, 4, 5, 6, 7, 8, 9 and 1,992 more): e.g. row 2: value 'n/a0' is not an amount" \
        in "\n".join(lines)


# --- 4. owners and accounts by id ------------------------------------------------------------


def test_salesforce_owners_and_accounts_by_id(session, db, me, team):
    report = run(session, FIXTURES / "salesforce" / "Opportunity.csv", me, created_from="close", **SF_OPTIONS)
    assert report.committed, report.lines()
    assert report.new_reps == (("pquinn", "Pat Quinn"),)  # not in Legwork: a new rep, as a named owner is
    with db.engine.connect() as connection:
        rows = connection.execute(select(Deal.title, reps_table.c.handle, accounts_table.c.name,
                                         accounts_table.c.domain)
                                  .join(reps_table, reps_table.c.id == Deal.owner_id)
                                  .join(accounts_table, accounts_table.c.id == Deal.account_id)).all()
        pat = connection.execute(select(reps_table.c.email).where(reps_table.c.handle == "pquinn")).scalar_one()
    got = {title: (owner, account, domain) for title, owner, account, domain in rows}
    assert got["Acme fleet renewal"] == ("dana", "Acme Corporation", "acme.example")  # by e-mail
    assert got["Globex analytics"] == ("sam", "Globex", "globex.example")  # by name
    assert got["Initech pilot"] == ("dana", "Initech", "initech.example")
    assert got["Acme spare parts"][0] == "pquinn" and pat == "pat.quinn@example.test"
    assert got["Stark retrofit"] == ("dana", "Stark Industries", None)  # --map-owner; no website
    assert report.notes == ()


def test_unmatched_owner_ids_are_one_line_and_never_the_importer(session, db, me, team):
    options = {**SF_OPTIONS, "owner_map": ()}
    report = run(session, FIXTURES / "salesforce" / "Opportunity.csv", me, created_from="close", **options)
    assert not report.committed and [p.row for p in report.refused] == [10]
    assert report.notes == ('Owners not in User.csv: 0058d00000Usr009AAA (1 row). Map each to a rep: '
                            '--map-owner "0058d00000Usr009AAA=HANDLE"',)
    without_users = run(session, FIXTURES / "salesforce" / "Opportunity.csv", me, created_from="close",
                        stages=SF_STAGES, skip_invalid=True)
    assert without_users.count("deals") == 0 and len(without_users.refused) == 9
    assert without_users.notes[0].startswith("Owners not known: no --owners file")
    assert not without_users.ok  # --skip-invalid, nothing imported: a failure
    assert session.execute(select(Deal.id)).first() is None


def test_no_owner_column_is_the_importer_and_says_so(session, db, me, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("Title,Value\nA,10\n")
    report = run(session, path, me)
    assert report.committed and report.notes == ("The file has no owner column: every deal is owned by you (alex).",)
    path.write_text("Title,Owner\nB,\nC,Sam Lee\n")
    report = run(session, path, me)
    assert report.notes == ("1 row names no owner: owned by you (alex): 2",)


def test_an_unknown_map_owner_handle_is_refused(session, db, me):
    report = run(session, FIXTURES / "salesforce" / "Opportunity.csv", me,
                 **{**SF_OPTIONS, "owner_map": ("0058d00000Usr009AAA=nobody",)})
    assert report.file_problem.startswith("--map-owner 0058d00000Usr009AAA=nobody: no rep has the handle 'nobody'")


def test_accounts_and_contacts_on_their_own(session, db, me):
    accounts = run(session, FIXTURES / "salesforce" / "Account.csv", me, kind="accounts")
    assert accounts.committed and accounts.count("accounts") == 6, accounts.lines()
    again = run(session, FIXTURES / "salesforce" / "Account.csv", me, kind="accounts")
    assert again.ok and not again.committed and len(again.skipped) == 6
    contacts = run(session, FIXTURES / "salesforce" / "Contact.csv", me, kind="contacts",
                   accounts=str(FIXTURES / "salesforce" / "Account.csv"))
    assert [p.row for p in contacts.refused] == [5]
    assert contacts.refused[0].reason == "account '0018d00000Acc999AAA' is not in Account.csv"
    contacts = run(session, FIXTURES / "salesforce" / "Contact.csv", me, kind="contacts", skip_invalid=True,
                   accounts=str(FIXTURES / "salesforce" / "Account.csv"))
    assert contacts.committed and contacts.count("contacts") == 3 and contacts.count("accounts") == 0
    with db.engine.connect() as connection:
        rows = connection.execute(select(contacts_table.c.name, contacts_table.c.email, contacts_table.c.job_title,
                                         accounts_table.c.name)
                                  .join(accounts_table, accounts_table.c.id == contacts_table.c.account_id)).all()
    assert ("Jo Park", "jo.park@acme.example", "Fleet Manager", "Acme Corporation") in rows
    # Deals imported afterwards find those accounts (one per name) and their domains stay.
    report = run(session, FIXTURES / "salesforce" / "Opportunity.csv", me, created_from="close",
                 **{**SF_OPTIONS, "owner_map": ("0058d00000Usr009AAA=alex",)})
    assert report.committed and report.count("accounts") == 0


# --- 5. re-import updates --------------------------------------------------------------------

PIPEDRIVE_STAGES = ("Contact Made=Qualified", "Demo Scheduled=Needs analysis", "Proposal Made=Proposal",
                    "Negotiations Started=Negotiation")


def _events(db, title):
    with db.engine.connect() as connection:
        return connection.execute(
            select(DealEvent.kind, DealEvent.rep_id, DealEvent.data).join(Deal, Deal.id == DealEvent.deal_id)
            .where(Deal.title == title).order_by(DealEvent.id)
        ).all()


def test_a_newer_export_updates_changed_deals(session, db, me, team):
    first = run(session, FIXTURES / "pipedrive" / "deals.csv", me, stages=PIPEDRIVE_STAGES)
    assert first.committed
    before = stored(db)
    newer = FIXTURES / "pipedrive" / "deals_newer.csv"
    dry = run(session, newer, me, dry=True, stages=PIPEDRIVE_STAGES)
    assert dry.ok and not dry.committed
    assert dry.updated == (
        "ACME renewal: Qualified → Won, $12,000 → $14,500",
        "Wonka packaging: close 2027-01-15 → 2027-01-31, owner Dana Ortiz → Sam Lee, probability 70% → 80%",
    )
    assert "A real run, in one transaction: 2 updated, 1 new (1 deal (1 opportunity), 1 account), 3 unchanged." \
        in dry.lines()
    assert stored(db) == before  # a dry run writes nothing
    report = run(session, newer, me, stages=PIPEDRIVE_STAGES)
    assert report.committed and report.unchanged == 3 and len(report.updated) == 2 and report.count("deals") == 1
    after = stored(db)
    acme = after["ACME renewal"]
    assert (acme["stage"], acme["value"], acme["version"], acme["probability"]) == ("Won", 1_450_000, 2, None)
    assert aware(acme["closed_at"]) == datetime(2026, 11, 17, 16, tzinfo=UTC)
    kinds = [(kind, data.get("via"), rep_id) for kind, rep_id, data in _events(db, "ACME renewal")]
    assert kinds == [("created", None, me.id), ("won", "import", me.id), ("value_changed", "import", me.id)]
    wonka = after["Wonka packaging"]
    assert (wonka["expected_close"], wonka["probability"], wonka["version"]) == (date(2027, 1, 31), 80, 2)
    assert [k for k, _r, _d in _events(db, "Wonka packaging")] == [
        "created", "details_edited", "close_date_changed", "owner_changed"]
    for title in ("Soylent trial", "Tyrell replicants", "Cyberdyne audit"):  # unchanged rows: untouched
        assert after[title] == before[title]
    # Again: nothing changes, nothing is duplicated.
    again = run(session, newer, me, stages=PIPEDRIVE_STAGES)
    assert again.ok and not again.committed and again.unchanged == 6 and not again.updated
    assert stored(db) == after
    # The import's change is undone like a person's.
    wonka_id = wonka["id"]
    undo.undo_last(session, wonka_id, version=2, by=me.id)
    assert deals.get_deal(session, wonka_id).own_probability == 70


def test_a_deal_changed_in_legwork_since_the_import_is_left_alone(session, db, me, team):
    run(session, FIXTURES / "pipedrive" / "deals.csv", me, stages=PIPEDRIVE_STAGES)
    acme_id = stored(db)["ACME renewal"]["id"]
    detail = deals.get_deal(session, acme_id)
    deals.edit_deal(session, acme_id, deals.DealFields(value=1_300_000), version=detail.version, by=me.id)
    newer = FIXTURES / "pipedrive" / "deals_newer.csv"
    report = run(session, newer, me, stages=PIPEDRIVE_STAGES)
    held = [p for p in report.skipped if p.reason.startswith("changed in Legwork")]
    assert [p.row for p in held] == [2] and stored(db)["ACME renewal"]["value"] == 1_300_000
    assert "--overwrite-edits" in held[0].reason
    forced = run(session, newer, me, stages=PIPEDRIVE_STAGES, overwrite_edits=True)
    assert forced.updated == ("ACME renewal: Qualified → Won, $13,000 → $14,500",)
    assert stored(db)["ACME renewal"]["stage"] == "Won"


def test_the_timeline_says_what_the_import_did(session, db, me, team):
    from store.timeline import deal_timeline

    run(session, FIXTURES / "pipedrive" / "deals.csv", me, stages=PIPEDRIVE_STAGES)
    run(session, FIXTURES / "pipedrive" / "deals_newer.csv", me, stages=PIPEDRIVE_STAGES)
    wonka = stored(db)["Wonka packaging"]["id"]
    lines = [e.headline for e in deal_timeline(session, wonka)]
    assert "Win probability 70% → 80% (import of deals_newer.csv)" in lines
    assert "Owner Dana Ortiz → Sam Lee (import of deals_newer.csv)" in lines
    run(session, FIXTURES / "maven" / "sales_pipeline.csv", me, stages=MAVEN_STAGES)
    unknown = stored(db)["GTX Plus Pro"]["id"]
    assert [e.headline for e in deal_timeline(session, unknown)] == [
        "Created as an opportunity in Qualified (date unknown: imported without one)"]


def test_an_empty_owner_cell_does_not_take_the_deal(session, db, me, team, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("Id,Title,Owner,Value\n1,A,Sam Lee,10\n")
    assert run(session, path, me).committed
    path.write_text("Id,Title,Owner,Value\n1,A,,20\n")
    report = run(session, path, me)
    assert report.updated == ("A: $10 → $20",)
    with db.engine.connect() as connection:
        owner = connection.execute(select(reps_table.c.handle).join(Deal, Deal.owner_id == reps_table.c.id)).scalar()
    assert owner == "sam"


def test_a_card_without_a_known_stage_date_shows_no_days(session, db, me):
    from store.board import column_cards

    run(session, FIXTURES / "maven" / "sales_pipeline.csv", me, stages=MAVEN_STAGES)
    qualified = session.execute(select(Stage.id).where(Stage.pipeline == OPPORTUNITY,
                                                       Stage.name == "Qualified")).scalar_one()
    engaging = session.execute(select(Stage.id).where(Stage.pipeline == OPPORTUNITY,
                                                      Stage.name == "Needs analysis")).scalar_one()
    unknown = {c.title: c.days_in_stage for c in column_cards(session, qualified, BoardFilter())}
    assert unknown == {"GTX Plus Pro": None, "Ron-tech — MG Advanced": None}
    dated = {c.title: c.days_in_stage for c in column_cards(session, engaging, BoardFilter())}
    assert dated == {"Cancity — MG Special": 24, "Codehow — GTX Basic": 31}  # engaged 25 and 18 Oct
