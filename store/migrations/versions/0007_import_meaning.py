"""Imported deals keep their meaning: a deal may carry its own win probability
(from the CRM it came from, until its stage next changes), and a deal whose
creation date the file did not give is marked so, instead of dated "now". A partial
index holds only the deals with their own probability, so boards weigh them cheaply.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 04:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of the deal table, which its events reference).
    op.add_column('deal', sa.Column('probability', sa.Integer(), nullable=True))
    op.add_column('deal', sa.Column('created_known', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_index(
        'ix_deal_own_probability', 'deal',
        ['pipeline', 'stage_id', 'probability', 'value', 'expected_close', 'owner_id'], unique=False,
        sqlite_where=sa.text('probability IS NOT NULL'), postgresql_where=sa.text('probability IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_deal_own_probability', table_name='deal')
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_column('created_known')
        batch_op.drop_column('probability')
