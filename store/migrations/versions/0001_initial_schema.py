"""Initial schema, with the default stages and lost reasons a team starts from.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 10:33:54.879250
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# Migrations are frozen history: these are the defaults as of this revision.
DEFAULT_STAGES = {
    # name, kind, win probability %, rot threshold in days
    "lead": [
        ("New", "open", 0, 3),
        ("Attempting", "open", 0, 7),
        ("Connected", "open", 0, 14),
        ("Nurturing", "open", 0, 30),
        ("Disqualified", "lost", 0, 0),
    ],
    "opportunity": [
        ("Qualified", "open", 10, 14),
        ("Needs analysis", "open", 30, 21),
        ("Proposal", "open", 60, 14),
        ("Negotiation", "open", 80, 10),
        ("Won", "won", 100, 0),
        ("Lost", "lost", 0, 0),
    ],
}
DEFAULT_LOST_REASONS = {
    "lead": ["Not a fit", "No budget", "Unreachable", "Duplicate", "Wrong contact"],
    "opportunity": ["Lost to competitor", "No budget", "No decision", "Timing", "Price", "Went dark"],
}


def upgrade() -> None:
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_name'), ['name'], unique=False)

    op.create_table('lostreason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pipeline', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pipeline', 'label')
    )
    op.create_table('rep',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('working_days', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rep', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rep_handle'), ['handle'], unique=True)

    op.create_table('setting',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pipeline', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('rot_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pipeline', 'name')
    )
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('job_title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_account_id'), ['account_id'], unique=False)

    op.create_table('deal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pipeline', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('territory', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('product', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('stage_entered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('converted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('lost_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('last_activity_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('milestone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['rep.id'], ),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['rep.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_deal_board', ['pipeline', 'stage_id', 'owner_id', 'value', 'expected_close'], unique=False)
        batch_op.create_index('ix_deal_stage_closed', ['stage_id', 'closed_at', 'value'], unique=False)
        batch_op.create_index('ix_deal_converted', ['converted_at'], unique=False)
        batch_op.create_index('ix_deal_closed', ['closed_at'], unique=False)
        batch_op.create_index('ix_deal_created', ['created_at'], unique=False)
        batch_op.create_index('ix_deal_owner_pipeline', ['owner_id', 'pipeline'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('milestone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('occurred_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.ForeignKeyConstraint(['rep_id'], ['rep.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_deal_when', ['deal_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_activity_rep_when', ['rep_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_activity_when', ['occurred_at'], unique=False)

    op.create_table('deal_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('undoes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.ForeignKeyConstraint(['rep_id'], ['rep.id'], ),
    sa.ForeignKeyConstraint(['undoes_id'], ['deal_event.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deal_event', schema=None) as batch_op:
        batch_op.create_index('ix_event_deal_when', ['deal_id', 'at'], unique=False)
        batch_op.create_index('ix_event_kind_when', ['kind', 'at'], unique=False)
        batch_op.create_index('ix_event_rep_deal', ['rep_id', 'deal_id', 'id'], unique=False)

    op.create_table('note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.ForeignKeyConstraint(['rep_id'], ['rep.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index('ix_note_deal_when', ['deal_id', 'created_at'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['rep.id'], ),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['rep.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_deal_open_due', ['deal_id', 'done_at', 'due'], unique=False)
        batch_op.create_index('ix_task_owner_open_due', ['owner_id', 'done_at', 'due'], unique=False)


    stage = sa.table(
        "stage",
        sa.column("pipeline", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("probability", sa.Integer),
        sa.column("rot_days", sa.Integer),
    )
    op.bulk_insert(
        stage,
        [
            dict(pipeline=p, name=n, position=i, kind=k, probability=pr, rot_days=rot)
            for p, stages in DEFAULT_STAGES.items()
            for i, (n, k, pr, rot) in enumerate(stages)
        ],
    )
    reason = sa.table(
        "lostreason",
        sa.column("pipeline", sa.String),
        sa.column("label", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        reason,
        [
            dict(pipeline=p, label=label, position=i)
            for p, labels in DEFAULT_LOST_REASONS.items()
            for i, label in enumerate(labels)
        ],
    )
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(setting, [dict(key="currency", value="USD"), dict(key="timezone", value="UTC")])


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_owner_open_due')
        batch_op.drop_index('ix_task_deal_open_due')

    op.drop_table('task')
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index('ix_note_deal_when')

    op.drop_table('note')
    with op.batch_alter_table('deal_event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_rep_deal')
        batch_op.drop_index('ix_event_kind_when')
        batch_op.drop_index('ix_event_deal_when')

    op.drop_table('deal_event')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_when')
        batch_op.drop_index('ix_activity_rep_when')
        batch_op.drop_index('ix_activity_deal_when')

    op.drop_table('activity')
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_owner_pipeline')
        batch_op.drop_index('ix_deal_created')
        batch_op.drop_index('ix_deal_closed')
        batch_op.drop_index('ix_deal_converted')
        batch_op.drop_index('ix_deal_stage_closed')
        batch_op.drop_index('ix_deal_board')
        batch_op.drop_index(batch_op.f('ix_deal_account_id'))

    op.drop_table('deal')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_account_id'))

    op.drop_table('contact')
    op.drop_table('stage')
    op.drop_table('setting')
    with op.batch_alter_table('rep', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rep_handle'))

    op.drop_table('rep')
    op.drop_table('lostreason')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_name'))

    op.drop_table('account')
