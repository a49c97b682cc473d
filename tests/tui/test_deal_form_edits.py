"""Edit (`e`): an emptied field is refused, not "Saved" with nothing saved; a conflict
keeps what the rep typed and shows what the other save changed."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from store import deals
from store.deals import DealFields
from tests.tui.conftest import settle, toasts
from tui.screens.board import BoardScreen
from tui.screens.modals.deal_form import DealFormScreen


async def open_edit(app, pilot):
    await settle(app, pilot)
    card = app.screen.selected_card()
    await pilot.press("e")
    await settle(app, pilot)
    assert isinstance(app.screen, DealFormScreen)
    return card


def error_line(form, id_: str) -> str:
    return str(form.query_one(f"#{id_}-error").render())


async def test_an_emptied_value_is_refused_not_saved_as_nothing(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_edit(app, pilot)
        form = app.screen
        form.query_one("#value").value = ""
        form.query_one("#close").value = ""
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # still open, saying why
        assert error_line(form, "value") == "A deal always has a value: type 0 for none"
        assert error_line(form, "close") == "The expected close cannot be emptied: type the new day"
        assert not any(m.startswith("Saved") for m in toasts(app))
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).version == card.version


async def test_a_conflict_keeps_what_was_typed_and_shows_the_new_values(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_edit(app, pilot)
        form = app.screen
        form.query_one("#title").value = "Acme fleet rollout, phase 2"
        with team.db.session() as s:  # Morgan, in another terminal, meanwhile
            deals.edit_deal(s, card.id, DealFields(value=2_000_000), version=card.version, by=team.morgan.id)
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert app.screen is form
        assert form.query_one("#title").value == "Acme fleet rollout, phase 2"
        error = str(form.query_one("#form-error").render())
        assert "was changed by Morgan Blake" in error and "Now: value $20,000." in error
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).title == card.title  # nothing of Alex's saved yet

        assert form.query_one("#value").value == "20,000"  # untouched by Alex: Morgan's value

        await pilot.press("ctrl+s")  # Alex's title on top of Morgan's value
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        with team.db.session() as s:
            saved = deals.get_deal(s, card.id)
        assert (saved.title, saved.value) == ("Acme fleet rollout, phase 2", 2_000_000)


async def test_a_deal_form_save_that_fails_keeps_the_form(app, team, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("UPDATE …", {}, Exception("database is locked"))

    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_edit(app, pilot)
        form = app.screen
        form.query_one("#value").value = "99,000"
        monkeypatch.setattr(deals, "edit_deal", locked)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.is_running and app.screen is form
        assert form.query_one("#value").value == "99,000"
        assert "Could not save: database is locked" in toasts(app)
        assert not any(m.startswith("Saved") for m in toasts(app))
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).value == 9_900_000
