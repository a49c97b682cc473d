"""Two reps writing one task at once: one wins, the other is told who and when.

Tasks carry a version like deals (DESIGN.md rule 6): every write is one UPDATE
conditional on the version it read, so two completions (or a completion and a
move) cannot both go through. The frozen now is Wednesday 2026-11-18 14:30 UTC.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import func, select

from store import balance, deals, reps, tasks, undo
from store.db import open_database
from store.errors import Conflict, RuleViolation, TaskConflict
from store.models import Deal, DealEvent, Task

THU, FRI, MON, TUE = date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23), date(2026, 11, 24)


def task_row(db, task_id: int):
    with db.engine.connect() as connection:
        return connection.execute(select(Task.__table__).where(Task.id == task_id)).mappings().one()


def count_events(db, kind: str) -> int:
    with db.engine.connect() as connection:
        return connection.execute(select(func.count()).where(DealEvent.kind == kind)).scalar_one()


def next_due(db, deal_id: int):
    with db.engine.connect() as connection:
        return connection.execute(select(Deal.next_task_due).where(Deal.id == deal_id)).scalar_one()


@pytest.fixture
def team(session, frozen):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    bob = reps.create_rep(session, "bob", "Bob Stone", role="manager")  # may change ana's tasks
    deal = deals.create_lead(session, deals.DealFields(title="Acme rollout"), by=ana.id)
    return ana, bob, deal


@pytest.fixture
def two(db_url):
    """Two Database objects, as two reps' terminals would have."""
    one, other = open_database(db_url), open_database(db_url)
    yield one, other
    one.dispose()
    other.dispose()


def test_a_completion_that_raced_past_the_read_is_refused_and_writes_nothing(db, session, team, two, monkeypatch):
    """Both reps read the task open; Ana's completion commits first; Bob's must not
    overwrite her completion time or record a second ``task_done``."""
    ana, bob, deal = team
    task = tasks.add_task(session, deal.id, "Send pricing", FRI, by=ana.id)
    one, other = two
    with one.session() as s1, other.session() as s2:
        seen_by_bob = tasks._load_task(s2, task.id)  # Bob's read: open, version 1
        done = tasks.complete_task(s1, task.id, by=ana.id)
        # Bob's write goes on from what he read, as a process that read just before Ana wrote would.
        monkeypatch.setattr(tasks, "_load_task", lambda session, task_id: seen_by_bob)
        with pytest.raises(TaskConflict) as caught:
            tasks.complete_task(s2, task.id, by=bob.id)
    message = str(caught.value)
    assert "Ana Reyes already marked “Send pricing” done at 14:30" in message and "\n" not in message
    assert isinstance(caught.value, Conflict) and caught.value.task_id == task.id
    row = task_row(db, task.id)
    assert row["done_at"] == done.done_at and row["updated_by_id"] == ana.id and row["version"] == 2
    assert count_events(db, "task_done") == 1
    assert next_due(db, deal.id) is None


def test_a_write_stating_an_old_version_is_a_conflict(db, session, team, two):
    ana, bob, deal = team
    task = tasks.add_task(session, deal.id, "Send pricing", FRI, by=ana.id)
    one, other = two
    with one.session() as s1, other.session() as s2:
        read = tasks.get_task(s2, task.id)
        tasks.reschedule_task(s1, task.id, MON, by=ana.id, version=task.version)
        for write in (
            lambda: tasks.complete_task(s2, task.id, by=bob.id, version=read.version),
            lambda: tasks.reschedule_task(s2, task.id, TUE, by=bob.id, version=read.version),
            lambda: balance.snooze(s2, task.id, by=bob.id, version=read.version),
            lambda: balance.move_task(s2, task.id, THU, by=bob.id, version=read.version),
        ):
            with pytest.raises(TaskConflict, match="Ana Reyes changed “Send pricing” at 14:30 .now due Mon 23 Nov."):
                write()
    row = task_row(db, task.id)
    assert (row["due"], row["done_at"], row["version"]) == (MON, None, 2)
    assert count_events(db, "task_rescheduled") == 1 and count_events(db, "task_done") == 0
    assert next_due(db, deal.id) == MON


