"""A deal's timeline: activities, notes, tasks and history merged, newest first,
with open tasks on top; and how moments read in the rep's timezone.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
import pytest
from sqlalchemy import event, insert

from store import activities, deals, notes, tasks, undo
from store.errors import InvalidInput
from store.models import Activity, DealEvent, Note, Task
from store.timeline import deal_timeline, format_when
from tests.conftest import FIXED_NOW
from tests.store.open_editing import allow_open_editing

F = deals.DealFields


def bulk_history(session, deal_id: int, rep_id: int, n: int, *, end: pendulum.DateTime) -> None:
    """``n`` timeline rows (activities, notes, tasks, stage events) before ``end``,
    with Core bulk inserts: fast enough for a test, shaped like a long-worked deal."""
    rows: dict[type, list[dict]] = {Activity: [], Note: [], Task: [], DealEvent: []}
    for i in range(n):
        at = end - timedelta(hours=i + 1)
        match i % 4:
            case 0:
                rows[Activity].append(
                    dict(deal_id=deal_id, rep_id=rep_id, type="call", milestone=None, occurred_at=at,
                         outcome=f"Call number {i}", created_at=at)
                )
            case 1:
                rows[Note].append(
                    dict(deal_id=deal_id, rep_id=rep_id, body=f"Note {i}\nMore about it.", created_at=at)
                )
            case 2:
                rows[Task].append(
                    dict(deal_id=deal_id, owner_id=rep_id, title=f"Task {i}", due=at.date(), done_at=at,
                         created_at=at - timedelta(days=1), created_by_id=rep_id)
                )
            case 3:
                rows[DealEvent].append(
                    dict(deal_id=deal_id, rep_id=rep_id, at=at, kind="stage_changed",
                         data={"from_stage": "Qualified", "to_stage": "Needs analysis"})
                )
    for model, values in rows.items():
        if values:
            session.execute(insert(model), values)
    session.commit()


def ago(**kw) -> pendulum.DateTime:
    return FIXED_NOW.subtract(**kw)


def clock_at(moment: pendulum.DateTime) -> None:
    """Set the frozen clock; the ``frozen`` fixture travels back at the end.

    Not a context manager on purpose: leaving a nested ``travel_to`` block would
    unfreeze the clock altogether.
    """
    pendulum.travel_to(moment, freeze=True)


@pytest.fixture
def deal(session, ana, frozen):
    """An opportunity created a week ago."""
    clock_at(ago(days=7))
    created = deals.create_opportunity(session, F(title="Acme fleet", account="Acme", value=1_200_000), by=ana.id)
    clock_at(FIXED_NOW)
    return created


def headlines(entries) -> list[str]:
    return [e.headline for e in entries]


# --- merging -------------------------------------------------------------------------------


def test_merges_every_kind_newest_first(session, ana, deal, frozen):
    clock_at(ago(days=5))
    activities.log_activity(session, deal.id, "meeting", by=ana.id, milestone="rapport", outcome="Met Jo")
    clock_at(ago(days=4))
    done = tasks.add_task(session, deal.id, "Send the deck", pendulum.date(2026, 11, 16), by=ana.id)
    clock_at(ago(days=3))
    notes.add_note(session, deal.id, "Budget is approved\nJo says Q1 money is there.", by=ana.id)
    clock_at(ago(days=2))
    deals.move_deal(session, deal.id, 1, version=deal.version, by=ana.id)
    clock_at(ago(days=1))
    tasks.complete_task(session, done.id, by=ana.id)
    clock_at(frozen)

    timeline = deal_timeline(session, deal.id, today=frozen.date())

    assert headlines(timeline) == [
        "Send the deck",  # done a day ago
        "Qualified → Needs analysis",
        "Budget is approved",
        "Meeting · rapport: Met Jo",
        "Created as an opportunity in Qualified · $12,000",
    ]
    assert [e.kind for e in timeline] == ["task", "event", "note", "activity", "event"]
    assert all(e.who == "Ana Reyes" for e in timeline)
    note = timeline[2]
    assert note.detail == "Budget is approved\nJo says Q1 money is there."
    task = timeline[0]
    assert task.task_done_at == ago(days=1) and task.at == task.task_done_at and not task.overdue
    assert timeline[3].milestone == "rapport" and timeline[3].activity_type == "meeting"
    assert timeline[1].event_kind == "stage_changed"


def test_events_that_repeat_a_row_are_left_out(session, ana, deal):
    activity = activities.log_activity(session, deal.id, "call", by=ana.id)
    task = tasks.add_task(session, deal.id, "Call back", pendulum.date(2026, 11, 20), by=ana.id)
    tasks.reschedule_task(session, task.id, pendulum.date(2026, 11, 23), by=ana.id)
    tasks.complete_task(session, task.id, by=ana.id)
    tasks.reopen_task(session, task.id, by=ana.id)
    notes.add_note(session, deal.id, "Spoke to Jo", by=ana.id)

    timeline = deal_timeline(session, deal.id)

    assert sorted(e.kind for e in timeline) == ["activity", "event", "note", "task"]
    assert [e.event_kind for e in timeline if e.kind == "event"] == ["created"]
    assert activity.id in [e.id for e in timeline if e.kind == "activity"]


def test_open_tasks_on_top_soonest_first_overdue_flagged(session, ana, bob, deal, frozen):
    today = frozen.date()
    later = tasks.add_task(session, deal.id, "Later", today.add(days=9), by=ana.id)
    late = tasks.add_task(session, deal.id, "Late", today.subtract(days=2), by=bob.id, owner_id=bob.id)
    due_today = tasks.add_task(session, deal.id, "Today", today, by=ana.id)
    activities.log_activity(session, deal.id, "call", by=ana.id, occurred_at=ago(minutes=5))

    timeline = deal_timeline(session, deal.id, today=today)

    assert [e.id for e in timeline[:3]] == [late.id, due_today.id, later.id]
    assert [e.overdue for e in timeline[:3]] == [True, False, False]
    assert timeline[0].who == "Bob Stone" and timeline[0].task_due == today.subtract(days=2)
    assert all(e.is_open_task for e in timeline[:3])
    assert timeline[3].kind == "activity"
    # Overdue is relative to the rep's day: on Monday the 16th nothing was late yet.
    assert not any(e.overdue for e in deal_timeline(session, deal.id, today=today.subtract(days=2)))


def test_filter_by_kind(session, ana, deal):
    activities.log_activity(session, deal.id, "email", by=ana.id, outcome="Sent pricing")
    notes.add_note(session, deal.id, "Pricing is fine", by=ana.id)
    tasks.add_task(session, deal.id, "Chase", pendulum.date(2026, 11, 25), by=ana.id)

    assert [e.kind for e in deal_timeline(session, deal.id, kinds=frozenset({"note"}))] == ["note"]
    assert [e.kind for e in deal_timeline(session, deal.id, kinds=frozenset({"task"}))] == ["task"]
    assert [e.kind for e in deal_timeline(session, deal.id, kinds=frozenset({"event"}))] == ["event"]
    both = deal_timeline(session, deal.id, kinds=frozenset({"activity", "note"}))
    assert sorted(e.kind for e in both) == ["activity", "note"]
    assert deal_timeline(session, deal.id, kinds=frozenset()) == []
    with pytest.raises(InvalidInput):
        deal_timeline(session, deal.id, kinds=frozenset({"email"}))


def test_an_empty_deal_has_only_its_creation(session, ana, deal):
    (only,) = deal_timeline(session, deal.id)
    assert only.event_kind == "created" and only.at == ago(days=7)


# --- each history event's headline -----------------------------------------------------------


def test_headline_of_each_history_event(session, ana, bob, frozen):
    allow_open_editing(session)  # ana gives her deal to bob
    lead = deals.create_lead(session, F(title="Umbrella", account="Umbrella"), by=ana.id)
    lead = deals.move_deal(session, lead.id, 1, version=lead.version, by=ana.id)
    opp = deals.convert_lead(session, lead.id, version=lead.version, by=ana.id)
    opp = deals.edit_deal(
        session, opp.id,
        F(owner_id=bob.id, value=1_500_000, expected_close=pendulum.date(2026, 12, 15), title="Umbrella pilot"),
        version=opp.version, by=ana.id,
    )
    opp = deals.mark_lost(session, opp.id, "Price", version=opp.version, by=bob.id)
    opp = deals.reopen(session, opp.id, version=opp.version, by=bob.id)
    opp = deals.move_deal(session, opp.id, 1, version=opp.version, by=bob.id)
    undone = undo.undo_last(session, opp.id, version=opp.version, by=bob.id)
    opp = deals.mark_won(session, opp.id, version=undone.deal.version, by=bob.id)

    timeline = deal_timeline(session, opp.id)

    assert headlines(reversed(timeline)) == [
        "Created as a lead in New",
        "New → Attempting",
        "Converted to an opportunity: Attempting → Qualified",
        "Owner Ana Reyes → Bob Stone",
        "Value $0 → $15,000",
        "Expected close none → 2026-12-15",
        "Edited title (now “Umbrella pilot”)",
        "Lost: Price",
        "Reopened: Lost → Qualified",
        "Qualified → Needs analysis",
        "Undid the stage move (Qualified → Needs analysis)",
        "Won · $15,000",
    ]
    assert [e.who for e in timeline][:2] == ["Bob Stone", "Bob Stone"]
    assert timeline[-1].who == "Ana Reyes"


def test_a_disqualified_lead_says_so(session, ana):
    lead = deals.create_lead(session, F(title="Initrode"), by=ana.id)
    deals.mark_lost(session, lead.id, "No budget", version=lead.version, by=ana.id)
    assert deal_timeline(session, lead.id)[0].headline == "Disqualified: No budget"


def test_undoing_work_names_it(session, ana, deal):
    tasks.add_task(session, deal.id, "Call Jo", pendulum.date(2026, 11, 20), by=ana.id)
    undo.undo_last(session, deal.id, version=deal.version, by=ana.id)
    assert deal_timeline(session, deal.id)[0].headline == "Undid the new task “Call Jo”"


def test_user_text_is_kept_as_typed(session, ana, deal):
    notes.add_note(session, deal.id, "[bold]Not markup[/bold]\n[@click=app.quit]x", by=ana.id)
    (note,) = deal_timeline(session, deal.id, kinds=frozenset({"note"}))
    assert note.headline == "[bold]Not markup[/bold]"
    assert note.detail.endswith("[@click=app.quit]x")


# --- a long history --------------------------------------------------------------------------


def test_five_hundred_entries_in_a_handful_of_queries(session, db, ana, deal, frozen):
    bulk_history(session, deal.id, ana.id, 500, end=frozen)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        timeline = deal_timeline(session, deal.id, today=frozen.date())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    assert len(timeline) == 501  # the 500 and the deal's creation
    assert len(statements) <= 6
    moments = [e.at for e in timeline]
    assert moments == sorted(moments, reverse=True)


# --- how moments read ------------------------------------------------------------------------

TZ = "America/Los_Angeles"  # UTC-8 in November


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # It is Wednesday 06:30 in Los Angeles (14:30 UTC).
        (pendulum.datetime(2026, 11, 18, 8, 1, tz="UTC"), "today 00:01"),
        (pendulum.datetime(2026, 11, 18, 7, 59, tz="UTC"), "yesterday 23:59"),  # Tuesday in LA
        (pendulum.datetime(2026, 11, 17, 8, 0, tz="UTC"), "yesterday 00:00"),
        (pendulum.datetime(2026, 11, 17, 7, 59, tz="UTC"), "Mon 23:59"),
        (pendulum.datetime(2026, 11, 12, 8, 0, tz="UTC"), "Thu 00:00"),  # six days back
        (pendulum.datetime(2026, 11, 12, 7, 59, tz="UTC"), "11 Nov 23:59"),  # a week back: absolute
        (pendulum.datetime(2026, 10, 3, 21, 0, tz="UTC"), "3 Oct 14:00"),  # summer time, UTC-7
            (pendulum.datetime(2025, 10, 3, 21, 0, tz="UTC"), "3 Oct 2025 14:00"),  # another year: says which
        (pendulum.datetime(2026, 11, 19, 9, 0, tz="UTC"), "19 Nov 01:00"),  # tomorrow: absolute
    ],
)
def test_format_when_in_the_reps_timezone(moment, expected, frozen):
    assert format_when(moment, frozen, TZ) == expected


def test_format_when_in_utc_and_east_of_it(frozen):
    late_tuesday = pendulum.datetime(2026, 11, 17, 23, 30, tz="UTC")
    assert format_when(late_tuesday, frozen, "UTC") == "yesterday 23:30"
    assert format_when(late_tuesday, frozen, "Asia/Tokyo") == "today 08:30"
