"""Numbers per rep and team, the activity pipeline and the drill-down.

The clock is Wednesday 2026-11-18 14:30 UTC. Every expected figure is worked
out in the comments from the rows the fixtures write, not from the code.
Weeks start on Monday; Tokyo is UTC+9, so Monday 00:00 there is Sunday 15:00 UTC.
"""

from __future__ import annotations

import pendulum
import pytest

from store import drilldown, goals, numbers
from store.activity_pipeline import activity_pipeline
from store.errors import InvalidInput, NotFound
from store.models import Rep
from store.numbers import Figure
from store.periods import MONTH, QUARTER, WEEK, current_period, like_for_like, period_containing
from tests.conftest import FIXED_NOW
from tests.store.numbers_fixture import TOKYO, UTC, add_activity, add_deal, at, make_reps, set_timezone


# Every test here runs at tests/conftest.py's FIXED_NOW, frozen.
pytestmark = pytest.mark.usefixtures("frozen")


# --- the hand-built team ---------------------------------------------------------------------
#
#  #   who  type     milestone  occurred_at (UTC)   Tokyo week   UTC week
#  1   ana  call     -          Mon 16 Nov 09:00    16 Nov       16 Nov
#  2   ana  call     -          Sun 15 Nov 16:00    16 Nov       9 Nov     <- timezone boundary
#  3   ana  meeting  rapport    Tue 17 Nov 10:00    16 Nov       16 Nov
#  4   ana  email    nurture    Sun 15 Nov 14:00    9 Nov        9 Nov
#  5   ana  call     -          Tue 10 Nov 08:00    9 Nov        9 Nov
#  6   ben  meeting  discovery  Wed 18 Nov 01:00    16 Nov       16 Nov
#  7   ben  demo     -          Mon  9 Nov 03:00    9 Nov        9 Nov
#  8   ben  call     -          Sun  8 Nov 16:00    9 Nov        2 Nov     <- timezone boundary
#  9   ben  call     -          Sun  1 Nov 10:00    26 Oct       26 Oct
# 10   mia  other    -          Wed 18 Nov 02:00    16 Nov       16 Nov    (a manager with work)
# 11   ben  email    -          Sat 31 Oct 16:00    26 Oct       26 Oct    (1 Nov in Tokyo: month boundary)
#
#  deal  owner  kind                          created (UTC)    converted / closed      value
#  D1    ana    lead                          Mon 16 Nov 02:00                          0
#  D2    ana    converted lead                Mon  2 Nov       converted Tue 17 Nov    300,000
#  D3    ben    opportunity                   Sun 15 Nov 20:00 (Mon 16 Nov in Tokyo)   500,000
#  D4    ben    won opportunity               Thu  1 Oct       closed Tue 17 Nov      1,000,000
#  D5    ana    won opportunity               Thu  1 Oct       closed Wed 11 Nov        200,000
#  D6    ana    lost opportunity              Thu  1 Oct       closed Tue 17 Nov         90,000
#  D7    ben    converted lead                Tue 10 Nov       converted Thu 12 Nov      50,000


@pytest.fixture
def team(session):
    ana, ben, mia = make_reps(session)
    gone = Rep(handle="gone", name="Gone Rep", role="rep", active=False, created_at=FIXED_NOW)
    session.add(gone)
    d1 = add_deal(session, "D1", owner=ana.id, pipeline="lead", created=at(2026, 11, 16, 2))
    d2 = add_deal(session, "D2", owner=ana.id, value=300_000, created=at(2026, 11, 2), converted=at(2026, 11, 17, 5))
    d3 = add_deal(session, "D3", owner=ben.id, value=500_000, created=at(2026, 11, 15, 20))
    d4 = add_deal(session, "D4", owner=ben.id, stage="Won", value=1_000_000, created=at(2026, 10, 1),
                  closed=at(2026, 11, 17, 12))
    add_deal(session, "D5", owner=ana.id, stage="Won", value=200_000, created=at(2026, 10, 1), closed=at(2026, 11, 11))
    add_deal(session, "D6", owner=ana.id, stage="Lost", value=90_000, created=at(2026, 10, 1), closed=at(2026, 11, 17))
    add_deal(session, "D7", owner=ben.id, value=50_000, created=at(2026, 11, 10), converted=at(2026, 11, 12))
    add_activity(session, d1, ana.id, "call", at(2026, 11, 16, 9))
    add_activity(session, d1, ana.id, "call", at(2026, 11, 15, 16))
    add_activity(session, d2, ana.id, "meeting", at(2026, 11, 17, 10), "rapport")
    add_activity(session, d1, ana.id, "email", at(2026, 11, 15, 14), "nurture")
    add_activity(session, d2, ana.id, "call", at(2026, 11, 10, 8))
    add_activity(session, d3, ben.id, "meeting", at(2026, 11, 18, 1), "discovery")
    add_activity(session, d3, ben.id, "demo", at(2026, 11, 9, 3))
    add_activity(session, d4, ben.id, "call", at(2026, 11, 8, 16))
    add_activity(session, d4, ben.id, "call", at(2026, 11, 1, 10))
    add_activity(session, d1, mia.id, "other", at(2026, 11, 18, 2))
    add_activity(session, d4, ben.id, "email", at(2026, 10, 31, 16))
    session.commit()
    return {"ana": ana, "ben": ben, "mia": mia, "gone": gone, "d1": d1, "d2": d2}


