"""Every store write refuses a bad value with InvalidInput and writes nothing, on both backends.

Bad values: a NUL byte (PostgreSQL raises a driver error, SQLite stores it and the export
cannot be read back), control characters (ESC, C1, DEL: they steer a terminal), wrong
Python types (a bool or float where cents or a count is expected, a str where a day is),
implausible dates and strings longer than their column.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlmodel import SQLModel

from store import activities, balance, deals, goals, notes, reps, stages, tasks, validate
from store.errors import InvalidInput
from store.models import OPPORTUNITY

D = deals.DealFields


@pytest.fixture
def world(session, frozen):
    boss = reps.create_rep(session, "boss", "Bo Boss", role="manager")
    deal = deals.create_opportunity(session, D(title="Umbrella", account="Umbrella"), by=boss.id)
    task = tasks.add_task(session, deal.id, "Send pricing", date(2026, 11, 20), by=boss.id)
    stage = stages.list_stages(session, OPPORTUNITY)[0]
    return {"rep": boss.id, "deal": deal.id, "version": deal.version, "task": task.id, "stage": stage.id}


def snapshot(db) -> dict[str, list[str]]:
    """Every row of every table, read on a connection of its own (what was committed)."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in SQLModel.metadata.sorted_tables
        }


def create(**fields):
    return lambda s, w: deals.create_opportunity(s, D(**{"title": "Acme", **fields}), by=w["rep"])


def edit(**fields):
    return lambda s, w: deals.edit_deal(s, w["deal"], D(**fields), version=w["version"], by=w["rep"])


def log(type="call", **given):
    return lambda s, w: activities.log_activity(s, w["deal"], type, by=w["rep"], **given)


NUL, ESC, CSI, DEL = "Acme\x00 Corp", "\x1b[31mAcme", "Acme\x9b2J", "Acme\x7f"

