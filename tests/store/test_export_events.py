"""Moving between two Legwork databases loses no history.

Build two deals' history with the store's own functions (create, stage moves, a value
change, won, reopened, an undo, a conversion, lost; notes, activities, tasks done and
open; several reps), export every kind, import them into an empty database, and find
the same timelines (kinds, times, actors, texts) and the same numbers for a past
period. The import runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date

import pendulum
import pytest
from sqlalchemy import select

from store import activities, deals, events, exporter, notes, reps, tasks, timeline, undo
from store.db import open_database
from store.deals import DealFields
from store.importer import ImportOptions, import_file
from store.models import Activity, Deal, DealEvent, Rep, Task
from store.numbers import team_numbers
from store.periods import Period
from tests.store.open_editing import allow_open_editing

ORDER = ("deals", "activities", "tasks", "notes", "events")


def at(day: int, hour: int = 10, minute: int = 0, month: int = 10):
    return pendulum.datetime(2026, month, day, hour, minute, 0, 123456, tz="UTC")


def build_history(session) -> dict[str, int]:
    """Two deals with everything a timeline can hold. Returns the deals' ids by title."""
    allow_open_editing(session)  # three reps work each other's deals, as a small team may
    with pendulum.travel_to(at(1), freeze=True):
        ana = reps.create_rep(session, "ana", "Ana Reyes")
        bob = reps.create_rep(session, "bob", "Bob Stone")
        max_ = reps.create_rep(session, "max", "Max Manager", role="manager")
    with pendulum.travel_to(at(2), freeze=True):
        fleet = deals.create_opportunity(session, DealFields(title="Acme fleet", account="Acme", value=1_200_000,
                                                             owner_id=ana.id), by=ana.id)
    with pendulum.travel_to(at(3, 9), freeze=True):
        fleet = deals.move_deal(session, fleet.id, 1, version=fleet.version, by=ana.id)
        activities.log_activity(session, fleet.id, "call", by=ana.id, occurred_at=at(3, 8, 30),
                                outcome="Intro call with Jo", duration_min=20)
    with pendulum.travel_to(at(5, 11), freeze=True):
        fleet = deals.edit_deal(session, fleet.id, DealFields(value=1_500_000), version=fleet.version, by=max_.id)
        notes.add_note(session, fleet.id, "Budget confirmed\nJo signs off up to 15k", by=max_.id)
    with pendulum.travel_to(at(6, 15), freeze=True):
        task = tasks.add_task(session, fleet.id, "Send the proposal", date(2026, 10, 8), by=ana.id)
    with pendulum.travel_to(at(8, 9), freeze=True):
        tasks.complete_task(session, task.id, by=ana.id)
        activities.log_activity(session, fleet.id, "meeting", by=bob.id, occurred_at=at(8, 8),
                                milestone="rapport", outcome="Demo of the pilot")
    with pendulum.travel_to(at(12, 16), freeze=True):
        fleet = deals.mark_won(session, fleet.id, version=deals.get_deal(session, fleet.id).version, by=ana.id)
    with pendulum.travel_to(at(14, 10), freeze=True):
        fleet = deals.reopen(session, fleet.id, version=fleet.version, by=max_.id)
    with pendulum.travel_to(at(15, 10), freeze=True):
        fleet = deals.move_deal(session, fleet.id, -1, version=fleet.version, by=ana.id)
    with pendulum.travel_to(at(15, 10, 5), freeze=True):
        undo.undo_last(session, fleet.id, version=deals.get_deal(session, fleet.id).version, by=ana.id)
        tasks.add_task(session, fleet.id, "Book the signing", date(2026, 11, 30), by=ana.id)
    # A lead that became an opportunity and was lost.
    with pendulum.travel_to(at(4, 9), freeze=True):
        pilot = deals.create_lead(session, DealFields(title="Globex pilot", account="Globex", owner_id=bob.id),
                                  by=bob.id)
    with pendulum.travel_to(at(9, 9), freeze=True):
        pilot = deals.convert_lead(session, pilot.id, version=pilot.version, by=bob.id)
        activities.log_activity(session, pilot.id, "email", by=bob.id, occurred_at=at(9, 8), outcome="Sent pricing")
    with pendulum.travel_to(at(20, 17), freeze=True):
        deals.mark_lost(session, pilot.id, "No budget", version=pilot.version, by=bob.id)
        notes.add_note(session, pilot.id, "Lost on budget; revisit in Q2", by=bob.id)
    return {"Acme fleet": fleet.id, "Globex pilot": pilot.id}


