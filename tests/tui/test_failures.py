"""A database failure is one visible line, never silence and never a crash; the screen
keeps answering keys and nothing claims to be saved."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from store import board, notes
from tests.tui.conftest import settle
from tui.screens.board import BoardScreen
from tui.screens.modals.note_form import AddNoteScreen


def locked(*args, **kwargs):
    raise OperationalError("SELECT …", {}, Exception("database is locked"))


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_a_board_load_that_fails_says_so_and_the_board_recovers(app, team, monkeypatch):
    monkeypatch.setattr(board, "board_totals", locked)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, BoardScreen)
        assert errors(app) == ["Could not load the board: database is locked"]
        assert "Could not load the board" in str(app.screen.query_one("#summary").render())

        monkeypatch.undo()
        await pilot.press("m")  # the screen still answers keys: the team's deals
        await settle(app, pilot)
        assert app.screen.selected_card() is not None
        assert "Open " in str(app.screen.query_one("#summary").render())


async def test_a_note_save_that_fails_keeps_the_form_and_the_text(app, team, monkeypatch):
    import tui.screens.modals.note_form as note_form

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = app.screen.selected_card()
        monkeypatch.setattr(note_form, "add_note", locked)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, AddNoteScreen)
        await pilot.press(*"Signed the pilot order", "ctrl+s")
        await settle(app, pilot)

        assert app.is_running and isinstance(app.screen, AddNoteScreen)
        assert errors(app) == ["Could not save: database is locked"]
        assert app.screen.body == "Signed the pilot order"
        assert not any(m.startswith("Note “") for m in (n.message for n in app._notifications))
        with team.db.session() as s:
            assert notes.deal_notes(s, card.id) == []

        monkeypatch.undo()
        await pilot.press("ctrl+s")  # the form still answers keys; the second try saves
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        with team.db.session() as s:
            assert [n.body for n in notes.deal_notes(s, card.id)] == ["Signed the pilot order"]
        assert f"Note “Signed the pilot order” on “{card.title}”" in [n.message for n in app._notifications]
