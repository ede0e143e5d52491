"""The compiled action-reply schema accepts and refuses exactly what Rasa's check does."""

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from connectors import tuning

GOOD = {
    "events": [{"event": "slot", "name": "gemeente_code", "value": "GM0153"}],
    "responses": [{"text": "Hoi", "buttons": [{"title": "Ja", "payload": "/affirm"}]}],
}
BAD = [{"events": "geen lijst"}, {"events": [{"name": "zonder event"}]}, {"responses": 3}]


@pytest.fixture
def patched(monkeypatch):
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    tuning.compile_action_result_schema()
    return RemoteAction("action_x", None)


def test_good_replies_pass(patched):
    assert patched._validate_action_result(GOOD) is True


@pytest.mark.parametrize("reply", BAD)
def test_bad_replies_fail_as_with_rasas_own_check(patched, reply):
    with pytest.raises(ValidationError):
        validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patched._validate_action_result(reply)
