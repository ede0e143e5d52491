"""Retention: what the helpline keeps, and for how long.

``sweep``: a conversation whose last message is older than
``LOOPBRUG_CONVERSATION_RETENTION_DAYS`` is deleted with the person's profile, money checks,
relay messages and web session; a conversation with an open ticket is active and stays.
Closed tickets go ``LOOPBRUG_TICKET_RETENTION_DAYS`` after closing (store.purge_closed), and
so do widget sessions nobody wrote in and old login counters.

    python -m loopbrug.privacy.retention            # run the sweep once, print counts
    python -m loopbrug.privacy.retention --dry-run  # only count

The web server runs the sweep every hour (loopbrug/handoff/followup.py); the command is for
operators and cron. Rasa's SQL tracker store keeps events in the table ``events``; the web
widget's sessions are in ``loopbrug_web_sessions`` (web/sessions.py).
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Dict, List, Optional

from sqlalchemy import inspect, text

from loopbrug.conversation import web_senders_like, web_session_of
from loopbrug.db import get_engine, person_key
from loopbrug.handoff import store, throttle
from loopbrug.privacy.erasure import delete_own_rows
from loopbrug.settings import load_settings

TRACKER_TABLE = "events"  # Rasa's SQLTrackerStore
WEB_SESSIONS_TABLE = "loopbrug_web_sessions"  # web/sessions.py
# A widget session nobody ever wrote in is only a random id; it goes after a day. Login
# counters (loopbrug/handoff/throttle.py) are kept a day after their window and lock ended.
UNUSED_SESSION = timedelta(days=1)
LOGIN_COUNTERS = timedelta(days=1)


@dataclass
class SweepResult:
    """What one sweep deleted (or, in a dry run, would delete)."""

    conversations: int = 0
    kept_active: int = 0
    tickets: int = 0
    erased: Dict[str, int] = field(default_factory=dict)

    def add(self, counts: Dict[str, int]) -> None:
        """Add counts per kind of row."""
        for kind, count in counts.items():
            self.erased[kind] = self.erased.get(kind, 0) + count


def expired_conversations(cutoff: datetime, url: Optional[str] = None) -> List[str]:
    """Sender ids whose latest tracker event is older than ``cutoff``."""
    engine = get_engine(url)
    if not inspect(engine).has_table(TRACKER_TABLE):
        return []
    query = text(
        f"SELECT sender_id FROM {TRACKER_TABLE} GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"
    )
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(query, {"cutoff": cutoff.timestamp()})]


def _web_session_hash(sender_id: str) -> Optional[str]:
    """The stored hash of a widget conversation's session id (as web/sessions.py keeps it)."""
    session_id = web_session_of(sender_id)
    if session_id is None:
        return None
    return hashlib.sha256(session_id.encode("ascii", "ignore")).hexdigest()


def sweep(
    now: datetime,
    conversation_days: int,
    ticket_days: int,
    url: Optional[str] = None,
    dry_run: bool = False,
) -> SweepResult:
    """Delete what is past its retention time (see the module docstring)."""
    result = SweepResult()
    cutoff = now - timedelta(days=conversation_days)
    engine = get_engine(url)
    for sender_id in expired_conversations(cutoff, url):
        if store.open_ticket_for(sender_id, url) is not None:
            result.kept_active += 1  # a coach still works on it: the conversation is active
            continue
        result.conversations += 1
        if dry_run:
            continue
        with engine.begin() as connection:
            connection.execute(
                text(f"DELETE FROM {TRACKER_TABLE} WHERE sender_id = :sender"),
                {"sender": sender_id},
            )
            session_hash = _web_session_hash(sender_id)
            if session_hash and inspect(connection).has_table(WEB_SESSIONS_TABLE):
                connection.execute(
                    text(f"DELETE FROM {WEB_SESSIONS_TABLE} WHERE key_hash = :hash"),
                    {"hash": session_hash},
                )
        with store.factory(url).begin() as session:
            result.add(delete_own_rows(session, person_key(sender_id)))
    if not dry_run:
        result.tickets = store.purge_closed(now - timedelta(days=ticket_days), url)
        result.add({"unused_web_sessions": purge_unused_web_sessions(now - UNUSED_SESSION, url)})
        result.add({"login_counters": throttle.purge(now - LOGIN_COUNTERS, url)})
    return result


def purge_unused_web_sessions(before: datetime, url: Optional[str] = None) -> int:
    """Delete widget sessions issued before ``before`` that never reached a conversation."""
    engine = get_engine(url)
    inspector = inspect(engine)
    if not inspector.has_table(WEB_SESSIONS_TABLE):
        return 0
    used = set()
    if inspector.has_table(TRACKER_TABLE):
        with engine.connect() as connection:
            senders = connection.execute(
                text(f"SELECT DISTINCT sender_id FROM {TRACKER_TABLE} WHERE sender_id LIKE :web"),
                {"web": web_senders_like()},
            )
            used = {_web_session_hash(row[0]) for row in senders}
    with engine.begin() as connection:
        old = connection.execute(
            text(f"SELECT key_hash FROM {WEB_SESSIONS_TABLE} WHERE created_at < :before"),
            {"before": before},
        )
        unused = [row[0] for row in old if row[0] not in used]
        for key in unused:
            connection.execute(
                text(f"DELETE FROM {WEB_SESSIONS_TABLE} WHERE key_hash = :hash"), {"hash": key}
            )
    return len(unused)


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m loopbrug.privacy.retention [--dry-run]``: one sweep, counts printed."""
    parser = argparse.ArgumentParser(
        prog="python -m loopbrug.privacy.retention", description=__doc__
    )
    parser.add_argument("--dry-run", action="store_true", help="only count, delete nothing")
    args = parser.parse_args(argv)
    settings = load_settings()
    result = sweep(
        store.utcnow(),
        settings.conversation_retention_days,
        settings.ticket_retention_days,
        settings.database_url,
        dry_run=args.dry_run,
    )
    if args.dry_run:
        print(
            f"would delete {result.conversations} conversations older than "
            f"{settings.conversation_retention_days} days; "
            f"kept {result.kept_active} with an open ticket"
        )
    else:
        print(
            f"deleted {result.conversations} conversations older than "
            f"{settings.conversation_retention_days} days and {result.tickets} tickets closed "
            f"more than {settings.ticket_retention_days} days ago; kept {result.kept_active} "
            f"with an open ticket; other rows: {result.erased}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