def figures(row, *keys):
    return {key: (row[key].value, row[key].previous) for key in keys}


# --- periods -----------------------------------------------------------------------------------


def test_periods_follow_the_calendar_in_the_team_timezone():
    week = period_containing(WEEK, pendulum.date(2026, 11, 18), TOKYO)
    assert (week.start, week.end) == (pendulum.date(2026, 11, 16), pendulum.date(2026, 11, 23))
    assert week.starts_at == at(2026, 11, 15, 15)  # Monday 00:00 in Tokyo
    assert week.previous().start == pendulum.date(2026, 11, 9)
    assert week.next().start == pendulum.date(2026, 11, 23)
    month = period_containing(MONTH, pendulum.date(2026, 12, 31), UTC)
    assert (month.start, month.end) == (pendulum.date(2026, 12, 1), pendulum.date(2027, 1, 1))
    assert month.next().label == "January 2027" and month.previous().label == "November 2026"
    quarter = period_containing(QUARTER, pendulum.date(2026, 11, 18), UTC)
    assert (quarter.start, quarter.end, quarter.label) == (pendulum.date(2026, 10, 1), pendulum.date(2027, 1, 1), "Q4 2026")
    assert quarter.previous().label == "Q3 2026" and quarter.next().label == "Q1 2027"
    assert week.span == "16–22 Nov 2026" and month.span == "1–31 Dec 2026"
    # Today in Tokyo is already Thursday 19 Nov at 23:30 UTC on Wednesday.
    with pendulum.travel_to(at(2026, 11, 22, 15, 30), freeze=True):
        assert current_period(WEEK, TOKYO).start == pendulum.date(2026, 11, 23)
        assert current_period(WEEK, UTC).start == pendulum.date(2026, 11, 16)


def test_a_week_period_over_a_dst_change_is_whole_days():
    week = period_containing(WEEK, pendulum.date(2026, 10, 28), "Europe/Berlin")  # clocks go back Sun 25 Oct
    assert week.starts_at == at(2026, 10, 25, 23)  # Monday 26 Oct 00:00 CET
    assert week.previous().starts_at == at(2026, 10, 18, 22)  # Monday 19 Oct 00:00 CEST


def test_a_period_under_way_is_compared_with_the_same_stretch_of_the_one_before():
    with pendulum.travel_to(at(2026, 12, 3, 10), freeze=True):
        month, before = like_for_like(current_period(MONTH, UTC))
        assert (month.span, before.span) == ("1–3 Dec 2026", "1–3 Nov 2026")
        assert month.is_partial and month.label == "December 2026" and month.end == pendulum.date(2027, 1, 1)
        assert before.counts_until == at(2026, 11, 4)
        # Thursday: Monday to Thursday against last Monday to Thursday; day 64 of Q4
        # against the first 64 days of Q3.
        week, before = like_for_like(current_period(WEEK, UTC))
        assert (week.span, before.span) == ("30 Nov – 3 Dec 2026", "23–26 Nov 2026")
        quarter, before = like_for_like(current_period(QUARTER, UTC))
        assert (quarter.span, before.span) == ("1 Oct – 3 Dec 2026", "1 Jul – 2 Sep 2026")
        # A past period is whole, against the whole one before it.
        november, october = like_for_like(current_period(MONTH, UTC).previous())
        assert (november.span, october.span) == ("1–30 Nov 2026", "1–31 Oct 2026") and not november.is_partial
    # On 31 March, February is counted whole: it has only 28 days.
    with pendulum.travel_to(at(2027, 3, 31, 10), freeze=True):
        march, february = like_for_like(current_period(MONTH, UTC))
        assert (march.span, february.span) == ("1–31 Mar 2027", "1–28 Feb 2027")


