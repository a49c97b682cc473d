"""Deal figures (store.deal_numbers): win rate, lost, average won deal, sales cycle,
grouped and narrowed by team and territory; periods named by date.

The clock is Wednesday 2026-11-18 14:30 UTC; the team's timezone is UTC. Every
expected figure is worked out in the comments from the rows below.
"""

from __future__ import annotations

from fractions import Fraction

import pendulum
import pytest
from sqlmodel import select

from store import deal_numbers, numbers, reps
from store.deal_numbers import BY_REP, BY_TEAM, BY_TERRITORY, DealFigures
from store.errors import InvalidInput, NotFound
from store.models import Deal, Rep, Team
from store.periods import QUARTER, named_period, period_containing, periods_between
from tests.conftest import FIXED_NOW
from tests.store.numbers_fixture import add_activity, add_deal, at

# --- the hand-built sales floor --------------------------------------------------------------
#
# Teams: North (alex, bea), South (cy); dee has no team.
#
#  #   owner  territory  outcome        value      created            closed             cycle
#  1   alex   EMEA       won            1,000.00   1 Jun 00:00        11 Jul 00:00       40 d
#  2   alex   APAC       won            3,000.00   1 Jul 12:00        21 Jul 12:00       20 d
#  3   alex   EMEA       lost             500.00   1 Jul              1 Aug
#  4   bea    EMEA       lost           2,000.00   1 Sep              30 Sep 23:00
#  5   bea    EMEA       won            4,000.00   1 Sep 00:00        11 Sep 06:00       10.25 d
#  6   cy     APAC       won            6,000.00   1 Aug              4 Aug              3 d
#  7   cy     (none)     lost             700.00   1 Jul              15 Aug
#  8   dee    APAC       won            1,000.00   1 Jul              2 Jul              1 d
#  9   alex   EMEA       won            9,999.00   1 Sep              1 Oct 00:00 (Q4)   30 d
# 10   alex   EMEA       lead disqualified         1 Jul              1 Aug   (not an opportunity)
# 11   alex   EMEA       open                      1 Jul              -
# 12   alex   EMEA       won            2,000.00   1 Apr              11 Apr (Q2)        10 d
# 13   alex   EMEA       lost           1,000.00   1 Apr              1 May (Q2)
# 14   cy     APAC       lost             300.00   1 Apr              30 Jun 23:59 (Q2)

Q3 = named_period("2026-Q3", "UTC")


# Every test here runs at tests/conftest.py's FIXED_NOW, frozen.
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def floor(session):
    alex = reps.create_rep(session, "alex", "Alex Kim")
    bea = reps.create_rep(session, "bea", "Bea Moss")
    cy = reps.create_rep(session, "cy", "Cy Young")
    dee = reps.create_rep(session, "dee", "Dee Park")
    north = Team(name="North", office="Oslo", region="EMEA", created_at=FIXED_NOW)
    south = Team(name="South", created_at=FIXED_NOW)
    session.add_all([north, south])
    session.flush()
    for rep, team in ((alex, north), (bea, north), (cy, south)):
        row = session.get(Rep, rep.id)
        row.team_id = team.id
        session.add(row)
    rows = [
        (alex, "EMEA", "Won", 1_000_00, at(2026, 6, 1), at(2026, 7, 11)),
        (alex, "APAC", "Won", 3_000_00, at(2026, 7, 1, 12), at(2026, 7, 21, 12)),
        (alex, "EMEA", "Lost", 500_00, at(2026, 7, 1), at(2026, 8, 1)),
        (bea, "EMEA", "Lost", 2_000_00, at(2026, 9, 1), at(2026, 9, 30, 23)),
        (bea, "EMEA", "Won", 4_000_00, at(2026, 9, 1), at(2026, 9, 11, 6)),
        (cy, "APAC", "Won", 6_000_00, at(2026, 8, 1), at(2026, 8, 4)),
        (cy, None, "Lost", 700_00, at(2026, 7, 1), at(2026, 8, 15)),
        (dee, "APAC", "Won", 1_000_00, at(2026, 7, 1), at(2026, 7, 2)),
        (alex, "EMEA", "Won", 9_999_00, at(2026, 9, 1), at(2026, 10, 1)),
        (alex, "EMEA", "Open", 5_000_00, at(2026, 7, 1), None),
        (alex, "EMEA", "Won", 2_000_00, at(2026, 4, 1), at(2026, 4, 11)),
        (alex, "EMEA", "Lost", 1_000_00, at(2026, 4, 1), at(2026, 5, 1)),
        (cy, "APAC", "Lost", 300_00, at(2026, 4, 1), at(2026, 6, 30, 23, 59)),
    ]
    for i, (rep, territory, outcome, value, created, closed) in enumerate(rows):
        stage = {"Won": "Won", "Lost": "Lost", "Open": "Qualified"}[outcome]
        deal_id = add_deal(session, f"D{i}", owner=rep.id, stage=stage, value=value, created=created, closed=closed)
        _territory(session, deal_id, territory)
    lead = add_deal(session, "disqualified lead", owner=alex.id, pipeline="lead", stage="Disqualified",
                    created=at(2026, 7, 1), closed=at(2026, 8, 1))
    _territory(session, lead, "EMEA")
    session.commit()
    return {"alex": alex, "bea": bea, "cy": cy, "dee": dee, "north": north.id, "south": south.id}


