"""Output: Rasa's bot messages as Telegram calls (message -> sendMessage, sendDocument).

Text is sent as plain text (no ``parse_mode``), so nothing a person or the bot writes is
interpreted as HTML or Markdown; long text is split (``split.py``); buttons become an inline
keyboard under the last part. A send that fails (after the rate limiter's retries) is logged
and dropped: it never breaks the conversation in Rasa. Message text is never logged.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import OutputChannel
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import TelegramError

from connectors.telegram.bot import BotHandle, describe
from connectors.telegram.payloads import ButtonPayloads
from connectors.telegram.split import split_text, telegram_length
from loopbrug import attachments
from loopbrug.conversation import telegram_chat_id
from loopbrug.texts import text as said

logger = logging.getLogger(__name__)

MAX_CAPTION_LENGTH = 1024  # Telegram's limit for a document's caption


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
        parts = split_text(text or "") or [said("channel.telegram_choose")]
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
                text = said("channel.telegram_coach_message", name=name.strip(), text=text)
            await self.send_text_message(recipient_id, text)
        else:
            logger.debug("telegram: custom payload without text not sent")

    async def _send_document(
        self, recipient_id: str, file: attachments.FileAttachment, caption: str
    ) -> None:
        """sendDocument: the file's text as UTF-8, the caption under it."""
        chat_id = self._chat_id(recipient_id)
        if chat_id is None:
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
            logger.error("telegram: sendDocument failed: %s", describe(error))
            return
        if caption and not short:
            await self.send_text_message(recipient_id, caption)

    async def answer_callback(self, callback_query_id: str) -> None:
        """Stop the spinner on the pressed button."""
        try:
            bot = await self.bot.get()
            await bot.answer_callback_query(callback_query_id)
        except TelegramError as error:
            logger.warning("telegram: answerCallbackQuery failed: %s", describe(error))

    @staticmethod
    def _chat_id(recipient_id: str) -> Optional[int]:
        try:
            return telegram_chat_id(recipient_id)
        except ValueError:
            logger.error("telegram: cannot send to a sender of another channel")
            return None

    async def _send(
        self, recipient_id: str, text: str, markup: Optional[InlineKeyboardMarkup] = None
    ) -> None:
        chat_id = self._chat_id(recipient_id)
        if chat_id is None:
            return
        try:
            bot = await self.bot.get()
            await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        except TelegramError as error:  # a lost message must not break the turn in Rasa
            logger.error("telegram: sendMessage failed: %s", describe(error))
