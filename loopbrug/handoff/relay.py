"""The live takeover, through Rasa's HTTP API: pause, relay, hand back, follow up.

A coach "takes over" by pausing the person's conversation in Rasa (a ``pause`` event). While
it is paused Rasa still receives and logs every message of the person (with its NLU result,
so a crisis message is flagged to the coach), but predicts no action: the bot stays silent.
Coach messages are appended as bot events with ``custom.from = "coach"``; with
``execute_side_effects`` and ``output_channel=latest`` Rasa also sends them out on the
person's own channel (Telegram pushes them; the web widget fetches them from the relay log,
because a browser has no address Rasa can push to). Handing back appends ``resume``.

The events go into Rasa's tracker, so the transcript the coach reads and the history the
widget shows after a reload are one and the same conversation.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import quote

import httpx

from loopbrug import texts
from loopbrug.conversation import PAUSE, RESUME, read_events
from loopbrug.money.registry import private_forms
from loopbrug.privacy.masking import mask
from loopbrug.settings import Settings

TIMEOUT_S = 10.0
# The follow-up is asked by action_handoff_status when this intent comes from the HTTP API
# (marked in its metadata, loopbrug/conversation.py), so no intent exists only for a timer.
FOLLOWUP_INTENT = "handoff_status"
# Likewise "Heeft de coach je geholpen?" after a close: action_feedback asks it when this
# intent comes from the HTTP API, and answers a person's own feedback otherwise.
SATISFACTION_INTENT = "give_feedback"


def hidden_amount() -> str:
    """What the coach reads instead of an answer typed into a private form."""
    return texts.text("inbox.hidden_amount")


class RelayError(Exception):
    """Rasa could not be reached or refused the change."""


def coach_event(name: str, text: str) -> Dict[str, Any]:
    """A coach message as a Rasa bot event (rendered by web/messages.py and Telegram)."""
    return {
        "event": "bot",
        "text": None,
        "data": {"custom": {"from": "coach", "name": name, "text": text}},
    }


def notice_event(text: str) -> Dict[str, Any]:
    """A message of the helpline itself ("Je praat nu met ...")."""
    return {"event": "bot", "text": text}


class RasaRelay:
    """Calls to Rasa's HTTP API for one helpline (token and address from settings)."""

    def __init__(
        self, settings: Settings, transport: Optional[httpx.AsyncBaseTransport] = None
    ) -> None:
        self._token = settings.rasa_api_token
        self._client = httpx.AsyncClient(
            base_url=settings.rasa_url, timeout=TIMEOUT_S, transport=transport, trust_env=False
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _params(self, **extra: str) -> Dict[str, str]:
        params = dict(extra)
        if self._token:
            params["token"] = self._token
        return params

    @staticmethod
    def _path(conversation_id: str, tail: str) -> str:
        return f"/conversations/{quote(conversation_id, safe='')}/{tail}"

    async def _append(self, conversation_id: str, events: List[Dict[str, Any]]) -> None:
        try:
            reply = await self._client.post(
                self._path(conversation_id, "tracker/events"),
                params=self._params(
                    execute_side_effects="true", output_channel="latest", include_events="NONE"
                ),
                json=events,
            )
        except httpx.HTTPError as exc:
            raise RelayError(f"Rasa not reachable ({type(exc).__name__})") from exc
        if reply.status_code != 200:
            raise RelayError(f"Rasa answered HTTP {reply.status_code}")

    async def take_over(self, conversation_id: str, notice: str) -> None:
        """Silence the bot for this person, end any open form, and tell the person."""
        await self._append(
            conversation_id,
            [
                {"event": "active_loop", "name": None},
                {"event": "slot", "name": "requested_slot", "value": None},
                {"event": "pause"},
                notice_event(notice),
            ],
        )

    async def notice(self, conversation_id: str, notice: str) -> None:
        """A message of the helpline in a paused chat (another coach has it now)."""
        await self._append(conversation_id, [notice_event(notice)])

    async def send(self, conversation_id: str, coach_name: str, text: str) -> None:
        """One coach message to the person."""
        await self._append(conversation_id, [coach_event(coach_name, text)])

    async def hand_back(self, conversation_id: str, notice: str) -> None:
        """The bot answers again from the next message on."""
        await self._append(conversation_id, [{"event": "resume"}, notice_event(notice)])

    async def followup(self, conversation_id: str) -> List[Dict[str, Any]]:
        """Let the bot ask whether contact happened; returns the messages for the widget."""
        return await self.trigger(conversation_id, FOLLOWUP_INTENT)

    async def ask_satisfaction(self, conversation_id: str) -> List[Dict[str, Any]]:
        """Let the bot ask whether the coach helped; returns the messages for the widget."""
        return await self.trigger(conversation_id, SATISFACTION_INTENT)

    async def trigger(self, conversation_id: str, intent: str) -> List[Dict[str, Any]]:
        """Run the bot on ``intent`` as if the helpline said it (Rasa's ``trigger_intent``):
        Telegram gets the answer pushed; the messages come back for the widget's relay log."""
        try:
            reply = await self._client.post(
                self._path(conversation_id, "trigger_intent"),
                params=self._params(output_channel="latest", include_events="NONE"),
                json={"name": intent, "entities": {}},
            )
        except httpx.HTTPError as exc:
            raise RelayError(f"Rasa not reachable ({type(exc).__name__})") from exc
        if reply.status_code != 200:
            raise RelayError(f"Rasa answered HTTP {reply.status_code}")
        messages = reply.json().get("messages")
        return messages if isinstance(messages, list) else []

    async def transcript(self, conversation_id: str) -> List[Dict[str, Any]]:
        """The conversation as the coach reads it, oldest first.

        Each item: ``{"from": "person" | "bot" | "coach", "text", "at", "name"?, "crisis"?}``.
        Button presses show as the button's title; a person's message that the crisis guard
        recognised carries ``"crisis": True``.
        """
        try:
            reply = await self._client.get(
                self._path(conversation_id, "tracker"), params=self._params(include_events="ALL")
            )
        except httpx.HTTPError as exc:
            raise RelayError(f"Rasa not reachable ({type(exc).__name__})") from exc
        if reply.status_code != 200:
            raise RelayError(f"Rasa answered HTTP {reply.status_code}")
        return transcript_from_events(reply.json().get("events") or [])


def transcript_from_events(events: Any) -> List[Dict[str, Any]]:
    """Readable lines from Rasa tracker events (see ``RasaRelay.transcript``)."""
    lines: List[Dict[str, Any]] = []
    titles: Dict[str, str] = {}  # payload -> title of the buttons of the latest bot message
    active_loop: Optional[str] = None
    for event in read_events(events):
        if event.is_active_loop():
            active_loop = event.name
        elif event.is_user() and active_loop in private_forms():
            # Amounts typed into the money check stay out of the coach's view, as the consent
            # text promises; the coach gets the money check's outcome in the summary.
            if event.text:
                lines.append({"from": "person", "text": hidden_amount(), "at": event.at})
        elif event.is_user():
            text = event.text
            if not text:
                continue
            if event.by_helpline:  # the follow-up job asked, the person did not type
                lines.append({"from": "system", "text": "navraag", "at": event.at})
                continue
            # Personal numbers are masked for the coach too (the contact wish is in the ticket).
            line = {"from": "person", "text": mask(titles.get(text, text)), "at": event.at}
            if event.intent == "crisis":
                line["crisis"] = True
            lines.append(line)
            titles = {}
        elif event.is_bot():
            text = event.bot_text
            if not text:
                continue
            for button in event.buttons:
                if button.get("payload") and button.get("title"):
                    titles[str(button["payload"])] = str(button["title"])
            line = {"from": "bot", "text": text, "at": event.at}
            if event.custom.get("from") == "coach":
                line["from"] = "coach"
                line["name"] = event.custom.get("name")
            lines.append(line)
        elif event.kind in (PAUSE, RESUME):
            lines.append({"from": "system", "text": event.kind, "at": event.at})
    return lines