def test_three_days_of_december_against_three_of_november(session):
    ana, ben, mia = make_reps(session)
    deal = add_deal(session, "D", owner=ana.id, created=at(2026, 10, 1))
    for when in (at(2026, 11, 2, 9), at(2026, 11, 20, 9), at(2026, 12, 1, 9), at(2026, 12, 3, 8)):
        add_activity(session, deal, ana.id, "call", when)
    add_activity(session, deal, ben.id, "call", at(2026, 11, 3, 23, 30))  # the last minutes of 3 Nov
    add_activity(session, deal, ben.id, "call", at(2026, 11, 4, 0, 0))  # day 4: not compared
    session.commit()
    with pendulum.travel_to(at(2026, 12, 3, 10), freeze=True):
        table = numbers.team_numbers(session, numbers.team_period(session, MONTH), spark=0)
    assert (table.period.span, table.previous.span) == ("1–3 Dec 2026", "1–3 Nov 2026")
    ana_row, ben_row = table.reps
    # Ana: 1 and 3 Dec against 2 Nov (20 Nov is past the 3rd); Ben: 3 Nov 23:30 only.
    assert figures(ana_row, "activities") == {"activities": (2, 1)}
    assert figures(ben_row, "activities") == {"activities": (0, 1)}
    assert table.team["activities"].change_text == "= 0%"


def test_figure_change():
    assert Figure(3, 2).change == pytest.approx(0.5) and Figure(3, 2).change_text == "▲ 50%"
    assert Figure(1, 2).change_text == "▼ 50%"
    assert Figure(2, 2).change == 0 and Figure(2, 2).change_text == "= 0%"
    assert Figure(1, 0).change is None and Figure(1, 0).change_text == "new"
    assert Figure(0, 0).change is None and Figure(0, 0).change_text == ""


# --- the table, in Tokyo -------------------------------------------------------------------------


def test_week_numbers_in_tokyo(session, team):
    set_timezone(session, TOKYO)
    period = numbers.team_period(session, WEEK)
    assert period.start == pendulum.date(2026, 11, 16)
    table = numbers.team_numbers(session, period, spark=4)
    # Rows: the active reps (Ana, Ben) and Mia, a manager with an activity; not the inactive rep.
    assert [r.name for r in table.reps] == ["Ana Reyes", "Ben Ortiz", "Mia Chen"]
    ana, ben, mia = table.reps
    # Today is Wednesday 18 Nov in Tokyo: Monday to Wednesday of this week against
    # Monday to Wednesday of last week (9-11 Nov in Tokyo).
    assert (table.period.span, table.previous.span) == ("16–18 Nov 2026", "9–11 Nov 2026")
    # Ana this week: #1 #2 #3 (two calls, a rapport meeting); last week's Mon-Wed: #5 (a call).
    # #4 (an email at nurture) was on Sunday 15 Nov in Tokyo: past the compared days.
    assert figures(ana, "activities", "activity:call", "activity:email", "activity:meeting") == {
        "activities": (3, 1), "activity:call": (2, 1), "activity:email": (0, 0), "activity:meeting": (1, 0)}
    assert figures(ana, "milestone:nurture", "milestone:rapport", "milestone:discovery") == {
        "milestone:nurture": (0, 0), "milestone:rapport": (1, 0), "milestone:discovery": (0, 0)}
    assert ana["activities"].change == pytest.approx(2.0)  # (3 - 1) / 1
    assert ana["activity:meeting"].change is None
    # Ana's deals: D1 created this week (a new lead); D2 converted this week, 300,000;
    # D5 won last Wednesday (09:00 in Tokyo), 200,000; D6 lost: not won.
    assert figures(ana, "new_leads", "leads_converted", "opportunities_created", "pipeline_created",
                   "won_value", "won_count") == {
        "new_leads": (1, 0), "leads_converted": (1, 0), "opportunities_created": (1, 0),
        "pipeline_created": (300_000, 0), "won_value": (0, 200_000), "won_count": (0, 1)}
    # Ben: #6 this week; #7 and #8 (Mon 9 Nov 01:00 in Tokyo) last week. D3 was created on
    # Monday in Tokyo; D4 won this week; D7 a lead created last Tuesday, converted on
    # Thursday: past the compared days.
    assert figures(ben, "activities", "activity:call", "activity:demo", "milestone:discovery") == {
        "activities": (1, 2), "activity:call": (0, 1), "activity:demo": (0, 1), "milestone:discovery": (1, 0)}
    assert figures(ben, "new_leads", "leads_converted", "opportunities_created", "pipeline_created",
                   "won_value", "won_count") == {
        "new_leads": (0, 1), "leads_converted": (0, 0), "opportunities_created": (1, 0),
        "pipeline_created": (500_000, 0), "won_value": (1_000_000, 0), "won_count": (1, 0)}
    assert figures(mia, "activities", "activity:other") == {"activities": (1, 0), "activity:other": (1, 0)}
    # The team adds them up: 3 + 1 + 1 this week, 1 + 2 + 0 last week to Wednesday.
    team_row = table.team
    assert team_row.is_team and team_row.name == "Team"
    assert figures(team_row, "activities", "new_leads", "opportunities_created", "pipeline_created", "won_value") == {
        "activities": (5, 3), "new_leads": (1, 1), "opportunities_created": (2, 0),
        "pipeline_created": (800_000, 0), "won_value": (1_000_000, 200_000)}
    assert team_row["activities"].change_text == "▲ 67%"  # (5 - 3) / 3
    # Sparklines over the weeks of 26 Oct, 2 Nov, 9 Nov and 16 Nov (Tokyo):
    # Ben's #9 and #11 fall on Sunday 1 Nov in Tokyo, in the week of 26 Oct.
    assert table.spark_periods[0].start == pendulum.date(2026, 10, 26)
    assert ana.sparkline == (0, 0, 2, 3)
    assert ben.sparkline == (2, 0, 2, 1)
    assert mia.sparkline == (0, 0, 0, 1)
    assert team_row.sparkline == (2, 0, 4, 5)


