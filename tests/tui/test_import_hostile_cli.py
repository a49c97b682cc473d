"""``legwork import`` of hostile files: a refused row or a one-line file error, never a traceback,
never a partial write. Runs on SQLite and PostgreSQL (where a NUL byte used to fail loudly)."""

from __future__ import annotations

import os

import pytest
from sqlmodel import SQLModel

from store import deals, reps
from tui.cli import main

GOOD_ROWS = "".join(f"Deal {n},Acme\n" for n in range(50))


def snapshot(db) -> dict[str, list[str]]:
    with db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.fixture
def cli(db, tmp_path, monkeypatch, frozen):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    with db.session() as session:
        # East and west of UTC as far as zones go: 0001-01-01 and 9999-12-31 overflow one way each.
        east = reps.create_rep(session, "east", "Eve East", timezone="Pacific/Kiritimati")
        reps.create_rep(session, "west", "Wes West", timezone="Pacific/Pago_Pago")
        deals.create_opportunity(session, deals.DealFields(title="Umbrella", account="Umbrella"), by=east.id)

    def legwork(*argv: str, rep: str = "east") -> int:
        return main(["--db", db.url, "--rep", rep, *argv])

    legwork.db = db
    return legwork


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


DIGITS = "9" * 5000
# name, file, content, extra arguments, exit status, what the output says
HOSTILE = [
    ("5,000-digit value", "v.json", f'[{{"title": "A", "value": {DIGITS}}}]', (), 1, "row 1: value"),
    ("5,000-digit date", "d.json", f'[{{"title": "A", "created_at": {DIGITS}}}]', (), 1, "row 1: created at"),
    ("5,000-digit date text", "d2.json", f'[{{"title": "A", "expected_close": "{DIGITS}"}}]', (), 1,
     "is not a date"),
    ("5,000-digit duration", "a.json",
     f'[{{"deal": "Umbrella", "type": "call", "date": "2026-11-02", "duration": "{DIGITS}"}}]',
     ("--kind", "activities"), 1, "row 1: duration"),
    ("5,000-digit duration number", "a2.json",
     f'[{{"deal": "Umbrella", "type": "call", "date": "2026-11-02", "duration": {DIGITS}}}]',
     ("--kind", "activities"), 1, "row 1: duration"),
    ("nested 100,000 deep", "deep.json", "[" * 100_000 + "]" * 100_000, (), 2, "nested too deeply"),
    ("a cell nested 100,000 deep", "deep2.json", '[{"title": "A", "account": ' + "[" * 100_000 + "]" * 100_000
     + "}]", (), 2, "nested too deeply"),
    ("year 1 east of UTC", "y1.csv", "title,created\nA,0001-01-01\n", (), 1,
     "row 2: created at: '0001-01-01' is not a plausible date"),
    ("year 9999 west of UTC", "y9.csv", "title,expected close\nA,9999-12-31\n", ("--timezone", "Pacific/Pago_Pago"),
     1, "row 2: expected close: '9999-12-31' is not a plausible date"),
    ("year 9999 closed", "y9c.csv", "title,status,close date\nA,won,9999-12-31\n", (), 1, "not a plausible date"),
    ("NUL in a JSON cell", "nul.json", '[{"title": "A\\u0000B"}]', (), 1, "row 1: column 'title' holds a NUL"),
    ("NUL in a CSV cell", "nul.csv", b"title,account\nA\x00B,Acme\n", (), 2, "holds binary data"),
    ("value true", "t.json", '[{"title": "A", "value": true}]', (), 1, "row 1: value is true, not an amount"),
    ("value a list", "l.json", '[{"title": "A", "value": [1]}]', (), 1, "row 1: value is a JSON list"),
    ("title an object", "o.json", '[{"title": {"a": 1}}]', (), 1, "row 1: title is a JSON object"),
    ("title a number", "n.json", '[{"title": 12}]', (), 1, "row 1: title is 12, not text"),
    ("unclosed quote", "q.csv", 'title,account\nGood,Acme\n"Unclosed deal,Acme\n' + GOOD_ROWS, (), 2,
     "the quoted cell on line 3 is never closed, so the 50 lines after it"),
    ("unclosed quote, skipping invalid rows", "q2.csv", 'title,account\n"Unclosed deal,Acme\n' + GOOD_ROWS,
     ("--skip-invalid",), 2, "the quoted cell on line 2 is never closed"),
    ("a quote closed rows later", "q3.csv", 'title,account\n"Unclosed deal,Acme\nDeal 1,Acme\n"Deal 2",Acme\n'
     + GOOD_ROWS, ("--skip-invalid",), 2, "the quoted cell on line 2 runs on to line 4"),
    ("header only", "h.csv", "title,account\n", (), 2, "has a header row but no rows below it"),
    ("an empty JSON list", "e.json", "[]", (), 2, "holds no records"),
    ("a 17 MB cell", "big.csv", "title,account\n" + "x" * (17 * 1024 * 1024) + ",Acme\n", (), 2,
     "field larger than field limit"),
    ("a 200,000-character note", "note.json", '[{"deal": "Umbrella", "body": "Met Jo\\n' + "x" * 200_000 + '"}]',
     ("--kind", "notes"), 1, "row 1: the note is 200,007 characters; keep it under 100,000"),
    ("invalid UTF-8", "latin.csv", "title\nCaf\xe9\n".encode("cp1252"), (), 2, "is not UTF-8 text"),
    ("an encoding that cannot read it", "p.csv", "title\nA\n", ("--encoding", "punycode"), 2,
     "is not PUNYCODE text"),
]


