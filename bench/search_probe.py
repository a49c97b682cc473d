"""How fast is search as a rep types, on the scale data set? A measurement, not a test.

    python -m bench.search_probe [--deals 100000] [--repeat 20] [--pg ADMIN_URL --pg-deals 20000]

SQLite: builds (or reuses) bench/.data/scale-DEALS.db as bench.run does (bench.seed),
brings it to the current schema (the first time, migration 0009 fills the search
index: its time is printed), and times ``store.search.search`` — all five groups,
five hits each, as the palette asks — on a fresh session per run, for queries
taken from the data: an account's name typed a letter at a time, a contact's
surname, two words, words that thousands of activities and notes hold, a word
nothing holds, and operator-laden junk. One warm-up run, then the median of
``--repeat``; DESIGN-style budget 100 ms.

``--pg postgresql+psycopg://user@host:port/postgres`` also builds a demo team of
``--pg-deals`` deals with store.demo in a scratch PostgreSQL database (created and
dropped through that maintenance URL; the triggers index it as it is written) and
times the same kinds of queries there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

BUDGET_MS = 100.0


def say(message: str) -> None:
    print(f"[search {time.strftime('%H:%M:%S')}] {message}", flush=True)


def queries(database) -> list[str]:
    """What a rep would type, from the data itself."""
    from store.models import Account, Activity, Contact, Deal

    with database.session() as session:
        account = session.execute(select(Account.name).order_by(Account.id.desc()).limit(1)).scalar()
        contact = session.execute(select(Contact.name).order_by(Contact.id).limit(1)).scalar()
        title = session.execute(select(Deal.title).where(Deal.closed_at.is_not(None)).order_by(Deal.id).limit(1)).scalar()
        outcome = session.execute(
            select(Activity.outcome).where(Activity.outcome != "").group_by(Activity.outcome)
            .order_by(func.count().desc()).limit(1)
        ).scalar() or "call"
    first = account.split()[0]
    typed = [first[:n] for n in range(2, len(first) + 1)]
    surname = contact.split()[-1]
    title_words = [w for w in title.replace("—", " ").split() if len(w) > 3]
    common = outcome.split()[0]
    return [*typed, account.lower(), surname, f"{first} {title_words[-1] if title_words else ''}".strip(),
            common, f"{common} {surname[:3]}", "budget", "pri", "zzyzx", '"NEAR(a* -b ^c)" OR 1=1', "al"]


def timed(database, query: str, repeat: int) -> tuple[float, float, int]:
    from store.search import search

    samples, first, hits = [], 0.0, 0
    for i in range(repeat + 1):
        start = time.perf_counter()
        with database.session() as session:
            results = search(session, query)
        took = (time.perf_counter() - start) * 1000
        if i == 0:
            first, hits = took, len(results.hits)
        else:
            samples.append(took)
    return statistics.median(samples), first, hits


def report(database, label: str, repeat: int) -> float:
    rows = [(q, *timed(database, q, repeat)) for q in queries(database)]
    say(f"{label}: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    width = max(len(q) for q, *_ in rows)
    print(f"{'query':<{width}}  {'hits':>4}  {'median ms':>9}  {'first ms':>8}")
    for query, median, first, hits in rows:
        print(f"{query:<{width}}  {hits:>4}  {median:>9.1f}  {first:>8.1f}")
    worst = max(median for _q, median, _f, _h in rows)
    typed = statistics.median(median for _q, median, _f, _h in rows)
    print(f"worst median {worst:.1f} ms, median of medians {typed:.1f} ms; budget {BUDGET_MS:.0f} ms "
          f"(ratio {worst / BUDGET_MS:.2f}{' MISS' if worst > BUDGET_MS else ''})", flush=True)
    return worst


def sqlite_run(deals: int, repeat: int) -> None:
    from bench import run, seed
    from store.db import open_database

    work, info = run.prepare(deals, 50, 1)
    say(f"{deals:,} deals: {seed.describe(info)}")
    database = open_database(f"sqlite:///{work}")
    try:
        report(database, f"SQLite, {deals:,} deals", repeat)
    finally:
        database.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)


def pg_run(admin_url: str, deals: int, repeat: int) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from store.db import open_database
    from store.demo import DemoSize, populate_demo

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"legwork_search_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        database = open_database(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
        started = time.perf_counter()
        size = DemoSize(reps=50, leads=deals // 5, opportunities=deals - deals // 5, history_days=365)
        with database.session() as session:
            summary = populate_demo(session, seed=1, size=size)
            session.commit()
        say(f"PostgreSQL demo of {summary.deals:,} deals, {summary.activities:,} activities, {summary.notes:,} notes "
            f"built (and indexed by the triggers) in {time.perf_counter() - started:.0f} s")
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        report(database, f"PostgreSQL, {summary.deals:,} deals", repeat)
        database.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_probe", description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000, help="SQLite scale data set size (0: skip)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg", help="a PostgreSQL maintenance URL: also measure there")
    parser.add_argument("--pg-deals", type=int, default=20_000)
    args = parser.parse_args(argv)
    if args.deals:
        sqlite_run(args.deals, args.repeat)
    if args.pg:
        pg_run(args.pg, args.pg_deals, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
