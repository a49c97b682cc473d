"""The forecast: open and weighted pipeline by expected close, won so far, coverage,
and what slipped out. Clock: Wednesday 2026-11-18 14:30 UTC; quarters.

Stage win probabilities (the defaults): Qualified 10%, Needs analysis 30%,
Proposal 60%, Negotiation 80%.

 deal  owner  stage           value      close now    history / closed
 F1    ana    Qualified       1,000,000  2026-12-10
 F2    ana    Proposal          500,000  2026-11-30
 F3    ben    Negotiation       200,000  2027-01-15
 F4    ana    Won               400,000               closed 2026-09-30 16:00 UTC (1 Oct in Tokyo)
 F5    ana    Needs analysis    300,000  2027-02-01   10 Nov: 2026-12-20 → 2027-02-01        slipped
 F6    ana    Qualified         100,000  2026-12-15   1 Nov: 12-01 → 2027-01-10; 5 Nov: back to 12-15
 F7    ana    Won               250,000  2027-01-05   2 Nov: 11-20 → 2027-01-05; won 15 Nov
 F8    ben    Proposal          700,000  2027-03-20   1 Sep: 2026-12-01 → 2027-03-20          slipped
 F9    ben    Qualified          50,000  2027-02-15   1 May: 2026-11-15 → 2027-02-15 (before Q3: not counted)
 F10   ana    Lost               80,000  2026-12-05   (closed: not open pipeline)
"""

from __future__ import annotations

from datetime import date

import pytest

from store import forecast, goals, numbers
from store.periods import MONTH, QUARTER
from tests.store.numbers_fixture import TOKYO, add_close_change, add_deal, at, make_reps, set_timezone


# Every test here runs at tests/conftest.py's FIXED_NOW, frozen.
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def book(session):
    ana, ben, mia = make_reps(session)
    old = at(2026, 8, 1)
    add_deal(session, "F1", owner=ana.id, stage="Qualified", value=1_000_000, close=date(2026, 12, 10), created=old)
    add_deal(session, "F2", owner=ana.id, stage="Proposal", value=500_000, close=date(2026, 11, 30), created=old)
    add_deal(session, "F3", owner=ben.id, stage="Negotiation", value=200_000, close=date(2027, 1, 15), created=old)
    add_deal(session, "F4", owner=ana.id, stage="Won", value=400_000, created=old, closed=at(2026, 9, 30, 16))
    f5 = add_deal(session, "F5", owner=ana.id, stage="Needs analysis", value=300_000, close=date(2027, 2, 1),
                  created=old)
    add_close_change(session, f5, at(2026, 11, 10), date(2026, 12, 20), date(2027, 2, 1))
    f6 = add_deal(session, "F6", owner=ana.id, stage="Qualified", value=100_000, close=date(2026, 12, 15), created=old)
    add_close_change(session, f6, at(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 10))
    add_close_change(session, f6, at(2026, 11, 5), date(2027, 1, 10), date(2026, 12, 15))
    f7 = add_deal(session, "F7", owner=ana.id, stage="Won", value=250_000, close=date(2027, 1, 5), created=old,
                  closed=at(2026, 11, 15))
    add_close_change(session, f7, at(2026, 11, 2), date(2026, 11, 20), date(2027, 1, 5))
    f8 = add_deal(session, "F8", owner=ben.id, stage="Proposal", value=700_000, close=date(2027, 3, 20), created=old)
    add_close_change(session, f8, at(2026, 9, 1), date(2026, 12, 1), date(2027, 3, 20))
    f9 = add_deal(session, "F9", owner=ben.id, stage="Qualified", value=50_000, close=date(2027, 2, 15),
                  created=at(2026, 4, 1))
    add_close_change(session, f9, at(2026, 5, 1), date(2026, 11, 15), date(2027, 2, 15))
    add_deal(session, "F10", owner=ana.id, stage="Lost", value=80_000, close=date(2026, 12, 5), created=old,
             closed=at(2026, 11, 3))
    session.commit()
    return {"ana": ana, "ben": ben, "mia": mia}


