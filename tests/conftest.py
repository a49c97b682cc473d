"""Databases for tests: every store test runs on SQLite and on PostgreSQL.

PostgreSQL runs when ``LEGWORK_TEST_PG_URL`` names a server (a maintenance URL
such as ``postgresql+psycopg://legwork@127.0.0.1:54329/postgres``); CI always
sets it and fails if those tests were skipped. Each test gets a fresh database
cloned from a migrated template, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pendulum
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)
from store.migrations import HEAD

from store.db import Database, open_database

PG_URL = os.environ.get("LEGWORK_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"]

# The moment "now" is in tests unless a test travels elsewhere: a Wednesday.
FIXED_NOW = pendulum.datetime(2026, 11, 18, 14, 30, tz="UTC")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = open_database(str(path))
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template():
    if not PG_URL:
        yield None
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"legwork_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    database = open_database(url)
    database.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_pg(template: str) -> tuple[str, str]:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"legwork_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return name, make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg(name: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class _PgWorkerDatabase:
    """One PostgreSQL database per test process, put back to its freshly migrated
    state before each test. Cloning a database per test costs ~0.3 s of server
    time; emptying and re-seeding a few small tables costs ~15 ms."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.name, self.url = _fresh_pg(template)
        self.engine = create_engine(self.url, poolclass=NullPool)
        self.tables = SQLModel.metadata.sorted_tables
        with self.engine.connect() as connection:
            self.seed = {t.name: [dict(r) for r in connection.execute(t.select()).mappings()] for t in self.tables}

    def reset(self) -> str:
        try:
            with self.engine.begin() as connection:
                # Connections a previous test left open would block the DELETEs.
                connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ))
                connection.execute(text("SET LOCAL lock_timeout = '2s'"))
                if connection.execute(text("SELECT version_num FROM alembic_version")).scalar() != HEAD:
                    raise RuntimeError("schema changed")
                for table in reversed(self.tables):
                    connection.execute(table.delete())
                for table in self.tables:
                    if self.seed[table.name]:
                        connection.execute(table.insert(), self.seed[table.name])
                    if "id" in table.c:
                        connection.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE(MAX(id), 0) + 1, false) FROM {table.name}"
                        ))
        except Exception:  # a test changed the schema, or the database is gone: start over
            self.close()
            self.name, self.url = _fresh_pg(self.template)
            self.engine = create_engine(self.url, poolclass=NullPool)
        return self.url

    def close(self) -> None:
        self.engine.dispose()
        _drop_pg(self.name)


@pytest.fixture(scope="session")
def pg_worker_db(pg_template):
    if not PG_URL:
        yield None
        return
    database = _PgWorkerDatabase(pg_template)
    yield database
    database.close()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template, pg_worker_db):
    """A URL of a fresh, migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "legwork.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (set LEGWORK_TEST_PG_URL)")
    yield pg_worker_db.reset()


@pytest.fixture
def db(db_url) -> Database:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def session(db):
    with db.session() as s:
        yield s


@pytest.fixture
def frozen():
    """Freeze pendulum's clock at FIXED_NOW for the test."""
    with pendulum.travel_to(FIXED_NOW, freeze=True):
        yield FIXED_NOW


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template) -> Database:
    """A fresh SQLite database only (for UI tests, which need not run twice)."""
    path = tmp_path / "legwork.db"
    shutil.copy(sqlite_template, path)
    database = open_database(str(path))
    yield database
    database.dispose()


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per reason tests were skipped, with how many (CI looks for the
    PostgreSQL reason here to fail a run that skipped the server's tests)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        terminalreporter.section("skipped, by reason", sep="-")
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{count:>5}  {reason}")
