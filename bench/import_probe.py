"""How long does ``legwork import`` take for a big file? A measurement, not a test.

    .venv/bin/python bench/import_probe.py [N] [--pg ADMIN_URL] [--keep]

Writes an N-row deals CSV (default 50,000) shaped like a Pipedrive export — 50
owners, about N/2 accounts and contacts, a quarter of the deals won or lost,
values with currency symbols and thousands separators, D/M/YYYY dates — then
imports it into a fresh database: a dry run, the real run (one transaction),
and a second real run of the same file (every row already there: no duplicates).
Then exports the deals and imports the export into another fresh database.

``--pg postgresql+psycopg://user@host:port/postgres`` runs the same against
scratch PostgreSQL databases created (and dropped) through that maintenance URL.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from store import exporter, reps  # noqa: E402
from store.db import open_database  # noqa: E402
from store.importer import ImportOptions, import_file  # noqa: E402
from store.models import Deal, DealEvent  # noqa: E402

STAGES = ["Qualified", "Needs analysis", "Proposal", "Negotiation"]
FIRST = ["Ana", "Bob", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo"]
LAST = ["Reyes", "Stone", "Wu", "Okafor", "Berg"]


def write_csv(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    owners = [f"{FIRST[i % 10]} {LAST[i // 10]}" for i in range(50)]
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Organization", "Deal - Contact person",
                      "Person - Email", "Deal - Owner", "Deal - Stage", "Deal - Status", "Deal - Won time",
                      "Deal - Lost time", "Deal - Lost reason", "Deal - Expected close date", "Deal - Deal created"])
        for i in range(n):
            account = f"Company {i // 2:06d}"
            status = rng.choices(["open", "won", "lost"], (3, 1, 1))[0]
            created = (rng.randint(1, 28), rng.randint(1, 12), 2025)
            closed = f"{rng.randint(13, 28)}/{rng.randint(1, 10)}/2026 10:00" if status != "open" else ""
            out.writerow([
                f"PD-{i}", f"{account} deal {i}", f"${rng.randint(1, 500) * 1000:,}.00", account,
                f"Contact {i // 2}", f"contact{i // 2}@example.test", rng.choice(owners), rng.choice(STAGES), status,
                closed if status == "won" else "", closed if status == "lost" else "",
                "Price" if status == "lost" else "", f"{rng.randint(13, 28)}/{rng.randint(1, 12)}/2026",
                "%d/%d/%d" % created,
            ])


def fresh(pg: str | None, tmp: Path, made: list[str]) -> str:
    if not pg:
        return str(tmp / f"{uuid.uuid4().hex[:8]}.db")
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    name = f"legwork_import_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    made.append(name)
    return make_url(pg).set(database=name).render_as_string(hide_password=False)


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<44} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    args = sys.argv[1:]
    n = int(next((a for a in args if a.isdigit()), 50_000))
    pg = args[args.index("--pg") + 1] if "--pg" in args else None
    made: list[str] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "deals.csv"
        timed(f"write a {n:,}-row CSV", lambda: write_csv(path, n))
        print(f"{'PostgreSQL' if pg else 'SQLite'}: {path.stat().st_size / 1e6:.1f} MB")
        database = open_database(fresh(pg, tmp, made))
        with database.session() as session:
            me = reps.create_rep(session, "importer", "Imo Porter", role="manager")  # imports the team's deals
            options = ImportOptions(date_order="day-first")
            dry = timed("dry run", lambda: import_file(session, path, by=me.id, options=options, dry_run=True))
            real = timed("real run (one transaction)", lambda: import_file(session, path, by=me.id, options=options))
            print("   ", real.lines()[-1])
            again = timed("the same file again (no duplicates)",
                          lambda: import_file(session, path, by=me.id, options=options))
            print("   ", again.lines()[-1])
            deals = session.execute(select(func.count(Deal.id))).scalar()
            evts = session.execute(select(func.count(DealEvent.id))).scalar()
            print(f"  deals: {deals:,}  events: {evts:,}  refused in the dry run: {len(dry.refused)}")
            out = tmp / "export.csv"
            with out.open("w", newline="", encoding="utf-8") as fh:
                timed("export deals to CSV", lambda: exporter.export(session, "deals", fh))
        database.dispose()
        second = open_database(fresh(pg, tmp, made))
        with second.session() as session:
            me = reps.create_rep(session, "importer", "Imo Porter", role="manager")  # imports the team's deals
            back = timed("import the export into a new database", lambda: import_file(session, out, by=me.id))
            print("   ", back.lines()[-1])
        second.dispose()
    if made:
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