@pytest.mark.parametrize("name,file,content,extra,status,says", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_is_refused_cleanly(cli, tmp_path, capsys, name, file, content, extra, status, says):
    path = write(tmp_path, file, content)
    before = snapshot(cli.db)
    assert cli("import", str(path), *extra) == status
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert says in (err if status == 2 else out)
    if status == 2:
        assert err.count("\n") == 1 and err.startswith("legwork: ") and out == ""
    assert all(len(line) < 400 for line in (out + err).splitlines())
    assert snapshot(cli.db) == before


def test_a_directory_or_unreadable_file(cli, tmp_path, capsys):
    before = snapshot(cli.db)
    assert cli("import", str(tmp_path)) == 2
    assert "is a directory, not a file" in capsys.readouterr().err
    if os.geteuid() != 0:  # root reads any file
        locked = write(tmp_path, "locked.csv", "title\nA\n")
        locked.chmod(0)
        assert cli("import", str(locked)) == 2
        assert "permission denied" in capsys.readouterr().err
    assert snapshot(cli.db) == before


def titles(db) -> list[str]:
    with db.session() as session:
        return sorted(d.title for d in deals.list_deals(session))


def test_control_characters_are_stripped_and_counted(cli, tmp_path, capsys):
    path = write(tmp_path, "esc.csv",
                 "ti\x1btle,account,source\n"
                 "\x1b[2J\x1b]0;pwned\x07Acme rollout,Acme\x9b,web\n"
                 "Plain deal,Globex,fair\x7f\n"
                 "Clean deal,Initech,web\n")
    assert cli("import", str(path)) == 0
    out = capsys.readouterr().out
    assert "Stripped control characters (ESC, DEL and the like) from 3 cells: rows 2, 3" in out
    assert titles(cli.db) == ["Clean deal", "Plain deal", "Umbrella", "[2J]0;pwnedAcme rollout"]
    with cli.db.session() as session:
        stored = {d.title: d for d in deals.list_deals(session)}
    assert stored["Plain deal"].source == "fair" and stored["[2J]0;pwnedAcme rollout"].account_name == "Acme"


def test_a_nul_row_is_left_out_with_skip_invalid_and_the_rest_import(cli, tmp_path, capsys):
    path = write(tmp_path, "nul.json", '[{"title": "Good"}, {"title": "Bad", "source": "x\\u0000y"}, {"title": 7}]')
    assert cli("import", str(path), "--skip-invalid") == 0
    out = capsys.readouterr().out
    assert "row 2: column 'source' holds a NUL character" in out and "row 3: title is 7, not text" in out
    assert titles(cli.db) == ["Good", "Umbrella"]


def test_cr_only_line_ends_and_multi_line_cells_still_import(cli, tmp_path, capsys):
    path = write(tmp_path, "cr.csv", 'title,account\r"Two\rlines",Acme\rB,Globex\r')
    assert cli("import", str(path)) == 0
    assert titles(cli.db) == ["B", "Two lines", "Umbrella"]
