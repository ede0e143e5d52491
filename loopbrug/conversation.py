"""Conventions of a conversation that every layer reads the same way.

Which user messages did the helpline trigger itself (the follow-up question of "niet
loslaten", through Rasa's HTTP API), rather than the person typing them? Rasa marks such a
message with ``metadata.is_external = True``. Its text also starts with "EXTERNAL: ", but a
person can type that, so the text is never trusted: a person's message is always shown as
theirs, crisis flag included. The channels drop the marker from whatever metadata a person's
client sends, so only the server can set it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping

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


# For input that is not valid Unicode text: refused with this on every channel (REST and the
# widget answer HTTP 400 with it; Telegram sends it in the chat), so nothing is lost silently.
NOT_UNICODE = (
    "Je bericht bevat tekens die ik niet kan lezen. Er is niets opgeslagen. "
    "Typ je bericht nog eens, zonder die tekens."
)


def is_unicode_text(value: str) -> bool:
    """True when ``value`` is text that can be stored and sent on (valid UTF-8).

    A lone surrogate ("\\ud800") is valid in a Python or JSON string but cannot be encoded:
    it once broke the widget with a 500 and a REST message was lost. Every channel refuses such
    input up front with a clear answer instead.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


REQUESTED_SLOT = "requested_slot"


def requested_slots(events: Iterable[Mapping[str, Any]]) -> List[str]:
    """Every slot a form asked for, in order, from a tracker's events (repeats kept).

    Forms read this to find "the question before this one" for "terug" and for corrections.
    """
    return [
        event["value"]
        for event in events
        if event.get("event") == "slot"
        and event.get("name") == REQUESTED_SLOT
        and isinstance(event.get("value"), str)
    ]


# Rasa sender ids of web widget conversations are "web-<session id>" (web/app.py issues the
# session). New code reads the convention from here.
WEB_SENDER_PREFIX = "web-"


def web_sender(session_id: str) -> str:
    """The Rasa sender id of a web widget session."""
    return WEB_SENDER_PREFIX + session_id


def is_web_sender(sender_id: str) -> bool:
    """True for a conversation that comes from the web widget."""
    return isinstance(sender_id, str) and sender_id.startswith(WEB_SENDER_PREFIX)


def replies_to(events: Iterable[Mapping[str, Any]], slot: str) -> int:
    """How many messages the person sent since a form started asking ``slot`` this time.

    Read backwards to the last time the form asked another question; forms use it to stop
    asking one question forever.
    """
    seen, replies = 0, 0
    for event in reversed(list(events)):
        if event.get("event") == "user":
            seen += 1
        elif event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT:
            if event.get("value") != slot:
                break
            replies = seen  # every message after this ask of ``slot`` replied to it
    return replies
