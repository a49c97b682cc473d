"""Goals per rep and period kind, and the indexes the numbers screen reads through.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('metric', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('target', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['rep_id'], ['rep.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['rep.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rep_id', 'period_kind', 'metric')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        # Team numbers: GROUP BY rep, type, milestone over a time range, read from the index alone
        # (and the activity pipeline's milestones per deal since a moment).
        batch_op.create_index('ix_activity_when_rep_type', ['occurred_at', 'rep_id', 'type', 'milestone', 'deal_id'], unique=False)
        # The activity pipeline: the furthest milestone a deal had reached before a moment.
        batch_op.create_index('ix_activity_deal_when_milestone', ['deal_id', 'occurred_at', 'milestone'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_deal_when_milestone')
        batch_op.drop_index('ix_activity_when_rep_type')
    op.drop_table('goal')
