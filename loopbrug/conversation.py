"""Conventions of a conversation that every layer reads the same way.

Three things live here and nowhere else:

* **Sender ids.** Which channel a Rasa conversation id belongs to: ``web-<session id>`` for the
  web widget (web/app.py issues the session), ``tg-<chat id>`` for Telegram, anything else for
  other REST clients. Code builds and reads sender ids only with the functions below.
* **The tracker-event reader.** Rasa's tracker events (the JSON of its HTTP API, rasa-sdk's
  ``tracker.events``, or Rasa's own event objects through ``as_dict()``) are read through
  :func:`read_events` and :class:`Event`: one place knows that a kind is in ``"event"``, an
  intent in ``parse_data.intent.name``, a coach's name in ``data.custom.name``. Every other
  module of actions/, loopbrug/, web/ and connectors/ reads events through it (a test in
  tests/unit/test_conversation.py fails on ``event.get("event")`` anywhere else).
* **What only the server may mark.** Which user messages did the helpline trigger itself (the
  follow-up question of "niet loslaten", through Rasa's HTTP API), rather than the person typing
  them? Rasa marks such a message with ``metadata.is_external = True``. Its text also starts
  with "EXTERNAL: ", but a person can type that, so the text is never trusted: a person's
  message is always shown as theirs, crisis flag included. The channels drop the marker from
  whatever metadata a person's client sends, so only the server can set it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

# rasa.shared.core.constants.IS_EXTERNAL, copied: this package imports no Rasa (a unit test
# checks that the two stay equal).
IS_EXTERNAL = "is_external"
# Metadata keys only the server may set on a person's message.
RESERVED_METADATA = frozenset({IS_EXTERNAL})


def triggered_by_helpline(message: Mapping[str, Any]) -> bool:
    """True for a user event (or a latest_message) the helpline created, not the person."""
    metadata = message.get("metadata")
    return isinstance(metadata, Mapping) and metadata.get(IS_EXTERNAL) is True


def person_metadata(raw: Any) -> Dict[str, Any]:
    """Metadata a person's client sent, without the keys only the server may set."""
    if not isinstance(raw, Mapping):
        return {}
    return {key: value for key, value in raw.items() if key not in RESERVED_METADATA}


def is_unicode_text(value: str) -> bool:
    """True when ``value`` is text that can be stored and sent on (valid UTF-8).

    A lone surrogate ("\\ud800") is valid in a Python or JSON string but cannot be encoded:
    it once broke the widget with a 500 and a REST message was lost. Every channel refuses such
    input up front with the same answer (``loopbrug.texts.text("channel.not_unicode")``:
    REST and the widget answer HTTP 400 with it, Telegram sends it in the chat).
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---------------------------------------------------------------- sender ids

_WEB_PREFIX = "web-"
_TELEGRAM_PREFIX = "tg-"


def web_sender(session_id: str) -> str:
    """The Rasa sender id of a web widget session."""
    return _WEB_PREFIX + session_id


def is_web_sender(sender_id: Any) -> bool:
    """True for a conversation that comes from the web widget."""
    return isinstance(sender_id, str) and sender_id.startswith(_WEB_PREFIX)


def web_session_of(sender_id: Any) -> Optional[str]:
    """The widget session id in a web sender id, or None for another channel's sender."""
    return sender_id[len(_WEB_PREFIX) :] if is_web_sender(sender_id) else None


def web_senders_like() -> str:
    """An SQL ``LIKE`` pattern that matches every web sender id (and nothing else)."""
    return _WEB_PREFIX + "%"  # the prefix holds no % or _ of its own


def telegram_sender(chat_id: int) -> str:
    """The Rasa sender id of a Telegram chat."""
    return f"{_TELEGRAM_PREFIX}{chat_id}"


def is_telegram_sender(sender_id: Any) -> bool:
    """True for a conversation that comes from Telegram."""
    return isinstance(sender_id, str) and sender_id.startswith(_TELEGRAM_PREFIX)


