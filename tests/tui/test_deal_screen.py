"""The deal screen: facts, timeline, and the board's keys on one deal.

Driven by key presses over the running app; assertions on the store and on
what the screen shows.
"""

from __future__ import annotations

import time

import pendulum
import pytest

from store import activities, deals, notes, tasks
from store.deals import DealFields
from tests.store.test_timeline import bulk_history
from tests.tui.conftest import build_team, settle, stored, wait_until
from tui.app import LegworkApp
from tui.screens.board import BoardScreen
from tui.screens.deal import DealScreen
from tui.screens.help import describe_bindings
from tui.screens.modals.deal_form import DealFormScreen
from tui.screens.modals.lost_reason import LostReasonScreen
from tui.screens.modals.activity_form import LogActivityScreen
from tui.screens.modals.note_form import AddNoteScreen
from tui.screens.modals.task_form import AddTaskScreen
from tui.widgets.timeline import TimelineView


def screen_text(app) -> str:
    """Everything on the terminal, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def timeline(app) -> TimelineView:
    return app.screen.query_one(TimelineView)


def headlines(app) -> list[str]:
    return [e.headline for e in timeline(app).entries]


def headlines_of(team, deal_id: int) -> list[str]:
    from store.timeline import deal_timeline

    with team.db.session() as s:
        return [e.headline for e in deal_timeline(s, deal_id)]


async def open_deal(app, pilot, deal_id: int, **hint) -> DealScreen:
    await settle(app, pilot)
    await app.push_screen(DealScreen(deal_id, **hint))
    await settle(app, pilot)
    assert isinstance(app.screen, DealScreen)
    return app.screen


@pytest.fixture
def worked(team):
    """Acme with a meeting and a two-paragraph note on top of its task."""
    with team.db.session() as s:
        activities.log_activity(
            s, team.acme.id, "meeting", by=team.alex.id, milestone="rapport", outcome="Met Jo and the fleet team"
        )
        notes.add_note(s, team.acme.id, "Budget approved for Q1\nThe CFO signs off next week.", by=team.alex.id)
    return team


# --- what it shows -------------------------------------------------------------------------


async def test_shows_the_facts_and_the_timeline(app, worked):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, worked.acme.id)
        text = screen_text(app)
        for fact in ("Acme fleet rollout", "Acme", "Jo Park", "owner Alex Kim", "Opportunity · Qualified",
                     "$12,000 · 10%", "close ", "0d in stage", "Next: tomorrow Call Jo about the pilot",
                     "● nurture ─ ● rapport ─ ○ discovery"):
            assert fact in text, fact
        for line in ("□ task     Call Jo about the pilot", "≡ note     Budget approved for Q1",
                     "● meeting  Meeting · rapport: Met Jo and the fleet team",
                     "◆ created  Created as an opportunity in Qualified"):
            assert line in text, line
        assert "due tomorrow" in text and "today " in text
        assert "All 4" in text and "Notes 1" in text


async def test_enter_expands_a_note_and_closes_it_again(app, worked):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, worked.acme.id)
        assert "The CFO signs off next week." not in screen_text(app)
        await pilot.press("j")  # from the open task to the note
        assert timeline(app).selected.kind == "note"
        await pilot.press("enter")
        await pilot.pause()
        assert "The CFO signs off next week." in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert "The CFO signs off next week." not in screen_text(app)


async def test_user_text_is_shown_as_typed_not_as_markup(app, team):
    with team.db.session() as s:
        odd = deals.create_opportunity(s, DealFields(title="[@click=app.quit]Acme [b]x[/b]"), by=team.alex.id)
        notes.add_note(s, odd.id, "[red]not red[/red]", by=team.alex.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, odd.id)
        text = screen_text(app)
        assert "[@click=app.quit]Acme [b]x[/b]" in text
        assert "[red]not red[/red]" in text


async def test_an_overdue_task_is_drawn_in_the_warning_colour(app, team):
    with team.db.session() as s:
        tasks.add_task(s, team.globex.id, "Chase the PO", pendulum.today("UTC").date().subtract(days=2), by=team.alex.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.globex.id)
        view = timeline(app)
        late = view.entries[0]
        assert late.overdue and late.headline == "Chase the PO"
        warning = view.get_component_rich_style("timeline--warning").color
        line = view.render_line(0)
        assert any(seg.style and seg.style.color == warning and "Chase the PO" in seg.text for seg in line)
        assert "due 2d late" in screen_text(app)


# --- the board's keys, on this deal ----------------------------------------------------------


async def test_L_moves_the_deal_forward_and_H_back(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        await pilot.press("L")
        await settle(app, pilot)
        assert stored(team, team.acme.id).stage_name == "Needs analysis"
        assert "Opportunity · Needs analysis" in screen_text(app)
        assert "Qualified → Needs analysis" in headlines(app)
        await pilot.press("less_than_sign")
        await settle(app, pilot)
        assert stored(team, team.acme.id).stage_name == "Qualified"
        assert "Opportunity · Qualified" in screen_text(app)


async def test_x_asks_why_and_marks_it_lost(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, LostReasonScreen)
        await pilot.press("down", "down", "enter")  # "No decision"
        await pilot.press(*"CFO froze spend", "enter")
        await settle(app, pilot)
        await pilot.press("n")  # keep its open task
        await settle(app, pilot)
        lost = stored(team, team.acme.id)
        assert lost.stage_name == "Lost" and lost.lost_reason == "No decision: CFO froze spend"
        assert isinstance(app.screen, DealScreen)
        assert headlines(app)[:2] == ["Call Jo about the pilot", "Lost: No decision: CFO froze spend"]
        assert "Opportunity · Lost" in screen_text(app)


async def test_x_disqualifies_a_lead(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.lead.id)
        assert "xDisqualify" in screen_text(app).replace(" ", "")
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, LostReasonScreen)
        await pilot.press("enter", "enter")  # the first reason, no detail
        await settle(app, pilot)
        assert stored(team, team.lead.id).stage_name == "Disqualified"
        assert headlines(app)[0] == "Disqualified: Not a fit"
        # Closed: the footer offers no more moves, and L does nothing.
        assert "Stage →" not in screen_text(app)
        await pilot.press("L")
        await settle(app, pilot)
        assert stored(team, team.lead.id).stage_name == "Disqualified"


async def test_escape_in_the_reason_changes_nothing(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        assert stored(team, team.acme.id).version == team.acme.version


async def test_u_undoes_the_last_change(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        await pilot.press("L")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert stored(team, team.acme.id).stage_name == "Qualified"
        assert headlines(app)[1] == "Undid the stage move (Qualified → Needs analysis)"  # under the open task
        assert any(
            n.message == "Undid: moved “Acme fleet rollout” Qualified → Needs analysis — back in Qualified"
            for n in app._notifications
        )


async def test_w_wins_it(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        await pilot.press("w")
        await settle(app, pilot)
        assert stored(team, team.acme.id).stage_name == "Won"
        assert "Won · $12,000" in headlines(app)


async def test_c_converts_a_lead_and_only_a_lead(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.lead.id, pipeline="lead")
        assert "Lead · New" in screen_text(app)
        await pilot.press("w")  # not for a lead
        await settle(app, pilot)
        assert stored(team, team.lead.id).stage_name == "New"
        await pilot.press("c")
        await settle(app, pilot)
        converted = stored(team, team.lead.id)
        assert converted.pipeline == "opportunity" and converted.stage_name == "Qualified"
        assert "Opportunity · Qualified" in screen_text(app)
        assert headlines(app)[0] == "Converted to an opportunity: New → Qualified"
        await pilot.press("c")  # an opportunity now: nothing happens
        await settle(app, pilot)
        assert stored(team, team.lead.id).version == converted.version


async def test_a_change_made_elsewhere_is_refused_named_and_reloaded(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        # Morgan, in another process, moves Acme after Alex opened it.
        with team.db.session() as s:
            deals.move_deal(s, team.acme.id, 1, version=team.acme.version, by=team.morgan.id)
        await pilot.press("L")
        await settle(app, pilot)
        after = stored(team, team.acme.id)
        assert after.stage_name == "Needs analysis" and after.version == team.acme.version + 1
        assert any("Morgan Blake" in n.message and n.severity == "error" for n in app._notifications)
        assert app.screen.deal.version == after.version  # reloaded: the next key works
        assert "Opportunity · Needs analysis" in screen_text(app)
        await pilot.press("L")
        await settle(app, pilot)
        assert stored(team, team.acme.id).stage_name == "Proposal"


async def test_a_refused_move_warns(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        await pilot.press("H")  # already in the first stage
        await settle(app, pilot)
        assert any("first stage" in n.message and n.severity == "warning" for n in app._notifications)


async def test_e_edits_the_deal(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, DealFormScreen)
        form = app.screen
        form.query_one("#value").value = "15000"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        assert stored(team, team.acme.id).value == 1_500_000
        assert "Value $12,000 → $15,000" in headlines(app)
        assert "$15,000" in screen_text(app)


async def test_n_adds_a_note_and_the_timeline_shows_it(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, AddNoteScreen)
        await pilot.press(*"Jo liked the demo", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        assert "Jo liked the demo" in headlines(app)


@pytest.mark.parametrize(("key", "form"), [("a", LogActivityScreen), ("t", AddTaskScreen), ("n", AddNoteScreen)])
async def test_a_t_n_open_their_forms_on_this_deal(app, team, key, form):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.globex.id)
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, form) and app.screen.deal_id == team.globex.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)


async def test_f_cycles_the_kinds_shown(app, worked):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, worked.acme.id)
        seen = []
        for _ in range(5):
            await pilot.press("f")
            await pilot.pause()
            seen.append(sorted({e.kind for e in timeline(app).entries}))
        assert seen == [["activity"], ["note"], ["task"], ["event"], ["activity", "event", "note", "task"]]


async def test_f_on_an_empty_kind_says_so(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.globex.id)
        await pilot.press("f")
        await pilot.pause()
        assert "No activities on this deal" in screen_text(app)


async def test_the_next_deal_opened_shows_nothing_of_the_last(app, worked):
    """The board keeps one deal screen and reuses it: the second deal opened must
    come with its own facts, timeline and filter, and the first deal's nowhere."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = app.screen
        first = board.selected_card()
        await pilot.press("enter")
        await settle(app, pilot)
        deal_screen = app.screen
        assert deal_screen.deal_id == first.id and first.title in screen_text(app)
        await pilot.press("f")  # activities only
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("j")
        second = board.selected_card()
        assert second.id != first.id
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is deal_screen  # the same screen, reused
        assert app.screen.deal_id == second.id and app.screen.filter_index == 0
        text = screen_text(app)
        assert second.title in text and first.title not in text
        assert headlines(app) == headlines_of(worked, second.id)


