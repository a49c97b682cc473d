"""Stored text with terminal escapes and markup, shown on every screen: nothing of it
reaches the terminal raw, and what is there shows visibly (``␛``) and literally.

What is drawn is read from the compositor: the full update a terminal would get,
rendered to the bytes Textual writes. Textual's own sequences (colours, cursor
moves, its links) are taken out; anything else that is a control character came
from the data.
"""

from __future__ import annotations

import re

import pendulum
import pytest
from textual import events

from store import deals
from tests import hostile_corpus as hc
from tests.tui.conftest import settle, wait_until
from tests.tui.hostile_team import ATTACK, SHOWN_ATTACK, WEDNESDAY, build_hostile_team
from tui.app import LegworkApp
from tui.screens.board import BoardScreen
from tui.screens.deal import DealScreen, open_deal
from tui.screens.modals.deal_form import DealFormScreen
from tui.screens.modals.lost_reason import LostReasonScreen
from tui.screens.numbers import NumbersScreen
from tui.screens.rep_numbers import RepNumbersScreen
from tui.screens.standup import StandupScreen
from tui.screens.today import TodayScreen

SIZE = (160, 40)
# Textual's own output: colours and styles, cursor moves, its hyperlinks.
TEXTUAL_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*m|\x1b\[\d+;\d+H|\x1b\]8;[^\x1b]*\x1b\\")
# What no data may put on the terminal: C0 (a tab too: cells are laid out, not tabbed), DEL, C1, bidi.
NEVER_RAW = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{''.join(hc.BIDI)}]")
# The attack's first part as the screen shows it; enough to be sure it is visible even cut short.
SHOWN = "␛]0;evil␇"


def drawn(app) -> tuple[str, str]:
    """(the screen as text, one line per row; what Textual writes to the terminal for it,
    less its own escape sequences)."""
    update = app.screen._compositor.render_full_update()
    text = "\n".join("".join(segment.text for strip in line for segment in strip) for line in update.strips)
    return text, TEXTUAL_SEQUENCES.sub("", update.render_segments(app.console))


def assert_safe(app, *shows: str) -> str:
    """Nothing raw on the terminal; every string of ``shows`` on screen. Returns the screen."""
    text, written = drawn(app)
    raw = sorted({f"U+{ord(c):04X}" for c in NEVER_RAW.findall(written)})
    assert not raw, f"{type(app.screen).__name__} sent {raw} to the terminal"
    for wanted in shows:
        assert wanted in text, f"{wanted!r} not on {type(app.screen).__name__}:\n{text}"
    return text


@pytest.fixture
def team(sqlite_db):
    built = build_hostile_team(sqlite_db)
    with pendulum.travel_to(WEDNESDAY, freeze=False):
        yield built


@pytest.fixture
def app(team) -> LegworkApp:
    return LegworkApp(team.db, "alex")


async def start(app, pilot) -> None:
    await settle(app, pilot)
    assert isinstance(app.screen, BoardScreen)


async def test_boards_titles_and_toasts(app, team):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("l")  # Acme sits in Needs analysis
        await settle(app, pilot)
        assert app.screen.selected_card().id == team.acme.id
        # Cards, the empty column's hostile stage name, and literal markup.
        assert_safe(app, "[@click=app.quit]Acme Acme " + SHOWN[:4], "Qualified ␛]0;evil␇", "1d late: [@click=app.quit]Acme Chase")
        await pilot.press("L")
        await settle(app, pilot)
        for _ in range(3):
            await pilot.pause()  # the toast mounts after the moved card is drawn
        assert any(ATTACK in n.message or SHOWN_ATTACK in n.message for n in app._notifications)
        assert_safe(app, f"{SHOWN_ATTACK} [bold]x[/]” → Proposal")
        await pilot.press("1")
        await settle(app, pilot)
        assert_safe(app, "[@click=app.quit]Acme Lead ␛")
    assert app.return_code is None  # [@click=app.quit] in a title ran nothing


async def test_deal_timeline_facts_title_and_note(app, team):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("l", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        text = assert_safe(
            app,
            f"Opportunity — [@click=app.quit]Acme Acme {SHOWN_ATTACK} [bold]x[/]",  # the header's sub-title
            f"[@click=app.quit]Acme Acct {SHOWN_ATTACK} [bold]x[/] · [@click=app.quit]Acme Jo",  # facts
            f"Next: 1d late [@click=app.quit]Acme Chase {SHOWN_ATTACK} [bold]x[/]",
            f"Call: [@click=app.quit]Acme Outcome {SHOWN_ATTACK} [bold]x[/]",  # an activity's outcome
            f"Qualified {SHOWN_ATTACK} → Needs analysis",  # a stage name in the history
        )
        assert "␛]0;evil" in text
        await pilot.press("j", "j", "enter")  # the note: expand its body
        await settle(app, pilot)
        assert_safe(app, f"[@click=app.quit]Acme Note {SHOWN_ATTACK}", f"second line {SHOWN_ATTACK}", "third [bold]x[/]")

        open_deal(app, team.globex.id)  # lost, for a hostile reason
        await settle(app, pilot)
        assert_safe(app, f"Budget {SHOWN_ATTACK}: [@click=app.quit]Acme gone", f"[@click=app.quit]Acme Globex {SHOWN}")


async def test_today_queue_and_whose_queue(app, team):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)
        assert_safe(
            app,
            f"[@click=app.quit]Acme Call {SHOWN_ATTACK}",
            f"[@click=app.quit]Acme Email {SHOWN}",
            f"[@click=app.quit]Acme Lead {SHOWN_ATTACK} [bold]x[/]",
            "[@click=app.quit]Acme Morgan ␛",  # the manager's team line
        )
        await pilot.press("r")  # whose queue: the reps by name
        await settle(app, pilot)
        assert_safe(app, "[@click=app.quit]Acme Mo  1 overdue")
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("d")  # the due-day form names the task
        await settle(app, pilot)
        assert_safe(app, f"Due day for “[@click=app.quit]Acme Call {SHOWN}")
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("space")  # done: the offer to log it names task and deal
        await settle(app, pilot)
        assert_safe(app, "✓ Done: “[@click=app.quit]Acme Call", SHOWN_ATTACK)


