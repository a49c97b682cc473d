"""The application shell: who is signed in, modes, and the command line."""

from __future__ import annotations

import subprocess
import sys

from store import reps
from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.screens.board import BoardScreen
from tui.screens.onboarding import OnboardingScreen


async def test_an_unknown_rep_is_onboarded(sqlite_db):
    app = LegworkApp(sqlite_db, "newbie")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, OnboardingScreen)
        assert app.check_action("switch_mode", ("leads",)) is False  # closed until we know who this is
        await pilot.press(*"Nora Quinn", "enter")  # enter moves on to the next field
        capacity = app.screen.query_one("#capacity")
        capacity.focus()
        capacity.value = "abc"
        await pilot.press("enter")
        assert "whole number" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#capacity").value = "9"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
    with sqlite_db.session() as s:
        nora = reps.find_rep(s, "newbie")
    assert nora.name == "Nora Quinn" and nora.capacity == 9 and nora.role == "rep"


async def test_number_keys_switch_modes(app, team):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        assert app.current_mode == "leads" and app.screen.pipeline == "lead"
        await pilot.press("3")
        assert app.current_mode == "today"
        await pilot.press("2")
        await settle(app, pilot)
        assert app.current_mode == "opportunities"
        await pilot.press("q")
    assert not app.is_running


def _legwork(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_unopenable_databases_exit_2_with_one_line():
    for url in ("/nonexistent/dir/x.db", "postgresql+psycopg://nobody@127.0.0.1:1/x"):
        result = _legwork("--db", url)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("legwork: cannot open"), result.stderr
        assert "Traceback" not in result.stderr


def test_help_lists_the_subcommands():
    result = _legwork("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout and "init" in result.stdout


def test_a_bad_config_file_exits_2(tmp_path):
    import os

    config = tmp_path / "config.toml"
    config.write_text("db = [\n")
    env = {**os.environ, "LEGWORK_CONFIG": str(config)}
    result = _legwork("init", env=env)
    assert result.returncode == 2 and "config.toml" in result.stderr


async def test_the_config_timezone_wins_for_this_terminal(team):
    app = LegworkApp(team.db, "alex", timezone="Asia/Tokyo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.rep.timezone == "Asia/Tokyo"
    app = LegworkApp(team.db, "alex", timezone="Mars/Olympus")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.rep.timezone == "UTC"
        assert any("unknown timezone" in n.message for n in app._notifications)


async def test_an_unknown_theme_falls_back_with_a_warning(team):
    app = LegworkApp(team.db, "alex", theme="no-such-theme")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert any("unknown theme" in n.message for n in app._notifications)
    app = LegworkApp(team.db, "alex", theme="ansi-dark")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == "ansi-dark"


def test_a_config_password_others_can_read_is_warned_about(tmp_path, monkeypatch, capsys):
    from tui.cli import main

    config = tmp_path / "config.toml"
    config.write_text('db = "postgresql+psycopg://legwork:s3cret@crm.internal/legwork"\n')
    monkeypatch.setenv("LEGWORK_CONFIG", str(config))
    database = tmp_path / "local.db"
    config.chmod(0o644)
    assert main(["--db", str(database), "init"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds a database password" in err[0] and f"chmod 600 {config}" in err[0]
    assert "s3cret" not in err[0]
    config.chmod(0o600)
    assert main(["--db", str(database), "init"]) == 0
    assert capsys.readouterr().err == ""
    config.write_text('db = "postgresql+psycopg://legwork@crm.internal/legwork"\n')  # no password: no secret
    config.chmod(0o644)
    assert main(["--db", str(database), "init"]) == 0
    assert capsys.readouterr().err == ""


def test_a_database_every_user_can_read_is_warned_about(tmp_path, monkeypatch, capsys):
    from tui.cli import main

    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    database = tmp_path / "legwork.db"
    assert main(["--db", str(database), "init"]) == 0
    assert capsys.readouterr().err == ""
    database.chmod(0o644)
    assert main(["--db", str(database), "init"]) == 0
    assert "every user on this machine can read" in capsys.readouterr().err
