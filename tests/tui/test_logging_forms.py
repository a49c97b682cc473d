"""The logging forms (`a` activity, `t` task, `n` note), driven by key presses.

The clock is Wednesday 18 November 2026, 09:00 UTC for both the data and the
app; Alex works Monday to Friday, 12 tasks a day, in UTC.
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from store import activities, deals, notes, tasks
from store.deals import DealFields
from tests.tui.conftest import WEDNESDAY, settle
from tui.screens.modals.activity_form import LogActivityScreen
from tui.screens.modals.note_form import AddNoteScreen
from tui.screens.modals.task_form import AddTaskScreen

pytestmark = pytest.mark.usefixtures("wednesday")  # every test here runs on Wednesday morning
WED, THU, FRI, MON = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23)
# conftest's team: build_team's Acme already has one task on Thursday.


@pytest.fixture
def busy_week(team):
    """Wednesday to Friday full; Monday has room for 9 more."""
    with team.db.session() as s:
        for day, count in ((WED, 12), (THU, 11), (FRI, 12), (MON, 3)):
            for n in range(count):
                tasks.add_task(s, team.globex.id, f"Busywork {n}", day, by=team.alex.id)
    return team


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def open_form(app, pilot, form) -> list:
    """Push ``form`` over the board; the returned list receives what it dismisses with."""
    results: list = []
    await settle(app, pilot)
    await app.push_screen(form, results.append)
    await settle(app, pilot)
    return results


def acme_tasks(team) -> list[tasks.TaskInfo]:
    with team.db.session() as s:
        return [t for t in tasks.deal_tasks(s, team.acme.id) if t.title != "Call Jo about the pilot"]


# --- log an activity -----------------------------------------------------------------------


async def test_log_an_activity_with_a_follow_up_task(app, team):
    with team.db.session() as s:
        monday = pendulum.datetime(2026, 11, 16, 10, tz="UTC")
        activities.log_activity(s, team.acme.id, "email", by=team.alex.id, milestone="nurture", occurred_at=monday)
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, LogActivityScreen(team.acme.id))
        screen = app.screen
        assert screen.query_one("#milestone").value == "none"  # reached only when the rep says so
        assert "so far: nurture" in text_of(screen, "#milestone-hint")
        await pilot.press("down")  # opens the type list on "call"
        await pilot.press("down", "down", "enter")  # → meeting
        await pilot.press("tab", "down", "up", "up", "up", "up", "enter")  # milestone: none → rapport
        assert screen.query_one("#milestone").value == "rapport"
        await pilot.press("tab", *"yesterday 15:00")
        assert text_of(screen, "#when-hint") == "Tue 17 Nov 15:00"
        await pilot.press("tab", *"Wants a pilot")
        await pilot.press("tab", *"Send plan", "tab", *"fri")
        await settle(app, pilot)
        assert text_of(screen, "#follow-up-due-hint") == "Fri 20 Nov (Fri: 0 of 12)"
        await pilot.press("enter")
        await settle(app, pilot)
        # The deal was entered this morning, after yesterday's meeting: warned, and enter again logs it.
        assert text_of(screen, "#when-error").startswith("Tue 17 Nov is before this deal was created")
        await pilot.press("enter")
        await settle(app, pilot)

    with team.db.session() as s:
        logged = activities.deal_activities(s, team.acme.id)[0]
        deal = deals.get_deal(s, team.acme.id)
    assert (logged.type, logged.milestone, logged.outcome) == ("meeting", "rapport", "Wants a pilot")
    assert logged.occurred_at == pendulum.datetime(2026, 11, 17, 15, tz="UTC")
    assert deal.milestone == "rapport"
    assert deal.last_activity_at == pendulum.datetime(2026, 11, 17, 15, tz="UTC")
    (follow_up,) = acme_tasks(team)
    assert (follow_up.title, follow_up.due, follow_up.owner_id) == ("Send plan", FRI, team.alex.id)
    assert results == ["Logged a meeting on “Acme fleet rollout”; follow-up due Fri 20 Nov"]


async def test_enter_on_a_list_saves_now(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, LogActivityScreen(team.acme.id))
        await pilot.press("enter")  # focus is on the type list: a call, now, no milestone
        await settle(app, pilot)
    with team.db.session() as s:
        (logged,) = activities.deal_activities(s, team.acme.id)
    assert (logged.type, logged.milestone) == ("call", None)
    assert abs((logged.occurred_at - WEDNESDAY).total_seconds()) < 60
    assert results == ["Logged a call on “Acme fleet rollout”"]
    assert acme_tasks(team) == []


async def test_quick_calls_on_a_proposal_deal_reach_no_milestone(app, team):
    """Two quick `a` enter on a deal in Proposal once counted two proposals presented."""
    with team.db.session() as s:
        acme = deals.get_deal(s, team.acme.id)
        for _ in range(2):
            acme = deals.move_deal(s, acme.id, 1, version=acme.version, by=team.alex.id)
        activities.log_activity(s, acme.id, "meeting", by=team.alex.id, milestone="findings",
                                occurred_at=pendulum.datetime(2026, 11, 16, 10, tz="UTC"))
        assert acme.stage_name == "Proposal"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("l", "l")  # Qualified → Needs analysis → Proposal
        await settle(app, pilot)
        assert app.screen.selected_card().id == acme.id
        for _ in range(2):
            await pilot.press("a")
            await settle(app, pilot)
            assert isinstance(app.screen, LogActivityScreen)
            await pilot.press("enter")
            await settle(app, pilot)
    with team.db.session() as s:
        logged = activities.deal_activities(s, acme.id)
        deal = deals.get_deal(s, acme.id)
    assert [(a.type, a.milestone) for a in logged] == [("call", None), ("call", None), ("meeting", "findings")]
    assert deal.milestone == "findings"


async def test_a_follow_up_with_no_day_goes_to_the_first_day_with_room(app, busy_week):
    team = busy_week
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, LogActivityScreen(team.acme.id))
        assert "Mon: 3 of 12" in text_of(app.screen, "#follow-up-due-hint")
        app.screen.query_one("#follow-up").focus()
        await pilot.press(*"Chase Jo", "enter")
        await settle(app, pilot)
    (follow_up,) = acme_tasks(team)
    assert follow_up.due == MON
    assert results and results[0].endswith("follow-up due Mon 23 Nov")


@pytest.mark.parametrize(
    ("when", "message"),
    [("blah", "'blah' is not a moment"), ("today 17:00", "in the future")],
)
async def test_a_bad_when_is_refused_on_its_field_and_nothing_is_saved(app, team, when, message):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, LogActivityScreen(team.acme.id))
        screen = app.screen
        screen.query_one("#when").focus()
        await pilot.press(*when, "tab", *"Voicemail", "tab", *"Retry", "enter")
        await settle(app, pilot)
        assert app.screen is screen  # still open, for the rep to fix
        assert message in text_of(screen, "#when-error")
        assert text_of(screen, "#follow-up-error") == ""
    with team.db.session() as s:
        assert activities.deal_activities(s, team.acme.id) == []
        assert deals.get_deal(s, team.acme.id).last_activity_at is None
    assert acme_tasks(team) == []
    assert results == []


async def test_the_activity_form_fits_80_by_24_and_shows_titles_as_text(app, team):
    with team.db.session() as s:
        evil = deals.create_opportunity(s, DealFields(title="[b]Evil[/b] Corp", value=1), by=team.alex.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(app, pilot, LogActivityScreen(evil.id))
        screen = app.screen
        assert text_of(screen, ".form-title") == "Log an activity on “[b]Evil[/b] Corp”"
        form = screen.query_one(".logging-form")
        assert form.region.width <= 80 and form.region.bottom <= 24
        assert screen.query_one("#follow-up-due-hint").region.bottom < form.region.bottom


# --- add a task ----------------------------------------------------------------------------


async def test_a_task_with_no_day_skips_full_days_and_the_weekend(app, busy_week):
    team = busy_week
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddTaskScreen(team.acme.id))
        screen = app.screen
        assert text_of(screen, "#due-hint") == "Empty: Mon 23 Nov, first day with room (Mon: 3 of 12)"
        await pilot.press(*"Contract", "tab", *"fri")
        await settle(app, pilot)
        assert text_of(screen, "#due-hint") == "Fri 20 Nov is full (Fri: 12 of 12)"
        await pilot.press("backspace", "backspace", "backspace")
        await settle(app, pilot)
        assert "Mon: 3 of 12" in text_of(screen, "#due-hint")
        await pilot.press("enter")
        await settle(app, pilot)
    (task,) = acme_tasks(team)
    assert (task.title, task.due) == ("Contract", MON)
    assert results == ["Task “Contract” due Mon 23 Nov on “Acme fleet rollout”"]


async def test_a_full_day_warns_then_enter_again_keeps_it(app, busy_week):
    team = busy_week
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddTaskScreen(team.acme.id))
        screen = app.screen
        await pilot.press(*"Book room", "tab", *"thu", "enter")
        await settle(app, pilot)
        warning = text_of(screen, "#due-error")
        assert "Thu 19 Nov is full (Thu: 12 of 12)" in warning
        assert "Next day with room: Mon 23 Nov (Mon: 3 of 12)" in warning
        assert acme_tasks(team) == [] and results == []
        await pilot.press("enter")
        await settle(app, pilot)
    (task,) = acme_tasks(team)
    assert task.due == THU
    assert results == ["Task “Book room” due Thu 19 Nov on “Acme fleet rollout”"]


async def test_a_task_needs_a_title_and_a_real_day(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddTaskScreen(team.acme.id))
        screen = app.screen
        await pilot.press("tab", *"someday", "enter")
        await settle(app, pilot)
        assert text_of(screen, "#title-error") == "A task needs a title"
        assert "is not a day" in text_of(screen, "#due-error")
        assert app.screen is screen and results == []
    assert acme_tasks(team) == []


# --- notes ---------------------------------------------------------------------------------


async def test_a_plan_like_note_becomes_a_task_on_a_day_with_room(app, busy_week):
    team = busy_week
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddNoteScreen(team.acme.id))
        screen = app.screen
        await pilot.press(*"Will call Jo Tue", "ctrl+s")
        await settle(app, pilot)
        assert "This reads like a plan: t = make it a task" in text_of(screen, "#plan-offer")
        assert "due Mon 23 Nov (Mon: 3 of 12)" in text_of(screen, "#plan-detail")
        await pilot.press("t")
        await settle(app, pilot)
    (task,) = acme_tasks(team)
    assert (task.title, task.due) == ("Will call Jo Tue", MON)
    with team.db.session() as s:
        assert notes.deal_notes(s, team.acme.id) == []
    assert results == ["Task “Will call Jo Tue” due Mon 23 Nov on “Acme fleet rollout”"]


async def test_a_plan_like_note_can_be_saved_as_a_note_anyway(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddNoteScreen(team.acme.id))
        await pilot.press(*"Need legal", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
    with team.db.session() as s:
        (note,) = notes.deal_notes(s, team.acme.id)
    assert note.body == "Need legal"
    assert acme_tasks(team) == []
    assert results == ["Note “Need legal” on “Acme fleet rollout”"]


async def test_a_note_is_saved_with_its_summary_first(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddNoteScreen(team.acme.id))
        await pilot.press(*"Liked it", "enter", *"[b]Q1[/b]")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    with team.db.session() as s:
        (note,) = notes.deal_notes(s, team.acme.id)
    assert note.body == "Liked it\n[b]Q1[/b]"
    assert note.summary == "Liked it"
    assert results == ["Note “Liked it” on “Acme fleet rollout”"]


async def test_an_empty_note_is_refused_on_its_field(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddNoteScreen(team.acme.id))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "The note is empty" in text_of(app.screen, "#body-error")
        assert results == []


# --- escape ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "field", "typed"),
    [
        (LogActivityScreen, "#outcome", "Picked up"),
        (AddTaskScreen, "#title", "Send deck"),
        (AddNoteScreen, "#body", "Picked up"),
    ],
)
async def test_escape_cancels_with_nothing_saved(app, team, form, field, typed):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, form(team.acme.id))
        app.screen.query_one(field).focus()
        await pilot.press(*typed, "escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, form)
    assert results == [None]
    with team.db.session() as s:
        assert activities.deal_activities(s, team.acme.id) == []
        assert notes.deal_notes(s, team.acme.id) == []
    assert acme_tasks(team) == []


async def test_escape_on_the_plan_offer_goes_back_to_writing(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_form(app, pilot, AddNoteScreen(team.acme.id))
        screen = app.screen
        await pilot.press(*"Will send it", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen and results == []
        await pilot.press("home", *"Jo: ")  # now it reads as what happened
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    with team.db.session() as s:
        (note,) = notes.deal_notes(s, team.acme.id)
    assert note.body == "Jo: Will send it"
    assert acme_tasks(team) == []
