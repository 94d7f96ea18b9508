"""Audit hash chains: seq, prev_hash and hash on every event table (existing events sealed in their
recorded order), roster_events, audit_checkpoints

Revision ID: a7e3c1f09b42
Revises: 02cd1d4bd90c
Create Date: 2026-11-25 04:10:00

"""
import sqlalchemy as sa
from alembic import op

from portal.audit.chain import GENESIS, seal

revision = 'a7e3c1f09b42'
down_revision = '02cd1d4bd90c'
branch_labels = None
depends_on = None

# table -> (the chain's key column, the sealed content columns with their types); as in the models.
CHAINS = {
    "consultation_events": ("consultation_id", {"at": sa.DateTime, "actor_id": sa.Integer, "action": sa.String,
                                                "from_state": sa.String, "to_state": sa.String, "note": sa.Text,
                                                "data": sa.JSON}),
    "ledger_events": ("entry_id", {"kind": sa.String, "at": sa.DateTime, "actor_id": sa.Integer, "note": sa.Text}),
    "order_events": ("order_id", {"at": sa.DateTime, "actor_id": sa.Integer, "action": sa.String,
                                  "from_state": sa.String, "to_state": sa.String, "note": sa.Text, "data": sa.JSON}),
    "standard_reply_events": ("reply_id", {"version_id": sa.Integer, "at": sa.DateTime, "actor_id": sa.Integer,
                                           "action": sa.String, "from_state": sa.String, "to_state": sa.String,
                                           "note": sa.Text}),
    "supervision_events": ("supervision_id", {"at": sa.DateTime, "actor_id": sa.Integer, "action": sa.String,
                                              "from_state": sa.String, "to_state": sa.String, "note": sa.Text}),
}


def _seal_existing(name: str, key: str, fields: dict) -> None:
    """Give the events already recorded their place in their chains, in the order they were recorded."""
    bind = op.get_bind()
    table = sa.table(name, sa.column("id", sa.Integer), sa.column(key, sa.Integer), sa.column("seq", sa.Integer),
                     sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
                     *[sa.column(field, kind) for field, kind in fields.items()])
    rows = bind.execute(sa.select(table).order_by(table.c[key], table.c.at, table.c.id)).mappings().all()
    updates, current, seq, prev = [], object(), 0, GENESIS
    for row in rows:
        if row[key] != current:
            current, seq, prev = row[key], 0, GENESIS
        seq += 1
        value = seal(name, current, seq, prev, {field: row[field] for field in fields})
        updates.append({"row_id": row["id"], "seq": seq, "prev_hash": prev, "hash": value})
        prev = value
    if updates:
        bind.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                     .values(seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash")),
                     updates)


def upgrade():
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('upto_id', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoints_table_name'), ['table_name'], unique=False)

    op.create_table('roster_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_roster_events_actor_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_roster_events_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roster_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_events')),
    sa.UniqueConstraint('unit_id', 'seq', name='uq_roster_events_chain_seq')
    )
    with op.batch_alter_table('roster_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_events_unit_id'), ['unit_id'], unique=False)

    for name, (key, fields) in CHAINS.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        _seal_existing(name, key, fields)
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
            batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
            batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
            batch_op.create_unique_constraint(f'uq_{name}_chain_seq', [key, 'seq'])


def downgrade():
    for name in CHAINS:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{name}_chain_seq', type_='unique')
            batch_op.drop_column('hash')
            batch_op.drop_column('prev_hash')
            batch_op.drop_column('seq')
    with op.batch_alter_table('roster_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_events_unit_id'))
    op.drop_table('roster_events')
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoints_table_name'))
    op.drop_table('audit_checkpoints')
