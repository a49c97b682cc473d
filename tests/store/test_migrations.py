"""Migrations: run on open, at the head the code expects, nothing lost on the way."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, select

import store.models  # noqa: F401  (registers the tables)
from store import deals, migrations, reps, search_index
from store.db import open_database
from store.errors import DatabaseUnavailable
from store.models import LEAD, LOST, OPEN, OPPORTUNITY, WON, Setting
from store.stages import list_stages, lost_reasons

PG_URL = os.environ.get("LEGWORK_TEST_PG_URL")
REVISIONS = [
    script.revision
    for script in reversed(list(ScriptDirectory(str(migrations.HERE)).walk_revisions()))
]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    """A database with nothing in it at all, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (set LEGWORK_TEST_PG_URL)")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"legwork_m_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bare_engine(url: str):
    """An engine with none of open_database's work: no migrations run."""
    return open_database(url, migrate=False).engine


# --- the head ----------------------------------------------------------------------------------


def test_head_is_the_scripts_single_head():
    script = ScriptDirectory(str(migrations.HERE))
    assert script.get_heads() == [migrations.HEAD]
    assert REVISIONS[-1] == migrations.HEAD


def test_the_script_directory_the_store_uses_is_the_same():
    engine = create_engine("sqlite://")
    script = ScriptDirectory.from_config(migrations.alembic_config(engine))
    assert script.get_current_head() == migrations.HEAD


def test_revisions_form_one_line_from_the_first():
    script = ScriptDirectory(str(migrations.HERE))
    assert script.get_bases() == [REVISIONS[0]]
    for older, newer in zip(REVISIONS, REVISIONS[1:]):
        assert script.get_revision(newer).down_revision == older


# --- opening migrates --------------------------------------------------------------------------


def test_an_empty_database_is_migrated_to_head_on_open(empty_url):
    database = open_database(empty_url)
    try:
        assert migrations.current_revision(database.engine) == migrations.HEAD
        tables = set(inspect(database.engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
    finally:
        database.dispose()


def test_the_migrated_schema_matches_the_models(db):
    """No drift between models.py and the migrations, on either backend."""
    with db.engine.connect() as connection:
        # The search index's tables are kept by triggers, outside the models (store.search_index).
        opts = {"compare_type": True, "include_name": search_index.include_name}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, SQLModel.metadata) == []


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_database_at_an_older_revision_opens_with_nothing_lost(empty_url, revision):
    engine = bare_engine(empty_url)
    migrations.upgrade(engine, revision)
    assert migrations.current_revision(engine) == revision
    # Rows written the way that revision's schema had them (columns from 0001).
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO rep (handle, name, role, timezone, capacity, working_days, active, created_at) "
                "VALUES ('ana', 'Ana Reyes', 'rep', 'Europe/Berlin', 9, '1234', :t, :now)"
            ),
            {"t": True, "now": "2026-01-05 09:00:00"},
        )
        rep_id = connection.execute(text("SELECT id FROM rep WHERE handle = 'ana'")).scalar_one()
        stage_id = connection.execute(
            text("SELECT id FROM stage WHERE pipeline = 'opportunity' AND kind = 'open' ORDER BY position")
        ).scalars().first()
        connection.execute(
            text(
                "INSERT INTO deal (pipeline, stage_id, title, owner_id, value, expected_close, created_at, "
                "stage_entered_at, updated_at, version) "
                "VALUES ('opportunity', :stage, 'Old deal', :rep, 1234500, :close, :now, :now, :now, 4)"
            ),
            {"stage": stage_id, "rep": rep_id, "close": date(2026, 3, 31), "now": "2026-01-05 09:00:00"},
        )
    engine.dispose()

    database = open_database(empty_url)
    try:
        assert migrations.current_revision(database.engine) == migrations.HEAD
        with database.session() as session:
            ana = reps.find_rep(session, "ana")
            assert (ana.timezone, ana.capacity, ana.working_days) == ("Europe/Berlin", 9, (1, 2, 3, 4))
            [deal] = deals.list_deals(session)
            assert (deal.title, deal.value, deal.version, deal.owner_id) == ("Old deal", 1_234_500, 4, ana.id)
            assert deal.expected_close == date(2026, 3, 31)
            assert deal.created_at.year == 2026 and deal.created_at.tzinfo is not None
            # And the old deal still takes part in today's rules.
            moved = deals.move_deal(session, deal.id, +1, version=4, by=ana.id)
            assert moved.version == 5
    finally:
        database.dispose()


def test_migrations_go_down_and_up_again(empty_url):
    engine = bare_engine(empty_url)
    try:
        config = migrations.alembic_config(engine)
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        assert migrations.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
        assert migrations.current_revision(engine) == migrations.HEAD
    finally:
        engine.dispose()


def test_a_database_from_a_newer_release_is_refused_cleanly(empty_url):
    open_database(empty_url).dispose()
    engine = bare_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(empty_url)
    message = str(caught.value)
    assert "9999" in message and "newer" in message and "\n" not in message


