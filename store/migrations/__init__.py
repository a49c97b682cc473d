"""Alembic migrations, shipped in the package and applied when a database opens.

``HEAD`` names the newest revision, so opening an up-to-date database costs one
query and never imports Alembic; a test keeps it equal to the scripts' head.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from store.errors import DatabaseUnavailable

HEAD = "0004"
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


def upgrade(engine: Engine, revision: str = "head") -> None:
    current = current_revision(engine)
    if revision == "head" and current == HEAD:
        return
    from alembic import command
    from alembic.util import CommandError

    try:
        command.upgrade(alembic_config(engine), revision)
    except CommandError as exc:
        # Typically a database a newer Legwork already migrated past what this one knows.
        reason = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"the database is at schema revision {current!r}, which this Legwork (up to {HEAD}) "
            f"cannot migrate: {reason}; is it from a newer release?"
        ) from None