def entries(session, deal_id: int) -> list[tuple]:
    """A timeline as what a rep reads: no ids (they differ between databases)."""
    return [
        (e.kind, e.at, e.who, e.headline, e.detail, e.task_due, e.task_done_at, e.event_kind, e.activity_type,
         e.milestone)
        for e in timeline.deal_timeline(session, deal_id, today=date(2026, 11, 18))
    ]


def numbers(session) -> dict:
    period = Period("month", pendulum.date(2026, 10, 1), pendulum.date(2026, 11, 1), "UTC")
    table = team_numbers(session, period)
    return {row.handle: {k: (f.value, f.previous) for k, f in row.figures.items()}
            for row in (table.team, *table.reps)}


def export_all(session, directory, fmt: str) -> dict[str, object]:
    paths = {}
    for what in ORDER:
        path = directory / f"{what}.{fmt}"
        with path.open("w", newline="", encoding="utf-8") as out:
            exporter.export(session, what, out, fmt=fmt)
        paths[what] = path
    return paths


def import_all(session, paths, by: int) -> dict:
    reports = {}
    for what in ORDER:
        report = import_file(session, paths[what], by=by, options=ImportOptions(kind=what))
        assert report.ok, report.lines()
        reports[what] = report
    return reports


def deal_ids(session) -> dict[str, int]:
    return dict(session.execute(select(Deal.title, Deal.id)).all())


@pytest.fixture
def source(tmp_path, sqlite_template):
    path = tmp_path / "source.db"
    shutil.copy(sqlite_template, path)
    database = open_database(str(path))
    yield database
    database.dispose()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_move_between_databases_keeps_every_timeline_and_number(source, db, session, tmp_path, fmt):
    with source.session() as old:
        ids = build_history(old)
        before = {title: entries(old, deal_id) for title, deal_id in ids.items()}
        before_numbers = numbers(old)
        paths = export_all(old, tmp_path, fmt)
    with pendulum.travel_to(pendulum.datetime(2026, 11, 18, 14, 30, tz="UTC"), freeze=True):
        ivy = reps.create_rep(session, "ivy", "Ivy Porter", role="manager")  # an import may add the reps it names
        reports = import_all(session, paths, ivy.id)
        assert reports["events"].committed, reports["events"].lines()
        assert any("replaced by the original history" in line for line in reports["events"].lines())
        moved = deal_ids(session)
        after = {title: entries(session, moved[title]) for title in ids}
        for title in ids:
            assert after[title] == before[title], title
        got_numbers = numbers(session)
        # One new row here, with no numbers of its own: Max, a manager in the old database (roles
        # do not travel: the notes import makes him a rep, so he gets a row). Ivy, who imported,
        # is a manager here (an import that adds reps is a manager's): managers have no row.
        assert set(got_numbers) - set(before_numbers) == {"max"}, sorted(got_numbers, key=str)
        for handle in ("max",):
            assert not any(value or previous for value, previous in got_numbers.pop(handle).values())
        assert got_numbers == before_numbers
        # The rows keep who did them and when: tasks their creator, activities when they were logged.
        creators = dict(session.execute(select(Task.title, Rep.handle).join(Rep, Rep.id == Task.created_by_id)).all())
        assert creators == {"Send the proposal": "ana", "Book the signing": "ana"}
        logged = sorted(pendulum.instance(v).in_tz("UTC") if v.tzinfo else pendulum.instance(v, tz="UTC")
                        for v in session.execute(select(Activity.created_at)).scalars())
        assert logged == [at(3, 9), at(8, 9), at(9, 9)]
        # Nothing the importer did is left in the history: every event is someone's original one.
        assert not session.execute(select(DealEvent.id).where(DealEvent.rep_id == ivy.id)).all()
        # A reopening still finds the stage the deal was won from, by this database's ids.
        fleet = deals.get_deal(session, moved["Acme fleet"])
        assert deals.stage_before_closing(session, fleet.id) is not None

        # A change made here after the move, and its undo, touch only that change: the deal's
        # version continues from its history, so no old event is taken for part of the new write.
        ana = reps.find_rep(session, "ana")
        stage_now = fleet.stage_name
        moved_on = deals.move_deal(session, fleet.id, 1, version=fleet.version, by=ana.id)
        assert moved_on.version > max(e.data.get("version", 0) for e in events.history(session, fleet.id)[:-1])
        undone = undo.undo_last(session, fleet.id, version=moved_on.version, by=ana.id)
        assert undone.deal.stage_name == stage_now and undone.description.count("stage move") == 1
        after["Acme fleet"] = entries(session, moved["Acme fleet"])

        # Importing the history again adds nothing and changes nothing.
        again = import_file(session, paths["events"], by=ivy.id, options=ImportOptions(kind="events"))
        assert again.ok and not again.committed and len(again.skipped) == again.rows, again.lines()
        assert {title: entries(session, moved[title]) for title in ids} == after


