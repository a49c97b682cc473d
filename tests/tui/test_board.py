"""The boards, driven by key presses; assertions on the store and the screen."""

from __future__ import annotations

from store import deals, events
from store.deals import DealFields
from tests.tui.conftest import settle
from tui.screens.board import BoardScreen
from tui.widgets.stage_column import CardList


def selected(app):
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    return screen.selected_card()


def column_header(app, stage_name: str) -> str:
    screen = app.screen
    for column in screen._columns.values():
        if column.column.stage_name == stage_name:
            return f"{column.column.stage_name} {column.column.count} {column.column.value}"
    raise AssertionError(stage_name)


async def test_opens_on_my_opportunities(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BoardScreen) and screen.pipeline == "opportunity"
        qualified = screen._columns[team.acme.stage_id]
        assert qualified.column.count == 2  # Alex's two; Morgan's deal is not "mine"
        assert selected(app).title in {"Acme fleet rollout", "Globex renewal"}


async def test_move_forward_follows_the_card_and_records_history(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("L")
        await settle(app, pilot)
        with team.db.session() as s:
            moved = deals.get_deal(s, card.id)
            kinds = [e.kind for e in events.history(s, card.id)]
        assert moved.stage_name == "Needs analysis"
        assert kinds[-1] == "stage_changed"
        assert isinstance(app.focused, CardList) and app.focused.stage_id == moved.stage_id
        assert selected(app).id == card.id
        await pilot.press("less_than_sign")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).stage_name == "Qualified"
        assert selected(app).id == card.id


