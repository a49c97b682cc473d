"""Derived data stays equal to what it is derived from, whatever writes it: the
activity rollups, and each deal's next task day.

The clock is frozen at Wed 2026-11-18 14:30 UTC. Tokyo is UTC+9 all year, so a
moment after 15:00 UTC falls on the next day there.
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from sqlalchemy import text
from sqlmodel import select

from store import activities, balance, changes, deals, drilldown, migrations, numbers, reps, rollups, settings, tasks, undo
from store.db import open_database
from store.models import Deal, Setting
from store.periods import QUARTER, WEEK
from tests.store.rollup_check import assert_next_due_match, assert_rollups_match, day_rows, milestone_rows


def utc(*args) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


def log(session, deal_id, rep_id, type_, when, milestone=None):
    return activities.log_activity(session, deal_id, type_, by=rep_id, occurred_at=when, milestone=milestone)


def test_logged_activities_are_counted_by_day_in_the_team_timezone(session, db, ana, lead):
    settings.set_team_timezone(session, "Asia/Tokyo")
    log(session, lead.id, ana.id, "call", utc(2026, 11, 17, 14, 30), "nurture")  # Tue 17 23:30 in Tokyo
    log(session, lead.id, ana.id, "call", utc(2026, 11, 17, 15, 30))  # Wed 18 00:30 in Tokyo
    log(session, lead.id, ana.id, "call", utc(2026, 11, 18, 14, 0))  # Wed 18 23:00 in Tokyo
    log(session, lead.id, ana.id, "meeting", utc(2026, 11, 18, 10, 0), "rapport")  # Wed 18 19:00
    assert day_rows(db) == {
        (date(2026, 11, 17), ana.id, "call", "nurture"): 1,
        (date(2026, 11, 18), ana.id, "call", ""): 2,
        (date(2026, 11, 18), ana.id, "meeting", "rapport"): 1,
    }
    assert milestone_rows(db) == {
        (lead.id, "nurture"): utc(2026, 11, 17, 14, 30),
        (lead.id, "rapport"): utc(2026, 11, 18, 10, 0),
    }
    assert_rollups_match(session)


def test_an_earlier_activity_moves_when_the_milestone_was_first_reached(session, db, ana, lead):
    log(session, lead.id, ana.id, "call", utc(2026, 11, 16, 9), "nurture")
    log(session, lead.id, ana.id, "email", utc(2026, 11, 10, 9), "nurture")
    log(session, lead.id, ana.id, "call", utc(2026, 11, 17, 9), "nurture")
    assert milestone_rows(db) == {(lead.id, "nurture"): utc(2026, 11, 10, 9)}
    assert day_rows(db)[(date(2026, 11, 16), ana.id, "call", "nurture")] == 1


def test_undoing_an_activity_takes_it_out_of_both_rollups(session, db, ana, lead):
    log(session, lead.id, ana.id, "call", utc(2026, 11, 16, 9), "nurture")
    log(session, lead.id, ana.id, "call", utc(2026, 11, 16, 11), "nurture")
    log(session, lead.id, ana.id, "meeting", utc(2026, 11, 17, 10), "rapport")
    version = deals.get_deal(session, lead.id).version
    undo.undo_last(session, lead.id, version=version, by=ana.id)  # the meeting
    assert day_rows(db) == {(date(2026, 11, 16), ana.id, "call", "nurture"): 2}
    assert milestone_rows(db) == {(lead.id, "nurture"): utc(2026, 11, 16, 9)}
    undo.undo_last(session, lead.id, version=deals.get_deal(session, lead.id).version, by=ana.id)  # the 11:00 call
    assert day_rows(db) == {(date(2026, 11, 16), ana.id, "call", "nurture"): 1}
    assert_rollups_match(session)


def test_a_new_team_timezone_counts_the_days_again(session, db, ana, lead):
    log(session, lead.id, ana.id, "call", utc(2026, 11, 17, 14, 30))
    log(session, lead.id, ana.id, "call", utc(2026, 11, 17, 15, 30))
    assert day_rows(db) == {(date(2026, 11, 17), ana.id, "call", ""): 2}
    settings.set_team_timezone(session, "Asia/Tokyo")
    assert day_rows(db) == {(date(2026, 11, 17), ana.id, "call", ""): 1, (date(2026, 11, 18), ana.id, "call", ""): 1}
    assert rollups.is_current(session, "Asia/Tokyo")


def test_an_unknown_team_timezone_is_refused_and_changes_nothing(session, db, ana, lead):
    from store.errors import InvalidInput

    log(session, lead.id, ana.id, "call", utc(2026, 11, 17, 15, 30))
    with pytest.raises(InvalidInput, match="not a timezone"):
        settings.set_team_timezone(session, "Mars/Olympus_Mons")
    assert settings.team_timezone(session) == "UTC" and rollups.is_current(session, "UTC")
    assert day_rows(db) == {(date(2026, 11, 17), ana.id, "call", ""): 1}


def test_a_rollup_without_its_timezone_is_counted_again_before_the_next_activity(session, db, ana, lead):
    log(session, lead.id, ana.id, "call", utc(2026, 11, 16, 9))
    session.execute(text("DELETE FROM setting WHERE key = 'activity_day_tz'"))
    session.execute(text("DELETE FROM activity_day"))
    session.commit()
    log(session, lead.id, ana.id, "call", utc(2026, 11, 17, 9))
    assert day_rows(db) == {(date(2026, 11, 16), ana.id, "call", ""): 1, (date(2026, 11, 17), ana.id, "call", ""): 1}
    assert rollups.is_current(session, "UTC")
    session.execute(text("DELETE FROM setting WHERE key = 'activity_day_tz'"))
    session.commit()
    undo.undo_last(session, lead.id, version=deals.get_deal(session, lead.id).version, by=ana.id)
    assert day_rows(db) == {(date(2026, 11, 16), ana.id, "call", ""): 1}


def test_numbers_read_the_rollup_only_while_it_counts_in_the_team_timezone(session, db, ana, lead):
    """Proof that the rollup is what the table reads: a row written past it is
    seen only once the rollup no longer matches the team's timezone."""
    log(session, lead.id, ana.id, "call", utc(2026, 11, 17, 9))
    session.execute(
        text(
            "INSERT INTO activity (deal_id, rep_id, type, occurred_at, outcome, created_at) "
            "VALUES (:deal, :rep, 'email', :at, '', :at)"
        ),
        {"deal": lead.id, "rep": ana.id, "at": "2026-11-17 10:00:00"},
    )
    session.commit()
    week = numbers.team_period(session, WEEK)
    assert numbers.team_numbers(session, week, spark=0).team["activities"].value == 1
    session.merge(Setting(key="timezone", value="Asia/Tokyo"))  # changed behind the store's back
    session.commit()
    week = numbers.team_period(session, WEEK)
    assert not rollups.is_current(session, week.tz)
    assert numbers.team_numbers(session, week, spark=0).team["activities"].value == 2


