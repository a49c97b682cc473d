"""Exporting: CSV and JSON that ``legwork import`` reads back, and a rep's calendar.

The round trip: seed a demo team, export deals, activities, tasks and notes,
import them into a new database, and find the same deals (stages, values, owners,
dates), activities, tasks and notes. Runs from SQLite and from PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, datetime, time, timezone

import icalendar
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from store import activities, csv_cells, deals, demo, exporter, notes, reps, tasks
from store.db import open_database
from store.import_fields import build_mapping
from store.exporter import DealFilter, export, export_calendar, looks_like_meeting, meeting_time
from store.importer import ImportOptions, import_file
from store.models import Account, Activity, Contact, Deal, DealEvent, Note, Rep, Stage, Task

UTC = timezone.utc
TODAY = date(2026, 11, 18)  # the day of the ``frozen`` fixture
SMALL = demo.DemoSize(reps=3, leads=30, opportunities=45, history_days=120)


def _utc(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _rows(connection, query) -> list[tuple]:
    return sorted((tuple(_utc(v) for v in row) for row in connection.execute(query)), key=repr)


def snapshot(database) -> dict[str, list[tuple]]:
    """Everything the round trip must keep, without ids (they differ between databases)."""
    owner = aliased(Rep)
    with database.engine.connect() as connection:
        deal_rows = _rows(connection, (
            select(Deal.title, Deal.pipeline, Stage.name, Stage.kind, Deal.value, Account.name, Contact.name,
                   Contact.email, Contact.phone, Contact.job_title, owner.handle, owner.name, Deal.expected_close,
                   Deal.created_at, Deal.stage_entered_at, Deal.converted_at, Deal.closed_at, Deal.lost_reason,
                   Deal.source, Deal.territory, Deal.product, Deal.milestone, Deal.last_activity_at)
            .join(Stage, Stage.id == Deal.stage_id)
            .join(owner, owner.id == Deal.owner_id)
            .outerjoin(Account, Account.id == Deal.account_id)
            .outerjoin(Contact, Contact.id == Deal.contact_id)
        ))

        def work(model, *columns, rep_column):
            return _rows(connection, (
                select(Deal.title, Account.name, *columns, Rep.handle)
                .join(Deal, Deal.id == model.deal_id)
                .outerjoin(Account, Account.id == Deal.account_id)
                .join(Rep, Rep.id == rep_column)
            ))

        events = [
            (title, account, kind, _utc(at), handle, json.dumps(_without_ids(data), sort_keys=True))
            for title, account, kind, at, handle, data in connection.execute(
                select(Deal.title, Account.name, DealEvent.kind, DealEvent.at, Rep.handle, DealEvent.data)
                .join(Deal, Deal.id == DealEvent.deal_id)
                .outerjoin(Account, Account.id == Deal.account_id)
                .outerjoin(Rep, Rep.id == DealEvent.rep_id)
            )
        ]
        return {
            "deals": deal_rows,
            "events": sorted(events, key=repr),
            "activities": work(Activity, Activity.type, Activity.milestone, Activity.occurred_at,
                               Activity.duration_min, Activity.outcome, rep_column=Activity.rep_id),
            "tasks": work(Task, Task.title, Task.due, Task.done_at, Task.created_at, rep_column=Task.owner_id),
            "notes": work(Note, Note.body, Note.created_at, rep_column=Note.rep_id),
        }


def _without_ids(value):
    """Event data as two databases agree on it: ids differ, and an import marks what it recorded."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if not k.endswith("_id") and k != "imported"}
    return value


def export_all(session, directory, fmt: str = "csv") -> dict[str, object]:
    paths = {}
    for what in exporter.WHAT:
        path = directory / f"{what}.{fmt}"
        with path.open("w", newline="", encoding="utf-8") as out:
            export(session, what, out, fmt=fmt)
        paths[what] = path
    return paths


@pytest.fixture
def seeded(session, frozen):
    return demo.populate_demo(session, today=TODAY, size=SMALL)


