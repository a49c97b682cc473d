"""Days typed into the deal, task and activity forms: "31/12", "10 jan", "in 2 weeks",
ambiguous "12/01" refused, and a day before the deal existed warned about, not refused.

The clock is Wednesday 18 November 2026, 09:00 UTC; the team's deals are created then.
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from store import activities, deals
from tests.tui.conftest import settle
from tests.tui.test_deal_screen import screen_text
from tests.tui.test_logging_forms import acme_tasks, open_form, text_of
from tui.screens.deal import DealScreen
from tui.screens.modals.activity_form import LogActivityScreen
from tui.screens.modals.deal_form import DealFormScreen
from tui.screens.modals.task_form import AddTaskScreen

pytestmark = pytest.mark.usefixtures("wednesday")  # every test here runs on Wednesday morning


def acme(team) -> deals.DealDetail:
    with team.db.session() as s:
        return deals.get_deal(s, team.acme.id)


@pytest.mark.parametrize(
    "typed, due, said",
    [
        ("31/12", date(2026, 12, 31), "Thu 31 Dec"),
        ("10 jan", date(2027, 1, 10), "Sun 10 Jan 2027"),  # January has passed: next year's, and it says so
        ("in 3 days", date(2026, 11, 21), "Sat 21 Nov"),
    ],
)
async def test_a_due_day_typed_the_way_people_write_it(app, team, typed, due, said):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddTaskScreen(team.acme.id))
        await pilot.press(*"Send contract", "tab", *typed)
        await settle(app, pilot)
        assert text_of(app.screen, "#due-hint").startswith(said)
        await pilot.press("enter")
        await settle(app, pilot)
        if results == []:  # a weekend day warns first; enter again keeps it
            await pilot.press("enter")
            await settle(app, pilot)
    (task,) = acme_tasks(team)
    assert task.due == due
    assert results == [f"Task “Send contract” due {said} on “Acme fleet rollout”"]


async def test_an_ambiguous_slashed_day_is_refused_on_the_field(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddTaskScreen(team.acme.id))
        await pilot.press(*"Send contract", "tab", *"12/01", "enter")
        await settle(app, pilot)
        error = text_of(app.screen, "#due-error")
        assert "'12/01' could be day/month or month/day" in error and "12 jan" in error
        assert results == []
    assert acme_tasks(team) == []


async def test_a_close_day_before_the_deal_existed_warns_then_enter_again_keeps_it(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        results: list = []
        await app.push_screen(DealFormScreen("opportunity", acme(team)), results.append)
        await settle(app, pilot)
        app.screen.query_one("#close").focus()
        await pilot.press("ctrl+u", *"1 oct 2025", "enter")  # meant 2026? the year is a likely typo
        await settle(app, pilot)
        warning = text_of(app.screen, "#close-error")
        assert warning == "Wed 1 Oct 2025 is before this deal was created (Wed 18 Nov). Enter again to keep it."
        assert results == [] and acme(team).expected_close == date(2026, 12, 8)
        await pilot.press("enter")
        await settle(app, pilot)
        assert results == [team.acme.id]
    assert acme(team).expected_close == date(2025, 10, 1)


async def test_a_close_day_in_another_year_shows_its_year_on_the_deal(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(DealFormScreen("opportunity", acme(team)))
        await settle(app, pilot)
        app.screen.query_one("#close").focus()
        await pilot.press("ctrl+u", *"dec 10 2027", "enter")
        await settle(app, pilot)
        assert acme(team).expected_close == date(2027, 12, 10)
        await app.push_screen(DealScreen(team.acme.id))
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        assert "close 10 Dec 2027" in screen_text(app)


async def test_an_activity_before_the_deal_existed_warns_then_logs(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, LogActivityScreen(team.acme.id))
        app.screen.query_one("#when").focus()
        await pilot.press(*"10 nov 15:00")
        assert text_of(app.screen, "#when-hint") == "Tue 10 Nov 15:00"
        await pilot.press("enter")
        await settle(app, pilot)
        assert text_of(app.screen, "#when-error") == (
            "Tue 10 Nov is before this deal was created (Wed 18 Nov). Enter again to log it anyway."
        )
        assert results == []
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(results) == 1
    with team.db.session() as s:
        (logged,) = activities.deal_activities(s, team.acme.id)
    assert logged.occurred_at == pendulum.datetime(2026, 11, 10, 15, tz="UTC")
