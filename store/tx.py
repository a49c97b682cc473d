"""One write, one transaction: commit on success, roll back on any error."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlmodel import Session, select


def lock_rows(session: Session, column, ids) -> None:
    """Lock the rows whose ``column`` is in ``ids`` until the transaction ends.

    For a derived column (a deal's next task, its milestone) recomputed by an
    UPDATE with a subquery: on PostgreSQL a second writer then waits here, and
    its UPDATE afterwards sees the first writer's rows. (SQLite writers are
    serialised already; FOR UPDATE is left out there.)
    """
    session.execute(select(column).where(column.in_(list(ids))).with_for_update()).all()


@contextmanager
def write(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
