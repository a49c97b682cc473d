"""A deal can have several contacts: the ``deal_contact`` link table.

``deal.contact_id`` stays the deal's primary contact (every screen and export
reads it); the link table holds every contact on the deal, the primary among
them. Existing primaries are copied in, so each deal starts with the contact it had.
Contacts get an index on their name key: the contacts list pages in that order.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 04:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'deal_contact',
        sa.Column('deal_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['deal_id'], ['deal.id']),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id']),
        sa.PrimaryKeyConstraint('deal_id', 'contact_id'),
    )
    op.create_index('ix_deal_contact_contact', 'deal_contact', ['contact_id', 'deal_id'], unique=False)
    op.create_index('ix_contact_name_key', 'contact', ['name_key', 'id'], unique=False)
    op.execute(
        "INSERT INTO deal_contact (deal_id, contact_id, added_at) "
        "SELECT id, contact_id, created_at FROM deal WHERE contact_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index('ix_contact_name_key', table_name='contact')
    op.drop_index('ix_deal_contact_contact', table_name='deal_contact')
    op.drop_table('deal_contact')
