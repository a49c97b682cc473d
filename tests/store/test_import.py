"""Importing deals, activities, tasks and notes from other CRMs' exports and spreadsheets.

Hand-written files in each dialect (Pipedrive, HubSpot, Salesforce, a plain
spreadsheet), with a BOM or without, CRLF or LF, D/M or M/D dates, currency
values, and every kind of bad row. Every test runs on SQLite and PostgreSQL and
asserts on the report AND on what was committed (read on a connection of its own).
"""

from __future__ import annotations

import codecs
import textwrap
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from store import activities, deals, events, reps, timeline, undo
from store.errors import InvalidInput
from store.import_fields import build_mapping, parse_overrides, recognise
from store.import_files import UnreadableFile
from store.import_values import DAY_FIRST, MONTH_FIRST, derive_handle, parse_amount, parse_duration, parse_moment
from store.importer import ImportOptions, import_file, read_mapping, stable_key
from store.importer.base import PROGRESS_MIN
from store.importer.deal_plan import DealImport
from store.models import Account, Activity, Contact, Deal, DealEvent, Note, Rep, Stage, Task
from tests.store.rollup_check import assert_next_due_match, assert_rollups_match
from tests.store.conftest import count

UTC = timezone.utc
TABLES = (Rep, Account, Contact, Deal, Activity, Task, Note, DealEvent)


# --- helpers -----------------------------------------------------------------------------------


def csv_file(tmp_path: Path, name: str, text: str, *, bom: bool = False, crlf: bool = False) -> Path:
    body = textwrap.dedent(text).lstrip("\n")
    if crlf:
        body = body.replace("\n", "\r\n")
    data = body.encode("utf-8")
    path = tmp_path / name
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def run(session, path, rep, *, dry: bool = False, **options):
    return import_file(session, path, by=rep.id, options=ImportOptions(**options), dry_run=dry)


def counts(db) -> dict[str, int]:
    return {model.__tablename__: count(db, model) for model in TABLES}


