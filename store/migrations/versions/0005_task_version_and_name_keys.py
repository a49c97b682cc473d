"""Tasks carry a version (and who changed them last), so two reps cannot both
complete or move one task; accounts and contacts carry the key their names are
matched by, the same on every backend.

The keys are computed by store.names.name_key, the function the store uses from
now on, in batches: SQL cannot compute them (SQLite's lower() folds ASCII only).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 22:30:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_task_updated_by_id_rep', 'rep', ['updated_by_id'], ['id'])

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    _fill_keys('account')
    _fill_keys('contact')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_name_key'), ['name_key'], unique=False)
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_account_name_key', ['account_id', 'name_key'], unique=False)


def _fill_keys(table: str) -> None:
    from store.names import name_key

    connection = op.get_bind()
    rows = sa.table(table, sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('name_key', sa.String))
    update = rows.update().where(rows.c.id == sa.bindparam('row_id')).values(name_key=sa.bindparam('key'))
    last = 0
    while True:
        batch = connection.execute(
            sa.select(rows.c.id, rows.c.name).where(rows.c.id > last).order_by(rows.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        connection.execute(update, [{'row_id': row_id, 'key': name_key(name)} for row_id, name in batch])
        last = batch[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_account_name_key')
        batch_op.drop_column('name_key')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_name_key'))
        batch_op.drop_column('name_key')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint('fk_task_updated_by_id_rep', type_='foreignkey')
        batch_op.drop_column('updated_by_id')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('version')