def test_both_ways_of_reading_give_the_same_numbers(session, db, frozen):
    """The demo team over two quarters: the rollup and the activity table agree
    on every figure, every sparkline and every drill-down week."""
    from store import demo

    demo.populate_demo(session, seed=3, today=frozen.date(), size=demo.DemoSize(reps=3, leads=20, opportunities=30))
    session.commit()
    assert_rollups_match(session)
    for kind in (WEEK, QUARTER):
        period = numbers.team_period(session, kind)
        fast = numbers.team_numbers(session, period)
        fast_drill = drilldown.rep_drilldown(session, period, None)
        session.execute(text("DELETE FROM setting WHERE key = 'activity_day_tz'"))
        assert not rollups.is_current(session, period.tz)
        assert numbers.team_numbers(session, period) == fast
        assert drilldown.rep_drilldown(session, period, None).weeks == fast_drill.weeks
        assert fast.team["activities"].value > 0
        session.rollback()


def test_a_database_from_before_the_rollups_gets_them_on_open(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_database(url, migrate=False).engine
    migrations.upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text("UPDATE setting SET value = 'Asia/Tokyo' WHERE key = 'timezone'"))
        connection.execute(
            text(
                "INSERT INTO rep (id, handle, name, role, timezone, capacity, working_days, active, created_at) "
                "VALUES (1, 'ana', 'Ana', 'rep', 'UTC', 12, '12345', 1, '2026-01-05 09:00:00')"
            )
        )
        stage = connection.execute(text("SELECT id FROM stage WHERE pipeline = 'lead' ORDER BY position")).scalar()
        connection.execute(
            text(
                "INSERT INTO deal (id, pipeline, stage_id, title, owner_id, value, created_at, stage_entered_at, "
                "updated_at, version) VALUES (1, 'lead', :stage, 'Old', 1, 0, :t, :t, :t, 1)"
            ),
            {"stage": stage, "t": "2026-01-05 09:00:00"},
        )
        for moment, type_, milestone in (
            ("2026-01-05 14:00:00", "call", "nurture"),  # Mon 5 23:00 in Tokyo
            ("2026-01-05 16:00:00", "call", None),  # Tue 6 01:00 in Tokyo
            ("2026-01-06 02:00:00", "call", None),  # Tue 6 11:00 in Tokyo
        ):
            connection.execute(
                text(
                    "INSERT INTO activity (deal_id, rep_id, type, milestone, occurred_at, outcome, created_at) "
                    "VALUES (1, 1, :type, :milestone, :at, '', :at)"
                ),
                {"type": type_, "milestone": milestone, "at": moment},
            )
    engine.dispose()
    heard = []
    database = open_database(url, announce=heard.append)
    try:
        assert heard == [f"upgrading the database from schema 0002 to {migrations.HEAD}, once"]
        assert day_rows(database) == {
            (date(2026, 1, 5), 1, "call", "nurture"): 1,
            (date(2026, 1, 6), 1, "call", ""): 2,
        }
        assert milestone_rows(database) == {(1, "nurture"): utc(2026, 1, 5, 14)}
        with database.session() as session:
            assert rollups.is_current(session, "Asia/Tokyo")
    finally:
        database.dispose()


