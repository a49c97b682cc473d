"""Alembic migrations, shipped in the package and applied when a database opens.

``HEAD`` names the newest revision, so opening an up-to-date database costs one
query and never imports Alembic; a test keeps it equal to the scripts' head.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from store.errors import DatabaseUnavailable

HEAD = "0012"
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for "permission denied"
HERE = Path(__file__).parent


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head", *, announce: Callable[[str], None] | None = None) -> None:
    """Migrate to ``revision``; ``announce`` hears one line first when an existing
    database is upgraded (a big one can take a while: new tables are filled)."""
    current = current_revision(engine)
    if revision == "head" and current == HEAD:
        return
    if announce is not None and current is not None and current < HEAD:  # four-digit revisions
        announce(f"upgrading the database from schema {current} to {HEAD}, once")
    from alembic import command
    from alembic.util import CommandError

    try:
        command.upgrade(alembic_config(engine), revision)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        # An app role (store.pg_roles) reads and writes rows; changing tables is the owner's.
        raise DatabaseUnavailable(
            f"the database's schema is at {current or 'nothing yet'} and this Legwork needs {HEAD}, "
            "which this role may not change: run `legwork init` as the database's owner"
        ) from None
    except CommandError as exc:
        # Typically a database a newer Legwork already migrated past what this one knows.
        reason = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"the database is at schema revision {current!r}, which this Legwork (up to {HEAD}) "
            f"cannot migrate: {reason}; is it from a newer release?"
        ) from None
