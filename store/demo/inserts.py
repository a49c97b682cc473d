"""Writing the demo's rows: bulk inserts with the ids given by the generator, then each
PostgreSQL sequence moved past them, then the rollups and next-task days rebuilt."""

from __future__ import annotations

from typing import Callable

from sqlalchemy import column, insert, text
from sqlalchemy import table as sql_table
from sqlmodel import Session

from store import rollups
from store.bulk import converters
from store.models import Account, Activity, Contact, Deal, DealContact, DealEvent, Note, Rep, Task
from store.tasks import refresh_next_due

BATCH = 5000


def move_sequence(session: Session, name: str) -> None:
    """Ids were given here: on PostgreSQL, move ``name``'s id sequence past them for the inserts to come."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"))


def insert_rows(session: Session, rows: dict[str, list[dict]], report: Callable[[str, float], None]) -> None:
    """Insert the rows of every table (by table name), in an order that satisfies their foreign keys."""
    tables = [Rep, Account, Contact, Deal, DealContact, Activity, Task, Note, DealEvent]
    total = sum(len(rows[t.__tablename__]) for t in tables) or 1
    done = 0
    dialect = session.get_bind().dialect.name
    for table in tables:
        name = table.__tablename__
        batch_rows = rows[name]
        if not batch_rows:
            continue
        # Columns added to the model since this was written get their scalar defaults.
        given = batch_rows[0].keys()
        for col in table.__table__.columns:
            if col.name not in given and col.default is not None and col.default.is_scalar:
                for row in batch_rows:
                    row[col.name] = col.default.arg
        # Values go in already as the driver takes them: no per-value type processing.
        statement = insert(sql_table(name, *(column(key) for key in batch_rows[0])))
        convert = converters(table, dialect, given)
        for start in range(0, len(batch_rows), BATCH):
            batch = batch_rows[start : start + BATCH]
            if convert:
                for row in batch:
                    for key, fn in convert:
                        value = row[key]
                        if value is not None:
                            row[key] = fn(value)
            session.execute(statement, batch)
            done += len(batch)
            report(f"Writing {name} rows", 0.35 + 0.63 * done / total)
    for table in tables:
        if rows[table.__tablename__] and "id" in table.__table__.c:
            move_sequence(session, table.__tablename__)
    report("Counting activities", 0.99)
    rollups.rebuild(session)
    refresh_next_due(session)
    report("Done", 1.0)
