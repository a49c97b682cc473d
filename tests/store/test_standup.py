"""The stand-up agenda over a hand-made history.

The clock is Monday 23 November 2026, 09:00 UTC (team timezone UTC), so the
look-back starts on Friday 20 November 00:00 UTC. Every row is written through the
store at the moment it happened (``travel_to``), so the history is the real one.

  deal          owner  what happened                                   expected group
  Won          ana    Fri 10:00 moved a stage, Fri 15:00 won            won and lost (once)
  Lost         ben    Sat 11:00 lost ("Budget")                         won and lost
  Won Thu      ana    Thu 16:00 won (before the look-back)              —
  Moved Fri    ana    Fri 08:00 moved Qualified → Discovery; closes     moved (once)
                      30 Nov with a task
  Slipped      ben    Sat close 25 Nov → 15 Dec; has a task              slipped
  Pulled in    ana    Sat close 15 Dec → 27 Nov; has a task              closing this month
  Closing      ben    closes 30 Nov, has a task                         closing this month
  Stale        ana    created 1 Oct, nothing since, no task             stale (once)
  No step      ben    created Wed 18 Nov, no task, closes in January    no next step
  Fine         ana    created Wed 18 Nov, a task, closes in January     —
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from store import activities, deals, goals, reps, standup, tasks
from store.deals import DealFields
from tests.store.open_editing import allow_open_editing
from store.standup import (
    CLOSING,
    MOVED,
    NO_NEXT_STEP,
    PAST_DUE,
    SLIPPED,
    STALE,
    WON_LOST,
    last_working_day,
)

MONDAY = pendulum.datetime(2026, 11, 23, 9, tz="UTC")


def at(day: int, hour: int = 12, month: int = 11) -> pendulum.DateTime:
    return pendulum.datetime(2026, month, day, hour, tz="UTC")


class History:
    def __init__(self, s) -> None:
        with pendulum.travel_to(at(1, 9, 10), freeze=True):
            self.ana = reps.create_rep(s, "ana", "Ana Lee")
            self.ben = reps.create_rep(s, "ben", "Ben Ode")
            self.mia = reps.create_rep(s, "mia", "Mia Boss", role="manager")
            self.stale = self._deal(s, "Stale", self.ana).id
        with pendulum.travel_to(at(11), freeze=True):
            won = self._deal(s, "Won", self.ana)
            lost = self._deal(s, "Lost", self.ben)
            won_thu = self._deal(s, "Won Thu", self.ana)
            moved = self._deal(s, "Moved Fri", self.ana, close=date(2026, 11, 30))
            slipped = self._deal(s, "Slipped", self.ben, close=date(2026, 11, 25))
            pulled = self._deal(s, "Pulled in", self.ana, close=date(2026, 12, 15))
            closing = self._deal(s, "Closing", self.ben, close=date(2026, 11, 30))
            for deal in (moved, slipped, pulled, closing):
                tasks.add_task(s, deal.id, "Follow up", date(2026, 11, 24), by=deal.owner_id)
            # Recent work keeps these from going stale.
            for deal in (won, lost, won_thu):
                activities.log_activity(s, deal.id, "call", by=deal.owner_id)
        with pendulum.travel_to(at(18), freeze=True):
            self.no_step = self._deal(s, "No step", self.ben, close=date(2027, 1, 15)).id
            fine = self._deal(s, "Fine", self.ana, close=date(2027, 1, 15))
            tasks.add_task(s, fine.id, "Send the deck", date(2026, 11, 25), by=self.ana.id)
            self.fine = fine.id
        with pendulum.travel_to(at(19, 16), freeze=True):
            deals.mark_won(s, won_thu.id, version=won_thu.version, by=self.ana.id)
            allow_open_editing(s)  # Ben helps on Ana's deal, as the team then allowed
            activities.log_activity(s, moved.id, "call", by=self.ben.id)  # Thursday: not "yesterday"
            allow_open_editing(s, False)
        with pendulum.travel_to(at(20, 8), freeze=True):
            moved = deals.move_deal(s, moved.id, 1, version=moved.version, by=self.ana.id)
            activities.log_activity(s, moved.id, "call", by=self.ana.id, outcome="Spoke to the CFO")
        with pendulum.travel_to(at(20, 10), freeze=True):
            won = deals.move_deal(s, won.id, 1, version=won.version, by=self.ana.id)
            activities.log_activity(s, won.id, "meeting", by=self.ana.id, milestone="rapport")
        with pendulum.travel_to(at(20, 15), freeze=True):
            deals.mark_won(s, won.id, version=won.version, by=self.ana.id)
        with pendulum.travel_to(at(21, 11), freeze=True):
            deals.mark_lost(s, lost.id, "Budget", version=lost.version, by=self.ben.id)
            deals.edit_deal(s, slipped.id, DealFields(expected_close=date(2026, 12, 15)), version=slipped.version,
                            by=self.ben.id)
            deals.edit_deal(s, pulled.id, DealFields(expected_close=date(2026, 11, 27)), version=pulled.version,
                            by=self.ana.id)
        with pendulum.travel_to(at(23, 8), freeze=True):
            activities.log_activity(s, moved.id, "email", by=self.ana.id)  # the week so far
            goals.set_goals(s, self.ana.id, "week", {"activities": 10, "activity:call": 6}, by=self.mia.id)
        self.won, self.lost, self.won_thu, self.moved = won.id, lost.id, won_thu.id, moved.id
        self.slipped, self.pulled, self.closing = slipped.id, pulled.id, closing.id

    @staticmethod
    def _deal(s, title: str, owner, *, close: date | None = None):
        return deals.create_opportunity(
            s, DealFields(title=title, account=f"{title} Inc", value=100_000, expected_close=close, owner_id=owner.id),
            by=owner.id,
        )


@pytest.fixture
def history(session) -> History:
    return History(session)


@pytest.fixture
def monday():
    with pendulum.travel_to(MONDAY, freeze=True):
        yield MONDAY


def titles(agenda, group: str) -> list[str]:
    return [item.deal.title for item in agenda.group_items(group)]


def test_last_working_day_looks_back_over_the_weekend():
    assert last_working_day(date(2026, 11, 23)) == date(2026, 11, 20)  # Monday → Friday
    assert last_working_day(date(2026, 11, 24)) == date(2026, 11, 23)  # Tuesday → Monday
    assert last_working_day(date(2026, 11, 22)) == date(2026, 11, 20)  # Sunday → Friday


def test_each_group_in_order_and_every_deal_once(session, history, monday):
    agenda = standup.standup_agenda(session)
    assert agenda.since == date(2026, 11, 20)  # Monday looks back to Friday
    assert agenda.since_at == pendulum.datetime(2026, 11, 20, tz="UTC")
    assert titles(agenda, WON_LOST) == ["Won", "Lost"]  # by when they closed
    assert titles(agenda, MOVED) == ["Moved Fri"]  # "Won" moved too, but is listed once, as won
    assert titles(agenda, SLIPPED) == ["Slipped"]  # "Pulled in" moved earlier: not a slip
    assert titles(agenda, CLOSING) == ["Pulled in", "Closing"]  # by close date
    assert titles(agenda, STALE) == ["Stale"]
    assert titles(agenda, NO_NEXT_STEP) == ["No step"]  # "Stale" has none either, but is listed once
    groups = [item.group for item in agenda.items]
    assert groups == sorted(groups, key=standup.GROUPS.index)
    ids = [item.deal.id for item in agenda.items]
    assert len(ids) == len(set(ids))
    assert history.won_thu not in ids and history.fine not in ids


def test_an_item_says_what_changed_its_last_activities_and_next_task(session, history, monday):
    agenda = standup.standup_agenda(session)
    won = agenda.items[agenda.position_of(history.won)]
    # "when · who · what", oldest first; activities are listed apart.
    assert won.changes == ("Fri 10:00 · Ana Lee · Moved Qualified → Needs analysis", "Fri 15:00 · Ana Lee · Won · $1,000")
    assert [a.type for a in won.activities] == ["meeting", "call"]
    moved = agenda.items[agenda.position_of(history.moved)]
    # Three activities: the last two, newest first.
    assert [a.type for a in moved.activities] == ["email", "call"]
    assert moved.next_task is not None and moved.next_task.title == "Follow up"
    assert moved.days_in_stage == 3
    lost = agenda.items[agenda.position_of(history.lost)]
    assert any("Budget" in line for line in lost.changes)
    slipped = agenda.items[agenda.position_of(history.slipped)]
    assert any("2026-11-25 → 2026-12-15" in line for line in slipped.changes)


def test_numbers_for_yesterday_and_the_week_so_far(session, history, monday):
    agenda = standup.standup_agenda(session)
    rows = {row.name: row for row in agenda.numbers}
    assert list(rows) == ["Ana Lee", "Ben Ode", "Team"]
    # Friday: Ana's call on Moved Fri and meeting on Won; Ben's Thursday call is not yesterday.
    assert rows["Ana Lee"].yesterday.get("activities") == 2
    assert rows["Ana Lee"].yesterday.get("activity:call") == 1
    assert rows["Ben Ode"].yesterday.get("activities", 0) == 0
    # The week of Monday 23 November: Ana's email this morning.
    assert rows["Ana Lee"].week["activities"] == 1
    assert rows["Ana Lee"].goal_figures() == [("activities", 1, 10), ("activity:call", 0, 6)]
    # Only Ana has goals: the team's work against her goals alone would mislead, so none.
    assert rows["Team"].yesterday["activities"] == 2 and rows["Team"].goals == {}
    goals.set_goals(session, history.ben.id, "week", {"activities": 15, "won_value": 2_000_000}, by=history.mia.id)
    rows = {row.name: row for row in standup.standup_agenda(session).numbers}
    assert rows["Team"].goals == {"activities": 25}  # both have an activities goal; only Ben a won one


def test_one_rep(session, history, monday):
    agenda = standup.standup_agenda(session, rep_id=history.ben.id)
    assert agenda.rep_name == "Ben Ode"
    assert [item.deal.title for item in agenda.items] == ["Lost", "Slipped", "Closing", "No step"]
    assert [row.name for row in agenda.numbers] == ["Ben Ode"]


def test_since_a_given_day(session, history, monday):
    agenda = standup.standup_agenda(session, since=date(2026, 11, 19))
    assert titles(agenda, WON_LOST) == ["Won Thu", "Won", "Lost"]
    tuesday = standup.standup_agenda(session, today=date(2026, 11, 24))
    assert tuesday.since == date(2026, 11, 23) and titles(tuesday, WON_LOST) == []


def test_agenda_item_reads_one_deal_again(session, history, monday):
    agenda = standup.standup_agenda(session)
    item = agenda.items[agenda.position_of(history.no_step)]
    tasks.add_task(session, history.no_step, "Book the demo", date(2026, 11, 25), by=history.ben.id)
    again = standup.agenda_item(session, agenda, history.no_step)
    assert again.group == NO_NEXT_STEP and item.next_task is None
    assert again.next_task.title == "Book the demo"
    assert any("Book the demo" in line for line in again.changes)


def test_a_close_date_already_passed_is_past_due_not_skipped(session, history, monday):
    with pendulum.travel_to(at(16), freeze=True):
        earlier = History._deal(s=session, title="Earlier this month", owner=history.ana, close=date(2026, 11, 2))
        friday = History._deal(s=session, title="Due Friday", owner=history.ben, close=date(2026, 11, 20))
        today = History._deal(s=session, title="Due today", owner=history.ben, close=date(2026, 11, 23))
        for deal in (earlier, friday, today):  # a next step each: neither stale nor without one
            tasks.add_task(session, deal.id, "Chase", date(2026, 11, 24), by=deal.owner_id)
    pendulum.travel_to(MONDAY, freeze=True)  # leaving travel_to went back to the real clock
    agenda = standup.standup_agenda(session)
    # Still open with the close date before today (Monday 23 Nov): longest overdue first.
    assert titles(agenda, PAST_DUE) == ["Earlier this month", "Due Friday"]
    assert titles(agenda, CLOSING) == ["Due today", "Pulled in", "Closing"]
    assert standup.GROUPS.index(PAST_DUE) < standup.GROUPS.index(CLOSING)
    assert agenda.group_items(PAST_DUE)[0].group_title == "Past due"
    assert [i.deal.title for i in standup.standup_agenda(session, rep_id=history.ben.id).group_items(PAST_DUE)] == [
        "Due Friday"]


def test_what_changed_is_told_in_the_viewers_timezone(session, history, monday):
    won = lambda agenda: agenda.items[agenda.position_of(history.won)]  # noqa: E731
    assert won(standup.standup_agenda(session)).changes[1].startswith("Fri 15:00 ·")  # the team's UTC
    # 15:00 UTC on Friday is already Saturday in Tokyo; 07:00 on Friday in Los Angeles.
    tokyo = standup.standup_agenda(session, viewer_tz="Asia/Tokyo")
    assert won(tokyo).changes == ("Fri 19:00 · Ana Lee · Moved Qualified → Needs analysis", "Sat 00:00 · Ana Lee · Won · $1,000")
    assert won(standup.standup_agenda(session, viewer_tz="America/Los_Angeles")).changes[1].startswith("Fri 07:00 ·")
    # Read again after a decision, the deal keeps the viewer's timezone.
    assert standup.agenda_item(session, tokyo, history.won).changes == won(tokyo).changes
    # The look-back's days stay the team's: Friday from 00:00 UTC.
    assert tokyo.since_at == pendulum.datetime(2026, 11, 20, tz="UTC")


def test_a_group_counts_every_deal_and_says_how_many_are_listed(session, history, monday, monkeypatch):
    monkeypatch.setattr(standup, "GROUP_LIMIT", 1)
    agenda = standup.standup_agenda(session)
    assert titles(agenda, WON_LOST) == ["Won"] and agenda.group_total(WON_LOST) == 2
    assert titles(agenda, CLOSING) == ["Pulled in"] and agenda.group_total(CLOSING) == 2
    assert agenda.group_total(STALE) == 1
    assert [agenda.items[n].group for n in agenda.group_starts()] == [
        WON_LOST, MOVED, SLIPPED, CLOSING, STALE, NO_NEXT_STEP]