async def test_standup_numbers_and_deal_pages(app, team):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        assert isinstance(app.screen, StandupScreen)
        # A rep's name in the numbers table: once read as markup, now shown as typed.
        assert_safe(app, "[@click=app.quit]Acme…     0")
        pages = []
        for _ in range(len(app.screen.items)):
            await pilot.press("j")
            await settle(app, pilot)
            pages.append(assert_safe(app))
        shown = "\n".join(pages)
        assert f"[@click=app.quit]Acme Globex {SHOWN_ATTACK} [bold]x[/]" in shown
        assert f"Reason: Budget {SHOWN_ATTACK}: [@click=app.quit]Acme gone" in shown
        await pilot.press("r")  # whose agenda: the reps by name
        await settle(app, pilot)
        assert_safe(app, "[@click=app.quit]Acme Morgan", SHOWN_ATTACK)


async def test_numbers_table_pipeline_forecast_and_drill(app, team):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        assert_safe(app, "[@click=app.quit]Acme Morgan ␛")
        table = app.screen.query_one("#numbers-table")
        row = next(i for i in range(table.row_count) if "Morgan" in str(table.get_row_at(i)[0]))
        table.move_cursor(row=row, animate=False)
        # The pipeline and forecast follow the cursor after a short delay.
        await wait_until(pilot, lambda: "Forecast · [@click=app.quit]" in drawn(app)[0], what="the rep's forecast")
        assert_safe(app, "Activity pipeline · [@click=app.quit]Acme Morga", "Forecast · [@click=app.quit]")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RepNumbersScreen)
        assert_safe(app, "Numbers · [@click=app.quit]Acme Morgan ␛", f"[@click=app.quit]Acme Morgan {SHOWN}")


async def test_forms_on_a_hostile_deal(app, team):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        for key, heading in (("t", "Task on “"), ("n", "Note on “"), ("a", "Log an activity on “")):
            await pilot.press(key)
            await settle(app, pilot)
            assert_safe(app, f"{heading}[@click=app.quit]Acme Acme", SHOWN_ATTACK)
            await pilot.press("escape")
            await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, LostReasonScreen)
        # The team's reasons, one of them hostile: a str option would be read as markup.
        assert_safe(app, "Lost: “[@click=app.quit]Acme Acme", f"Budget {SHOWN_ATTACK}", "Timing")
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("slash")  # the filter's dropdowns list stored territories and owners
        await settle(app, pilot)
        assert_safe(app)
        await pilot.press("tab", "tab", "enter")  # open the territory list
        await settle(app, pilot)
        assert_safe(app, "  North  ", SHOWN_ATTACK)


async def test_editing_a_hostile_deal_keeps_what_was_not_touched(app, team):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("l", "e")
        await settle(app, pilot)
        assert isinstance(app.screen, DealFormScreen)
        assert_safe(
            app,
            f"Edit “[@click=app.quit]Acme Acme {SHOWN}",
            f"[@click=app.quit]Acme Acct {SHOWN}",
            f"Web {SHOWN_ATTACK}",
            "Alex Kim",
        )
        value = app.screen.query_one("#value")
        value.value = "15000"
        await pilot.press("enter")
        await settle(app, pilot)
    with team.db.session() as s:
        saved = deals.get_deal(s, team.acme.id)
    assert saved.value == 1_500_000
    # The fields shown with ␛ and left alone keep the stored text, escapes and all.
    assert (saved.title, saved.account_name, saved.contact_name, saved.source) == (
        team.acme.title, team.acme.account_name, team.acme.contact_name, team.acme.source,
    )


async def test_a_paste_cannot_drive_the_terminal(app, team):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("N")
        await settle(app, pilot)
        assert isinstance(app.screen, DealFormScreen)
        app.post_message(events.Paste(f"Pasted {ATTACK} {hc.MARKUP_BOLD}"))
        await settle(app, pilot)
        title = app.screen.query_one("#title").value
        assert title == f"Pasted {SHOWN_ATTACK} [bold]x[/]"
        assert_safe(app, f"Pasted {SHOWN_ATTACK}")
