"""Activities: what happened, dated when it happened; milestones are the furthest reached."""

from __future__ import annotations

from datetime import datetime

import pendulum
import pytest
from sqlmodel import select

from store import activities, deals, events, undo
from store.errors import InvalidInput, NotFound
from store.models import ACTIVITY_TYPES, MILESTONES, Activity
from tests.store.conftest import event_count, stored


def activity_rows(db):
    with db.engine.connect() as connection:
        return connection.execute(select(Activity.__table__).order_by(Activity.id)).mappings().all()


def test_logging_an_activity_stores_it_and_touches_the_deal(session, db, ana, lead, frozen):
    info = activities.log_activity(
        session, lead.id, "call", by=ana.id, milestone="nurture", duration_min=15, outcome="  Left   a voicemail "
    )
    [row] = activity_rows(db)
    assert row["deal_id"] == lead.id and row["rep_id"] == ana.id
    assert row["type"] == "call" and row["milestone"] == "nurture"
    assert row["occurred_at"] == frozen and row["created_at"] == frozen
    assert row["duration_min"] == 15
    assert row["outcome"] == "Left a voicemail"
    assert info.id == row["id"] and info.rep_name == "Ana Reyes"
    deal = stored(db, lead.id)
    assert deal["last_activity_at"] == frozen
    assert deal["milestone"] == "nurture"


def test_logging_records_an_event_with_who_and_when(session, ana, lead, frozen):
    info = activities.log_activity(session, lead.id, "email", by=ana.id, outcome="Sent the deck")
    event = events.history(session, lead.id)[-1]
    assert event.kind == events.ACTIVITY_LOGGED
    assert event.rep_id == ana.id and event.at == frozen
    assert event.data == {"activity_id": info.id, "type": "email", "milestone": None, "outcome": "Sent the deck"}


def test_logging_does_not_change_the_deal_version(session, db, ana, lead):
    """An open board's copy stays valid: activities do not race stage moves."""
    activities.log_activity(session, lead.id, "call", by=ana.id)
    assert stored(db, lead.id)["version"] == 1
    deals.move_deal(session, lead.id, +1, version=1, by=ana.id)


def test_every_activity_type_is_accepted(session, db, ana, lead):
    for type_ in ACTIVITY_TYPES:
        activities.log_activity(session, lead.id, type_, by=ana.id)
    assert [r["type"] for r in activity_rows(db)] == list(ACTIVITY_TYPES)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"type": "lunch"}, "activity type"),
        ({"type": "Call"}, "activity type"),
        ({"type": "call", "milestone": "closing"}, "milestone"),
        ({"type": "call", "milestone": "Rapport"}, "milestone"),
        ({"type": "call", "duration_min": -1}, "duration"),
        ({"type": "call", "duration_min": 24 * 60 + 1}, "duration"),
        ({"type": "call", "outcome": "x" * 501}, "outcome"),
    ],
)
def test_invalid_activities_are_refused_and_nothing_is_written(session, db, ana, lead, kwargs, match):
    n = event_count(db)
    with pytest.raises(InvalidInput, match=match):
        activities.log_activity(session, lead.id, by=ana.id, **kwargs)
    assert activity_rows(db) == []
    assert event_count(db) == n
    assert stored(db, lead.id)["last_activity_at"] is None


def test_an_activity_in_the_future_is_refused(session, db, ana, lead, frozen):
    with pytest.raises(InvalidInput, match="future"):
        activities.log_activity(session, lead.id, "meeting", by=ana.id, occurred_at=frozen.add(minutes=10))
    with pytest.raises(InvalidInput, match="future"):
        activities.log_activity(session, lead.id, "meeting", by=ana.id, occurred_at=frozen.add(days=1))
    assert activity_rows(db) == []


def test_a_few_minutes_of_clock_skew_is_not_the_future(session, db, ana, lead, frozen):
    activities.log_activity(session, lead.id, "call", by=ana.id, occurred_at=frozen.add(minutes=4))
    assert [r["occurred_at"] for r in activity_rows(db)] == [frozen.add(minutes=4)]


def test_an_activity_is_dated_when_it_happened_in_any_timezone(session, db, ana, lead, frozen):
    berlin = pendulum.datetime(2026, 11, 17, 9, 0, tz="Europe/Berlin")
    activities.log_activity(session, lead.id, "meeting", by=ana.id, occurred_at=berlin)
    [row] = activity_rows(db)
    assert row["occurred_at"] == pendulum.datetime(2026, 11, 17, 8, 0, tz="UTC")
    assert stored(db, lead.id)["last_activity_at"] == berlin


def test_last_activity_is_the_latest_occurrence_not_the_latest_logged(session, db, ana, lead, frozen):
    activities.log_activity(session, lead.id, "call", by=ana.id, occurred_at=frozen.subtract(hours=1))
    activities.log_activity(session, lead.id, "email", by=ana.id, occurred_at=frozen.subtract(days=3))
    assert stored(db, lead.id)["last_activity_at"] == frozen.subtract(hours=1)