def test_the_same_rows_in_utc_fall_in_other_weeks(session, team):
    table = numbers.team_numbers(session, numbers.team_period(session, WEEK), spark=0)
    ana, ben, mia = table.reps
    # In UTC #2 (Sunday 15 Nov 16:00) is last week's, on a Sunday: past Monday to
    # Wednesday, the days compared; so is #4. #5 (Tuesday 10 Nov) counts.
    assert figures(ana, "activities", "activity:call") == {"activities": (2, 1), "activity:call": (1, 1)}
    # #8 (Sunday 8 Nov) is the week before in UTC; #7 (Monday 9 Nov) counts.
    assert figures(ben, "activities") == {"activities": (1, 1)}
    # D3 was created on Sunday 15 Nov in UTC: last week's, after its Wednesday; D7 was
    # converted on Thursday 12 Nov: neither is in the compared days.
    assert figures(ben, "opportunities_created", "pipeline_created") == {
        "opportunities_created": (0, 0), "pipeline_created": (0, 0)}
    # Mia's #10 is this week's in UTC too: 2 + 1 + 1 against 1 + 1.
    assert figures(table.team, "activities") == {"activities": (4, 2)}
    assert table.team.sparkline == ()
    # Last week, whole, against the week before, whole: #2 #4 #5 #7 (and D3, D7) against #8
    # (#9 and #11 are the week of 26 Oct).
    last_week = numbers.team_numbers(session, numbers.team_period(session, WEEK, offset=-1), spark=0)
    assert not last_week.period.is_partial and last_week.period.span == "9–15 Nov 2026"
    assert figures(last_week.team, "activities", "opportunities_created", "pipeline_created") == {
        "activities": (4, 1), "opportunities_created": (2, 0), "pipeline_created": (550_000, 0)}


