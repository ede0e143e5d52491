"""Input: what a Telegram update asks of the helpline (update -> ``Incoming``).

A command becomes its intent, a button press its payload, a photo or voice message a friendly
reply (and its caption a question), a group chat a pointer to a private chat. The text passes
the same input policy as the REST channel (``connectors.rest.clean_text``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from telegram import CallbackQuery, Message, Update

from connectors.rest import clean_text
from connectors.telegram.payloads import ButtonPayloads
from loopbrug.conversation import is_unicode_text, telegram_sender
from loopbrug.texts import text as said

# Telegram commands -> intents of the domain. /hulp is the Dutch alias of /help.
COMMANDS: Dict[str, str] = {
    "start": "/greet",
    "help": "/capabilities",
    "hulp": "/capabilities",
    "opnieuw": "/start_over",
    "stop": "/goodbye",
    "wis": "/delete_data",
}

# What a person sent that is not text, in the order checked (an animation is also a
# document, a venue also a location); each names itself in ``channel.telegram_sent_<kind>``.
NON_TEXT_KINDS = (
    "photo",
    "voice",
    "video_note",
    "video",
    "audio",
    "sticker",
    "animation",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
)


@dataclass(frozen=True)
class Incoming:
    """What to do with one update: a direct reply, a text for Rasa, or both (in that order)."""

    sender: str
    text: Optional[str] = None
    reply: Optional[str] = None
    callback_query_id: Optional[str] = None
    cut: bool = False


def command_intent(text: str) -> Optional[str]:
    """The intent payload for a Telegram command (``/start``, ``/wis@LoopbrugBot``), or None."""
    if not text.startswith("/"):
        return None
    words = text[1:].split(maxsplit=1)
    if not words:
        return None
    return COMMANDS.get(words[0].split("@", 1)[0].lower())


def _non_text_reply(message: Message) -> str:
    kind = next((kind for kind in NON_TEXT_KINDS if getattr(message, kind, None)), "other")
    reply = said("channel.telegram_non_text", what=said(f"channel.telegram_sent_{kind}"))
    if message.location or message.venue:
        reply += " " + said("channel.telegram_location_hint")
    return reply


def _text_incoming(sender: str, raw: str, **extra: Any) -> Incoming:
    if not is_unicode_text(raw):
        return Incoming(sender, reply=said("channel.not_unicode"), **extra)
    text, cut = clean_text(raw)
    if not text:
        return Incoming(sender, reply=said("channel.empty_reply"), **extra)
    return Incoming(sender, text=command_intent(text) or text, cut=cut, **extra)


def _callback_incoming(query: CallbackQuery, payloads: ButtonPayloads) -> Incoming:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    sender = telegram_sender(chat_id)
    if query.message and query.message.chat.type != "private":
        return Incoming(sender, reply=said("channel.telegram_group"), callback_query_id=query.id)
    payload = payloads.payload(query.data or "")
    if payload is None:
        expired = said("channel.telegram_expired_button")
        return Incoming(sender, reply=expired, callback_query_id=query.id)
    return _text_incoming(sender, payload, callback_query_id=query.id)


def read_update(update: Update, payloads: ButtonPayloads) -> Optional[Incoming]:
    """Turn an update into an Incoming; None for updates the helpline ignores (edits, joins)."""
    if update.callback_query is not None:
        return _callback_incoming(update.callback_query, payloads)
    message = update.message
    if message is None:
        return None
    sender = telegram_sender(message.chat.id)
    if message.chat.type != "private":
        # In a group everyone would share one conversation (and see each other's answers):
        # the helpline only talks one to one.
        return Incoming(sender, reply=said("channel.telegram_group"))
    if message.text is not None:
        return _text_incoming(sender, message.text)
    reply = _non_text_reply(message)
    caption, _ = clean_text(message.caption or "")
    caption = caption if is_unicode_text(caption) else ""
    if caption:  # a screenshot with a question: answer the question too
        return Incoming(sender, reply=reply, text=caption)
    return Incoming(sender, reply=reply)
