"""Tickets remember when their coach last did something with them (issue 19).

``loopbrug_tickets.coach_seen_at``: a live chat whose coach stays away longer than
LOOPBRUG_COACH_IDLE_MINUTES goes back to the bot (loopbrug/handoff/presence.py). Stored, so
the idle check survives a restart of the web server.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by create_all before migrations existed may have the column already.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("loopbrug_tickets")}
    if "coach_seen_at" in columns:
        return
    with op.batch_alter_table("loopbrug_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coach_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("loopbrug_tickets", schema=None) as batch_op:
        batch_op.drop_column("coach_seen_at")
