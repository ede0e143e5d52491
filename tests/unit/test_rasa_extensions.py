"""Rasa's extensions (bot/extensions/): version-guarded, applied once when Rasa starts."""

import sys

import pytest
import rasa
import rasa.core.actions.action as rasa_action
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_LOCK_LIFETIME

from bot import extensions, rasa_server
from bot.extensions import (
    action_payload,
    action_reply_schema,
    action_timeout,
    applied_events,
    dialogue_states,
    tracker_copy,
)
from connectors import reliability
from loopbrug.settings import Settings

GOOD = {
    "events": [{"event": "slot", "name": "gemeente_code", "value": "GM0153"}],
    "responses": [{"text": "Hoi", "buttons": [{"title": "Ja", "payload": "/affirm"}]}],
}
BAD = [{"events": "geen lijst"}, {"events": [{"name": "zonder event"}]}, {"responses": 3}]


@pytest.fixture
def unpatched(monkeypatch):
    """Rasa as it comes; whatever a test patches is undone afterwards."""
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT", 300)
    yield
    dialogue_states.undo()
    applied_events.undo()
    action_payload.undo()
    tracker_copy.undo()


@pytest.fixture
def patched(unpatched):
    action_reply_schema.apply()
    return RemoteAction("action_x", None)


def test_good_replies_pass(patched):
    assert patched._validate_action_result(GOOD) is True


@pytest.mark.parametrize("reply", BAD)
def test_bad_replies_fail_as_with_rasas_own_check(patched, reply):
    with pytest.raises(ValidationError):
        validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patched._validate_action_result(reply)


def test_the_action_timeout_is_set_where_rasa_reads_it(unpatched):
    assert action_timeout.apply(9.0) == 9.0
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 9.0
    with pytest.raises(ValueError):
        action_timeout.apply(0)


def test_the_default_timeout_ends_a_hanging_action_before_the_lock_does():
    # Below Rasa's conversation lock lifetime, above the channels' wait for the "slow" text.
    timeout = Settings().action_timeout_s
    assert timeout == 20.0
    assert reliability.SLOW_REPLY_AFTER_S < timeout < DEFAULT_LOCK_LIFETIME


def test_the_action_timeout_setting_falls_back_on_bad_values():
    from loopbrug.settings import load_settings

    def read(raw: str) -> float:
        return load_settings(env={"LOOPBRUG_ACTION_TIMEOUT_S": raw}).action_timeout_s

    assert read("7,5") == 7.5
    for bad in ("", "abc", "0", "-3"):
        assert read(bad) == 20.0


def test_apply_checks_every_extension_and_patches_rasa(unpatched):
    extensions.apply(Settings(action_timeout_s=12.0))
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 12.0
    assert RemoteAction._validate_action_result.__module__ == action_reply_schema.__name__


def test_every_extension_names_the_rasa_it_was_written_for():
    for module in extensions.extensions():
        assert module.RASA_VERSION == rasa.__version__, module.__name__


def test_another_rasa_stops_the_start_loudly(unpatched, monkeypatch):
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(extensions.WrongRasaVersion, match="written for Rasa 3.6.21"):
        extensions.apply(Settings())
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 300  # nothing was patched
    from bot.extensions.tracker_store import LoopbrugTrackerStore

    with pytest.raises(extensions.WrongRasaVersion):
        LoopbrugTrackerStore(domain=None, host="sqlite:///:memory:")


def test_the_channels_change_nothing_in_rasa(unpatched):
    from connectors.rest import GuardedRestInput
    from connectors.telegram.channel import TelegramInput

    validate_before = RemoteAction._validate_action_result
    GuardedRestInput().blueprint(lambda message: None)
    TelegramInput("1:a", "secret").blueprint(lambda message: None)
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 300
    assert RemoteAction._validate_action_result is validate_before


def test_the_rasa_process_applies_the_extensions_and_passes_the_token(unpatched, monkeypatch):
    import rasa.__main__

    ran = []
    monkeypatch.setattr(rasa.__main__, "main", lambda: ran.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", ["rasa", "run", "--enable-api"])
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")  # the start sets it; undone after the test
    rasa_server.main(Settings(rasa_api_token="geheim", action_timeout_s=15.0))
    assert ran == [["rasa", "run", "--enable-api", "--auth-token", "geheim"]]
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 15.0


def test_the_token_is_only_added_to_run():
    settings = Settings(rasa_api_token="geheim")
    assert rasa_server.rasa_argv(["rasa", "shell"], settings) == ["rasa", "shell"]
    assert rasa_server.rasa_argv(["rasa", "run"], Settings()) == ["rasa", "run"]
