"""Opening databases: SQLite by default, PostgreSQL by URL, one-line errors otherwise."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from store import db as store_db
from store import migrations
from store.db import Database, open_database, resolve_url, sqlite_url
from store.errors import DatabaseUnavailable
from store.models import Deal, Stage, Task


def assert_unavailable(url: str, *fragments: str) -> str:
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(url)
    message = str(caught.value)
    assert message and "\n" not in message, message
    assert "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_missing_directory(tmp_path):
    assert_unavailable("/nonexistent/dir/x.db", "/nonexistent/dir", "does not exist")
    assert_unavailable(f"sqlite:///{tmp_path}/no/such/dir/x.db", "does not exist")
    assert not (tmp_path / "no").exists()


def test_a_server_that_is_down():
    assert_unavailable("postgresql+psycopg://nobody@127.0.0.1:1/x", "127.0.0.1", "cannot open")


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://nobody:s3cret-pw@127.0.0.1:1/x", "postgresql+psycopg://nobody:s3cret-pw@host:notaport/x"],
)
def test_a_password_is_never_shown(url):
    message = assert_unavailable(url)
    assert "s3cret-pw" not in message


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("notadb://x/y", "no driver"),
        ("postgresql+nodriver://x/y", "no driver"),
        ("postgresql+psycopg://u@host:notaport/db", "notaport"),
        ("://nothing", ""),
    ],
)
def test_a_bad_url(url, fragment):
    assert_unavailable(url, fragment)


def test_a_directory(tmp_path):
    assert_unavailable(str(tmp_path), "directory")
    assert_unavailable(sqlite_url(tmp_path), "directory")


def test_a_file_that_is_not_a_database(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("shopping list\n" * 200)
    assert_unavailable(str(junk), "not a database")
    assert junk.read_text() == "shopping list\n" * 200


def test_a_new_sqlite_file_is_created_and_migrated(tmp_path):
    path = tmp_path / "fresh.db"
    database = open_database(str(path))
    try:
        assert path.exists() and database.is_sqlite
        assert migrations.current_revision(database.engine) == migrations.HEAD
        with database.session() as session:
            assert len(session.exec(select(Stage)).all()) > 0
        assert database.description == f"sqlite:///{path}"
    finally:
        database.dispose()


def test_opening_twice_adds_nothing(tmp_path):
    path = tmp_path / "twice.db"
    first = open_database(str(path))
    with first.engine.connect() as connection:
        stages = connection.execute(text("SELECT COUNT(*) FROM stage")).scalar_one()
    first.dispose()
    second = open_database(str(path))
    try:
        with second.engine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM stage")).scalar_one() == stages
    finally:
        second.dispose()


def test_sqlite_pragmas(sqlite_db):
    with sqlite_db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_every_pooled_sqlite_connection_has_the_pragmas(sqlite_db):
    connections = [sqlite_db.engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        for connection in connections:
            connection.close()


def test_foreign_keys_are_enforced_on_every_backend(session, frozen):
    from datetime import date

    session.add(Task(deal_id=12345, owner_id=12345, title="orphan", due=date(2026, 11, 20), created_at=frozen))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert session.exec(select(Task)).all() == []


def test_sessions_do_not_expire_what_they_returned(db):
    with db.session() as session:
        stage = session.exec(select(Stage)).first()
        session.commit()
        assert stage.name  # readable without a round trip after commit


def test_the_database_knows_its_backend(db, db_url):
    assert db.is_sqlite == db_url.startswith("sqlite")
    assert isinstance(db, Database)
    with db.engine.connect() as connection:
        assert connection.execute(select(Deal.id)).all() == []


# --- which database -------------------------------------------------------------------------------


def test_the_db_flag_wins(monkeypatch):
    monkeypatch.setenv("LEGWORK_DB", "postgresql+psycopg://team@db/legwork")
    assert resolve_url("sqlite:////tmp/mine.db") == "sqlite:////tmp/mine.db"


def test_then_the_environment(monkeypatch):
    monkeypatch.setenv("LEGWORK_DB", "postgresql+psycopg://team@db/legwork")
    assert resolve_url(None) == "postgresql+psycopg://team@db/legwork"


def test_then_the_default_file(monkeypatch, tmp_path):
    monkeypatch.delenv("LEGWORK_DB", raising=False)
    monkeypatch.setattr(store_db, "data_dir", lambda: tmp_path / "data")
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'data' / 'legwork.db'}"


def test_a_bare_path_is_sqlite(monkeypatch):
    monkeypatch.delenv("LEGWORK_DB", raising=False)
    assert resolve_url("/tmp/x.db") == "sqlite:////tmp/x.db"
    assert resolve_url("~/x.db") == f"sqlite:///{Path('~/x.db').expanduser()}"


def test_the_default_data_directory_is_created(monkeypatch, tmp_path):
    data = tmp_path / "data" / "legwork"
    monkeypatch.delenv("LEGWORK_DB", raising=False)
    monkeypatch.setattr(store_db, "data_dir", lambda: data)
    database = open_database()
    try:
        assert (data / "legwork.db").exists()
    finally:
        database.dispose()


# --- who can read the files --------------------------------------------------------------------


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)  # the usual umask, under which SQLite alone made the file 0644
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_side_files_are_private(tmp_path, umask_022):
    path = tmp_path / "new.db"
    database = open_database(str(path))
    try:
        with database.session() as session:
            session.execute(text("SELECT count(*) FROM deal")).scalar()
            assert (tmp_path / "new.db-wal").exists() and (tmp_path / "new.db-shm").exists()
            modes = {p.name: _mode(p) for p in tmp_path.iterdir()}
        assert modes == {"new.db": 0o600, "new.db-wal": 0o600, "new.db-shm": 0o600}
        assert database.warning is None
    finally:
        database.dispose()


def test_the_data_directory_we_create_is_private(monkeypatch, tmp_path, umask_022):
    data = tmp_path / "data" / "legwork"
    monkeypatch.delenv("LEGWORK_DB", raising=False)
    monkeypatch.setattr(store_db, "data_dir", lambda: data)
    open_database().dispose()
    assert _mode(data) == 0o700 and _mode(data / "legwork.db") == 0o600


def test_an_existing_database_keeps_its_permissions(tmp_path, sqlite_template, umask_022):
    shared = tmp_path / "team.db"
    shutil.copy(sqlite_template, shared)
    shared.chmod(0o660)  # a team sharing it through a group: said nothing about
    database = open_database(str(shared))
    database.dispose()
    assert _mode(shared) == 0o660 and database.warning is None
    shared.chmod(0o644)  # made before Legwork created files 0600: every user can read the CRM
    database = open_database(str(shared))
    database.dispose()
    assert _mode(shared) == 0o644
    assert database.warning and "chmod 600" in database.warning and "\n" not in database.warning
