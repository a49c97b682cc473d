"""Today: the queue, capacity, snoozing and balancing.

The frozen now is Wednesday 2026-11-18 14:30 UTC (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from store import activities, balance, deals, events, reps, tasks, today, workweek
from store.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from store.models import Task
from store.tasks import DayLoad
from tests.store.conftest import event_count

MON0, TUE0 = date(2026, 11, 16), date(2026, 11, 17)
WED, THU, FRI, SAT, SUN, MON, TUE = (date(2026, 11, d) for d in range(18, 25))
WED2 = date(2026, 11, 25)


def fill(session, rep, deal_id: int, day: date, n: int, *, done_at=None, title="task") -> list[int]:
    """Put ``n`` tasks on a day in one go; their ids, oldest first."""
    now = pendulum.now("UTC")
    rows = [
        Task(deal_id=deal_id, owner_id=rep.id, title=f"{title} {i}", due=day, done_at=done_at, created_at=now)
        for i in range(n)
    ]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


def task_rows(db) -> dict[int, tuple[date, object]]:
    with db.engine.connect() as connection:
        return {r.id: (r.due, r.done_at) for r in connection.execute(select(Task.__table__).order_by(Task.id))}


@pytest.fixture
def deal(session, ana):
    return deals.create_opportunity(session, deals.DealFields(title="Acme rollout", account="Acme"), by=ana.id)


# --- the queue -----------------------------------------------------------------------------------


def test_three_sections_on_the_reps_day(session, ana, deal):
    ids = {}
    for day, title in ((MON0, "oldest"), (TUE0, "late"), (WED, "now"), (THU, "thu"), (SAT, "sat"), (MON, "mon")):
        ids[title] = tasks.add_task(session, deal.id, title, day, by=ana.id).id
    tasks.add_task(session, deal.id, "far", date(2026, 12, 10), by=ana.id)
    tasks.add_task(session, deal.id, "farther", date(2026, 12, 14), by=ana.id)
    done = tasks.add_task(session, deal.id, "finished", MON0, by=ana.id)
    tasks.complete_task(session, done.id, by=ana.id)

    queue = today.today_queue(session, ana)
    assert queue.today == WED
    assert [(t.title, t.days_late) for t in queue.overdue] == [("oldest", 2), ("late", 1)]
    assert [t.title for t in queue.due_today] == ["now"]
    assert all(t.days_late == 0 for t in queue.due_today)
    # The week strip's days after today (Thu, Fri, Mon, Tue) and Saturday, which has a task.
    assert [(d.day, d.working, [t.title for t in d.tasks]) for d in queue.coming_up] == [
        (THU, True, ["thu"]),
        (FRI, True, []),
        (SAT, False, ["sat"]),
        (MON, True, ["mon"]),
        (TUE, True, []),
    ]
    assert [d.day for d in queue.week] == [WED, THU, FRI, MON, TUE]
    assert (queue.later, queue.next_later) == (2, date(2026, 12, 10))
    assert [t.title for t in queue.tasks] == ["oldest", "late", "now", "thu", "sat", "mon"]
    assert queue.coming_up_count == 3


def test_boundaries_ahead_of_utc(session, deal):
    # Wednesday 14:30 UTC is Thursday 03:30 in Auckland: Wednesday's task is a day late.
    kiri = reps.create_rep(session, "kiri", "Kiri Ngata", timezone="Pacific/Auckland")
    own = deals.create_opportunity(session, deals.DealFields(title="Kiri's deal"), by=kiri.id)
    for day in (WED, THU, FRI):
        tasks.add_task(session, own.id, f"due {day:%a}", day, by=kiri.id)
    queue = today.today_queue(session, kiri)
    assert queue.today == THU
    assert [(t.title, t.days_late) for t in queue.overdue] == [("due Wed", 1)]
    assert [t.title for t in queue.due_today] == ["due Thu"]
    assert [t.title for d in queue.coming_up for t in d.tasks] == ["due Fri"]


def test_boundaries_behind_utc(session, deal):
    with pendulum.travel_to(pendulum.datetime(2026, 11, 18, 2, 0, tz="UTC"), freeze=True):
        # 02:00 UTC Wednesday is 18:00 Tuesday in Los Angeles: Tuesday's task is today's.
        lou = reps.create_rep(session, "lou", "Lou Park", timezone="America/Los_Angeles")
        own = deals.create_opportunity(session, deals.DealFields(title="Lou's deal"), by=lou.id)
        for day in (MON0, TUE0, WED):
            tasks.add_task(session, own.id, f"due {day:%a}", day, by=lou.id)
        queue = today.today_queue(session, lou)
    assert queue.today == TUE0
    assert [(t.title, t.days_late) for t in queue.overdue] == [("due Mon", 1)]
    assert [t.title for t in queue.due_today] == ["due Tue"]
    assert [t.title for t in queue.coming_up[0].tasks] == ["due Wed"]


def test_each_task_carries_its_deal_stage_and_last_activity(session, ana, deal):
    other = deals.create_lead(session, deals.DealFields(title="Globex inbound"), by=ana.id)
    three_days_ago = pendulum.datetime(2026, 11, 15, 10, tz="UTC")
    activities.log_activity(session, deal.id, "email", by=ana.id, occurred_at=three_days_ago.subtract(days=2))
    activities.log_activity(session, deal.id, "call", by=ana.id, occurred_at=three_days_ago)
    tasks.add_task(session, deal.id, "Call Jo", WED, by=ana.id)
    tasks.add_task(session, other.id, "Qualify", WED, by=ana.id)

    first, second = today.today_queue(session, ana).due_today
    assert (first.deal_id, first.deal_title, first.account_name) == (deal.id, "Acme rollout", "Acme")
    assert (first.stage_name, first.pipeline) == (deal.stage_name, "opportunity")
    assert (first.last_activity_type, first.last_activity_at) == ("call", three_days_ago)
    assert today.last_activity_label(first, WED, "UTC") == "call 3 days ago"
    assert (second.deal_title, second.account_name, second.pipeline) == ("Globex inbound", None, "lead")
    assert second.last_activity_type is None
    assert today.last_activity_label(second, WED, "UTC") == "no activity yet"


def test_two_activities_at_the_same_moment_the_last_logged_wins(session, ana, deal):
    moment = pendulum.datetime(2026, 11, 17, 9, tz="UTC")
    activities.log_activity(session, deal.id, "email", by=ana.id, occurred_at=moment)
    activities.log_activity(session, deal.id, "demo", by=ana.id, occurred_at=moment)
    tasks.add_task(session, deal.id, "Follow up", WED, by=ana.id)
    [task] = today.today_queue(session, ana).due_today
    assert task.last_activity_type == "demo"


def test_the_queue_is_the_reps_own(session, ana, deal):
    bob = reps.create_rep(session, "bob", "Bob Stone", role="manager")  # may work on ana's deal
    tasks.add_task(session, deal.id, "Mine", WED, by=ana.id)
    tasks.add_task(session, deal.id, "Bob's", WED, by=bob.id)
    assert [t.title for t in today.today_queue(session, ana).due_today] == ["Mine"]
    assert [t.title for t in today.today_queue(session, bob).due_today] == ["Bob's"]


@pytest.mark.parametrize(
    "days, expected",
    [(0, "today"), (1, "yesterday"), (3, "3 days ago"), (13, "13 days ago"), (20, "2 weeks ago"), (90, "3 months ago")],
)
def test_days_ago(days, expected):
    moment = pendulum.datetime(2026, 11, 18, 12, tz="UTC").subtract(days=days)
    assert today.days_ago(moment, WED, "UTC") == expected


def test_days_ago_uses_the_reps_calendar():
    # 23:30 UTC on Tuesday is already Wednesday in Berlin.
    moment = pendulum.datetime(2026, 11, 17, 23, 30, tz="UTC")
    assert today.days_ago(moment, WED, "UTC") == "yesterday"
    assert today.days_ago(moment, WED, "Europe/Berlin") == "today"


# --- capacity ------------------------------------------------------------------------------------


def test_capacity_meter_counts_todays_plan_and_whats_done(session, ana, deal, frozen):
    fill(session, ana, deal.id, WED, 3)
    fill(session, ana, deal.id, WED, 2, done_at=frozen)  # done today: still part of today's work
    fill(session, ana, deal.id, WED, 1, done_at=pendulum.datetime(2026, 11, 17, 16, tz="UTC"))  # done early
    fill(session, ana, deal.id, TUE0, 2)
    fill(session, ana, deal.id, MON0, 1, done_at=frozen)  # an overdue task cleared today
    fill(session, ana, deal.id, THU, 1, done_at=frozen)  # done ahead of its day: not Thursday's load
    meter = today.today_queue(session, ana).meter
    assert (meter.planned, meter.done, meter.to_do, meter.capacity) == (5, 2, 3, 12)
    assert (meter.overdue, meter.cleared_overdue, meter.working) == (2, 1, True)
    assert not meter.over and not meter.over_with_overdue
    # The meter agrees with the task form's count of the day.
    assert tasks.load_on(session, ana, WED).load == meter.planned


def test_over_capacity_today_and_this_week(session, deal, frozen):
    cam = reps.create_rep(session, "cam", "Cam Ortiz", capacity=4)
    fill(session, cam, deal.id, WED, 3)
    fill(session, cam, deal.id, TUE0, 2)
    fill(session, cam, deal.id, FRI, 6)
    queue = today.today_queue(session, cam)
    assert not queue.meter.over and queue.meter.over_with_overdue  # 3 today + 2 overdue > 4
    assert [(d.day, d.load, d.capacity) for d in queue.week] == [
        (WED, 3, 4),
        (THU, 0, 4),
        (FRI, 6, 4),
        (MON, 0, 4),
        (TUE, 0, 4),
    ]
    assert queue.overloaded == (DayLoad(FRI, 6, 4),)
    assert [d.day for d in queue.coming_up if d.over] == [FRI]


def test_week_strip_skips_days_off_and_starts_on_the_next_working_day(session, deal):
    pat = reps.create_rep(session, "pat", "Pat Lee", capacity=2, working_days=(2, 4, 6))  # Tue, Thu, Sat
    fill(session, pat, deal.id, THU, 3)
    fill(session, pat, deal.id, SAT, 1)
    strip = today.week_strip(session, pat, days=4)
    assert [(d.day, d.load, d.capacity) for d in strip] == [
        (THU, 3, 2),
        (SAT, 1, 2),
        (TUE, 0, 2),
        (date(2026, 11, 26), 0, 2),
    ]
    queue = today.today_queue(session, pat, week_days=4)
    assert queue.week == strip
    assert not queue.meter.working and queue.meter.planned == 0


def test_working_days_from(session, ana):
    assert today.working_days_from(ana, SAT, 3) == [MON, TUE, WED2]
    assert today.working_days_from(ana, FRI, 2) == [FRI, MON]


# --- snoozing and moving -------------------------------------------------------------------------


def test_snooze_moves_to_the_next_working_day_with_room(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call Jo", WED, by=ana.id)
    moved = balance.snooze(session, task.id, by=ana.id)
    assert (moved.from_due, moved.task.due) == (WED, THU)
    assert moved.load == DayLoad(THU, 1, 12)
    assert task_rows(db)[task.id][0] == THU
    event = events.history(session, deal.id)[-1]
    assert event.kind == events.TASK_RESCHEDULED and event.rep_id == ana.id
    assert event.data == {"task_id": task.id, "title": "Call Jo", "from": "2026-11-18", "to": "2026-11-19"}


def test_snooze_skips_full_days_and_the_weekend(session, ana, deal):
    task = tasks.add_task(session, deal.id, "Call Jo", WED, by=ana.id)
    fill(session, ana, deal.id, THU, 12)
    fill(session, ana, deal.id, FRI, 13)
    assert balance.snooze(session, task.id, by=ana.id).task.due == MON


def test_snooze_an_overdue_task_starts_after_today(session, ana, deal):
    task = tasks.add_task(session, deal.id, "Overdue", MON0, by=ana.id)
    assert balance.snooze(session, task.id, by=ana.id).task.due == THU


def test_snooze_a_future_task_starts_after_its_day(session, ana, deal):
    task = tasks.add_task(session, deal.id, "Friday's", FRI, by=ana.id)
    assert balance.snooze(session, task.id, by=ana.id).task.due == MON


def test_snooze_is_for_the_owners_capacity_and_days(session, ana, deal):
    pat = reps.create_rep(session, "pat", "Pat Lee", capacity=1, working_days=(2, 4))  # Tue, Thu
    fill(session, pat, deal.id, THU, 1)
    boss = reps.create_rep(session, "boss", "Ada Boss", role="manager")  # gives Pat the task
    task = tasks.add_task(session, deal.id, "Pat's", WED, by=boss.id, owner_id=pat.id)
    # Ana, the deal's owner, snoozes Pat's task on it: Pat's days count.
    moved = balance.snooze(session, task.id, by=ana.id)
    assert moved.task.due == TUE and moved.load == DayLoad(TUE, 1, 1)


def test_snooze_refuses_done_and_unknown_tasks(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call Jo", WED, by=ana.id)
    tasks.complete_task(session, task.id, by=ana.id)
    with pytest.raises(RuleViolation, match="done"):
        balance.snooze(session, task.id, by=ana.id)
    with pytest.raises(NotFound):
        balance.snooze(session, 999, by=ana.id)
    assert task_rows(db)[task.id][0] == WED


def test_moving_a_task_someone_else_moved_is_refused(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call Jo", WED, by=ana.id)
    tasks.reschedule_task(session, task.id, FRI, by=ana.id)  # another screen moved it
    with pytest.raises(RuleViolation, match="moved to Fri 20 Nov"):
        balance.move_task(session, task.id, MON, by=ana.id, expected_due=WED)
    with pytest.raises(RuleViolation, match="moved"):
        balance.snooze(session, task.id, by=ana.id, expected_due=WED)
    assert task_rows(db)[task.id][0] == FRI
    moved = balance.move_task(session, task.id, MON, by=ana.id, expected_due=FRI)
    assert moved.task.due == MON and moved.from_due == FRI


def test_moving_to_the_same_day_records_nothing(session, db, ana, deal):
    task = tasks.add_task(session, deal.id, "Call Jo", WED, by=ana.id)
    before = event_count(db)
    balance.move_task(session, task.id, WED, by=ana.id)
    assert event_count(db) == before


# --- balancing -----------------------------------------------------------------------------------


def test_balance_spreads_overdue_most_overdue_first_without_moving_anything(session, db, ana, deal):
    late = [tasks.add_task(session, deal.id, f"late {d:%a}", d, by=ana.id).id for d in (TUE0, MON0, MON0)]
    fill(session, ana, deal.id, WED, 11)  # room for one today
    fill(session, ana, deal.id, THU, 12)  # full
    fill(session, ana, deal.id, FRI, 10)  # room for two
    rows, count = task_rows(db), event_count(db)

    plan = balance.balance_plan(session, ana)
    # Monday's two (in id order), then Tuesday's; today first, then Friday.
    assert [(m.task_id, m.from_due, m.to_due, m.overdue) for m in plan.moves] == [
        (late[1], MON0, WED, True),
        (late[2], MON0, FRI, True),
        (late[0], TUE0, FRI, True),
    ]
    assert [(d.day, d.before, d.after) for d in plan.days] == [(WED, 11, 12), (FRI, 10, 12)]
    assert plan.overdue_moves == 3 and plan.excess_moves == 0 and plan.unplaced == ()
    assert task_rows(db) == rows and event_count(db) == count  # a plan changes nothing


def test_balance_moves_the_newest_excess_of_a_full_day_later(session, ana, deal, frozen):
    thursday = fill(session, ana, deal.id, THU, 14)
    fill(session, ana, deal.id, FRI, 11)
    plan = balance.balance_plan(session, ana)
    assert [(m.task_id, m.from_due, m.to_due, m.overdue) for m in plan.moves] == [
        (thursday[-2], THU, FRI, False),
        (thursday[-1], THU, MON, False),  # Friday is then full; the weekend is skipped
    ]
    assert [(d.day, d.before, d.after) for d in plan.days] == [(THU, 14, 12), (FRI, 11, 12), (MON, 0, 1)]


def test_balance_never_moves_done_tasks_or_tasks_earlier(session, ana, deal, frozen):
    fill(session, ana, deal.id, WED, 10, done_at=frozen)
    open_ = fill(session, ana, deal.id, WED, 4)
    plan = balance.balance_plan(session, ana)
    # 14 planned today, 10 done: the two newest open ones go to Thursday.
    assert [(m.task_id, m.to_due) for m in plan.moves] == [(open_[2], THU), (open_[3], THU)]


def test_balance_keeps_order_across_overdue_and_excess(session, ana, deal):
    cam = reps.create_rep(session, "cam", "Cam Ortiz", capacity=2)
    late = fill(session, cam, deal.id, MON0, 3, title="late")
    wed = fill(session, cam, deal.id, WED, 3, title="wed")
    thu = fill(session, cam, deal.id, THU, 1, title="thu")
    plan = balance.balance_plan(session, cam)
    placed = [(m.task_id, m.to_due) for m in plan.moves]
    # Today has 3 of 2: one goes; nothing overdue fits today then. Thursday has one place,
    # which the oldest overdue takes; the rest follow in order.
    assert placed == [(late[0], THU), (late[1], FRI), (late[2], FRI), (wed[2], MON)]
    dues = [m.from_due for m in plan.moves]
    assert dues == sorted(dues) and [d for _, d in placed] == sorted(d for _, d in placed)
    assert all(d.after <= 2 for d in plan.days if d.after > d.before)
    assert thu  # Thursday's own task stays


def test_balance_leaves_days_off_alone(session, ana, deal):
    fill(session, ana, deal.id, SAT, 20)
    assert balance.balance_plan(session, ana).is_empty


def test_balance_with_nothing_to_do(session, ana, deal):
    fill(session, ana, deal.id, WED, 12)
    plan = balance.balance_plan(session, ana)
    assert plan.is_empty and plan.days == () and balance.apply_balance(session, plan, by=ana.id) == 0


def test_balance_says_what_found_no_room(session, ana, deal, monkeypatch):
    monkeypatch.setattr(balance, "LOOKAHEAD_DAYS", 2)  # Wednesday to Friday
    fill(session, ana, deal.id, THU, 12)
    fill(session, ana, deal.id, FRI, 12)
    fill(session, ana, deal.id, WED, 11)
    late = fill(session, ana, deal.id, TUE0, 2)
    plan = balance.balance_plan(session, ana)
    assert [(m.task_id, m.to_due) for m in plan.moves] == [(late[0], WED)]
    assert [(m.task_id, m.to_due) for m in plan.unplaced] == [(late[1], None)]


def test_apply_balance_moves_everything_in_the_plan(session, db, ana, deal):
    late = fill(session, ana, deal.id, MON0, 2)
    fill(session, ana, deal.id, WED, 11)
    plan = balance.balance_plan(session, ana)
    before = event_count(db)
    assert balance.apply_balance(session, plan, by=ana.id) == 2
    rows = task_rows(db)
    assert (rows[late[0]][0], rows[late[1]][0]) == (WED, THU)
    assert event_count(db) == before + 2
    kinds = [e.kind for e in events.history(session, deal.id)[-2:]]
    assert kinds == [events.TASK_RESCHEDULED] * 2
    assert balance.balance_plan(session, ana).is_empty


@pytest.mark.parametrize("change", ["done", "moved", "given away"])
def test_apply_balance_refuses_a_plan_whose_tasks_changed(session, db, ana, deal, change):
    bob = reps.create_rep(session, "bob", "Bob Stone")
    late = fill(session, ana, deal.id, MON0, 3)
    plan = balance.balance_plan(session, ana)
    if change == "done":
        tasks.complete_task(session, late[1], by=ana.id)
    elif change == "moved":
        tasks.reschedule_task(session, late[1], FRI, by=ana.id)
    else:
        with db.session() as other:
            row = other.get(Task, late[1])
            row.owner_id = bob.id
            other.add(row)
            other.commit()
    rows, count = task_rows(db), event_count(db)
    with pytest.raises(balance.PlanOutdated, match="task 1") as refused:
        balance.apply_balance(session, plan, by=ana.id)
    assert "Nothing moved" in str(refused.value) and "Balance again" in str(refused.value)
    assert task_rows(db) == rows and event_count(db) == count


# The rule on plain data, against any week: never overfills, keeps order, moves only forward.
@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(1, 4),
    working=st.sets(st.integers(1, 7), min_size=1),
    offsets=st.lists(st.integers(-5, 12), max_size=30),
    done_today=st.integers(0, 3),
)
def test_plan_balance_rules(capacity, working, offsets, done_today):
    rep = reps.RepInfo(1, "x", "X", "rep", "UTC", capacity, tuple(sorted(working)))
    horizon = WED + timedelta(days=20)
    open_tasks = [balance.OpenTask(i, f"t{i}", "d", WED + timedelta(days=o)) for i, o in enumerate(offsets)]
    loads: dict[date, int] = {}
    for task in open_tasks:
        if task.due >= WED:
            loads[task.due] = loads.get(task.due, 0) + 1
    if done_today:
        loads[WED] = loads.get(WED, 0) + done_today
    plan = balance.plan_balance(rep, WED, open_tasks, loads, horizon)

    after = dict(loads)
    for move in plan.moves:
        after[move.from_due] = after.get(move.from_due, 0) - (move.from_due >= WED)
        after[move.to_due] = after.get(move.to_due, 0) + 1
    assert {d.day: d.after for d in plan.days} == {d: n for d, n in after.items() if n != loads.get(d, 0)}
    received = {m.to_due for m in plan.moves}
    assert all(after[d] <= capacity for d in received)  # never overfills a day it fills
    assert all(m.to_due.isoweekday() in working and WED <= m.to_due <= horizon for m in plan.moves)
    assert all(m.to_due > m.from_due for m in plan.moves if not m.overdue)  # excess only moves later
    keys = [(m.from_due, m.task_id) for m in plan.moves]
    assert keys == sorted(keys)  # most overdue first
    assert [m.to_due for m in plan.moves] == sorted(m.to_due for m in plan.moves)  # order kept
    assert all(m.overdue == (m.from_due < WED) for m in plan.moves + plan.unplaced)
    # Every overdue task is placed or reported; no working day in range stays over capacity
    # unless only done work (which never moves) or unplaceable tasks keep it there.
    overdue = {t.id for t in open_tasks if t.due < WED}
    assert overdue <= {m.task_id for m in plan.moves + plan.unplaced}
    if not plan.unplaced:
        for day, load in after.items():
            if day.isoweekday() in working and day >= WED and load > capacity:
                assert day == WED and load - capacity <= done_today


# --- the team ------------------------------------------------------------------------------------


def test_team_overdue_counts_each_rep_on_their_own_day(session, ana, deal):
    kiri = reps.create_rep(session, "kiri", "Kiri Ngata", timezone="Pacific/Auckland")  # already Thursday
    reps.create_rep(session, "boss", "Ada Boss", role="manager")
    fill(session, ana, deal.id, TUE0, 2)
    fill(session, ana, deal.id, WED, 3)
    fill(session, kiri, deal.id, WED, 1)  # a day late in Auckland
    fill(session, kiri, deal.id, THU, 4)
    fill(session, ana, deal.id, MON0, 1, done_at=pendulum.now("UTC"))  # done: not overdue
    team = {r.rep.handle: (r.overdue, r.due_today) for r in today.team_overdue(session)}
    assert team == {"ana": (2, 3), "kiri": (1, 4), "boss": (0, 0)}
    assert [r.rep.name for r in today.team_overdue(session)] == ["Ada Boss", "Ana Reyes", "Kiri Ngata"]


# --- the complete-and-log flow -------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Call Jo about the pilot", "call"),
        ("call back", "call"),
        ("Phone the CFO", "call"),
        ("Email the deck", "email"),
        ("Send pricing sheet", "email"),
        ("Send the proposal", "email"),
        ("Meet Jo at the office", "meeting"),
        ("Meeting with procurement", "meeting"),
        ("Demo the dashboards", "demo"),
        ("Proposal review", "proposal"),
        ("Follow-up call with Ben", "call"),
        ("Prepare findings", "other"),
        ("Chase the signed order form", "other"),
        ("", "other"),
        ("Recall last quarter's numbers", "other"),
    ],
)
def test_guess_activity_type(title, kind):
    assert today.guess_activity_type(title) == kind


# --- working days and capacity -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, days",
    [
        ("mon-fri", (1, 2, 3, 4, 5)),
        ("Mon – Thu, Sat", (1, 2, 3, 4, 6)),
        ("mon wed fri", (1, 3, 5)),
        ("monday, tuesday", (1, 2)),
        ("weekdays", (1, 2, 3, 4, 5)),
        ("every day", (1, 2, 3, 4, 5, 6, 7)),
        ("12345", (1, 2, 3, 4, 5)),
        ("fri-mon", (1, 5, 6, 7)),
    ],
)
def test_parse_working_days(text, days):
    assert workweek.parse_working_days(text) == days


@pytest.mark.parametrize("text", ["", "funday", "mon-xyz", "8"])
def test_parse_working_days_refuses_nonsense(text):
    with pytest.raises(InvalidInput):
        workweek.parse_working_days(text)


@pytest.mark.parametrize(
    "days, text",
    [
        ((1, 2, 3, 4, 5), "Mon–Fri"),
        ((1, 2, 3, 4, 6), "Mon–Thu, Sat"),
        ((1, 3, 5), "Mon, Wed, Fri"),
        ((6, 7), "Sat, Sun"),
    ],
)
def test_describe_working_days(days, text):
    assert workweek.describe_working_days(days) == text


def test_set_workweek(session, ana, deal):
    boss = reps.create_rep(session, "boss", "Ada Boss", role="manager")
    bob = reps.create_rep(session, "bob", "Bob Stone", by=boss.id)
    changed = workweek.set_workweek(session, ana.id, working_days=(1, 2, 3, 4), capacity=8, by=ana.id)
    assert (changed.working_days, changed.capacity) == ((1, 2, 3, 4), 8)
    assert reps.get_rep(session, ana.id) == changed
    assert workweek.set_workweek(session, ana.id, working_days=(1,), capacity=3, by=boss.id).capacity == 3
    with pytest.raises(Forbidden, match="manager"):
        workweek.set_workweek(session, ana.id, working_days=(1,), capacity=5, by=bob.id)
    with pytest.raises(InvalidInput, match="capacity"):
        workweek.set_workweek(session, ana.id, working_days=(1,), capacity=0, by=ana.id)
    assert reps.get_rep(session, ana.id).capacity == 3
    # The queue follows: Thursday is no longer a working day for Ana.
    fill(session, ana, deal.id, THU, 1)
    assert [d.day for d in today.today_queue(session, reps.get_rep(session, ana.id), week_days=2).week] == [
        MON,
        date(2026, 11, 30),
    ]


# --- the screen's read model -----------------------------------------------------------------


def test_load_today_reads_the_queue_and_for_a_manager_the_team(session, ana, deal):
    late = tasks.add_task(session, deal.id, "late", TUE0, by=ana.id)
    now = tasks.add_task(session, deal.id, "now", WED, by=ana.id)

    page = today.load_today(session, ana.id)
    managed = today.load_today(session, ana.id, team=True)

    assert [t.id for t in page.queue.overdue] == [late.id] and [t.id for t in page.queue.due_today] == [now.id]
    assert page.queue.rep.id == ana.id and page.team is None
    assert [(r.rep.handle, r.overdue, r.due_today) for r in managed.team] == [("ana", 1, 1)]
    assert managed.token == page.token


def test_load_today_token_moves_with_a_write_and_an_unknown_rep_is_refused(session, ana, deal):
    before = today.load_today(session, ana.id).token
    tasks.add_task(session, deal.id, "new", THU, by=ana.id)
    after = today.load_today(session, ana.id)
    assert after.token != before and [t.title for t in after.queue.tasks] == ["new"]
    with pytest.raises(NotFound):
        today.load_today(session, 999_999)
