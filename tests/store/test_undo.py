"""Undo: the last change a rep made to a deal, for every undoable kind.

Undo never erases history: it restores the row (or removes the work) and
records an "undone" event pointing at what it reversed.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from store import activities, deals, events, notes, tasks, undo
from store.errors import Conflict, RuleViolation
from store.models import LEAD, OPPORTUNITY, Activity, DealEvent, Note, Task
from store.stages import list_stages
from tests.store.open_editing import allow_open_editing
from tests.store.conftest import stage_id, stored, tick

F = deals.DealFields


def rows(db, model, *where):
    with db.engine.connect() as connection:
        query = select(model.__table__)
        for clause in where:
            query = query.where(clause)
        return connection.execute(query).mappings().all()


# Columns undo must put back exactly (version and updated_* move on).
RESTORED = (
    "pipeline", "stage_id", "title", "account_id", "contact_id", "owner_id", "value", "expected_close",
    "source", "territory", "product", "created_at", "stage_entered_at", "converted_at", "closed_at",
    "lost_reason", "last_activity_at", "milestone",
)


def same_row(a, b) -> bool:
    return {k: a[k] for k in RESTORED} == {k: b[k] for k in RESTORED}


@pytest.fixture
def lead(session, ana):
    return deals.create_lead(session, F(title="Acme rollout", value=500_000), by=ana.id)


@pytest.fixture
def opp(session, ana):
    deal = deals.create_opportunity(session, F(title="Globex renewal", value=1_200_000), by=ana.id)
    tick(60)
    return deals.move_to_stage(session, deal.id, stage_id(session, OPPORTUNITY, "Proposal"), version=deal.version, by=ana.id)


def undo_now(session, deal_id: int, by: int) -> undo.Undone:
    tick(10)
    current = deals.get_deal(session, deal_id)
    return undo.undo_last(session, deal_id, version=current.version, by=by)


# --- deal-row changes --------------------------------------------------------------------------


ROW_CHANGES = {
    "stage move": lambda s, d, by: deals.move_deal(s, d.id, +1, version=d.version, by=by),
    "move_to_stage": lambda s, d, by: deals.move_to_stage(
        s, d.id, list_stages(s, d.pipeline, open_only=True)[0].id, version=d.version, by=by
    ),
    "won": lambda s, d, by: deals.mark_won(s, d.id, version=d.version, by=by),
    "lost": lambda s, d, by: deals.mark_lost(s, d.id, "Price", version=d.version, by=by),
    "owner change": lambda s, d, by: deals.edit_deal(s, d.id, F(owner_id=by + 1), version=d.version, by=by),
    "value change": lambda s, d, by: deals.edit_deal(s, d.id, F(value=7), version=d.version, by=by),
    "close date change": lambda s, d, by: deals.edit_deal(
        s, d.id, F(expected_close=date(2027, 3, 31)), version=d.version, by=by
    ),
    "edit": lambda s, d, by: deals.edit_deal(
        s, d.id, F(title="Renamed", account="Initech", contact="Milton", territory="EMEA"), version=d.version, by=by
    ),
    "everything at once": lambda s, d, by: deals.edit_deal(
        s, d.id, F(owner_id=by + 1, value=9, expected_close=date(2027, 1, 1), product="Suite"), version=d.version, by=by
    ),
}


@pytest.mark.parametrize("change", list(ROW_CHANGES))
def test_undoing_a_row_change_restores_the_row_exactly(session, db, ana, bob, opp, change):
    allow_open_editing(session)  # ana gives her deal to bob, which is otherwise a manager's
    before = stored(db, opp.id)
    tick(30)
    ROW_CHANGES[change](session, opp, ana.id)
    changed = stored(db, opp.id)
    assert not same_row(changed, before)
    n_events = len(rows(db, DealEvent, DealEvent.deal_id == opp.id))

    result = undo_now(session, opp.id, ana.id)

    after = stored(db, opp.id)
    assert same_row(after, before)
    assert after["version"] == changed["version"] + 1
    assert after["updated_by_id"] == ana.id
    assert result.deal.version == after["version"]
    assert result.description.startswith("undid the ")
    # One "undone" event per event of the change; nothing is erased.
    history = events.history(session, opp.id)
    undone = [e for e in history if e.kind == events.UNDONE]
    assert len(history) == n_events + len(undone)
    reversed_ids = {e.undoes_id for e in undone}
    assert reversed_ids == {e.id for e in history if e.data.get("version") == changed["version"] and e.kind != events.UNDONE}
    assert all(e.rep_id == ana.id for e in undone)


def test_undoing_a_stage_move_describes_it(session, db, ana, lead):
    names = [s.name for s in list_stages(session, LEAD, open_only=True)]
    deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    result = undo_now(session, lead.id, ana.id)
    assert result.description == f"undid the stage move ({names[0]} → {names[1]})"
    assert result.deal.stage_name == names[0]
    assert stored(db, lead.id)["stage_id"] == lead.stage_id


def test_undoing_a_conversion_makes_it_a_lead_again(session, db, ana, lead):
    before = stored(db, lead.id)
    deals.convert_lead(session, lead.id, version=1, by=ana.id)
    assert stored(db, lead.id)["pipeline"] == OPPORTUNITY
    result = undo_now(session, lead.id, ana.id)
    after = stored(db, lead.id)
    assert after["pipeline"] == LEAD and after["converted_at"] is None
    assert same_row(after, before)
    assert "conversion" in result.description


def test_undoing_a_reopen_closes_the_deal_again(session, db, ana, opp):
    won = deals.mark_won(session, opp.id, version=opp.version, by=ana.id)
    closed = stored(db, opp.id)
    tick(60)
    deals.reopen(session, opp.id, version=won.version, by=ana.id)
    assert stored(db, opp.id)["closed_at"] is None
    undo_now(session, opp.id, ana.id)
    after = stored(db, opp.id)
    assert same_row(after, closed)
    assert after["closed_at"] == closed["closed_at"]


def test_undoing_a_loss_clears_the_reason(session, db, ana, lead):
    deals.mark_lost(session, lead.id, "Not a fit", version=1, by=ana.id)
    undo_now(session, lead.id, ana.id)
    row = stored(db, lead.id)
    assert row["lost_reason"] is None and row["closed_at"] is None
    assert row["stage_id"] == lead.stage_id


def test_a_chain_of_undos_walks_back_to_the_start_then_stops(session, db, ana, lead):
    start = stored(db, lead.id)
    deal = lead
    for _ in range(3):
        tick(5)
        deal = deals.move_deal(session, deal.id, +1, version=deal.version, by=ana.id)
    deal = deals.edit_deal(session, deal.id, F(value=1), version=deal.version, by=ana.id)
    positions = []
    for _ in range(4):
        undo_now(session, lead.id, ana.id)
        positions.append(stored(db, lead.id)["stage_id"])
    opens = [s.id for s in list_stages(session, LEAD, open_only=True)]
    assert positions == [opens[3], opens[2], opens[1], opens[0]]
    assert same_row(stored(db, lead.id), start)
    with pytest.raises(RuleViolation, match="nothing of yours to undo"):
        undo_now(session, lead.id, ana.id)
    assert stored(db, lead.id)["version"] == 1 + 4 + 4


def test_creating_is_not_undoable(session, db, ana, lead):
    with pytest.raises(RuleViolation, match="nothing of yours to undo on “Acme rollout”"):
        undo.undo_last(session, lead.id, version=1, by=ana.id)
    assert stored(db, lead.id)["version"] == 1
    assert [e.kind for e in events.history(session, lead.id)] == ["created"]


def test_nothing_to_undo_for_a_rep_who_did_nothing_on_the_deal(session, db, ana, bob, lead):
    deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    with pytest.raises(RuleViolation, match="nothing of yours"):
        undo.undo_last(session, lead.id, version=2, by=bob.id)
    assert stored(db, lead.id)["version"] == 2


def test_undo_is_refused_when_another_rep_changed_the_deal_afterwards(session, db, ana, bob, lead):
    deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    tick(5)
    deals.edit_deal(session, lead.id, F(value=99), version=2, by=bob.id)
    before = stored(db, lead.id)
    n_events = len(rows(db, DealEvent))
    with pytest.raises(RuleViolation, match="changed again by Bob Stone"):
        undo.undo_last(session, lead.id, version=3, by=ana.id)
    assert stored(db, lead.id) == before
    assert len(rows(db, DealEvent)) == n_events

    # Once Bob undoes his own change, Ana's is the latest again and may go.
    undo.undo_last(session, lead.id, version=3, by=bob.id)
    undo.undo_last(session, lead.id, version=4, by=ana.id)
    row = stored(db, lead.id)
    assert row["stage_id"] == lead.stage_id and row["value"] == 500_000


def test_another_reps_work_on_the_deal_does_not_block_undoing_a_row_change(session, db, ana, bob, lead):
    deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    activities.log_activity(session, lead.id, "call", by=bob.id)
    notes.add_note(session, lead.id, "Spoke to the CFO", by=bob.id)
    undo_now(session, lead.id, ana.id)
    assert stored(db, lead.id)["stage_id"] == lead.stage_id
    assert len(rows(db, Activity)) == 1 and len(rows(db, Note)) == 1


def test_undo_with_a_stale_version_is_a_conflict(session, db, ana, bob, lead):
    deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    deals.edit_deal(session, lead.id, F(value=3), version=2, by=bob.id)
    with pytest.raises(Conflict, match="Bob Stone"):
        undo.undo_last(session, lead.id, version=2, by=bob.id)
    assert stored(db, lead.id)["value"] == 3


def test_undo_only_takes_the_reps_own_last_change(session, db, ana, bob, lead):
    deal = deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    deal = deals.edit_deal(session, lead.id, F(value=1), version=deal.version, by=bob.id)
    deal = deals.edit_deal(session, lead.id, F(value=2), version=deal.version, by=bob.id)
    undo.undo_last(session, lead.id, version=deal.version, by=bob.id)
    row = stored(db, lead.id)
    assert row["value"] == 1 and row["stage_id"] != lead.stage_id


# --- work on a deal ----------------------------------------------------------------------------


def test_undoing_a_logged_activity_removes_it_and_recomputes_the_deal(session, db, ana, lead):
    first = activities.log_activity(session, lead.id, "meeting", by=ana.id, milestone="rapport")
    tick(60)
    activities.log_activity(session, lead.id, "demo", by=ana.id, milestone="findings")
    assert stored(db, lead.id)["milestone"] == "findings"
    version = stored(db, lead.id)["version"]
    result = undo_now(session, lead.id, ana.id)
    assert "logged activity" in result.description
    assert [a["id"] for a in rows(db, Activity)] == [first.id]
    row = stored(db, lead.id)
    assert row["milestone"] == "rapport" and row["last_activity_at"] == first.occurred_at
    assert row["version"] == version
    undo_now(session, lead.id, ana.id)
    row = stored(db, lead.id)
    assert rows(db, Activity) == [] and row["milestone"] is None and row["last_activity_at"] is None


def test_undoing_a_note_removes_it(session, db, ana, lead):
    notes.add_note(session, lead.id, "Called, they agreed to a pilot", by=ana.id)
    undo_now(session, lead.id, ana.id)
    assert rows(db, Note) == []
    kinds = [e.kind for e in events.history(session, lead.id)]
    assert kinds == ["created", events.NOTE_ADDED, events.UNDONE]


def test_undoing_a_new_task_removes_it(session, db, ana, lead):
    task = tasks.add_task(session, lead.id, "Send pricing", date(2026, 11, 20), by=ana.id)
    result = undo_now(session, lead.id, ana.id)
    assert rows(db, Task) == []
    assert result.description == "undid the new task “Send pricing”"
    undone = events.history(session, lead.id)[-1]
    assert undone.kind == events.UNDONE and undone.data["kind"] == events.TASK_ADDED
    assert undone.undoes_id == events.history(session, lead.id)[-2].id
    assert task.id  # the event pointed at it


def test_a_done_task_is_not_undone_away(session, db, ana, bob, lead):
    task = tasks.add_task(session, lead.id, "Send pricing", date(2026, 11, 20), by=ana.id)
    tasks.complete_task(session, task.id, by=bob.id)
    with pytest.raises(RuleViolation, match="already done"):
        undo_now(session, lead.id, ana.id)
    assert len(rows(db, Task)) == 1


def test_undoing_a_completion_reopens_the_task(session, db, ana, lead):
    task = tasks.add_task(session, lead.id, "Send pricing", date(2026, 11, 20), by=ana.id)
    tasks.complete_task(session, task.id, by=ana.id)
    undo_now(session, lead.id, ana.id)
    [row] = rows(db, Task)
    assert row["done_at"] is None


def test_undoing_a_reopening_restores_when_the_task_was_done(session, db, ana, lead):
    task = tasks.add_task(session, lead.id, "Send pricing", date(2026, 11, 20), by=ana.id)
    done = tasks.complete_task(session, task.id, by=ana.id)
    tick(60 * 24)
    tasks.reopen_task(session, task.id, by=ana.id)
    undo_now(session, lead.id, ana.id)
    [row] = rows(db, Task)
    assert row["done_at"] == done.done_at


def test_undoing_a_reschedule_puts_the_due_day_back(session, db, ana, lead):
    task = tasks.add_task(session, lead.id, "Send pricing", date(2026, 11, 20), by=ana.id)
    tasks.reschedule_task(session, task.id, date(2026, 11, 27), by=ana.id)
    undo_now(session, lead.id, ana.id)
    [row] = rows(db, Task)
    assert row["due"] == date(2026, 11, 20)


def test_undo_walks_back_through_work_and_row_changes_in_order(session, db, ana, lead):
    deal = deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    task = tasks.add_task(session, lead.id, "Send pricing", date(2026, 11, 20), by=ana.id)
    tasks.complete_task(session, task.id, by=ana.id)
    activities.log_activity(session, lead.id, "call", by=ana.id, milestone="nurture")
    notes.add_note(session, lead.id, "Left a voicemail", by=ana.id)
    descriptions = [undo_now(session, lead.id, ana.id).description for _ in range(5)]
    assert [d.split(" ", 2)[2] for d in descriptions] == [
        "note",
        "logged activity",
        "task completion “Send pricing”",
        "new task “Send pricing”",
        f"stage move ({lead.stage_name} → {deal.stage_name})",
    ]
    assert rows(db, Note) == [] and rows(db, Activity) == [] and rows(db, Task) == []
    row = stored(db, lead.id)
    assert row["stage_id"] == lead.stage_id and row["milestone"] is None
    with pytest.raises(RuleViolation):
        undo_now(session, lead.id, ana.id)


def test_undone_events_stay_in_the_history_and_point_at_what_they_reversed(session, db, ana, lead):
    deals.move_deal(session, lead.id, +1, version=1, by=ana.id)
    undo_now(session, lead.id, ana.id)
    created, moved, undone = events.history(session, lead.id)
    assert (created.kind, moved.kind, undone.kind) == ("created", "stage_changed", "undone")
    assert undone.undoes_id == moved.id
    assert undone.data["kind"] == "stage_changed" and undone.data["version"] == 3
    with db.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(DealEvent.__table__)).scalar_one() == 3


# --- undo_latest: the rep's own changes in this session, on any deal ----------------------------


def undo_mine(session, rep_id: int, since: int) -> undo.Undone:
    tick(1)
    return undo.undo_latest(session, by=rep_id, since=since)


def test_undo_latest_takes_the_reps_last_change_wherever_it_was(session, db, ana, opp, lead):
    """The board bug: after `w` the card left and `u` hit the neighbour's old activity."""
    activities.log_activity(session, lead.id, "call", by=ana.id)  # before this session
    since = undo.session_start(session)
    tick(5)
    current = deals.get_deal(session, opp.id)
    deals.mark_won(session, opp.id, version=current.version, by=ana.id)

    result = undo_mine(session, ana.id, since)

    assert result.description == "Undid: won “Globex renewal” ($12,000) — back in Proposal"
    assert result.deal.id == opp.id and result.deal.stage_name == "Proposal"
    row = stored(db, opp.id)
    assert row["closed_at"] is None
    assert len(rows(db, Activity)) == 1  # the other deal's activity is untouched
    with pytest.raises(RuleViolation, match="Nothing of yours to undo"):
        undo_mine(session, ana.id, since)
    assert len(rows(db, Activity)) == 1