def telegram_chat_id(sender_id: str) -> int:
    """The Telegram chat id of a sender id; ValueError when it is not a Telegram sender."""
    if not is_telegram_sender(sender_id):
        raise ValueError("not a Telegram sender")
    return int(sender_id[len(_TELEGRAM_PREFIX) :])


# ---------------------------------------------------------------- the tracker-event reader

# Kinds of event (Rasa's "event" field) that the helpline reads.
USER = "user"
BOT = "bot"
ACTION = "action"
SLOT = "slot"
ACTIVE_LOOP = "active_loop"
RESTART = "restart"
SESSION_STARTED = "session_started"
PAUSE = "pause"
RESUME = "resume"
ACTION_LISTEN = "action_listen"
REQUESTED_SLOT = "requested_slot"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class Event:
    """One tracker event, read the same way everywhere. Missing fields read as empty."""

    data: Mapping[str, Any]

    @property
    def kind(self) -> str:
        """``user``, ``bot``, ``action``, ``slot``, ``active_loop``, ``restart``, ..."""
        kind = self.data.get("event")
        return kind if isinstance(kind, str) else ""

    @property
    def name(self) -> Optional[str]:
        """The action's, slot's or active loop's name (None for a loop that ended)."""
        name = self.data.get("name")
        return name if isinstance(name, str) else None

    @property
    def value(self) -> Any:
        """A slot event's value."""
        return self.data.get("value")

    @property
    def text(self) -> str:
        """The message text of a user or bot event, stripped; "" when there is none."""
        text = self.data.get("text")
        return text.strip() if isinstance(text, str) else ""

    @property
    def parse_data(self) -> Mapping[str, Any]:
        """What the NLU made of a user message (intent, entities, the crisis guard's verdict)."""
        return _mapping(self.data.get("parse_data"))

    @property
    def intent(self) -> Optional[str]:
        """The intent of a user message, or None."""
        name = _mapping(self.parse_data.get("intent")).get("name")
        return name if isinstance(name, str) else None

    @property
    def by_helpline(self) -> bool:
        """A user message the helpline triggered itself (see the module docstring)."""
        return triggered_by_helpline(self.data)

    @property
    def bot_data(self) -> Mapping[str, Any]:
        """The ``data`` of a bot event (buttons, custom payload, ...)."""
        return _mapping(self.data.get("data"))

    @property
    def custom(self) -> Mapping[str, Any]:
        """A bot event's custom payload (a coach's message, a file), or {}."""
        return _mapping(self.bot_data.get("custom"))

    @property
    def bot_text(self) -> str:
        """What a bot event says: its text, else (when it has none) its custom payload's text
        (a coach's message); stripped, "" when that is not text.

        A text of only white space is a text: it says nothing, and the custom text is not read
        then (the coach's transcript has always shown bot events so).
        """
        text = self.data.get("text") or self.custom.get("text")
        return text.strip() if isinstance(text, str) else ""

    @property
    def buttons(self) -> List[Mapping[str, Any]]:
        """The buttons under a bot message."""
        buttons = self.bot_data.get("buttons")
        return [b for b in buttons if isinstance(b, Mapping)] if isinstance(buttons, list) else []

    @property
    def at(self) -> Optional[datetime]:
        """When the event happened (UTC), or None."""
        stamp = self.data.get("timestamp")
        if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
            return datetime.fromtimestamp(stamp, tz=timezone.utc)
        return None

    def is_user(self) -> bool:
        """A message of the person (or one the helpline triggered: see ``by_helpline``)."""
        return self.kind == USER

    def is_bot(self) -> bool:
        """A message of the bot (or of a coach: ``custom["from"] == "coach"``)."""
        return self.kind == BOT

    def is_action(self, name: Optional[str] = None) -> bool:
        """An action that ran (any, or the one called ``name``)."""
        return self.kind == ACTION and (name is None or self.name == name)

    def is_slot(self, name: Optional[str] = None) -> bool:
        """A slot that was set (any, or the one called ``name``)."""
        return self.kind == SLOT and (name is None or self.name == name)

    def is_active_loop(self) -> bool:
        """A form started (``name``) or ended (``name`` None)."""
        return self.kind == ACTIVE_LOOP


