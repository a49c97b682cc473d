"""Today (key 3), driven by key presses; assertions on the store and the screen.

The clock is Wednesday 18 November 2026, 09:00 UTC for the data and the app
(ticking, so Textual's timers run); Alex works Monday to Friday, 12 tasks a day.
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from store import activities, deals, events, reps, tasks
from store.deals import DealFields
from tests.tui.conftest import Team, WEDNESDAY, build_team, settle, toasts
from tui import cli
from tui.app import LegworkApp
from tui.screens.deal import DealScreen
from tui.screens.modals.activity_form import LogActivityScreen
from tui.screens.modals.balance import BalanceScreen
from tui.screens.modals.done_log import LogDoneScreen
from tui.screens.modals.due_day import DueDayScreen
from tui.screens.modals.note_form import AddNoteScreen
from tui.screens.modals.rep_picker import RepPickerScreen
from tui.screens.modals.task_form import AddTaskScreen
from tui.screens.modals.workweek import WorkweekScreen
from tui.screens.today import TodayScreen
from tui.widgets.task_queue import TaskQueue

pytestmark = pytest.mark.usefixtures("wednesday")  # every test here runs on Wednesday morning
MON0 = date(2026, 11, 16)
WED, THU, FRI, MON = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23)


class Day:
    """Alex's queue: one overdue task, two today, one tomorrow (Acme's, from build_team)."""

    def __init__(self, team: Team) -> None:
        self.team = team
        with team.db.session() as s:
            alex = team.alex.id
            activities.log_activity(
                s, team.acme.id, "call", by=alex, occurred_at=pendulum.datetime(2026, 11, 15, 11, tz="UTC")
            )
            self.overdue = tasks.add_task(s, team.globex.id, "Email Hank the pricing sheet", MON0, by=alex)
            self.demo = tasks.add_task(s, team.acme.id, "Demo the dashboards to Jo", WED, by=alex)
            self.call = tasks.add_task(s, team.globex.id, "Call Hank about the renewal", WED, by=alex)
            self.tomorrow = [t for t in tasks.deal_tasks(s, team.acme.id) if t.due == THU][0]

    def task(self, task_id: int) -> tasks.TaskInfo:
        with self.team.db.session() as s:
            return tasks.get_task(s, task_id)


@pytest.fixture
def day(sqlite_db) -> Day:
    return Day(build_team(sqlite_db))


async def open_today(app, pilot) -> TodayScreen:
    await settle(app, pilot)
    await pilot.press("3")
    await settle(app, pilot)
    assert isinstance(app.screen, TodayScreen)
    return app.screen


def queue_lines(app) -> list[str]:
    return app.screen.query_one(TaskQueue).lines()


def selected_title(app) -> str | None:
    task = app.screen.query_one(TaskQueue).selected
    return task.title if task else None


async def test_the_queue_in_three_sections(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        lines = queue_lines(app)
        text = "\n".join(lines)
        assert lines[0].startswith(" Overdue") and "1 task, oldest first" in lines[0]
        assert "! Email Hank the pricing sheet" in lines[1] and lines[1].endswith("2 days late")
        assert "Globex renewal · Qualified · no activity yet" in lines[2]
        assert any(line.startswith(" Today, Wed 18 Nov") and "2 to do · 0 done · 2 of 12" in line for line in lines)
        assert "Acme fleet rollout · Qualified · call 3 days ago" in text
        assert any(line.startswith(" Coming up") for line in lines)
        assert any("Thu 19 Nov" in line and "1 task" in line and "1 of 12" in line for line in lines)
        assert "Call Jo about the pilot" not in text  # Thursday is collapsed
        assert selected_title(app) == "Email Hank the pricing sheet"
        meter = str(app.screen.query_one("#meter").render())
        assert "0 done · 2 to do · 2 of 12" in meter and "1 overdue" in meter
        strip = str(app.screen.query_one("#week").render())
        assert strip.startswith("Today") and "2/12" in strip and "Thu 19" in strip


async def test_space_completes_the_task_and_logs_what_it_was(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert isinstance(app.screen, LogDoneScreen)
        assert app.screen.type == "email"  # guessed from "Email Hank…"
        await pilot.press("tab", "shift+tab")  # tab walks the types; back to email
        await pilot.press(*"Sent v2 of the sheet", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert not day.task(day.overdue.id).is_open
        with day.team.db.session() as s:
            [logged] = activities.deal_activities(s, day.team.globex.id)
        assert (logged.type, logged.outcome, logged.rep_id) == ("email", "Sent v2 of the sheet", day.team.alex.id)
        # The cursor moved on to the next task; the done one left the queue.
        assert selected_title(app) == "Demo the dashboards to Jo"
        assert "Email Hank the pricing sheet" not in "\n".join(queue_lines(app))
        assert "Nothing overdue." in queue_lines(app)[1]
        assert any("logged an email on “Globex renewal”" in n for n in toasts(app))
        # Completing again works on the next task; escape logs nothing.
        await pilot.press("space")
        await settle(app, pilot)
        assert app.screen.type == "demo"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not day.task(day.demo.id).is_open
        with day.team.db.session() as s:
            assert [a.type for a in activities.deal_activities(s, day.team.acme.id)] == ["call"]
        assert selected_title(app) == "Call Hank about the renewal"
        assert "1 done · 1 to do · 2 of 12" in str(app.screen.query_one("#meter").render())


async def test_snooze_onto_a_full_week_lands_on_monday(day):
    with day.team.db.session() as s:
        for due, count in ((THU, 11), (FRI, 12)):  # Thursday already has Acme's call: full too
            for n in range(count):
                tasks.add_task(s, day.team.acme.id, f"Busywork {n}", due, by=day.team.alex.id)
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        assert "Thu: over" not in str(app.screen.query_one("#meter").render())
        await pilot.press("j")  # the first of today's tasks
        assert selected_title(app) == "Demo the dashboards to Jo"
        await pilot.press("s")
        await settle(app, pilot)
        assert day.task(day.demo.id).due == MON
        assert any(n == "Snoozed “Demo the dashboards to Jo” to Mon 23 Nov (1 of 12)" for n in toasts(app))
        assert selected_title(app) == "Call Hank about the renewal"
        lines = queue_lines(app)
        assert any("Mon 23 Nov" in line and "1 task" in line for line in lines)
        assert any("Thu 19 Nov" in line and "12 of 12" in line for line in lines)
        with day.team.db.session() as s:
            assert events.history(s, day.team.acme.id)[-1].kind == events.TASK_RESCHEDULED


async def test_d_sets_a_due_day(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DueDayScreen)
        await pilot.press(*"fri")
        await settle(app, pilot)
        assert str(app.screen.query_one("#due-hint").render()) == "Fri 20 Nov (Fri: 0 of 12)"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert day.task(day.overdue.id).due == FRI
        await pilot.press("d", *"yesterday", "enter")
        await settle(app, pilot)
        assert "is not a day" in str(app.screen.query_one("#due-error").render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert day.task(day.demo.id).due == WED


async def test_balance_shows_the_plan_and_cancel_moves_nothing(day):
    with day.team.db.session() as s:
        for n in range(12):
            tasks.add_task(s, day.team.globex.id, f"Busywork {n}", WED, by=day.team.alex.id)
    before = {t: day.task(t).due for t in (day.overdue.id, day.demo.id, day.call.id)}
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        assert "14 of 12: over by 2" in str(app.screen.query_one("#meter").render())
        await pilot.press("B")
        await settle(app, pilot)
        assert isinstance(app.screen, BalanceScreen)
        plan = str(app.screen.query_one("#plan").render())
        assert "Move 3 tasks: 1 overdue, 2 from days over capacity." in plan
        assert "Wed 18 Nov  14 → 12  of 12" in plan and "Thu 19 Nov   1 → 4   of 12" in plan
        assert "Email Hank the pricing sheet  from Mon 16 Nov (late)" in plan
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert "Balance cancelled: nothing moved" in toasts(app)
    assert {t: day.task(t).due for t in before} == before


async def test_balance_confirmed_moves_the_plan(day):
    with day.team.db.session() as s:
        for n in range(11):
            tasks.add_task(s, day.team.globex.id, f"Busywork {n}", WED, by=day.team.alex.id)
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("B")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert "Moved 2 tasks; no day is over capacity now" in toasts(app)
        meter = str(app.screen.query_one("#meter").render())
        assert "12 of 12" in meter and "overdue" not in meter
        assert "Nothing overdue." in queue_lines(app)[1]
    with day.team.db.session() as s:
        assert tasks.load_on(s, day.team.alex, WED).load == 12
        assert tasks.load_on(s, day.team.alex, THU).load == 3
    assert day.task(day.overdue.id).due == THU  # the overdue one first, onto the next day with room


async def test_enter_opens_the_tasks_deal_and_escape_comes_back(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == day.team.acme.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen) and selected_title(app) == "Demo the dashboards to Jo"


async def test_enter_on_a_coming_up_day_opens_it(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("G")
        assert app.screen.query_one(TaskQueue).selected_row.day.day == THU
        await pilot.press("enter")
        await pilot.pause()
        assert any("Call Jo about the pilot" in line for line in queue_lines(app))
        await pilot.press("j")
        assert selected_title(app) == "Call Jo about the pilot"
        await pilot.press("s")
        await settle(app, pilot)
        assert day.task(day.tomorrow.id).due == FRI


@pytest.mark.parametrize("key, form", [("a", LogActivityScreen), ("t", AddTaskScreen), ("n", AddNoteScreen)])
async def test_a_t_n_act_on_the_tasks_deal(day, key, form):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, form) and app.screen.deal_id == day.team.globex.id
        await pilot.press("escape")


async def test_adding_a_task_from_today_shows_up_in_the_queue(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("t", *"Send the contract", "tab", *"today", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert any("Send the contract" in line for line in queue_lines(app))
        assert "3 to do" in str(app.screen.query_one("#meter").render())


async def test_a_manager_picks_any_reps_queue(day):
    app = LegworkApp(day.team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        team = str(app.screen.query_one("#team").render())
        assert team.startswith("Team overdue Alex Kim 1") and "r picks a rep" in team
        assert "Nothing overdue." in queue_lines(app)[1]  # Morgan's own queue
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, RepPickerScreen)
        await pilot.press("home", "enter")  # Alex Kim, first by name
        await settle(app, pilot)
        assert "Alex Kim's queue" in app.screen.sub_title
        assert selected_title(app) == "Email Hank the pricing sheet"
        await pilot.press("s")  # a manager works a rep's queue by Alex's capacity
        await settle(app, pilot)
        assert day.task(day.overdue.id).due == THU
        with day.team.db.session() as s:
            assert events.history(s, day.team.globex.id)[-1].rep_id == day.team.morgan.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert "your queue" in app.screen.sub_title


async def test_a_rep_has_no_rep_picker(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        assert app.screen.check_action("pick_rep", ()) is False
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert not app.screen.query_one("#team").display


async def test_working_days_and_capacity_form(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, WorkweekScreen)
        assert app.screen.query_one("#days").value == "Mon–Fri"
        app.screen.query_one("#days").value = ""
        await pilot.press(*"mon-thu", "tab")
        app.screen.query_one("#capacity").value = ""
        await pilot.press("1", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert any("Alex Kim: Mon–Thu, 1 tasks a day" in n for n in toasts(app))
        assert "2 of 1: over by 1" in str(app.screen.query_one("#meter").render())
        assert "Fri" not in str(app.screen.query_one("#week").render())
    with day.team.db.session() as s:
        alex = reps.find_rep(s, "alex")
    assert (alex.working_days, alex.capacity) == ((1, 2, 3, 4), 1)
    assert app.rep.capacity == 1


async def test_user_text_is_never_markup(day):
    with day.team.db.session() as s:
        deal = deals.create_opportunity(
            s, DealFields(title="[b]Bold[/b] deal", account="[@click=app.quit]Acme"), by=day.team.alex.id
        )
        tasks.add_task(s, deal.id, "[red]Call[/red] them", WED, by=day.team.alex.id)
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today(app, pilot)
        text = "\n".join(queue_lines(app))
        assert "[red]Call[/red] them" in text and "[b]Bold[/b] deal ([@click=app.quit]Acme)" in text


async def test_number_key_3_opens_today_from_the_boards(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen) and app.current_mode == "today"


# --- `legwork today` -----------------------------------------------------------------------


def _cli(capsys, monkeypatch, tmp_path, db, *argv: str) -> tuple[int, str]:
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    status = cli.main(["--db", db.url, *argv])
    return status, capsys.readouterr().out


def test_legwork_today_prints_one_line_per_task(day, capsys, monkeypatch, tmp_path):
    status, out = _cli(capsys, monkeypatch, tmp_path, day.team.db, "--rep", "alex", "today")
    assert status == 0
    assert out.splitlines() == [
        "Alex Kim · Wed 18 Nov: 1 overdue · 2 due today (0 done, 2 of 12) · 1 coming up",
        "2 days late  Email Hank the pricing sheet · Globex renewal · Qualified · no activity yet",
        "today        Demo the dashboards to Jo · Acme fleet rollout · Qualified · call 3 days ago",
        "today        Call Hank about the renewal · Globex renewal · Qualified · no activity yet",
        "Thu 19 Nov   Call Jo about the pilot · Acme fleet rollout · Qualified · call 3 days ago",
    ]


def test_legwork_today_json_and_another_reps_queue(day, capsys, monkeypatch, tmp_path):
    import json

    status, out = _cli(
        capsys, monkeypatch, tmp_path, day.team.db, "--rep", "morgan", "today", "--json", "--rep", "alex"
    )
    assert status == 0
    data = json.loads(out)
    assert data["rep"] == "alex" and data["today"] == "2026-11-18"
    assert [(t["section"], t["title"]) for t in data["tasks"]] == [
        ("overdue", "Email Hank the pricing sheet"),
        ("today", "Demo the dashboards to Jo"),
        ("today", "Call Hank about the renewal"),
        ("coming_up", "Call Jo about the pilot"),
    ]
    assert data["tasks"][0]["days_late"] == 2 and data["tasks"][1]["last_activity"]["type"] == "call"
    assert data["capacity"] == {
        "capacity": 12,
        "planned": 2,
        "done": 0,
        "overdue": 1,
        "cleared_overdue": 0,
        "working_day": True,
    }
    assert [d["day"] for d in data["week"]] == ["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-23", "2026-11-24"]


def test_legwork_today_for_an_unknown_rep_fails_in_one_line(day, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    assert cli.main(["--db", day.team.db.url, "--rep", "nobody", "today"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "no rep “nobody”" in err
    status, out = _cli(capsys, monkeypatch, tmp_path, day.team.db, "today", "--json", "--rep", "ghost")
    assert status == 1 and '"error"' in out


def test_legwork_today_says_why_when_the_queue_cannot_be_read(day, capsys, monkeypatch, tmp_path):
    from tui.commands import today as command

    def broken(session, rep):
        raise RuntimeError("server closed the connection unexpectedly\n\tThis probably means…")

    monkeypatch.setattr(command, "today_queue", broken)
    status, out = _cli(capsys, monkeypatch, tmp_path, day.team.db, "--rep", "alex", "today")
    assert status == 0
    assert out.strip().endswith(
        "cannot read the queue from " + day.team.db.description + ": server closed the connection unexpectedly"
    )


# --- snapshots -----------------------------------------------------------------------------


class TestTodaySnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_today(self, snap_compare, day, size):
        with day.team.db.session() as s:
            for n, title in enumerate(["Send the security questionnaire", "Book the kickoff meeting"]):
                tasks.add_task(s, day.team.acme.id, title, FRI, by=day.team.alex.id)
            for n in range(13):
                tasks.add_task(s, day.team.globex.id, f"Prep renewal item {n + 1}", MON, by=day.team.alex.id)

        async def today_with_friday_open(pilot):
            await open_today(pilot.app, pilot)
            await pilot.press("j", "j", "j", "j", "enter")  # past the three tasks and Thursday
            await settle(pilot.app, pilot)

        with pendulum.travel_to(WEDNESDAY, freeze=False):
            assert snap_compare(LegworkApp(day.team.db, "alex"), terminal_size=size, run_before=today_with_friday_open)

    def test_balance_plan(self, snap_compare, day):
        with day.team.db.session() as s:
            for n in range(12):
                tasks.add_task(s, day.team.globex.id, f"Busywork {n + 1}", WED, by=day.team.alex.id)

        async def plan(pilot):
            await open_today(pilot.app, pilot)
            await pilot.press("B")
            await settle(pilot.app, pilot)

        with pendulum.travel_to(WEDNESDAY, freeze=False):
            assert snap_compare(LegworkApp(day.team.db, "alex"), terminal_size=(80, 24), run_before=plan)


async def test_space_on_a_task_someone_completed_since_the_queue_loaded(day):
    """Morgan finishes Alex's task in another terminal between load and space: Alex's
    space is refused with who and when, nothing is written twice, the queue reloads."""
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        assert selected_title(app) == "Email Hank the pricing sheet"
        with day.team.db.session() as s:  # the other terminal
            done_by_morgan = tasks.complete_task(s, day.overdue.id, by=day.team.morgan.id)
        await pilot.press("space")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)  # no offer to log a completion that did not happen
        assert any(
            "Morgan Blake already marked “Email Hank the pricing sheet” done at 09:00" in n for n in toasts(app)
        ), toasts(app)
        assert day.task(day.overdue.id).done_at == done_by_morgan.done_at
        with day.team.db.session() as s:
            kinds = [e.kind for e in events.history(s, day.team.globex.id)]
        assert kinds.count(events.TASK_DONE) == 1
        # Reloaded: the finished task left the queue.
        assert not any("Email Hank the pricing sheet" in line for line in queue_lines(app))


async def test_snoozing_a_task_someone_moved_since_the_queue_loaded(day):
    app = LegworkApp(day.team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_today(app, pilot)
        await pilot.press("j")
        assert selected_title(app) == "Demo the dashboards to Jo"
        with day.team.db.session() as s:
            tasks.reschedule_task(s, day.demo.id, FRI, by=day.team.morgan.id)
        await pilot.press("s")
        await settle(app, pilot)
        assert day.task(day.demo.id).due == FRI  # not snoozed again from where it was
        assert any("Morgan Blake changed “Demo the dashboards to Jo”" in n for n in toasts(app)), toasts(app)
        assert any("Fri 20 Nov" in line for line in queue_lines(app))
