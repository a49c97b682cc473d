"""``legwork import`` and ``legwork export`` from the command line: output and exit status."""

from __future__ import annotations

import json
import os
import stat
import threading
from datetime import date

import icalendar
import pytest

from store import deals, reps, tasks
from tui.cli import main

PIPEDRIVE = (
    "Deal - ID,Deal - Title,Deal - Value,Deal - Organization,Deal - Owner,Deal - Stage,Deal - Status,"
    "Deal - Won time,Deal - Deal created\r\n"
    "101,Acme fleet rollout,\"$12,500.00\",Acme,Ana Reyes,Proposal,open,,2026-10-01 09:30:00\r\n"
    "102,Globex renewal,5000,Globex,Ana Reyes,Negotiation,won,2026-11-02 10:00:00,2026-09-15 08:00:00\r\n"
    "103,,100,Initech,Bob Stone,Qualified,open,,2026-10-01\r\n"
)


@pytest.fixture
def cli(sqlite_db, tmp_path, monkeypatch, frozen):
    monkeypatch.setenv("LEGWORK_CONFIG", str(tmp_path / "no-config.toml"))
    with sqlite_db.session() as session:
        # A manager: importing the team's deals gives reps work and adds the reps a file names.
        alex = reps.create_rep(session, "alex", "Alex Kim", role="manager")
        deal = deals.create_opportunity(session, deals.DealFields(title="Umbrella", account="Umbrella"), by=alex.id)
        tasks.add_task(session, deal.id, "Demo for Umbrella 15:00", date(2026, 11, 20), by=alex.id)
        tasks.add_task(session, deal.id, "Send pricing", date(2026, 11, 19), by=alex.id)

    def legwork(*argv: str, rep: str = "alex") -> int:
        return main(["--db", sqlite_db.url, "--rep", rep, *argv])

    legwork.db = sqlite_db
    return legwork


def deal_titles(db) -> list[str]:
    with db.session() as session:
        return sorted(d.title for d in deals.list_deals(session))


def test_import_dry_run_then_real(cli, tmp_path, capsys):
    path = tmp_path / "pipedrive.csv"
    path.write_bytes(b"\xef\xbb\xbf" + PIPEDRIVE.encode())
    assert cli("import", str(path), "--dry-run") == 1
    out = capsys.readouterr().out
    assert "row 4: no title" in out and "Dry run: nothing was written." in out
    assert "--skip-invalid to import the 2 valid rows (2 deals" in out
    assert deal_titles(cli.db) == ["Umbrella"]
    assert cli("import", str(path)) == 1
    assert "Nothing was imported: 1 row refused" in capsys.readouterr().out
    assert cli("import", str(path), "--skip-invalid", "--dry-run") == 0
    assert "A real run would create 2 deals" in capsys.readouterr().out
    assert cli("import", str(path), "--skip-invalid") == 0
    out = capsys.readouterr().out
    assert "Imported 2 deals (2 opportunities; 1 won), 2 accounts, 1 rep: ana.reyes (Ana Reyes)" in out
    assert deal_titles(cli.db) == ["Acme fleet rollout", "Globex renewal", "Umbrella"]
    # Imported nothing (the valid rows are in, the refused one is still refused): status 1.
    assert cli("import", str(path), "--skip-invalid") == 1
    assert "Nothing new to import" in capsys.readouterr().out
    assert deal_titles(cli.db) == ["Acme fleet rollout", "Globex renewal", "Umbrella"]


def test_show_mapping(cli, tmp_path, capsys):
    path = tmp_path / "pipedrive.csv"
    path.write_text(PIPEDRIVE, encoding="utf-8")
    assert cli("import", str(path), "--show-mapping", "--map", "Deal - Status=-") == 0
    lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == f"{path}: how its columns are read as deals"
    assert "Deal - Title → title" in lines and "Deal - Value → value" in lines
    assert "Deal - Won time → closed_at" in lines and "Deal - Deal created → created_at" in lines
    assert "Deal - Status → not imported: left out by --map" in lines
    assert deal_titles(cli.db) == ["Umbrella"]