def test_month_boundary_in_tokyo(session, team):
    # #11 (Saturday 31 Oct 16:00 UTC) is 1 November in Tokyo.
    set_timezone(session, TOKYO)
    november = numbers.team_numbers(session, numbers.team_period(session, MONTH), spark=0)
    assert figures(november.team, "activities", "activity:email") == {
        "activities": (11, 0), "activity:email": (2, 0)}
    set_timezone(session, UTC)
    november = numbers.team_numbers(session, numbers.team_period(session, MONTH), spark=0)
    # November to the 18th against October to the 18th: #11 is 31 Oct in UTC.
    assert (november.period.span, november.previous.span) == ("1–18 Nov 2026", "1–18 Oct 2026")
    assert figures(november.team, "activities", "activity:email") == {
        "activities": (10, 0), "activity:email": (1, 0)}
    october = numbers.team_numbers(session, numbers.team_period(session, MONTH, offset=-1), spark=0)
    assert figures(october.team, "activities", "activity:email") == {"activities": (1, 0), "activity:email": (1, 0)}
    quarter = numbers.team_numbers(session, numbers.team_period(session, QUARTER), spark=0)
    # All of it is Q4; Q3 had nothing. Won: D4 and D5, 1,200,000.
    assert figures(quarter.team, "activities", "won_value", "won_count") == {
        "activities": (11, 0), "won_value": (1_200_000, 0), "won_count": (2, 0)}
    assert quarter.team["activities"].change is None


def test_previous_and_next_periods(session, team):
    set_timezone(session, TOKYO)
    last_week = numbers.team_period(session, WEEK, offset=-1)
    table = numbers.team_numbers(session, last_week, spark=0)
    # Last week (9-15 Nov in Tokyo): 4 activities (#4 #5 #7 #8); the week before (2-8 Nov)
    # none: #9 and #11 are Sunday 1 Nov in Tokyo, #8 Monday 9 Nov.
    assert figures(table.team, "activities") == {"activities": (4, 0)}
    # A period that has not started has no numbers; nor one before the calendar.
    with pytest.raises(InvalidInput, match="future week"):
        numbers.team_period(session, WEEK, offset=1)
    with pytest.raises(InvalidInput, match="before the calendar"):
        numbers.team_period(session, WEEK, offset=-99_999_999)


def test_goals_show_progress_and_add_up_for_the_team(session, team):
    set_timezone(session, TOKYO)
    mia, ana, ben = team["mia"], team["ana"], team["ben"]
    goals.set_goals(session, ana.id, WEEK, {"activity:call": 25, "milestone:rapport": 6}, by=mia.id)
    goals.set_goals(session, ben.id, WEEK, {"activity:call": 10}, by=mia.id)
    goals.set_goals(session, ana.id, QUARTER, {"won_value": 4_000_000}, by=mia.id)
    table = numbers.team_numbers(session, numbers.team_period(session, WEEK), spark=0)
    ana_row, ben_row, _ = table.reps
    call = ana_row.goals["activity:call"]
    assert (call.target, call.actual, call.met) == (25, 2, False)
    assert call.fraction == pytest.approx(2 / 25)
    assert (ana_row.goals["milestone:rapport"].target, ana_row.goals["milestone:rapport"].actual) == (6, 1)
    assert "won_value" not in ana_row.goals  # a quarter goal is not a week's
    # Team: 25 + 10 calls to make; the team made 2 this week (#1 #2).
    team_call = table.team.goals["activity:call"]
    assert (team_call.target, team_call.actual) == (35, 2)
    # Only Ana has a rapport goal: the team's 1 meeting against her 6 would mislead, so no team goal.
    assert "milestone:rapport" not in table.team.goals


def test_an_inactive_rep_with_work_keeps_a_row(session, team):
    gone = team["gone"]
    add_activity(session, team["d1"], gone.id, "call", at(2026, 11, 17, 9))
    session.commit()
    table = numbers.team_numbers(session, numbers.team_period(session, WEEK), spark=0)
    assert [r.name for r in table.reps] == ["Ana Reyes", "Ben Ortiz", "Gone Rep", "Mia Chen"]
    assert table.team["activities"].value == 5  # 4 in UTC plus the inactive rep's call


def test_an_empty_team(session):
    table = numbers.team_numbers(session, numbers.team_period(session, QUARTER))
    assert table.reps == ()
    assert table.team["activities"] == Figure(0, 0)
    assert table.team.sparkline == (0,) * 12


# --- drill-down --------------------------------------------------------------------------------------