def _territory(session, deal_id: int, territory: str | None) -> None:
    deal = session.get(Deal, deal_id)
    deal.territory = territory
    session.add(deal)
    session.flush()


def by_name(table):
    return {row.name: row for row in (table.total, *table.rows)}


def test_per_rep_for_a_past_quarter_against_the_one_before(session, floor):
    table = deal_numbers.deal_numbers(session, Q3)
    assert (table.period.label, table.previous.label) == ("Q3 2026", "Q2 2026")
    rows = by_name(table)
    assert [r.name for r in table.rows] == ["Alex Kim", "Bea Moss", "Cy Young", "Dee Park"]
    # alex: won #1 and #2 (1,000 + 3,000), lost #3 (500); the lead (#10), the open
    # deal (#11) and #9 (closed in Q4) are not counted.
    alex = rows["Alex Kim"].now
    assert (alex.won_count, alex.won_value, alex.lost_count, alex.lost_value) == (2, 4_000_00, 1, 500_00)
    assert alex.win_rate == Fraction(2, 3)
    assert alex.average_won == 2_000_00
    assert alex.average_cycle_days == 30  # (40 + 20) / 2
    # bea: won #5 after 10 days 6 hours; lost #4 at 23:00 on the quarter's last day.
    bea = rows["Bea Moss"].now
    assert (bea.won_count, bea.lost_count, bea.lost_value) == (1, 1, 2_000_00)
    assert bea.win_rate == Fraction(1, 2)
    assert bea.average_cycle_days == Fraction(41, 4)
    assert rows["Dee Park"].now.win_rate == 1
    # Everyone: won 5 (1,000 + 3,000 + 4,000 + 6,000 + 1,000), lost 3 (500 + 2,000 + 700).
    total = table.total.now
    assert table.total.name == "Everyone"
    assert (total.won_count, total.won_value, total.lost_count, total.lost_value) == (5, 15_000_00, 3, 3_200_00)
    assert total.win_rate == Fraction(5, 8)
    assert total.average_won == 3_000_00
    assert total.average_cycle_days == Fraction(297, 20)  # (40 + 20 + 10.25 + 3 + 1) / 5 = 14.85
    # Q2: alex won #12 (10 days) and lost #13; cy lost #14 at 23:59 on 30 June.
    assert rows["Alex Kim"].before == DealFigures(1, 2_000_00, 1, 1_000_00, 10 * 86_400, 1)
    assert rows["Cy Young"].before.win_rate == 0
    assert rows["Bea Moss"].before.win_rate is None  # nothing closed: no rate, not 0
    assert table.total.before.win_rate == Fraction(1, 3)