def test_reopening_states_the_version_it_read(db, session, team):
    ana, bob, deal = team
    task = tasks.add_task(session, deal.id, "Send pricing", FRI, by=ana.id)
    done = tasks.complete_task(session, task.id, by=ana.id, version=1)
    tasks.reopen_task(session, task.id, by=bob.id, version=done.version)
    with pytest.raises(TaskConflict, match="Bob Stone changed"):
        tasks.reopen_task(session, task.id, by=ana.id, version=done.version)
    assert task_row(db, task.id)["version"] == 3


@pytest.mark.parametrize("rounds", [20])
def test_two_reps_completing_one_task_at_once(db, session, team, two, rounds):
    """Threads released together, many times: exactly one completion wins each round."""
    ana, bob, deal = team
    one, other = two
    for n in range(rounds):
        task = tasks.add_task(session, deal.id, f"Call {n}", FRI, by=ana.id)
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def complete(database, rep_id):
            with database.session() as s:
                start.wait()
                try:
                    tasks.complete_task(s, task.id, by=rep_id)
                    outcomes.append("done")
                except (TaskConflict, RuleViolation):
                    outcomes.append("refused")

        threads = [threading.Thread(target=complete, args=args) for args in ((one, ana.id), (other, bob.id))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        assert sorted(outcomes) == ["done", "refused"], f"round {n}"
    assert count_events(db, "task_done") == rounds
    assert next_due(db, deal.id) is None


def test_balancing_does_not_move_a_task_someone_changed_after_the_plan(db, session, team, two):
    ana, bob, deal = team
    late = tasks.add_task(session, deal.id, "Overdue call", date(2026, 11, 16), by=ana.id)
    one, other = two
    with one.session() as s1, other.session() as s2:
        plan = balance.balance_plan(s1, reps.get_rep(s1, ana.id))
        assert [m.task_id for m in plan.moves] == [late.id]
        # Bob moves it and back: its due day is as planned, but it is not the task the plan read.
        tasks.reschedule_task(s2, late.id, MON, by=bob.id)
        tasks.reschedule_task(s2, late.id, date(2026, 11, 16), by=bob.id)
        with pytest.raises(balance.PlanOutdated, match="Overdue call"):
            balance.apply_balance(s1, plan, by=ana.id)
    row = task_row(db, late.id)
    assert (row["due"], row["version"]) == (date(2026, 11, 16), 3)
    assert count_events(db, "task_rescheduled") == 2


def test_undoing_a_reschedule_does_not_take_back_a_later_move_by_someone_else(db, session, team):
    ana, bob, deal = team
    task = tasks.add_task(session, deal.id, "Send pricing", FRI, by=ana.id)
    tasks.reschedule_task(session, task.id, MON, by=ana.id)
    tasks.reschedule_task(session, task.id, TUE, by=bob.id)
    version = deals.get_deal(session, deal.id).version
    with pytest.raises(RuleViolation, match="changed again by Bob Stone"):
        undo.undo_last(session, deal.id, version=version, by=ana.id)
    assert task_row(db, task.id)["due"] == TUE
    # Once Bob undoes his move, Ana's can be undone too.
    undo.undo_last(session, deal.id, version=version, by=bob.id)
    undo.undo_last(session, deal.id, version=version, by=ana.id)
    row = task_row(db, task.id)
    assert (row["due"], row["version"]) == (FRI, 5)
    assert next_due(db, deal.id) == FRI


def test_undoing_a_completion_someone_else_reopened_is_refused(db, session, team):
    ana, bob, deal = team
    task = tasks.add_task(session, deal.id, "Send pricing", FRI, by=ana.id)
    done = tasks.complete_task(session, task.id, by=ana.id)
    tasks.reopen_task(session, task.id, by=bob.id)
    tasks.complete_task(session, task.id, by=bob.id)
    version = deals.get_deal(session, deal.id).version
    # Ana's last change is her completion; Bob reopened and finished it since.
    with pytest.raises(RuleViolation, match="changed again by Bob Stone"):
        undo.undo_last(session, deal.id, version=version, by=ana.id)
    row = task_row(db, task.id)
    assert row["done_at"] is not None and row["updated_by_id"] == bob.id and done.version == 2
