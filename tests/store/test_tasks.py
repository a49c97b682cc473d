"""Tasks and capacity: what to do next, and days that do not pile up.

The frozen now is Wednesday 2026-11-18 14:30 UTC.
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from sqlmodel import select

from store import deals, events, reps, tasks
from store.errors import InvalidInput, NotFound, RuleViolation
from store.models import DealEvent, Task
from tests.store.conftest import tick

WED, THU, FRI, SAT, SUN, MON, TUE = (date(2026, 11, d) for d in range(18, 25))


def task_rows(db):
    with db.engine.connect() as connection:
        return connection.execute(select(Task.__table__).order_by(Task.id)).mappings().all()


def event_kinds(db) -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.execute(select(DealEvent.kind).order_by(DealEvent.id)).scalars())


def fill(session, rep, deal_id: int, day: date, n: int, *, done_at=None) -> None:
    """Put ``n`` tasks on a day in one go (capacity tests need many)."""
    now = pendulum.now("UTC")
    session.add_all(
        Task(deal_id=deal_id, owner_id=rep.id, title=f"task {i}", due=day, done_at=done_at, created_at=now)
        for i in range(n)
    )
    session.commit()


@pytest.fixture
def bob(session, frozen):
    return reps.create_rep(session, "bob", "Bob Stone", capacity=2)


@pytest.fixture
def deal(session, ana):
    return deals.create_lead(session, deals.DealFields(title="Acme rollout"), by=ana.id)


# --- writes --------------------------------------------------------------------------------------


def test_adding_a_task_stores_it_and_records_an_event(session, db, ana, deal, frozen):
    info = tasks.add_task(session, deal.id, "  Send   pricing ", FRI, by=ana.id)
    [row] = task_rows(db)
    assert row["title"] == "Send pricing" and row["due"] == FRI
    assert row["owner_id"] == ana.id and row["created_by_id"] == ana.id
    assert row["done_at"] is None and row["created_at"] == frozen
    assert info.id == row["id"] and info.deal_title == "Acme rollout" and info.is_open
    event = events.history(session, deal.id)[-1]
    assert event.kind == events.TASK_ADDED and event.rep_id == ana.id and event.at == frozen
    assert event.data == {"task_id": info.id, "title": "Send pricing", "due": "2026-11-20"}


def test_a_task_can_be_given_to_another_rep(session, db, ana, bob, deal):
    # Giving work to someone else is their manager's (store.permissions).
    max_ = reps.create_rep(session, "max", "Max Lind", role="manager")
    tasks.add_task(session, deal.id, "Call the CFO", THU, by=max_.id, owner_id=bob.id)
    [row] = task_rows(db)
    assert row["owner_id"] == bob.id and row["created_by_id"] == max_.id


@pytest.mark.parametrize("title", ["", "   ", "x" * 301])
def test_a_task_needs_a_short_title(session, db, ana, deal, title):
    with pytest.raises(InvalidInput, match="title"):
        tasks.add_task(session, deal.id, title, FRI, by=ana.id)
    assert task_rows(db) == []


def test_a_task_needs_a_due_day(session, db, ana, deal):
    with pytest.raises(InvalidInput, match="due"):
        tasks.add_task(session, deal.id, "Call", None, by=ana.id)
    assert task_rows(db) == []


def test_a_task_on_an_unknown_deal_or_for_an_unknown_rep(session, db, ana, deal):
    with pytest.raises(NotFound):
        tasks.add_task(session, 999, "Call", FRI, by=ana.id)
    with pytest.raises(NotFound):
        tasks.add_task(session, deal.id, "Call", FRI, by=ana.id, owner_id=999)
    assert task_rows(db) == []
    assert event_kinds(db) == ["created"]


def test_completing_a_task(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call", FRI, by=ana.id)
    now = tick(30)
    done = tasks.complete_task(session, task.id, by=ana.id)
    [row] = task_rows(db)
    assert row["done_at"] == now and done.done_at == now and not done.is_open
    assert event_kinds(db)[-1] == events.TASK_DONE
    with pytest.raises(RuleViolation, match="already done"):
        tasks.complete_task(session, task.id, by=ana.id)
    assert task_rows(db)[0]["done_at"] == now
    assert event_kinds(db).count(events.TASK_DONE) == 1


def test_reopening_a_task(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call", FRI, by=ana.id)
    with pytest.raises(RuleViolation, match="not done"):
        tasks.reopen_task(session, task.id, by=ana.id)
    tasks.complete_task(session, task.id, by=ana.id)
    reopened = tasks.reopen_task(session, task.id, by=ana.id)
    assert task_rows(db)[0]["done_at"] is None and reopened.is_open
    assert event_kinds(db)[-2:] == [events.TASK_DONE, events.TASK_REOPENED]


def test_rescheduling_a_task(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call", FRI, by=ana.id)
    tasks.reschedule_task(session, task.id, MON, by=ana.id)
    assert task_rows(db)[0]["due"] == MON
    event = events.history(session, deal.id)[-1]
    assert event.kind == events.TASK_RESCHEDULED
    assert event.data["from"] == "2026-11-20" and event.data["to"] == "2026-11-23"


def test_rescheduling_to_the_same_day_records_nothing(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call", FRI, by=ana.id)
    tasks.reschedule_task(session, task.id, FRI, by=ana.id)
    assert event_kinds(db) == ["created", events.TASK_ADDED]


def test_a_done_task_is_not_rescheduled(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call", FRI, by=ana.id)
    tasks.complete_task(session, task.id, by=ana.id)
    with pytest.raises(RuleViolation, match="done"):
        tasks.reschedule_task(session, task.id, MON, by=ana.id)
    assert task_rows(db)[0]["due"] == FRI


def test_unknown_tasks_are_not_found(session, ana):
    for call in (
        lambda: tasks.complete_task(session, 999, by=ana.id),
        lambda: tasks.reopen_task(session, 999, by=ana.id),
        lambda: tasks.reschedule_task(session, 999, FRI, by=ana.id),
        lambda: tasks.get_task(session, 999),
    ):
        with pytest.raises(NotFound):
            call()


def test_deal_tasks_open_soonest_first_then_done_latest_first(session, ana, deal):
    later = tasks.add_task(session, deal.id, "Later", MON, by=ana.id)
    soon = tasks.add_task(session, deal.id, "Soon", THU, by=ana.id)
    first_done = tasks.add_task(session, deal.id, "Done first", WED, by=ana.id)
    last_done = tasks.add_task(session, deal.id, "Done last", WED, by=ana.id)
    tasks.complete_task(session, first_done.id, by=ana.id)
    tick(5)
    tasks.complete_task(session, last_done.id, by=ana.id)
    assert [t.id for t in tasks.deal_tasks(session, deal.id)] == [soon.id, later.id, last_done.id, first_done.id]
    assert tasks.next_open_task(session, deal.id).id == soon.id
    assert tasks.open_task_count(session, deal.id) == 2
    assert tasks.get_task(session, soon.id).title == "Soon"


def test_a_deal_without_open_tasks(session, ana, deal):
    assert tasks.next_open_task(session, deal.id) is None
    assert tasks.open_task_count(session, deal.id) == 0


# --- capacity ------------------------------------------------------------------------------------


def test_day_loads_count_each_reps_open_tasks_per_day(session, ana, bob, deal):
    fill(session, ana, deal.id, THU, 3)
    fill(session, ana, deal.id, FRI, 1)
    fill(session, bob, deal.id, THU, 5)
    fill(session, ana, deal.id, date(2026, 12, 1), 2)  # outside the range
    assert tasks.day_loads(session, ana, WED, MON) == {THU: 3, FRI: 1}
    assert tasks.day_loads(session, bob, WED, MON) == {THU: 5}


def test_a_day_load_counts_tasks_done_that_day_but_not_those_done_before_it(session, ana, deal, frozen):
    fill(session, ana, deal.id, THU, 2)
    fill(session, ana, deal.id, THU, 1, done_at=frozen)  # done early, on Wednesday
    fill(session, ana, deal.id, WED, 1, done_at=frozen)  # done on its day: still part of the day's work
    assert tasks.day_loads(session, ana, WED, FRI) == {WED: 1, THU: 2}


def test_done_before_the_day_began_is_judged_in_the_reps_timezone(session, deal, frozen):
    ny = reps.create_rep(session, "nina", "Nina Ford", timezone="America/New_York")  # UTC-5 in November
    # 04:00 UTC Wednesday is 23:00 Tuesday in New York: done before Wednesday began.
    fill(session, ny, deal.id, WED, 1, done_at=pendulum.datetime(2026, 11, 18, 4, 0, tz="UTC"))
    # 06:00 UTC Wednesday is 01:00 Wednesday in New York: done on the day.
    fill(session, ny, deal.id, WED, 1, done_at=pendulum.datetime(2026, 11, 18, 6, 0, tz="UTC"))
    assert tasks.day_loads(session, ny, WED, WED) == {WED: 1}


def test_load_on_a_day(session, ana, deal):
    fill(session, ana, deal.id, THU, 9)
    load = tasks.load_on(session, ana, THU)
    assert (load.day, load.load, load.capacity) == (THU, 9, 12)
    assert load.has_room
    assert load.label == "Thu: 9 of 12"
    empty = tasks.load_on(session, ana, FRI)
    assert empty.load == 0 and empty.label == "Fri: 0 of 12"


def test_capacity_warns_but_never_refuses(session, db, ana, deal):
    fill(session, ana, deal.id, THU, 12)
    assert not tasks.load_on(session, ana, THU).has_room
    tasks.add_task(session, deal.id, "One more", THU, by=ana.id)
    assert tasks.load_on(session, ana, THU).load == 13
    assert len(task_rows(db)) == 13


def test_next_day_with_room_is_today_when_today_has_room(session, ana, deal):
    fill(session, ana, deal.id, WED, 11)
    day = tasks.next_day_with_room(session, ana)
    assert (day.day, day.load) == (WED, 11)


def test_next_day_with_room_skips_full_days(session, ana, deal):
    fill(session, ana, deal.id, WED, 12)
    fill(session, ana, deal.id, THU, 15)
    assert tasks.next_day_with_room(session, ana).day == FRI


def test_next_day_with_room_skips_the_weekend(session, ana, deal):
    for day in (WED, THU, FRI):
        fill(session, ana, deal.id, day, 12)
    found = tasks.next_day_with_room(session, ana)
    assert found.day == MON and found.load == 0


def test_next_day_with_room_starting_on_a_weekend(session, ana, deal):
    assert tasks.next_day_with_room(session, ana, SAT).day == MON
    assert tasks.next_day_with_room(session, ana, SUN).day == MON


def test_next_day_with_room_can_exclude_a_day(session, ana, deal):
    """Snoozing a task looks past the day it is on."""
    assert tasks.next_day_with_room(session, ana, WED, exclude=WED).day == THU
    assert tasks.next_day_with_room(session, ana, FRI, exclude=FRI).day == MON


def test_next_day_with_room_follows_custom_working_days_and_capacity(session, deal):
    # Works Tuesdays, Thursdays and Saturdays, two tasks a day.
    pat = reps.create_rep(session, "pat", "Pat Lee", capacity=2, working_days=(2, 4, 6))
    assert tasks.next_day_with_room(session, pat).day == THU
    fill(session, pat, deal.id, THU, 2)
    assert tasks.next_day_with_room(session, pat).day == SAT
    fill(session, pat, deal.id, SAT, 1)
    assert tasks.next_day_with_room(session, pat).day == SAT
    fill(session, pat, deal.id, SAT, 1)
    assert tasks.next_day_with_room(session, pat).day == TUE
    assert not tasks.is_working_day(pat, MON) and tasks.is_working_day(pat, TUE)


def test_today_is_the_reps_today(session, deal):
    # Wednesday 14:30 UTC is already Thursday 03:30 in Auckland (UTC+13 in November).
    kiri = reps.create_rep(session, "kiri", "Kiri Ngata", timezone="Pacific/Auckland")
    assert tasks.next_day_with_room(session, kiri).day == THU


def test_today_is_the_reps_today_behind_utc(session):
    with pendulum.travel_to(pendulum.datetime(2026, 11, 18, 2, 0, tz="UTC"), freeze=True):
        # 02:00 UTC Wednesday is 18:00 Tuesday in Los Angeles.
        lou = reps.create_rep(session, "lou", "Lou Park", timezone="America/Los_Angeles")
        utc = reps.create_rep(session, "uma", "Uma Tan")
        assert tasks.next_day_with_room(session, lou).day == date(2026, 11, 17)
        assert tasks.next_day_with_room(session, utc).day == WED


def test_no_room_for_a_year_is_a_rule_violation(session, deal):
    # One task a day, Wednesdays only: fill every Wednesday for the next year and more.
    wes = reps.create_rep(session, "wes", "Wes Hall", capacity=1, working_days=(3,))
    day = pendulum.date(2026, 11, 18)
    now = pendulum.now("UTC")
    while day <= pendulum.date(2027, 11, 30):
        session.add(Task(deal_id=deal.id, owner_id=wes.id, title="w", due=day, created_at=now))
        day = day.add(weeks=1)
    session.commit()
    with pytest.raises(RuleViolation, match="Wes Hall"):
        tasks.next_day_with_room(session, wes)
