"""The helpline's own tables (profiles, money checks, tickets), beside Rasa's tracker store.

SQLAlchemy 1.4 (pinned by Rasa 3.6) written in 2.0 style: ``future=True`` engines,
``select()``, ``with Session.begin()``. The engine is built lazily from ``DATABASE_URL``
(loopbrug/settings.py), once per URL; the migrations run on first use. People are stored under a
pseudonymous key (an HMAC of their sender id), never under the id itself.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import threading
from datetime import datetime, timezone
from typing import Any, Dict, Optional

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base, sessionmaker

from loopbrug.db import migrate
from loopbrug.settings import load_settings

Base = declarative_base()

# Development default only; production sets LOOPBRUG_PSEUDONYM_KEY (see .env.example).
DEV_PSEUDONYM_KEY = "loopbrug-development-key"


def utcnow() -> datetime:
    """Timezone-aware now, so stored times compare correctly."""
    return datetime.now(timezone.utc)


class ProfileRecord(Base):
    """A finished self-assessment (Persoonlijk Profiel) of one person."""

    __tablename__ = "loopbrug_profiles"

    id = Column(Integer, primary_key=True)
    person = Column(String(64), nullable=False, unique=True, index=True)
    answers = Column(Text, nullable=False)  # JSON: question id -> answer
    profile = Column(Text, nullable=False)  # JSON: the scored profile
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class MoneyCheckRecord(Base):
    """The outcome of a money check: colour, ranges and rounded results, never amounts."""

    __tablename__ = "loopbrug_money_checks"

    id = Column(Integer, primary_key=True)
    person = Column(String(64), nullable=False, index=True)
    outcome = Column(Text, nullable=False)  # JSON from MoneyOutcome.storable()
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


# Session ids issued to the web widget, stored as SHA-256 only (web/sessions.py).
web_sessions = Table(
    "loopbrug_web_sessions",
    Base.metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def person_key(sender_id: str, key: Optional[str] = None) -> str:
    """Pseudonymous, stable key for a sender id (HMAC-SHA256, hex)."""
    secret = (key or load_settings().pseudonym_key or DEV_PSEUDONYM_KEY).encode()
    return hmac.new(secret, sender_id.encode(), hashlib.sha256).hexdigest()


_ENGINE_LOCK = threading.Lock()


def get_engine(url: Optional[str] = None) -> Engine:
    """Engine for ``url`` (default: DATABASE_URL, read on every call); one per URL.

    The lock makes the first use safe from several threads at once (the web server calls the
    stores from worker threads): one thread builds the engine and creates the tables.
    """
    url = url or load_settings().database_url
    with _ENGINE_LOCK:
        return _engine_for(url)


@functools.lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    """The engine for one URL, its database migrated to the newest revision on first use.

    ``pool_pre_ping`` makes a connection that died with a database restart reconnect on the
    next use instead of failing a person's message.
    """
    kwargs: Dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        # Rasa's tracker store may write to the same file; wait for its lock instead of failing.
        kwargs["connect_args"] = {"timeout": 15}
    engine = create_engine(url, **kwargs)
    # The tables come from the migrations, never from create_all: a new column must reach a
    # database that already runs (loopbrug/db/migrate.py).
    migrate.upgrade(engine)
    return engine


def sessions(url: Optional[str] = None) -> sessionmaker:
    """A session factory bound to the engine for ``url``."""
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


def save_profile(
    sender_id: str, answers: Dict[str, Any], profile: Dict[str, Any], url: Optional[str] = None
) -> None:
    """Store (or replace) a person's profile."""
    person = person_key(sender_id)
    with sessions(url).begin() as session:
        record = session.execute(
            select(ProfileRecord).where(ProfileRecord.person == person)
        ).scalar_one_or_none()
        if record is None:
            record = ProfileRecord(person=person)
            session.add(record)
        record.answers = json.dumps(answers, ensure_ascii=False)
        record.profile = json.dumps(profile, ensure_ascii=False)
        record.updated_at = utcnow()


def load_profile(sender_id: str, url: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """A person's stored profile with its answers and dates, or None."""
    with sessions(url).begin() as session:
        record = session.execute(
            select(ProfileRecord).where(ProfileRecord.person == person_key(sender_id))
        ).scalar_one_or_none()
        if record is None:
            return None
        return {
            "answers": json.loads(record.answers),
            "profile": json.loads(record.profile),
            "created_at": record.created_at,
            "updated_at": record.updated_at,
        }


def save_money_check(sender_id: str, outcome: Dict[str, Any], url: Optional[str] = None) -> None:
    """Store a money-check outcome (already reduced to what may be kept)."""
    with sessions(url).begin() as session:
        session.add(MoneyCheckRecord(person=person_key(sender_id), outcome=json.dumps(outcome)))


def latest_money_check(sender_id: str, url: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The person's latest money-check outcome, or None."""
    with sessions(url).begin() as session:
        record = session.execute(
            select(MoneyCheckRecord)
            .where(MoneyCheckRecord.person == person_key(sender_id))
            .order_by(MoneyCheckRecord.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return None if record is None else json.loads(record.outcome)