async def test_a_conflicting_change_is_refused_and_named(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        # Morgan, in another process, moves the same deal after Alex's board loaded it.
        with team.db.session() as s:
            deals.move_deal(s, card.id, 1, version=card.version, by=team.morgan.id)
        await pilot.press("L")
        await settle(app, pilot)
        with team.db.session() as s:
            after = deals.get_deal(s, card.id)
        assert after.stage_name == "Needs analysis"  # Morgan's move kept, Alex's refused
        assert after.version == card.version + 1
        messages = [n.message for n in app._notifications]
        assert any("Morgan Blake" in m for m in messages)
        assert selected(app).id == card.id and selected(app).version == after.version


async def test_won_leaves_the_board(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("w")
        await settle(app, pilot)
        with team.db.session() as s:
            won = deals.get_deal(s, card.id)
        assert won.stage_name == "Won" and won.closed_at is not None
        assert column_header(app, "Qualified").startswith("Qualified 1 ")
        assert any("Won" in n.message for n in app._notifications)


async def test_undo_key_reverts_a_move(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("L")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).stage_name == "Qualified"
        assert selected(app).id == card.id


async def test_lost_asks_for_a_reason(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("down", "enter")  # the second reason: "No budget"
        await pilot.press(*"froze spend")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("n")  # it has an open task: keep it
        await settle(app, pilot)
        with team.db.session() as s:
            lost = deals.get_deal(s, card.id)
        assert lost.stage_name == "Lost"
        assert lost.lost_reason == "No budget: froze spend"


async def test_lost_can_be_cancelled(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("escape")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).is_open


async def test_convert_a_lead(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        assert app.screen.pipeline == "lead"
        assert selected(app).id == team.lead.id
        await pilot.press("c")
        await settle(app, pilot)
        with team.db.session() as s:
            converted = deals.get_deal(s, team.lead.id)
        assert converted.pipeline == "opportunity" and converted.stage_name == "Qualified"
        assert converted.id == team.lead.id


async def test_new_deal_refuses_bad_input_then_saves(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("N")
        await pilot.pause()
        await pilot.press(*"Hooli search deal")
        await pilot.press("tab", *"Hooli", "tab", "tab", "tab", "tab")
        await pilot.press(*"12k3", "tab", *"soon", "enter")
        await pilot.pause()
        screen = app.screen
        assert "not an amount" in str(screen.query_one("#value-error").render())
        assert "not a day" in str(screen.query_one("#close-error").render())
        with team.db.session() as s:
            assert not [d for d in deals.list_deals(s) if d.title.startswith("Hooli")]
        value = screen.query_one("#value")
        value.value = "12.5k"
        screen.query_one("#close").value = "+3w"
        await pilot.press("enter")
        await settle(app, pilot)
        with team.db.session() as s:
            (hooli,) = [d for d in deals.list_deals(s) if d.title.startswith("Hooli")]
        assert hooli.value == 1_250_000 and hooli.account_name == "Hooli"
        assert hooli.expected_close is not None
        assert selected(app).id == hooli.id


async def test_edit_changes_the_value(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#value").value = "99,000"
        await pilot.press("enter")
        await settle(app, pilot)
        with team.db.session() as s:
            deal = deals.get_deal(s, card.id)
            kinds = [e.kind for e in events.history(s, card.id)]
        assert deal.value == 9_900_000
        assert "value_changed" in kinds


async def test_filter_changes_the_sums_and_escape_clears_it(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert column_header(app, "Qualified") == "Qualified 2 1700000"
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"globex", "enter")
        await settle(app, pilot)
        assert column_header(app, "Qualified") == "Qualified 1 500000"
        assert "globex" in str(app.screen.query_one("#summary").render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert column_header(app, "Qualified") == "Qualified 2 1700000"


async def test_team_toggle_shows_everyones_deals(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert column_header(app, "Proposal").startswith("Proposal 0 ")
        await pilot.press("m")
        await settle(app, pilot)
        assert column_header(app, "Proposal") == "Proposal 1 3000000"


async def test_other_processes_changes_appear_without_moving_the_cursor(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        with team.db.session() as s:
            deals.create_opportunity(s, DealFields(title="Fresh deal", value=1), by=team.alex.id)
        app.screen._check_for_changes()
        await settle(app, pilot)
        assert column_header(app, "Qualified").startswith("Qualified 3 ")
        assert selected(app).id == card.id


async def test_titles_are_text_not_markup(team):
    with team.db.session() as s:
        deals.create_opportunity(s, DealFields(title="[@click=app.quit]Evil[/] Corp", value=1), by=team.alex.id)
    from tui.app import LegworkApp

    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        cards = app.screen._columns[team.acme.stage_id].cards
        texts = ["".join(seg.text for seg in cards.render_line(y)) for y in range(cards.size.height)]
        assert any("[@click=app.quit]Evil[/] Corp" in t for t in texts)
        assert app.is_running


async def test_help_lists_the_board_keys(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        from tui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("Static").render())
        for words in ("one stage forward", "lost", "Filter by owner", "the whole team", "Undo", "Leads"):
            assert words in shown
        assert "Scroll Left" not in shown and "Focus Next" not in shown  # Textual's own keys stay out
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def test_keymap_overrides_a_binding(team):
    from tui.app import LegworkApp

    app = LegworkApp(team.db, "alex", keymap={"move-forward": "f"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("f")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).stage_name == "Needs analysis"


async def test_enter_opens_the_deal_and_escape_comes_back_to_it(app, team):
    from tui.screens.deal import DealScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("l", "h", "j")  # wander, then settle on the second card
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == card.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        assert selected(app).id == card.id


async def test_board_reaches_the_logging_forms(app, team):
    from store import activities, notes, tasks

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        card = selected(app)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#outcome").value = "Walked Jo through pricing"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"Send the contract", "tab", *"fri", "enter")
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Budget approved by the CFO", "ctrl+s")
        await settle(app, pilot)
        with team.db.session() as s:
            logged = activities.deal_activities(s, card.id)
            titles = [t.title for t in tasks.deal_tasks(s, card.id)]
            noted = notes.deal_notes(s, card.id)
        assert [a.outcome for a in logged] == ["Walked Jo through pricing"]
        assert "Send the contract" in titles
        assert noted[0].summary == "Budget approved by the CFO"
        assert isinstance(app.screen, BoardScreen) and selected(app).id == card.id


async def test_stale_and_overdue_cards_say_so(team):
    """A deal untouched past its stage's rot threshold with nothing scheduled is
    marked stale; an overdue next step shows how late it is."""
    import pendulum

    from store import tasks
    from tui.app import LegworkApp

    with pendulum.travel_to(pendulum.now("UTC").subtract(days=30), freeze=False):
        with team.db.session() as s:
            old = deals.create_opportunity(s, DealFields(title="Forgotten deal", value=1), by=team.alex.id)
            tasks.add_task(s, team.globex.id, "Chase the renewal", pendulum.today("UTC").date(), by=team.alex.id)
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        cards = app.screen._columns[team.acme.stage_id].cards
        lines = ["".join(seg.text for seg in cards.render_line(y)) for y in range(cards.size.height)]
        screen_text = "\n".join(lines)
        assert "Forgotten deal" in screen_text
        assert "stale no next step" in screen_text
        assert "30d late: Chase the renewal" in screen_text
        assert old.id in {cards.card_at(i).id for i in range(cards.total)}


async def test_enter_opens_a_lead_from_the_leads_board(app, team):
    from tui.screens.deal import DealScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == team.lead.id
        assert app.screen.title == "Lead"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.pipeline == "lead" and selected(app).id == team.lead.id


async def test_a_move_refetches_only_the_two_columns_it_touched(app, team):
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        board = app.screen
        card = selected(app)
        await pilot.press("L")
        await settle(app, pilot)
        moved_to = board.data.focus[0]
        assert board.data.fetched == {card.stage_id, moved_to}
        assert board.data.token == _token(team)  # the poll will not reload for our own write
        assert selected(app).id == card.id
        counts = {c.stage_id: c.count for c in board.data.columns}
        assert board._columns[card.stage_id].cards.total == counts[card.stage_id]
        assert board._columns[moved_to].cards.total == counts[moved_to]


async def test_a_move_after_another_processes_change_reloads_the_whole_board(app, team):
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        board = app.screen
        # Morgan, elsewhere, moves Initech before the board has polled for changes.
        with team.db.session() as s:
            deals.move_deal(s, team.initech.id, -1, version=team.initech.version, by=team.morgan.id)
        await pilot.press("L")
        await settle(app, pilot)
        assert board.data.fetched is None  # every column fetched again


def _token(team):
    from store import changes

    with team.db.session() as s:
        return changes.change_token(s)


async def test_cards_follow_focus_and_theme_changes(app, team):
    # Drawn card lines are cached per focus; a theme change must still redraw them all.
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        cards = app.focused
        assert isinstance(cards, CardList) and cards.cursor == 0

        def drawn(y: int) -> tuple:  # a line of the column as it draws it now
            return tuple((segment.text, segment.style) for segment in cards.render_line(y))

        focused_cursor, meta = drawn(0), drawn(1)
        await pilot.press("l")
        await settle(app, pilot)
        assert app.focused is not cards
        assert drawn(0) != focused_cursor  # the cursor without focus
        await pilot.press("h")
        await settle(app, pilot)
        assert app.focused is cards and drawn(0) == focused_cursor
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(app, pilot)
        assert drawn(0) != focused_cursor and drawn(1) != meta
