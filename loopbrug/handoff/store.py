"""Tickets, coaches, coach sessions and the relay log, in the helpline's own database.

The tables live beside the profiles and money checks of ``loopbrug/db`` (same SQLAlchemy
``Base``, same ``DATABASE_URL``). Every write is one transaction. The action server creates
tickets; the web server (coach inbox, widget relay, follow-up job) reads and updates them.

Idempotency: a person has at most one open ticket. ``open_key`` holds the person's
pseudonymous key while the ticket is open and NULL once it is closed; a unique index on it
makes a retried action or a redelivered message find the existing ticket instead of making
a second one, also when two requests race (the loser's INSERT fails and it reads the winner's).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loopbrug.db import Base, person_key, sessions, utcnow
from loopbrug.texts import Labels, text

# Ticket states. "live" is not a state: a claimed ticket can be live (the coach has the chat).
NEW, CLAIMED, CLOSED = "new", "claimed", "closed"
STATUSES = (NEW, CLAIMED, CLOSED)
# Urgency: lower is more urgent. Crisis first, then acute debts, then everything else.
CRISIS, ACUTE, NORMAL = 1, 2, 3
URGENCIES = (CRISIS, ACUTE, NORMAL)
# How a ticket was closed, by code, with the label the close event stores (data/texts/nl/inbox.yml).
OUTCOMES = Labels(
    {
        code: f"inbox.outcome_{code}"
        for code in ("contact", "doorverwezen", "geen_reactie", "anders")
    }
)
# What the person answered to "heb je al contact gehad?", as the coach reads it.
FOLLOWUP_ANSWERS = Labels({code: f"inbox.followup_{code}" for code in ("contact", "geen_contact")})
# What the person answered to "Heeft de coach je geholpen?", as the team reads it.
SATISFACTION = Labels({code: f"inbox.satisfaction_{code}" for code in ("ja", "nee")})
# Reference alphabet without look-alikes (0/O, 1/I/L), so it can be read out on the phone.
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REF_LENGTH = 6


def aware(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite gives naive datetimes back; everything we store is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


class TicketRecord(Base):
    """A request for a person, made after consent."""

    __tablename__ = "loopbrug_tickets"

    id = Column(Integer, primary_key=True)
    ref = Column(String(16), nullable=False, unique=True)
    person = Column(String(64), nullable=False, index=True)
    open_key = Column(String(64), nullable=True, unique=True)  # person while open, see module doc
    conversation_id = Column(String(160), nullable=False)  # Rasa sender id, for the relay
    channel = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False, default=NEW, index=True)
    live = Column(Boolean, nullable=False, default=False)  # a coach has the conversation
    team = Column(String(64), nullable=False, index=True)
    topic = Column(String(32), nullable=False)
    urgency = Column(Integer, nullable=False, default=NORMAL)
    region = Column(String(120), nullable=True)
    gemeente = Column(String(120), nullable=True)
    summary = Column(Text, nullable=False)  # JSON, see loopbrug/handoff/summary.py
    contact_channel = Column(String(16), nullable=False)  # chat, telefoon, email
    contact_detail = Column(String(200), nullable=True)  # phone number or e-mail address
    contact_time = Column(String(32), nullable=True)
    consent_at = Column(DateTime(timezone=True), nullable=False)
    consent_version = Column(String(32), nullable=False)
    coach_id = Column(Integer, ForeignKey("loopbrug_coaches.id"), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    outcome = Column(String(32), nullable=True)
    followup_due_at = Column(DateTime(timezone=True), nullable=True, index=True)
    followup_sent_at = Column(DateTime(timezone=True), nullable=True)
    followup_answer = Column(String(16), nullable=True)  # contact, geen_contact
    # The person's newest message (the ticket's creation until they write again): Rasa's
    # tracker has the messages, but the inbox's list cannot ask Rasa for every ticket.
    last_person_message_at = Column(DateTime(timezone=True), nullable=True)
    # The last time the ticket's own coach did something with it (page, poll, message, note):
    # a live chat whose coach stays away longer goes back to the bot (presence.py). In the
    # database, so the idle check survives a restart of the web server.
    coach_seen_at = Column(DateTime(timezone=True), nullable=True)
    # "Heeft de coach je geholpen?": asked after a close with contact (service.close), the
    # answer ja | nee and its time. The team reads it on the ticket.
    satisfaction_asked_at = Column(DateTime(timezone=True), nullable=True)
    satisfaction = Column(String(16), nullable=True)
    satisfaction_at = Column(DateTime(timezone=True), nullable=True)
    # What the inbox's search matches (finder.py): reference, place, region and the words of
    # the summary, case-folded in Python (SQLite's lower() folds ASCII only), without the
    # summary's field names (a search for "reason" found every ticket).
    search_text = Column(Text, nullable=True)


class CoachRecord(Base):
    """A coach account. Teams are team ids from data/handoff/teams.yml, comma-separated."""

    __tablename__ = "loopbrug_coaches"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    first_name = Column(String(80), nullable=False)
    teams = Column(String(400), nullable=False)
    password_hash = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    # No longer used: login throttling lives in loopbrug_login_throttle (throttle.py).
    # Kept until the product's tables have migrations (issue 18), which can drop them.
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class CoachSessionRecord(Base):
    """A logged-in coach. Only the SHA-256 of the session token is stored."""

    __tablename__ = "loopbrug_coach_sessions"

    token_hash = Column(String(64), primary_key=True)
    coach_id = Column(Integer, ForeignKey("loopbrug_coaches.id"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class TicketEventRecord(Base):
    """What happened to a ticket: notes, claim, takeover, replies, hand-back, close."""

    __tablename__ = "loopbrug_ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("loopbrug_tickets.id"), nullable=False, index=True)
    coach_id = Column(Integer, ForeignKey("loopbrug_coaches.id"), nullable=True)
    kind = Column(String(16), nullable=False)  # note, claim, takeover, reply, handback, close
    text = Column(Text, nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class RelayRecord(Base):
    """Messages the widget fetches by itself: coach replies and handoff notices.

    The web widget has no push channel, so it asks for new rows after the last id it saw.
    Telegram gets the same messages pushed by Rasa (relay.py).
    """

    __tablename__ = "loopbrug_relay"

    id = Column(Integer, primary_key=True)
    person = Column(String(64), nullable=False, index=True)
    sender = Column(String(16), nullable=False)  # coach or bot
    name = Column(String(80), nullable=True)
    text = Column(Text, nullable=False)
    # Quick replies of a bot message (JSON list of {"title", "payload"}), e.g. "Ja" / "Nee".
    buttons = Column(Text, nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ThrottleRecord(Base):
    """A login throttle counter (throttle.py): failures in the current window, and a
    lock time once it is full."""

    __tablename__ = "loopbrug_login_throttle"

    key = Column(String(120), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    window_start = Column(DateTime(timezone=True), nullable=False)
    locked_until = Column(DateTime(timezone=True), nullable=True)


def factory(url: Optional[str] = None):
    """Session factory for ``url``; its database is migrated on first use (loopbrug/db)."""
    return sessions(url)


# --- tickets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewTicket:
    """What the action server knows when the person has agreed."""

    conversation_id: str
    channel: str
    team: str
    topic: str
    urgency: int
    region: Optional[str]
    gemeente: Optional[str]
    summary: Dict[str, Any]
    contact_channel: str
    contact_detail: Optional[str]
    contact_time: Optional[str]
    consent_at: datetime
    consent_version: str


@dataclass(frozen=True)
class Ticket(NewTicket):
    """A ticket as the rest of the code sees it (no ORM object escapes a transaction)."""

    id: int
    ref: str
    person: str
    status: str
    live: bool
    coach_id: Optional[int]
    coach_name: Optional[str]
    created_at: datetime
    updated_at: datetime
    closed_at: Optional[datetime]
    outcome: Optional[str]
    followup_due_at: Optional[datetime]
    followup_sent_at: Optional[datetime]
    followup_answer: Optional[str]
    last_person_message_at: Optional[datetime] = None
    satisfaction_asked_at: Optional[datetime] = None
    satisfaction: Optional[str] = None
    satisfaction_at: Optional[datetime] = None
    # Derived from the ticket's events (no column of their own): the first claim, and the
    # first sign of a coach (a claim or a message to the person, whichever came first).
    claimed_at: Optional[datetime] = None
    first_response_at: Optional[datetime] = None

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED


# Ticket fields that are no column of the ticket table.
_DERIVED = ("coach_name", "claimed_at", "first_response_at")


def _ticket(record: TicketRecord, coach_name: Optional[str] = None) -> Ticket:
    """The record's columns as a Ticket (summary decoded, times in UTC)."""
    values = {f.name: getattr(record, f.name) for f in fields(Ticket) if f.name not in _DERIVED}
    for name, value in values.items():
        if isinstance(value, datetime):
            values[name] = aware(value)
    values.update(summary=json.loads(record.summary), live=bool(record.live))
    return Ticket(**values, coach_name=coach_name)


