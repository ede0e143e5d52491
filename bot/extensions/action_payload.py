"""The action server's request: each event turned into JSON once, not on every call.

What Rasa does: every call of a custom action (also each form validation and each slot
extraction with a custom mapping) sends the whole tracker: ``RemoteAction._action_call_format``
turns every event of the session into a dict (``tracker.current_state(EventVerbosity.ALL)``)
and the domain into a dict, and aiohttp encodes all of it as JSON. At message 400 of one
conversation this was 30 % of the Rasa process's time (py-spy, issue 20), growing with the
conversation.

Here the body is the same JSON, built from pieces: the JSON of each event is kept on the event
itself, so the copies Rasa makes of a tracker for each action (``tracker.copy()``, forms'
``from_events``), which hold the same event objects, find it too. The person's latest message
and what came after it are encoded on every call: Rasa may still change that message in place
(``EntitiesAdded``, ``DefinePrevUserUtteredFeaturization``); older events are not changed
(Rasa gives an event new metadata as a new dict, which is checked). The domain's JSON is made
once per domain. The joined JSON of all settled events is kept on the newest of them (with
the first event and their number, checked), so a call only encodes and appends the rest.
Only the order of keys differs (``events`` comes last in ``tracker``), which
JSON readers ignore. The body Rasa's hooks see is the same dict without the events (Rasa Open
Source has no hook that reads it).

tests/unit/test_action_payload.py checks that the JSON equals Rasa's at every point of a long
conversation.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from rasa.shared.core.events import UserUttered

from bot.extensions import require_rasa
from loopbrug import event_chain

# Written for Rasa 3.6.21: replaces RemoteAction._action_call_format (the body's keys, the
# selective domain check) and wraps EndpointConfig.request, through which RemoteAction.run
# sends the body as its ``json`` argument. Another Rasa may build the body differently.
RASA_VERSION = "3.6.21"

_ORIGINAL: Dict[str, Any] = {}


class EncodedBody(dict):
    """The request body for Rasa's hooks (without the events), and its whole JSON text.

    ``from_start``: the text with every event again, for an action server that refused the
    chain the text builds on (409).
    """

    def __init__(
        self, body: Dict[str, Any], text: str, from_start: Optional[Callable[[], str]] = None
    ) -> None:
        super().__init__(body)
        self.text = text
        self.from_start = from_start


# On each event: (its metadata when encoded, its JSON). Rasa changes an event's metadata by
# giving it a new dict (DialogueStateTracker.update), so a new dict means: encode again.
KEPT = "_loopbrug_json"
# On the newest settled event of a conversation: (the first event, how many, their JSON
# joined), so the next call only encodes and appends what came after.
PREFIX = "_loopbrug_json_prefix"
LOOK_BACK = 200  # events searched back for that joined text
# id -> (domain, its dict, its JSON): a domain never changes once loaded.
_DOMAIN: Dict[int, Any] = {}


def _encoded(event: Any) -> str:
    kept = event.__dict__.get(KEPT)
    if kept is not None and kept[0] is event.metadata:
        return kept[1]
    text = json.dumps(event.as_dict())
    event.__dict__[KEPT] = (event.metadata, text)
    return text


def _settled(events: List[Any]) -> int:
    """How many events come before the person's latest message (all, if there is none)."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return index
    return len(events)


def _joined_before(events: List[Any], settled: int) -> Tuple[int, str, Any]:
    """(count, text, digest): the JSON of the first ``count`` events, joined, as kept before."""
    for index in range(settled - 1, max(settled - LOOK_BACK, 0) - 1, -1):
        kept = events[index].__dict__.get(PREFIX)
        if kept is not None:
            first, count, text, digest = kept
            if count == index + 1 and first is events[0]:
                return count, text, digest
            break
    return 0, "", event_chain.new_digest()


@dataclass
class Texts:
    """A tracker's events as JSON: the first ``count`` joined (kept), then one text each."""

    count: int
    head: str
    digest: Any  # of the head
    texts: List[str]  # of the events after the head
    settled: int  # events before the person's latest message

    def array(self) -> str:
        return "[" + ", ".join(([self.head] if self.head else []) + self.texts) + "]"

    def delta(self) -> str:
        return event_chain.delta(self.count, self.digest.hexdigest(), self.texts, self.settled)


