"""The Telegram input channel for Rasa: the webhook, one turn at a time per chat.

Telegram posts updates to ``POST /webhooks/telegram/webhook`` on the Rasa port. How an update
flows (the modules beside this one do each step)::

    Telegram --POST--> receive(): secret header? --no--> 401 (missing) / 403 (wrong)
                                  | yes
                                  update_id seen before? --yes--> 200, nothing else
                                  | no
                                  200 at once; a background task does the rest:
                                  read_update() (input.py): command -> intent,
                                      button -> payload (payloads.py), photo/... -> reply
                                  -> Rasa (one turn at a time per chat) -> TelegramOutput
                                  (output.py) -> sendMessage with an inline keyboard,
                                      split at 4096 (split.py)

* The ``X-Telegram-Bot-Api-Secret-Token`` header is compared in constant time. Without a
  configured secret every update is refused (403): an open webhook would let anyone speak
  for any chat.
* Redelivered ``update_id``s are processed once. The ids live in a bounded in-memory LRU, so
  this assumes one Rasa process per bot token (the default set-up). Telegram only redelivers
  when it got no 2xx, and we answer 200 before any slow work, so the window is small.
* Outbound calls go through ``telegram.ext.AIORateLimiter`` (bot.py): it keeps to Telegram's
  flood limits and, on HTTP 429 (``RetryAfter``), waits ``retry_after`` + 0.1 s and tries
  again, up to ``MAX_RETRIES`` times. A send that still fails is logged and dropped; it never
  breaks the conversation in Rasa.
* Action server slow or down (connectors/reliability.py): a turn still running after
  ``SLOW_REPLY_AFTER_S`` gets the slow text once; the answer follows by itself when the turn
  is done (the turn is never cancelled). A turn that sent no bot message at all gets the
  unavailable text when the action server does not answer its health URL, or when it was
  slow, unless a coach has the conversation (paused).

Settings come from the credentials entry (``token``, ``secret``, ``base_url``) or, when a key is
absent, from ``loopbrug.settings`` (``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_WEBHOOK_SECRET``,
``TELEGRAM_API_BASE_URL``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
from collections import OrderedDict
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Optional, Set

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Update

from connectors import reliability
from connectors.reliability import Turn
from connectors.telegram.bot import BotHandle, TelegramConfig, build_bot
from connectors.telegram.input import Incoming, read_update
from connectors.telegram.output import TelegramOutput
from connectors.telegram.payloads import ButtonPayloads
from loopbrug.settings import load_settings
from loopbrug.texts import text as said

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
MAX_UPDATE_BYTES = 1_000_000  # real updates are a few kB; refuse anything absurd
RECENT_UPDATES = 10_000  # update_ids remembered for redelivery checks
SHUTDOWN_GRACE_S = 10.0


Converse = Callable[[str, str], Awaitable[None]]


async def handle_incoming(incoming: Incoming, output: TelegramOutput, converse: Converse) -> None:
    """Answer the button press, send a direct reply, then let Rasa answer the text."""
    if incoming.callback_query_id:
        await output.answer_callback(incoming.callback_query_id)
    if incoming.reply:
        await output.send_text_message(incoming.sender, incoming.reply)
    if not incoming.text:
        return
    if incoming.cut:
        await output.send_text_message(incoming.sender, said("channel.too_long_note"))
    try:
        await converse(incoming.sender, incoming.text)
    except Exception:  # one failing turn gets an apology, not silence
        logger.exception("telegram: message handling failed")
        await output.send_text_message(incoming.sender, said("channel.error_reply"))


async def guarded_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    output: TelegramOutput,
    agent: Any = None,
) -> None:
    """One turn through Rasa: the slow text once when it is slow, never silence.

    The turn runs as a task of its own and is never cancelled (that would lose the message);
    its answer reaches the chat through ``output`` whenever it comes. Raises what the turn
    raised, so ``handle_incoming`` apologises as for any failing turn.
    """
    before = output.responses
    turn = Turn(on_new_message, message)
    late = not await turn.finished_within(reliability.SLOW_REPLY_AFTER_S)
    if late:
        logger.warning("telegram: turn slower than %ss", reliability.SLOW_REPLY_AFTER_S)
        await output.send_text_message(message.sender_id, reliability.slow_reply())
        await turn.finished_within(None)
    if turn.error is not None:
        raise turn.error
    if output.responses == before and (
        line := await reliability.reply_for_silence(agent, message.sender_id, late)
    ):
        await output.send_text_message(message.sender_id, line)


class ChatTurns:
    """One turn at a time per chat, in arrival order (asyncio.Lock is FIFO)."""

    def __init__(self) -> None:
        self._locks: Dict[str, asyncio.Lock] = {}
        self._users: Dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def turn(self, sender: str) -> AsyncIterator[None]:
        """Hold the chat's turn; the lock is dropped when nobody waits for it."""
        lock = self._locks.setdefault(sender, asyncio.Lock())
        self._users[sender] = self._users.get(sender, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[sender] -= 1
            if not self._users[sender]:
                del self._users[sender], self._locks[sender]


class RecentUpdates:
    """A bounded LRU of update_ids already accepted (one Rasa process per bot token)."""

    def __init__(self, max_entries: int = RECENT_UPDATES) -> None:
        self.max_entries = max_entries
        self._ids: OrderedDict[int, None] = OrderedDict()

    def seen(self, update_id: int) -> bool:
        """True when ``update_id`` came before; otherwise remember it and return False."""
        if update_id in self._ids:
            self._ids.move_to_end(update_id)
            return True
        self._ids[update_id] = None
        while len(self._ids) > self.max_entries:
            self._ids.popitem(last=False)
        return False


# ---------------------------------------------------------------- the Rasa input channel


def _digest(secret: str) -> bytes:
    """Equal-length values for compare_digest, so not even the secret's length leaks."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


class TelegramInput(InputChannel):
    """Webhook channel for Telegram; see the module docstring for the flow."""

    @classmethod
    def name(cls) -> str:
        """Channel name, and so the URL prefix ``/webhooks/telegram``."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> TelegramInput:
        """Read ``token``, ``secret``, ``base_url``; absent keys fall back to the settings."""
        credentials = credentials or {}
        settings = load_settings()

        def value(key: str, setting: Optional[str]) -> Optional[str]:
            raw = credentials.get(key) or setting or ""
            return str(raw).strip() or None

        token = value("token", settings.telegram_bot_token)
        if not token:
            cls.raise_missing_credentials_exception()
        return cls(
            token,
            value("secret", settings.telegram_webhook_secret),
            value("base_url", settings.telegram_api_base_url),
        )

    def __init__(self, token: str, secret: Optional[str], base_url: Optional[str] = None) -> None:
        self.config = TelegramConfig(token, secret, base_url)
        if not secret:
            logger.error(
                "telegram: TELEGRAM_WEBHOOK_SECRET is not set; every webhook call is refused"
            )
        elif not SECRET_PATTERN.match(secret):
            logger.error(
                "telegram: TELEGRAM_WEBHOOK_SECRET must be 1-256 of A-Z a-z 0-9 _ - "
                "or Telegram will not accept it"
            )
        self.payloads = ButtonPayloads()
        self.bot = BotHandle(lambda: build_bot(self.config))
        self._recent = RecentUpdates()
        self._turns = ChatTurns()
        self._tasks: Set[asyncio.Task] = set()

    def secret_refusal(self, given: Optional[str]) -> Optional[int]:
        """401 for a missing secret header, 403 for a wrong one, None when it matches."""
        expected = self.config.telegram_webhook_secret
        if not given:
            return 401
        if not expected or not hmac.compare_digest(_digest(given), _digest(expected)):
            return 403
        return None

    def get_output_channel(self) -> TelegramOutput:
        """For messages Rasa sends on its own (e.g. via the conversations API)."""
        return TelegramOutput(self.bot, self.payloads)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: health and webhook; the bot is shut down with the server."""
        webhook = Blueprint("loopbrug_telegram_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = self.secret_refusal(request.headers.get(SECRET_HEADER))
            if refusal:
                return response.json({"error": "secret token missing or wrong"}, status=refusal)
            if len(request.body or b"") > MAX_UPDATE_BYTES:
                return response.json({"error": "update too large"}, status=413)
            try:
                data = json.loads(request.body or b"")
            except ValueError:
                return response.json({"error": "not JSON"}, status=400)
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                return response.json({"error": "no update_id"}, status=400)
            if self._recent.seen(update_id):
                logger.info("telegram: update %s redelivered, skipped", update_id)
                return response.json({"status": "duplicate"})
            try:
                update = Update.de_json(data)
            except Exception:  # a retry would not parse better: acknowledge and drop
                logger.exception("telegram: update %s could not be read", update_id)
                return response.json({"status": "ignored"})
            agent = getattr(request.app.ctx, "agent", None)  # Rasa's; for the pause check
            self._spawn(self.process(update, on_new_message, agent))
            return response.json({"status": "ok"})

        @webhook.listener("before_server_stop")
        async def stop(*_: Any) -> None:
            await self.aclose()

        return webhook

    async def process(
        self,
        update: Update,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any = None,
    ) -> None:
        """Handle one accepted update (runs in the background, never raises)."""
        try:
            incoming = read_update(update, self.payloads)
            if incoming is None:
                return
            output = TelegramOutput(self.bot, self.payloads)

            async def converse(sender: str, text: str) -> None:
                message = UserMessage(text, output, sender, input_channel=self.name())
                await guarded_turn(on_new_message, message, output, agent)

            async with self._turns.turn(incoming.sender):
                await handle_incoming(incoming, output, converse)
        except Exception:
            logger.exception("telegram: update %s failed", update.update_id)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: Optional[float] = None) -> None:
        """Wait until every accepted update has been handled (tests, shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def aclose(self, grace: float = SHUTDOWN_GRACE_S) -> None:
        """Let running turns finish (up to ``grace`` seconds), then close the bot."""
        await self.drain(timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.bot.close()