def test_undo_latest_walks_back_through_the_session_in_reverse_order(session, db, ana, opp, lead):
    since = undo.session_start(session)
    tick(1)
    activities.log_activity(session, lead.id, "call", by=ana.id)
    tick(1)
    moved = deals.move_deal(session, opp.id, +1, version=deals.get_deal(session, opp.id).version, by=ana.id)
    tick(1)
    tasks.add_task(session, lead.id, "Send pricing", date(2026, 11, 20), by=ana.id)
    tick(1)
    deals.mark_lost(session, opp.id, "Price", version=moved.version, by=ana.id)

    descriptions = [undo_mine(session, ana.id, since).description for _ in range(4)]

    assert descriptions == [
        "Undid: lost “Globex renewal” — back in Negotiation",
        "Undid: new task “Send pricing” on “Acme rollout” — removed",
        "Undid: moved “Globex renewal” Proposal → Negotiation — back in Proposal",
        "Undid: call logged on “Acme rollout” — removed",
    ]
    assert rows(db, Activity) == [] and rows(db, Task) == []
    assert deals.get_deal(session, opp.id).stage_name == "Proposal"
    with pytest.raises(RuleViolation, match="Nothing of yours"):
        undo_mine(session, ana.id, since)


def test_undo_latest_never_takes_another_reps_change(session, db, ana, bob, opp, lead):
    since = undo.session_start(session)
    activities.log_activity(session, lead.id, "call", by=bob.id)
    with pytest.raises(RuleViolation, match="Nothing of yours"):
        undo_mine(session, ana.id, since)
    assert len(rows(db, Activity)) == 1


