"""Tickets keep the person's answer to "Heeft de coach je geholpen?" (issue 19).

``loopbrug_tickets.satisfaction_asked_at``: when the bot asked, after the coach closed the
ticket with contact (loopbrug/handoff/service.py ``close``); ``satisfaction``: ``ja`` or
``nee``; ``satisfaction_at``: when the person answered. The team reads them on the ticket.

``loopbrug_tickets.search_text``: what the inbox's search matches (reference, place, region
and the summary's values, case-folded; loopbrug/handoff/store.py ``searchable``), filled here
for the tickets that exist.

``loopbrug_relay.buttons``: the quick replies of a bot message the widget fetches from the
relay log (the question comes with "Ja" and "Nee"; so does the follow-up question), as JSON.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (
    ("satisfaction_asked_at", sa.DateTime(timezone=True)),
    ("satisfaction", sa.String(16)),
    ("satisfaction_at", sa.DateTime(timezone=True)),
    ("search_text", sa.Text()),
)


RELAY_COLUMNS = (("buttons", sa.Text()),)


def add_missing(table: str, columns) -> None:
    # A database made by create_all before migrations existed may have the columns already.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    missing = [(name, kind) for name, kind in columns if name not in present]
    if not missing:
        return
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, kind in missing:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def searchable(ref, gemeente, region, summary) -> str:
    # A copy of store.searchable as it was at this revision: a migration must not change
    # when the product's code does later.
    parts = [ref, gemeente or "", region or ""]

    def values(item) -> None:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                values(value)
        elif isinstance(item, (list, tuple)):
            for value in item:
                values(value)

    values(summary)
    return "\n".join(part for part in parts if part).casefold()


def upgrade() -> None:
    add_missing("loopbrug_tickets", COLUMNS)
    add_missing("loopbrug_relay", RELAY_COLUMNS)
    tickets = sa.table(
        "loopbrug_tickets",
        sa.column("id", sa.Integer),
        sa.column("ref", sa.String),
        sa.column("gemeente", sa.String),
        sa.column("region", sa.String),
        sa.column("summary", sa.Text),
        sa.column("search_text", sa.Text),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            tickets.c.id, tickets.c.ref, tickets.c.gemeente, tickets.c.region, tickets.c.summary
        ).where(tickets.c.search_text.is_(None))
    ).all()
    for row in rows:
        try:
            summary = json.loads(row.summary or "{}")
        except ValueError:
            summary = {}
        bind.execute(
            sa.update(tickets)
            .where(tickets.c.id == row.id)
            .values(search_text=searchable(row.ref, row.gemeente, row.region, summary))
        )


def downgrade() -> None:
    with op.batch_alter_table("loopbrug_relay", schema=None) as batch_op:
        batch_op.drop_column("buttons")
    with op.batch_alter_table("loopbrug_tickets", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