def test_drilldown_by_week_and_deals_touched(session, team):
    set_timezone(session, TOKYO)
    ana = team["ana"]
    november = numbers.team_period(session, MONTH)
    drill = drilldown.rep_drilldown(session, november, ana.id)
    # The weeks overlapping November in Tokyo that have begun: 26 Oct (holds 1 Nov) … 16 Nov.
    assert [w.week.start for w in drill.weeks] == [pendulum.date(2026, 10, 26), pendulum.date(2026, 11, 2),
                                                   pendulum.date(2026, 11, 9), pendulum.date(2026, 11, 16)]
    assert [w.figures["activities"] for w in drill.weeks] == [0, 0, 2, 3]
    assert [w.figures["activity:call"] for w in drill.weeks] == [0, 0, 1, 2]
    assert [w.figures["leads_converted"] for w in drill.weeks] == [0, 0, 0, 1]  # D2, Tue 17 Nov
    assert [w.figures["won_value"] for w in drill.weeks] == [0, 0, 200_000, 0]  # D5, Wed 11 Nov
    # Ana touched D1 (#1 #2 #4) and D2 (#3 #5); D2 most recently (#3, Tue 17 Nov 10:00).
    assert drill.deals_total == 2
    assert [(d.title, d.activities) for d in drill.deals] == [("D2", 2), ("D1", 3)]
    assert drill.deals[0].last_touched == at(2026, 11, 17, 10)
    assert drill.deals[0].milestone == "rapport" and drill.deals[1].milestone == "nurture"
    # Mia's "other" on D1 is not Ana's work.


def test_drilldown_of_a_week_shows_eight_weeks_and_the_team(session, team):
    week = numbers.team_period(session, WEEK)
    drill = drilldown.rep_drilldown(session, week, None)
    assert len(drill.weeks) == 8 and drill.weeks[-1].week == week
    assert drill.name == "Team"
    # UTC: this week #1 #3 #6 #10; last week #2 #4 #5 #7; 2 Nov: #8; 26 Oct: #9 #11.
    assert [w.figures["activities"] for w in drill.weeks[-4:]] == [2, 1, 4, 4]
    # This week D1 (#1, Mia's #10 at Wed 02:00), D3 (#6, Wed 01:00), D2 (#3, Tue): latest first.
    assert [d.title for d in drill.deals] == ["D1", "D3", "D2"]
    with pytest.raises(NotFound):
        drilldown.rep_drilldown(session, week, 9999)


# --- the activity pipeline ------------------------------------------------------------------------
#
# Ranks: 0 none, 1 nurture, 2 rapport, 3 discovery, 4 findings, 5 proposal. UTC weeks.
#
#  deal  owner  now                       created   milestone activities
#  P1    ana    open lead                 1 Nov     nurture 3 Nov, rapport Tue 17 Nov
#  P2    ana    open opportunity          2 Nov     rapport 4 Nov, discovery Tue 10 Nov,
#                                                   findings Mon 16 Nov, proposal Tue 17 Nov
#  P3    ana    open lead                 Tue 17 Nov  -
#  P4    ana    open lead                 Mon 16 Nov  nurture Mon 16 Nov
#  P5    ana    won Thu 12 Nov            1 Nov     rapport 5 Nov
#  P6    ana    lead disqualified Tue 17  20 Oct    nurture 21 Oct
#  P7    ben    open opportunity          1 Oct     discovery 5 Oct
#
# This week (16-22 Nov), (rank when it began, rank at its end) of the deals alive in it:
#   P1 (1,2)  P2 (3,5)  P3 (0,0)  P4 (0,1)  P6 (1,1)  P7 (3,3)      (P5 closed before it)
# Last week (9-15 Nov): P1 (1,1)  P2 (2,3)  P5 (2,2)  P6 (1,1)  P7 (3,3)   (P3, P4 not yet created)


@pytest.fixture
def pipeline_team(session):
    ana, ben, _mia = make_reps(session)
    p1 = add_deal(session, "P1", owner=ana.id, pipeline="lead", created=at(2026, 11, 1))
    p2 = add_deal(session, "P2", owner=ana.id, created=at(2026, 11, 2))
    add_deal(session, "P3", owner=ana.id, pipeline="lead", created=at(2026, 11, 17))
    p4 = add_deal(session, "P4", owner=ana.id, pipeline="lead", created=at(2026, 11, 16))
    p5 = add_deal(session, "P5", owner=ana.id, stage="Won", created=at(2026, 11, 1), closed=at(2026, 11, 12))
    p6 = add_deal(session, "P6", owner=ana.id, pipeline="lead", stage="Disqualified", created=at(2026, 10, 20),
                  closed=at(2026, 11, 17))
    p7 = add_deal(session, "P7", owner=ben.id, stage="Needs analysis", created=at(2026, 10, 1))
    for deal, when, milestone in [
        (p1, at(2026, 11, 3), "nurture"), (p1, at(2026, 11, 17), "rapport"),
        (p2, at(2026, 11, 4), "rapport"), (p2, at(2026, 11, 10), "discovery"),
        (p2, at(2026, 11, 16), "findings"), (p2, at(2026, 11, 17), "proposal"),
        (p4, at(2026, 11, 16), "nurture"), (p5, at(2026, 11, 5), "rapport"),
        (p6, at(2026, 10, 21), "nurture"), (p7, at(2026, 10, 5), "discovery"),
    ]:
        owner = ben.id if deal == p7 else ana.id
        add_activity(session, deal, owner, "meeting", when, milestone)
    # Work without a milestone moves nothing.
    add_activity(session, p1, ana.id, "call", at(2026, 11, 18, 9))
    session.commit()
    return {"ana": ana, "ben": ben, "p7": p7}


