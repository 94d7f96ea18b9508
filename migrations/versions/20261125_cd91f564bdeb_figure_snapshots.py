"""Kept figures: the dashboard's and the monthly rankings' counted facts, refreshed by the
figures_refresh job (portal/figures)

Revision ID: cd91f564bdeb
Revises: c4d8e2a1f7b3
Create Date: 2026-11-25 08:11:40.403515

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cd91f564bdeb'
down_revision = 'c4d8e2a1f7b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('figure_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figure_snapshots')),
    sa.UniqueConstraint('kind', 'key', name='uq_figure_snapshots_kind_key')
    )


def downgrade():
    op.drop_table('figure_snapshots')
