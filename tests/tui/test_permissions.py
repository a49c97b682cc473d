"""Who may change what, seen from the board: a refusal is one error line and the
deal stays where it was; the deal's manager may do what the teammate may not."""

from __future__ import annotations

from store import deals, events, reps
from store.deals import DealFields
from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.screens.board import BoardScreen


def _sams_deal(team):
    """Sam, a rep like Alex, owns the only deal in Needs analysis."""
    with team.db.session() as s:
        sam = reps.create_rep(s, "sam", "Sam Okafor", by=team.morgan.id)
        hooli = deals.create_opportunity(s, DealFields(title="Hooli", value=100), by=sam.id)
        return deals.move_deal(s, hooli.id, 1, version=hooli.version, by=sam.id)


async def _select_on_team_board(app, pilot, deal_id: int):
    await settle(app, pilot)
    if app.screen.flt.owner_id is not None:  # a rep's board opens on their own deals
        await pilot.press("m")  # the whole team's deals
        await settle(app, pilot)
    assert app.screen.flt.owner_id is None
    await pilot.press("h", "h", "h", "h", "l")  # to Qualified, then Needs analysis
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    assert screen.selected_card().id == deal_id


async def test_a_rep_moving_a_teammates_deal_sees_one_refusal_line_and_nothing_moves(team):
    hooli = _sams_deal(team)
    app = LegworkApp(team.db, "alex")
    async with app.run_test(size=(80, 24)) as pilot:
        await _select_on_team_board(app, pilot, hooli.id)
        app.clear_notifications()
        await pilot.press("L")
        await settle(app, pilot)
        with team.db.session() as s:
            after = deals.get_deal(s, hooli.id)
            last = events.history(s, hooli.id)[-1]
        assert (after.stage_name, after.version) == ("Needs analysis", hooli.version)
        assert last.rep_id == hooli.owner_id  # no event of Alex's
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "\n" not in errors[0].message
        assert errors[0].message == (
            "alex cannot move sam's deal 'Hooli': only its owner and their manager can"
        )
        assert app.screen.selected_card().id == hooli.id  # the board as it was


async def test_the_manager_moves_the_same_deal(team):
    hooli = _sams_deal(team)
    app = LegworkApp(team.db, "morgan")
    async with app.run_test(size=(80, 24)) as pilot:
        await _select_on_team_board(app, pilot, hooli.id)
        await pilot.press("L")
        await settle(app, pilot)
        with team.db.session() as s:
            after = deals.get_deal(s, hooli.id)
            last = events.history(s, hooli.id)[-1]
        assert after.stage_name != "Needs analysis" and after.version == hooli.version + 1
        assert last.kind == events.STAGE_CHANGED and last.rep_id == team.morgan.id
        assert not [n for n in app._notifications if n.severity == "error"]
