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


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template, pg_template):
    """A URL of a fresh, migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "legwork.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (set LEGWORK_TEST_PG_URL)")
    name, url = _fresh_pg(pg_template)
    yield url
    _drop_pg(name)


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
