"""Engine and sessions: SQLite by default, any SQLAlchemy URL (PostgreSQL included).

Opening a database migrates it to the current schema. Anything that stops a
database from opening becomes one ``DatabaseUnavailable`` with a one-line reason.
"""

from __future__ import annotations

import os
import re
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import Session, create_engine

from store.errors import DatabaseUnavailable

APP_NAME = "legwork"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_url() -> str:
    return sqlite_url(data_dir() / "legwork.db")


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).expanduser()}"


def resolve_url(db: str | None) -> str:
    """``--db`` wins, then ``LEGWORK_DB``, then the default file. A bare path is SQLite."""
    value = db or os.environ.get("LEGWORK_DB") or default_url()
    if "://" not in value:
        value = sqlite_url(value)
    return value


def missing_sqlite_file(db: str | None) -> Path | None:
    """The file a SQLite ``db`` (as ``resolve_url`` reads it) would create, when it does not
    exist yet; None for one that exists, an in-memory database or a server's URL. A command
    that can do its work without a database checks this before opening (which creates it)."""
    try:
        parsed = make_url(resolve_url(db))
    except (ArgumentError, ValueError):
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    path = Path(database).expanduser()
    return None if path.exists() else path


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _describe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        # Unparsable, but it may still hold a password: never show one.
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def url_has_password(url: str) -> bool:
    """True when a database URL carries a password (``postgresql+psycopg://user:secret@host/db``)."""
    try:
        return bool(make_url(url).password)
    except (ArgumentError, ValueError):
        return bool(re.search(r"://[^:/@]*:[^@/]+@", url))


def _first_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


class Database:
    """One database: its engine, a session factory, and the schema kept current."""

    def __init__(self, url: str, engine: Engine, warning: str | None = None) -> None:
        self.url = url
        self.engine = engine
        self.warning = warning  # one line worth telling the person who opened it (not fatal)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def description(self) -> str:
        return _describe(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    url: str | None = None, *, migrate: bool = True, announce: Callable[[str], None] | None = None
) -> Database:
    """Open (and create, and migrate) the database at ``url``; ``announce`` hears
    a line before a schema upgrade of an existing database.

    Raises ``DatabaseUnavailable`` with a one-line message for a path that cannot
    be opened, a malformed URL, a missing driver, or a server that is down.
    """
    url = resolve_url(url)
    shown = _describe(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUnavailable(f"not a database URL: {shown!r}") from None
    warning = None
    if parsed.get_backend_name() == "sqlite":
        engine, warning = _sqlite_engine(parsed, shown)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True, connect_args=_connect_args(parsed))
        except NoSuchModuleError:
            raise DatabaseUnavailable(
                f"no driver for {parsed.drivername!r} in {shown} "
                "(PostgreSQL URLs start postgresql+psycopg://)"
            ) from None
        except (ArgumentError, ImportError) as exc:
            raise DatabaseUnavailable(f"cannot use {shown}: {_first_line(exc)}") from None
    database = Database(url, engine, warning)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        if migrate:
            from store.migrations import upgrade

            upgrade(engine, announce=announce)
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise DatabaseUnavailable(f"cannot open {shown}: {_first_line(exc)}") from None
    except DatabaseUnavailable:
        engine.dispose()
        raise
    return database


def _connect_args(parsed) -> dict:
    if parsed.get_backend_name() == "postgresql":
        # A server that is down should fail fast, not hang the terminal.
        return {"connect_timeout": 5}
    return {}


def _sqlite_engine(parsed, shown: str) -> tuple[Engine, str | None]:
    database = parsed.database or ""
    warning = None
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        if path.is_dir():
            raise DatabaseUnavailable(f"cannot open {shown}: it is a directory")
        parent = path.parent
        if path == Path(data_dir() / path.name) or parent == data_dir():
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a CRM's data is the user's alone
        if not parent.is_dir():
            raise DatabaseUnavailable(f"cannot open {shown}: directory {parent} does not exist")
        warning = _private_file(path)
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": 5},
    )
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine, warning


def _private_file(path: Path) -> str | None:
    """Create a new database file readable by its owner only (SQLite gives its -wal and -shm files
    the same permissions); an existing one keeps its own, with a warning if every user can read it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return None
    except FileExistsError:
        pass
    except OSError:
        return None  # SQLite says why it cannot open it
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & stat.S_IROTH:
        # Not changed here: the owner may share it on purpose; group access is the way to share with a team.
        return f"every user on this machine can read {path}: chmod 600 it (or 660 to share it with a group)"
    return None
