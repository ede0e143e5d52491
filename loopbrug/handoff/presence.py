"""A live chat never stays paused without its coach.

While a coach has a chat, the bot is silent for that person. If the coach logs out, their
account is turned off, or they do nothing with the ticket for ``LOOPBRUG_COACH_IDLE_MINUTES``
(no message, note, page view or poll of the transcript), the chat goes back to the bot and the
person is told (``handoff.handback_away``); the ticket's history says why.

Where it runs: at logout (web/coach/auth.py) and at deactivation (the ``coaches deactivate``
command) at once, and in the web server's background job (followup.py) every
``LOOPBRUG_FOLLOWUP_CHECK_S``. The job is the safety net: it finds every live ticket whose coach
is gone, for whatever reason (also when Rasa was down at logout, or the command could not reach
it), from what is stored (``coach_seen_at``, sessions, the coach's active flag), so a restart
of the web server loses nothing. It is the job and not each inbox request because an idle coach
makes no requests: nothing else would notice them leaving.

A ticket is marked as handed back before Rasa is asked, so two web processes never both tell
the person; when Rasa cannot be reached the mark is taken back and the next run tries again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Optional

from loopbrug.conversation import is_web_sender
from loopbrug.handoff import store
from loopbrug.handoff.relay import RasaRelay, RelayError
from loopbrug.texts import text

logger = logging.getLogger(__name__)

LOGOUT, DEACTIVATED, IDLE = "logout", "deactivated", "idle"


def _why(reason: str, coach_name: str, idle: timedelta) -> str:
    """What the ticket's history says about the hand-back (data/texts/nl/inbox.yml)."""
    minutes = int(idle.total_seconds() // 60)
    return text(f"inbox.away_{reason}", coach=coach_name, minutes=minutes)


async def hand_back_away(
    relay: RasaRelay,
    ticket: store.Ticket,
    reason: str,
    idle: timedelta = timedelta(0),
    url: Optional[str] = None,
    seen_before: Optional[datetime] = None,
) -> bool:
    """Give the chat back to the bot because its coach is gone; True when it was done now.

    With ``seen_before`` (idle), a coach who acted after that moment keeps the chat.
    ``RelayError`` when Rasa cannot be reached (the ticket is live again).
    """
    ended = await asyncio.to_thread(store.end_live, ticket.ref, ticket.coach_id, seen_before, url)
    if ended is None:
        return False  # the coach came back, or another process was first
    notice = text("handoff.handback_away")
    try:
        await relay.hand_back(ended.conversation_id, notice)
    except RelayError:
        await asyncio.to_thread(store.restore_live, ticket.ref, url)
        raise
    if is_web_sender(ended.conversation_id):  # the widget reads notices from the relay log
        await asyncio.to_thread(store.add_relay, ended.conversation_id, "bot", notice, None, url)
    why = _why(reason, ended.coach_name or "", idle)
    await asyncio.to_thread(store.add_event, ticket.ref, None, "auto_handback", why, url)
    return True


async def release_gone(
    relay: RasaRelay, now: datetime, idle: timedelta, url: Optional[str] = None
) -> int:
    """Every live chat whose coach is gone goes back to the bot; returns how many (the job)."""
    done = 0
    for ticket, reason in await asyncio.to_thread(store.live_without_coach, now, idle, url):
        try:
            seen_before = now - idle if reason == IDLE else None
            if await hand_back_away(relay, ticket, reason, idle, url, seen_before):
                done += 1
                logger.info("presence: chat of %s back to the bot (%s)", ticket.ref, reason)
                if reason == DEACTIVATED and ticket.coach_id is not None:
                    why = text("inbox.away_released", coach=ticket.coach_name or "")
                    await asyncio.to_thread(store.release, ticket.ref, ticket.coach_id, why, url)
        except RelayError as error:
            logger.warning("presence: %s not handed back, retried later: %s", ticket.ref, error)
    return done


async def logged_out(
    relay: RasaRelay, coach: store.Coach, now: datetime, url: Optional[str] = None
) -> int:
    """After a logout: when the coach is logged in nowhere else, their chats go back to the
    bot. Returns how many; a chat Rasa did not take is left to the job."""
    if await asyncio.to_thread(store.has_session, coach.id, now, url):
        return 0
    return await _hand_back_all(relay, coach.id, LOGOUT, url)


async def _hand_back_all(relay: RasaRelay, coach_id: int, reason: str, url) -> int:
    done = 0
    for ticket in await asyncio.to_thread(store.open_tickets_of, coach_id, url):
        if not ticket.live:
            continue
        try:
            done += await hand_back_away(relay, ticket, reason, url=url)
        except RelayError as error:
            logger.warning("presence: %s not handed back, the job retries: %s", ticket.ref, error)
    return done


async def deactivated(relay: RasaRelay, coach: store.Coach, url: Optional[str] = None) -> int:
    """A coach's account was turned off: their chats go back to the bot and their tickets back
    to their teams' lists. Returns how many tickets went back; a live one Rasa did not take
    stays with the coach until the job hands it back."""
    await _hand_back_all(relay, coach.id, DEACTIVATED, url)
    why = text("inbox.away_released", coach=coach.first_name)
    released = 0
    for ticket in await asyncio.to_thread(store.open_tickets_of, coach.id, url):
        released += await asyncio.to_thread(store.release, ticket.ref, coach.id, why, url)
    return released
