"""A Salesforce export keeps its meaning: Task.csv rows become activities when they happened,
open tasks when they did not, and rows about an account or contact are put on the account's
only open deal or reported, never silently mislabelled. Both backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from store import reps
from store.importer import ImportOptions, import_file
from store.models import Activity, Deal, DealEvent, Rep, Task

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "salesforce_tasks"  # an Opportunity.csv its Task.csv points at


def _import(session, name: str, kind: str, rep, **options):
    return import_file(session, FIXTURES / name, by=rep.id, options=ImportOptions(kind=kind, **options))


def _work(db):
    with db.engine.connect() as connection:
        titles = dict(connection.execute(select(Deal.id, Deal.external_id)).all())
        activities = sorted(
            (titles[deal], type_, outcome)
            for deal, type_, outcome in connection.execute(select(Activity.deal_id, Activity.type, Activity.outcome))
        )
        tasks = sorted(
            (titles[deal], title, due, done_at)
            for deal, title, due, done_at in connection.execute(
                select(Task.deal_id, Task.title, Task.due, Task.done_at))
        )
        events = connection.execute(select(DealEvent.kind)).scalars().all()
    return activities, tasks, events


OPP1, OPP2, OPP3, OPP4 = (f"0065g00000Opp0{n}AAA" for n in (1, 2, 3, 4))


def test_task_csv_keeps_kinds_open_work_and_what_it_is_about(session, db, frozen):
    me = reps.create_rep(session, "ivy", "Ivy Porter", role="manager")  # an import may add the reps it names
    deals = _import(session, "Opportunity.csv", "deals", me, owner_map=(f"0055g00000Usr01AAA={me.handle}",))
    assert deals.ok and deals.committed, deals.lines()

    report = _import(session, "Task.csv", "activities", me)
    lines = "\n".join(report.lines())
    assert report.ok and report.committed and not report.refused, lines
    activities, tasks, events = _work(db)
    assert activities == sorted([
        (OPP1, "call", "Intro call with Jo"),
        (OPP1, "meeting", "Discovery meeting"),  # TaskSubtype "Task", Type__c "Meeting"
        (OPP1, "email", "Emailed the account team"),  # about Acme: Acme's only open deal
        (OPP4, "demo", "Support tooling demo"),
        (OPP1, "email", "Sent the proposal deck"),
    ])
    assert tasks == sorted([
        (OPP2, "Send pilot pricing", date(2026, 11, 25), None),  # Not Started
        (OPP2, "Prepare pilot plan", date(2026, 11, 20), None),  # In Progress
        (OPP2, "Chase legal review", date(2026, 11, 18), None),  # Deferred, no date: due today
        (OPP3, "Renewal terms from procurement", date(2026, 11, 24), None),  # Waiting on someone else
    ])
    assert events.count("activity_logged") == 5 and events.count("task_added") == 4
    # In plain words, grouped with counts and rows.
    assert ("3 rows are about an account, a contact or a lead, not a deal (1 account; 1 contact; 1 lead): "
            "Legwork keeps activities on deals, so they were left out; rows 7, 8, 9.") in lines
    assert "1 row about an account was put on the account's only open deal (1 deal): row 6." in lines
    assert "4 rows not done yet" in lines and "rows 4, 5, 11, 13" in lines
    assert "row 11 had no date and is due today" in lines

    again = _import(session, "Task.csv", "activities", me)
    assert again.ok and not again.committed and len(again.skipped) == 9, again.lines()
    assert _work(db)[:2] == (activities, tasks)


def test_an_unknown_status_is_refused_in_words(session, db, frozen, tmp_path):
    me = reps.create_rep(session, "ivy", "Ivy Porter", role="manager")  # an import may add the reps it names
    assert _import(session, "Opportunity.csv", "deals", me, owner_map=(f"0055g00000Usr01AAA={me.handle}",)).ok
    path = tmp_path / "Task.csv"
    path.write_text("WhatId,Subject,ActivityDate,Status,Type\n"
                    f"{OPP1},Call Jo,2026-11-02,Maybe later,Call\n", encoding="utf-8")
    report = import_file(session, path, by=me.id, options=ImportOptions(kind="activities"))
    assert not report.ok
    assert "status 'Maybe later' says neither done (Completed) nor still to do" in report.refused[0].reason


def test_status_words_as_other_crms_write_them():
    from store.import_work import is_done

    assert [is_done(t) for t in ("Completed", "COMPLETED", "Not Started", "NOT_STARTED", "in-progress",
                                 "Waiting on someone else", "Deferred", "true", "false", "", None)] == [
        True, True, False, False, False, False, False, True, False, None, None]


def test_a_salesforce_report_export_names_deals_and_accounts_by_name(session, db, frozen, tmp_path):
    # The "Tasks and Events" report: names, not ids.
    me = reps.create_rep(session, "ivy", "Ivy Porter", role="manager")  # an import may add the reps it names
    assert _import(session, "Opportunity.csv", "deals", me, owner_map=(f"0055g00000Usr01AAA={me.handle}",)).ok
    path = tmp_path / "report.csv"
    path.write_text(
        "Assigned,Subject,Date,Status,Activity Type,Company / Account,Opportunity\n"
        "Ana Reyes,Walkthrough,2026-11-02,Completed,Meeting,Acme Corp,Acme Corp - Fleet\n"
        "Ana Reyes,Account review,2026-11-03,Completed,Call,Acme Corp,\n"
        "Ana Reyes,Send the deck,2026-11-26,Not Started,Email,Globex,Globex - Pilot\n",
        encoding="utf-8",
    )
    report = import_file(session, path, by=me.id, options=ImportOptions(kind="activities"))
    assert report.ok and report.committed, report.lines()
    activities, tasks, _events = _work(db)
    assert activities == [(OPP1, "call", "Account review"), (OPP1, "meeting", "Walkthrough")]
    assert tasks == [(OPP2, "Send the deck", date(2026, 11, 26), None)]
    with db.engine.connect() as connection:
        owners = set(connection.execute(select(Rep.handle).join(Activity, Activity.rep_id == Rep.id)).scalars())
    assert owners == {"ana.reyes"}
