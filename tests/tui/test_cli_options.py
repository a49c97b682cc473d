"""The global options (--db, --rep, --theme) work before or after the command."""

from __future__ import annotations

import pytest

from tui import cli


@pytest.fixture(autouse=True)
def no_config(tmp_path, monkeypatch):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))


@pytest.mark.parametrize(
    "argv, rep",
    [
        (["demo", "--rep", "morgan"], "morgan"),
        (["--rep", "alex", "demo"], "alex"),
        (["--rep", "alex", "demo", "--rep", "morgan", "--seed", "3"], "morgan"),  # the later one wins
        (["demo"], None),
        (["export", "deals", "--rep", "morgan"], "morgan"),
        (["init", "--rep", "morgan"], "morgan"),
    ],
)
def test_rep_before_or_after_the_command(argv, rep):
    assert cli.parse_args(argv).rep == rep


def test_a_commands_own_rep_keeps_its_meaning():
    # After `numbers`, `standup` and `today`, --rep says whose numbers, agenda or queue.
    args = cli.parse_args(["--rep", "morgan", "numbers", "--rep", "alex"])
    assert (args.rep, args.numbers_rep) == ("morgan", "alex")
    args = cli.parse_args(["today", "--rep", "alex", "--db", "x.db", "--theme", "ansi-dark"])
    assert (args.rep, args.queue_rep, args.db, args.theme) == (None, "alex", "x.db", "ansi-dark")


def test_db_after_the_command(tmp_path, capsys):
    path = tmp_path / "after.db"
    assert cli.main(["init", "--db", str(path)]) == 0
    assert path.exists() and "is ready" in capsys.readouterr().out