def steps(pipeline):
    return {s.milestone: s for s in pipeline.steps}


def test_activity_pipeline_counts_movement_and_conversion(session, pipeline_team):
    week = numbers.team_period(session, WEEK)
    result = activity_pipeline(session, week)
    by = steps(result)
    assert [s.milestone for s in result.steps] == [None, "nurture", "rapport", "discovery", "findings", "proposal"]
    # Open now, by stored milestone: P3 none, P4 nurture, P1 rapport (leads); P7 discovery, P2 proposal.
    assert [(s.leads, s.opportunities) for s in result.steps] == [(1, 0), (1, 0), (1, 0), (0, 1), (0, 0), (0, 1)]
    assert result.open_deals == 5
    # Moved past this week (r0 <= step < r1): none: P4; nurture: P1; rapport: none
    # (P1 got to it, P2 was already past); discovery and findings: P2.
    assert [s.moved_past for s in result.steps] == [1, 1, 0, 1, 1, 0]
    # At the step some time this week (r0 <= step <= r1): none: P3 P4; nurture: P1 P4 P6;
    # rapport: P1; discovery: P2 P7; findings: P2; so 1/2, 1/3, 0/1, 1/2, 1/1.
    assert by[None].conversion == pytest.approx(0.5)
    assert by["nurture"].conversion == pytest.approx(1 / 3)
    assert by["rapport"].conversion == 0
    assert by["discovery"].conversion == pytest.approx(0.5)
    assert by["findings"].conversion == 1
    assert by["proposal"].conversion is None  # the last step leads nowhere
    # Last week: only P2 moved, past rapport; at each step: none -; nurture P1 P6;
    # rapport P2 P5; discovery P2 P7; findings -.
    assert [s.moved_past_previous for s in result.steps] == [0, 0, 1, 0, 0, 0]
    assert [s.conversion_previous for s in result.steps] == [None, 0, pytest.approx(0.5), 0, None, None]


def test_activity_pipeline_for_one_owner_and_for_leads(session, pipeline_team):
    week = numbers.team_period(session, WEEK)
    bens = activity_pipeline(session, week, owner_id=pipeline_team["ben"].id)
    # P7 alone: an open opportunity at discovery, which it neither left nor reached this week.
    assert [s.open_deals for s in bens.steps] == [0, 0, 0, 1, 0, 0]
    assert [s.moved_past for s in bens.steps] == [0, 0, 0, 0, 0, 0]
    assert steps(bens)["discovery"].conversion == 0 and steps(bens)["nurture"].conversion is None
    leads = activity_pipeline(session, week, pipeline="lead")
    # P1 (1,2), P3 (0,0), P4 (0,1), P6 (1,1).
    assert [s.leads for s in leads.steps] == [1, 1, 1, 0, 0, 0]
    assert [s.opportunities for s in leads.steps] == [0] * 6
    assert [s.moved_past for s in leads.steps] == [1, 1, 0, 0, 0, 0]
    assert steps(leads)["nurture"].conversion == pytest.approx(1 / 3)
    assert steps(leads)["discovery"].conversion is None