def searchable(ref: str, gemeente: Optional[str], region: Optional[str], summary: Any) -> str:
    """The text a ticket is found by: its reference, place, region and the summary's values."""
    parts = [ref, gemeente or "", region or ""]

    def values(item: Any) -> None:
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


def new_ref() -> str:
    return "LB-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def _coach_name(session: Session, coach_id: Optional[int]) -> Optional[str]:
    if coach_id is None:
        return None
    coach = session.get(CoachRecord, coach_id)
    return coach.first_name if coach is not None else None


def open_ticket_for(conversation_id: str, url: Optional[str] = None) -> Optional[Ticket]:
    """The person's open ticket, or None."""
    with factory(url).begin() as session:
        record = session.execute(
            select(TicketRecord).where(TicketRecord.open_key == person_key(conversation_id))
        ).scalar_one_or_none()
        return None if record is None else _ticket(record, _coach_name(session, record.coach_id))


def latest_ticket_for(conversation_id: str, url: Optional[str] = None) -> Optional[Ticket]:
    """The person's newest ticket, open or closed, or None."""
    with factory(url).begin() as session:
        record = session.execute(
            select(TicketRecord)
            .where(TicketRecord.person == person_key(conversation_id))
            .order_by(TicketRecord.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return None if record is None else _ticket(record, _coach_name(session, record.coach_id))


def create_ticket(
    new: NewTicket, followup_after: timedelta, url: Optional[str] = None
) -> Tuple[Ticket, bool]:
    """Create the ticket, or return the person's open one. Returns (ticket, created)."""
    person = person_key(new.conversation_id)
    existing = open_ticket_for(new.conversation_id, url)
    if existing is not None:
        return existing, False
    for _ in range(5):  # a reference collision is rare; the open_key race is handled below
        now = utcnow()
        wish = {f.name: getattr(new, f.name) for f in fields(NewTicket)}
        wish["summary"] = json.dumps(new.summary, ensure_ascii=False)
        ref = new_ref()
        record = TicketRecord(
            **wish,
            ref=ref,
            search_text=searchable(ref, new.gemeente, new.region, new.summary),
            person=person,
            open_key=person,
            status=NEW,
            live=False,
            created_at=now,
            updated_at=now,
            followup_due_at=now + followup_after,
            last_person_message_at=now,  # the person just answered the handoff's questions
        )
        try:
            with factory(url).begin() as session:
                session.add(record)
                session.flush()
                return _ticket(record), True
        except IntegrityError:
            existing = open_ticket_for(new.conversation_id, url)
            if existing is not None:  # another request for the same person won the race
                return existing, False
    raise RuntimeError("could not find a free ticket reference")


def mark_crisis(
    conversation_id: str, crisis_team: str, url: Optional[str] = None
) -> Tuple[Optional[Ticket], bool]:
    """A crisis in the conversation makes the person's open ticket urgent.

    The ticket gets crisis urgency and topic. A ticket nobody has claimed yet moves to
    ``crisis_team``; a claimed one stays with its coach, who already knows the person.
    Returns (the open ticket or None, whether it changed).
    """
    with factory(url).begin() as session:
        record = session.execute(
            select(TicketRecord).where(TicketRecord.open_key == person_key(conversation_id))
        ).scalar_one_or_none()
        if record is None:
            return None, False
        record = _locked_ticket(session, record.ref)
        changed = record.urgency != CRISIS
        if changed:
            record.urgency = CRISIS
            record.topic = "crisis"
            if record.coach_id is None:
                record.team = crisis_team
            _event(session, record, None, "crisis")
        return _ticket(record, _coach_name(session, record.coach_id)), changed


def get_ticket(ref: str, url: Optional[str] = None) -> Optional[Ticket]:
    with factory(url).begin() as session:
        record = session.execute(
            select(TicketRecord).where(TicketRecord.ref == ref)
        ).scalar_one_or_none()
        return None if record is None else _ticket(record, _coach_name(session, record.coach_id))


class TicketConflict(Exception):
    """The change is not possible in the ticket's current state (its message is an inbox text)."""


def _locked_ticket(session: Session, ref: str) -> TicketRecord:
    """The ticket, locked for this transaction (a second request for it waits).

    SQLite ignores FOR UPDATE and reads outside a write transaction, so two requests (a
    double click, two coaches at once) could both see the old state and both act: two claims,
    two takeover notices. A no-op UPDATE first takes SQLite's write lock; the SELECT after it
    then sees the latest committed state.
    """
    if session.get_bind().dialect.name == "sqlite":
        table = TicketRecord.__table__
        session.execute(update(table).where(table.c.ref == ref).values(ref=table.c.ref))
    record = session.execute(
        select(TicketRecord).where(TicketRecord.ref == ref).with_for_update()
    ).scalar_one_or_none()
    if record is None:
        raise TicketConflict(text("inbox.conflict_no_ticket"))
    return record


def _event(session: Session, record: TicketRecord, coach_id: Optional[int], kind: str, text=None):
    session.add(TicketEventRecord(ticket_id=record.id, coach_id=coach_id, kind=kind, text=text))
    record.updated_at = utcnow()


def claim(ref: str, coach_id: int, url: Optional[str] = None) -> Ticket:
    """Give the ticket to this coach. A ticket another coach has claimed stays theirs."""
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        if record.status == CLOSED:
            raise TicketConflict(text("inbox.error_al_gesloten"))
        if record.coach_id not in (None, coach_id):
            raise TicketConflict(text("inbox.error_andere_coach"))
        if record.coach_id != coach_id:
            record.coach_id = coach_id
            record.status = CLAIMED
            _event(session, record, coach_id, "claim")
        return _ticket(record, _coach_name(session, coach_id))


def _own(record: TicketRecord, coach_id: int) -> None:
    if record.status == CLOSED:
        raise TicketConflict(text("inbox.error_al_gesloten"))
    if record.coach_id is None:
        raise TicketConflict(text("inbox.error_eerst_oppakken"))
    if record.coach_id != coach_id:
        # Not "pak het eerst op" (a colleague's ticket cannot be claimed): the way is the
        # explicit takeover from the colleague (take_from_colleague).
        raise TicketConflict(text("inbox.error_van_collega"))


def set_live(ref: str, coach_id: int, live: bool, url: Optional[str] = None) -> Tuple[Ticket, bool]:
    """Take over (live=True) or hand back; returns (ticket, changed)."""
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        _own(record, coach_id)
        changed = bool(record.live) != live
        if changed:
            record.live = live
            if live:
                record.coach_seen_at = utcnow()
            _event(session, record, coach_id, "takeover" if live else "handback")
        return _ticket(record, _coach_name(session, coach_id)), changed


def require_live(ref: str, coach_id: int, url: Optional[str] = None) -> Ticket:
    """The ticket, when this coach has the conversation; else TicketConflict."""
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        _own(record, coach_id)
        if not record.live:
            raise TicketConflict(text("inbox.error_eerst_overnemen"))
        return _ticket(record, _coach_name(session, coach_id))


def add_event(
    ref: str, coach_id: Optional[int], kind: str, text: Optional[str], url: Optional[str] = None
) -> None:
    with factory(url).begin() as session:
        _event(session, _locked_ticket(session, ref), coach_id, kind, text)


def close(ref: str, coach_id: int, outcome: str, url: Optional[str] = None) -> Tuple[Ticket, bool]:
    """Close with an outcome; returns (ticket, was_live) so the caller can hand back."""
    if outcome not in OUTCOMES:
        raise TicketConflict(text("inbox.error_uitkomst"))
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        _own(record, coach_id)
        was_live = bool(record.live)
        record.status = CLOSED
        record.live = False
        record.open_key = None
        record.outcome = outcome
        record.closed_at = utcnow()
        _event(session, record, coach_id, "close", OUTCOMES[outcome])
        return _ticket(record, _coach_name(session, coach_id)), was_live


# --- assignment: unclaim, reassign, transfer, take over from a colleague ----------------------


def _open(record: TicketRecord) -> None:
    if record.status == CLOSED:
        raise TicketConflict(text("inbox.error_al_gesloten"))


def _free_or_mine(record: TicketRecord, coach_id: int) -> None:
    """Reassign and transfer: a ticket nobody has, or one the coach has; a colleague's ticket
    is theirs until taken over from them."""
    _open(record)
    if record.coach_id not in (None, coach_id):
        raise TicketConflict(text("inbox.error_van_collega"))


def _to_queue(record: TicketRecord) -> None:
    record.coach_id = None
    record.status = NEW
    record.live = False
    record.coach_seen_at = None


def unclaim(ref: str, coach_id: int, url: Optional[str] = None) -> Ticket:
    """The coach lets go: the ticket is new again in the team's list. The chat must have been
    handed back first (service.unclaim does that)."""
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        _own(record, coach_id)
        if record.live:
            raise TicketConflict(text("inbox.error_eerst_teruggeven"))
        _to_queue(record)
        _event(session, record, coach_id, "unclaim")
        return _ticket(record)


def team_coaches(team: str, url: Optional[str] = None) -> List[Coach]:
    """The active coaches of a team, by first name (the reassign list)."""
    with factory(url).begin() as session:
        records = session.execute(
            select(CoachRecord).where(CoachRecord.active.is_(True)).order_by(CoachRecord.first_name)
        ).scalars()
        return [c for c in map(_coach, records) if team in c.teams]


def reassign(
    ref: str, coach_id: int, to_coach_id: int, url: Optional[str] = None
) -> Tuple[Ticket, bool]:
    """Give the ticket to another active coach of its team; returns (ticket, live).

    A live chat stays paused and is now the new coach's (service.reassign tells the person).
    """
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        _free_or_mine(record, coach_id)
        target = session.get(CoachRecord, to_coach_id)
        if target is None or not target.active or record.team not in _coach(target).teams:
            raise TicketConflict(text("inbox.error_geen_teamcoach"))
        if target.id == record.coach_id:
            return _ticket(record, target.first_name), False
        record.coach_id = target.id
        record.status = CLAIMED
        record.coach_seen_at = utcnow()  # the idle time of the new coach starts now
        _event(
            session, record, coach_id, "reassign", text("inbox.event_to", name=target.first_name)
        )
        return _ticket(record, target.first_name), bool(record.live)


def transfer(
    ref: str, coach_id: int, team: str, team_label: str, note: str, url: Optional[str] = None
) -> Ticket:
    """Move the ticket to another team's list, new and unclaimed, with the coach's note in
    its history. The chat must have been handed back first (service.transfer does that)."""
    if not note.strip():
        raise TicketConflict(text("inbox.error_notitie_verplicht"))
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        _free_or_mine(record, coach_id)
        if team == record.team:
            raise TicketConflict(text("inbox.error_geen_team"))
        if record.live:
            raise TicketConflict(text("inbox.error_eerst_teruggeven"))
        _to_queue(record)
        record.team = team
        _event(
            session,
            record,
            coach_id,
            "transfer",
            text("inbox.event_transfer_text", team=team_label, note=note.strip()),
        )
        return _ticket(record)


def take_from_colleague(
    ref: str, coach_id: int, owner_id: Optional[int], url: Optional[str] = None
) -> Tuple[Ticket, bool]:
    """The coach takes a colleague's ticket (and chat, when live); returns (ticket, live).

    ``owner_id`` is the colleague the coach confirmed on the page: when the ticket has gone to
    someone else since, nothing changes (the coach must look again).
    """
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        _open(record)
        if record.coach_id is None:
            raise TicketConflict(text("inbox.error_eerst_oppakken"))
        if record.coach_id == coach_id:
            return _ticket(record, _coach_name(session, coach_id)), False
        if owner_id is not None and record.coach_id != owner_id:
            raise TicketConflict(text("inbox.error_veranderd"))
        before = _coach_name(session, record.coach_id) or ""
        record.coach_id = coach_id
        record.status = CLAIMED
        record.coach_seen_at = utcnow()
        _event(session, record, coach_id, "colleague", text("inbox.event_from", name=before))
        return _ticket(record, _coach_name(session, coach_id)), bool(record.live)


# --- presence: a live chat never stays paused without its coach (presence.py) ---------------

SEEN_EVERY = timedelta(seconds=30)  # coach.js polls every 3 s: one write in ten is enough


def seen(ref: str, coach_id: int, url: Optional[str] = None) -> None:
    """The ticket's own coach did something with it (page, poll, message, note)."""
    now = utcnow()
    with factory(url).begin() as session:
        session.execute(
            update(TicketRecord)
            .where(TicketRecord.ref == ref)
            .where(TicketRecord.coach_id == coach_id)
            .where(
                or_(
                    TicketRecord.coach_seen_at.is_(None),
                    TicketRecord.coach_seen_at < now - SEEN_EVERY,
                )
            )
            .values(coach_seen_at=now)
        )


def live_without_coach(
    now: datetime, idle: timedelta, url: Optional[str] = None
) -> List[Tuple[Ticket, str]]:
    """Live tickets whose coach is gone, with why: "deactivated" (the account is off),
    "logout" (no session left) or "idle" (nothing done with the ticket for ``idle``)."""
    with factory(url).begin() as session:
        rows = session.execute(
            select(TicketRecord, CoachRecord)
            .outerjoin(CoachRecord, CoachRecord.id == TicketRecord.coach_id)
            .where(TicketRecord.live.is_(True))
            .where(TicketRecord.status != CLOSED)
        ).all()
        if not rows:
            return []
        with_session = set(
            session.execute(
                select(CoachSessionRecord.coach_id).where(CoachSessionRecord.expires_at > now)
            ).scalars()
        )
        gone: List[Tuple[Ticket, str]] = []
        for record, coach in rows:
            # Before the first action was recorded, the last change of the ticket counts.
            last = aware(record.coach_seen_at or record.updated_at)
            if coach is None or not coach.active:
                reason = "deactivated"
            elif coach.id not in with_session:
                reason = "logout"
            elif last is not None and last <= now - idle:
                reason = "idle"
            else:
                continue
            name = coach.first_name if coach is not None else None
            gone.append((_ticket(record, name), reason))
        return gone


def end_live(
    ref: str,
    coach_id: Optional[int],
    seen_before: Optional[datetime] = None,
    url: Optional[str] = None,
) -> Optional[Ticket]:
    """The chat goes back to the bot without its coach (presence.py): live is cleared when the
    ticket is still live with the same coach (and, with ``seen_before``, the coach has not
    acted since); returns it, or None when that changed (the coach came back, or another
    process was first)."""
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        if not record.live or record.coach_id != coach_id or record.status == CLOSED:
            return None
        seen_at = aware(record.coach_seen_at)
        if seen_before is not None and seen_at is not None and seen_at > seen_before:
            return None
        record.live = False
        return _ticket(record, _coach_name(session, coach_id))


def restore_live(ref: str, url: Optional[str] = None) -> None:
    """Undo ``end_live`` when Rasa could not take the chat back (the next run tries again)."""
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        if record.status != CLOSED:
            record.live = True


def open_tickets_of(coach_id: int, url: Optional[str] = None) -> List[Ticket]:
    """Every open ticket a coach has (deactivation hands them back to their teams)."""
    with factory(url).begin() as session:
        records = session.execute(
            select(TicketRecord)
            .where(TicketRecord.coach_id == coach_id)
            .where(TicketRecord.status != CLOSED)
            .order_by(TicketRecord.id)
        ).scalars()
        return [_ticket(r, _coach_name(session, coach_id)) for r in records]


def release(ref: str, coach_id: int, reason: str, url: Optional[str] = None) -> bool:
    """A ticket of a coach who is gone for good goes back to the team's list (not while live:
    the chat goes back to the bot first). False when it is no longer theirs."""
    with factory(url).begin() as session:
        record = _locked_ticket(session, ref)
        if record.coach_id != coach_id or record.status == CLOSED or record.live:
            return False
        _to_queue(record)
        _event(session, record, None, "release", reason)
        return True


def coach_by_username(username: str, url: Optional[str] = None) -> Optional[Coach]:
    with factory(url).begin() as session:
        record = session.execute(
            select(CoachRecord).where(CoachRecord.username == username)
        ).scalar_one_or_none()
        return None if record is None else _coach(record)


def has_session(coach_id: int, now: datetime, url: Optional[str] = None) -> bool:
    """True when the coach is still logged in somewhere (another browser)."""
    with factory(url).begin() as session:
        found = session.execute(
            select(CoachSessionRecord.token_hash)
            .where(CoachSessionRecord.coach_id == coach_id)
            .where(CoachSessionRecord.expires_at > now)
            .limit(1)
        ).first()
        return found is not None


def events(ticket_id: int, url: Optional[str] = None) -> List[Dict[str, Any]]:
    """The ticket's history, oldest first, with the coach's first name."""
    with factory(url).begin() as session:
        rows = session.execute(
            select(TicketEventRecord, CoachRecord.first_name)
            .outerjoin(CoachRecord, CoachRecord.id == TicketEventRecord.coach_id)
            .where(TicketEventRecord.ticket_id == ticket_id)
            .order_by(TicketEventRecord.id)
        ).all()
        return [
            {
                "kind": event.kind,
                "text": event.text,
                "coach": name,
                "at": aware(event.created_at),
            }
            for event, name in rows
        ]


# --- follow-up ("niet loslaten") -------------------------------------------------------------


def due_followups(now: datetime, url: Optional[str] = None) -> List[Ticket]:
    """Tickets whose follow-up moment has passed and that have not been followed up."""
    with factory(url).begin() as session:
        records = (
            session.execute(
                select(TicketRecord)
                .where(TicketRecord.followup_due_at <= now)
                .where(TicketRecord.followup_sent_at.is_(None))
                .where(TicketRecord.live.is_(False))
                # A coach who closed the ticket with "contact gehad" already has the answer.
                .where(or_(TicketRecord.outcome.is_(None), TicketRecord.outcome != "contact"))
                .order_by(TicketRecord.followup_due_at)
                .limit(100)
            )
            .scalars()
            .all()
        )
        return [_ticket(r) for r in records]


def mark_followup_sent(ticket_id: int, now: datetime, url: Optional[str] = None) -> bool:
    """Record the follow-up as sent; False when another run already did (no double message)."""
    with factory(url).begin() as session:
        result = session.execute(
            update(TicketRecord)
            .where(TicketRecord.id == ticket_id)
            .where(TicketRecord.followup_sent_at.is_(None))
            .values(followup_sent_at=now)
        )
        return result.rowcount == 1


def record_followup_answer(
    conversation_id: str, answer: str, url: Optional[str] = None
) -> Optional[Ticket]:
    """Store the person's answer on their latest followed-up ticket."""
    with factory(url).begin() as session:
        record = session.execute(
            select(TicketRecord)
            .where(TicketRecord.person == person_key(conversation_id))
            .where(TicketRecord.followup_sent_at.is_not(None))
            .order_by(TicketRecord.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if record is None:
            return None
        record.followup_answer = answer
        _event(session, record, None, "followup", FOLLOWUP_ANSWERS.get(answer, answer))
        return _ticket(record)


# --- satisfaction ("Heeft de coach je geholpen?") -------------------------------------------


def mark_satisfaction_asked(ref: str, now: datetime, url: Optional[str] = None) -> bool:
    """Record that the question goes out; False when it went out before (asked only once)."""
    with factory(url).begin() as session:
        result = session.execute(
            update(TicketRecord)
            .where(TicketRecord.ref == ref)
            .where(TicketRecord.satisfaction_asked_at.is_(None))
            .values(satisfaction_asked_at=now)
        )
        return result.rowcount == 1


def unmark_satisfaction_asked(ref: str, url: Optional[str] = None) -> None:
    """The question could not be sent (Rasa unreachable): the ticket does not claim it was."""
    with factory(url).begin() as session:
        session.execute(
            update(TicketRecord)
            .where(TicketRecord.ref == ref)
            .where(TicketRecord.satisfaction.is_(None))
            .values(satisfaction_asked_at=None)
        )


def record_satisfaction(
    conversation_id: str, answer: str, url: Optional[str] = None
) -> Optional[Ticket]:
    """Store ``ja`` or ``nee`` on the person's latest ticket that was asked; None when no
    ticket of theirs was asked. A second answer replaces the first (the person changed
    their mind); the history keeps both."""
    if answer not in SATISFACTION:
        raise ValueError(f"unknown satisfaction answer {answer!r}")
    with factory(url).begin() as session:
        record = session.execute(
            select(TicketRecord)
            .where(TicketRecord.person == person_key(conversation_id))
            .where(TicketRecord.satisfaction_asked_at.is_not(None))
            .order_by(TicketRecord.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if record is None:
            return None
        record.satisfaction = answer
        record.satisfaction_at = utcnow()
        _event(session, record, None, "satisfaction", SATISFACTION[answer])
        return _ticket(record)


# --- relay log for the widget -------------------------------------------------------------


def add_relay(
    conversation_id: str,
    sender: str,
    text: str,
    name: Optional[str] = None,
    url=None,
    buttons: Optional[List[Dict[str, str]]] = None,
) -> int:
    with factory(url).begin() as session:
        record = RelayRecord(
            person=person_key(conversation_id),
            sender=sender,
            name=name,
            text=text,
            buttons=json.dumps(buttons) if buttons else None,
        )
        session.add(record)
        session.flush()
        return record.id


def add_bot_messages(conversation_id: str, messages: List[Any], url: Optional[str] = None) -> None:
    """What the bot answered to a helpline trigger (follow-up, satisfaction question), in the
    relay log for the widget, with the quick replies of each message."""
    for message in messages:
        if not isinstance(message, dict):
            continue
        said = message.get("text")
        if isinstance(said, str) and said.strip():
            buttons = [
                {"title": b["title"], "payload": b["payload"]}
                for b in message.get("buttons") or []
                if isinstance(b, dict)
                and isinstance(b.get("title"), str)
                and isinstance(b.get("payload"), str)
            ]
            add_relay(conversation_id, "bot", said.strip(), None, url, buttons=buttons)


def relay_since(
    conversation_id: str, after: int, url: Optional[str] = None
) -> List[Dict[str, Any]]:
    """Relay messages with an id above ``after``, oldest first."""
    with factory(url).begin() as session:
        records = (
            session.execute(
                select(RelayRecord)
                .where(RelayRecord.person == person_key(conversation_id))
                .where(RelayRecord.id > after)
                .order_by(RelayRecord.id)
                .limit(50)
            )
            .scalars()
            .all()
        )
        found = []
        for r in records:
            row = {"id": r.id, "from": r.sender, "name": r.name, "text": r.text}
            if r.buttons:  # quick replies of a helpline question ("Ja" / "Nee")
                row["buttons"] = json.loads(r.buttons)
            found.append(row)
        return found


def last_relay_id(conversation_id: str, url: Optional[str] = None) -> int:
    with factory(url).begin() as session:
        found = session.execute(
            select(RelayRecord.id)
            .where(RelayRecord.person == person_key(conversation_id))
            .order_by(RelayRecord.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return found or 0


# --- coaches ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coach:
    id: int
    username: str
    first_name: str
    teams: Tuple[str, ...]
    active: bool


def _coach(record: CoachRecord) -> Coach:
    return Coach(
        id=record.id,
        username=record.username,
        first_name=record.first_name,
        teams=tuple(t for t in record.teams.split(",") if t),
        active=bool(record.active),
    )


def save_coach(
    username: str, first_name: str, teams: Iterable[str], password_hash: str, url=None
) -> Coach:
    """Create a coach, or update name, teams and password of an existing one."""
    with factory(url).begin() as session:
        record = session.execute(
            select(CoachRecord).where(CoachRecord.username == username)
        ).scalar_one_or_none()
        if record is None:
            record = CoachRecord(username=username)
            session.add(record)
        record.first_name = first_name
        record.teams = ",".join(teams)
        record.password_hash = password_hash
        record.active = True
        record.failed_logins = 0
        record.locked_until = None
        session.flush()
        return _coach(record)


def deactivate_coach(username: str, url: Optional[str] = None) -> bool:
    with factory(url).begin() as session:
        result = session.execute(
            update(CoachRecord).where(CoachRecord.username == username).values(active=False)
        )
        session.execute(
            CoachSessionRecord.__table__.delete().where(
                CoachSessionRecord.coach_id.in_(
                    select(CoachRecord.id).where(CoachRecord.username == username)
                )
            )
        )
        return result.rowcount == 1


def coach_login_record(username: str, url: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """What a login needs: id, hash and active flag."""
    with factory(url).begin() as session:
        record = session.execute(
            select(CoachRecord).where(CoachRecord.username == username)
        ).scalar_one_or_none()
        if record is None:
            return None
        return {
            "id": record.id,
            "password_hash": record.password_hash,
            "active": bool(record.active),
        }


def login_succeeded(coach_id: int, password_hash: Optional[str] = None, url=None) -> None:
    """Store a rehashed password when the hash parameters changed (throttling: throttle.py)."""
    with factory(url).begin() as session:
        record = session.get(CoachRecord, coach_id)
        if record is None or not password_hash:
            return
        record.password_hash = password_hash


def start_session(
    coach_id: int, token_hash: str, csrf_token: str, ttl: timedelta, url=None
) -> None:
    now = utcnow()
    with factory(url).begin() as session:
        session.add(
            CoachSessionRecord(
                token_hash=token_hash,
                coach_id=coach_id,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=now + ttl,
            )
        )


def session_coach(token_hash: str, url: Optional[str] = None) -> Optional[Tuple[Coach, str]]:
    """(coach, csrf token) for a live session of an active coach, else None."""
    with factory(url).begin() as session:
        row = session.execute(
            select(CoachSessionRecord, CoachRecord)
            .join(CoachRecord, CoachRecord.id == CoachSessionRecord.coach_id)
            .where(CoachSessionRecord.token_hash == token_hash)
        ).first()
        if row is None:
            return None
        coach_session, coach = row
        if aware(coach_session.expires_at) <= utcnow() or not coach.active:
            session.delete(coach_session)
            return None
        return _coach(coach), coach_session.csrf_token


def end_session(token_hash: str, url: Optional[str] = None) -> None:
    with factory(url).begin() as session:
        session.execute(
            CoachSessionRecord.__table__.delete().where(CoachSessionRecord.token_hash == token_hash)
        )


def list_coaches(url: Optional[str] = None) -> List[Coach]:
    with factory(url).begin() as session:
        records = session.execute(select(CoachRecord).order_by(CoachRecord.username)).scalars()
        return [_coach(r) for r in records]


def reset_followup(ticket_id: int, url: Optional[str] = None) -> None:
    """Take back a follow-up mark after the message could not be sent."""
    with factory(url).begin() as session:
        session.execute(
            update(TicketRecord).where(TicketRecord.id == ticket_id).values(followup_sent_at=None)
        )


def purge_closed(before: datetime, url: Optional[str] = None) -> int:
    """Delete tickets closed before ``before``, with their history; returns how many.

    This keeps the promise of the consent text (kept LOOPBRUG_TICKET_RETENTION_DAYS after the
    question is done). Relay messages of those people older than ``before`` go too.
    """
    with factory(url).begin() as session:
        old = session.execute(
            select(TicketRecord.id, TicketRecord.person)
            .where(TicketRecord.status == CLOSED)
            .where(TicketRecord.closed_at < before)
        ).all()
        if not old:
            return 0
        ids = [row.id for row in old]
        people = {row.person for row in old}
        session.execute(
            TicketEventRecord.__table__.delete().where(TicketEventRecord.ticket_id.in_(ids))
        )
        session.execute(TicketRecord.__table__.delete().where(TicketRecord.id.in_(ids)))
        session.execute(
            RelayRecord.__table__.delete()
            .where(RelayRecord.person.in_(people))
            .where(RelayRecord.created_at < before)
        )
        return len(ids)
