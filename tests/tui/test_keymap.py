"""Remapped keys: the new key works and the footer names it; unknown ids are warned about."""

from __future__ import annotations

from store import deals
from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.screens.board import BoardScreen



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


def test_an_unknown_binding_id_in_the_config_is_warned_about_at_start(tmp_path, monkeypatch, capsys):
    from tui import cli

    config = tmp_path / "config.toml"
    config.write_text('[keymap]\nmove-fwd = "F"\nmode-today = "3,f3"\n')
    monkeypatch.setenv("LEGWORK_CONFIG", str(config))
    started = []
    monkeypatch.setattr(LegworkApp, "run", lambda app: started.append(app._keymap))
    assert cli.main(["--db", str(tmp_path / "local.db"), "--rep", "alex"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "legwork: keymap: no binding has the id 'move-fwd', so it is ignored "
        "(closest: move-forward, deal-move-forward, move-back)"
    ]
    assert started == [{"move-fwd": "F", "mode-today": "3,f3"}]  # the known ids still apply
