"""What people type for days and moments, against a fixed "today" / "now"."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.dates import WEEKDAYS, before_deal_warning, parse_day, parse_moment, show_day
from store.errors import InvalidInput

WED = pendulum.Date(2026, 11, 18)
days = st.dates(min_value=pendulum.Date(2000, 1, 1), max_value=pendulum.Date(2090, 12, 31)).map(
    lambda d: pendulum.Date(d.year, d.month, d.day)
)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("today", WED),
        ("tomorrow", pendulum.Date(2026, 11, 19)),
        ("fri", pendulum.Date(2026, 11, 20)),
        ("Friday", pendulum.Date(2026, 11, 20)),
        ("wed", pendulum.Date(2026, 11, 25)),  # a weekday means the next one, never today
        ("mon", pendulum.Date(2026, 11, 23)),
        ("+3d", pendulum.Date(2026, 11, 21)),
        ("+2w", pendulum.Date(2026, 12, 2)),
        ("2 weeks", pendulum.Date(2026, 12, 2)),
        ("next week", pendulum.Date(2026, 11, 23)),
        ("next month", pendulum.Date(2026, 12, 1)),
        ("2026-12-01", pendulum.Date(2026, 12, 1)),
        ("  TOMORROW ", pendulum.Date(2026, 11, 19)),
    ],
)
def test_due_days(typed, expected):
    assert parse_day(typed, WED) == expected


@pytest.mark.parametrize("typed", ["soon", "", "2026-02-30", "+d", "next year", "tomorrow-ish", "31 foo", "13/13"])
def test_nonsense_days_are_refused_with_a_hint(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_day(typed, WED)
    assert "\n" not in str(refused.value)
    assert "tomorrow" in str(refused.value) or "real date" in str(refused.value)


@given(days, st.integers(min_value=0, max_value=365))
def test_plus_days_is_that_many_days_later(today, n):
    assert parse_day(f"+{n}d", today) == today.add(days=n)


@given(days, st.sampled_from(sorted(WEEKDAYS)))
def test_a_weekday_is_within_the_coming_week(today, name):
    day = parse_day(name, today)
    assert 1 <= (day - today).days <= 7
    assert day.isoweekday() == WEEKDAYS[name]


@given(days)
def test_next_week_is_a_monday_after_today(today):
    day = parse_day("next week", today)
    assert day.isoweekday() == 1 and 1 <= (day - today).days <= 7


NOW = pendulum.datetime(2026, 11, 18, 14, 30, tz="UTC")  # 15:30 in Berlin


@pytest.mark.parametrize(
    "typed, expected_utc",
    [
        ("now", NOW),
        ("", NOW),
        ("today 9:30", pendulum.datetime(2026, 11, 18, 8, 30, tz="UTC")),
        ("yesterday 15:00", pendulum.datetime(2026, 11, 17, 14, 0, tz="UTC")),
        ("mon 10:00", pendulum.datetime(2026, 11, 16, 9, 0, tz="UTC")),
        ("wed 9am", pendulum.datetime(2026, 11, 18, 8, 0, tz="UTC")),  # today's Wednesday, not last week's
        ("2026-11-01 14:00", pendulum.datetime(2026, 11, 1, 13, 0, tz="UTC")),
        ("9:15", pendulum.datetime(2026, 11, 18, 8, 15, tz="UTC")),
    ],
)
def test_moments_in_the_reps_timezone(typed, expected_utc):
    assert parse_moment(typed, NOW, "Europe/Berlin") == expected_utc


@pytest.mark.parametrize("typed", ["blah", "25:00", "today 9:75", "2026-13-01 10:00"])
def test_nonsense_moments_are_refused(typed):
    with pytest.raises(InvalidInput):
        parse_moment(typed, NOW, "Europe/Berlin")


@given(st.sampled_from(sorted(WEEKDAYS)), st.integers(0, 23), st.integers(0, 59))
def test_a_weekday_moment_is_in_the_past_week(name, hour, minute):
    moment = parse_moment(f"{name} {hour}:{minute:02d}", NOW, "America/New_York")
    assert (NOW - moment).days < 7
    assert moment.in_timezone("America/New_York").isoweekday() == WEEKDAYS[name]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("31/12", pendulum.Date(2026, 12, 31)),
        ("13/11", pendulum.Date(2027, 11, 13)),  # passed this year: a due day is the next one
        ("18/11", WED),  # today is not passed
        ("10 dec", pendulum.Date(2026, 12, 10)),
        ("dec 10", pendulum.Date(2026, 12, 10)),
        ("December 10th", pendulum.Date(2026, 12, 10)),
        ("3 jan", pendulum.Date(2027, 1, 3)),
        ("10 dec 2027", pendulum.Date(2027, 12, 10)),
        ("dec 10, 2027", pendulum.Date(2027, 12, 10)),
        ("31/12/2027", pendulum.Date(2027, 12, 31)),
        ("5/5", pendulum.Date(2027, 5, 5)),
        ("in 2 weeks", pendulum.Date(2026, 12, 2)),
        ("in 3 days", pendulum.Date(2026, 11, 21)),
        ("in 1 month", pendulum.Date(2026, 12, 18)),
        ("29 feb", pendulum.Date(2028, 2, 29)),  # the next 29 Feb, not an error in 2027
    ],
)
def test_calendar_days_without_a_year_are_the_next_such_day(typed, expected):
    assert parse_day(typed, WED) == expected


@pytest.mark.parametrize("typed", ["12/01", "5/6", "12/01/2026"])
def test_slashed_days_that_read_both_ways_are_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_day(typed, WED)
    message = str(refused.value)
    assert "\n" not in message and "day/month or month/day" in message and "2026-12-01" in message


@pytest.mark.parametrize("typed, error", [("31 apr", "April has no day 31"), ("30/2/2027", "not a real date")])
def test_days_that_do_not_exist_are_refused(typed, error):
    with pytest.raises(InvalidInput, match=error):
        parse_day(typed, WED)


@pytest.mark.parametrize(
    "typed, local",
    [
        ("10 nov", pendulum.datetime(2026, 11, 10, 12, 0)),
        ("nov 10 09:15", pendulum.datetime(2026, 11, 10, 9, 15)),
        ("20 dec", pendulum.datetime(2025, 12, 20, 12, 0)),  # an activity looks back: last 20 Dec
        ("18/11 8am", pendulum.datetime(2026, 11, 18, 8, 0)),
        ("3 dec 2025 14:00", pendulum.datetime(2025, 12, 3, 14, 0)),
        ("mon 10", pendulum.datetime(2026, 11, 16, 10, 0)),
    ],
)
def test_activity_moments_accept_calendar_days(typed, local):
    now = pendulum.datetime(2026, 11, 18, 14, 30, tz="UTC")
    assert parse_moment(typed, now, "UTC") == local


def test_a_day_shows_its_year_only_when_not_this_year():
    assert show_day(pendulum.Date(2026, 1, 12), WED) == "Mon 12 Jan"
    assert show_day(pendulum.Date(2027, 1, 12), WED) == "Tue 12 Jan 2027"
    assert show_day(pendulum.Date(2025, 12, 30), WED, weekday=False) == "30 Dec 2025"
    assert show_day(pendulum.Date(2026, 12, 30), WED, weekday=False) == "30 Dec"


def test_the_current_year_comes_from_the_clock(frozen):
    assert show_day(pendulum.Date(2026, 3, 2)) == "Mon 2 Mar"
    assert show_day(pendulum.Date(2027, 3, 2)) == "Tue 2 Mar 2027"


def test_a_day_before_the_deal_existed_is_warned_about():
    created = pendulum.Date(2026, 10, 1)
    assert before_deal_warning(created, created, WED) is None
    assert before_deal_warning(pendulum.Date(2026, 12, 1), created, WED) is None
    warning = before_deal_warning(pendulum.Date(2025, 10, 1), created, WED)
    assert warning == "Wed 1 Oct 2025 is before this deal was created (Thu 1 Oct)"