# --- deal.next_task_due ----------------------------------------------------------------------


def test_next_task_day_follows_every_task_write(session, ana, lead):
    def stored():
        return session.exec(select(Deal.next_task_due).where(Deal.id == lead.id)).one()

    assert stored() is None
    later = tasks.add_task(session, lead.id, "Send the deck", date(2026, 11, 25), by=ana.id)
    assert stored() == date(2026, 11, 25)
    sooner = tasks.add_task(session, lead.id, "Call back", date(2026, 11, 20), by=ana.id)
    assert stored() == date(2026, 11, 20)
    tasks.complete_task(session, sooner.id, by=ana.id)
    assert stored() == date(2026, 11, 25)
    tasks.reopen_task(session, sooner.id, by=ana.id)
    assert stored() == date(2026, 11, 20)
    tasks.reschedule_task(session, sooner.id, date(2026, 11, 30), by=ana.id)
    assert stored() == date(2026, 11, 25)
    balance.move_task(session, later.id, date(2026, 12, 2), by=ana.id)
    assert stored() == date(2026, 11, 30)
    undo.undo_last(session, lead.id, version=deals.get_deal(session, lead.id).version, by=ana.id)  # the move
    assert stored() == date(2026, 11, 25)
    tasks.complete_task(session, later.id, by=ana.id)
    tasks.complete_task(session, sooner.id, by=ana.id)
    assert stored() is None
    assert_next_due_match(session)


def test_a_follow_up_logged_with_an_activity_is_the_next_step(session, ana, lead):
    activities.log_activity(session, lead.id, "call", by=ana.id, follow_up=("Send pricing", date(2026, 11, 23)))
    assert session.exec(select(Deal.next_task_due).where(Deal.id == lead.id)).one() == date(2026, 11, 23)


