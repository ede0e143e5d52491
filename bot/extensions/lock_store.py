"""Rasa's Redis lock store, made safe for messages that reach several Rasa processes at once.

Rasa serialises the messages of one conversation with a ticket lock (rasa/core/lock.py):
every message draws a ticket and waits until it is the lowest one. Rasa 3.6's
``RedisLockStore`` changes that lock with separate GET and SET calls (``issue_ticket``,
``update_lock``, ``finish_serving``, ``cleanup``). When two Rasa processes take messages of
one person at the same moment, both can read the same lock: both draw the same ticket and
run at the same time, or one deletes the lock just after the other queued on it, which then
fails with ``LockError``. Either way a message is lost from the conversation
(tests/e2e/test_multiprocess_e2e.py showed both).

Here every change of a lock is one Redis transaction (WATCH/MULTI/EXEC, tried again when
another process changed the lock in between), so tickets are unique and handed out in the
order the messages arrived, and a lock is only deleted when nobody holds a ticket. A waiting
message looks again every ``POLL_S`` instead of every second. The key expires shortly after
its last ticket, so a crashed process leaves nothing behind.

Configured by bot/serve.py (``endpoints_for``) when REDIS_URL is set, with the arguments of
Rasa's ``RedisLockStore`` (``url`` is the host).
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Optional, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.extensions import require_rasa

# Written for Rasa 3.6.21: overrides RedisLockStore's issue_ticket, update_lock, finish_serving,
# cleanup and _acquire_lock, and uses its red client, key_prefix and TicketLock's dict form.
# Another Rasa may lock differently (and may no longer need this).
RASA_VERSION = "3.6.21"
POLL_S = 0.1  # Rasa waits 1 s between looks; a person's second message should not.
KEEP_AFTER_LAST_TICKET_S = 5.0
UNCHANGED = object()  # a change that leaves the stored lock as it is

Change = Callable[[Optional[TicketLock]], Tuple[Any, Any]]


class LoopbrugRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose lock changes are atomic across processes."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        require_rasa(RASA_VERSION, __name__)
        # Rasa builds a custom lock store with its endpoint config only (lock_store.py).
        if endpoint_config is not None:
            kwargs = {
                "host": endpoint_config.url or "localhost",
                **endpoint_config.kwargs,
                **kwargs,
            }
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Change) -> Any:
        """Apply ``change`` to the stored lock in one transaction; return its result.

        ``change`` gets the lock (or None) and returns ``(lock to store, result)``; store None
        to delete the lock, ``UNCHANGED`` to leave it.
        """
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> Any:
            raw = pipe.get(key)  # watched: EXEC fails if another process writes the key now
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, result = change(lock)
            pipe.multi()
            if new is None:
                pipe.delete(key)
            elif new is not UNCHANGED:
                last = max((ticket.expires for ticket in new.tickets), default=time.time())
                keep_ms = int((last - time.time() + KEEP_AFTER_LAST_TICKET_S) * 1000)
                pipe.set(key, new.dumps(), px=max(keep_ms, 1000))
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def draw(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, draw)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Any, None]:
            if lock is None:
                return UNCHANGED, None
            lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> Tuple[Any, None]:
            if lock is None:
                return UNCHANGED, None
            lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back; delete the lock only when no one else holds a ticket."""

        def give_back(lock: Optional[TicketLock]) -> Tuple[Any, None]:
            if lock is None:
                return UNCHANGED, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, give_back)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        return await super()._acquire_lock(
            conversation_id, ticket, min(wait_time_in_seconds, POLL_S)
        )
