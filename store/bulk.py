"""Bulk inserts that skip SQLAlchemy's per-value type processing.

The demo generator and the importer write tens of thousands of rows through
Core ``executemany``; converting each value the way its column type would,
once up front, is a large part of their speed. If a column's storage format
changes, this is the one place to follow it (the demo and import tests read
every row back through the ORM, so they would notice).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable

from sqlalchemy import JSON, Boolean, Date, DateTime, column, func, insert, select, text
from sqlalchemy import table as sql_table
from sqlmodel import Session

UTC = timezone.utc
BATCH = 2000  # rows per executemany


def sqlite_moment(value: datetime) -> str:
    """As SQLAlchemy's SQLite DateTime stores it: ``2026-11-18 14:30:00.000000`` (UTC)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return datetime.isoformat(value.replace(tzinfo=None), " ", "microseconds")


def converters(model, dialect: str, keys: Iterable[str] | None = None) -> list[tuple[str, Callable[[Any], Any]]]:
    """(column, convert) for each column of ``model`` (limited to ``keys``) whose
    values need converting before a plain executemany on ``dialect``."""
    wanted = set(keys) if keys is not None else None
    out = []
    for col in model.__table__.columns:
        if wanted is not None and col.name not in wanted:
            continue
        kind = col.type
        if isinstance(kind, JSON):
            out.append((col.name, json.dumps))
        elif dialect != "sqlite":
            continue
        elif isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
            out.append((col.name, sqlite_moment))
        elif isinstance(kind, Date):
            out.append((col.name, date.isoformat))
        elif isinstance(kind, Boolean):
            out.append((col.name, int))
    return out


def lock_for_write(session: Session) -> None:
    """Start the write now: SQLite takes its write lock up front (BEGIN IMMEDIATE), so the
    ids read below stay free until the commit. PostgreSQL reserves ids from its sequences."""
    if session.get_bind().dialect.name != "sqlite":
        return
    raw = session.connection().connection.dbapi_connection
    if not raw.in_transaction:
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def reserve_ids(session: Session, model, n: int) -> list[int]:
    if session.get_bind().dialect.name == "postgresql":
        return sorted(session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": model.__tablename__, "n": n},
        ).scalars())
    start = (session.execute(select(func.max(model.id))).scalar() or 0) + 1
    return list(range(start, start + n))


def insert_rows(session: Session, model, rows: list[dict], report: Callable[[int], None] | None = None) -> list[int]:
    """Insert ``rows`` with ids given here (bulk executemany, no RETURNING); their ids, in order."""
    if not rows:
        return []
    ids = reserve_ids(session, model, len(rows))
    for row, row_id in zip(rows, ids):
        row["id"] = row_id
    insert_plain(session, model, rows, report)
    return ids


def insert_plain(session: Session, model, rows: list[dict], report: Callable[[int], None] | None = None) -> None:
    if not rows:
        return
    keys = list(rows[0])
    dialect = session.get_bind().dialect.name
    convert = {key: fn for key, fn in converters(model, dialect, keys)}
    if dialect == "sqlite":
        # The driver's own executemany: SQLAlchemy's per-row parameter handling costs more
        # than SQLite's work here.
        sql = f"INSERT INTO {model.__tablename__} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})"
        connection = session.connection()
        plain = [(key, convert.get(key)) for key in keys]
        for start in range(0, len(rows), BATCH):
            batch = [
                tuple(row[key] if fn is None or row[key] is None else fn(row[key]) for key, fn in plain)
                for row in rows[start : start + BATCH]
            ]
            connection.exec_driver_sql(sql, batch)
            if report:
                report(start + len(batch))
        return
    if dialect == "postgresql":
        # COPY: an order of magnitude faster than INSERTs for big batches, in the same transaction.
        raw = session.connection().connection.dbapi_connection
        done = 0
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {model.__tablename__} ({', '.join(keys)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[key] if key not in convert or row[key] is None else convert[key](row[key])
                                    for key in keys])
                    done += 1
                    if report and done % BATCH == 0:
                        report(done)
        return
    statement = insert(sql_table(model.__tablename__, *(column(key) for key in keys)))
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        if convert:
            batch = [dict(row) for row in batch]
            for row in batch:
                for key, fn in convert.items():
                    if row[key] is not None:
                        row[key] = fn(row[key])
        session.execute(statement, batch)
        if report:
            report(start + len(batch))


def chunks(items: list, size: int = 900) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
