"""Closed deals: finding them (newest close first, filtered, a window at a time),
reopening one into a chosen stage, and closing a lost deal's open tasks.

Every test runs on SQLite and PostgreSQL, under the frozen clock
(Wednesday 2026-11-18 14:30 UTC) moved forward by ``tick``.
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from sqlmodel import select

from store import closed, deals, events, tasks, today, undo
from store.board import BoardFilter
from store.errors import Conflict, NotFound, RuleViolation
from store.models import LEAD, OPPORTUNITY, Task
from tests.store.conftest import kinds, stage_id, stored, tick

F = deals.DealFields
TEAM = BoardFilter()


def opportunity(session, rep, title: str, value: int = 100_000, **more) -> deals.DealDetail:
    return deals.create_opportunity(session, F(title=title, value=value, **more), by=rep.id)


def to_stage(session, rep, deal, name: str) -> deals.DealDetail:
    return deals.move_to_stage(session, deal.id, stage_id(session, deal.pipeline, name), version=deal.version, by=rep.id)


# --- the closed list -----------------------------------------------------------------------------


@pytest.fixture
def history(session, ana, bob):
    """Four closed opportunities an hour apart, one open, and a disqualified lead."""
    a = opportunity(session, ana, "Acme rollout", 1_000_000, account="Acme")
    b = opportunity(session, bob, "Bolt pilot", 200_000, territory="EMEA")
    c = opportunity(session, ana, "Core renewal", 300_000)
    d = opportunity(session, ana, "Dyno expansion", 400_000)
    opportunity(session, ana, "Still open", 999)
    lead = deals.create_lead(session, F(title="Echo inbound"), by=ana.id)
    tick()
    deals.mark_won(session, a.id, version=a.version, by=ana.id)
    tick()
    deals.mark_lost(session, b.id, "No budget", version=b.version, by=bob.id)
    tick()
    deals.mark_lost(session, c.id, "Went dark", version=c.version, by=ana.id)
    tick()
    deals.mark_won(session, d.id, version=d.version, by=ana.id)
    deals.mark_lost(session, lead.id, "Not a fit", version=lead.version, by=ana.id)
    return {"a": a, "b": b, "c": c, "d": d, "lead": lead}


def test_closed_deals_come_newest_close_first_with_outcome_and_reason(session, history, ana):
    rows = closed.closed_deals(session, OPPORTUNITY, TEAM)
    assert [r.title for r in rows] == ["Dyno expansion", "Core renewal", "Bolt pilot", "Acme rollout"]
    dyno, core, bolt, acme = rows
    assert (dyno.outcome, core.outcome, acme.outcome) == ("won", "lost", "won")
    assert core.lost_reason == "Went dark" and dyno.lost_reason is None
    assert bolt.owner_name == "Bob Stone" and acme.account_name == "Acme"
    assert acme.value == 1_000_000
    assert dyno.closed_at > core.closed_at > bolt.closed_at > acme.closed_at
    (lead,) = closed.closed_deals(session, LEAD, TEAM)
    assert lead.title == "Echo inbound" and lead.outcome == "disqualified"


def test_the_close_day_is_the_day_in_the_timezone_asked_for(session, ana):
    late = opportunity(session, ana, "Late close")
    pendulum.travel_to(pendulum.datetime(2026, 11, 18, 23, 30, tz="UTC"), freeze=True)
    deals.mark_won(session, late.id, version=late.version, by=ana.id)
    (utc,) = closed.closed_deals(session, OPPORTUNITY, TEAM, tz="UTC")
    (tokyo,) = closed.closed_deals(session, OPPORTUNITY, TEAM, tz="Asia/Tokyo")
    assert utc.closed_on == date(2026, 11, 18) and tokyo.closed_on == date(2026, 11, 19)


def test_closed_deals_follow_the_board_filter_and_come_a_window_at_a_time(session, history, ana, bob):
    mine = BoardFilter(owner_id=ana.id)
    assert [r.title for r in closed.closed_deals(session, OPPORTUNITY, mine)] == [
        "Dyno expansion", "Core renewal", "Acme rollout"]
    assert [r.title for r in closed.closed_deals(session, OPPORTUNITY, BoardFilter(territory="EMEA"))] == ["Bolt pilot"]
    assert [r.title for r in closed.closed_deals(session, OPPORTUNITY, BoardFilter(text="acme"))] == ["Acme rollout"]
    window = closed.closed_deals(session, OPPORTUNITY, TEAM, offset=1, limit=2)
    assert [r.title for r in window] == ["Core renewal", "Bolt pilot"]
    totals = closed.closed_totals(session, OPPORTUNITY, TEAM)
    assert (totals.won_count, totals.won_value, totals.lost_count, totals.lost_value) == (2, 1_400_000, 2, 500_000)
    assert closed.closed_totals(session, OPPORTUNITY, mine).count == 3
    assert closed.closed_totals(session, LEAD, TEAM).lost_count == 1


def test_closed_index_is_the_position_in_the_list(session, history, ana):
    rows = closed.closed_deals(session, OPPORTUNITY, TEAM)
    assert [closed.closed_index(session, OPPORTUNITY, TEAM, r.id) for r in rows] == [0, 1, 2, 3]
    mine = BoardFilter(owner_id=ana.id)
    assert closed.closed_index(session, OPPORTUNITY, mine, history["b"].id) is None  # Bob's
    assert closed.closed_index(session, OPPORTUNITY, mine, history["a"].id) == 2
    assert closed.closed_index(session, LEAD, TEAM, history["a"].id) is None


def test_deals_closed_at_the_same_moment_keep_a_stable_order(session, ana):
    same = [opportunity(session, ana, f"Same {i}") for i in range(3)]
    for deal in same:
        deals.mark_won(session, deal.id, version=deal.version, by=ana.id)
    rows = closed.closed_deals(session, OPPORTUNITY, TEAM)
    assert [r.title for r in rows] == ["Same 2", "Same 1", "Same 0"]
    assert [closed.closed_index(session, OPPORTUNITY, TEAM, r.id) for r in rows] == [0, 1, 2]
    assert [r.title for r in closed.closed_deals(session, OPPORTUNITY, TEAM, offset=1, limit=1)] == ["Same 1"]


# --- reopening -----------------------------------------------------------------------------------


def test_reopen_goes_back_to_the_stage_it_closed_from_by_default(session, db, ana):
    deal = to_stage(session, ana, opportunity(session, ana, "Globex"), "Proposal")
    lost = deals.mark_lost(session, deal.id, "Price", version=deal.version, by=ana.id)
    choice = closed.reopen_choice(session, deal.id)
    assert choice.default.name == "Proposal"
    assert [s.name for s in choice.stages] == ["Qualified", "Needs analysis", "Proposal", "Negotiation"]
    now = tick()
    reopened = deals.reopen(session, deal.id, version=lost.version, by=ana.id)
    row = stored(db, deal.id)
    assert reopened.stage_name == "Proposal" and reopened.is_open
    assert row["closed_at"] is None and row["lost_reason"] is None and row["stage_entered_at"] == now
    assert row["version"] == lost.version + 1
    event = events.history(session, deal.id)[-1]
    assert event.kind == events.REOPENED and event.rep_id == ana.id
    assert (event.data["from_stage"], event.data["to_stage"]) == ("Lost", "Proposal")
    assert closed.closed_deals(session, OPPORTUNITY, TEAM) == []


def test_reopen_into_a_chosen_stage(session, db, ana):
    deal = to_stage(session, ana, opportunity(session, ana, "Globex"), "Negotiation")
    won = deals.mark_won(session, deal.id, version=deal.version, by=ana.id)
    qualified = stage_id(session, OPPORTUNITY, "Qualified")
    reopened = deals.reopen(session, deal.id, version=won.version, by=ana.id, stage_id=qualified)
    assert reopened.stage_name == "Qualified" and stored(db, deal.id)["stage_id"] == qualified
    assert events.history(session, deal.id)[-1].data["to_stage"] == "Qualified"


@pytest.mark.parametrize("where", [("opportunity", "Won"), ("opportunity", "Lost"), ("lead", "New")])
def test_reopen_refuses_a_closed_or_foreign_stage(session, db, ana, where):
    deal = opportunity(session, ana, "Globex")
    lost = deals.mark_lost(session, deal.id, "Price", version=deal.version, by=ana.id)
    with pytest.raises(RuleViolation, match="open stage of its pipeline"):
        deals.reopen(session, deal.id, version=lost.version, by=ana.id, stage_id=stage_id(session, *where))
    assert stored(db, deal.id)["version"] == lost.version
    assert kinds(session, deal.id)[-1] == events.LOST


def test_reopen_refuses_an_open_deal(session, db, ana):
    deal = opportunity(session, ana, "Globex")
    with pytest.raises(RuleViolation, match="already open"):
        deals.reopen(session, deal.id, version=deal.version, by=ana.id,
                     stage_id=stage_id(session, OPPORTUNITY, "Proposal"))
    assert stored(db, deal.id)["version"] == deal.version
    assert kinds(session, deal.id) == [events.CREATED]


def test_reopen_refuses_a_version_someone_else_changed(session, db, ana, bob):
    deal = opportunity(session, ana, "Globex")
    lost = deals.mark_lost(session, deal.id, "Price", version=deal.version, by=ana.id)
    # Bob reopens it first from his terminal; Ana's list still shows the lost version.
    deals.reopen(session, deal.id, version=lost.version, by=bob.id)
    bobs = stored(db, deal.id)["version"]
    with pytest.raises(Conflict, match="Bob Stone"):
        deals.reopen(session, deal.id, version=lost.version, by=ana.id,
                     stage_id=stage_id(session, OPPORTUNITY, "Qualified"))
    assert stored(db, deal.id)["version"] == bobs
    assert kinds(session, deal.id).count(events.REOPENED) == 1


def test_a_disqualified_lead_reopens_as_a_lead_in_its_stage(session, db, ana):
    lead = deals.create_lead(session, F(title="Echo inbound"), by=ana.id)
    dq = deals.mark_lost(session, lead.id, "Not a fit", version=lead.version, by=ana.id)
    assert closed.reopen_choice(session, lead.id).default.name == "New"
    reopened = deals.reopen(session, lead.id, version=dq.version, by=ana.id)
    assert reopened.pipeline == LEAD and reopened.stage_name == "New"


def test_undo_closes_a_reopened_deal_again(session, db, ana):
    deal = to_stage(session, ana, opportunity(session, ana, "Globex"), "Proposal")
    lost = deals.mark_lost(session, deal.id, "Price", version=deal.version, by=ana.id)
    reopened = deals.reopen(session, deal.id, version=lost.version, by=ana.id,
                            stage_id=stage_id(session, OPPORTUNITY, "Qualified"))
    undo.undo_last(session, deal.id, version=reopened.version, by=ana.id)
    row = stored(db, deal.id)
    assert row["stage_id"] == stage_id(session, OPPORTUNITY, "Lost") and row["lost_reason"] == "Price"
    assert [r.id for r in closed.closed_deals(session, OPPORTUNITY, TEAM)] == [deal.id]


# --- a lost deal's open tasks --------------------------------------------------------------------


def open_tasks(db, deal_id: int) -> list[str]:
    with db.engine.connect() as connection:
        return [r.title for r in connection.execute(
            select(Task.__table__).where(Task.deal_id == deal_id, Task.done_at.is_(None)))]


def test_closing_a_lost_deals_tasks_takes_them_out_of_today(session, db, ana):
    deal = opportunity(session, ana, "Globex")
    other = opportunity(session, ana, "Initech")
    day = pendulum.today("UTC").date()
    for title in ("Call Hank", "Send pricing", "Book the demo"):
        tasks.add_task(session, deal.id, title, day, by=ana.id)
    tasks.add_task(session, other.id, "Keep me", day, by=ana.id)
    done = tasks.add_task(session, deal.id, "Already done", day, by=ana.id)
    tasks.complete_task(session, done.id, by=ana.id)
    lost = deals.mark_lost(session, deal.id, "Price", version=deal.version, by=ana.id)
    before = today.today_queue(session, ana, day)
    assert {t.title for t in before.tasks} >= {"Call Hank", "Send pricing", "Book the demo", "Keep me"}
    now = tick(5)
    closed_tasks = tasks.close_open_tasks(session, deal.id, by=ana.id)
    assert sorted(t.title for t in closed_tasks) == ["Book the demo", "Call Hank", "Send pricing"]
    assert all(t.done_at == now for t in closed_tasks)
    assert open_tasks(db, deal.id) == [] and open_tasks(db, other.id) == ["Keep me"]
    after = today.today_queue(session, ana, day)
    assert "Call Hank" not in {t.title for t in after.tasks} and "Keep me" in {t.title for t in after.tasks}
    history = events.history(session, deal.id)
    closing = [e for e in history if e.kind == events.TASK_DONE and e.data.get("with_deal")]
    assert sorted(e.data["title"] for e in closing) == ["Book the demo", "Call Hank", "Send pricing"]
    assert all(e.rep_id == ana.id for e in closing)
    assert stored(db, deal.id)["next_task_due"] is None
    assert stored(db, deal.id)["version"] == lost.version  # the deal row itself is untouched
    # Undo reopens the last of them, as for any completed task.
    undo.undo_last(session, deal.id, version=lost.version, by=ana.id)
    assert len(open_tasks(db, deal.id)) == 1


def test_an_open_deals_tasks_are_not_closed_with_it(session, db, ana):
    deal = opportunity(session, ana, "Globex")
    tasks.add_task(session, deal.id, "Call Hank", pendulum.today("UTC").date(), by=ana.id)
    with pytest.raises(RuleViolation, match="is open"):
        tasks.close_open_tasks(session, deal.id, by=ana.id)
    assert open_tasks(db, deal.id) == ["Call Hank"]


def test_closing_tasks_of_an_unknown_deal_or_with_none_open(session, db, ana):
    with pytest.raises(NotFound):
        tasks.close_open_tasks(session, 999_999, by=ana.id)
    deal = opportunity(session, ana, "Globex")
    won = deals.mark_won(session, deal.id, version=deal.version, by=ana.id)
    assert tasks.close_open_tasks(session, deal.id, by=ana.id) == []
    assert kinds(session, deal.id) == [events.CREATED, events.WON]
    assert stored(db, deal.id)["version"] == won.version
