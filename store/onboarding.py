"""A rep unknown to the database signs up: the one write Legwork lets anyone make.

Nobody makes themself a manager by signing up; a manager makes a rep a manager
(store.reps). The one exception is the first rep of an empty database, who has no
one to ask: they may start the team as its manager.
"""

from __future__ import annotations

from sqlmodel import Session, select

from store import reps
from store.errors import Forbidden
from store.models import Rep


def first_rep(session: Session) -> bool:
    """Whether the database has no rep yet (whoever signs up now may be the manager)."""
    return session.exec(select(Rep.id).limit(1)).first() is None


def _take_write_lock(session: Session) -> None:
    """Two first sign-ups at once must not both find the database empty: SQLite takes
    its write lock up front (BEGIN IMMEDIATE); PostgreSQL locks the rep table against
    other writers until the commit (reads go on)."""
    if session.get_bind().dialect.name == "sqlite":
        raw = session.connection().connection.dbapi_connection
        if not raw.in_transaction:
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    else:
        session.connection().exec_driver_sql("LOCK TABLE rep IN SHARE ROW EXCLUSIVE MODE")


def sign_up(
    session: Session,
    handle: str,
    name: str,
    *,
    manager: bool = False,
    timezone: str = "UTC",
    capacity: int = reps.DEFAULT_CAPACITY,
    working_days: tuple[int, ...] = reps.MONDAY_TO_FRIDAY,
    email: str | None = None,
) -> reps.RepInfo:
    """Add the signing-up rep; ``manager=True`` is refused (``Forbidden``, nothing
    written) unless the database has no rep yet."""
    if session.in_transaction():
        session.rollback()  # start clean: the lock below must come first in the transaction
    try:
        _take_write_lock(session)
        if manager and not first_rep(session):
            raise Forbidden("only the first rep of a new database can sign up as its manager: ask your manager")
    except BaseException:
        session.rollback()
        raise
    try:
        # reps.sign_up writes (and records the joining) in the transaction begun above,
        # so the check and the insert are one.
        return reps.sign_up(
            session,
            handle,
            name,
            role="manager" if manager else "rep",
            timezone=timezone,
            capacity=capacity,
            working_days=working_days,
            email=email,
        )
    except BaseException:
        session.rollback()  # a refused value: release the lock
        raise
