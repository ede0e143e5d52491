"""Telegram channel on python-telegram-bot (not Rasa's built-in aiogram channel).

Telegram posts updates to ``POST /webhooks/telegram/webhook`` on the Rasa port. Settings come
from the credentials entry (``token``, ``secret``, ``base_url``) or, when a key is absent, from
``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_WEBHOOK_SECRET`` and ``TELEGRAM_API_BASE_URL``. The base URL
is python-telegram-bot's ``base_url`` (default ``https://api.telegram.org/bot``; the token is
appended), so tests point the real bot at a fake Bot API on loopback.

How an update flows::

    Telegram --POST--> receive(): secret header? --no--> 401 (missing) / 403 (wrong)
                                  | yes
                                  update_id seen before? --yes--> 200, nothing else
                                  | no
                                  200 at once; a background task does the rest:
                                  read_update(): command -> intent, button -> payload,
                                                 photo/voice/... -> friendly reply
                                  -> Rasa (one turn at a time per chat) -> TelegramOutput
                                  -> sendMessage with an inline keyboard, split at 4096

* The ``X-Telegram-Bot-Api-Secret-Token`` header is compared in constant time. Without a
  configured secret every update is refused (403): an open webhook would let anyone speak
  for any chat.
* Redelivered ``update_id``s are processed once. The ids live in a bounded in-memory LRU, so
  this assumes one Rasa process per bot token (the default set-up). Telegram only redelivers
  when it got no 2xx, and we answer 200 before any slow work, so the window is small.
* Outbound calls go through ``telegram.ext.AIORateLimiter``: it keeps to Telegram's flood
  limits and, on HTTP 429 (``RetryAfter``), waits ``retry_after`` + 0.1 s and tries again, up
  to ``MAX_RETRIES`` times. A send that still fails is logged and dropped; it never breaks the
  conversation in Rasa.
* Text is sent as plain text (no ``parse_mode``), so nothing a person or the bot writes is
  interpreted as HTML or Markdown. Message text is never written to the log.
* Action server slow or down (connectors/reliability.py): a turn still running after
  ``SLOW_REPLY_AFTER_S`` gets ``SLOW_REPLY`` once; the answer follows by itself when the turn
  is done (the turn is never cancelled). A turn that sent no bot message at all gets
  ``UNAVAILABLE_REPLY`` when the action server does not answer its health URL, or when it
  was slow, unless a coach has the conversation (paused).

Local development without a public URL: ``python -m connectors.telegram --polling`` reads
updates with getUpdates and forwards them to a running Rasa REST channel (there a slow turn
answers ``SLOW_REPLY``, and its late answer stays in the tracker only).
``python -m connectors.telegram --set-webhook https://example.org/webhooks/telegram/webhook``
registers the webhook (with the secret) and the command menu.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Set

import httpx
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, ExtBot

from connectors import reliability
from connectors.reliability import SLOW_REPLY, Turn
from connectors.rest import EMPTY_REPLY, ERROR_REPLY, TOO_LONG_NOTE, clean_text
from loopbrug import attachments
from loopbrug.conversation import NOT_UNICODE, is_unicode_text

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SENDER_PREFIX = "tg-"
MAX_MESSAGE_LENGTH = 4096  # Telegram's limit, in UTF-16 code units
MAX_CAPTION_LENGTH = 1024  # Telegram's limit for a document's caption
MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit for callback_data
MAX_UPDATE_BYTES = 1_000_000  # real updates are a few kB; refuse anything absurd
MAX_RETRIES = 3  # retries after a 429 (RetryAfter), per request
RECENT_UPDATES = 10_000  # update_ids remembered for redelivery checks
STORED_PAYLOADS = 10_000  # long button payloads remembered under a short key
SHUTDOWN_GRACE_S = 10.0
ALLOWED_UPDATES = ["message", "callback_query"]
TOKEN_LOGGERS = ("httpx", "telegram.Bot", "telegram.ext.ExtBot")

# Telegram commands -> intents of the domain. /hulp is the Dutch alias of /help.
COMMANDS: Dict[str, str] = {
    "start": "/greet",
    "help": "/capabilities",
    "hulp": "/capabilities",
    "opnieuw": "/start_over",
    "stop": "/goodbye",
    "wis": "/delete_data",
}
MENU = [
    BotCommand("start", "Begin het gesprek"),
    BotCommand("help", "Waarmee kan ik helpen?"),
    BotCommand("opnieuw", "Opnieuw beginnen"),
    BotCommand("stop", "Gesprek afsluiten"),
    BotCommand("wis", "Mijn gegevens laten wissen"),
]

# What a person sent that is not text, in the order checked (an animation is also a
# document, a venue also a location).
NON_TEXT_KINDS = [
    ("photo", "een foto"),
    ("voice", "een spraakbericht"),
    ("video_note", "een videobericht"),
    ("video", "een video"),
    ("audio", "een geluidsbestand"),
    ("sticker", "een sticker"),
    ("animation", "een GIF"),
    ("document", "een bestand"),
    ("venue", "een locatie"),
    ("location", "een locatie"),
    ("contact", "een contact"),
    ("poll", "een peiling"),
    ("dice", "een dobbelsteen"),
]
NON_TEXT_REPLY = (
    "Je stuurde {what}. Dat kan ik helaas niet lezen. "
    "Ik lees alleen tekst en de knoppen onder mijn berichten. "
    "Typ je vraag gerust in een gewoon bericht."
)
LOCATION_HINT = " Zoek je een loket bij jou in de buurt? Typ dan je woonplaats of postcode."
EXPIRED_BUTTON_REPLY = (
    "Deze knop werkt niet meer. Typ je vraag gerust, of stuur /start om opnieuw te kiezen."
)
CHOOSE_TEXT = "Kies wat je wilt doen:"

SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\n\s*")


# ---------------------------------------------------------------- text and buttons


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji can count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _cut_hard(text: str, limit: int) -> List[str]:
    """Cut between characters (never inside an emoji's surrogate pair)."""
    parts, current, width = [], "", 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if width + size > limit:
            parts.append(current)
            current, width = "", 0
        current, width = current + char, width + size
    return parts + ([current] if current else [])


def _split_words(text: str, limit: int) -> List[str]:
    """Join words greedily up to ``limit``; a word longer than that is cut hard."""
    chunks: List[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if telegram_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        *full, current = _cut_hard(word, limit)
        chunks.extend(full)
    if current:
        chunks.append(current)
    return chunks


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> List[str]:
    """Cut text into messages of at most ``limit``: at sentence ends, else between words.

    Short text comes back unchanged (one message). Paragraph breaks inside a message are
    kept; a break where the text is cut disappears. Empty text gives no messages.
    """
    text = text.strip()
    if not text:
        return []
    if telegram_length(text) <= limit:
        return [text]
    chunks: List[str] = []
    current = ""
    position = 0
    for match in [*SENTENCE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        sentence = text[position:end]
        separator = match.group(0) if match else ""
        position = match.end() if match else len(text)
        if not sentence:
            continue
        if current and telegram_length(current + sentence) <= limit:
            current += sentence
        else:
            if current.strip():
                chunks.append(current.strip())
            if telegram_length(sentence) <= limit:
                current = sentence
            else:
                *full, current = _split_words(sentence, limit)
                chunks.extend(full)
        current += separator
    if current.strip():
        chunks.append(current.strip())
    return chunks


def command_intent(text: str) -> Optional[str]:
    """The intent payload for a Telegram command (``/start``, ``/wis@LoopbrugBot``), or None."""
    if not text.startswith("/"):
        return None
    words = text[1:].split(maxsplit=1)
    if not words:
        return None
    return COMMANDS.get(words[0].split("@", 1)[0].lower())


class ButtonPayloads:
    """Button payloads as callback_data; one longer than 64 bytes is kept here under a key.

    The key is a hash of the payload, so the same button always gets the same key. Keys live
    in this process only: after a restart an old long button answers EXPIRED_BUTTON_REPLY.
    """

    PREFIX = "#b:"

    def __init__(self, max_entries: int = STORED_PAYLOADS) -> None:
        self.max_entries = max_entries
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def callback_data(self, payload: str) -> str:
        """What to put in callback_data for ``payload`` (1 to 64 bytes)."""
        size = len(payload.encode("utf-8"))
        if 0 < size <= MAX_CALLBACK_DATA_BYTES and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.max_entries:
            self._payloads.popitem(last=False)
        return key

    def payload(self, callback_data: str) -> Optional[str]:
        """The payload behind callback_data; None when a stored one is no longer known."""
        if not callback_data.startswith(self.PREFIX):
            return callback_data
        return self._payloads.get(callback_data)


def inline_keyboard(
    buttons: List[Dict[str, Any]], payloads: ButtonPayloads
) -> InlineKeyboardMarkup:
    """Rasa buttons as an inline keyboard, one button per row."""
    rows = []
    for button in buttons:
        payload = str(button.get("payload") or button.get("title") or "")
        title = str(button.get("title") or payload)
        url = button.get("url")
        if url:
            rows.append([InlineKeyboardButton(title, url=str(url))])
        else:
            rows.append(
                [InlineKeyboardButton(title, callback_data=payloads.callback_data(payload))]
            )
    return InlineKeyboardMarkup(rows)


# ---------------------------------------------------------------- reading updates


@dataclass(frozen=True)
class Incoming:
    """What to do with one update: a direct reply, a text for Rasa, or both (in that order)."""

    sender: str
    text: Optional[str] = None
    reply: Optional[str] = None
    callback_query_id: Optional[str] = None
    cut: bool = False


def sender_for(chat_id: int) -> str:
    """Rasa sender id of a Telegram chat."""
    return f"{SENDER_PREFIX}{chat_id}"


def chat_id_of(sender: str) -> int:
    """Telegram chat id of a Rasa sender id; ValueError when it is not a Telegram sender."""
    if not sender.startswith(SENDER_PREFIX):
        raise ValueError("not a Telegram sender")
    return int(sender[len(SENDER_PREFIX) :])


GROUP_REPLY = (
    "Loopbrug praat alleen een op een, niet in een groep. "
    "Stuur me een privébericht, dan help ik je daar verder."
)


def _non_text_reply(message: Message) -> str:
    what = next((noun for kind, noun in NON_TEXT_KINDS if getattr(message, kind, None)), None)
    reply = NON_TEXT_REPLY.format(what=what or "iets anders dan tekst")
    if message.location or message.venue:
        reply += LOCATION_HINT
    return reply


def _text_incoming(sender: str, raw: str, **extra: Any) -> Incoming:
    if not is_unicode_text(raw):
        return Incoming(sender, reply=NOT_UNICODE, **extra)
    text, cut = clean_text(raw)
    if not text:
        return Incoming(sender, reply=EMPTY_REPLY, **extra)
    return Incoming(sender, text=command_intent(text) or text, cut=cut, **extra)


def _callback_incoming(query: CallbackQuery, payloads: ButtonPayloads) -> Incoming:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    sender = sender_for(chat_id)
    if query.message and query.message.chat.type != "private":
        return Incoming(sender, reply=GROUP_REPLY, callback_query_id=query.id)
    payload = payloads.payload(query.data or "")
    if payload is None:
        return Incoming(sender, reply=EXPIRED_BUTTON_REPLY, callback_query_id=query.id)
    return _text_incoming(sender, payload, callback_query_id=query.id)


def read_update(update: Update, payloads: ButtonPayloads) -> Optional[Incoming]:
    """Turn an update into an Incoming; None for updates the helpline ignores (edits, joins)."""
    if update.callback_query is not None:
        return _callback_incoming(update.callback_query, payloads)
    message = update.message
    if message is None:
        return None
    sender = sender_for(message.chat.id)
    if message.chat.type != "private":
        # In a group everyone would share one conversation (and see each other's answers):
        # the helpline only talks one to one.
        return Incoming(sender, reply=GROUP_REPLY)
    if message.text is not None:
        return _text_incoming(sender, message.text)
    reply = _non_text_reply(message)
    caption, _ = clean_text(message.caption or "")
    caption = caption if is_unicode_text(caption) else ""
    if caption:  # a screenshot with a question: answer the question too
        return Incoming(sender, reply=reply, text=caption)
    return Incoming(sender, reply=reply)


# ---------------------------------------------------------------- the bot and sending


class _RedactToken(logging.Filter):
    """Replaces the bot token in log lines (httpx logs every request URL, token included)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken log call is not ours to fix here
            return True
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), ()
        return True


def hide_token_in_logs(token: str) -> None:
    """Install the redacting filter once on the loggers that print request URLs."""
    for name in TOKEN_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, _RedactToken) and f.token == token for f in target.filters):
            target.addFilter(_RedactToken(token))


def build_bot(settings: Any, max_retries: int = MAX_RETRIES) -> ExtBot:
    """A bot for ``settings`` (anything with ``telegram_bot_token`` and ``telegram_api_base_url``).

    Only builds objects: no network until ``await bot.initialize()`` (which calls getMe).
    The AIORateLimiter throttles to Telegram's flood limits and retries a 429 ``max_retries``
    times after the ``retry_after`` Telegram asks for.
    """
    token = getattr(settings, "telegram_bot_token", None)
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    hide_token_in_logs(token)
    base_url = getattr(settings, "telegram_api_base_url", None)
    extra = {"base_url": base_url} if base_url else {}
    return ExtBot(token, rate_limiter=AIORateLimiter(max_retries=max_retries), **extra)


class BotHandle:
    """One bot, built and initialized on first use inside the running event loop."""

    def __init__(self, factory: Callable[[], ExtBot]) -> None:
        self._factory = factory
        self._bot: Optional[ExtBot] = None
        self._lock = asyncio.Lock()

    async def get(self) -> ExtBot:
        """The initialized bot (getMe is retried on the next call if it failed)."""
        async with self._lock:
            if self._bot is None:
                self._bot = self._factory()
            try:
                await self._bot.initialize()
            except InvalidToken:  # its message contains the token: do not log it
                raise TelegramError("the bot token was rejected by the Bot API") from None
            return self._bot

    async def close(self) -> None:
        """Close the HTTP connections of the bot, if it was ever built."""
        async with self._lock:
            if self._bot is not None:
                await self._bot.shutdown()
                self._bot = None


def _describe(error: Exception) -> str:
    return type(error).__name__ if isinstance(error, InvalidToken) else f"{error!r}"


class TelegramOutput(OutputChannel):
    """Sends bot messages to one Telegram chat: plain text, buttons as an inline keyboard."""

    @classmethod
    def name(cls) -> str:
        """Same name as the input channel."""
        return "telegram"

    def __init__(self, bot: BotHandle, payloads: ButtonPayloads) -> None:
        self.bot = bot
        self.payloads = payloads
        self.responses = 0  # bot messages Rasa handed over (to see a turn without an answer)

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Count Rasa's bot messages, then send them as usual."""
        self.responses += 1
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split into messages of at most 4096 characters."""
        for part in split_text(text or ""):
            await self._send(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with the buttons as an inline keyboard under its last part."""
        parts = split_text(text or "") or [CHOOSE_TEXT]
        for part in parts[:-1]:
            await self._send(recipient_id, part)
        await self._send(recipient_id, parts[-1], inline_keyboard(buttons, self.payloads))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send the image as a link (Telegram shows a preview)."""
        await self.send_text_message(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Send an attachment as a link."""
        await self.send_text_message(recipient_id, str(attachment))

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Send the ``text`` of a custom payload; never show raw JSON to a person.

        A coach's message (live takeover, loopbrug/handoff/relay.py) carries the coach's first name,
        so the person always sees that a human wrote it: "Anna (coach): ...". A file
        (loopbrug/attachments.py) is sent as a document with the text as its caption.
        """
        file = attachments.read_file(json_message)
        if file is not None and file.content is not None:
            await self._send_document(recipient_id, file, attachments.caption(json_message))
            return
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if isinstance(text, str):
            name = json_message.get("name")
            if json_message.get("from") == "coach" and isinstance(name, str) and name.strip():
                text = f"{name.strip()} (coach): {text}"
            await self.send_text_message(recipient_id, text)
        else:
            logger.debug("telegram: custom payload without text not sent")

    async def _send_document(
        self, recipient_id: str, file: attachments.FileAttachment, caption: str
    ) -> None:
        """sendDocument: the file's text as UTF-8, the caption under it."""
        try:
            chat_id = chat_id_of(recipient_id)
        except ValueError:
            logger.error("telegram: cannot send to a sender of another channel")
            return
        short = caption if telegram_length(caption) <= MAX_CAPTION_LENGTH else ""
        try:
            bot = await self.bot.get()
            await bot.send_document(
                chat_id=chat_id,
                document=InputFile((file.content or "").encode("utf-8"), filename=file.name),
                caption=short or None,
            )
        except TelegramError as error:  # a lost file must not break the turn in Rasa
            logger.error("telegram: sendDocument failed: %s", _describe(error))
            return
        if caption and not short:
            await self.send_text_message(recipient_id, caption)

    async def answer_callback(self, callback_query_id: str) -> None:
        """Stop the spinner on the pressed button."""
        try:
            bot = await self.bot.get()
            await bot.answer_callback_query(callback_query_id)
        except TelegramError as error:
            logger.warning("telegram: answerCallbackQuery failed: %s", _describe(error))

    async def _send(
        self, recipient_id: str, text: str, markup: Optional[InlineKeyboardMarkup] = None
    ) -> None:
        try:
            chat_id = chat_id_of(recipient_id)
        except ValueError:
            logger.error("telegram: cannot send to a sender of another channel")
            return
        try:
            bot = await self.bot.get()
            await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        except TelegramError as error:  # a lost message must not break the turn in Rasa
            logger.error("telegram: sendMessage failed: %s", _describe(error))


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
        await output.send_text_message(incoming.sender, TOO_LONG_NOTE)
    try:
        await converse(incoming.sender, incoming.text)
    except Exception:  # one failing turn gets an apology, not silence
        logger.exception("telegram: message handling failed")
        await output.send_text_message(incoming.sender, ERROR_REPLY)


async def guarded_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    output: TelegramOutput,
    agent: Any = None,
) -> None:
    """One turn through Rasa: ``SLOW_REPLY`` once when it is slow, never silence.

    The turn runs as a task of its own and is never cancelled (that would lose the message);
    its answer reaches the chat through ``output`` whenever it comes. Raises what the turn
    raised, so ``handle_incoming`` apologises as for any failing turn.
    """
    before = output.responses
    turn = Turn(on_new_message, message)
    late = not await turn.finished_within(reliability.SLOW_REPLY_AFTER_S)
    if late:
        logger.warning("telegram: turn slower than %ss", reliability.SLOW_REPLY_AFTER_S)
        await output.send_text_message(message.sender_id, SLOW_REPLY)
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


@dataclass(frozen=True)
class TelegramConfig:
    """The three settings of the channel, in the names of ``loopbrug.settings.Settings``."""

    telegram_bot_token: str
    telegram_webhook_secret: Optional[str] = None
    telegram_api_base_url: Optional[str] = None


class TelegramInput(InputChannel):
    """Webhook channel for Telegram; see the module docstring for the flow."""

    @classmethod
    def name(cls) -> str:
        """Channel name, and so the URL prefix ``/webhooks/telegram``."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> TelegramInput:
        """Read ``token``, ``secret``, ``base_url``; absent keys fall back to the environment."""
        credentials = credentials or {}

        def value(key: str, variable: str) -> Optional[str]:
            raw = credentials.get(key) or os.environ.get(variable, "")
            return str(raw).strip() or None

        token = value("token", "TELEGRAM_BOT_TOKEN")
        if not token:
            cls.raise_missing_credentials_exception()
        return cls(
            token,
            value("secret", "TELEGRAM_WEBHOOK_SECRET"),
            value("base_url", "TELEGRAM_API_BASE_URL"),
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


# ---------------------------------------------------------------- local development


async def poll(
    settings: Any,
    rest_url: str,
    stop: Optional[asyncio.Event] = None,
    client: Optional[httpx.AsyncClient] = None,
    poll_timeout: int = 25,
) -> None:
    """Long-poll Telegram and forward each message to Rasa's REST channel at ``rest_url``.

    For local development only (no public URL needed). Removes a registered webhook first,
    because Telegram allows getUpdates only without one. Stops when ``stop`` is set.
    """
    stop = stop or asyncio.Event()
    payloads = ButtonPayloads()
    handle = BotHandle(lambda: build_bot(settings))
    output = TelegramOutput(handle, payloads)
    own_client = client is None
    client = client or httpx.AsyncClient(timeout=60)

    async def converse(sender: str, text: str) -> None:
        reply = await client.post(rest_url, json={"sender": sender, "message": text})
        reply.raise_for_status()
        for message in reply.json():
            message = {k: v for k, v in message.items() if k != "recipient_id"}
            await output.send_response(sender, message)

    try:
        bot = await handle.get()
        await bot.delete_webhook()
        logger.info("telegram: polling as @%s, forwarding to %s", bot.username, rest_url)
        offset: Optional[int] = None
        while not stop.is_set():
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
            except NetworkError as error:
                logger.warning("telegram: getUpdates failed (%r); trying again", error)
                await asyncio.sleep(1)
                continue
            for update in updates:
                offset = update.update_id + 1
                incoming = read_update(update, payloads)
                if incoming is not None:
                    await handle_incoming(incoming, output, converse)
    finally:
        if own_client:
            await client.aclose()
        await handle.close()


async def set_webhook(settings: Any, url: str) -> None:
    """Register ``url`` (with the secret) as the webhook and set the command menu."""
    if not settings.telegram_webhook_secret:
        raise SystemExit("Set TELEGRAM_WEBHOOK_SECRET first: the webhook refuses calls without it.")
    handle = BotHandle(lambda: build_bot(settings))
    try:
        bot = await handle.get()
        await bot.set_webhook(
            url, secret_token=settings.telegram_webhook_secret, allowed_updates=ALLOWED_UPDATES
        )
        await bot.set_my_commands(MENU)
        print(f"webhook of @{bot.username} set to {url}")
    finally:
        await handle.close()


def main(argv: Optional[List[str]] = None) -> None:
    """``python -m connectors.telegram --polling`` or ``--set-webhook URL``."""
    from loopbrug.settings import load_settings

    parser = argparse.ArgumentParser(description="Loopbrug's Telegram channel, for operators.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--polling",
        action="store_true",
        help="read updates with getUpdates and forward them to the running Rasa REST channel",
    )
    mode.add_argument("--set-webhook", metavar="URL", help="register the public webhook URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per getUpdates is noise
    settings = load_settings()
    if not settings.telegram_bot_token:
        raise SystemExit("Set TELEGRAM_BOT_TOKEN (in the environment or .env).")
    if args.set_webhook:
        asyncio.run(set_webhook(settings, args.set_webhook))
        return
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(poll(settings, f"{settings.rasa_url}/webhooks/rest/webhook"))


if __name__ == "__main__":
    main()
