"""Rasa sends the action server only new events, as a chain both check (loopbrug/event_chain.py).

Rasa's side is bot/extensions/action_payload.py, the action server's bot/action_server.py.
"""

from __future__ import annotations

import json

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.extensions import action_payload
from loopbrug.event_chain import KEY, Chains, UnknownBase, delta
from tests.model.test_dialogue_states import long_conversation, model  # noqa: F401 (fixture)

pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill:UserWarning")


def received(chains: Chains, text: str) -> dict:
    """What rasa-sdk reads after the action server's hook (bot/action_server.py)."""
    body = json.loads(text)
    body["tracker"]["events"] = chains.events(body["sender_id"], body.pop(KEY))
    return body


def test_the_action_server_gets_every_event_at_every_point(model):  # noqa: F811
    domain = model[0]
    chained = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1", events_chain=True))
    plain = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1"))
    action_payload.apply()
    try:
        chains = Chains()
        tracker = DialogueStateTracker("lang", domain.slots)
        sizes = []
        for index, event in enumerate(long_conversation(domain)):
            tracker.update(event, domain)
            full = json.loads(plain._action_call_format(tracker, domain).text)
            for _ in range(2):  # several actions in one turn
                body = chained._action_call_format(tracker, domain)
                if index % 97 == 50:
                    chains = Chains()  # the action server started again
                try:
                    got = received(chains, body.text)
                except UnknownBase:
                    got = received(chains, body.from_start())
                assert got == full
                sizes.append(len(body.text))
        events = len(json.dumps(full["tracker"]["events"]))
        assert events > 50_000
        # Only the new events go over: the rest of the body is as large as without events.
        assert max(sizes[-50:]) < len(json.dumps(full)) - events + 5_000
    finally:
        action_payload.undo()


def test_a_chain_the_server_does_not_hold_is_refused():
    chains = Chains()
    first = json.loads(delta(0, "", ['{"event": "action", "name": "action_listen"}'], 1))
    assert chains.events("p", first) == [{"event": "action", "name": "action_listen"}]
    with pytest.raises(UnknownBase):
        chains.events("p", json.loads(delta(1, "not the digest", [], 1)))
    with pytest.raises(UnknownBase):
        chains.events("q", json.loads(delta(1, "", [], 1)))  # never seen


def test_only_the_most_recent_conversations_are_kept():
    chains = Chains(capacity=2)
    for sender in ("a", "b", "c"):
        chains.events(sender, json.loads(delta(0, "", ['{"event": "bot"}'], 1)))
    assert chains.get("a") is None and chains.get("c") is not None and len(chains) == 2


async def test_rasa_sends_every_event_again_when_the_server_refuses(monkeypatch):
    sent = []

    async def request(self, *args, **kwargs):
        sent.append(kwargs["data"])
        if len(sent) == 1:
            raise ClientResponseError(409, "Conflict", "unknown base")
        return {"events": []}

    monkeypatch.setattr(EndpointConfig, "request", request)  # undone after the test
    action_payload.apply()  # wraps the fake request
    try:
        body = action_payload.EncodedBody({}, "chain", from_start=lambda: "from the start")
        reply = await EndpointConfig("http://127.0.0.1:1").request(json=body, method="post")
        assert reply == {"events": []} and sent == [b"chain", b"from the start"]
    finally:
        action_payload.undo()