@pytest.fixture
def empty_copy(tmp_path, sqlite_template):
    path = tmp_path / "copy.db"
    shutil.copy(sqlite_template, path)
    database = open_database(str(path))
    yield database
    database.dispose()


class TestRoundTrip:
    @pytest.mark.parametrize("fmt", ["csv", "json"])
    def test_export_then_import_into_an_empty_database(self, session, db, seeded, tmp_path, empty_copy, fmt):
        original = snapshot(db)
        assert len(original["deals"]) == seeded.deals and len(original["activities"]) == seeded.activities
        assert len(original["tasks"]) == seeded.tasks and len(original["notes"]) == seeded.notes
        paths = export_all(session, tmp_path, fmt)
        with empty_copy.session() as target:
            importer = reps.create_rep(target, "importer", "Ivy Porter", role="manager")
            for what in exporter.WHAT:
                report = import_file(target, paths[what], by=importer.id, options=ImportOptions(kind=what))
                assert report.ok and report.committed and not report.refused and not report.skipped, report.lines()
                assert report.count(what) == len(original[what])
        copied = snapshot(empty_copy)
        for what in exporter.WHAT:
            assert copied[what] == original[what], what
        # Stages and values, counted the way the boards count them.
        with empty_copy.engine.connect() as connection:
            by_stage = dict(connection.execute(
                select(Stage.name, func.sum(Deal.value)).join(Deal, Deal.stage_id == Stage.id).group_by(Stage.name)
            ).all())
        assert sum(by_stage.values()) == sum(row[4] for row in original["deals"])

    def test_importing_an_export_into_its_own_database_adds_nothing(self, session, db, seeded, tmp_path):
        before = {m.__tablename__: _count(db, m) for m in (Deal, Activity, Task, Note, DealEvent, Account, Rep)}
        paths = export_all(session, tmp_path)
        alex = reps.find_rep(session, demo.DEMO_REP)
        for what in exporter.WHAT:
            report = import_file(session, paths[what], by=alex.id, options=ImportOptions(kind=what))
            assert report.ok and report.count(what) == 0 and len(report.skipped) == len(snapshot(db)[what])
        assert {m.__tablename__: _count(db, m) for m in (Deal, Activity, Task, Note, DealEvent, Account, Rep)} == before

    def test_the_columns_are_what_the_import_reads(self, session, seeded, tmp_path):
        paths = export_all(session, tmp_path)
        for what, columns in exporter.COLUMNS.items():
            with paths[what].open(newline="", encoding="utf-8") as fh:
                header = next(csv.reader(fh))
            assert tuple(header) == columns
            # The import reads every exported column as the field of the same name.
            assert all(use.field == use.column for use in build_mapping(what, header).columns), what


def _count(db, model) -> int:
    with db.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model.__table__)).scalar_one()


# --- filters and formats -----------------------------------------------------------------------


@pytest.fixture
def team(session, frozen):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    bob = reps.create_rep(session, "bob", "Bob Stone")
    F = deals.DealFields
    acme = deals.create_opportunity(session, F(title="Acme", account="Acme", value=1_250_050), by=ana.id)
    won = deals.create_opportunity(session, F(title="Globex", value=500_000), by=ana.id)
    won = deals.mark_won(session, won.id, version=won.version, by=ana.id)
    lead = deals.create_lead(session, F(title="Initech"), by=bob.id)
    tasks.add_task(session, acme.id, "Send proposal", date(2026, 11, 20), by=ana.id)
    tasks.add_task(session, lead.id, "Call back", date(2026, 11, 21), by=bob.id)
    return ana, bob, acme, won, lead


def titles(session, what: str, **filters) -> list[str]:
    out = io.StringIO()
    export(session, what, out, deal_filter=DealFilter(**filters))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    return [row["title"] if what == "deals" else row["deal_title"] + ":" + row["title"] for row in rows]


