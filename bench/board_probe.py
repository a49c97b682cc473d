"""How fast do the board queries stay as deals pile up? A measurement, not a test.

    .venv/bin/python bench/board_probe.py [N] [--all-open] [--keep] [--pg ADMIN_URL]

Builds N deals (default 100,000) in a temporary SQLite file with Core bulk
inserts, shaped like DESIGN.md's scale data set (50 reps; 20% leads, 80%
opportunities of which three quarters are closed; 3 tasks per deal of which
about one in ten is open). ``--all-open`` puts every deal in an open stage
instead, the worst case for a column. Activities are not generated: the board
reads ``deal.last_activity_at``, never the activity table.

Then it times, on a fresh connection (first call) and warm (median of repeats):
board_columns, the first column_cards window of the biggest column, card_index
of the deal that sorts last in that column, and the other board calls.

``--pg postgresql+psycopg://user@host:port/postgres`` runs the same against a
scratch PostgreSQL database created (and dropped) through that maintenance URL.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uuid  # noqa: E402

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from store import board, changes  # noqa: E402
from store.db import open_database  # noqa: E402
from store.models import (  # noqa: E402
    LEAD,
    OPEN,
    OPPORTUNITY,
    Account,
    Contact,
    Deal,
    Rep,
    Stage,
    Task,
)

REPS = 50
CHUNK = 5_000
TERRITORIES = ["EMEA", "AMER", "APAC", "LATAM", None]
PRODUCTS = ["Core", "Add-on", "Analytics", "Support", None]
SOURCES = ["web", "referral", "event", "outbound", "partner", None]
NOW = datetime.now(timezone.utc)
TODAY = NOW.date()


def _chunks(rows):
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def build(url: str, n: int, all_open: bool, rng: random.Random) -> None:
    database = open_database(url)
    engine = database.engine
    with engine.begin() as conn:
        stages = conn.execute(select(Stage.id, Stage.pipeline, Stage.kind)).all()
        open_by = {p: [s.id for s in stages if s.pipeline == p and s.kind == OPEN] for p in (LEAD, OPPORTUNITY)}
        closed_by = {p: [s.id for s in stages if s.pipeline == p and s.kind != OPEN] for p in (LEAD, OPPORTUNITY)}
        conn.execute(
            insert(Rep),
            [
                dict(handle=f"rep{i}", name=f"Rep{i} Person{i}", role="rep", timezone="UTC", capacity=12,
                     working_days="12345", active=True, created_at=NOW)
                for i in range(REPS)
            ],
        )
        rep_ids = [r for (r,) in conn.execute(select(Rep.id))]
        accounts = max(1, n // 5)
        for part in _chunks([dict(name=f"Account {i}", created_at=NOW) for i in range(accounts)]):
            conn.execute(insert(Account), part)
        contacts = max(1, n // 3)
        for part in _chunks(
            [dict(account_id=rng.randint(1, accounts), name=f"Contact {i}", created_at=NOW) for i in range(contacts)]
        ):
            conn.execute(insert(Contact), part)

        deals = []
        open_ids = []
        for i in range(1, n + 1):
            pipeline = LEAD if rng.random() < 0.2 else OPPORTUNITY
            is_open = all_open or rng.random() < (0.6 if pipeline == LEAD else 0.25)
            stage_id = rng.choice(open_by[pipeline] if is_open else closed_by[pipeline])
            created = NOW - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
            last = created + timedelta(days=rng.randint(0, 60)) if rng.random() < 0.8 else None
            if last and last > NOW:
                last = NOW
            deals.append(
                dict(
                    pipeline=pipeline,
                    stage_id=stage_id,
                    title=f"Deal {i} {rng.choice(['rollout', 'pilot', 'renewal', 'expansion'])}",
                    account_id=rng.randint(1, accounts) if rng.random() < 0.9 else None,
                    contact_id=rng.randint(1, contacts) if rng.random() < 0.7 else None,
                    owner_id=rng.choice(rep_ids),
                    value=rng.randint(1_000, 5_000_000),
                    expected_close=(TODAY + timedelta(days=rng.randint(-60, 300))) if rng.random() < 0.85 else None,
                    source=rng.choice(SOURCES),
                    territory=rng.choice(TERRITORIES),
                    product=rng.choice(PRODUCTS),
                    created_at=created,
                    stage_entered_at=created,
                    closed_at=None if is_open else created + timedelta(days=rng.randint(1, 90)),
                    last_activity_at=last,
                    version=1,
                    updated_at=created,
                )
            )
            if is_open:
                open_ids.append(i)
        for part in _chunks(deals):
            conn.execute(insert(Deal), part)

        tasks = []
        open_set = set(open_ids)
        for deal_id in range(1, n + 1):
            for _ in range(3):
                due = TODAY + timedelta(days=rng.randint(-30, 30))
                done = deal_id not in open_set or rng.random() < 0.7
                tasks.append(
                    dict(deal_id=deal_id, owner_id=rng.choice(rep_ids), title=f"Follow up {deal_id}", due=due,
                         done_at=NOW if done else None, created_at=NOW)
                )
        for part in _chunks(tasks):
            conn.execute(insert(Task), part)
    database.dispose()


def timed(fn, repeat: int = 15) -> tuple[float, float]:
    """(first call, median of the repeats) in milliseconds."""
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(samples)


def main(argv: list[str]) -> None:
    args = list(argv)
    pg_admin = None
    if "--pg" in args:
        where = args.index("--pg")
        pg_admin = args[where + 1]
        del args[where : where + 2]
    numbers = [a for a in args if not a.startswith("--")]
    n = int(numbers[0]) if numbers else 100_000
    all_open = "--all-open" in args
    keep = "--keep" in args
    if pg_admin:
        name = f"legwork_probe_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
        try:
            probe(url, n, all_open)
        finally:
            if not keep:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    directory = Path(tempfile.mkdtemp(prefix="legwork-board-"))
    path = directory / "board.db"
    try:
        probe(f"sqlite:///{path}", n, all_open)
    finally:
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            directory.rmdir()


def probe(url: str, n: int, all_open: bool) -> None:
    rng = random.Random(42)
    start = time.perf_counter()
    build(url, n, all_open, rng)
    shown = make_url(url).render_as_string(hide_password=True)
    print(f"built {n:,} deals ({'all open' if all_open else 'scale mix'}) in {time.perf_counter() - start:.1f} s: {shown}")
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))  # what autovacuum would soon have done
        engine.dispose()

    database = open_database(url)
    results = []
    with database.session() as session:
        empty = board.BoardFilter()
        results.append(("board_columns(opportunity)", timed(lambda: board.board_columns(session, OPPORTUNITY, empty))))
        columns = board.board_columns(session, OPPORTUNITY, empty)
        biggest = max(columns, key=lambda c: c.count)
        print("opportunity columns: " + ", ".join(f"{c.stage_name} {c.count:,}" for c in columns))
        results.append((
            f"column_cards first 50 ({biggest.stage_name}, {biggest.count:,} deals)",
            timed(lambda: board.column_cards(session, biggest.stage_id, empty)),
        ))
        offset = max(0, biggest.count - 50)
        results.append((
            "column_cards last window",
            timed(lambda: board.column_cards(session, biggest.stage_id, empty, offset=offset)),
        ))
        last = board.column_cards(session, biggest.stage_id, empty, offset=offset)[-1]
        results.append((
            "card_index (deal sorting last)",
            timed(lambda: board.card_index(session, biggest.stage_id, empty, last.id)),
        ))
        assert board.card_index(session, biggest.stage_id, empty, last.id) == biggest.count - 1
        mine = board.BoardFilter(owner_id=3)
        results.append(("board_columns(opportunity, owner)", timed(lambda: board.board_columns(session, OPPORTUNITY, mine))))
        results.append(("column_cards first 50, owner", timed(lambda: board.column_cards(session, biggest.stage_id, mine))))
        search = board.BoardFilter(text="account 12")
        results.append(("board_columns(opportunity, text)", timed(lambda: board.board_columns(session, OPPORTUNITY, search))))
        results.append(("column_cards first 50, text", timed(lambda: board.column_cards(session, biggest.stage_id, search))))
        results.append(("board_columns(lead)", timed(lambda: board.board_columns(session, LEAD, empty))))
        results.append(("opportunity_summary", timed(lambda: board.opportunity_summary(session, empty, tz="Asia/Tokyo"))))
        results.append(("lead_summary", timed(lambda: board.lead_summary(session, empty, tz="Asia/Tokyo"))))
        results.append(("filter_choices", timed(lambda: board.filter_choices(session), repeat=5)))
        results.append(("change_token", timed(lambda: changes.change_token(session))))
    database.dispose()

    width = max(len(name) for name, _ in results)
    print(f"{'':{width}}  {'first':>9}  {'median':>9}")
    for name, (first, median) in results:
        print(f"{name:{width}}  {first:7.1f}ms  {median:7.1f}ms")


if __name__ == "__main__":
    main(sys.argv[1:])
