"""A stage move by key, as the rep sees it: the card leaves one column for the
next, both headers and the summary line say the new totals, and the database
has the move; and another rep's move reaches a board that is open elsewhere."""

from __future__ import annotations

import pendulum
from textual.geometry import Region

from store import board, deals
from store.board import BoardFilter
from store.deals import DealFields
from store.models import OPPORTUNITY
from store.money import format_money
from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.screens.board import BoardScreen


def _text(widget) -> str:
    size = widget.outer_size  # padding included, as the compositor asks
    lines = widget.render_lines(Region(0, 0, size.width, size.height))
    return "\n".join("".join(segment.text for segment in line) for line in lines)


def _fresh(team, flt: BoardFilter):
    with team.db.session() as s:
        return board.board_totals(s, OPPORTUNITY, flt, tz="UTC")


def _ids_in(screen: BoardScreen, stage_id: int) -> list[int]:
    cards = screen._columns[stage_id].cards
    return [cards.card_at(i).id for i in range(min(cards.total, 40)) if cards.card_at(i) is not None]


def assert_board_shows(screen: BoardScreen, team, flt: BoardFilter) -> None:
    """Every column header and the summary line on screen say what the database says now."""
    columns, summary = _fresh(team, flt)
    for column in columns:
        widget = screen._columns[column.stage_id]
        header = _text(widget.header)
        deals_word = "deal" if column.count == 1 else "deals"
        assert f"{column.count} {deals_word}" in header, (column.stage_name, header)
        assert format_money(column.value, "USD", short=True) in header, (column.stage_name, header)
        assert format_money(column.weighted, "USD", short=True) in header, (column.stage_name, header)
        assert widget.cards.total == column.count
    line = str(screen.query_one("#summary").render())
    money = lambda cents: format_money(cents, "USD", short=True)  # noqa: E731
    assert f"Open {money(summary.open_value)} ({summary.open_count})" in line
    assert f"Forecast {money(summary.weighted_this_month)} mo / {money(summary.weighted_this_quarter)} qtr" in line


async def test_a_move_by_key_shows_in_both_columns_and_the_summary(team):
    # Acme closes today: moving it changes this month's and this quarter's forecast.
    with team.db.session() as s:
        acme = deals.edit_deal(s, team.acme.id, DealFields(title=team.acme.title, value=team.acme.value,
                                                           expected_close=pendulum.today("UTC").date()),
                               version=team.acme.version, by=team.alex.id)
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        flt = BoardFilter(owner_id=team.alex.id)
        before_columns, before_summary = _fresh(team, flt)
        assert_board_shows(screen, team, flt)
        card = screen.selected_card()
        assert card.id == acme.id  # overdue-free, closes first: the top card
        qualified, analysis = before_columns[0].stage_id, before_columns[1].stage_id

        await pilot.press("L")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, acme.id).stage_id == analysis
        assert acme.id not in _ids_in(screen, qualified) and acme.id in _ids_in(screen, analysis)
        assert screen.selected_card().id == acme.id and app.focused is screen._columns[analysis].cards
        assert_board_shows(screen, team, flt)
        after_summary = _fresh(team, flt)[1]
        # 12,000.00 x (30 % - 10 %) more this month and this quarter; the open total is the same.
        assert after_summary.weighted_this_month - before_summary.weighted_this_month == 240_000
        assert after_summary.open_value == before_summary.open_value
        assert screen.data.fetched == {qualified, analysis}  # the other columns were not read again

        # Further moves build on the totals shown: still what a fresh read says.
        for key in ("L", "H", "H"):
            await pilot.press(key)
            await settle(app, pilot)
            assert screen.selected_card().id == acme.id
            assert_board_shows(screen, team, flt)
        with team.db.session() as s:
            assert deals.get_deal(s, acme.id).stage_id == qualified
        assert _fresh(team, flt) == (before_columns, before_summary)


async def test_another_reps_move_reaches_the_managers_board(team):
    app = LegworkApp(team.db, "morgan")  # the manager: the whole team's board
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        flt = BoardFilter()
        assert_board_shows(screen, team, flt)
        columns, _summary = _fresh(team, flt)
        qualified, analysis = columns[0].stage_id, columns[1].stage_id
        assert team.globex.id in _ids_in(screen, qualified)
        # Alex, in another process, moves Globex on.
        with team.db.session() as s:
            deals.move_deal(s, team.globex.id, 1, version=team.globex.version, by=team.alex.id)
        screen._check_for_changes()  # what the board's timer does every few seconds
        await settle(app, pilot)
        assert team.globex.id not in _ids_in(screen, qualified) and team.globex.id in _ids_in(screen, analysis)
        assert_board_shows(screen, team, flt)

        # Then the manager moves a deal by key: the board had caught up, so only the
        # two columns are read again, and they and the summary are right.
        card = screen.selected_card()
        await pilot.press("L")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).stage_id != card.stage_id
        assert screen.selected_card().id == card.id
        assert screen.data.fetched is not None
        assert_board_shows(screen, team, flt)
