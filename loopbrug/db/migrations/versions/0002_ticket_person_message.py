"""Tickets remember when the person last wrote (the coach inbox's honest times, issue 19).

When a ticket was claimed and first answered is read from its events; the person's messages
live in Rasa's tracker, which the inbox's list cannot ask per ticket, so this one is stored.
A database made by ``create_all`` before migrations may already have the column.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE = "loopbrug_tickets"
COLUMN = "last_person_message_at"


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}
    if COLUMN in columns:
        return
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column(COLUMN, sa.DateTime(timezone=True), nullable=True))
    # Until now the ticket's creation is the last moment the person is known to have written.
    op.execute(sa.text(f"UPDATE {TABLE} SET {COLUMN} = created_at"))


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_column(COLUMN)
