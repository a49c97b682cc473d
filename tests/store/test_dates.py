"""What people type for days and moments, against a fixed "today" / "now"."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.dates import WEEKDAYS, parse_day, parse_moment
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


@pytest.mark.parametrize("typed", ["soon", "", "2026-02-30", "12/01/2026", "+d", "next year", "tomorrow-ish"])
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