class TestFilters:
    def test_filters(self, session, team):
        ana, bob, *_ = team
        assert titles(session, "deals") == ["Acme", "Globex", "Initech"]
        assert titles(session, "deals", pipeline="lead") == ["Initech"]
        assert titles(session, "deals", owner_id=bob.id) == ["Initech"]
        assert titles(session, "deals", open_only=True) == ["Acme", "Initech"]
        assert titles(session, "deals", open_only=True, pipeline="opportunity", owner_id=ana.id) == ["Acme"]
        assert titles(session, "tasks", pipeline="lead") == ["Initech:Call back"]
        assert exporter.count_rows(session, "tasks", DealFilter(owner_id=ana.id)) == 1

    def test_values_dates_and_json(self, session, team):
        out = io.StringIO()
        assert export(session, "deals", out, fmt="json") == 3
        rows = json.loads(out.getvalue())
        acme = rows[0]
        assert (acme["value"], acme["currency"], acme["stage"], acme["owner_handle"]) == (
            "12500.50", "USD", "Qualified", "ana")
        assert acme["closed_at"] is None and acme["created_at"] == "2026-11-18T14:30:00+00:00"
        assert acme["external_id"].startswith("lw-")
        assert rows[1]["stage"] == "Won" and rows[1]["closed_at"] == "2026-11-18T14:30:00+00:00"
        empty = io.StringIO()
        assert export(session, "notes", empty, fmt="json") == 0 and json.loads(empty.getvalue()) == []


# --- the calendar ------------------------------------------------------------------------------


class TestCalendar:
    def test_open_tasks_and_meetings(self, session, frozen):
        me = reps.create_rep(session, "alex", "Alex Kim", timezone="Europe/Berlin")
        other = reps.create_rep(session, "sam", "Sam Okafor", role="manager")  # may work on alex's deal
        deal = deals.create_opportunity(session, deals.DealFields(title="Acme rollout", account="Acme"), by=me.id)
        plain = tasks.add_task(session, deal.id, "Send proposal to Jo", date(2026, 11, 20), by=me.id)
        meeting = tasks.add_task(session, deal.id, "Discovery meeting with Jo 14:00", date(2026, 11, 24), by=me.id)
        lunch = tasks.add_task(session, deal.id, "Lunch with Jo", date(2026, 11, 25), by=me.id)
        tasks.add_task(session, deal.id, "Book intro meeting with Sam", date(2026, 11, 26), by=me.id)
        done = tasks.add_task(session, deal.id, "Demo for Acme", date(2026, 11, 19), by=me.id)
        tasks.complete_task(session, done.id, by=me.id)
        tasks.add_task(session, deal.id, "Sam's own call", date(2026, 11, 20), by=other.id)
        result = export_calendar(session, me.id)
        assert (result.tasks, result.meetings, result.timed) == (4, 2, 1)
        calendar = icalendar.Calendar.from_ical(result.data)
        assert str(calendar["x-wr-calname"]) == "Legwork — Alex Kim"
        found = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
        assert set(found) == {"Send proposal to Jo", "Discovery meeting with Jo 14:00", "Lunch with Jo",
                              "Book intro meeting with Sam"}
        task = found["Send proposal to Jo"]
        assert task["dtstart"].dt == date(2026, 11, 20) and task["dtend"].dt == date(2026, 11, 21)
        assert [str(c) for c in task["categories"].cats] == ["Legwork", "Task"]
        assert str(task["uid"]) == f"legwork-task-{plain.id}@legwork"
        assert "Acme rollout · Acme" in str(task["description"])
        timed = found["Discovery meeting with Jo 14:00"]
        assert timed["dtstart"].dt == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # 14:00 in Berlin
        assert (timed["dtend"].dt - timed["dtstart"].dt).total_seconds() == 3600
        assert str(timed["uid"]) == f"legwork-task-{meeting.id}@legwork"
        assert [str(c) for c in found["Lunch with Jo"]["categories"].cats] == ["Legwork", "Meeting"]
        assert found["Lunch with Jo"]["dtstart"].dt == date(2026, 11, 25)
        assert str(found["Lunch with Jo"]["uid"]) == f"legwork-task-{lunch.id}@legwork"

    def test_what_reads_like_a_meeting(self):
        assert looks_like_meeting("Discovery meeting with Jo")
        assert looks_like_meeting("Demo for Acme at 2pm") and meeting_time("Demo for Acme at 2pm") == time(14, 0)
        assert meeting_time("QBR 9.30") == time(9, 30) and meeting_time("Lunch with Jo") is None
        for todo in ("Book discovery meeting with Jo", "Prep QBR deck for Acme", "Send the demo recording",
                     "Call Jo at Acme", "Schedule a visit"):
            assert not looks_like_meeting(todo), todo


