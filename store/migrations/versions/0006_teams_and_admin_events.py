"""Teams (a rep belongs to one; a manager changes the team's deals) and the record
of team administration (who added a rep, renamed a stage, changed a setting).

Existing reps get no team: with the managers that have none, they form one
implicit team, so a database from before teams keeps working as it did.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 04:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'team',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('manager_id', sa.Integer(), nullable=True),
        sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['manager_id'], ['rep.id'], name='fk_team_manager_id_rep'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    # A plain ADD COLUMN, not a batch copy: on SQLite a copy of ``rep`` would have
    # to drop the table every other table points at.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE rep ADD COLUMN team_id INTEGER CONSTRAINT fk_rep_team_id_team REFERENCES team (id)')
    else:
        op.add_column('rep', sa.Column('team_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_rep_team_id_team', 'rep', 'team', ['team_id'], ['id'])
    op.create_index(op.f('ix_rep_team_id'), 'rep', ['team_id'], unique=False)
    op.create_table(
        'admin_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('rep_id', sa.Integer(), nullable=True),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['rep_id'], ['rep.id'], name='fk_admin_event_rep_id_rep'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_admin_event_when', 'admin_event', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_admin_event_when', table_name='admin_event')
    op.drop_table('admin_event')
    op.drop_index(op.f('ix_rep_team_id'), table_name='rep')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops a column that references another table only by copying the
        # table, and ``rep`` can be copied only while foreign keys are not enforced
        # (every other table points at it). The pragma works outside a transaction,
        # which is where a downgrade starts on SQLite; inside one the copy fails
        # loudly and nothing changes.
        op.execute('PRAGMA foreign_keys=OFF')
        with op.batch_alter_table('rep', recreate='always') as batch_op:
            batch_op.drop_column('team_id')
        op.execute('PRAGMA foreign_keys=ON')
    else:
        op.drop_constraint('fk_rep_team_id_team', 'rep', type_='foreignkey')
        op.drop_column('rep', 'team_id')
    op.drop_table('team')
