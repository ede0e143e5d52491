"""Tell the coaches' Telegram group about a new ticket (optional).

Only when both TELEGRAM_BOT_TOKEN and LOOPBRUG_COACH_TELEGRAM_CHAT_ID are set. The message
holds no personal data: the reference, topic, region, urgency and a link to the inbox, where
a coach must log in to read more. A failure is logged and never stops the handoff.
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from handoff.store import CRISIS, Ticket
from loopbrug.settings import Settings

logger = logging.getLogger(__name__)
URGENCY_WORDS = {1: "CRISIS, met voorrang", 2: "acute geldzorgen, met voorrang", 3: "normaal"}


def message_for(settings: Settings, ticket: Ticket, team_name: str, escalated: bool = False) -> str:
    heading = (
        f"Ticket {ticket.ref} is nu dringend (crisis), team {team_name}"
        if escalated
        else f"Nieuw ticket {ticket.ref} voor {team_name}"
    )
    lines = [
        ("🔴 " if ticket.urgency == CRISIS else "") + heading,
        f"Onderwerp: {ticket.topic}. Regio: {ticket.region or 'onbekend'}.",
        f"Urgentie: {URGENCY_WORDS.get(ticket.urgency, ticket.urgency)}.",
        f"{settings.inbox_url}/tickets/{ticket.ref}",
    ]
    return "\n".join(lines)


async def new_ticket(
    settings: Settings, ticket: Ticket, team_name: str, escalated: bool = False
) -> bool:
    """Send the notification (``escalated``: an open ticket became a crisis); True when sent."""
    if not (settings.telegram_bot_token and settings.coach_telegram_chat_id):
        return False
    from connectors.telegram.bot import build_bot

    bot = build_bot(settings, max_retries=1)
    try:
        async with bot:
            await bot.send_message(
                chat_id=settings.coach_telegram_chat_id,
                text=message_for(settings, ticket, team_name, escalated),
            )
        return True
    except TelegramError as error:
        logger.warning("coach notification not sent: %s", type(error).__name__)
        return False