def event_texts(tracker: Any) -> Texts:
    """The tracker's events as JSON, the settled part joined and kept for the next call."""
    events = list(tracker.events)
    settled = _settled(events)
    count, head, digest = _joined_before(events, settled)
    parts = [_encoded(event) for event in events[count:settled]]
    fresh = [json.dumps(event.as_dict()) for event in events[settled:]]
    if settled > count:  # the joined text moves to the newest settled event
        joined = ", ".join([head] + parts) if head else ", ".join(parts)
        if count:
            events[count - 1].__dict__.pop(PREFIX, None)
        kept = (events[0], settled, joined, event_chain.extend(digest, count, parts))
        events[settled - 1].__dict__[PREFIX] = kept
    return Texts(count, head, digest, parts + fresh, settled)


def all_texts(tracker: Any) -> Texts:
    """Every event's JSON from the start (for an action server that holds nothing yet)."""
    events = list(tracker.events)
    settled = _settled(events)
    texts = [_encoded(event) for event in events[:settled]]
    texts += [json.dumps(event.as_dict()) for event in events[settled:]]
    return Texts(0, "", event_chain.new_digest(), texts, settled)


def events_json(tracker: Any) -> str:
    """The JSON array of all the tracker's events, as Rasa's body holds them."""
    return event_texts(tracker).array()


def _domain_dict_and_json(domain: Any) -> Tuple[Dict[str, Any], str]:
    kept = _DOMAIN.get(id(domain))
    if kept is None or kept[0] is not domain:
        as_dict = domain.as_dict()
        kept = (domain, as_dict, json.dumps(as_dict))
        _DOMAIN.clear()  # one model at a time
        _DOMAIN[id(domain)] = kept
    return kept[1], kept[2]


def _with(text: str, key: str, value_json: str) -> str:
    """``text`` (a JSON object) with one more key whose value is already JSON."""
    inner = text[1:-1]
    return "{" + inner + (", " if inner else "") + json.dumps(key) + ": " + value_json + "}"


def _uses_chain(action: Any) -> bool:
    """Whether the action server keeps event chains (``events_chain: true`` in its endpoint)."""
    endpoint = getattr(action, "action_endpoint", None)
    return bool(endpoint is not None and endpoint.kwargs.get("events_chain"))


def action_call_format(self: Any, tracker: Any, domain: Any) -> EncodedBody:
    """RemoteAction._action_call_format, with the JSON made from kept pieces."""
    import rasa
    from rasa.shared.core.trackers import EventVerbosity

    state = tracker.current_state(EventVerbosity.NONE)  # all but the events
    state.pop("events", None)
    body: Dict[str, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    head = {key: value for key, value in body.items() if key != "tracker"}
    domain_json = None
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        body["domain"], domain_json = _domain_dict_and_json(domain)

    def text(events: str, chain: Optional[str] = None) -> str:
        whole = _with(json.dumps(head), "tracker", _with(json.dumps(state), "events", events))
        if domain_json is not None:
            whole = _with(whole, "domain", domain_json)
        return whole if chain is None else _with(whole, event_chain.KEY, chain)

    if not _uses_chain(self):
        return EncodedBody(body, text(event_texts(tracker).array()))
    # The events go as a chain (loopbrug/event_chain.py); the tracker's own list stays empty.
    return EncodedBody(
        body,
        text("[]", event_texts(tracker).delta()),
        from_start=lambda: text("[]", all_texts(tracker).delta()),
    )


def apply() -> None:
    """Let Rasa send action server requests built from kept JSON."""
    require_rasa(RASA_VERSION, __name__)
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    if "request" in _ORIGINAL:
        return
    request = _ORIGINAL["request"] = EndpointConfig.request
    _ORIGINAL["_action_call_format"] = RemoteAction._action_call_format

    @functools.wraps(request)
    async def send_encoded(self: Any, *args: Any, **kwargs: Any) -> Optional[Any]:
        from rasa.utils.endpoints import ClientResponseError

        body = kwargs.pop("json", None)
        if not isinstance(body, EncodedBody):
            return await request(self, *args, json=body, **kwargs)
        try:  # Content-Type stays application/json
            return await request(self, *args, data=body.text.encode("utf-8"), **kwargs)
        except ClientResponseError as error:
            if body.from_start is None or error.status != event_chain.UNKNOWN_BASE:
                raise
        # The action server does not hold what the chain builds on: every event again.
        return await request(self, *args, data=body.from_start().encode("utf-8"), **kwargs)

    EndpointConfig.request = send_encoded
    RemoteAction._action_call_format = action_call_format


def undo() -> None:
    """Rasa's own request again (tests)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    if "request" in _ORIGINAL:
        EndpointConfig.request = _ORIGINAL.pop("request")
        RemoteAction._action_call_format = _ORIGINAL.pop("_action_call_format")
