"""The unit's orders by state and deadline also hold handler, warning time and sent back: the inbox's
tab counts read the index alone (ix_orders_lead_state_due becomes ix_orders_lead_state_due_handler)

Revision ID: 2f24b014d529
Revises: be00185402c7
Create Date: 2026-11-25 10:21:39.658136

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2f24b014d529'
down_revision = 'be00185402c7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_lead_state_due'))
        batch_op.create_index('ix_orders_lead_state_due_handler', ['lead_unit_id', 'state', 'next_due_at', 'handler_id', 'warn_at', 'sent_back', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_lead_state_due_handler')
        batch_op.create_index(batch_op.f('ix_orders_lead_state_due'), ['lead_unit_id', 'state', 'next_due_at'], unique=False)

