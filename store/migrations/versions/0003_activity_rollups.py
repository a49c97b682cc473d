"""Activity rollups: activities per day, rep, type and milestone; when each deal reached each milestone;
and an index of the deals alive in a period by milestone.

Both tables are derived from the activity table, so the upgrade fills them with
store.rollups, the code that keeps them from now on.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activity_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('milestone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rep_id'], ['rep.id'], ),
    sa.PrimaryKeyConstraint('day', 'rep_id', 'type', 'milestone')
    )
    with op.batch_alter_table('activity_day', schema=None) as batch_op:
        batch_op.create_index('ix_activity_day_cover', ['day', 'rep_id', 'type', 'milestone', 'n'], unique=False)

    op.create_table('deal_milestone',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('milestone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reached_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.PrimaryKeyConstraint('deal_id', 'milestone')
    )
    with op.batch_alter_table('deal_milestone', schema=None) as batch_op:
        batch_op.create_index('ix_deal_milestone_reached', ['reached_at', 'deal_id'], unique=False)

    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.create_index('ix_deal_alive', ['closed_at', 'pipeline', 'milestone', 'created_at', 'owner_id'], unique=False)

    from store import rollups

    with sqlmodel.Session(bind=op.get_bind()) as session:
        rollups.rebuild(session)
        session.flush()


def downgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_alive')
    op.execute("DELETE FROM setting WHERE key = 'activity_day_tz'")
    with op.batch_alter_table('deal_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_milestone_reached')
    op.drop_table('deal_milestone')
    with op.batch_alter_table('activity_day', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_day_cover')
    op.drop_table('activity_day')