CASES = {
    # deals
    "deal title NUL": create(title=NUL),
    "deal title ESC": create(title=ESC),
    "deal title C1": create(title=CSI),
    "deal title a number": create(title=12),
    "deal account NUL": create(account=NUL),
    "deal contact DEL": create(contact=DEL),
    "deal contact email NUL": create(contact="Jo", contact_email="jo\x00@acme.test"),
    "deal source ESC": create(source=ESC),
    "deal value a bool": create(value=True),
    "deal value a float": create(value=12.5),
    "deal value a str": create(value="100"),
    "deal close a str": create(expected_close="2026-12-01"),
    "deal close year 1": create(expected_close=date(1, 1, 1)),
    "deal close year 9999": create(expected_close=date(9999, 12, 31)),
    "deal close a datetime": create(expected_close=datetime(2026, 12, 1, tzinfo=timezone.utc)),
    "deal owner a bool": create(owner_id=True),
    "deal external id NUL": lambda s, w: deals.create_deal(s, OPPORTUNITY, D(title="A"), by=w["rep"],
                                                           external_id="x\x00"),
    "deal external id too long": lambda s, w: deals.create_deal(s, OPPORTUNITY, D(title="A"), by=w["rep"],
                                                                external_id="x" * 201),
    "account name NUL": lambda s, w: deals.find_or_create_account(s, NUL),
    "account name too long": lambda s, w: deals.find_or_create_account(s, "a" * 201),
    "edit title NUL": edit(title=NUL),
    "edit territory C1": edit(territory=CSI),
    "edit product a number": edit(product=7),
    "edit value a bool": edit(value=False),
    "edit close a str": edit(expected_close="2026-12-01"),
    "edit deal id a str": lambda s, w: deals.edit_deal(s, str(w["deal"]), D(title="B"), version=w["version"],
                                                       by=w["rep"]),
    "lost reason NUL": lambda s, w: deals.mark_lost(s, w["deal"], NUL, version=w["version"], by=w["rep"]),
    "lost reason ESC": lambda s, w: deals.mark_lost(s, w["deal"], ESC, version=w["version"], by=w["rep"]),
    "lost reason a number": lambda s, w: deals.mark_lost(s, w["deal"], 3, version=w["version"], by=w["rep"]),
    "move deal id a str": lambda s, w: deals.move_deal(s, "1; drop", 1, version=w["version"], by=w["rep"]),
    # tasks
    "task title NUL": lambda s, w: tasks.add_task(s, w["deal"], NUL, date(2026, 11, 20), by=w["rep"]),
    "task title ESC": lambda s, w: tasks.add_task(s, w["deal"], ESC, date(2026, 11, 20), by=w["rep"]),
    "task title a number": lambda s, w: tasks.add_task(s, w["deal"], 12, date(2026, 11, 20), by=w["rep"]),
    "task due a str": lambda s, w: tasks.add_task(s, w["deal"], "Call", "2026-11-20", by=w["rep"]),
    "task due year 9999": lambda s, w: tasks.add_task(s, w["deal"], "Call", date(9999, 12, 31), by=w["rep"]),
    "task deal id a str": lambda s, w: tasks.add_task(s, "x", "Call", date(2026, 11, 20), by=w["rep"]),
    "reschedule due a str": lambda s, w: tasks.reschedule_task(s, w["task"], "2026-11-21", by=w["rep"]),
    "move task due a str": lambda s, w: balance.move_task(s, w["task"], "2026-11-21", by=w["rep"]),
    "move task due year 1": lambda s, w: balance.move_task(s, w["task"], date(1, 1, 1), by=w["rep"]),
    # notes
    "note NUL": lambda s, w: notes.add_note(s, w["deal"], "Met Jo\x00\nmore", by=w["rep"]),
    "note ESC": lambda s, w: notes.add_note(s, w["deal"], "Met Jo\n\x1b]0;pwned\x07", by=w["rep"]),
    "note C1": lambda s, w: notes.add_note(s, w["deal"], CSI, by=w["rep"]),
    "note a number": lambda s, w: notes.add_note(s, w["deal"], 12, by=w["rep"]),
    "note 100,001 characters": lambda s, w: notes.add_note(s, w["deal"], "Met Jo\n" + "x" * 100_000, by=w["rep"]),
    # activities
    "activity outcome NUL": log(outcome=NUL),
    "activity outcome ESC": log(outcome=ESC),
    "activity outcome a number": log(outcome=5),
    "activity type a list": log(type=["call"]),
    "activity when a str": log(occurred_at="2026-11-18"),
    "activity when year 1": log(occurred_at=datetime(1, 1, 1, tzinfo=timezone.utc)),
    "activity duration a bool": log(duration_min=True),
    "activity duration a float": log(duration_min=30.5),
    "activity follow-up title NUL": log(follow_up=(NUL, date(2026, 11, 20))),
    "activity follow-up due a str": log(follow_up=("Call", "2026-11-20")),
    # goals
    "goal a bool": lambda s, w: goals.set_goals(s, w["rep"], "week", {"activity:call": True}, by=w["rep"]),
    "goal a float": lambda s, w: goals.set_goals(s, w["rep"], "week", {"activity:call": 2.5}, by=w["rep"]),
    # reps
    "rep name NUL": lambda s, w: reps.create_rep(s, "jo", NUL),
    "rep name ESC": lambda s, w: reps.create_rep(s, "jo", ESC),
    "rep handle a number": lambda s, w: reps.create_rep(s, 12, "Jo"),
    "rep email NUL": lambda s, w: reps.create_rep(s, "jo", "Jo", email="jo\x00@x.test"),
    "rep timezone NUL": lambda s, w: reps.create_rep(s, "jo", "Jo", timezone="UTC\x00"),
    "rep capacity a bool": lambda s, w: reps.create_rep(s, "jo", "Jo", capacity=True),
    "rep capacity a float": lambda s, w: reps.create_rep(s, "jo", "Jo", capacity=12.0),
    "rep working days bools": lambda s, w: reps.create_rep(s, "jo", "Jo", working_days=(True, 2)),
    "rep update capacity a bool": lambda s, w: reps.update_rep(s, w["rep"], capacity=True),
    # stages
    "stage name NUL": lambda s, w: stages.update_stage(s, w["stage"], name=NUL),
    "stage name ESC": lambda s, w: stages.update_stage(s, w["stage"], name=ESC),
    "stage probability a bool": lambda s, w: stages.update_stage(s, w["stage"], probability=True),
    "stage rot days past a column": lambda s, w: stages.update_stage(s, w["stage"], rot_days=10**12),
    "lost reason label NUL": lambda s, w: stages.set_lost_reasons(s, OPPORTUNITY, ["Price", NUL]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_value_is_refused_and_nothing_is_written(case, session, db, world):
    before = snapshot(db)
    with pytest.raises(InvalidInput) as refused:
        CASES[case](session, world)
    message = str(refused.value)
    assert "\n" not in message and "\x00" not in message and "\x1b" not in message
    session.rollback()
    assert snapshot(db) == before


def test_tab_and_new_lines_are_kept_in_a_note(session, db, world):
    note = notes.add_note(session, world["deal"], "Met Jo\n\tagreed on price\r\nnext: legal", by=world["rep"])
    assert notes.deal_notes(session, world["deal"])[0].body == note.body == "Met Jo\n\tagreed on price\r\nnext: legal"


def test_strip_controls_is_the_same_rule():
    assert validate.strip_controls("A\x1b[31mB\x9b\x7f\x00C\tD\nE") == ("A[31mBC\tD\nE", 4)
    for bad in ("\x00", "\x1b", "\x7f", "\x85", "\x9f", "\x0b"):
        with pytest.raises(InvalidInput):
            validate.text(f"a{bad}b", "title")
    assert validate.text("a\tb\nc\r\nd é ✓", "title") == "a\tb\nc\r\nd é ✓"
