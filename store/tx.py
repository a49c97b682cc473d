"""One write, one transaction: commit on success, roll back on any error."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlmodel import Session, select


def lock_rows(session: Session, column, ids) -> None:
    """Lock the rows whose ``column`` is in ``ids`` until the transaction ends, in id order.

    For a derived column (a deal's next task, its milestone) recomputed by an
    UPDATE with a subquery: on PostgreSQL a second writer then waits here, and
    its UPDATE afterwards sees the first writer's rows. FOR NO KEY UPDATE: the
    caller may already have inserted rows pointing at these (a task, an event),
    whose foreign-key checks hold KEY SHARE locks that FOR UPDATE would wait on
    and deadlock with. (SQLite writers are serialised already; no lock is taken.)
    """
    statement = select(column).where(column.in_(sorted(set(ids)))).order_by(column)
    session.execute(statement.with_for_update(key_share=True)).all()


@contextmanager
def write(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