def test_opening_an_up_to_date_database_does_not_import_alembic(sqlite_db):
    """Start-up cost: an up-to-date database is one query, not an Alembic import."""
    import subprocess
    import sys

    code = (
        "import sys; from store.db import open_database; "
        f"d = open_database({sqlite_db.url!r}); d.dispose(); "
        "print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- what a new database starts with ------------------------------------------------------------


def test_default_stages(session):
    leads = list_stages(session, LEAD)
    opps = list_stages(session, OPPORTUNITY)
    assert 4 <= len(leads) <= 6
    assert [s.kind for s in leads].count(LOST) == 1
    assert WON not in [s.kind for s in leads]
    assert sorted(s.kind for s in opps if s.kind != OPEN) == [LOST, WON]
    assert 4 <= len([s for s in opps if s.kind == OPEN]) <= 6
    for stages in (leads, opps):
        kinds = [s.kind for s in stages]
        # Open stages first, in order; terminal stages after them.
        assert kinds == sorted(kinds, key=lambda k: k != OPEN)
        assert len({s.position for s in stages}) == len(stages)
        assert len({s.name.casefold() for s in stages}) == len(stages)
        assert all(s.rot_days > 0 for s in stages if s.kind == OPEN)
    probabilities = [s.probability for s in opps if s.kind == OPEN]
    assert probabilities == sorted(probabilities) and 0 < probabilities[0] and probabilities[-1] < 100
    assert next(s for s in opps if s.kind == WON).probability == 100
    assert next(s for s in opps if s.kind == LOST).probability == 0


def test_default_lost_reasons_and_settings(session):
    assert len(lost_reasons(session, LEAD)) >= 3
    assert len(lost_reasons(session, OPPORTUNITY)) >= 3
    settings = {s.key: s.value for s in session.exec(select(Setting))}
    assert settings["currency"] == "USD" and settings["timezone"] == "UTC"


def test_accounts_and_contacts_of_a_0004_database_get_their_keys(empty_url):
    """0005 fills name_key for rows an older release wrote (in batches, in Python)."""
    engine = bare_engine(empty_url)
    migrations.upgrade(engine, "0004")
    with engine.begin() as connection:
        for n in range(1, 1203):  # more than one batch
            connection.execute(
                text("INSERT INTO account (name, created_at) VALUES (:name, :now)"),
                {"name": f"Client {n}", "now": "2026-01-05 09:00:00"},
            )
        connection.execute(
            text("INSERT INTO account (name, created_at) VALUES ('ÉLECTRICITÉ  Dupont', :now)"),
            {"now": "2026-01-05 09:00:00"},
        )
        account_id = connection.execute(text("SELECT max(id) FROM account")).scalar_one()
        connection.execute(
            text("INSERT INTO contact (account_id, name, created_at) VALUES (:a, 'Hélène FAURE', :now)"),
            {"a": account_id, "now": "2026-01-05 09:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO rep (handle, name, role, timezone, capacity, working_days, active, created_at) "
                "VALUES ('ana', 'Ana Reyes', 'rep', 'UTC', 12, '12345', :t, :now)"
            ),
            {"t": True, "now": "2026-01-05 09:00:00"},
        )
    engine.dispose()

    database = open_database(empty_url)
    try:
        with database.engine.connect() as connection:
            keys = dict(connection.execute(text("SELECT name, name_key FROM account")).all())
            contact = connection.execute(text("SELECT name_key FROM contact")).scalar_one()
        assert len(keys) == 1203 and keys["Client 1202"] == "client 1202"
        assert keys["ÉLECTRICITÉ  Dupont"] == "electricite dupont" and contact == "helene faure"
        with database.session() as session:
            ana = reps.find_rep(session, "ana")
            deal = deals.create_lead(
                session, deals.DealFields(title="New", account="Electricite Dupont", contact="Helene Faure"), by=ana.id
            )
            assert deal.account_id == account_id and deal.account_name == "ÉLECTRICITÉ  Dupont"
    finally:
        database.dispose()


def test_tasks_of_a_0004_database_start_at_version_one(empty_url):
    engine = bare_engine(empty_url)
    migrations.upgrade(engine, "0004")
    now = "2026-01-05 09:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO rep (handle, name, role, timezone, capacity, working_days, active, created_at) "
                "VALUES ('ana', 'Ana Reyes', 'rep', 'UTC', 12, '12345', :t, :now)"
            ),
            {"t": True, "now": now},
        )
        stage_id = connection.execute(
            text("SELECT id FROM stage WHERE pipeline = 'lead' ORDER BY position")
        ).scalars().first()
        connection.execute(
            text(
                "INSERT INTO deal (pipeline, stage_id, title, owner_id, value, created_at, stage_entered_at, "
                "updated_at, version, next_task_due) VALUES ('lead', :s, 'Old', 1, 0, :now, :now, :now, 1, :due)"
            ),
            {"s": stage_id, "now": now, "due": date(2026, 1, 9)},
        )
        connection.execute(
            text("INSERT INTO task (deal_id, owner_id, title, due, created_at) VALUES (1, 1, 'Call', :due, :now)"),
            {"due": date(2026, 1, 9), "now": now},
        )
    engine.dispose()

    database = open_database(empty_url)
    try:
        from store import tasks

        with database.session() as session:
            task = tasks.get_task(session, 1)
            assert (task.title, task.version, task.due) == ("Call", 1, date(2026, 1, 9))
            done = tasks.complete_task(session, 1, by=1, version=1)
            assert done.version == 2 and deals.get_deal(session, 1).title == "Old"
    finally:
        database.dispose()
