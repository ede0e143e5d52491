"""REST channel that never lets bad input break a conversation.

Same contract as Rasa's built-in REST channel (``POST /webhooks/rest/webhook`` with
``{"sender": ..., "message": ...}``, answer: a JSON list of bot messages), plus:

* malformed JSON or missing/invalid fields get HTTP 400 with a Dutch error text,
  and nothing reaches the tracker;
* an empty or whitespace-only message gets a friendly reply without disturbing the dialogue;
* a very long message is cut to ``MAX_MESSAGE_CHARS`` and the person is told so (the texts are
  data: ``channel.*`` in data/texts/nl/channel.yml);
* control characters are removed; the text is otherwise passed on as typed, and every
  channel shows bot text as text, so HTML in a message is harmless;
* message text is never written to the log (privacy);
* action server slow or down (connectors/reliability.py): a turn that takes longer than
  ``SLOW_REPLY_AFTER_S`` is answered at once with the slow text and finishes in the
  background; its late messages reach a web widget person through the relay log the widget
  polls (``/api/updates``; text only, buttons are not carried). Other REST senders find the
  late answer in the tracker only. A turn without any bot message gets the unavailable text
  when the action server is down (or the turn was slow), unless a coach has the conversation.
  Every path answers HTTP 200 with a list of messages, never a 500.

The channel changes nothing in Rasa: Rasa's own extensions are applied when its process starts
(bot/extensions/, bot/rasa_server.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import reliability
from connectors.reliability import Turn
from loopbrug.conversation import is_unicode_text, is_web_sender, person_metadata
from loopbrug.texts import text as said

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]+$")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidRequest(ValueError):
    """The request body cannot be turned into a user message; the text says why (by key)."""

    def __init__(self, key: str) -> None:
        super().__init__(said(key))
        self.key = key


def clean_text(text: str) -> Tuple[str, bool]:
    """Remove control characters and cut long text; return (text, was_cut)."""
    text = CONTROL_CHARS.sub("", text).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        return text[:MAX_MESSAGE_CHARS], True
    return text, False


def parse_body(request: Request) -> Tuple[str, str, Dict[str, Any]]:
    """Validate the JSON body and return (sender, text, metadata)."""
    try:
        body = request.json
    except Exception as exc:  # Sanic raises InvalidUsage for broken JSON
        raise InvalidRequest("channel.rest_not_json") from exc
    if not isinstance(body, dict):
        raise InvalidRequest("channel.rest_not_an_object")
    sender = body.get("sender")
    message = body.get("message")
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
        raise InvalidRequest("channel.rest_bad_sender")
    if not SENDER_PATTERN.match(sender):
        raise InvalidRequest("channel.rest_sender_characters")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise InvalidRequest("channel.rest_message_not_text")
    if not is_unicode_text(message):
        raise InvalidRequest("channel.not_unicode")
    # Keys only the server may set (loopbrug/conversation.py) never come from a client.
    return sender, message, person_metadata(body.get("metadata"))


class GuardedRestInput(RestInput):
    """Rasa's REST channel with input validation; keeps the name ``rest``."""

    def __init__(self) -> None:
        super().__init__()
        self._late_tasks: Set[asyncio.Task] = set()  # slow turns still being delivered

    @classmethod
    def name(cls) -> str:
        """Channel name, and so the URL prefix ``/webhooks/rest``."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: health and webhook."""
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, raw_text, metadata = parse_body(request)
            except InvalidRequest as error:
                return response.json({"error": str(error)}, status=400)

            text, was_cut = clean_text(raw_text)
            if not text:
                empty = said("channel.empty_reply")
                return response.json([{"recipient_id": sender, "text": empty}])

            agent = getattr(request.app.ctx, "agent", None)
            messages = await self.handle(on_new_message, text, sender, metadata, agent)
            if was_cut:
                note = said("channel.too_long_note")
                messages.insert(0, {"recipient_id": sender, "text": note})
            return response.json(messages)

        return webhook

    async def handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender: str,
        metadata: Optional[Dict[str, Any]],
        agent: Any = None,
    ) -> List[Dict[str, Any]]:
        """Pass one message to Rasa and collect the answers, within ``SLOW_REPLY_AFTER_S``.

        ``agent`` (Rasa's, from ``request.app.ctx.agent``) is only used to see whether a coach
        has the conversation; without it a conversation counts as not paused.
        """
        collector = CollectingOutputChannel()
        turn = Turn(
            on_new_message,
            UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata),
        )
        answered = 0  # how many of the turn's messages this HTTP answer carries
        try:
            if await turn.finished_within(reliability.SLOW_REPLY_AFTER_S):
                messages = list(collector.messages)
                if turn.error is not None:  # one failing turn must not become a 500
                    logger.error("rest: message handling failed", exc_info=turn.error)
                    messages.append({"recipient_id": sender, "text": said("channel.error_reply")})
                elif not messages and (
                    line := await reliability.reply_for_silence(agent, sender, late=False)
                ):
                    messages.append({"recipient_id": sender, "text": line})
                return messages
            logger.warning(
                "rest: turn slower than %ss, answered for now", reliability.SLOW_REPLY_AFTER_S
            )
            answered = len(collector.messages)
            slow = {"recipient_id": sender, "text": reliability.slow_reply()}
            return [*collector.messages[:answered], slow]
        finally:
            # Still running: timed out above, or this handler was cancelled (the client hung
            # up). The turn goes on; its later messages are delivered when it is done.
            if not turn.done:
                self._spawn(self.deliver_late(turn, collector, answered, sender, agent))

    async def deliver_late(
        self,
        turn: Turn,
        collector: CollectingOutputChannel,
        answered: int,
        sender: str,
        agent: Any = None,
    ) -> None:
        """After a slow turn: its messages from ``answered`` on go to the widget's relay log."""
        try:
            await turn.finished_within(None)
            late = collector.messages[answered:]
            texts = [t for t in (message_text(m) for m in late) if t]
            if turn.error is not None:
                logger.error("rest: message handling failed", exc_info=turn.error)
                texts.append(said("channel.error_reply"))
            elif not late and (line := await reliability.reply_for_silence(agent, sender, True)):
                texts.append(line)
            if not texts:
                return
            if not is_web_sender(sender):
                logger.info("rest: %d late message(s) kept in the tracker only", len(texts))
                return
            await asyncio.to_thread(relay_to_widget, sender, texts)
        except Exception:
            logger.exception("rest: a late answer could not be delivered")

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._late_tasks.add(task)
        task.add_done_callback(self._late_tasks.discard)


def message_text(message: Dict[str, Any]) -> str:
    """The text of a collected bot message (or of its custom payload), for the relay log."""
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        custom = message.get("custom")
        text = custom.get("text") if isinstance(custom, dict) else None
    return text.strip() if isinstance(text, str) else ""


def relay_to_widget(sender: str, texts: List[str]) -> None:
    """Write late bot messages where the widget polls for them (blocking: run in a thread).

    The relay log (loopbrug/handoff/store.py) is what ``GET /api/updates`` shows as bot messages; it
    lives in DATABASE_URL, which the Rasa process has in its environment.
    """
    from loopbrug.handoff import store  # only a slow web turn needs it; keeps Rasa's start-up lean

    for text in texts:
        store.add_relay(sender, "bot", text)
