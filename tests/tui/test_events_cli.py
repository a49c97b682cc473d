"""``legwork export events`` and ``legwork import --kind events`` from the command line: a
history moved to another database, and hostile history data that never reaches the terminal."""

from __future__ import annotations

import json
import shutil

import pendulum
import pytest

from store import deals, reps, timeline
from store.db import open_database
from tui.cli import main


@pytest.fixture
def two_databases(sqlite_db, sqlite_template, tmp_path, monkeypatch, frozen):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    path = tmp_path / "target.db"
    shutil.copy(sqlite_template, path)
    target = open_database(str(path))
    with sqlite_db.session() as session:
        alex = reps.create_rep(session, "alex", "Alex Kim")
        with pendulum.travel_to(pendulum.datetime(2026, 10, 1, 9, tz="UTC"), freeze=True):
            deal = deals.create_opportunity(session, deals.DealFields(title="Umbrella", account="Umbrella"),
                                            by=alex.id)
        with pendulum.travel_to(pendulum.datetime(2026, 10, 2, 9, tz="UTC"), freeze=True):
            deals.move_deal(session, deal.id, 1, version=deal.version, by=alex.id)
    with target.session() as session:
        reps.create_rep(session, "ivy", "Ivy Porter", role="manager")  # an import may add the reps it names
    yield sqlite_db, target
    target.dispose()


def headlines(database) -> list[tuple]:
    with database.session() as session:
        deal = deals.list_deals(session)[0]
        return [(e.at, e.who, e.headline) for e in timeline.deal_timeline(session, deal.id)]


def test_export_every_kind_then_import_them_elsewhere(two_databases, tmp_path, capsys):
    source, target = two_databases
    for what in ("deals", "events"):
        assert main(["--db", source.url, "--rep", "alex", "export", what, "--out", str(tmp_path / f"{what}.csv")]) == 0
    said = capsys.readouterr()
    assert f"wrote 2 events to {tmp_path / 'events.csv'} (CSV)" in said.out + said.err
    assert main(["--db", target.url, "--rep", "ivy", "import", str(tmp_path / "deals.csv")]) == 0
    capsys.readouterr()
    assert main(["--db", target.url, "--rep", "ivy", "import", str(tmp_path / "events.csv"), "--kind", "events"]) == 0
    out = capsys.readouterr().out
    assert "Imported 2 events" in out and "1 event an import recorded" in out
    assert headlines(target) == headlines(source)
    assert [who for _at, who, _line in headlines(target)] == ["Alex Kim", "Alex Kim"]
    assert main(["--db", target.url, "--rep", "ivy", "import", str(tmp_path / "events.csv"), "--kind", "events"]) == 0
    assert "Nothing new to import" in capsys.readouterr().out


def test_hostile_history_is_stripped_and_never_printed_raw(two_databases, tmp_path, capsys):
    source, target = two_databases
    assert main(["--db", source.url, "--rep", "alex", "export", "deals", "--out", str(tmp_path / "deals.csv")]) == 0
    assert main(["--db", target.url, "--rep", "ivy", "import", str(tmp_path / "deals.csv")]) == 0
    with source.session() as session:
        key = deals.list_deals(session)[0]
    events_path = tmp_path / "events.json"
    rows = json.loads(_export_json(source, tmp_path))
    for row in rows:
        row["actor_handle"] = "mal\x1b]0;pwned\x07lory"
        row["data"] = json.dumps({**json.loads(row["data"]), "to_stage": "Pro\x1b[2Jposal"})
    events_path.write_text(json.dumps(rows), encoding="utf-8")
    capsys.readouterr()
    assert main(["--db", target.url, "--rep", "ivy", "import", str(events_path), "--kind", "events"]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.out + captured.err
    assert "Stripped control characters (ESC, DEL and the like) from the data of 2 events" in captured.out
    assert "No rep 'mal]0;pwnedlory' here: 2 events" in captured.out
    shown = [line for _at, _who, line in headlines(target)]
    assert shown[0] == "Qualified → Pro[2Jposal" and key.title == "Umbrella"


def _export_json(database, tmp_path) -> str:
    out = tmp_path / "events-export.json"
    assert main(["--db", database.url, "--rep", "alex", "export", "events", "--format", "json", "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")
