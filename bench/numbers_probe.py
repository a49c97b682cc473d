"""How fast are the numbers screen's queries on DESIGN.md's scale data set? A measurement, not a test.

    .venv/bin/python bench/numbers_probe.py [ACTIVITIES] [--keep PATH] [--pg ADMIN_URL]

Builds, with Core bulk inserts: 50 reps, 100,000 deals (20% leads of which
60% open, 80% opportunities of which three quarters are closed, a third of
those won; a quarter of the opportunities are converted leads), ACTIVITIES
activities (default 1,000,000) spread over the last two years (so a quarter
holds about 125,000 of them; about a third carry a milestone, and each deal's
stored milestone is the furthest its activities reached), and 60,000
close-date changes (with before/after expected close dates, as the store
records them). The clock is the real one; the team's timezone is Asia/Tokyo so
period boundaries are not UTC midnights.

Then it times, on a warm connection (first call and median of repeats):
team_numbers for a quarter (with the previous quarter; the DESIGN budget is
300 ms) with and without its 12-quarter sparklines, for a week; the activity
pipeline; the forecast; one rep's drill-down.

``--keep PATH`` builds into (or reuses) the SQLite file PATH and leaves it.
``--pg postgresql+psycopg://user@host:port/postgres`` runs the same against a
scratch PostgreSQL database created (and dropped) through that maintenance URL.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from store import activity_pipeline, drilldown, forecast, numbers  # noqa: E402
from store.db import open_database  # noqa: E402
from store.models import (  # noqa: E402
    ACTIVITY_TYPES,
    LEAD,
    LOST,
    MILESTONES,
    OPEN,
    OPPORTUNITY,
    WON,
    Activity,
    Deal,
    DealEvent,
    Rep,
    Setting,
    Stage,
)

REPS = 50
DEALS = 100_000
CLOSE_CHANGES = 60_000
HISTORY_DAYS = 730
CHUNK = 10_000
NOW = datetime.now(timezone.utc)
TODAY = NOW.date()


def _chunks(rows):
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def build(url: str, n_activities: int, rng: random.Random) -> None:
    database = open_database(url)
    engine = database.engine
    with engine.begin() as conn:
        if conn.execute(select(Deal.id).limit(1)).first() is not None:
            print("reusing the data already there")
            database.dispose()
            return
        conn.execute(Setting.__table__.update().where(Setting.key == "timezone").values(value="Asia/Tokyo"))
        stages = conn.execute(select(Stage.id, Stage.pipeline, Stage.kind)).all()
        open_by = {p: [s.id for s in stages if s.pipeline == p and s.kind == OPEN] for p in (LEAD, OPPORTUNITY)}
        lost_by = {p: [s.id for s in stages if s.pipeline == p and s.kind == LOST] for p in (LEAD, OPPORTUNITY)}
        won_id = next(s.id for s in stages if s.pipeline == OPPORTUNITY and s.kind == WON)
        conn.execute(
            insert(Rep),
            [
                dict(handle=f"rep{i}", name=f"Rep{i:02d} Person", role="rep", timezone="UTC", capacity=12,
                     working_days="12345", active=True, created_at=NOW - timedelta(days=800))
                for i in range(REPS)
            ],
        )
        rep_ids = [r for (r,) in conn.execute(select(Rep.id))]

        deals = []
        for i in range(1, DEALS + 1):
            created = NOW - timedelta(days=rng.uniform(0, HISTORY_DAYS + 60))
            lead = rng.random() < 0.2
            converted = None
            if lead:
                pipeline = LEAD
                stage_id = rng.choice(open_by[LEAD]) if rng.random() < 0.6 else lost_by[LEAD][0]
            else:
                pipeline = OPPORTUNITY
                roll = rng.random()
                stage_id = rng.choice(open_by[OPPORTUNITY]) if roll < 0.25 else (won_id if roll < 0.5 else lost_by[OPPORTUNITY][0])
                if rng.random() < 0.25:
                    converted = min(created + timedelta(days=rng.uniform(1, 40)), NOW)
            closed = None
            if stage_id in (won_id, *lost_by[LEAD], *lost_by[OPPORTUNITY]):
                closed = min(created + timedelta(days=rng.uniform(5, 120)), NOW)
            deals.append(dict(
                id=i, pipeline=pipeline, stage_id=stage_id, title=f"Deal {i}", owner_id=rng.choice(rep_ids),
                value=rng.randint(1_000, 5_000_000),
                expected_close=(TODAY + timedelta(days=rng.randint(-90, 270))) if pipeline == OPPORTUNITY else None,
                created_at=created, stage_entered_at=created, converted_at=converted, closed_at=closed,
                version=1, updated_at=created,
            ))

        best = [0] * (DEALS + 1)
        last = [None] * (DEALS + 1)
        activities = []
        weights = [0.45, 0.25, 0.12, 0.08, 0.05, 0.05]
        for a in range(n_activities):
            deal = deals[rng.randrange(DEALS)]
            when = NOW - timedelta(seconds=rng.uniform(0, HISTORY_DAYS * 86400))
            milestone = None
            if rng.random() < 0.33:
                rank = min(best[deal["id"]] + (1 if rng.random() < 0.3 else 0), len(MILESTONES)) or 1
                milestone = MILESTONES[rank - 1]
                best[deal["id"]] = max(best[deal["id"]], rank)
            if last[deal["id"]] is None or when > last[deal["id"]]:
                last[deal["id"]] = when
            activities.append(dict(
                deal_id=deal["id"], rep_id=deal["owner_id"] if rng.random() < 0.9 else rng.choice(rep_ids),
                type=rng.choices(ACTIVITY_TYPES, weights)[0], milestone=milestone, occurred_at=when,
                outcome="", created_at=when,
            ))
        for deal in deals:
            deal["milestone"] = MILESTONES[best[deal["id"]] - 1] if best[deal["id"]] else None
            deal["last_activity_at"] = last[deal["id"]]
        for part in _chunks(deals):
            conn.execute(insert(Deal), part)
        del deals
        for part in _chunks(activities):
            conn.execute(insert(Activity), part)
        del activities

        events = []
        for _ in range(CLOSE_CHANGES):
            deal_id = rng.randint(1, DEALS)
            before = TODAY + timedelta(days=rng.randint(-200, 200))
            after = before + timedelta(days=rng.randint(-20, 60))
            at = NOW - timedelta(days=rng.uniform(0, 400))
            events.append(dict(
                deal_id=deal_id, rep_id=rng.choice(rep_ids), at=at, kind="close_date_changed",
                data={"before": {"expected_close": before.isoformat()}, "after": {"expected_close": after.isoformat()},
                      "version": 2},
            ))
        for part in _chunks(events):
            conn.execute(insert(DealEvent), part)
    database.dispose()


def timed(fn, repeat: int = 7) -> tuple[float, float]:
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


def probe(url: str, n_activities: int) -> None:
    start = time.perf_counter()
    build(url, n_activities, random.Random(42))
    shown = make_url(url).render_as_string(hide_password=True)
    print(f"data ready in {time.perf_counter() - start:.1f} s: {shown}")
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))  # what autovacuum would soon have done
        engine.dispose()
    else:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()

    database = open_database(url)
    results = []
    with database.session() as session:
        activities = session.exec(select(Activity.id).order_by(Activity.id.desc()).limit(1)).scalar_one()
        quarter = numbers.team_period(session, "quarter")
        week = numbers.team_period(session, "week")
        print(f"{activities:,} activities; {quarter.label} in {quarter.tz}")
        results.append(("team_numbers(quarter) + previous, no sparkline",
                        timed(lambda: numbers.team_numbers(session, quarter, spark=0))))
        table = numbers.team_numbers(session, quarter, spark=0)
        results.append(("add_sparklines(12 quarters), afterwards",
                        timed(lambda: numbers.add_sparklines(session, table), repeat=3)))
        results.append(("team_numbers(week) + 12-week sparklines", timed(lambda: numbers.team_numbers(session, week))))
        table = numbers.team_numbers(session, quarter, spark=0)
        print(f"team this quarter: {table.team['activities'].value:,} activities "
              f"(previous {table.team['activities'].previous:,}), {len(table.reps)} reps")
        results.append(("activity_pipeline(quarter), team", timed(lambda: activity_pipeline.activity_pipeline(session, quarter))))
        one = table.reps[0].rep_id
        results.append(("activity_pipeline(quarter), one owner",
                        timed(lambda: activity_pipeline.activity_pipeline(session, quarter, owner_id=one))))
        results.append(("forecast(quarter and next), team", timed(lambda: forecast.forecast(session, quarter))))
        results.append(("forecast(week and next), one owner",
                        timed(lambda: forecast.forecast(session, week, owner_id=one))))
        results.append(("rep_drilldown(quarter), one rep", timed(lambda: drilldown.rep_drilldown(session, quarter, one))))
    database.dispose()

    width = max(len(name) for name, _ in results)
    print(f"{'':{width}}  {'first':>9}  {'median':>9}")
    for name, (first, median) in results:
        print(f"{name:{width}}  {first:7.1f}ms  {median:7.1f}ms")


def main(argv: list[str]) -> None:
    args = list(argv)
    pg_admin = keep = None
    for flag in ("--pg", "--keep"):
        if flag in args:
            where = args.index(flag)
            value = args[where + 1]
            del args[where : where + 2]
            if flag == "--pg":
                pg_admin = value
            else:
                keep = value
    n = int(args[0]) if args else 1_000_000
    if pg_admin:
        name = f"legwork_numbers_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            probe(make_url(pg_admin).set(database=name).render_as_string(hide_password=False), n)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    if keep:
        probe(f"sqlite:///{Path(keep).resolve()}", n)
        return
    directory = Path(tempfile.mkdtemp(prefix="legwork-numbers-"))
    path = directory / "numbers.db"
    try:
        probe(f"sqlite:///{path}", n)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        directory.rmdir()


if __name__ == "__main__":
    main(sys.argv[1:])
