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
from store.models import OPPORTUNITY, Deal, DealEvent, Stage
from store.periods import period_containing

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
    return reps.create_rep(session, "alex", "Alex Kim")


@pytest.fixture
def team(session, me):
    dana = reps.create_rep(session, "dana", "Dana Ortiz", email="dana.ortiz@example.test")
    sam = reps.create_rep(session, "sam", "Sam Lee")
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
