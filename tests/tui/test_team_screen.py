"""The Team screen (`7`): a manager changes stages, lost reasons and settings through its
forms (the same store functions as the command line, recorded in the audit trail);
a rep sees the page read-only."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from store import audit, reps, settings, stages
from store.terms import OPPORTUNITY
from tui.app import LegworkApp
from tui.screens.modals.admin_form import AdminForm
from tui.screens.team import TeamScreen

from tests.tui.conftest import settle


def screen_text(app) -> str:
    table = app.screen.query_one(DataTable)
    rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
    return app.screen.query_one("#team-settings", Static).render().plain + "\n" + "\n".join(rows)


async def open_team(app, pilot) -> TeamScreen:
    await settle(app, pilot)
    await pilot.press("7")
    await settle(app, pilot)
    assert isinstance(app.screen, TeamScreen)
    return app.screen


def row_of(screen: TeamScreen, predicate) -> int:
    return next(i for i, row in enumerate(screen.rows) if row.item is not None and predicate(row.item))


async def go_to(app, pilot, index: int) -> None:
    table = app.screen.query_one(DataTable)
    for _ in range(table.row_count):
        if table.cursor_row == index:
            return
        await pilot.press("j" if table.cursor_row < index else "k")
    assert table.cursor_row == index, f"j and k did not bring the cursor to row {index}: it is on {table.cursor_row}"


async def type_into(pilot, app, field_id: str, text: str) -> None:
    field = app.screen.query_one(f"#{field_id}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


async def test_a_manager_reweights_a_stage_and_it_is_recorded(team):
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_team(app, pilot)
        text = screen_text(app)
        assert "Alex Kim" in text and "Proposal 60%" in text and "c z o change these" in text
        await go_to(app, pilot, row_of(screen, lambda item: getattr(item, "name", None) == "Proposal"))
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, AdminForm)
        await type_into(pilot, app, "probability", "75")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen) and "Proposal 75%" in screen_text(app)
    with team.db.session() as s:
        assert stages.find_stage(s, OPPORTUNITY, "Proposal").probability == 75
        record = audit.history(s)[0]
        assert (record.actor, record.kind, record.data["after"]) == ("morgan", "stage.changed", {"probability": 75})


async def test_a_refused_change_stays_on_the_form_with_the_reason(team):
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_team(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        await type_into(pilot, app, "code", "euro")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AdminForm)
        assert "three-letter" in app.screen.query_one("#form-error", Static).render().plain
        await type_into(pilot, app, "code", "EUR")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen) and screen_text(app).startswith("EUR ·")
    with team.db.session() as s:
        assert settings.currency(s) == "EUR"


async def test_a_manager_adds_a_lost_reason_and_a_rep(team):
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_team(app, pilot)
        await go_to(app, pilot, row_of(screen, lambda item: item == "Price"))
        await pilot.press("a")
        await settle(app, pilot)
        await type_into(pilot, app, "label", "Budget [b]cut[/b]")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Budget [b]cut[/b]" in screen_text(app)
        await go_to(app, pilot, 1)
        await pilot.press("a")
        await settle(app, pilot)
        await type_into(pilot, app, "handle", "sam")
        await type_into(pilot, app, "name", "Sam Okafor")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Sam Okafor" in screen_text(app)
    with team.db.session() as s:
        assert stages.lost_reasons(s, OPPORTUNITY)[-1] == "Budget [b]cut[/b]"
        assert reps.find_rep(s, "sam").role == "rep"
        assert [(r.actor, r.kind) for r in audit.history(s)[:2]] == [("morgan", "rep.added"),
                                                                     ("morgan", "lost_reason.added")]


async def test_a_rep_sees_the_page_read_only(team):
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_team(app, pilot)
        assert "read-only" in screen_text(app)
        for key in ("e", "a", "x", "c", "z", "o", "K"):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.screen is screen, key
    with team.db.session() as s:
        assert all(r.actor != "alex" for r in audit.history(s))


async def test_the_palette_and_help_reach_the_team_screen(team):
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert any(c.title == "Team" for c in app.get_system_commands(app.screen))
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert "Team: reps, teams, stages" in str(app.screen.query_one(Static).render())


async def test_a_manager_retires_a_stage_moving_its_deals_and_reorders_another(team):
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_team(app, pilot)
        await go_to(app, pilot, row_of(screen, lambda item: getattr(item, "name", None) == "Proposal"))
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("enter")  # nowhere said for its deal
        await settle(app, pilot)
        assert isinstance(app.screen, AdminForm)
        assert "Proposal holds 1 deal" in app.screen.query_one("#form-error", Static).render().plain
        await type_into(pilot, app, "to", "Negotiation")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamScreen) and "Proposal" not in screen_text(app)
        await go_to(app, pilot, row_of(screen, lambda item: getattr(item, "name", None) == "Negotiation"))
        await pilot.press("K")
        await settle(app, pilot)
    with team.db.session() as s:
        from store import deals

        assert deals.get_deal(s, team.initech.id).stage_name == "Negotiation"
        names = [x.name for x in stages.list_stages(s, OPPORTUNITY, open_only=True)]
        assert names == ["Qualified", "Negotiation", "Needs analysis"]
        assert [(r.actor, r.kind) for r in audit.history(s)[:2]] == [("morgan", "stage.reordered"),
                                                                     ("morgan", "stage.retired")]
