"""Schema migrations of the helpline's own tables (Alembic), run at start-up or by command.

``upgrade(engine)`` brings a database to the newest revision: an empty one gets every table,
an older one the changes it misses. A database made before migrations existed (its tables
made by ``create_all``, no ``alembic_version``) starts at the first revision, which creates
only the tables it lacks (versions/0001_baseline.py). Rasa's own tables (the tracker store's
events) are not ours to migrate.

Several processes may start at once on one database (``make run`` starts the web server and
the action server together), so an upgrade holds a lock: an advisory lock on PostgreSQL, a
lock file beside an SQLite file.

    python -m loopbrug.db upgrade      # the database of DATABASE_URL to the newest revision
    python -m loopbrug.db current      # which revision it is at
    python -m loopbrug.db revision -m "what changes"   # a new migration from the models
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
from pathlib import Path
from typing import Iterator, Optional

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed number: the PostgreSQL advisory lock that serialises upgrades ("loop" in hex).
ADVISORY_LOCK = 0x6C6F6F70

_THREAD_LOCK = threading.Lock()


def config(connection: Optional[Connection] = None) -> Config:
    """Alembic's configuration, built here instead of an alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision in loopbrug/db/migrations/versions."""
    return ScriptDirectory.from_config(config()).get_current_head()


def current(engine: Engine) -> Optional[str]:
    """The revision the database is at (None: no migrations have run on it)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database of ``engine`` to the newest revision (idempotent)."""
    with _THREAD_LOCK, _process_lock(engine), engine.begin() as connection:
        command.upgrade(config(connection), "head")


@contextlib.contextmanager
def _process_lock(engine: Engine) -> Iterator[None]:
    """One upgrade at a time per database, across processes."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK})
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield  # one process owns an in-memory database
        return
    with open(f"{database}.migrate-lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def revision(engine: Engine, message: str) -> None:
    """Write a new migration: the difference between the models and an up-to-date database."""
    upgrade(engine)
    with engine.begin() as connection:
        command.revision(config(connection), message=message, autogenerate=True)
