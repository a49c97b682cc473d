"""How fast is search as a rep types, on the scale data set? A measurement, not a test.

    python -m bench.search_probe [--deals 100000] [--repeat 20] [--pg ADMIN_URL --pg-deals 20000]

SQLite: builds (or reuses) bench/.data/scale-DEALS.db as bench.run does (bench.seed),
brings it to the current schema (the first time, migration 0012 fills the search
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


def timed(database, query: str, repeat: int) -> tuple[float, float, float, int]:
    """(median wall ms, median CPU ms of this thread, first run's wall ms, hits)."""
    from store.search import search

    samples, cpu, first, hits = [], [], 0.0, 0
    for i in range(repeat + 1):
        start, start_cpu = time.perf_counter(), time.thread_time()
        with database.session() as session:
            results = search(session, query)
        took, took_cpu = (time.perf_counter() - start) * 1000, (time.thread_time() - start_cpu) * 1000
        if i == 0:
            first, hits = took, len(results.hits)
        else:
            samples.append(took)
            cpu.append(took_cpu)
    return statistics.median(samples), statistics.median(cpu), first, hits


def measure(database, repeat: int) -> dict:
    """Every query's figures, and the worst medians (bench._measure reports these)."""
    rows = [(q, *timed(database, q, repeat)) for q in queries(database)]
    return {
        "queries": [{"query": q, "median_ms": round(m, 2), "cpu_median_ms": round(c, 2), "first_ms": round(f, 2),
                     "hits": h} for q, m, c, f, h in rows],
        "median_ms": round(max(m for _q, m, _c, _f, _h in rows), 2),
        "cpu_median_ms": round(max(c for _q, _m, c, _f, _h in rows), 2),
        "typical_ms": round(statistics.median(m for _q, m, _c, _f, _h in rows), 2),
        "typical_cpu_ms": round(statistics.median(c for _q, _m, c, _f, _h in rows), 2),
    }


def report(database, label: str, repeat: int) -> float:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    figures = measure(database, repeat)
    say(f"{label}: load average {load} → {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    width = max(len(row["query"]) for row in figures["queries"])
    print(f"{'query':<{width}}  {'hits':>4}  {'median ms':>9}  {'cpu ms':>6}  {'first ms':>8}")
    for row in figures["queries"]:
        print(f"{row['query']:<{width}}  {row['hits']:>4}  {row['median_ms']:>9.1f}  {row['cpu_median_ms']:>6.1f}  "
              f"{row['first_ms']:>8.1f}")
    worst = figures["median_ms"]
    print(f"worst median {worst:.1f} ms (CPU {figures['cpu_median_ms']:.1f} ms), median of medians "
          f"{figures['typical_ms']:.1f} ms (CPU {figures['typical_cpu_ms']:.1f} ms); budget {BUDGET_MS:.0f} ms "
          f"(ratio {worst / BUDGET_MS:.2f}{' MISS' if worst > BUDGET_MS else ''})", flush=True)
    return worst


def sqlite_run(deals: int, repeat: int) -> None:
    from bench import run, seed
    from store.db import open_database

    # Searching writes nothing: the cached file itself, no scratch copy (3.7 GB at 100,000 deals).
    path = run.DATA / f"scale-{deals}.db"
    run.DATA.mkdir(parents=True, exist_ok=True)
    info = seed.ensure(path, deals, 50, 1)
    say(f"{deals:,} deals: {seed.describe(info)}")
    started = time.perf_counter()
    database = open_database(f"sqlite:///{path}")
    say(f"opened (and brought to the current schema) in {time.perf_counter() - started:.1f} s")
    try:
        report(database, f"SQLite, {deals:,} deals", repeat)
    finally:
        database.dispose()


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