# --- cells a spreadsheet would run -------------------------------------------------------------

# Text that Excel, LibreOffice or Google Sheets would run as a formula (or that looks like our escape).
HOSTILE = {
    "title": '=HYPERLINK("http://evil.example","click me")',
    "account": "+Acme",
    "contact": "-Jo",
    "contact_phone": "+1 555 0100",
    "source": "@web",
    "territory": "'quoted",
    "product": "'=already quoted",
    "lost_reason": "=cmd|' /C calc'!A0",
    "outcome": "-2+3",
    "task": "@SUM(A1:A9)",
    "note": "=1+1\n+second line\n'third",
    "rep": "=Eve Evil",
}


@pytest.fixture
def hostile(session, frozen):
    eve = reps.create_rep(session, "eve", HOSTILE["rep"])
    F = deals.DealFields
    deal = deals.create_opportunity(session, F(
        title=HOSTILE["title"], account=HOSTILE["account"], contact=HOSTILE["contact"],
        contact_phone=HOSTILE["contact_phone"], value=1_000, source=HOSTILE["source"],
        territory=HOSTILE["territory"], product=HOSTILE["product"]), by=eve.id)
    lost = deals.create_opportunity(session, F(title="''=twice", account="-", value=0), by=eve.id)
    deals.mark_lost(session, lost.id, HOSTILE["lost_reason"], version=lost.version, by=eve.id)
    activities.log_activity(session, deal.id, "call", by=eve.id, outcome=HOSTILE["outcome"])
    tasks.add_task(session, deal.id, HOSTILE["task"], date(2026, 11, 20), by=eve.id)
    notes.add_note(session, deal.id, HOSTILE["note"], by=eve.id)
    return eve, deal


