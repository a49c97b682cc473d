"""Least privilege on a PostgreSQL team server.

The database's owner runs the migrations (``legwork init``); the reps' Legwork
connects as an app role that reads and writes rows but cannot create, alter or
drop a table. ``grant_app_role`` gives that role exactly what the app uses, now
and for the tables later migrations add (default privileges of the owner).
"""

from __future__ import annotations

import re

from sqlalchemy import text

from store.db import Database
from store.errors import InvalidInput

# A role name Legwork will put in SQL: the unquoted identifiers PostgreSQL folds
# to themselves, so what the administrator typed is what the server has.
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_role_name(role: str) -> str:
    if not _ROLE.match(role or ""):
        raise InvalidInput(
            f"role {role!r} must be lower-case letters, digits and '_' (at most 63), starting with a letter"
        )
    return role


def grant_app_role(database: Database, role: str) -> list[str]:
    """Grant ``role`` row access to every Legwork table and nothing more; the
    statements run, in order, for the record. The role must exist already
    (``CREATE ROLE legwork_app LOGIN`` — its password is the administrator's
    business, never Legwork's command line)."""
    if database.is_sqlite:
        raise InvalidInput("roles are PostgreSQL's: a SQLite file is shared through file permissions")
    role = check_role_name(role)
    with database.engine.begin() as connection:
        if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar() is None:
            raise InvalidInput(f"PostgreSQL has no role {role!r}: CREATE ROLE {role} LOGIN first")
        owner = connection.execute(text("SELECT current_user")).scalar()
        if owner == role:
            raise InvalidInput(f"{role} is the role running the migrations: the app role must be another one")
        dbname = connection.execute(text("SELECT current_database()")).scalar()
        statements = [
            f'GRANT CONNECT ON DATABASE "{dbname}" TO {role}',
            f"GRANT USAGE ON SCHEMA public TO {role}",
            # Only the owner creates in the schema (PostgreSQL 15's default; older ones granted it to all).
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            # The schema version is the owner's to move.
            f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
            # Imports reserve ids (nextval) and the demo builder resets them (setval).
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        ]
        for statement in statements:
            connection.execute(text(statement))
    return statements
