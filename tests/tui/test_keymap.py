"""Remapped keys: the new key works and the footer names it; unknown ids are warned about;
a deal action has one id, so one line remaps it on the boards, the deal screen and the
stand-up, and the old per-screen ids still work."""

from __future__ import annotations

import pytest

from store import deals
from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.config import load_config
from tui.keymap import upgrade_keymap
from tui.screens.board import BoardScreen
from tui.screens.deal import DealScreen
from tui.screens.standup import StandupScreen



def footer_line(app) -> str:
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    return lines[-1]


async def test_a_remapped_move_forward_moves_the_deal_and_the_footer_shows_the_new_key(team):
    app = LegworkApp(team.db, "alex", keymap={"move-forward": "F"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        card = app.screen.selected_card()
        assert footer_line(app).startswith(" F Stage →  H ← Stage")  # where L was, not cut off
        await pilot.press("L")  # the old key no longer moves it
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).stage_name == "Qualified"
        await pilot.press("F")
        await settle(app, pilot)
        with team.db.session() as s:
            assert deals.get_deal(s, card.id).stage_name == "Needs analysis"
        assert "F Stage →" in footer_line(app)


def start_with_config(tmp_path, monkeypatch, capsys, text: str) -> tuple[list[str], list[dict]]:
    """Start legwork (its app not run) with ``text`` as the config file: (stderr lines, the
    keymap each app started with)."""
    from tui import cli

    config = tmp_path / "config.toml"
    config.write_text(text)
    monkeypatch.setenv("LEGWORK_CONFIG", str(config))
    started = []
    monkeypatch.setattr(LegworkApp, "run", lambda app: started.append(app._keymap))
    assert cli.main(["--db", str(tmp_path / "local.db"), "--rep", "alex"]) == 0
    return capsys.readouterr().err.strip().splitlines(), started


def test_an_unknown_binding_id_in_the_config_is_warned_about_at_start(tmp_path, monkeypatch, capsys):
    err, started = start_with_config(tmp_path, monkeypatch, capsys, '[keymap]\nmove-fwd = "F"\nmode-today = "3,f3"\n')
    assert err == [
        "legwork: keymap: no binding has the id 'move-fwd', so it is ignored "
        "(closest: move-forward, move-back, mode-today)"
    ]
    assert started == [{"move-fwd": "F", "mode-today": "3,f3"}]  # the known ids still apply


def stage_of(team, deal_id: int) -> str:
    with team.db.session() as s:
        return deals.get_deal(s, deal_id).stage_name


@pytest.mark.parametrize("line", ['move-forward = "F"', 'deal-move-forward = "F"'], ids=["new-id", "old-id"])
async def test_one_keymap_line_remaps_a_deal_action_on_the_board_the_deal_screen_and_the_standup(team, tmp_path, line):
    config = tmp_path / "config.toml"
    config.write_text(f"[keymap]\n{line}\n")
    keymap, _notices = upgrade_keymap(load_config(config).keymap)
    app = LegworkApp(team.db, "morgan", keymap=keymap)  # a manager may move every deal
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        card = app.screen.selected_card()
        before = stage_of(team, card.id)
        await pilot.press("F")  # on the board
        await settle(app, pilot)
        on_board = stage_of(team, card.id)
        assert on_board != before

        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal.id == card.id
        await pilot.press("L")  # the old key is gone here too
        await settle(app, pilot)
        assert stage_of(team, card.id) == on_board
        await pilot.press("F")  # on the deal screen
        await settle(app, pilot)
        on_deal_screen = stage_of(team, card.id)
        assert on_deal_screen != on_board

        await pilot.press("escape", "5")
        await settle(app, pilot)
        assert isinstance(app.screen, StandupScreen)
        await pilot.press("j")  # past the numbers, to the first deal
        await settle(app, pilot)
        item = app.screen.item
        assert item is not None
        stage = stage_of(team, item.deal.id)
        await pilot.press("F")  # in the stand-up
        await settle(app, pilot)
        assert stage_of(team, item.deal.id) != stage


def test_old_per_screen_ids_in_the_config_apply_under_the_new_id_with_one_line_on_stderr(tmp_path, monkeypatch,
                                                                                         capsys):
    err, started = start_with_config(
        tmp_path, monkeypatch, capsys,
        '[keymap]\ndeal-move-forward = "F"\nstandup-move-forward = "G"\nstandup-undo = "U"\nundo = "z"\n',
    )
    assert err == [
        "legwork: keymap: renamed ids now apply on the boards, the deal screen and the stand-up: "
        "deal-move-forward → move-forward, standup-move-forward → move-forward; "
        "ignored, the file sets their new id too: standup-undo"
    ]
    assert started == [{"move-forward": "F,G", "undo": "z"}]