async def test_escape_goes_back_to_the_board_and_its_cursor(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = app.screen
        await pilot.press("j")
        chosen = board.selected_card()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == chosen.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is board and isinstance(board, BoardScreen)
        assert board.selected_card().id == chosen.id


async def test_help_lists_the_deal_keys(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deal(app, pilot, team.acme.id)
        groups = dict(describe_bindings(app.screen))
        deal_keys = dict((text, keys) for keys, text in groups["Deal"])
        # The board's words for the board's actions (tui.deal_actions.DEAL_ACTION_KEYS).
        assert deal_keys["Move the deal one stage forward"] == "L >"
        assert deal_keys["Move the deal one stage back"] == "H <"
        for description in ("Back", "Filter", "Mark the deal won", "Edit the deal", "Undo your last change to the deal",
                            "Log an activity (call, email, meeting…)", "Add a task (next step) to the deal",
                            "Add a note (an outcome summary)"):
            assert description in deal_keys
        assert "Convert the lead into an opportunity" not in deal_keys  # an opportunity
        assert ("Expand") in dict((text, keys) for keys, text in groups["Timeline"])
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Keys: Deal" in screen_text(app)


# --- a long history --------------------------------------------------------------------------


async def test_five_hundred_entries_open_and_scroll_to_the_end(app, team, capsys):
    with team.db.session() as s:
        bulk_history(s, team.acme.id, team.alex.id, 500, end=pendulum.now("UTC"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        start = time.perf_counter()
        await app.push_screen(DealScreen(team.acme.id))
        screen = app.screen
        # Until the worker's message has been handled, checked as often as the app allows.
        await wait_until(pilot, lambda: screen.data is not None, what="the deal's data", timeout=60, interval=0)
        shown = time.perf_counter()
        await pilot.pause()
        painted = time.perf_counter()
        await settle(app, pilot)
        view = timeline(app)
        assert len(view.entries) == 502  # the 500, Acme's task and its creation
        await pilot.press("end")
        await pilot.pause()
        assert view.cursor == 501
        assert view.scroll_offset.y == view.max_scroll_y > 0
        assert view.entries[-1].headline in screen_text(app).splitlines()[-2]  # the oldest, just above the footer
        with capsys.disabled():
            print(
                f"\n  deal with 502 timeline entries: data on screen {1000 * (shown - start):.0f} ms,"
                f" first paint {1000 * (painted - start):.0f} ms after push_screen"
            )


# --- snapshots -----------------------------------------------------------------------------

# A Wednesday morning; the clock ticks from here so Textual's timers still run.
DAY = pendulum.datetime(2026, 11, 18, 9, 0, tz="UTC")


@pytest.fixture
def worked_deal(sqlite_db):
    """Acme after ten days of work: meetings, a note, a stage move, one task late."""
    with pendulum.travel_to(DAY.subtract(days=10), freeze=False):
        team = build_team(sqlite_db)  # Acme's "Call Jo" task is due nine days ago
        alex, acme = team.alex.id, team.acme.id
        with sqlite_db.session() as s:
            pendulum.travel_to(DAY.subtract(days=9).at(15, 20))
            activities.log_activity(s, acme, "meeting", by=alex, milestone="rapport",
                                    outcome="Met Jo and the fleet team: 140 vans, two depots")
            pendulum.travel_to(DAY.subtract(days=8).at(10, 5))
            notes.add_note(s, acme, "Budget approved for Q1\nJo confirmed the money is in the plan.\n"
                                    "The CFO signs off next week; procurement wants two quotes.", by=alex)
            pendulum.travel_to(DAY.subtract(days=5).at(11, 40))
            activities.log_activity(s, acme, "demo", by=alex, milestone="discovery",
                                    outcome="Showed routing to the depot managers")
            deal = deals.move_deal(s, acme, 1, version=team.acme.version, by=alex)
            pendulum.travel_to(DAY.subtract(days=1).at(16, 45))
            deals.edit_deal(s, acme, DealFields(value=1_450_000), version=deal.version, by=team.morgan.id)
            tasks.add_task(s, acme, "Send the pilot proposal", DAY.date().add(days=2), by=alex)
            pendulum.travel_to(DAY.subtract(minutes=20))
            activities.log_activity(s, acme, "call", by=alex, outcome="Jo asked for the pilot scope in writing")
    with pendulum.travel_to(DAY, freeze=False):
        yield team


class TestDealScreenSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_worked_deal(self, snap_compare, worked_deal, size):
        async def open_and_expand_the_note(pilot):
            app = pilot.app
            await settle(app, pilot)
            await app.push_screen(DealScreen(worked_deal.acme.id))
            await settle(app, pilot)
            for _ in range(50):  # the note is a few entries down
                if timeline(app).selected.kind == "note":
                    break
                await pilot.press("j")
            assert timeline(app).selected.kind == "note"
            await pilot.press("enter")
            await pilot.pause()

        with pendulum.travel_to(DAY, freeze=False):
            assert snap_compare(
                LegworkApp(worked_deal.db, "alex"), terminal_size=size, run_before=open_and_expand_the_note
            )


# --- opening it --------------------------------------------------------------------------------


async def test_enter_shows_the_deal_screen_only_once_its_deal_is_read(team):
    """open_deal reads the page first: the screen is never current without its deal
    (no "Loading…" frame drawn and thrown away), on the first open and the next."""
    current_without_data = []

    def hook(message) -> None:
        top = app.screen_stack[-1] if app.screen_stack else None
        if isinstance(top, DealScreen) and top.data is None:
            current_without_data.append(type(message).__name__)

    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await settle(app, pilot)
        for _ in range(2):  # the first open installs the screen, the second reuses it
            card = app.screen.selected_card()
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, DealScreen) and app.screen.deal.id == card.id
            assert card.title in screen_text(app)
            await pilot.press("escape", "j")
            await settle(app, pilot)
        assert current_without_data == []


async def test_a_deal_that_cannot_be_read_is_named_and_the_board_stays(app, team):
    from tui.screens.deal import open_deal as open_deal_screen

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        open_deal_screen(app, 999_999)
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        assert "no deal with id 999999" in screen_text(app)


async def test_a_slow_read_shows_the_screen_loading_then_the_deal(team, monkeypatch):
    import threading

    import tui.screens.deal as deal_module

    released = threading.Event()
    read = deal_module.deal_page

    def slow_read(*args, **kwargs):
        released.wait(10)  # a database far away: held until the test lets it answer
        return read(*args, **kwargs)

    monkeypatch.setattr(deal_module, "deal_page", slow_read)
    monkeypatch.setattr(deal_module, "SLOW_READ_SECONDS", 0.01)
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = app.screen.selected_card()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Loading…" in screen_text(app), what="the deal screen to say Loading…")
        assert isinstance(app.screen, DealScreen) and app.screen.data is None
        released.set()
        await settle(app, pilot)
        assert app.screen.deal.id == card.id and card.title in screen_text(app)


async def test_the_deal_screen_is_built_after_start_before_the_first_enter(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        name = f"deal:{app.current_mode}"
        await wait_until(pilot, lambda: app.is_screen_installed(name) and app.get_screen(name).is_mounted,
                         what="the deal screen to be built")
        prepared = app.get_screen(name)
        assert isinstance(app.screen, BoardScreen) and prepared.data is None
        card = app.screen.selected_card()
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is prepared and prepared.deal.id == card.id
        assert card.title in screen_text(app)


async def test_enter_pressed_twice_opens_the_deal_once(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = app.screen
        card = board.selected_card()
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal.id == card.id
        assert app.screen_stack == [board, app.screen]
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is board

