"""Order free-text search by index: SQLite FTS5 trigram table with triggers, PostgreSQL GIN over
character bigrams; an index on orders.caller_name

Revision ID: c4d8e2a1f7b3
Revises: b9f23e207d0b
Create Date: 2026-11-25 05:00:00

"""
from alembic import op

from portal.search.index import DOWNGRADE, UPGRADE

revision = 'c4d8e2a1f7b3'
down_revision = 'b9f23e207d0b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_caller_name'), ['caller_name'], unique=False)
    # The statements index the orders already there (SQLite: an INSERT ... SELECT; PostgreSQL: CREATE INDEX).
    for statement in UPGRADE.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DOWNGRADE.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_caller_name'))
