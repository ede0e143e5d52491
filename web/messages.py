"""Turn Rasa's bot messages and tracker events into what the widget shows.

The widget gets plain data, never markup: ``{"from": "bot" | "coach" | "user", "text": ...}``
(a coach message also has ``"name"``), and the quick replies of the latest bot turn as
``[{"title", "payload"}]``. The widget puts every text in the page with ``textContent``.

A coach who takes over a conversation (the handoff feature) sends a bot message with
``"custom": {"from": "coach", "name": "Anna"}``; its text is in ``text`` or ``custom.text``.
A file for the person (loopbrug/attachments.py) becomes ``"file": {"name", "url"}``: the
widget shows a download link to that route of this server, never the file's content.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from loopbrug import attachments
from loopbrug.conversation import read_events

MAX_BUTTONS = 12
MAX_TITLE_CHARS = 200
MAX_PAYLOAD_CHARS = 500
MAX_NAME_CHARS = 80
MAX_HISTORY_MESSAGES = 300


def clean_buttons(raw: Any) -> List[Dict[str, str]]:
    """Quick replies with a text title and a text payload; anything else is dropped."""
    if not isinstance(raw, list):
        return []
    buttons = []
    for button in raw:
        if not isinstance(button, dict):
            continue
        title, payload = button.get("title"), button.get("payload")
        if not isinstance(title, str) or not title.strip():
            continue
        if not isinstance(payload, str) or not payload.strip():
            payload = title  # Rasa allows a button without payload: it sends its title
        if len(title) > MAX_TITLE_CHARS or len(payload) > MAX_PAYLOAD_CHARS:
            continue
        buttons.append({"title": title.strip(), "payload": payload.strip()})
        if len(buttons) == MAX_BUTTONS:
            break
    return buttons


def bot_message(raw: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """One bot message as the widget shows it, or None when there is nothing to show.

    ``raw`` is a message of the REST webhook's answer, or a tracker's bot event flattened
    (``{"text": ..., **event["data"]}``). Buttons stay on the message here; ``turn()`` moves
    them to the turn.
    """
    text = raw.get("text")
    text = text if isinstance(text, str) else ""
    custom = raw.get("custom")
    shown: Dict[str, Any] = {"from": "bot"}
    if isinstance(custom, dict) and custom.get("from") == "coach":
        shown["from"] = "coach"
        name = custom.get("name")
        if isinstance(name, str) and name.strip():
            shown["name"] = name.strip()[:MAX_NAME_CHARS]
        if not text.strip() and isinstance(custom.get("text"), str):
            text = custom["text"]
    file = attachments.read_file(custom)
    if file is not None and file.url is not None:
        shown["file"] = {"name": file.name, "url": file.url}
        text = text if text.strip() else attachments.caption(custom)
    buttons = clean_buttons(raw.get("buttons"))
    if not text.strip() and not buttons:
        return None
    shown["text"] = text.strip()
    if buttons:
        shown["buttons"] = buttons
    return shown


def turn(messages: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """``{"messages": [...], "buttons": [...]}``: the quick replies offered are those of the
    last message that has any, and only when no person's message came after it."""
    shown: List[Dict[str, Any]] = []
    buttons: List[Dict[str, str]] = []
    for message in messages:
        message = dict(message)
        if message.get("from") == "user":
            buttons = []
        elif message.get("buttons"):
            buttons = message["buttons"]
        message.pop("buttons", None)
        if message.get("text"):
            shown.append(message)
    return {"messages": shown, "buttons": buttons}


def webhook_reply(reply: Any) -> Dict[str, Any]:
    """The REST webhook's JSON list of bot messages, for the widget."""
    if not isinstance(reply, list):
        raise ValueError("the REST webhook did not answer with a list")
    shown = (bot_message(m) for m in reply if isinstance(m, dict))
    return turn(m for m in shown if m is not None)


def history(events: Any, limit: int = MAX_HISTORY_MESSAGES) -> Dict[str, Any]:
    """The conversation so far from a tracker's events, oldest first (at most ``limit``).

    A quick reply reaches the tracker as its payload (``/funding_overview``); it is shown as
    the button's title, as the widget showed it when it was clicked.
    """
    if not isinstance(events, list):
        raise ValueError("the tracker has no list of events")
    shown: List[Dict[str, Any]] = []
    titles: Dict[str, str] = {}  # payload -> title of the buttons of the latest bot turn
    for event in read_events(events):
        if event.is_user():
            text = event.text
            if not text or event.by_helpline:  # by_helpline: the follow-up job asked
                continue
            shown.append({"from": "user", "text": titles.get(text, text)})
            titles = {}
        elif event.is_bot():
            # Event.text is stripped, as bot_message strips every text it shows.
            message = bot_message({**event.bot_data, "text": event.text})
            if message is None:
                continue
            for button in message.get("buttons", []):
                titles[button["payload"]] = button["title"]
            shown.append(message)
    result = turn(shown)
    result["messages"] = result["messages"][-limit:]
    return result
