"""The board's cursor card stands out in every theme, ANSI ones too.

ANSI themes cannot blend colours: a translucent cursor ("$primary 40%") came out as
solid primary, the focused column's header and scrollbar colour, and a lightened
surface as the terminal's own background, which hid the other columns' cursor card.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.widgets.stage_column import CARD_HEIGHT, CardList, StageColumn

THEMES = ["textual-dark", "textual-light", "ansi-dark", "ansi-light"]


def line_background(cards: CardList, line: int):
    """The background under a card line's first cell (the card's left padding)."""
    first = next(iter(cards.render_line(line - cards.scroll_offset.y)))
    return first.style.bgcolor


@pytest.mark.parametrize("theme", THEMES)
async def test_cursor_card_stands_out_focused_and_not(team, theme):
    app = LegworkApp(team.db, "alex", theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        assert app.theme == theme
        cards = app.focused
        assert isinstance(cards, CardList) and cards.total == 2 and cards.cursor == 0
        column = cards.parent
        assert isinstance(column, StageColumn)
        header = column.query_one(".column-header").rich_style.bgcolor
        cursor, other = line_background(cards, 0), line_background(cards, CARD_HEIGHT)
        assert cursor != other, f"{theme}: the cursor card has the other cards' background"
        assert cursor != header, f"{theme}: the cursor card has the focused header's background {header}"
        thumb = cards.styles.scrollbar_color.rich_color
        assert cursor != thumb, f"{theme}: the cursor card has the scrollbar's colour {thumb}"

        await pilot.press("l")  # the column keeps its cursor card, unfocused
        await settle(app, pilot)
        assert app.focused is not cards
        blurred, other = line_background(cards, 0), line_background(cards, CARD_HEIGHT)
        assert blurred != other, f"{theme}: an unfocused column's cursor card has the other cards' background"
