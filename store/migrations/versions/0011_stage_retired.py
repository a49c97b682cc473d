"""A stage can be retired: it leaves the boards, pickers and imports, while the deal
events that name it still read. Its deals are moved to another stage first
(store.stages.retire_stage), so a retired stage holds none.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-04 04:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a default: no batch copy of a table deals point at.
    op.add_column('stage', sa.Column('retired', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot drop a column without copying the table every deal points at:
        # the column stays, and the stages it retired come back.
        op.execute('UPDATE stage SET retired = 0')
    else:
        op.drop_column('stage', 'retired')