class TestFormulaCells:
    @pytest.mark.parametrize("text, cell", [
        ("=1+1", "'=1+1"), ("+1 555 0100", "'+1 555 0100"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"), ("\rcmd", "'\rcmd"), ("  =1+1", "'  =1+1"), ("\n-1", "'\n-1"),
        ("'=1+1", "''=1+1"), ("''@x", "'''@x"), ("' =x", "'' =x"),
        ("'quoted", "'quoted"), ("'", "'"), ("Acme", "Acme"), ("a=b", "a=b"), ("", ""), ("  ", "  "),
    ])
    def test_escape_and_back(self, text, cell):
        assert csv_cells.escape(text) == cell
        assert csv_cells.unescape(cell) == text

    def test_numbers_and_times_we_write_stay_numbers(self):
        row = {"value": "-12.50", "created_at": "2026-11-18T14:30:00+00:00", "title": "-12.50"}
        assert csv_cells.escape_row(("value", "created_at", "title"), row) == [
            "-12.50", "2026-11-18T14:30:00+00:00", "'-12.50"]

    def test_every_text_cell_is_escaped(self, session, hostile, tmp_path):
        paths = export_all(session, tmp_path)
        for what, path in paths.items():
            with path.open(newline="", encoding="utf-8") as fh:
                records = list(csv.DictReader(fh))
            assert records, what
            for record in records:
                for column, cell in record.items():
                    if column not in csv_cells.FORMATTED:
                        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (what, column, cell)
        with paths["deals"].open(newline="", encoding="utf-8") as fh:
            first, second = list(csv.DictReader(fh))
        assert first["title"] == "'" + HOSTILE["title"] and first["contact_phone"] == "'+1 555 0100"
        assert first["territory"] == "'quoted" and first["product"] == "''=already quoted"
        assert first["owner"] == "'=Eve Evil" and first["value"] == "10.00"
        assert second["title"] == "'''=twice" and second["lost_reason"] == "'" + HOSTILE["lost_reason"]

    def test_json_is_written_as_stored(self, session, hostile):
        out = io.StringIO()
        export(session, "deals", out, fmt="json")
        assert json.loads(out.getvalue())[0]["title"] == HOSTILE["title"]

    def test_export_import_export_is_byte_identical(self, session, db, hostile, tmp_path, empty_copy):
        (tmp_path / "first").mkdir()
        first = export_all(session, tmp_path / "first")
        with empty_copy.session() as target:
            importer = reps.create_rep(target, "importer", "Ivy Porter", role="manager")
            for what in exporter.WHAT:
                report = import_file(target, first[what], by=importer.id, options=ImportOptions(kind=what))
                assert report.ok and report.committed, report.lines()
        # The stored strings are the originals, not their escaped form.
        assert snapshot(empty_copy) == snapshot(db)
        (tmp_path / "second").mkdir()
        with empty_copy.session() as target:
            second = export_all(target, tmp_path / "second")
        for what in exporter.WHAT:
            assert second[what].read_bytes() == first[what].read_bytes(), what

    def test_other_files_keep_their_quotes(self, sqlite_db, tmp_path, frozen):
        """A leading ' in another tool's CSV (or in JSON) is the data: only Legwork's own export is read back."""
        theirs = tmp_path / "pipedrive.csv"
        theirs.write_text("Title,Organization,Value\n'=SUM(A1),'quoted,100\n", encoding="utf-8")
        ours = tmp_path / "deals.csv"
        with ours.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(exporter.COLUMNS["deals"])
            row = dict.fromkeys(exporter.COLUMNS["deals"], "")
            row.update(title="'=SUM(B1)", account="'quoted", value="12", pipeline="opportunity", stage="Qualified")
            writer.writerow(row.values())
        as_json = tmp_path / "deals.json"
        as_json.write_text(json.dumps([{"title": "'=SUM(C1)", "account": "'+x", "value": "5"}]), encoding="utf-8")
        with sqlite_db.session() as session:
            me = reps.create_rep(session, "ana", "Ana Reyes")
            for path in (theirs, ours, as_json):
                report = import_file(session, path, by=me.id)
                assert report.ok and report.committed, report.lines()
            stored = {d.title: d.account_name for d in deals.list_deals(session)}
        assert stored == {"'=SUM(A1)": "'quoted", "=SUM(B1)": "'quoted", "'=SUM(C1)": "'+x"}


def test_a_deals_own_probability_and_unknown_created_date_survive_a_move(session, frozen, tmp_path, empty_copy):
    """A deal imported with its own probability and no created date keeps both through an
    export and an import into another database (not 1970, not the stage's probability)."""
    me = reps.create_rep(session, "ivy", "Ivy Porter", role="manager")
    source = tmp_path / "crm.csv"
    source.write_text("Deal,Stage,Value,Probability\nAcme renewal,Proposal,12000,60\n", encoding="utf-8")
    assert import_file(session, source, by=me.id, options=ImportOptions(kind="deals")).committed
    paths = export_all(session, tmp_path)
    with paths["deals"].open(newline="", encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert (row["probability"], row["created_at"]) == ("60%", "")
    with empty_copy.session() as target:
        other = reps.create_rep(target, "ivy", "Ivy Porter", role="manager")
        assert import_file(target, paths["deals"], by=other.id, options=ImportOptions(kind="deals")).committed
        deal = target.execute(select(Deal)).scalar_one()
        assert (deal.probability, deal.created_known) == (60, False)