def test_undo_latest_is_refused_when_someone_changed_the_deal_since(session, db, ana, bob, opp):
    since = undo.session_start(session)
    won = deals.mark_won(session, opp.id, version=opp.version, by=ana.id)
    tick(5)
    notes.add_note(session, opp.id, "Signed, countersigned and filed", by=bob.id)
    before, n_events = stored(db, opp.id), len(rows(db, DealEvent))

    with pytest.raises(RuleViolation, match="Not undone: Bob Stone changed “Globex renewal” after your won"):
        undo_mine(session, ana.id, since)

    assert stored(db, opp.id) == before and len(rows(db, DealEvent)) == n_events
    assert won.closed_at is not None


def test_undo_latest_refuses_a_change_older_than_the_window(session, db, ana, opp):
    since = undo.session_start(session)
    deals.move_deal(session, opp.id, +1, version=opp.version, by=ana.id)
    tick(int(undo.UNDO_WINDOW.total_seconds() // 60) + 1)
    with pytest.raises(RuleViolation, match="is over 12 hours old"):
        undo.undo_latest(session, by=ana.id, since=since)
    assert deals.get_deal(session, opp.id).stage_name == "Negotiation"


def test_undoing_a_note_keeps_its_text_in_the_history(session, db, ana, lead):
    since = undo.session_start(session)
    body = "Called, they agreed to a pilot\nBudget signed off by the CFO"
    notes.add_note(session, lead.id, body, by=ana.id)

    result = undo_mine(session, ana.id, since)

    assert rows(db, Note) == []
    assert result.description == (
        "Undid: note on “Acme rollout” “Called, they agreed to a pilot” — its text stays in the timeline"
    )
    undone = events.history(session, lead.id)[-1]
    assert undone.kind == events.UNDONE and undone.data["body"] == body
    from store.timeline import deal_timeline  # noqa: PLC0415

    [entry] = [e for e in deal_timeline(session, lead.id) if e.event_kind == events.UNDONE]
    assert entry.headline == "Undid the note “Called, they agreed to a pilot”" and entry.detail == body