def test_team_forecast_for_this_quarter_and_the_next(session, book):
    quarter = numbers.team_period(session, QUARTER)
    result = forecast.forecast(session, quarter)
    this, upcoming = result.this, result.next
    assert (this.period.label, upcoming.period.label) == ("Q4 2026", "Q1 2027")
    # Closing in Q4 and open: F1, F2, F6 = 1,600,000; weighted 100,000 + 300,000 + 10,000.
    assert (this.open_count, this.open_value, this.weighted) == (3, 1_600_000, 410_000)
    # Won in Q4 (UTC): F7 only; F4 closed on 30 Sep in UTC.
    assert (this.won_count, this.won_value) == (1, 250_000)
    # Slipped out of Q4: F5 (moved 10 Nov) and F8 (1 Sep, in Q3: counts). Not F6 (moved back in),
    # not F7 (won in Q4), not F9 (moved in May, before Q3 began).
    assert [d.title for d in this.slipped] == ["F5", "F8"]
    assert (this.slipped_count, this.slipped_value) == (2, 1_000_000)
    f5 = this.slipped[0]
    assert (f5.was, f5.now, f5.owner_name, f5.stage_name) == (date(2026, 12, 20), date(2027, 2, 1), "Ana Reyes",
                                                            "Needs analysis")
    assert f5.slipped_at == at(2026, 11, 10)
    # Q1 2027: F3 160,000 + F5 90,000 + F8 420,000 + F9 5,000 weighted; nothing slipped out of it.
    assert (upcoming.open_count, upcoming.open_value, upcoming.weighted) == (4, 1_250_000, 675_000)
    assert (upcoming.won_count, upcoming.slipped_count) == (0, 0)
    # No revenue goals yet: no coverage.
    assert this.goal is None and this.coverage is None


def test_coverage_against_revenue_goals(session, book):
    mia, ana, ben = book["mia"], book["ana"], book["ben"]
    goals.set_goals(session, ana.id, QUARTER, {"won_value": 1_000_000}, by=mia.id)
    goals.set_goals(session, ben.id, QUARTER, {"won_value": 1_000_000}, by=mia.id)
    quarter = numbers.team_period(session, QUARTER)
    team = forecast.forecast(session, quarter)
    assert team.this.goal == 2_000_000
    assert team.this.coverage == pytest.approx(410_000 / 2_000_000)
    assert team.next.coverage == pytest.approx(675_000 / 2_000_000)
    anas = forecast.forecast(session, quarter, owner_id=ana.id)
    # Ana: F1 F2 F6 this quarter (410,000 weighted); F5 next (90,000); her slip is F5.
    assert anas.this.coverage == pytest.approx(410_000 / 1_000_000)
    assert anas.next.weighted == 90_000 and anas.next.coverage == pytest.approx(0.09)
    assert [d.title for d in anas.this.slipped] == ["F5"]
    # A month has no revenue goal: a quarter's is not a month's.
    month = forecast.forecast(session, numbers.team_period(session, MONTH))
    assert month.this.goal is None and month.this.coverage is None


def test_forecast_periods_are_the_team_timezone(session, book):
    set_timezone(session, TOKYO)
    quarter = numbers.team_period(session, QUARTER)
    result = forecast.forecast(session, quarter)
    # F4 closed at 01:00 on 1 Oct in Tokyo: Q4's, with F7.
    assert (result.this.won_count, result.this.won_value) == (2, 650_000)


def test_month_forecast_and_slips(session, book):
    november = numbers.team_period(session, MONTH)
    result = forecast.forecast(session, november)
    # Open and closing in November: F2 (500,000 at 60%).
    assert (result.this.open_count, result.this.open_value, result.this.weighted) == (1, 500_000, 300_000)
    # Won in November: F7. Slipped out of November: F7 was won in it; F9's move was in May.
    assert (result.this.won_count, result.this.won_value) == (1, 250_000)
    assert result.this.slipped_count == 0
    # December: F1 100,000 + F6 10,000 weighted. Slipped out of December: F5 (12-20), F8 (12-01:
    # moved 1 Sep, before November began: not counted); F6 came back.
    assert (result.next.open_count, result.next.weighted) == (2, 110_000)
    assert [d.title for d in result.next.slipped] == ["F5"]


def test_slipped_list_is_limited_but_counted(session, book):
    quarter = numbers.team_period(session, QUARTER)
    this = forecast.period_forecast(session, quarter, slipped_limit=1)
    assert [d.title for d in this.slipped] == ["F5"]
    assert this.slipped_count == 2 and this.slipped_value == 1_000_000
