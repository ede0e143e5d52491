"""Rasa's SQL tracker store, with two additions the helpline needs.

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

Configured in bot/endpoints.yml as ``type: bot.extensions.tracker_store.LoopbrugTrackerStore``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.extensions import require_rasa
from loopbrug.conversation import IS_EXTERNAL
from loopbrug.handoff import finder

logger = logging.getLogger(__name__)

# Written for Rasa 3.6.21: builds on SQLTrackerStore's engine, sessionmaker, session_scope,
# SQLEvent and _event_query (private), on create_engine_kwargs and stream_events, and writes
# rows as its save does. Another Rasa may store events differently.
RASA_VERSION = "3.6.21"
ERASE_ACTION = "action_delete_data"


def erase_index(tracker: DialogueStateTracker) -> Optional[int]:
    """Position of the latest erasure in the tracker's events, or None.

    Reads Rasa's event objects as they are, on every save; the JSON reader of the rest of the
    helpline (loopbrug.conversation.read_events) would first turn each of them into a dict.
    """
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
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


class LoopbrugTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with erasure on save and reconnecting connections."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        require_rasa(RASA_VERSION, __name__)
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        index = erase_index(tracker)
        if index is None:
            await super().save(tracker)
            # A blocking database call: off the event loop, so other people's turns go on.
            url = self.engine.url.render_as_string(hide_password=False)
            await asyncio.to_thread(note_person_message, tracker, url)
            return
        with self.session_scope() as session:
            stored = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
        if index < stored:  # the erasure was saved in an earlier turn: a normal save
            await super().save(tracker)
            return
        await self.stream_events(tracker)  # event brokers see the turn as usual
        kept = list(tracker.events)[index + 1 :]
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(
                self.SQLEvent.sender_id == tracker.sender_id
            ).delete(synchronize_session=False)
            for event in kept:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=None,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        logger.info("tracker store: a conversation was erased on request")
