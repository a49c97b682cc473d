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

from sqlalchemy import JSON, Boolean, Date, DateTime

UTC = timezone.utc


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