def test_an_unknown_actor_is_reported_and_kept_in_the_data(source, db, session, tmp_path):
    with source.session() as old:
        build_history(old)
        paths = export_all(old, tmp_path, "csv")
    # Max only ever changed deals: without the events, this database has never heard of him.
    with pendulum.travel_to(pendulum.datetime(2026, 11, 18, 14, 30, tz="UTC"), freeze=True):
        ivy = reps.create_rep(session, "ivy", "Ivy Porter", role="manager")  # an import may add the reps it names
        for what in ("deals", "activities", "tasks"):
            assert import_file(session, paths[what], by=ivy.id, options=ImportOptions(kind=what)).ok
        report = import_file(session, paths["events"], by=ivy.id, options=ImportOptions(kind="events"))
    text = "\n".join(report.lines())
    assert report.committed, text
    assert "No rep 'max' here: 3 events by them are recorded as yours, with their handle noted" in text
    noted = session.execute(
        select(DealEvent.kind, DealEvent.data).join(Rep, Rep.id == DealEvent.rep_id).where(Rep.handle == "ivy")
    ).all()
    assert sorted((kind, data["actor_handle"]) for kind, data in noted) == [
        (events.NOTE_ADDED, "max"), (events.REOPENED, "max"), (events.VALUE_CHANGED, "max")]

    # Once Max is a rep here, importing the file again gives him his events back.
    reps.create_rep(session, "max", "Max Manager", role="manager", by=ivy.id)
    with pendulum.travel_to(pendulum.datetime(2026, 11, 19, 9, tz="UTC"), freeze=True):
        again = import_file(session, paths["events"], by=ivy.id, options=ImportOptions(kind="events"))
    assert again.committed and again.count("events") == 0, again.lines()
    assert "3 events recorded as the importer's last time go back to their rep, known here now." in again.lines()
    assert not session.execute(select(DealEvent.id).join(Rep, Rep.id == DealEvent.rep_id)
                               .where(Rep.handle == "ivy")).all()
    mine = session.execute(select(DealEvent.kind, DealEvent.data).join(Rep, Rep.id == DealEvent.rep_id)
                           .where(Rep.handle == "max")).all()
    assert sorted(kind for kind, _ in mine) == [events.NOTE_ADDED, events.REOPENED, events.VALUE_CHANGED]
    assert not any("actor_handle" in data for _, data in mine)


def test_the_events_export_is_json_data_and_formula_safe(session, tmp_path, frozen):
    ids = build_history(session)
    ana = reps.find_rep(session, "ana")
    fleet = deals.get_deal(session, ids["Acme fleet"])
    deals.edit_deal(session, fleet.id, DealFields(title='=HYPERLINK("http://x","Acme")'), version=fleet.version,
                    by=ana.id)
    out = io.StringIO(newline="")
    count = exporter.export(session, "events", out, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == len(session.execute(select(DealEvent.id)).all())
    assert tuple(rows[0]) == exporter.COLUMNS["events"]
    undone = [r for r in rows if r["kind"] == "undone"]
    assert len(undone) == 1 and undone[0]["undoes_event_id"]
    assert any(r["event_id"] == undone[0]["undoes_event_id"] and r["kind"] == "stage_changed" for r in rows)
    for row in rows:
        assert isinstance(json.loads(row["data"]), dict)
    fleet_rows = [r for r in rows if r["deal_external_id"] == rows[0]["deal_external_id"]]
    # The title a spreadsheet would run is quoted; the JSON data keeps it as stored.
    assert {r["deal_title"] for r in fleet_rows} == {'\'=HYPERLINK("http://x","Acme")'}
    edited = next(r for r in rows if r["kind"] == "details_edited")
    assert json.loads(edited["data"])["after"]["title"] == '=HYPERLINK("http://x","Acme")'