def read_events(events: Any) -> List[Event]:
    """The events of a tracker, in order, each as an :class:`Event`.

    Takes rasa-sdk's or the HTTP API's list of dicts, Rasa's own event objects (read through
    their ``as_dict()``), or Events; entries that are none of these are skipped, and anything
    that is not a list of events reads as no events.
    """
    if isinstance(events, (str, bytes, Mapping)) or not isinstance(events, Iterable):
        return []
    read: List[Event] = []
    for event in events:
        if isinstance(event, Event):
            read.append(event)
        elif isinstance(event, Mapping):
            read.append(Event(event))
        elif callable(getattr(event, "as_dict", None)):
            read.append(Event(event.as_dict()))
    return read


def read_event(event: Any) -> Optional[Event]:
    """One event (e.g. a tracker's ``latest_message``) as an :class:`Event`, or None."""
    found = read_events([event])
    return found[0] if found else None


def _latest_user_index(events: List[Event]) -> Optional[int]:
    return next((i for i in range(len(events) - 1, -1, -1) if events[i].is_user()), None)


def this_turn(events: Any) -> List[Event]:
    """The events after the person's latest message (all events when there is none)."""
    read = read_events(events)
    index = _latest_user_index(read)
    return read if index is None else read[index + 1 :]


def before_this_turn(events: Any) -> List[Event]:
    """The events before the person's latest message (none when there is no message).

    ``this_turn(before_this_turn(events))`` is what the bot did in answer to the message
    before the latest one.
    """
    read = read_events(events)
    index = _latest_user_index(read)
    return [] if index is None else read[:index]


def latest_user(events: Any) -> Optional[Event]:
    """The person's latest message, or None."""
    read = read_events(events)
    index = _latest_user_index(read)
    return None if index is None else read[index]


def user_messages(events: Any) -> List[Event]:
    """Every user event, in order."""
    return [event for event in read_events(events) if event.is_user()]


def since_session_start(events: Any) -> List[Event]:
    """The events after the latest ``session_started`` (all events when there is none)."""
    read = read_events(events)
    starts = [i for i, event in enumerate(read) if event.kind == SESSION_STARTED]
    return read[starts[-1] + 1 :] if starts else read


def active_loop(events: Any) -> Optional[str]:
    """The form that is active after these events (a restart or a new session ends it)."""
    active: Optional[str] = None
    for event in read_events(events):
        if event.is_active_loop():
            active = event.name
        elif event.kind in (RESTART, SESSION_STARTED):
            active = None
    return active


def last_slot(events: Any, name: str) -> Optional[Event]:
    """The latest event among these that set slot ``name``, or None.

    With :func:`this_turn` or :func:`before_this_turn`: what this turn set, or what the slot
    held before the person's latest message.
    """
    return next((event for event in reversed(read_events(events)) if event.is_slot(name)), None)


def actions_run(events: Any) -> List[Optional[str]]:
    """The names of the actions that ran in these events, in order, ``action_listen`` left out
    (None for an action event without a name).

    ``actions_run(this_turn(before_this_turn(events)))`` is how the bot answered the message
    before the latest one.
    """
    return [
        event.name
        for event in read_events(events)
        if event.is_action() and event.name != ACTION_LISTEN
    ]


def requested_slots(events: Any) -> List[str]:
    """Every slot a form asked for, in order, from a tracker's events (repeats kept).

    Forms read this to find "the question before this one" for "terug" and for corrections.
    """
    return [
        event.value
        for event in read_events(events)
        if event.is_slot(REQUESTED_SLOT) and isinstance(event.value, str)
    ]


def replies_to(events: Any, slot: str) -> int:
    """How many messages the person sent since a form started asking ``slot`` this time.

    Read backwards to the last time the form asked another question; forms use it to stop
    asking one question forever.
    """
    seen, replies = 0, 0
    for event in reversed(read_events(events)):
        if event.is_user():
            seen += 1
        elif event.is_slot(REQUESTED_SLOT):
            if event.value != slot:
                break
            replies = seen  # every message after this ask of ``slot`` replied to it
    return replies
