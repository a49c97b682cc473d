"""The command line over a database full of escape sequences: ``today``, ``standup``,
``numbers``, ``import`` and ``export`` print no control character raw. Exports to a
file or a pipe keep the data exact; to a terminal they show (CSV, calendar) or
escape (JSON) what would drive it."""

from __future__ import annotations

import csv
import io
import json
import re
import sys

import pendulum
import pytest

from store import deals, reps
from tests import hostile_corpus as hc
from tests.tui.hostile_team import ATTACK, SHOWN_ATTACK, WEDNESDAY, build_hostile_team
from tui.cli import main

# What no printout may hold: C0 but tab and newline, DEL, C1, bidi controls.
RAW = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{''.join(hc.BIDI)}]")
SHOWN = "␛]0;evil␇"


def assert_clean(text: str) -> str:
    raw = sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})
    assert not raw, f"printed raw {raw}:\n{text}"
    return text


@pytest.fixture
def team(sqlite_db, tmp_path, monkeypatch):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    built = build_hostile_team(sqlite_db)
    with pendulum.travel_to(WEDNESDAY, freeze=True):
        yield built


@pytest.fixture
def legwork(team, capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        status = main(["--db", team.db.url, "--rep", "alex", *argv])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


class Terminal(io.StringIO):
    """Standard output that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_today_text_and_json(legwork, team):
    status, out, err = legwork("today")
    assert status == 0
    assert f"[@click=app.quit]Acme Call {SHOWN_ATTACK} [bold]x[/]" in assert_clean(out)
    status, out, _ = legwork("today", "--json")
    data = json.loads(assert_clean(out))  # C1 and DEL escaped, as JSON escapes C0 itself
    titles = {t["title"] for t in data["tasks"]}
    assert any(ATTACK in title for title in titles)  # the data, exactly
    assert any(t["deal"] == team.acme.title for t in data["tasks"])


def test_today_error_quotes_the_handle_safely(legwork):
    status, out, err = legwork("today", "--rep", f"eve{hc.CLEAR_SCREEN}")
    assert status == 1
    assert "no rep “eve␛[2j”" in assert_clean(out + err)  # handles are lower case
    status, out, err = legwork("today", "--json", "--rep", f"eve{hc.C1_CLEAR_SCREEN}")
    assert json.loads(assert_clean(out))["rep"] == f"eve{hc.C1_CLEAR_SCREEN}".lower()


def test_standup_text_and_markdown(legwork):
    status, out, _ = legwork("standup")
    assert status == 0
    assert_clean(out)
    assert f"[@click=app.quit]Acme Globex {SHOWN_ATTACK} [bold]x[/]" in out
    assert f"Budget {SHOWN_ATTACK}: [@click=app.quit]Acme gone" in out
    assert f"[@click=app.quit]Acme Morgan {SHOWN_ATTACK}" in out
    status, out, _ = legwork("standup", "--markdown")
    assert status == 0
    assert "### \\[@click=app.quit\\]Acme Globex ␛\\]0;evil␇" in assert_clean(out)


def test_standup_error_quotes_the_rep_safely(legwork):
    status, out, err = legwork("standup", "--rep", f"eve{hc.WINDOW_TITLE}")
    assert status == 1
    assert "no rep “eve␛]0;evil␇”" in assert_clean(err)


def test_numbers_text_and_json(legwork, team):
    status, out, _ = legwork("numbers")
    assert status == 0
    assert f"[@click=app.quit]Acme Morgan {SHOWN_ATTACK} [bold]x[/]" in assert_clean(out)
    status, out, _ = legwork("numbers", "--json")
    data = json.loads(assert_clean(out))
    assert team.morgan.name in {row["name"] for row in data["reps"]}  # the data, exactly
    status, out, err = legwork("numbers", "--rep", f"eve{hc.CLEAR_SCREEN}")
    assert status == 1
    assert_clean(out + err)


def test_export_to_a_file_or_a_pipe_keeps_the_data(legwork, team, tmp_path):
    status, out, err = legwork("export", "deals")  # captured: a pipe, not a terminal
    assert status == 0
    titles = {row["title"] for row in csv.DictReader(io.StringIO(out))}
    assert team.acme.title in titles  # exactly as stored, escapes and all
    path = tmp_path / "deals.csv"
    assert legwork("export", "deals", "--out", str(path))[0] == 0
    with path.open(newline="", encoding="utf-8") as f:
        assert team.acme.title in {row["title"] for row in csv.DictReader(f)}
    assert_clean(err)


@pytest.mark.parametrize("what", ["deals", "activities", "tasks", "notes"])
def test_export_to_a_terminal_shows_control_characters(legwork, team, monkeypatch, what):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    status, _, err = legwork("export", what)
    assert status == 0
    shown = assert_clean(terminal.getvalue())
    assert SHOWN in shown
    assert "shown as ␛" in assert_clean(err)  # and standard error says where the exact data is


def test_export_json_to_a_terminal_escapes_and_keeps_the_data(legwork, team, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    status, _, err = legwork("export", "deals", "--format", "json")
    assert status == 0
    rows = json.loads(assert_clean(terminal.getvalue()))
    assert team.acme.title in {row["title"] for row in rows}
    assert "shown as" not in err  # nothing was changed, only escaped


def test_export_calendar_to_a_terminal(legwork, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    status, _, err = legwork("export", "calendar")
    assert status == 0
    assert "BEGIN:VCALENDAR" in assert_clean(terminal.getvalue())
    assert_clean(err)


def test_export_error_quotes_the_owner_safely(legwork):
    status, out, err = legwork("export", "deals", "--owner", f"eve{hc.C1_CLEAR_SCREEN}")
    assert status == 1
    assert_clean(out + err)


def test_import_report_quotes_hostile_cells_safely(legwork, tmp_path):
    path = tmp_path / "hostile.csv"
    stage = f"Nowhere{ATTACK}"
    path.write_text(
        "title,account,stage,value\r\n"
        f"\"Acme{ATTACK}\",Acme,{stage},100\r\n"
        f"\"Beta{hc.C1_OSC_TITLE}\",Beta,Qualified,abc{hc.CLEAR_SCREEN}\r\n",
        encoding="utf-8",
    )
    status, out, err = legwork("import", str(path), "--dry-run")
    assert status == 1
    assert_clean(out + err)
    # The import strips control characters from cells and says so; what it names is what is left.
    assert "Stripped control characters" in out + err
    assert "Nowhere]0;evil" in out + err
    status, out, err = legwork("import", str(path), "--show-mapping")
    assert_clean(out + err)
    odd_column = tmp_path / "odd.csv"
    odd_column.write_text(f"title,{hc.WINDOW_TITLE}notes\r\nAcme,x\r\n", encoding="utf-8")
    status, out, err = legwork("import", str(odd_column), "--show-mapping")
    assert "]0;evilnotes" in assert_clean(out + err)


def test_a_database_that_cannot_open_is_named_safely(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    missing = tmp_path / f"no{hc.CLEAR_SCREEN}such" / "legwork.db"
    assert main(["--db", str(missing), "today"]) == 2
    captured = capsys.readouterr()
    assert "␛[2J" in assert_clean(captured.out + captured.err)


def test_the_stored_data_is_untouched(team):
    # Showing never writes: the data stays as stored for exports and other tools.
    with team.db.session() as s:
        assert ATTACK in deals.get_deal(s, team.acme.id).title
        assert ATTACK in reps.get_rep(s, team.morgan.id).name
