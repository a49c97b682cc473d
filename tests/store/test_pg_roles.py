"""PostgreSQL for a team: the owner migrates, the reps' app role reads and writes
rows and can change no table; a role that may not migrate is told who can."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from store import activities, deals, migrations, reps, undo
from store.db import open_database
from store.demo import DemoSize, populate_demo
from store.errors import DatabaseUnavailable, InvalidInput
from store.models import OPPORTUNITY
from store.pg_roles import check_role_name, grant_app_role
from tui.cli import main

PG_URL = os.environ.get("LEGWORK_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL not configured (set LEGWORK_TEST_PG_URL)")


@pytest.fixture
def server():
    """An empty database owned by the test's (owner) role, and an app role that may log in."""
    suffix = uuid.uuid4().hex[:10]
    name, role = f"legwork_roles_{suffix}", f"legwork_app_{suffix}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
    owner_url = make_url(PG_URL).set(database=name)
    app_url = owner_url.set(username=role)
    yield (owner_url.render_as_string(hide_password=False), app_url.render_as_string(hide_password=False), role)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f"DROP OWNED BY {role}"))  # the default privileges it was granted
        connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


def test_the_app_role_reads_and_writes_rows_but_changes_no_table(server, capsys):
    owner_url, app_url, role = server
    assert main(["--db", owner_url, "init", "--grant", role]) == 0
    assert f"{role} may read and write" in capsys.readouterr().out

    database = open_database(app_url)  # at HEAD: opening migrates nothing
    with database.session() as session:
        summary = populate_demo(session, size=DemoSize(reps=2, leads=6, opportunities=8, history_days=30))
        assert summary.deals > 0
        me = reps.find_rep(session, "morgan") or reps.list_reps(session)[0]
        deal = deals.create_deal(session, OPPORTUNITY, deals.DealFields(title="Least privilege"), by=me.id)
        moved = deals.move_deal(session, deal.id, 1, version=deal.version, by=me.id)
        activities.log_activity(session, moved.id, "call", by=me.id, outcome="ok")
        undo.undo_latest(session, by=me.id, since=0)
    with database.engine.connect() as connection:
        for statement in (
            "ALTER TABLE deal ADD COLUMN sneaky integer",
            "DROP TABLE note",
            "CREATE TABLE sneaky (id integer)",
            "UPDATE alembic_version SET version_num = '0001'",
            "TRUNCATE deal_event",
        ):
            with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                connection.execute(text(statement))
            connection.rollback()
    database.dispose()


def test_an_app_role_behind_the_schema_is_sent_to_the_owner(server):
    owner_url, app_url, role = server
    engine = create_engine(owner_url)
    migrations.upgrade(engine, "0005")
    engine.dispose()
    grant_app_role(open_database(owner_url, migrate=False), role)

    with pytest.raises(DatabaseUnavailable, match=r"schema is at 0005 and this Legwork needs .*run `legwork init` as the database's owner"):
        open_database(app_url)
    # And an empty database: nothing yet, the same way forward.


def test_an_empty_database_opened_by_the_app_role_is_sent_to_the_owner(server):
    _owner_url, app_url, _role = server
    with pytest.raises(DatabaseUnavailable, match=r"at nothing yet .*legwork init"):
        open_database(app_url)


def test_granting_checks_the_role(server, capsys):
    owner_url, _app_url, role = server
    assert main(["--db", owner_url, "init", "--grant", "no_such_role_here"]) == 1
    assert "CREATE ROLE no_such_role_here LOGIN first" in capsys.readouterr().err
    owner = make_url(owner_url).username
    assert main(["--db", owner_url, "init", "--grant", owner]) == 1
    assert "must be another one" in capsys.readouterr().err
    for bad in ("Robert'); DROP TABLE deal;--", "x y", "", "1abc"):
        with pytest.raises(InvalidInput):
            check_role_name(bad)


def test_a_sqlite_file_has_no_roles(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "team.db"), "init", "--grant", "legwork_app"]) == 1
    assert "file permissions" in capsys.readouterr().err


def test_tls_parameters_in_the_url_reach_the_driver(server):
    owner_url, _app_url, _role = server
    # The throwaway server speaks no TLS: requiring it must fail in one line, naming TLS.
    with pytest.raises(DatabaseUnavailable, match=r"(?i)ssl"):
        open_database(owner_url + "?sslmode=require")
    open_database(owner_url + "?sslmode=disable").dispose()


def test_a_password_on_the_command_line_is_warned_about(tmp_path, capsys):
    url = "postgresql+psycopg://rep:s3cret@127.0.0.1:1/legwork"
    assert main(["--db", url, "init"]) == 2  # nothing listens on port 1
    err = capsys.readouterr().err
    assert "shows in `ps`" in err and ".pgpass" in err
    assert "s3cret" not in err
