"""Telegram's "typing…" under the bot's name while a coach types to a Telegram user.

Coach messages reach Telegram through Rasa (relay.py appends them to the tracker and Rasa's
Telegram channel sends them), but Rasa has no event for "typing". So the web process calls
the Bot API itself: ``sendChatAction`` with ``typing``, through python-telegram-bot with the
same token and Bot API address as the channel (notify.build_bot). Telegram shows it for about
5 seconds or until the next message, so the coach's page asks at most every
``INTERVAL_S`` seconds per chat (typing.Throttle).

Telegram does not tell a bot when a *person* types, so the other direction exists only in
the web widget. A failure is logged (its type only) and never stops anything: it is a hint.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Optional

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from loopbrug.conversation import is_telegram_sender, telegram_chat_id
from loopbrug.handoff.notify import build_bot
from loopbrug.handoff.typing import Throttle
from loopbrug.settings import Settings

logger = logging.getLogger(__name__)

INTERVAL_S = 4.0


class TelegramTyping:
    """Sends "typing" to Telegram chats; one bot for the process, closed by ``aclose``."""

    def __init__(self, settings: Settings, throttle: Optional[Throttle] = None) -> None:
        self._settings = settings
        self._throttle = throttle or Throttle(INTERVAL_S)
        self._bot: Optional[Bot] = None

    @property
    def enabled(self) -> bool:
        """Only with a bot token (TELEGRAM_BOT_TOKEN)."""
        return bool(self._settings.telegram_bot_token)

    def due(self, conversation_id: str) -> bool:
        """True when a "typing" should go to this conversation now (a Telegram chat, not sent
        in the last ``INTERVAL_S`` seconds); the caller then calls ``send``."""
        if not self.enabled or not is_telegram_sender(conversation_id):
            return False
        return self._throttle.due(conversation_id)

    def sent_message(self, conversation_id: str) -> None:
        """The coach's message went out: Telegram ended the "typing", the next may go at once."""
        self._throttle.reset(conversation_id)

    async def send(self, conversation_id: str) -> bool:
        """``sendChatAction`` typing to the chat of ``conversation_id``; True when Telegram
        took it."""
        try:
            chat_id = telegram_chat_id(conversation_id)
        except ValueError:
            return False
        try:
            if self._bot is None:
                self._bot = await self._started_bot()
            await self._bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
            return True
        except TelegramError as error:  # InvalidToken's message holds the token: only the type
            logger.info("telegram typing not sent: %s", type(error).__name__)
            return False

    async def _started_bot(self) -> Bot:
        bot = build_bot(self._settings)
        try:
            await bot.initialize()  # getMe once for the process, not per signal
        except TelegramError:
            with contextlib.suppress(TelegramError):
                await bot.shutdown()
            raise
        return bot

    async def aclose(self) -> None:
        """Close the bot's connections (on the web server's cleanup)."""
        if self._bot is not None:
            bot, self._bot = self._bot, None
            try:
                await bot.shutdown()
            except TelegramError as error:
                logger.info("telegram typing: shutdown failed (%s)", type(error).__name__)
