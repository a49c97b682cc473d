"""A terminal pastes whatever bytes it was given: a pasted ESC sequence is refused by the store
with a message on the form, and nothing is saved."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Static

from store import tasks
from tests.tui.conftest import settle
from tui.screens.modals.task_form import AddTaskScreen


async def test_a_pasted_escape_sequence_is_refused_on_the_form(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(AddTaskScreen(team.acme.id))
        await settle(app, pilot)
        screen = app.screen
        title = screen.query_one("#title", Input)
        title.post_message(events.Paste("Call Jo\x1b]0;pwned\x07"))
        await pilot.pause()
        assert title.value == "Call Jo\x1b]0;pwned\x07"
        await pilot.press("tab", *"fri", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert str(screen.query_one("#form-error", Static).render()) == (
            "title holds a control character (U+001B): remove it"
        )
    with team.db.session() as session:
        assert all("pwned" not in t.title for t in tasks.deal_tasks(session, team.acme.id))
