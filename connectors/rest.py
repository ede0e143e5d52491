"""REST channel that never lets bad input break a conversation.

Same contract as Rasa's built-in REST channel (``POST /webhooks/rest/webhook`` with
``{"sender": ..., "message": ...}``, answer: a JSON list of bot messages), plus:

* malformed JSON or missing/invalid fields get HTTP 400 with a Dutch error text,
  and nothing reaches the tracker;
* an empty or whitespace-only message gets a friendly reply without disturbing the dialogue;
* a very long message is cut to ``MAX_MESSAGE_CHARS`` and the person is told so;
* control characters are removed; the text is otherwise passed on as typed, and every
  channel shows bot text as text, so HTML in a message is harmless;
* message text is never written to the log (privacy).
"""

from __future__ import annotations

import logging
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]+$")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

EMPTY_REPLY = "Ik kreeg een leeg bericht. Typ je vraag gerust, of kies een knop."
ERROR_REPLY = (
    "Sorry, er ging bij mij iets mis. Je bericht is niet kwijt. "
    "Probeer het zo nog eens, of typ 'coach' voor een mens."
)
TOO_LONG_NOTE = (
    "Je bericht was erg lang. Ik heb het begin gelezen. "
    "Stuur gerust een korter bericht als ik iets mis."
)


class InvalidRequest(ValueError):
    """The request body cannot be turned into a user message."""


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
        raise InvalidRequest("Het bericht is geen geldige JSON.") from exc
    if not isinstance(body, dict):
        raise InvalidRequest("Stuur een JSON-object met 'sender' en 'message'.")
    sender = body.get("sender")
    message = body.get("message")
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
        raise InvalidRequest("'sender' ontbreekt of is ongeldig.")
    if not SENDER_PATTERN.match(sender):
        raise InvalidRequest("'sender' bevat tekens die niet mogen.")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise InvalidRequest("'message' moet tekst zijn.")
    metadata = body.get("metadata")
    return sender, message, metadata if isinstance(metadata, dict) else {}


class GuardedRestInput(RestInput):
    """Rasa's REST channel with input validation; keeps the name ``rest``."""

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
                return response.json([{"recipient_id": sender, "text": EMPTY_REPLY}])

            messages = await self.handle(on_new_message, text, sender, metadata)
            if was_cut:
                messages.insert(0, {"recipient_id": sender, "text": TOO_LONG_NOTE})
            return response.json(messages)

        return webhook

    async def handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender: str,
        metadata: Optional[Dict[str, Any]],
    ) -> List[Dict[str, Any]]:
        """Pass one message to Rasa and collect the answers."""
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )
        except CancelledError:
            logger.error("rest: message handling was cancelled (timeout)")
            collector.messages.append({"recipient_id": sender, "text": ERROR_REPLY})
        except Exception:  # one failing turn must not become a 500 for the person
            logger.exception("rest: message handling failed")
            collector.messages.append({"recipient_id": sender, "text": ERROR_REPLY})
        return collector.messages