def test_by_team(session, floor):
    rows = by_name(deal_numbers.deal_numbers(session, Q3, by=BY_TEAM))
    assert list(rows) == ["Everyone", "North", "South", "No team"]
    # North = alex + bea: won #1 #2 #5 (8,000), lost #3 #4 (2,500); cycle (40 + 20 + 10.25) / 3.
    north = rows["North"].now
    assert (north.won_count, north.won_value, north.lost_count, north.lost_value) == (3, 8_000_00, 2, 2_500_00)
    assert north.win_rate == Fraction(3, 5)
    assert north.average_won == Fraction(8_000_00, 3)
    assert north.average_cycle_days == Fraction(281, 12)
    assert rows["South"].now.win_rate == Fraction(1, 2)
    assert rows["No team"].now.won_count == 1  # dee's #8
    assert rows["Everyone"].now.won_count == 5


def test_by_territory(session, floor):
    table = deal_numbers.deal_numbers(session, Q3, by=BY_TERRITORY)
    rows = by_name(table)
    assert [r.name for r in table.rows] == ["APAC", "EMEA", "No territory"]
    # EMEA: won #1 #5 (5,000), lost #3 #4 (2,500); cycle (40 + 10.25) / 2.
    emea = rows["EMEA"].now
    assert (emea.won_count, emea.won_value, emea.lost_count, emea.lost_value) == (2, 5_000_00, 2, 2_500_00)
    assert emea.average_cycle_days == Fraction(201, 8)
    # APAC: won #2 #6 #8, nothing lost; cycle (20 + 3 + 1) / 3 = 8.
    apac = rows["APAC"].now
    assert (apac.won_count, apac.win_rate, apac.average_cycle_days) == (3, 1, 8)
    assert rows["No territory"].now == DealFigures(0, 0, 1, 700_00, 0, 0)
    # Q2 in EMEA: #12 won, #13 lost.
    assert rows["EMEA"].before.win_rate == Fraction(1, 2)


