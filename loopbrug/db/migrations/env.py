"""Alembic's entry point for the helpline's own tables (run through loopbrug/db/migrate.py).

The connection is always handed in by ``migrate.py`` (``config.attributes["connection"]``), so
migrations run on the same engine settings as the product and never read alembic.ini or the
environment themselves.
"""

from alembic import context

from loopbrug.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata(),
    # SQLite cannot alter a column in place: batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
