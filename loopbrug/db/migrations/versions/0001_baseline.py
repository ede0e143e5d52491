"""The helpline's own tables as they were when migrations began (2026-12).

Databases made before then got their tables from ``create_all``, each process creating the
ones it used, so an older database may have some of these tables and not others: each table
is created only when it is missing. Later changes are migrations of their own.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "loopbrug_coaches" not in existing:
        op.create_table(
            "loopbrug_coaches",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sa.String(length=80), nullable=False),
            sa.Column("first_name", sa.String(length=80), nullable=False),
            sa.Column("teams", sa.String(length=400), nullable=False),
            sa.Column("password_hash", sa.String(length=200), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("failed_logins", sa.Integer(), nullable=False),
            sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("username"),
        )

    if "loopbrug_login_throttle" not in existing:
        op.create_table(
            "loopbrug_login_throttle",
            sa.Column("key", sa.String(length=120), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
            sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("key"),
        )

    if "loopbrug_money_checks" not in existing:
        op.create_table(
            "loopbrug_money_checks",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("person", sa.String(length=64), nullable=False),
            sa.Column("outcome", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("loopbrug_money_checks", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_loopbrug_money_checks_person"), ["person"], unique=False
            )

    if "loopbrug_profile_downloads" not in existing:
        op.create_table(
            "loopbrug_profile_downloads",
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("person", sa.String(length=64), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("token_hash"),
        )
        with op.batch_alter_table("loopbrug_profile_downloads", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_loopbrug_profile_downloads_expires_at"), ["expires_at"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_loopbrug_profile_downloads_person"), ["person"], unique=False
            )

    if "loopbrug_profiles" not in existing:
        op.create_table(
            "loopbrug_profiles",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("person", sa.String(length=64), nullable=False),
            sa.Column("answers", sa.Text(), nullable=False),
            sa.Column("profile", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("loopbrug_profiles", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_loopbrug_profiles_person"), ["person"], unique=True
            )

    if "loopbrug_relay" not in existing:
        op.create_table(
            "loopbrug_relay",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("person", sa.String(length=64), nullable=False),
            sa.Column("sender", sa.String(length=16), nullable=False),
            sa.Column("name", sa.String(length=80), nullable=True),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("loopbrug_relay", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_loopbrug_relay_person"), ["person"], unique=False)

    if "loopbrug_coach_sessions" not in existing:
        op.create_table(
            "loopbrug_coach_sessions",
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("coach_id", sa.Integer(), nullable=False),
            sa.Column("csrf_token", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["coach_id"],
                ["loopbrug_coaches.id"],
            ),
            sa.PrimaryKeyConstraint("token_hash"),
        )

    if "loopbrug_tickets" not in existing:
        op.create_table(
            "loopbrug_tickets",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("ref", sa.String(length=16), nullable=False),
            sa.Column("person", sa.String(length=64), nullable=False),
            sa.Column("open_key", sa.String(length=64), nullable=True),
            sa.Column("conversation_id", sa.String(length=160), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("live", sa.Boolean(), nullable=False),
            sa.Column("team", sa.String(length=64), nullable=False),
            sa.Column("topic", sa.String(length=32), nullable=False),
            sa.Column("urgency", sa.Integer(), nullable=False),
            sa.Column("region", sa.String(length=120), nullable=True),
            sa.Column("gemeente", sa.String(length=120), nullable=True),
            sa.Column("summary", sa.Text(), nullable=False),
            sa.Column("contact_channel", sa.String(length=16), nullable=False),
            sa.Column("contact_detail", sa.String(length=200), nullable=True),
            sa.Column("contact_time", sa.String(length=32), nullable=True),
            sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("consent_version", sa.String(length=32), nullable=False),
            sa.Column("coach_id", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("outcome", sa.String(length=32), nullable=True),
            sa.Column("followup_due_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("followup_sent_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("followup_answer", sa.String(length=16), nullable=True),
            sa.ForeignKeyConstraint(
                ["coach_id"],
                ["loopbrug_coaches.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("open_key"),
            sa.UniqueConstraint("ref"),
        )
        with op.batch_alter_table("loopbrug_tickets", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_loopbrug_tickets_followup_due_at"), ["followup_due_at"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_loopbrug_tickets_person"), ["person"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_loopbrug_tickets_status"), ["status"], unique=False
            )
            batch_op.create_index(batch_op.f("ix_loopbrug_tickets_team"), ["team"], unique=False)

    if "loopbrug_ticket_events" not in existing:
        op.create_table(
            "loopbrug_ticket_events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("ticket_id", sa.Integer(), nullable=False),
            sa.Column("coach_id", sa.Integer(), nullable=True),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("text", sa.Text(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["coach_id"],
                ["loopbrug_coaches.id"],
            ),
            sa.ForeignKeyConstraint(
                ["ticket_id"],
                ["loopbrug_tickets.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("loopbrug_ticket_events", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_loopbrug_ticket_events_ticket_id"), ["ticket_id"], unique=False
            )
    if "loopbrug_web_sessions" not in existing:
        op.create_table(
            "loopbrug_web_sessions",
            sa.Column("key_hash", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("key_hash"),
        )


def downgrade() -> None:
    # Children before parents (foreign keys).
    for table in (
        "loopbrug_web_sessions",
        "loopbrug_ticket_events",
        "loopbrug_tickets",
        "loopbrug_coach_sessions",
        "loopbrug_relay",
        "loopbrug_profiles",
        "loopbrug_profile_downloads",
        "loopbrug_money_checks",
        "loopbrug_login_throttle",
        "loopbrug_coaches",
    ):
        op.drop_table(table)
