"""Alembic environment: migrations always run on the engine Legwork opened."""

from alembic import context
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from store.search_index import include_name

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
        include_name=include_name,  # the search index's tables live outside the models
    )
    with context.begin_transaction():
        context.run_migrations()