def test_undoing_a_new_task_forgets_its_day(session, ana, lead):
    tasks.add_task(session, lead.id, "Call back", date(2026, 11, 20), by=ana.id)
    undo.undo_last(session, lead.id, version=deals.get_deal(session, lead.id).version, by=ana.id)
    assert session.exec(select(Deal.next_task_due).where(Deal.id == lead.id)).one() is None


def test_balancing_keeps_next_task_days(session, ana, lead):
    for i in range(16):  # 16 tasks on one day, capacity 12: four move
        tasks.add_task(session, lead.id, f"Call {i}", date(2026, 11, 19), by=ana.id)
    tasks.add_task(session, lead.id, "Late", date(2026, 11, 16), by=ana.id)
    plan = balance.balance_plan(session, reps.get_rep(session, ana.id))
    assert balance.apply_balance(session, plan, by=ana.id) == 5
    assert session.exec(select(Deal.next_task_due).where(Deal.id == lead.id)).one() > date(2026, 11, 16)
    assert_next_due_match(session)


def test_two_reps_adding_tasks_at_once_both_count(db, session, ana, lead):
    """On PostgreSQL the second writer's UPDATE must see the first's task (READ
    COMMITTED re-reads only the updated row, not its subquery): store.tx.lock_rows."""
    import threading

    if not db.url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers")
    with db.session() as first:
        tasks.insert_task(first, lead.id, "Call Monday", date(2026, 11, 23), by=ana.id)  # not committed yet
        done = threading.Event()

        def second_rep():
            with db.session() as second:
                tasks.add_task(second, lead.id, "Email Tuesday", date(2026, 11, 24), by=ana.id)
            done.set()

        thread = threading.Thread(target=second_rep)
        thread.start()
        assert not done.wait(0.5)  # waits for the first transaction's lock on the deal
        first.commit()
        thread.join(10)
    assert done.is_set()
    session.expire_all()
    assert session.exec(select(Deal.next_task_due).where(Deal.id == lead.id)).one() == date(2026, 11, 23)
    assert_next_due_match(session)


def test_two_reps_logging_at_once_both_count(db, session, ana, lead):
    import threading

    if not db.url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers")
    with db.session() as first:
        first.begin()
        # What log_activity does inside its transaction, stopped before the commit.
        from store.models import Activity

        first.add(Activity(deal_id=lead.id, rep_id=ana.id, type="meeting", milestone="proposal",
                           occurred_at=utc(2026, 11, 18, 9), outcome="", created_at=utc(2026, 11, 18, 9)))
        first.flush()
        activities.refresh_deal_activity(first, lead.id)
        done = threading.Event()

        def second_rep():
            with db.session() as second:
                log(second, lead.id, ana.id, "email", utc(2026, 11, 18, 8), "nurture")
            done.set()

        thread = threading.Thread(target=second_rep)
        thread.start()
        assert not done.wait(0.5)
        first.commit()
        thread.join(10)
    assert done.is_set()
    deal = deals.get_deal(session, lead.id)
    assert (deal.milestone, deal.last_activity_at) == ("proposal", utc(2026, 11, 18, 9))



def test_a_change_token_tells_whether_only_one_deal_changed(session, ana, lead):
    other = deals.create_lead(session, deals.DealFields(title="Globex"), by=ana.id)
    before = changes.change_token(session)
    deals.move_deal(session, lead.id, 1, version=deals.get_deal(session, lead.id).version, by=ana.id)
    assert changes.changed_only_by(session, before, changes.change_token(session), lead.id)
    assert not changes.changed_only_by(session, before, changes.change_token(session), other.id)
    deals.move_deal(session, other.id, 1, version=deals.get_deal(session, other.id).version, by=ana.id)
    assert not changes.changed_only_by(session, before, changes.change_token(session), lead.id)  # someone else's move meanwhile
    before = changes.change_token(session)
    tasks.add_task(session, lead.id, "Call", date(2026, 11, 20), by=ana.id)
    assert not changes.changed_only_by(session, before, changes.change_token(session), lead.id)  # a new task row: read everything
