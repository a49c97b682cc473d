"""Writing the demo's rows: bulk inserts (store.bulk: the driver's executemany on SQLite,
COPY on PostgreSQL) with the ids given by the generator, then each PostgreSQL sequence
moved past them, then the rollups and next-task days rebuilt."""

from __future__ import annotations

from typing import Callable

from sqlalchemy import text
from sqlmodel import Session

from store import rollups
from store.bulk import insert_plain
from store.models import Account, Activity, Contact, Deal, DealContact, DealEvent, Note, Rep, Task
from store.tasks import refresh_next_due

# The demo's tables, in an order that satisfies their foreign keys.
TABLES = (Rep, Account, Contact, Deal, DealContact, Activity, Task, Note, DealEvent)


def move_sequence(session: Session, name: str) -> None:
    """Ids were given here: on PostgreSQL, move ``name``'s id sequence past them for the inserts to come."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"))


def insert_rows(session: Session, rows: dict[str, list[dict]], report: Callable[[str, float], None]) -> None:
    """Insert the rows of every table in TABLES (``rows`` by table name)."""
    total = sum(len(rows[t.__tablename__]) for t in TABLES) or 1
    done = 0
    for table in TABLES:
        name = table.__tablename__
        table_rows = rows[name]
        if not table_rows:
            continue
        # Columns added to the model since this was written get their scalar defaults.
        given = table_rows[0].keys()
        for col in table.__table__.columns:
            if col.name not in given and col.default is not None and col.default.is_scalar:
                for row in table_rows:
                    row[col.name] = col.default.arg
        reported = [0]

        def written(n: int, name: str = name, before: int = done) -> None:
            reported[0] = n
            report(f"Writing {name} rows", 0.35 + 0.63 * (before + n) / total)

        insert_plain(session, table, table_rows, written)
        if reported[0] < len(table_rows):  # COPY reports every few thousand rows, not at its end
            written(len(table_rows))
        done += len(table_rows)
    for table in TABLES:
        if rows[table.__tablename__] and "id" in table.__table__.c:
            move_sequence(session, table.__tablename__)
    report("Counting activities", 0.99)
    rollups.rebuild(session)
    refresh_next_due(session)
    report("Done", 1.0)