def test_activity_pipeline_of_a_past_period_reads_history_not_todays_milestone(session, pipeline_team):
    # The week of 2 Nov: P1 got to nurture (3 Nov), P2 to rapport (4 Nov), P5 to rapport (5 Nov);
    # P6 was at nurture, P7 at discovery. Alive: P1 P2 P5 (created 1-2 Nov) P6 P7.
    # (r0, r1): P1 (0,1)  P2 (0,2)  P5 (0,2)  P6 (1,1)  P7 (3,3)
    week = numbers.team_period(session, WEEK, offset=-2)
    assert week.start == pendulum.date(2026, 11, 2)
    by = steps(activity_pipeline(session, week))
    assert by[None].moved_past == 3 and by[None].conversion == 1  # 3 of P1 P2 P5
    assert by["nurture"].moved_past == 2  # P2 and P5 jumped past it
    assert by["nurture"].conversion == pytest.approx(2 / 4)  # P1 P2 P5 P6 were at it
    assert by["rapport"].moved_past == 0 and by["rapport"].conversion == 0  # P2, P5 arrived and stayed


def test_activity_pipeline_previous_period_is_that_periods_own(session, pipeline_team):
    # Both periods come from one pass: last week's figures, as this week's "previous"
    # and as last week's own, and the week of 2 Nov's as last week's "previous".
    # Last week (9-15 Nov): P1 (1,1) (rapport on 17 Nov is after it), P2 (2,3), P5 (2,2), P6 (1,1), P7 (3,3).
    # The week of 2 Nov: P1 (0,1), P2 (0,2), P5 (0,2), P6 (1,1), P7 (3,3).
    this_week = numbers.team_period(session, WEEK)
    last_week, week_before = this_week.previous(), this_week.shifted(-2)
    this = activity_pipeline(session, this_week)
    last = activity_pipeline(session, last_week)
    before = activity_pipeline(session, week_before)
    assert [s.moved_past for s in last.steps] == [s.moved_past_previous for s in this.steps] == [0, 0, 1, 0, 0, 0]
    assert [s.conversion for s in last.steps] == [s.conversion_previous for s in this.steps]
    # At each step the week of 2 Nov: none P1 P2 P5, all moved past; nurture P1 P2 P5 P6, P2 and
    # P5 past; rapport P2 P5, neither past; discovery P7.
    assert [s.moved_past_previous for s in last.steps] == [s.moved_past for s in before.steps] == [3, 2, 0, 0, 0, 0]
    assert [s.conversion_previous for s in last.steps] == [1, pytest.approx(0.5), 0, 0, None, None]
    assert [s.conversion for s in before.steps] == [s.conversion_previous for s in last.steps]
    # Ana's alone: P7 is Ben's.
    anas = activity_pipeline(session, last_week, owner_id=pipeline_team["ana"].id)
    assert [s.moved_past_previous for s in anas.steps] == [3, 2, 0, 0, 0, 0]
    assert [s.conversion_previous for s in anas.steps] == [1, pytest.approx(0.5), 0, None, None, None]
    # Last week: nurture P1 P6; rapport P2 P5, P2 past; discovery P2, which arrived and stayed.
    assert [s.conversion for s in anas.steps] == [None, 0, pytest.approx(0.5), 0, None, None]


def test_activity_pipeline_leaves_out_a_milestone_dated_after_the_period(session, pipeline_team):
    # An activity logged ahead, for next Wednesday: P7 is at findings now, but it
    # was at discovery all this week and last, so it moved past nothing.
    add_activity(session, pipeline_team["p7"], pipeline_team["ben"].id, "meeting", at(2026, 11, 25), "findings")
    session.commit()
    result = activity_pipeline(session, numbers.team_period(session, WEEK))
    assert [(s.leads, s.opportunities) for s in result.steps] == [(1, 0), (1, 0), (1, 0), (0, 0), (0, 1), (0, 1)]
    # As in test_activity_pipeline_counts_movement_and_conversion.
    assert [s.moved_past for s in result.steps] == [1, 1, 0, 1, 1, 0]
    assert [s.moved_past_previous for s in result.steps] == [0, 0, 1, 0, 0, 0]
    assert steps(result)["discovery"].conversion == pytest.approx(0.5)  # P2 of P2 P7
    assert steps(result)["discovery"].conversion_previous == 0  # P2 arrived, P7 stayed


def test_sparklines_added_afterwards_match(session, team):
    set_timezone(session, TOKYO)
    period = numbers.team_period(session, WEEK)
    later = numbers.add_sparklines(session, numbers.team_numbers(session, period, spark=0), 4)
    at_once = numbers.team_numbers(session, period, spark=4)
    assert later == at_once
    assert later.team.sparkline == (2, 0, 4, 5)
