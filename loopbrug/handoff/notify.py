"""Tell the coaches' Telegram group about a new ticket (optional).

Only when both TELEGRAM_BOT_TOKEN and LOOPBRUG_COACH_TELEGRAM_CHAT_ID are set. The message
holds no personal data: the reference, topic, region, urgency and a link to the inbox, where
a coach must log in to read more. A failure is logged and never stops the handoff.

The message goes out with python-telegram-bot's plain ``telegram.Bot``: ``async with bot``
is PTB's own initialize (getMe) and shutdown, so no connection outlives the call. The
Telegram channel (connectors/telegram/) is not used here: it would pull Rasa into the core.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from loopbrug.handoff.store import CRISIS, Ticket
from loopbrug.labels import urgency_notice
from loopbrug.logs import hide_in_logs
from loopbrug.settings import Settings
from loopbrug.texts import text

logger = logging.getLogger(__name__)


def message_for(settings: Settings, ticket: Ticket, team_name: str, escalated: bool = False) -> str:
    """The notification's text (for coaches: reference, topic, region, urgency, link)."""
    heading = text(
        "inbox.notify_escalated" if escalated else "inbox.notify_new",
        ref=ticket.ref,
        team=team_name,
    )
    region = ticket.region or text("inbox.notify_region_unknown")
    lines = [
        ("🔴 " if ticket.urgency == CRISIS else "") + heading,
        text("inbox.notify_topic", topic=ticket.topic, region=region),
        text("inbox.notify_urgency", urgency=urgency_notice(ticket.urgency)),
        f"{settings.inbox_url}/tickets/{ticket.ref}",
    ]
    return "\n".join(lines)


def build_bot(settings: Settings) -> Bot:
    """A bot for the configured token and Bot API address; no network until it is entered."""
    token = settings.telegram_bot_token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    hide_in_logs(token)
    base_url = settings.telegram_api_base_url
    return Bot(token, base_url=base_url) if base_url else Bot(token)


async def new_ticket(
    settings: Settings, ticket: Ticket, team_name: str, escalated: bool = False
) -> bool:
    """Send the notification (``escalated``: an open ticket became a crisis); True when sent."""
    if not (settings.telegram_bot_token and settings.coach_telegram_chat_id):
        return False
    bot = build_bot(settings)
    try:
        async with bot:
            await bot.send_message(
                chat_id=settings.coach_telegram_chat_id,
                text=message_for(settings, ticket, team_name, escalated),
            )
        return True
    except TelegramError as error:  # InvalidToken's message holds the token: only the type
        logger.warning("coach notification not sent: %s", type(error).__name__)
        return False
