"""Rasa's SQL tracker store, with the additions the helpline needs.

* **Erasure.** When ``action_delete_data`` ran in a turn (the person confirmed "wis alles"),
  saving that turn deletes every stored event of the conversation, of all sessions, and
  keeps only what came after the erasure (the bot's "alles is gewist"). Rasa's own save only
  ever appends, and would write the erased events back from memory; doing it here, inside
  the conversation's lock, leaves no window in which old events survive.
* **The person's last message on their ticket.** Saving a turn notes the time of the
  person's newest message on their open ticket, if they have one (loopbrug/handoff/finder.py),
  so the coach inbox shows how long ago the person wrote, also while a coach has the chat and
  the bot is silent. Every message of every channel passes here; a failure is logged and
  never stops the turn from being saved.
* **Reconnects.** ``pool_pre_ping``: a connection that died with a database restart is
  replaced before use, so the next message after a restart works.
* **The last conversations in memory.** Rasa loads every event of the session and replays
  them on every message, and counts the stored events on every save: a message's cost grew
  with the conversation (issue 20: 58 ms at message 1, 695 ms at message 400). Here each Rasa
  process keeps the trackers it last saved (at most ``cache_size``, least recently used
  first out) and hands out the same object again when the database still holds exactly what
  it saved: one cheap query per message compares the number of the sender's events and the
  newest event's id (Rasa's index on ``sender_id``). Anything that changes the events
  elsewhere changes that fingerprint and the tracker is loaded as Rasa loads it: another Rasa
  process (several behind one port, with a shared lock), the retention sweep, an erasure, a
  restored database. A turn that changed the tracker and then failed is not saved; the size
  of its events no longer matches and it is loaded again. A new session (or an event dated
  before the session start) is not kept: Rasa's query would cut the history there. Saving
  writes only the events added since, without counting. The coach's and the widget's full
  history (``retrieve_full_tracker``) always comes from the database. Database calls run off
  the event loop, so one slow query holds no other conversation.

Configured in bot/endpoints.yml as ``type: bot.extensions.tracker_store.LoopbrugTrackerStore``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, List, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.extensions import require_rasa
from loopbrug.conversation import IS_EXTERNAL
from loopbrug.handoff import finder
from loopbrug.lru import FingerprintLRU

logger = logging.getLogger(__name__)

# Written for Rasa 3.6.21: builds on SQLTrackerStore's engine, sessionmaker, session_scope,
# SQLEvent and _event_query (private), on create_engine_kwargs, stream_events and
# _stream_new_events, on TrackerStore's domain property (_domain), and writes rows as its save
# does; retrieve returns what its _retrieve returns (DialogueStateTracker.from_dict of the
# latest session's events). Another Rasa may store events differently.
RASA_VERSION = "3.6.21"
ERASE_ACTION = "action_delete_data"
# Conversations each Rasa process keeps in memory (``cache_size`` in bot/endpoints.yml). A
# long conversation of 2,000 events takes a few MB; most take far less.
CACHE_SIZE = 500


def erase_index(tracker: DialogueStateTracker, start: int = 0) -> Optional[int]:
    """Position of the latest erasure in the tracker's events from ``start`` on, or None.

    Reads Rasa's event objects as they are, on every save; the JSON reader of the rest of the
    helpline (loopbrug.conversation.read_events) would first turn each of them into a dict.
    """
    events = list(tracker.events)
    for index in range(len(events) - 1, start - 1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            return index
    return None


def last_person_message(tracker: DialogueStateTracker) -> Optional[datetime]:
    """When the person last wrote in this conversation (UTC), or None.

    A person asking "is er al iemand?" (intent handoff_status) counts like any message, so the
    inbox marks it; the same intent triggered by the follow-up job (``is_external``,
    loopbrug/conversation.py) was not written by the person and does not.
    """
    for event in reversed(tracker.events):
        if not isinstance(event, UserUttered) or not event.timestamp:
            continue
        if (event.metadata or {}).get(IS_EXTERNAL) is True:
            continue
        return datetime.fromtimestamp(event.timestamp, tz=timezone.utc)
    return None


def note_person_message(tracker: DialogueStateTracker, url: str) -> None:
    """Put the person's newest message time on their open ticket (see the module doc).

    ``url`` is the tracker store's database, which holds the tickets too (DATABASE_URL).
    """
    at = last_person_message(tracker)
    if at is None:
        return
    try:
        finder.person_spoke(tracker.sender_id, at, url=url)
    except Exception as exc:  # noqa: BLE001 (the inbox's times must never cost a turn)
        logger.warning("tracker store: the ticket's last message time was not saved (%s)", exc)


@dataclass
class Cached:
    """A conversation's tracker as this process last loaded or saved it."""

    tracker: DialogueStateTracker
    # Timestamp of the session start Rasa's query cuts at (None: the whole history counts).
    session_start: Optional[float]


