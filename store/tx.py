"""One write, one transaction: commit on success, roll back on any error."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlmodel import Session


@contextmanager
def write(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
