""" "Niet loslaten": ask, some days after a handoff, whether contact happened.

The same job runs the retention sweep once an hour (loopbrug/privacy/retention.py), and on
every run gives live chats whose coach is gone back to the bot (loopbrug/handoff/presence.py).

The job runs inside the web server (``web/app.py`` starts it). Every
``LOOPBRUG_FOLLOWUP_CHECK_S`` seconds it looks for tickets whose follow-up moment
(``followup_due_at``, set to creation + ``LOOPBRUG_FOLLOWUP_DAYS`` when the ticket is made)
has passed. The moment is stored in the database, so a restart loses nothing: the job simply
finds the due tickets on its next run. A ticket is marked before the message goes out, so
two web processes never both send it; if Rasa cannot be reached the mark is taken back and
the next run tries again.

The question itself is asked by the bot: the job triggers the ``handoff_status`` intent in the
person's conversation, and ``action_handoff_status`` recognises the trigger. Telegram gets the
message pushed by Rasa; for the web widget the job copies it into the relay log.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Callable, Optional

from loopbrug.conversation import is_web_sender
from loopbrug.handoff import presence, store
from loopbrug.handoff.relay import RasaRelay, RelayError
from loopbrug.privacy.retention import sweep

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]
SWEEP_EVERY = timedelta(hours=1)


async def run_due(relay: RasaRelay, now: datetime, url: Optional[str] = None) -> int:
    """Send every due follow-up once; returns how many were sent."""
    sent = 0
    for ticket in await asyncio.to_thread(store.due_followups, now, url):
        if not await asyncio.to_thread(store.mark_followup_sent, ticket.id, now, url):
            continue  # another process took it
        try:
            messages = await relay.followup(ticket.conversation_id)
        except RelayError as error:
            logger.warning("follow-up %s not sent, retried later: %s", ticket.ref, error)
            await asyncio.to_thread(store.reset_followup, ticket.id, url)
            continue
        if is_web_sender(ticket.conversation_id):
            await asyncio.to_thread(store.add_bot_messages, ticket.conversation_id, messages, url)
        await asyncio.to_thread(
            store.add_event, ticket.ref, None, "followup", "navraag verstuurd", url
        )
        sent += 1
    return sent


async def run_forever(
    relay: RasaRelay,
    interval_s: float,
    conversation_days: int,
    ticket_days: int,
    clock: Clock = store.utcnow,
    url: Optional[str] = None,
    coach_idle: Optional[timedelta] = None,
) -> None:
    """The job loop; cancel the task to stop it. Once an hour it also runs the retention
    sweep (loopbrug/privacy/retention.py): old conversations and old closed tickets go.
    With ``coach_idle``, every run also hands back live chats whose coach is gone
    (presence.py)."""
    last_sweep: Optional[datetime] = None
    while True:
        try:
            now = clock()
            count = await run_due(relay, now, url)
            if count:
                logger.info("follow-up: %d sent", count)
            if coach_idle is not None:
                await presence.release_gone(relay, now, coach_idle, url)
            if last_sweep is None or now - last_sweep >= SWEEP_EVERY:
                last_sweep = now
                result = await asyncio.to_thread(sweep, now, conversation_days, ticket_days, url)
                if result.conversations or result.tickets:
                    logger.info(
                        "retention: %d conversations and %d closed tickets deleted",
                        result.conversations,
                        result.tickets,
                    )
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup must not end the job for good
            logger.exception("follow-up run failed; trying again later")
        await asyncio.sleep(interval_s)
