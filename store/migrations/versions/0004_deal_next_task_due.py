"""A deal's next task due day, kept on the deal, and the index a board column sorts by.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_task_due', sa.Date(), nullable=True))
    op.execute(
        "UPDATE deal SET next_task_due = "
        "(SELECT min(task.due) FROM task WHERE task.deal_id = deal.id AND task.done_at IS NULL)"
    )
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.create_index(
            'ix_deal_column',
            ['pipeline', 'stage_id', 'next_task_due', 'expected_close', 'last_activity_at', 'created_at', 'owner_id',
             'value', 'milestone'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_column')
        batch_op.drop_column('next_task_due')
