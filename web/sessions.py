"""Session ids for the web widget: issued by the server, unguessable, checked on every call.

A session id is ``secrets.token_urlsafe(24)`` (192 random bits). The widget keeps it in
localStorage and sends it with every call; Rasa knows the person as ``web-<session id>``.
Only the SHA-256 of an id is stored (table ``loopbrug_web_sessions`` in DATABASE_URL), so a
copy of the database does not give anyone a key to a conversation. An id the server did not
issue is refused, so nobody can pick a sender id of their own choosing.

SQLAlchemy 1.4 (pinned by Rasa 3.6) in 2.0 style (``future=True``). The database calls are
short and blocking; the API runs them in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional

from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import Engine, make_url

from loopbrug.db import migrate, web_sessions

SESSION_BYTES = 24
# token_urlsafe(24) gives 32 characters of the URL-safe base64 alphabet.
SESSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def key_hash(session_id: str) -> str:
    """What is stored of a session id: its SHA-256, hex."""
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


def looks_like_session(value: Any) -> bool:
    """True when ``value`` has the shape of an id we issue (says nothing about issuing)."""
    return isinstance(value, str) and SESSION_PATTERN.match(value) is not None


class SessionStore:
    """Issued session ids in the database; ``open()`` before use, ``close()`` after."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._engine: Optional[Engine] = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("SessionStore.open() was not called")
        return self._engine

    def open(self) -> None:
        """Connect, and bring the database to the newest schema revision."""
        url = make_url(self.database_url)
        kwargs: Dict[str, Any] = {"future": True, "pool_pre_ping": True}
        if url.get_backend_name() == "sqlite":
            # Calls run in worker threads; Rasa may hold the file's write lock for a moment.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
            if url.database and url.database != ":memory:":
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        self._engine = create_engine(url, **kwargs)
        migrate.upgrade(self._engine)

    def close(self) -> None:
        """Release every database connection."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def issue_sync(self) -> str:
        """A new session id, stored as issued."""
        session_id = secrets.token_urlsafe(SESSION_BYTES)
        with self.engine.begin() as connection:
            connection.execute(
                insert(web_sessions).values(
                    key_hash=key_hash(session_id), created_at=datetime.now(timezone.utc)
                )
            )
        return session_id

    def is_issued_sync(self, session_id: Any) -> bool:
        """True only for an id this server issued."""
        if not looks_like_session(session_id):
            return False
        with self.engine.connect() as connection:
            found = connection.execute(
                select(web_sessions.c.key_hash).where(
                    web_sessions.c.key_hash == key_hash(session_id)
                )
            ).first()
        return found is not None

    async def issue(self) -> str:
        return await asyncio.to_thread(self.issue_sync)

    async def is_issued(self, session_id: Any) -> bool:
        if not looks_like_session(session_id):
            return False  # no database call for what cannot be ours
        return await asyncio.to_thread(self.is_issued_sync, session_id)
