"""The board's cursor stays on screen: after every key, at every terminal size, the
focused column is among the columns shown and its cursor card is in view.

Driven on the demo team (Alex's opportunity board, seven and more deals per stage) on
a fixed Wednesday, with exactly the keys a rep pressed when it went wrong: `2 j L`
then `l l h h h`, `enter`, and `L l w`.
"""

from __future__ import annotations

import shutil

import pendulum
import pytest

from store import board, deals, demo
from store.db import open_database
from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.screens.board import BoardScreen
from tui.screens.deal import DealScreen
from tui.widgets.stage_column import CARD_HEIGHT, CardList

DAY = pendulum.datetime(2026, 11, 18, 9, 0, tz="UTC")
SIZES = [(80, 24), (100, 30), (120, 40), (200, 50)]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, sqlite_template):
    """The demo team, built once per test process on DAY (about two seconds)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    database = open_database(str(path))
    with pendulum.travel_to(DAY, freeze=False), database.session() as session:
        demo.populate_demo(session, today=DAY.date())
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture
def demo_db(tmp_path, demo_template):
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    database = open_database(str(path))
    with pendulum.travel_to(DAY, freeze=False):
        yield database
    database.dispose()


def cursor_lines(app) -> tuple[CardList, int]:
    """The focused card list, and the first of its cursor card's lines in view."""
    cards = app.focused
    assert isinstance(cards, CardList), f"focus is on {cards!r}, not a column"
    return cards, cards.cursor * CARD_HEIGHT - cards.scroll_offset.y


def drawn_title(app) -> str:
    """The title as the screen draws it on the cursor card (ellipsis removed)."""
    cards, top = cursor_lines(app)
    return "".join(segment.text for segment in cards.render_line(top)).strip().rstrip("…")


def assert_cursor_on_screen(app, after: str) -> None:
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    cards, top = cursor_lines(app)
    column = screen._columns[cards.stage_id]
    where = f"after {after!r} at {app.size}: column {column.column.stage_name!r}"
    assert column.display, f"{where} is not shown"
    assert column.region.area and screen.region.contains_region(column.region), f"{where} is off screen"
    assert column.region.contains_region(cards.region), where
    highlighted = [c.column.stage_name for c in screen._columns.values() if c.is_focused_column]
    assert highlighted == [column.column.stage_name], f"{where}: headers highlighted: {highlighted}"
    assert 0 <= top and top + CARD_HEIGHT - 1 <= cards.size.height, f"{where}: cursor card scrolled out of view"
    card = cards.selected
    assert card is not None and card.title.startswith(drawn_title(app)), where


async def press_checked(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)
        assert_cursor_on_screen(app, key)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_after_a_move_h_and_l_keep_the_cursor_on_screen(demo_db, size):
    app = LegworkApp(demo_db, demo.DEMO_REP)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await press_checked(app, pilot, "2", "j")
        moved = app.screen.selected_card()
        await press_checked(app, pilot, "L")
        assert app.screen.selected_card().id == moved.id
        await press_checked(app, pilot, "l", "l", "h", "h", "h")
        shown = drawn_title(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen)
        with demo_db.session() as s:
            opened = deals.get_deal(s, app.screen.deal_id)
        assert shown and opened.title.startswith(shown)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_won_after_a_move_and_l_wins_the_deal_on_screen(demo_db, size):
    app = LegworkApp(demo_db, demo.DEMO_REP)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await press_checked(app, pilot, "2", "j", "L", "l")
        shown = app.screen.selected_card()
        assert shown.title.startswith(drawn_title(app))
        await press_checked(app, pilot, "w")
        with demo_db.session() as s:
            won = deals.get_deal(s, shown.id)
        assert won.stage_name == "Won"


async def test_every_board_key_keeps_the_cursor_on_screen(demo_db):
    app = LegworkApp(demo_db, demo.DEMO_REP)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press_checked(app, pilot, "2", "G", "right", "right", "right", "left", "down", "down", "up")
        await press_checked(app, pilot, "greater_than_sign", "greater_than_sign", "less_than_sign", "H", "L")
        await press_checked(app, pilot, "end", "home", "pagedown", "g", "left", "left", "left", "left")
        # Lost, through the reason picker: the cursor stays in the column the deal left.
        await pilot.press("l", "x")
        await settle(app, pilot)
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        await pilot.press("y")  # and close its open tasks
        await settle(app, pilot)
        assert_cursor_on_screen(app, "x")
        await press_checked(app, pilot, "l", "l", "w")
        # The whole team, a filter, then back to the rep's own deals.
        await press_checked(app, pilot, "m", "l", "G", "m")
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"facilities", "enter")
        await settle(app, pilot)
        assert_cursor_on_screen(app, "filter")
        await press_checked(app, pilot, "l", "l", "escape")
        # Another mode and back.
        await press_checked(app, pilot, "l", "1", "2", "h")


async def test_another_processes_write_and_a_resize_keep_the_cursor_on_screen(demo_db):
    app = LegworkApp(demo_db, demo.DEMO_REP)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await press_checked(app, pilot, "2", "l", "l", "l", "G")
        card = app.screen.selected_card()
        # Elsewhere, someone moves every other deal of that column back a stage.
        with demo_db.session() as s:
            flt = app.screen.flt
            for other in board.column_cards(s, card.stage_id, flt, offset=0, limit=50):
                if other.id != card.id:
                    deals.move_deal(s, other.id, -1, version=other.version, by=other.owner_id)
        app.screen._check_for_changes()
        await settle(app, pilot)
        assert_cursor_on_screen(app, "reload")
        assert app.screen.selected_card().id == card.id
        for width, height in [(80, 24), (100, 30), (200, 50), (80, 24)]:
            await pilot.resize_terminal(width, height)
            await settle(app, pilot)
            assert_cursor_on_screen(app, f"resize to {width}x{height}")
            assert app.screen.selected_card().id == card.id


class TestBoardAfterAMoveSnapshots:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_board_after_a_move(self, snap_compare, demo_db, size):
        async def moved(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("2", "j", "L")
            await settle(pilot.app, pilot)
            await pilot.press("l")
            await settle(pilot.app, pilot)
            pilot.app.clear_notifications()  # the board, not the toast over its corner
            await pilot.pause()

        assert snap_compare(LegworkApp(demo_db, demo.DEMO_REP), terminal_size=size, run_before=moved)