def test_the_parser_stays_light():
    from store.import_fields import KINDS
    from tui.commands import import_csv

    assert import_csv.KINDS == KINDS


def test_import_errors(cli, tmp_path, capsys):
    assert cli("import", str(tmp_path / "missing.csv")) == 2
    assert "legwork: no such file:" in capsys.readouterr().err
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title\nCaf\xe9\n".encode("cp1252"))
    assert cli("import", str(latin)) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        cli("import", str(latin), "--kind", "people")
    assert exit_.value.code == 2
    assert "invalid choice: 'people'" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text("title\nNew one\n", encoding="utf-8")
    assert cli("import", str(good), rep="nobody") == 1
    assert "no rep 'nobody'" in capsys.readouterr().err
    assert cli("import", str(good), "--map", "title=colour") == 1
    assert "deals have no field 'colour'" in capsys.readouterr().out


def test_export_csv_json_and_calendar(cli, tmp_path, capsys):
    out = tmp_path / "deals.csv"
    assert cli("export", "deals", "--out", str(out)) == 0
    assert "wrote 1 deal to" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("external_id,title,pipeline,stage,value")
    assert cli("export", "tasks", "--format", "json", "--open", "--owner", "me") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["title"] for r in rows] == ["Demo for Umbrella 15:00", "Send pricing"]
    assert cli("export", "deals", "--owner", "nobody") == 1
    assert "--owner 'nobody'" in capsys.readouterr().err
    assert cli("export", "deals", "--out", str(tmp_path / "no" / "such" / "dir.csv")) == 2
    ics = tmp_path / "tasks.ics"
    assert cli("export", "calendar", "--out", str(ics)) == 0
    assert "wrote 2 open tasks of Alex Kim" in capsys.readouterr().err
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    events = {str(e["summary"]): e["dtstart"].dt for e in calendar.walk("VEVENT")}
    assert events["Send pricing"] == date(2026, 11, 19)
    assert events["Demo for Umbrella 15:00"].hour == 15
    # What was exported imports back into the same database as nothing new.
    assert cli("import", str(out)) == 0
    assert "Nothing new to import" in capsys.readouterr().out


# --- where --out writes: never replace a link, pipe or device with a file ----------------------


def _is_csv(data: bytes) -> bool:
    return data.startswith(b"external_id,title,pipeline") and b"Umbrella" in data


def test_export_replaces_a_regular_file_keeping_its_permissions(cli, tmp_path, capsys):
    out = tmp_path / "deals.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    assert cli("export", "deals", "--out", str(out)) == 0
    assert _is_csv(out.read_bytes()) and stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if "deals" in p.name) == ["deals.csv"]  # no temp left


def test_a_new_export_file_follows_the_umask(cli, tmp_path, capsys):
    out = tmp_path / "new.csv"
    previous = os.umask(0o027)
    try:
        assert cli("export", "deals", "--out", str(out)) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_export_through_a_symlink_writes_its_target(cli, tmp_path, capsys):
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "deals.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert cli("export", "deals", "--out", str(link)) == 0
    assert link.is_symlink() and link.resolve() == target
    assert _is_csv(target.read_bytes()) and stat.S_IMODE(target.stat().st_mode) == 0o600
    dangling = tmp_path / "later.csv"
    dangling.symlink_to(tmp_path / "shared" / "later-target.csv")
    assert cli("export", "deals", "--out", str(dangling)) == 0
    assert dangling.is_symlink() and _is_csv((tmp_path / "shared" / "later-target.csv").read_bytes())


def test_export_into_a_fifo_writes_through_it(cli, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert cli("export", "deals", "--out", str(fifo)) == 0
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a file"
    assert received and _is_csv(received[0])


def test_export_refuses_a_directory(cli, tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    assert cli("export", "deals", "--out", str(folder)) == 2
    err = capsys.readouterr().err
    assert "it is a directory" in err and len(err.strip().splitlines()) == 1
    assert folder.is_dir() and not any(folder.iterdir())