def test_narrowed_to_a_team_and_a_territory(session, floor):
    table = deal_numbers.deal_numbers(session, Q3, by=BY_REP, team="north", territory="emea")
    assert (table.team, table.territory, table.total.name) == ("North", "EMEA", "North · EMEA")
    rows = by_name(table)
    assert [r.name for r in table.rows] == ["Alex Kim", "Bea Moss"]  # North's reps only
    # alex in EMEA: won #1, lost #3; bea in EMEA: won #5, lost #4.
    assert (rows["Alex Kim"].now.won_count, rows["Alex Kim"].now.lost_count) == (1, 1)
    assert rows["Alex Kim"].now.average_cycle_days == 40
    assert table.total.now == DealFigures(2, 5_000_00, 2, 2_500_00, (40 * 4 + 41) * 86_400 // 4, 2)
    # A territory across teams, grouped by team: APAC is alex's #2 (North), cy's #6 (South), dee's #8.
    rows = by_name(deal_numbers.deal_numbers(session, Q3, by=BY_TEAM, territory="APAC"))
    assert {name: r.now.won_count for name, r in rows.items()} == {"APAC": 3, "North": 1, "South": 1, "No team": 1}


def test_unknown_team_territory_or_grouping_is_refused_naming_the_known_ones(session, floor):
    with pytest.raises(NotFound, match=r"no team called 'West' \(teams: North, South\)"):
        deal_numbers.deal_numbers(session, Q3, team="West")
    with pytest.raises(NotFound, match=r"territories: APAC, EMEA"):
        deal_numbers.deal_numbers(session, Q3, territory="LATAM")
    with pytest.raises(InvalidInput, match="rep, team, territory"):
        deal_numbers.deal_numbers(session, Q3, by="office")


def test_a_quarter_under_way_is_compared_like_for_like(session, floor):
    # 18 November: Q4 counts 1 Oct – 18 Nov (49 days) against 1 Jul – 18 Aug.
    table = deal_numbers.deal_numbers(session, deal_numbers.period_from(session, "quarter"))
    assert table.previous.span == "1 Jul – 18 Aug 2026"
    rows = by_name(table)
    # Q4 so far: alex's #9 (30 days). 1 Jul – 18 Aug: #1 #2 #3 #6 #7 #8; bea's
    # September deals (#4, #5) are past the days compared.
    assert rows["Alex Kim"].now == DealFigures(1, 9_999_00, 0, 0, 30 * 86_400, 1)
    assert rows["Bea Moss"].before == DealFigures()
    assert (table.total.before.won_count, table.total.before.lost_count) == (4, 2)


def test_periods_named_by_date(session, floor):
    assert deal_numbers.period_from(session, "2026-Q3") == Q3
    march = deal_numbers.period_from(session, "2017-03")
    assert (march.label, march.start.isoformat(), march.end.isoformat()) == ("March 2017", "2017-03-01", "2017-04-01")
    # ISO week 5 of 2017 runs Monday 30 January to Sunday 5 February.
    week = deal_numbers.period_from(session, "2017-W05")
    assert (week.start.isoformat(), week.last_day.isoformat()) == ("2017-01-30", "2017-02-05")
    # An offset steps from the named period.
    assert deal_numbers.period_from(session, "2017-Q4", offset=-1).label == "Q3 2017"
    # 2026-11 is under way (shown to date); December has not begun.
    assert deal_numbers.period_from(session, "2026-11").is_current()
    with pytest.raises(InvalidInput, match="December 2026: it has not begun"):
        deal_numbers.period_from(session, "2026-12")
    with pytest.raises(InvalidInput, match="has not begun"):
        deal_numbers.period_from(session, "2026-11", offset=1)
    for bad in ("2017", "Q4-2017", "2017-13", "2017-W54", "last week"):
        with pytest.raises(InvalidInput, match="2017-Q4, 2017-03, 2017-W05"):
            deal_numbers.period_from(session, bad)


def test_periods_between():
    q = period_containing(QUARTER, pendulum.date(2026, 11, 18), "UTC")
    assert periods_between(named_period("2017-Q4", "UTC"), q) == 36
    assert named_period("2017-Q4", "UTC").shifted(36) == q
    assert periods_between(named_period("2017-W05", "UTC"), named_period("2018-W05", "UTC")) == 52
    assert periods_between(named_period("2017-03", "UTC"), named_period("2018-01", "UTC")) == 10


def test_money_and_durations_stay_integers_in_sql(session, floor):
    # Every stored sum is an int (no float from EXTRACT or strftime), on both backends.
    rows = deal_numbers.deal_numbers(session, Q3).rows
    for row in rows:
        for value in vars(row.now).values():
            assert type(value) is int
    assert session.exec(select(Deal).where(Deal.title == "D0")).one().value == 1_000_00


def test_the_activity_table_narrowed_to_a_team(session, floor):
    # alex (North) 2 calls, cy (South) 1 call this week; bea (North) none.
    deal = session.exec(select(Deal.id).where(Deal.title == "D10")).one()  # the open deal
    for rep, when in ((floor["alex"], at(2026, 11, 16, 9)), (floor["alex"], at(2026, 11, 17, 9)),
                      (floor["cy"], at(2026, 11, 17, 10))):
        add_activity(session, deal, rep.id, "call", when)
    session.commit()
    name, north = deal_numbers.team_rep_ids(session, "NORTH")
    assert (name, north) == ("North", frozenset({floor["alex"].id, floor["bea"].id}))
    week = numbers.team_period(session, "week")
    table = numbers.add_sparklines(session, numbers.team_numbers(session, week, spark=0, rep_ids=north), 2)
    assert [r.handle for r in table.reps] == ["alex", "bea"]
    assert table.team["activities"].value == 2  # cy's call is South's
    assert table.team.sparkline == (0, 2)
    everyone = numbers.team_numbers(session, week, spark=0)
    assert everyone.team["activities"].value == 3


def test_a_created_date_after_the_win_is_left_out_of_the_cycle(session, floor):
    # An import that set created after closed: the win counts, its "cycle" does not.
    odd = add_deal(session, "odd", owner=floor["dee"].id, stage="Won", value=500_00, created=at(2026, 9, 20),
                   closed=at(2026, 9, 10))
    assert odd
    session.commit()
    dee = by_name(deal_numbers.deal_numbers(session, Q3))["Dee Park"].now
    # dee: #8 (1 day) and the odd one.
    assert (dee.won_count, dee.won_value, dee.cycle_deals, dee.average_cycle_days) == (2, 1_500_00, 1, 1)


def test_an_offset_past_the_calendar_is_refused_in_one_line(session):
    with pytest.raises(InvalidInput, match="Q1 1 -1 is outside the calendar"):
        deal_numbers.period_from(session, "0001-Q1", offset=-1)