Fingerprint = Tuple[int, Optional[int]]


def session_start_of(tracker: DialogueStateTracker) -> Optional[float]:
    """The latest ``SessionStarted`` timestamp in the tracker, as Rasa's session query uses."""
    starts = [e.timestamp for e in tracker.events if isinstance(e, SessionStarted)]
    return max(starts) if starts else None


def keeps_the_session(events: List[Event], session_start: Optional[float]) -> bool:
    """True when Rasa's session query would return these new events after the cached ones.

    A new session (``SessionStarted``) makes Rasa cut the history; an event dated before the
    session start would be left out by it. Either way the cache would differ from a reload.
    """
    for event in events:
        if isinstance(event, SessionStarted):
            return False
        if session_start is not None and (event.timestamp or 0) < session_start:
            return False
    return True


class LoopbrugTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with erasure on save, reconnects and the last conversations in memory."""

    def __init__(self, *args: Any, cache_size: int = CACHE_SIZE, **kwargs: Any) -> None:
        require_rasa(RASA_VERSION, __name__)
        # Before Rasa's __init__: it sets self.domain, whose setter empties the cache.
        self.cache: FingerprintLRU[Cached] = FingerprintLRU(int(cache_size))
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # An in-memory SQLite database lives in one thread's connection: stay on that thread.
        self._inline = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        # A new model brings new slots: trackers built with the old ones are not reused.
        self._domain = domain or Domain.empty()
        self.cache.clear()

    async def _blocking(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run a database call off the event loop, so other conversations go on meanwhile."""
        if self._inline:
            return function(*args)
        return await asyncio.to_thread(function, *args)

    # -- reading ---------------------------------------------------------------------------

    def _fingerprint(self, session: Any, sender_id: str) -> Fingerprint:
        """How many events the database holds for the sender, and the newest one's id.

        Cheap (Rasa's index on ``events.sender_id``), and changed by every write of another
        process: an append raises the id, the retention sweep and an erasure lower the count.
        """
        count, newest = (
            session.query(sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id))
            .filter(self.SQLEvent.sender_id == sender_id)
            .one()
        )
        return int(count), newest

    def _read(
        self, sender_id: str, known: Optional[Fingerprint]
    ) -> Tuple[Fingerprint, Optional[DialogueStateTracker], bool]:
        """(fingerprint, tracker, loaded): the tracker is only loaded when the fingerprint
        differs from ``known``; then it is None when Rasa's retrieve would return None."""
        with self.session_scope() as session:
            # First the fingerprint, then the events: a write in between makes the stored
            # fingerprint older than the events, so the next turn reloads (never the reverse).
            fingerprint = self._fingerprint(session, sender_id)
            if fingerprint == known:
                return fingerprint, None, False
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            events = [json.loads(row.data) for row in rows]
        if not (self.domain and events):
            return fingerprint, None, True
        return (
            fingerprint,
            DialogueStateTracker.from_dict(sender_id, events, self.domain.slots),
            True,
        )

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The latest session's tracker: from memory when nothing changed since this process
        saved it, else loaded and replayed as Rasa does."""
        entry = self.cache.peek(sender_id)
        known = None
        if entry is not None and len(entry.value.tracker.events) == entry.size:
            known = entry.fingerprint  # else a turn changed it and failed: load
        fingerprint, tracker, loaded = await self._blocking(self._read, sender_id, known)
        if not loaded:
            cached = self.cache.get(sender_id, fingerprint, len(entry.value.tracker.events))
            if cached is not None:
                return cached.tracker
            # Changed and not saved (a failed turn), or changed while we waited: load.
            fingerprint, tracker, _ = await self._blocking(self._read, sender_id, None)
        if tracker is None:
            self.cache.drop(sender_id)
            return None
        self.cache.put(
            sender_id, Cached(tracker, session_start_of(tracker)), fingerprint, len(tracker.events)
        )
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        """Every session of the conversation (the coach's transcript): always from the
        database, off the event loop."""

        def read() -> Optional[DialogueStateTracker]:
            with self.session_scope() as session:
                rows = self._event_query(
                    session, conversation_id, fetch_events_from_all_sessions=True
                ).all()
                events = [json.loads(row.data) for row in rows]
            if not (self.domain and events):
                return None
            return DialogueStateTracker.from_dict(conversation_id, events, self.domain.slots)

        return await self._blocking(read)

    # -- saving ----------------------------------------------------------------------------

    def _row(self, sender_id: str, event: Event) -> Any:
        """A row as Rasa's SQLTrackerStore.save writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _append(
        self,
        sender_id: str,
        events: List[Event],
        stored: Optional[int],
        known: Optional[Fingerprint],
    ) -> Tuple[Optional[Fingerprint], List[Event]]:
        """Write the events after the first ``stored`` ones (counted as Rasa does when None).

        Returns the fingerprint after the write when this process knew the one before it
        (``known``), and the events written.
        """
        with self.session_scope() as session:
            if stored is None:
                stored = self._event_query(
                    session, sender_id, fetch_events_from_all_sessions=False
                ).count()
            new = events[stored:]
            rows = [self._row(sender_id, event) for event in new]
            session.add_all(rows)
            session.flush()  # gives the rows their ids
            fingerprint = None
            if known is not None:
                count, newest = known
                ids = [row.id for row in rows]
                fingerprint = (count + len(rows), max(ids) if ids else newest)
            session.commit()
        return fingerprint, new

    async def _stream(self, sender_id: str, new: List[Event]) -> None:
        """Event brokers see the new events, as Rasa's stream_events sends them."""
        if self.event_broker is not None and new:
            await self._stream_new_events(self.event_broker, new, sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        events = list(tracker.events)
        entry = self.cache.peek(sender_id)
        # Only the tracker this process handed out, with nothing lost since: then we know how
        # many of its events are stored without counting them.
        known = entry is not None and entry.value.tracker is tracker and entry.size <= len(events)
        # An erasure saved in an earlier turn needs nothing more: only new events are searched.
        index = erase_index(tracker, entry.size if known else 0)
        if index is not None:
            stored = entry.size if known else await self._blocking(self._count, sender_id)
            if index >= stored:  # the erasure happened in this turn
                self.cache.drop(sender_id)
                await self._stream(sender_id, events[stored:])
                await self._blocking(self._erase, sender_id, events[index + 1 :])
                logger.info("tracker store: a conversation was erased on request")
                return
        if not known and self.event_broker is not None:
            await self.stream_events(tracker)  # Rasa's own: compares with the stored tracker
        fingerprint, new = await self._blocking(
            self._append,
            sender_id,
            events,
            entry.size if known else None,
            entry.fingerprint if known else None,
        )
        if known:
            await self._stream(sender_id, new)
        if fingerprint is not None and keeps_the_session(new, entry.value.session_start):
            self.cache.put(sender_id, entry.value, fingerprint, len(events))
        else:
            self.cache.drop(sender_id)  # the next turn loads it as Rasa would
        logger.debug(f"Tracker with sender_id '{sender_id}' stored to database")
        url = self.engine.url.render_as_string(hide_password=False)
        await self._blocking(note_person_message, tracker, url)

    def _count(self, sender_id: str) -> int:
        """Stored events of the latest session, as Rasa counts them on save."""
        with self.session_scope() as session:
            return self._event_query(
                session, sender_id, fetch_events_from_all_sessions=False
            ).count()

    def _erase(self, sender_id: str, kept: List[Event]) -> None:
        """Delete every stored event of the sender, of all sessions; store only ``kept``."""
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False
            )
            for event in kept:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=None,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
