"""Erasure on request and retention: what the helpline keeps, and for how long.

``erase_person``: everything about one person in our own tables — profile, money-check
outcomes, relay messages, and tickets (a coach-facing tombstone keeps only that a ticket
existed and was erased). The conversation itself (Rasa's tracker events) is erased by the
tracker store when the turn with ``action_delete_data`` is saved (bot/tracker_store.py).

``sweep``: the retention job. A conversation whose last message is older than
``LOOPBRUG_CONVERSATION_RETENTION_DAYS`` is deleted with the person's profile, money checks,
relay messages and web session; a conversation with an open ticket is active and stays.
Closed tickets go ``LOOPBRUG_TICKET_RETENTION_DAYS`` after closing (handoff/store.py).

    python -m actions.erasure            # run the retention sweep once, print counts
    python -m actions.erasure --dry-run  # only count

The web server runs the sweep every hour (handoff/followup.py); the command is for operators
and cron. Rasa's SQL tracker store keeps events in the table ``events``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Dict, List, Optional

from sqlalchemy import delete, inspect, select, text, update

from handoff import store, throttle
from loopbrug.db import MoneyCheckRecord, ProfileRecord, get_engine, person_key
from loopbrug.settings import load_settings

ERASED = "gewist"
TRACKER_TABLE = "events"  # Rasa's SQLTrackerStore


def erase_person(sender_id: str, url: Optional[str] = None) -> Dict[str, int]:
    """Delete what our tables hold about ``sender_id``; returns counts per kind."""
    person = person_key(sender_id)
    counts: Dict[str, int] = {}
    with store.factory(url).begin() as session:
        counts["profiles"] = session.execute(
            delete(ProfileRecord).where(ProfileRecord.person == person)
        ).rowcount
        counts["money_checks"] = session.execute(
            delete(MoneyCheckRecord).where(MoneyCheckRecord.person == person)
        ).rowcount
        counts["relay"] = session.execute(
            delete(store.RelayRecord).where(store.RelayRecord.person == person)
        ).rowcount
        tickets = (
            session.execute(
                select(store.TicketRecord.id).where(store.TicketRecord.person == person)
            )
            .scalars()
            .all()
        )
        if tickets:
            session.execute(
                delete(store.TicketEventRecord).where(
                    store.TicketEventRecord.ticket_id.in_(tickets)
                )
            )
            now = store.utcnow()
            session.execute(
                update(store.TicketRecord)
                .where(store.TicketRecord.id.in_(tickets))
                .values(
                    person=ERASED,
                    open_key=None,
                    conversation_id=ERASED,
                    status=store.CLOSED,
                    live=False,
                    region=None,
                    gemeente=None,
                    summary=json.dumps({}),
                    contact_channel=ERASED,
                    contact_detail=None,
                    contact_time=None,
                    outcome=ERASED,
                    closed_at=now,
                    updated_at=now,
                    followup_due_at=None,
                    followup_answer=None,
                )
            )
            for ticket_id in tickets:
                session.add(
                    store.TicketEventRecord(
                        ticket_id=ticket_id, kind="erased", text="Gewist op verzoek"
                    )
                )
        counts["tickets"] = len(tickets)
    return counts


@dataclass
class SweepResult:
    conversations: int = 0
    kept_active: int = 0
    tickets: int = 0
    erased: Dict[str, int] = field(default_factory=dict)

    def add(self, counts: Dict[str, int]) -> None:
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
    if not sender_id.startswith("web-"):
        return None
    return hashlib.sha256(sender_id[len("web-") :].encode("ascii", "ignore")).hexdigest()


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
            if session_hash and inspect(connection).has_table("loopbrug_web_sessions"):
                connection.execute(
                    text("DELETE FROM loopbrug_web_sessions WHERE key_hash = :hash"),
                    {"hash": session_hash},
                )
        person = person_key(sender_id)
        with store.factory(url).begin() as session:
            result.add(
                {
                    "profiles": session.execute(
                        delete(ProfileRecord).where(ProfileRecord.person == person)
                    ).rowcount,
                    "money_checks": session.execute(
                        delete(MoneyCheckRecord).where(MoneyCheckRecord.person == person)
                    ).rowcount,
                    "relay": session.execute(
                        delete(store.RelayRecord).where(store.RelayRecord.person == person)
                    ).rowcount,
                }
            )
    if not dry_run:
        result.tickets = store.purge_closed(now - timedelta(days=ticket_days), url)
        result.add({"unused_web_sessions": purge_unused_web_sessions(now - UNUSED_SESSION, url)})
        result.add({"login_counters": throttle.purge(now - LOGIN_COUNTERS, url)})
    return result


# A widget session nobody ever wrote in is only a random id; it goes after a day. Login
# counters (handoff/throttle.py) are kept a day after their window and lock ended.
UNUSED_SESSION = timedelta(days=1)
LOGIN_COUNTERS = timedelta(days=1)


def purge_unused_web_sessions(before: datetime, url: Optional[str] = None) -> int:
    """Delete widget sessions issued before ``before`` that never reached a conversation."""
    engine = get_engine(url)
    inspector = inspect(engine)
    if not inspector.has_table("loopbrug_web_sessions"):
        return 0
    used = set()
    if inspector.has_table(TRACKER_TABLE):
        with engine.connect() as connection:
            senders = connection.execute(
                text(f"SELECT DISTINCT sender_id FROM {TRACKER_TABLE} WHERE sender_id LIKE 'web-%'")
            )
            used = {_web_session_hash(row[0]) for row in senders}
    with engine.begin() as connection:
        old = connection.execute(
            text("SELECT key_hash FROM loopbrug_web_sessions WHERE created_at < :before"),
            {"before": before},
        )
        unused = [row[0] for row in old if row[0] not in used]
        for key in unused:
            connection.execute(
                text("DELETE FROM loopbrug_web_sessions WHERE key_hash = :hash"), {"hash": key}
            )
    return len(unused)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.erasure", description=__doc__)
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
