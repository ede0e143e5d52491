"""How a person gets their profile file: the file itself, or a download link in the widget.

:func:`file_payload` is the file message for a channel: the web widget gets a link, every
other channel (Telegram) the file itself.

A link is ``/api/file/<token>``: the token is ``secrets.token_urlsafe(24)`` (192 random bits)
and only its SHA-256 is stored, with the person's pseudonymous key (:func:`loopbrug.db.person_key`)
and an expiry time. The web server serves the file only when the token is known, has not
expired, and belongs to the widget session that asks (``web-<session>``); it then renders the
file from the person's stored profile at that moment. So the link holds no copy of the
profile: when the person erases their data ("wis mijn gegevens"), the link gives nothing.

SQLAlchemy 1.4 in 2.0 style, on the engine of :mod:`loopbrug.db`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any, Dict, Optional, Tuple

from sqlalchemy import Column, DateTime, String, delete, select

from loopbrug.assessment import export
from loopbrug.assessment.profile import Profile, from_dict
from loopbrug.attachments import file_message
from loopbrug.conversation import is_web_sender
from loopbrug.db import Base, load_profile, person_key, sessions, utcnow

TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # token_urlsafe(24)
LINK_PATH = "/api/file/"
DEFAULT_LIFETIME = timedelta(hours=export.LINK_HOURS)


class ProfileDownload(Base):
    """One download link: the hash of its token, whose profile, until when."""

    __tablename__ = "loopbrug_profile_downloads"

    token_hash = Column(String(64), primary_key=True)
    person = Column(String(64), nullable=False, index=True)
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue(
    sender_id: str,
    lifetime: timedelta = DEFAULT_LIFETIME,
    url: Optional[str] = None,
    now: Optional[datetime] = None,
) -> str:
    """A new link token for ``sender_id``'s profile; expired links are removed on the way."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with sessions(url).begin() as session:
        session.execute(delete(ProfileDownload).where(ProfileDownload.expires_at <= now))
        session.add(
            ProfileDownload(
                token_hash=token_hash(token),
                person=person_key(sender_id),
                expires_at=now + lifetime,
            )
        )
    return token


def link(token: str) -> str:
    """The path of the download route for ``token`` (on the web server)."""
    return LINK_PATH + token


def allows(
    token: str, sender_id: str, url: Optional[str] = None, now: Optional[datetime] = None
) -> bool:
    """True only for a known, unexpired token of ``sender_id``."""
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return False
    now = now or utcnow()
    with sessions(url).begin() as session:
        record = session.execute(
            select(ProfileDownload).where(ProfileDownload.token_hash == token_hash(token))
        ).scalar_one_or_none()
        if record is None:
            return False
        expires = record.expires_at
        if expires.tzinfo is None:  # SQLite gives the stored UTC time back without its zone
            expires = expires.replace(tzinfo=now.tzinfo)
        return expires > now and secrets.compare_digest(record.person, person_key(sender_id))


def forget(sender_id: str, url: Optional[str] = None) -> int:
    """Delete every link of ``sender_id`` (returns how many)."""
    with sessions(url).begin() as session:
        return session.execute(
            delete(ProfileDownload).where(ProfileDownload.person == person_key(sender_id))
        ).rowcount


def download(token: str, sender_id: str, url: Optional[str] = None) -> Optional[Tuple[str, str]]:
    """(file name, text) of ``sender_id``'s profile for a valid link, else None (blocking)."""
    if not allows(token, sender_id, url):
        return None
    stored = load_profile(sender_id, url)
    if stored is None:  # erased, or never finished
        return None
    created = stored["updated_at"]
    return (
        export.file_name(created),
        export.profile_file(from_dict(stored["profile"]), created),
    )


def file_payload(sender_id: str, profile: Profile, created: datetime) -> Dict[str, Any]:
    """The file message: a link that expires for the web widget, the file itself elsewhere.

    Blocking: a web link is stored in the database.
    """
    name = export.file_name(created)
    if is_web_sender(sender_id):
        return file_message(export.caption(web=True), name, url=link(issue(sender_id)))
    content = export.profile_file(profile, created)
    return file_message(export.caption(web=False), name, content=content)