def stored_deals(db) -> dict[str, dict]:
    """Committed deals by title: their row plus stage, owner handle, account and contact names."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(Deal.__table__, Stage.name.label("stage"), Stage.kind.label("kind"), Rep.handle.label("owner"),
                   Account.name.label("account"), Contact.name.label("contact"), Contact.email.label("email"))
            .join(Stage, Stage.id == Deal.stage_id)
            .join(Rep, Rep.id == Deal.owner_id)
            .outerjoin(Account, Account.id == Deal.account_id)
            .outerjoin(Contact, Contact.id == Deal.contact_id)
        ).mappings().all()
    return {row["title"]: dict(row) for row in rows}


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@pytest.fixture
def me(session, frozen):
    return reps.create_rep(session, "alex", "Alex Kim", role="manager")  # brings the team's deals in


PIPEDRIVE = """
Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Organization,Deal - Contact person,Person - Email,Deal - Owner,Deal - Stage,Deal - Status,Deal - Won time,Deal - Lost time,Deal - Expected close date,Deal - Deal created,Deal - Probability,Deal - Lost reason,Deal - Label
101,Acme fleet rollout,"12,500",USD,Acme,Jo Park,jo@acme.test,Ana Reyes,Proposal,open,,,2026-12-20,2026-10-01 09:30:00,60,,hot
102,Globex renewal,5000,USD,Globex,,,Ana Reyes,Negotiation,won,2026-11-02 10:00:00,,2026-11-01,2026-09-15 08:00:00,100,,
103,Initech pilot,800.50,USD,Initech,Bill L,,Bob Stone,Qualified,lost,,2026-11-03 16:00:00,,2026-09-20 11:00:00,10,Price,
104,Umbrella intro,0,USD,Umbrella,,,alex,Qualified,deleted,,,,2026-10-20 10:00:00,,,
"""


# --- dialects ----------------------------------------------------------------------------------


class TestDialects:
    def test_pipedrive(self, session, db, me, tmp_path):
        report = run(session, csv_file(tmp_path, "pipedrive.csv", PIPEDRIVE), me)
        assert report.ok and report.committed, report.lines()
        assert report.refused == ()
        assert [s.row for s in report.skipped] == [5]  # "deleted" at the source
        assert report.count("deals") == 3 and report.count("won") == 1 and report.count("lost") == 1
        assert report.count("accounts") == 3 and report.count("contacts") == 2
        assert report.new_reps == (("ana.reyes", "Ana Reyes"), ("bob.stone", "Bob Stone"))
        got = stored_deals(db)
        assert set(got) == {"Acme fleet rollout", "Globex renewal", "Initech pilot"}
        acme = got["Acme fleet rollout"]
        assert (acme["stage"], acme["value"], acme["owner"], acme["account"], acme["contact"], acme["email"]) == (
            "Proposal", 1_250_000, "ana.reyes", "Acme", "Jo Park", "jo@acme.test")
        assert acme["external_id"] == "101" and acme["expected_close"] == date(2026, 12, 20)
        assert aware(acme["created_at"]) == utc(2026, 10, 1, 9, 30)
        globex = got["Globex renewal"]
        assert (globex["stage"], globex["value"], globex["pipeline"]) == ("Won", 500_000, "opportunity")
        assert aware(globex["closed_at"]) == utc(2026, 11, 2, 10) == aware(globex["stage_entered_at"])
        initech = got["Initech pilot"]
        assert (initech["stage"], initech["lost_reason"], initech["value"]) == ("Lost", "Price", 80_050)
        assert aware(initech["closed_at"]) == utc(2026, 11, 3, 16)
        assert count(db, Rep) == 3

    def test_hubspot(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "hubspot.csv", """
            Record ID,Deal Name,Deal Stage,Pipeline,Amount,Close Date,Create Date,Deal owner,Associated Company,Closed Lost Reason,Deal probability
            9001,Hooli expansion,appointmentscheduled,Sales Pipeline,25000,2026-12-31 00:00,2026-10-05 14:12,Gavin Belson,Hooli,,0.2
            9002,Pied Piper pilot,closedwon,Sales Pipeline,7500.00,2026-11-10 12:00,2026-08-01 09:00,Gavin Belson,Pied Piper,,1
            9003,Raviga deal,closedlost,Sales Pipeline,,2026-11-12 12:00,2026-09-01 09:00,Laurie Bream,Raviga,No budget,0
            9004,Endframe,contractsent,Sales Pipeline,1000,2027-01-15 00:00,2026-10-01 09:00,Laurie Bream,Endframe,,0.9
        """)
        first = run(session, path, me)
        assert not first.ok and not first.committed
        assert dict(first.unmatched_stages) == {"appointmentscheduled": (2,), "contractsent": (5,)}
        assert count(db, Deal) == 0
        report = run(session, path, me, stages=("appointmentscheduled=Qualified", "Contract Sent=Negotiation"))
        assert report.ok and report.committed, report.lines()
        got = stored_deals(db)
        assert got["Hooli expansion"]["stage"] == "Qualified"
        assert got["Hooli expansion"]["expected_close"] == date(2026, 12, 31)
        assert got["Endframe"]["stage"] == "Negotiation"  # "contractsent" matches "Contract Sent"
        assert got["Pied Piper pilot"]["stage"] == "Won"
        assert aware(got["Pied Piper pilot"]["closed_at"]) == utc(2026, 11, 10, 12)
        assert (got["Raviga deal"]["stage"], got["Raviga deal"]["lost_reason"]) == ("Lost", "No budget")
        assert got["Raviga deal"]["value"] == 0
        assert {d["owner"] for d in got.values()} == {"gavin.belson", "laurie.bream"}

    def test_salesforce_crlf_month_first_inferred(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "salesforce.csv", """
            Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Stage,Amount,Close Date,Created Date,Probability (%),Lead Source,Type
            006A1,Stark Industries - Fleet,Stark Industries,Pepper Potts,Closed Won,"$1,500,000.00",10/28/2026,8/3/2026,100,Web,New Business
            006A2,Wayne Enterprises - Pilot,Wayne Enterprises,Pepper Potts,Closed Lost,"$20,000.00",11/2/2026,7/1/2026,0,Partner,New Business
            006A3,Oscorp - Renewal,Oscorp,Happy Hogan,Proposal,"$75,250.00",12/24/2026,9/9/2026,60,Web,Existing Business
        """, crlf=True)
        report = run(session, path, me)
        assert report.ok, report.lines()
        assert report.date_order == MONTH_FIRST and "'10/28/2026'" in report.date_note
        got = stored_deals(db)
        stark = got["Stark Industries - Fleet"]
        assert (stark["stage"], stark["value"], stark["source"]) == ("Won", 150_000_000, "Web")
        assert stark["closed_at"] is not None and aware(stark["closed_at"]).date() == date(2026, 10, 28)
        assert aware(stark["created_at"]).date() == date(2026, 8, 3)
        assert got["Wayne Enterprises - Pilot"]["stage"] == "Lost"
        assert got["Wayne Enterprises - Pilot"]["lost_reason"] is None
        assert got["Oscorp - Renewal"]["expected_close"] == date(2026, 12, 24)
        assert got["Oscorp - Renewal"]["value"] == 7_525_000

    def test_plain_spreadsheet_with_bom_and_day_first(self, session, db, me, tmp_path):
        # The shape of a common sample data set (sales agent, engage date, close value).
        path = csv_file(tmp_path, "sales_pipeline.csv", """
            opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
            1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,20/10/2026,1/11/2026,1054
            Z063OYW0,Darcel Schlecht,GTXPro,Isdom,Won,25/10/2026,3/11/2026,4514
            EC4QE1BX,Darcel Schlecht,MG Special,Cancity,Engaging,28/10/2026,,
            MV1LWRNH,Moses Frase,GTX Basic,Codehow,Prospecting,,,
            PE84CX4O,Zane Levy,GTX Basic,Hatfan,Lost,2/11/2026,9/11/2026,0
        """, bom=True)
        report = run(session, path, me, date_order=DAY_FIRST,
                     stages=("Engaging=Needs analysis", "Prospecting=lead:Attempting"))
        assert report.ok, report.lines()
        assert report.mapping.columns[0].field == "external_id"  # the BOM is not part of the header
        assert report.mapping.titled_from_account  # no title column: "account — product"
        got = stored_deals(db)
        assert set(got) == {"Cancity — GTX Plus Basic", "Isdom — GTXPro", "Cancity — MG Special",
                            "Codehow — GTX Basic", "Hatfan — GTX Basic"}
        won = got["Cancity — GTX Plus Basic"]
        assert (won["stage"], won["value"], won["owner"], won["external_id"]) == (
            "Won", 105_400, "moses.frase", "1C1I7A6R")
        assert aware(won["created_at"]).date() == date(2026, 10, 20)
        assert aware(won["closed_at"]).date() == date(2026, 11, 1)
        assert got["Cancity — MG Special"]["stage"] == "Needs analysis"
        assert got["Cancity — MG Special"]["account_id"] == won["account_id"]
        assert (got["Codehow — GTX Basic"]["pipeline"], got["Codehow — GTX Basic"]["stage"]) == ("lead", "Attempting")
        assert (got["Hatfan — GTX Basic"]["stage"], got["Hatfan — GTX Basic"]["value"]) == ("Lost", 0)
        assert count(db, Account) == 4 and count(db, Rep) == 4

    def test_map_override_and_show_mapping(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "sheet.csv", """
            Deal Size,Opportunity,Company,Where we are,Notes
            "€1.000",Ignored,Acme,Qualified,keep out
            "1,000",Acme deal,Acme,Qualified,keep out
        """)
        mapping = read_mapping(path, ImportOptions(mappings=("Deal Size=value", "Where we are=stage", "notes=-")))
        fields = {c.column: c.field for c in mapping.columns}
        assert fields == {"Deal Size": "value", "Opportunity": "title", "Company": "account",
                          "Where we are": "stage", "Notes": None}
        report = run(session, path, me, mappings=("Deal Size=value", "Where we are=stage"), skip_invalid=True)
        assert [(p.row, p.reason) for p in report.refused] == [
            (2, "value '€1.000' is in EUR; this database keeps amounts in USD")]
        assert stored_deals(db)["Acme deal"]["value"] == 100_000
        bad = run(session, path, me, mappings=("Deal Size=size of deal",))
        assert not bad.ok and "no field 'size_of_deal'" in bad.file_problem
        assert "fields: external_id, title" in bad.file_problem
        missing = run(session, path, me, mappings=("Opportunity=-", "Company=-"))
        assert missing.file_problem.startswith("no column for title or account")
        with pytest.raises(InvalidInput, match="names no column"):
            read_mapping(path, ImportOptions(mappings=("Nope=title",)))

    def test_plain_spreadsheet_with_titles(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "sheet.csv", """
            Name;Organisation;Sales agent;Stage;Value;Created;Close date;Lost reason
            Cancity GTX;Cancity;Moses Frase;Won;€ 1.054,00;20/10/2026;1/11/2026;
            Isdom GTXPro;Isdom;Darcel Schlecht;Engaging;"4 514";25/10/2026;30/12/2026;
            Hatfan basic;Hatfan;Zane Levy;Lost;0;2/11/2026;9/11/2026;Went dark
            Codehow;Codehow;Moses Frase;Prospecting;;;;
        """)
        report = run(session, path, me, stages=("Engaging=Needs analysis", "Prospecting=lead:Attempting"))
        # Semicolons, a euro value in a dollar database, D/M dates inferred from 20/10/2026.
        assert report.date_order == DAY_FIRST
        assert [p.row for p in report.refused] == [2]
        assert "EUR" in report.refused[0].reason
        assert count(db, Deal) == 0
        report = run(session, path, me, skip_invalid=True,
                     stages=("Engaging=Needs analysis", "Prospecting=lead:Attempting"))
        got = stored_deals(db)
        assert set(got) == {"Isdom GTXPro", "Hatfan basic", "Codehow"}
        assert (got["Isdom GTXPro"]["stage"], got["Isdom GTXPro"]["value"]) == ("Needs analysis", 451_400)
        assert got["Isdom GTXPro"]["expected_close"] == date(2026, 12, 30)
        assert (got["Codehow"]["pipeline"], got["Codehow"]["stage"]) == ("lead", "Attempting")
        assert (got["Hatfan basic"]["stage"], got["Hatfan basic"]["lost_reason"]) == ("Lost", "Went dark")
        assert aware(got["Hatfan basic"]["closed_at"]).date() == date(2026, 11, 9)
        assert got["Hatfan basic"]["owner"] == "zane.levy"


# --- dates -------------------------------------------------------------------------------------


AMBIGUOUS = """
title,created,expected close
One,03/04/2026,05/06/2027
Two,2026-01-15,
Three,07/08/2026,
"""


class TestDates:
    def test_an_ambiguous_file_is_refused_naming_its_rows(self, session, db, me, tmp_path):
        report = run(session, csv_file(tmp_path, "d.csv", AMBIGUOUS), me)
        assert not report.ok and report.file_problem
        assert "rows 2, 4" in report.file_problem and "--dayfirst" in report.file_problem
        assert count(db, Deal) == 0

    def test_day_first_and_month_first(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "d.csv", AMBIGUOUS)
        assert run(session, path, me, date_order=DAY_FIRST).ok
        got = stored_deals(db)
        assert aware(got["One"]["created_at"]).date() == date(2026, 4, 3)
        assert got["One"]["expected_close"] == date(2027, 6, 5)
        path2 = csv_file(tmp_path, "m.csv", AMBIGUOUS.replace("One", "Uno").replace("Two", "Dos")
                         .replace("Three", "Tres"))
        assert run(session, path2, me, date_order=MONTH_FIRST).ok
        assert aware(stored_deals(db)["Uno"]["created_at"]).date() == date(2026, 3, 4)

    def test_dates_that_disagree_are_refused(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "d.csv", """
            title,created
            One,25/03/2026
            Two,03/25/2026
        """)
        report = run(session, path, me)
        assert "disagree" in report.file_problem and "row 2" in report.file_problem and "row 3" in report.file_problem
        forced = run(session, path, me, date_order=DAY_FIRST, dry=True)
        assert [(p.row, p.reason) for p in forced.refused] == [
            (3, "created at: '03/25/2026' is not a real date when dates are D/M/YYYY")]

    def test_parse_moment(self):
        assert parse_moment("2026-03-04T10:00:00+02:00", None).at("UTC") == utc(2026, 3, 4, 8)
        assert parse_moment("4 Mar 2026", None).day == date(2026, 3, 4)
        assert parse_moment("March 4, 2026 2:30 PM", None).clock.hour == 14
        assert parse_moment("4.3.2026", MONTH_FIRST).day == date(2026, 3, 4)  # dots are day first
        assert parse_moment("3/4/26", MONTH_FIRST).day == date(2026, 3, 4)
        for bad in ("31/02/2026", "2026-02-30", "2026-13-01", "soon", "12/12/2026 25:00"):
            with pytest.raises(InvalidInput):
                parse_moment(bad, DAY_FIRST)


# --- bad rows ----------------------------------------------------------------------------------


BAD = """
id,title,account,owner,stage,value,created,close date
1,Good one,Acme,Ana Reyes,Qualified,"$1,000",2026-10-01,
2,,Acme,Ana Reyes,Qualified,100,2026-10-01,
3,Unknown stage,Acme,Ana Reyes,Demo booked,100,2026-10-01,
4,Bad value,Acme,Ana Reyes,Qualified,abc,2026-10-01,
5,Impossible date,Acme,Ana Reyes,Qualified,100,2026-02-30,
1,Duplicate id,Acme,Ana Reyes,Qualified,100,2026-10-01,
,No id twice,Globex,Ana Reyes,Qualified,100,2026-10-01,
,No id twice,Globex,Ana Reyes,Proposal,200,2026-10-02,
8,Won without a date,Acme,Ana Reyes,Won,100,2026-10-01,
9,From the future,Acme,Ana Reyes,Qualified,100,2027-01-01,
10,Closed before created,Acme,Ana Reyes,Lost,100,2026-10-01,2026-09-01
11,Negative,Initech,Bob Stone,Qualified,-5,2026-10-01,
"""


class TestBadRows:
    def test_every_bad_row_is_reported_and_a_real_run_writes_nothing(self, session, db, me, tmp_path):
        before = counts(db)
        path = csv_file(tmp_path, "bad.csv", BAD)
        dry = run(session, path, me, dry=True)
        real = run(session, path, me)
        for report in (dry, real):
            reasons = {p.row: p.reason for p in report.refused}
            assert reasons == {
                3: "no title",
                4: "stage 'Demo booked' matches no stage: map it with --stage \"Demo booked=Our Stage\"",
                5: "value 'abc' is not an amount: try 12500, 12,500.00 or $12,500",
                6: "created at: '2026-02-30' is not a real date",
                7: "a duplicate of row 2 (same external id '1')",
                9: "a duplicate of row 8 (same owner, title and account)",
                10: "won but no close date: add a close date column (when it was won)",
                11: "created 2027-01-01 is in the future",
                12: "closed 2026-09-01 before it was created 2026-10-01: pass --created-from close or "
                    "--created-unknown-when-after-close",
                13: "value '-5' is negative: a deal's value is zero or more",
            }
            assert dict(report.unmatched_stages) == {"Demo booked": (4,)}
            assert report.count("deals") == 2 and not report.ok
        assert dry.dry_run and not dry.committed
        assert not real.committed and real.error is None
        assert "Nothing was imported: 10 rows refused. Fix them, or pass --skip-invalid to import the 2 valid rows." \
            in real.lines()
        assert "Dry run: nothing was written." in dry.lines()
        assert counts(db) == before  # no deal, account, rep or event

    def test_skip_invalid_imports_the_valid_rows(self, session, db, me, tmp_path):
        report = run(session, csv_file(tmp_path, "bad.csv", BAD), me, skip_invalid=True)
        assert report.ok and report.committed and len(report.refused) == 10
        assert set(stored_deals(db)) == {"Good one", "No id twice"}
        assert report.new_reps == (("ana.reyes", "Ana Reyes"),)  # not Bob: only a refused row named him
        assert count(db, Rep) == 2

    def test_a_failed_write_rolls_everything_back(self, session, db, me, tmp_path, monkeypatch):
        before = counts(db)
        original = DealImport._history
        calls = []

        def failing(self, planned, lead_first):
            calls.append(planned.title)
            if len(calls) == 3:  # after reps, accounts and contacts went in
                raise ValueError("the disk is full")
            return original(self, planned, lead_first)

        monkeypatch.setattr(DealImport, "_history", failing)
        report = run(session, csv_file(tmp_path, "pipedrive.csv", PIPEDRIVE), me)
        assert not report.committed and not report.ok
        assert report.error == "the disk is full"
        assert "Nothing was imported: the write failed and was rolled back: the disk is full" in report.lines()
        assert counts(db) == before
        monkeypatch.setattr(DealImport, "_history", original)
        assert run(session, csv_file(tmp_path, "pipedrive.csv", PIPEDRIVE), me).committed

    def test_unreadable_files(self, session, me, tmp_path):
        with pytest.raises(UnreadableFile, match="no such file"):
            run(session, tmp_path / "missing.csv", me)
        latin = tmp_path / "latin.csv"
        latin.write_bytes("title\nCaf\xe9 deal\n".encode("cp1252"))
        with pytest.raises(UnreadableFile, match=r"not UTF-8 text \(byte 0xe9 on line 2\).*--encoding"):
            run(session, latin, me)
        assert run(session, latin, me, encoding="cp1252").count("deals") == 1
        workbook = tmp_path / "deals.xlsx"
        workbook.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
        with pytest.raises(UnreadableFile, match="spreadsheet workbook"):
            run(session, workbook, me)
        empty = tmp_path / "empty.csv"
        empty.write_bytes(codecs.BOM_UTF8 + b"\r\n")
        with pytest.raises(UnreadableFile, match="is empty"):
            run(session, empty, me)
        with pytest.raises(UnreadableFile, match="not valid JSON"):
            run(session, csv_file(tmp_path, "x.json", "[{"), me)


# --- re-importing ------------------------------------------------------------------------------


class TestReimport:
    def test_the_same_file_twice_creates_no_duplicates(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "pipedrive.csv", PIPEDRIVE)
        first = run(session, path, me)
        after_first = counts(db)
        second = run(session, path, me)
        assert second.ok and not second.committed and second.count("deals") == 0
        assert sorted(p.row for p in second.skipped) == [2, 3, 4, 5]
        assert "already in the database, unchanged (same external id)" in {p.reason for p in second.skipped}
        assert counts(db) == after_first
        assert first.count("deals") == 3

    def test_rows_without_ids_get_a_stable_key(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "plain.csv", """
            title,account,owner,value
            Acme rollout,Acme,Ana Reyes,100
            Acme rollout,Acme,Bob Stone,100
            Acme rollout,,Ana Reyes,100
        """)
        assert run(session, path, me).count("deals") == 3
        keys = {(d["owner"], d["account"]): d["external_id"] for d in _all_deals(db)}
        assert keys[("ana.reyes", "Acme")] == stable_key("ana.reyes", "Acme rollout", "Acme")
        assert len(set(keys.values())) == 3
        again = run(session, path, me)
        assert again.ok and again.count("deals") == 0 and len(again.skipped) == 3
        assert count(db, Deal) == 3

    def test_a_deal_typed_in_by_hand_is_recognised(self, session, db, me, tmp_path):
        deals.create_opportunity(session, deals.DealFields(title="Acme rollout", account="Acme"), by=me.id)
        path = csv_file(tmp_path, "plain.csv", "title,account,owner\nAcme rollout,acme,alex\n")
        report = run(session, path, me)
        assert report.skipped[0].reason == "already in the database, unchanged (same owner, title and account)"
        assert count(db, Deal) == 1


def _all_deals(db):
    return list(stored_deals_by_id(db).values())


def stored_deals_by_id(db) -> dict[int, dict]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(Deal.__table__, Rep.handle.label("owner"), Account.name.label("account"))
            .join(Rep, Rep.id == Deal.owner_id)
            .outerjoin(Account, Account.id == Deal.account_id)
        ).mappings().all()
    return {row["id"]: dict(row) for row in rows}


# --- history -----------------------------------------------------------------------------------


class TestHistory:
    def test_imported_deals_have_a_true_history(self, session, db, me, tmp_path):
        run(session, csv_file(tmp_path, "pipedrive.csv", PIPEDRIVE), me)
        got = stored_deals(db)
        globex = got["Globex renewal"]
        history = events.history(session, globex["id"])
        assert [(e.kind, e.rep_name, e.at) for e in history] == [
            ("created", "Alex Kim", utc(2026, 9, 15, 8)),
            ("won", "Alex Kim", utc(2026, 11, 2, 10)),
        ]
        assert history[0].data["to_stage"] == "Negotiation" and history[0].data["imported"] == "pipedrive.csv"
        assert globex["version"] == 2
        lines = [e.headline for e in timeline.deal_timeline(session, globex["id"])]
        assert lines == ["Won · $5,000", "Created as an opportunity in Negotiation · $5,000"]
        lost = events.history(session, got["Initech pilot"]["id"])
        assert [e.kind for e in lost] == ["created", "lost"] and lost[1].data["reason"] == "Price"
        # Imported won deals behave like any other: reopening goes back to the stage it was won from.
        reopened = deals.reopen(session, globex["id"], version=2, by=me.id)
        assert (reopened.stage_name, reopened.closed_at) == ("Negotiation", None)
        assert undo.undo_last(session, globex["id"], version=3, by=me.id).deal.stage_name == "Won"

    def test_a_converted_opportunity_starts_as_a_lead(self, session, db, me, tmp_path):
        path = csv_file(tmp_path, "c.csv", """
            title,pipeline,stage,created_at,converted_at
            Converted,opportunity,Proposal,2026-09-01T10:00:00Z,2026-09-20T10:00:00Z
        """)
        assert run(session, path, me).ok
        deal = stored_deals(db)["Converted"]
        assert aware(deal["converted_at"]) == utc(2026, 9, 20, 10) == aware(deal["stage_entered_at"])
        history = events.history(session, deal["id"])
        assert [(e.kind, e.data.get("pipeline") or e.data["after"]["pipeline"]) for e in history] == [
            ("created", "lead"), ("converted", "opportunity")]
        assert history[1].data["to_stage"] == "Proposal" and deal["version"] == 2


# --- work on deals -----------------------------------------------------------------------------


@pytest.fixture
def two_deals(session, me, tmp_path):
    path = csv_file(tmp_path, "deals.csv", """
        id,title,account,owner
        D-1,Acme rollout,Acme,alex
        D-2,Globex renewal,Globex,alex
        D-3,Globex renewal,Globex East,alex
    """)
    assert run(session, path, me).committed
    return {d.title + (d.account_name or ""): d for d in deals.list_deals(session)}


class TestActivities:
    FILE = """
        Deal ID,Deal,Organization,Activity - Type,Date,Duration,Subject,Assigned to user,Milestone
        D-1,,,Phone call,2026-11-02 10:00,0:25,Called Jo: interested,Ana Reyes,
        ,Acme rollout,Acme,Meeting,2026-11-05 14:00,1h,First meeting,alex,1st meeting
        ,Globex renewal,Globex,email,2026-11-06 09:00,,Sent pricing,alex,
        ,Globex renewal,,email,2026-11-06 09:00,,Which Globex?,alex,
        D-9,,,call,2026-11-06 09:00,,Unknown deal,alex,
        D-1,,,Lunch,2026-12-01 12:00,,Future lunch,alex,
        D-1,,,Fax,2026-11-01 12:00,,A fax,alex,
        D-1,,,call,2026-11-02 10:00,25,Called Jo: interested,Ana Reyes,
    """

    def test_activities_link_and_update_their_deal(self, session, db, me, tmp_path, two_deals):
        path = csv_file(tmp_path, "activities.csv", self.FILE)
        report = run(session, path, me, kind="activities", skip_invalid=True)
        assert {p.row: p.reason for p in report.refused} == {
            5: "2 deals are called 'Globex renewal': give the deal's external id",
            6: "no deal has external id 'D-9'",
            7: "occurred 2026-12-01 is in the future: an activity is what happened; plan it as a task",
            8: "activity type 'Fax' is none of call, email, meeting, demo, proposal, other",
            9: "a duplicate of row 2",
        }
        assert report.count("activities") == 3 and report.new_reps == (("ana.reyes", "Ana Reyes"),)
        acme = deals.get_deal(session, two_deals["Acme rolloutAcme"].id)
        assert (acme.milestone, acme.last_activity_at) == ("rapport", utc(2026, 11, 5, 14))
        logged = activities.deal_activities(session, acme.id)
        assert [(a.type, a.duration_min, a.rep_name, a.outcome) for a in logged] == [
            ("meeting", 60, "Alex Kim", "First meeting"),
            ("call", 25, "Ana Reyes", "Called Jo: interested"),
        ]
        assert count(db, DealEvent, DealEvent.kind == "activity_logged") == 3
        assert_rollups_match(session)
        again = run(session, path, me, kind="activities", skip_invalid=True)
        assert again.count("activities") == 0 and len(again.skipped) == 3
        assert count(db, Activity) == 3

    def test_a_refused_activity_file_writes_nothing(self, session, db, me, tmp_path, two_deals):
        before = counts(db)
        report = run(session, csv_file(tmp_path, "activities.csv", self.FILE), me, kind="activities")
        assert not report.ok and counts(db) == before


class TestTasksAndNotes:
    def test_tasks(self, session, db, me, tmp_path, two_deals):
        path = csv_file(tmp_path, "tasks.csv", """
            deal_external_id,Subject,Due date,Status,Owner,Completed at
            D-1,Send the proposal,2026-11-20,open,alex,
            D-1,Call Jo back,2026-11-10,done,Ana Reyes,2026-11-10 15:00
            D-2,Check in,2026-11-25,completed,alex,
            D-2,,2026-11-25,open,alex,
            D-2,No due day,,open,alex,
        """)
        report = run(session, path, me, kind="tasks", skip_invalid=True)
        assert {p.row: p.reason for p in report.refused} == {5: "no title", 6: "no due day: a task needs one"}
        assert (report.count("tasks"), report.count("open"), report.count("done")) == (3, 1, 2)
        with db.engine.connect() as connection:
            rows = connection.execute(select(Task.title, Task.due, Task.done_at, Rep.handle)
                                      .join(Rep, Rep.id == Task.owner_id).order_by(Task.id)).all()
        assert [(t, d, aware(done), h) for t, d, done, h in rows] == [
            ("Send the proposal", date(2026, 11, 20), None, "alex"),
            ("Call Jo back", date(2026, 11, 10), utc(2026, 11, 10, 15), "ana.reyes"),
            ("Check in", date(2026, 11, 25), utc(2026, 11, 18, 14, 30), "alex"),  # done, due later: done now
        ]
        assert count(db, DealEvent, DealEvent.kind == "task_added") == 3
        assert count(db, DealEvent, DealEvent.kind == "task_done") == 2
        assert run(session, path, me, kind="tasks", skip_invalid=True).count("tasks") == 0
        assert_next_due_match(session)
        assert count(db, Task) == 3

    def test_notes(self, session, db, me, tmp_path, two_deals):
        long_line = "x" * 130
        path = csv_file(tmp_path, "notes.csv", f"""
            Deal,Organization,Note - Content,Note - Add time,Author
            Acme rollout,Acme,"Pilot approved
            Jo signs Friday",2026-11-12 10:00,alex
            Acme rollout,Acme,{long_line},2026-11-12 10:00,alex
            Acme rollout,Acme,,2026-11-12 10:00,alex
        """)
        report = run(session, path, me, kind="notes", skip_invalid=True)
        assert [p.row for p in report.refused] == [3, 4]  # rows as a spreadsheet counts them
        assert "keep it under 120" in report.refused[0].reason and report.refused[1].reason == "the note is empty"
        with db.engine.connect() as connection:
            body, created = connection.execute(select(Note.body, Note.created_at)).one()
        assert body == "Pilot approved\nJo signs Friday" and aware(created) == utc(2026, 11, 12, 10)
        summary = session.execute(select(DealEvent.data).where(DealEvent.kind == "note_added")).scalar_one()
        assert summary["summary"] == "Pilot approved"
        assert run(session, path, me, kind="notes", skip_invalid=True).count("notes") == 0


# --- progress and speed ------------------------------------------------------------------------


def test_progress_is_reported_for_big_files(session, db, me, tmp_path):
    lines = ["id,title,account,value,created"] + [
        f"{i},Deal {i},Account {i % 500},{i * 10},2026-10-{1 + i % 28:02d}" for i in range(PROGRESS_MIN + 500)
    ]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    report = import_file(session, path, by=me.id, progress=lambda *a: seen.append(a))
    assert report.committed and report.count("deals") == PROGRESS_MIN + 500
    labels = {label for label, _, _ in seen}
    assert labels == {"checking deals", "writing deals"}
    assert seen[-1] == ("writing deals", PROGRESS_MIN + 500, PROGRESS_MIN + 500)
    assert count(db, Deal) == PROGRESS_MIN + 500 and count(db, Account) == 500
    assert count(db, DealEvent) == PROGRESS_MIN + 500
    # The store still works on what was bulk-inserted (ids, sequences).
    made = deals.create_opportunity(session, deals.DealFields(title="After the import"), by=me.id)
    assert made.id == PROGRESS_MIN + 501


# --- pieces without a database -----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, expected",
    [
        (["Deal - Title", "Deal - Value", "Deal - Organization", "Deal - Owner", "Deal - Stage", "Deal - Won time",
          "Deal - Lost time", "Deal - Expected close date", "Deal - Deal created", "Deal - Lost reason"],
         ["title", "value", "account", "owner", "stage", "closed_at", "closed_at", "expected_close", "created_at",
          "lost_reason"]),
        (["Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner", "Associated Company",
          "Closed Lost Reason", "Record ID"],
         ["title", "stage", "value", "close_date", "created_at", "owner", "account", "lost_reason", "external_id"]),
        (["Opportunity Name", "Account Name", "Opportunity Owner", "Stage", "Amount", "Close Date", "Created Date",
          "Lead Source", "Opportunity ID"],
         ["title", "account", "owner", "stage", "value", "close_date", "created_at", "source", "external_id"]),
        (["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
          "close_value"],
         ["external_id", "owner", "product", "account", "stage", "engaged_at", "close_date", "value"]),
        (["TITLE", "Company Name", "SALES REP", "probability", "Expected Revenue"],
         ["title", "account", "owner", "probability", None]),
        (["Id", "AccountId", "OwnerId", "Name", "StageName", "Probability", "CreatedDate", "LastActivityDate"],
         ["external_id", "account_id", "owner_id", "title", "stage", "probability", "created_at", "last_activity"]),
    ],
)
def test_columns_are_recognised(headers, expected):
    assert [recognise("deals", h)[0] for h in headers] == expected


def test_mapping_prefers_the_first_column_and_says_so():
    mapping = build_mapping("deals", ["Deal - Won time", "Deal - Lost time", "Title"],
                          parse_overrides("deals", []))
    assert mapping.fields["closed_at"] == (0, 1)
    assert "used when 'Deal - Won time' is empty" in mapping.columns[1].note


@pytest.mark.parametrize(
    "text, cents",
    [("12500", 1_250_000), ("$12,500.00", 1_250_000), ("USD 1,000", 100_000), ("12.5k", 1_250_000),
     ("1 250 000", 125_000_000), ("1.250.000", 125_000_000), ("1,50", 150), ("", 0), ("$0", 0),
     ("US$ 99.99", 9_999), ("12,500.5", 1_250_050)],
)
def test_amounts(text, cents):
    assert parse_amount(text, "USD") == cents


@pytest.mark.parametrize("text", ["abc", "-5", "(100)", "12.345", "€12", "1,2345", "12k3", "$"])
def test_amounts_refused(text):
    with pytest.raises(InvalidInput):
        parse_amount(text, "USD")


def test_small_parsers():
    assert parse_amount("12.500,50 €", "EUR") == 1_250_050
    assert [parse_duration(t) for t in ("45", "1:30", "01:30:00", "1h", "1h 30m", "45 min", "")] == [
        45, 90, 90, 60, 90, 45, None]
    assert derive_handle("Ana Réyes") == "ana.reyes" and derive_handle("jo.park@acme.test") == "jo.park"
