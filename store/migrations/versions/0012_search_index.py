"""The search index: the words every deal, account, contact, note and activity is found by,
kept by triggers so that every write — the ORM's, the importer's executemany and COPY,
the demo builder's — keeps it current (store.search_index says how, per backend).

Filled here from the rows there are: on a big database this takes a while, once.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 04:00:00
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from store import search_index

    search_index.create(op.get_bind())


def downgrade() -> None:
    from store import search_index

    search_index.drop(op.get_bind())
