"""The python-telegram-bot bot: built from settings, with the token kept out of every log.

No Rasa here, but the core does not use it: the coach notifications build a plain Bot.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any, Callable, Optional

from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, ExtBot

from loopbrug.logs import hide_in_logs

MAX_RETRIES = 3  # retries after a 429 (RetryAfter), per request


@dataclass(frozen=True)
class TelegramConfig:
    """The three settings of the channel, in the names of ``loopbrug.settings.Settings``."""

    telegram_bot_token: str
    telegram_webhook_secret: Optional[str] = None
    telegram_api_base_url: Optional[str] = None


def build_bot(settings: Any, max_retries: int = MAX_RETRIES) -> ExtBot:
    """A bot for ``settings`` (anything with ``telegram_bot_token`` and ``telegram_api_base_url``).

    Only builds objects: no network until ``async with bot:`` (PTB initialises it with getMe,
    and shuts it down at the end). The AIORateLimiter throttles to Telegram's flood limits and
    retries a 429 ``max_retries`` times after the ``retry_after`` Telegram asks for. The
    ``base_url`` (default ``https://api.telegram.org/bot``, the token is appended) lets the
    tests point the real bot at a fake Bot API on loopback.
    """
    token = getattr(settings, "telegram_bot_token", None)
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    hide_in_logs(token)  # the same filter the coaches' notices use (loopbrug/logs.py)
    base_url = getattr(settings, "telegram_api_base_url", None)
    extra = {"base_url": base_url} if base_url else {}
    return ExtBot(token, rate_limiter=AIORateLimiter(max_retries=max_retries), **extra)


def describe(error: Exception) -> str:
    """An error for the log: never the message of InvalidToken, which holds the token."""
    return type(error).__name__ if isinstance(error, InvalidToken) else f"{error!r}"


class BotHandle:
    """One bot, started on first use inside the running event loop and stopped by ``close``.

    Starting is PTB's ``async with bot:`` (initialise with getMe; shut down at the end), held
    open across calls: the webhook's bot lives as long as Rasa's server, and the server's
    event loop only runs once requests come. A getMe that fails (Telegram not reachable at
    start-up) is tried again on the next use. ``async with BotHandle(...)`` closes it at the end.
    """

    def __init__(self, factory: Callable[[], ExtBot]) -> None:
        self._factory = factory
        self._bot: Optional[ExtBot] = None
        self._stack = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()

    async def get(self) -> ExtBot:
        """The started bot."""
        async with self._lock:
            if self._bot is None:
                try:
                    self._bot = await self._stack.enter_async_context(self._factory())
                except InvalidToken:  # its message contains the token: do not log it
                    raise TelegramError("the bot token was rejected by the Bot API") from None
            return self._bot

    async def close(self) -> None:
        """Shut the bot down (its HTTP connections), if it was ever started."""
        async with self._lock:
            stack, self._stack, self._bot = self._stack, contextlib.AsyncExitStack(), None
            await stack.aclose()

    async def __aenter__(self) -> BotHandle:
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.close()
