"""The action server's request body built from kept JSON (bot/extensions/action_payload.py)."""

from __future__ import annotations

import json

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, EntitiesAdded, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.extensions import action_payload
from tests.model.test_dialogue_states import long_conversation, model  # noqa: F401 (fixture)

pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill:UserWarning")


@pytest.fixture
def action():
    action_payload.apply()
    yield RemoteAction("action_handoff_status", EndpointConfig("http://127.0.0.1:1/webhook"))
    action_payload.undo()


def rasas(action: RemoteAction, tracker: DialogueStateTracker, domain) -> dict:
    body = action_payload._ORIGINAL["_action_call_format"](action, tracker, domain)
    return json.loads(json.dumps(body))  # what aiohttp sends


def test_the_body_is_rasas_at_every_point_of_a_long_conversation(model, action):  # noqa: F811
    domain = model[0]
    tracker = DialogueStateTracker("lang", domain.slots)
    for event in long_conversation(domain):
        tracker.update(event, domain)
        body = action._action_call_format(tracker, domain)
        assert json.loads(body.text) == rasas(action, tracker, domain)
    assert len(json.loads(body.text)["tracker"]["events"]) > 300
    assert "domain" in body and "events" not in body["tracker"]


def test_a_change_to_the_latest_message_is_sent(model, action):  # noqa: F811
    domain = model[0]
    tracker = DialogueStateTracker("kort", domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("ik woon in Zwolle", {"name": "inform", "confidence": 1.0}))
    action._action_call_format(tracker, domain)
    tracker.update(EntitiesAdded([{"entity": "gemeente", "value": "Zwolle"}]))
    tracker.latest_message.parse_data["entities"].append({"entity": "gemeente", "value": "Zwolle"})
    sent = json.loads(action._action_call_format(tracker, domain).text)
    assert sent == rasas(action, tracker, domain)
    user = [e for e in sent["tracker"]["events"] if e["event"] == "user"][0]
    assert user["parse_data"]["entities"][0]["value"] == "Zwolle"


async def test_the_request_sends_the_text(action, monkeypatch):
    sent = {}

    async def request(self, *args, **kwargs):
        sent.update(kwargs)

    action_payload.undo()
    monkeypatch.setattr(EndpointConfig, "request", request)  # undone after the test
    action_payload.apply()  # wraps the fake request
    body = action_payload.EncodedBody({"next_action": "x"}, '{"next_action": "x", "tracker": {}}')
    await EndpointConfig("http://127.0.0.1:1").request(json=body, method="post")
    assert sent == {"data": b'{"next_action": "x", "tracker": {}}', "method": "post"}