def test_the_milestone_is_the_furthest_reached(session, db, ana, lead, frozen):
    seen = []
    for milestone in ("rapport", "discovery", None, "nurture"):
        activities.log_activity(session, lead.id, "meeting", by=ana.id, milestone=milestone)
        seen.append(stored(db, lead.id)["milestone"])
    assert seen == ["rapport", "discovery", "discovery", "discovery"]
    activities.log_activity(
        session, lead.id, "proposal", by=ana.id, milestone="proposal", occurred_at=frozen.subtract(days=10)
    )
    assert stored(db, lead.id)["milestone"] == "proposal"  # furthest, even if logged late


def test_activities_of_one_deal_do_not_touch_another(session, db, ana, lead):
    other = deals.create_lead(session, deals.DealFields(title="Other"), by=ana.id)
    activities.log_activity(session, lead.id, "demo", by=ana.id, milestone="findings")
    row = stored(db, other.id)
    assert row["milestone"] is None and row["last_activity_at"] is None


def test_undo_recomputes_last_activity_and_milestone(session, db, ana, lead, frozen):
    activities.log_activity(session, lead.id, "meeting", by=ana.id, milestone="rapport", occurred_at=frozen.subtract(days=2))
    activities.log_activity(session, lead.id, "demo", by=ana.id, milestone="findings", occurred_at=frozen.subtract(hours=1))
    undo.undo_last(session, lead.id, version=1, by=ana.id)
    row = stored(db, lead.id)
    assert row["milestone"] == "rapport"
    assert row["last_activity_at"] == frozen.subtract(days=2)
    undo.undo_last(session, lead.id, version=1, by=ana.id)
    row = stored(db, lead.id)
    assert row["milestone"] is None and row["last_activity_at"] is None
    assert activity_rows(db) == []


def test_deal_activities_are_newest_first(session, ana, lead, frozen):
    a = activities.log_activity(session, lead.id, "call", by=ana.id, occurred_at=frozen.subtract(days=1))
    b = activities.log_activity(session, lead.id, "email", by=ana.id, occurred_at=frozen.subtract(hours=1))
    c = activities.log_activity(session, lead.id, "meeting", by=ana.id, occurred_at=frozen.subtract(days=5))
    assert [x.id for x in activities.deal_activities(session, lead.id)] == [b.id, a.id, c.id]
    assert [x.id for x in activities.deal_activities(session, lead.id, limit=2)] == [b.id, a.id]
    assert all(x.occurred_at.tzinfo is not None for x in activities.deal_activities(session, lead.id))


def test_logging_on_an_unknown_deal_or_by_an_unknown_rep(session, db, ana, lead):
    with pytest.raises(NotFound):
        activities.log_activity(session, 999, "call", by=ana.id)
    with pytest.raises(NotFound):
        activities.log_activity(session, lead.id, "call", by=999)
    assert activity_rows(db) == []


def test_milestone_rank_and_the_next_milestone_to_suggest():
    assert [activities.milestone_rank(m) for m in (None, *MILESTONES)] == [0, 1, 2, 3, 4, 5]
    assert activities.milestone_rank("bogus") == 0
    assert activities.next_milestone(None) == "nurture"
    assert activities.next_milestone("nurture") == "rapport"
    assert activities.next_milestone("findings") == "proposal"
    assert activities.next_milestone("proposal") == "proposal"


def test_milestones_are_in_the_designed_order():
    assert MILESTONES == ("nurture", "rapport", "discovery", "findings", "proposal")


def test_a_naive_datetime_is_not_guessed(session, db, ana, lead):
    with pytest.raises((InvalidInput, ValueError)):
        activities.log_activity(session, lead.id, "call", by=ana.id, occurred_at=datetime(2026, 11, 18, 9, 0))
    assert activity_rows(db) == []


def test_a_follow_up_is_saved_with_its_activity_or_not_at_all(session, frozen):
    import pendulum
    import pytest

    from store import activities, deals, reps, tasks
    from store.errors import InvalidInput

    ana = reps.create_rep(session, "ana2", "Ana Two")
    deal = deals.create_lead(session, deals.DealFields(title="Follow-up deal"), by=ana.id)
    due = pendulum.Date(2026, 11, 20)
    logged = activities.log_activity(session, deal.id, "call", by=ana.id, follow_up=("Send the deck", due))
    assert logged.follow_up is not None and logged.follow_up.due == due
    assert [t.title for t in tasks.deal_tasks(session, deal.id)] == ["Send the deck"]
    # A follow-up the store refuses takes the activity down with it.
    with pytest.raises(InvalidInput):
        activities.log_activity(session, deal.id, "email", by=ana.id, follow_up=("   ", due))
    assert [a.type for a in activities.deal_activities(session, deal.id)] == ["call"]
    assert len(tasks.deal_tasks(session, deal.id)) == 1
