"""order_units.order_open: the parts of orders in a dispatched or accepted state, for a unit's 协办 tab
(ix_order_units_unit_open); marked on existing rows from their order's state

Revision ID: be00185402c7
Revises: cd91f564bdeb
Create Date: 2026-11-25 10:04:29.827918

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'be00185402c7'
down_revision = 'cd91f564bdeb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_open', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE order_units SET order_open = true WHERE order_id IN "
               "(SELECT id FROM orders WHERE state IN ('dispatched', 'accepted'))")
    with op.batch_alter_table('order_units', schema=None) as batch_op:
        batch_op.create_index('ix_order_units_unit_open', ['unit_id', 'order_open', 'part', 'active', 'order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('order_units', schema=None) as batch_op:
        batch_op.drop_index('ix_order_units_unit_open')
        batch_op.drop_column('order_open')
