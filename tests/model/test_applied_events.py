"""Rasa's applied events, kept per tracker (bot/extensions/applied_events.py), equal Rasa's own."""

from __future__ import annotations

from collections import deque

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.extensions import applied_events
from tests.model.test_dialogue_states import long_conversation, model  # noqa: F401 (fixture)

pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill:UserWarning")


def rasas(tracker: DialogueStateTracker) -> list:
    return applied_events._ORIGINAL["applied_events"](tracker)


@pytest.fixture
def patched():
    applied_events.apply()
    yield
    applied_events.undo()


def test_every_point_of_a_long_conversation_gets_rasas_applied_events(model, patched):  # noqa: F811
    domain = model[0]
    events = long_conversation(domain)
    # A restart and a new session on the way, and a form named for the first time late.
    events[150:150] = [Restarted(), ActionExecuted("action_listen")]
    events[300:300] = [ActionExecuted("action_session_start"), SessionStarted()]
    events += [
        ActionExecuted("action_listen"),
        UserUttered("hoi", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("nieuw_form"),
        ActiveLoop("nieuw_form"),
        ActionExecuted("action_listen"),
        UserUttered("ja", {"name": "affirm", "confidence": 1.0}),
        ActionExecuted("nieuw_form"),
        ActiveLoop(None),
    ]
    tracker = DialogueStateTracker("lang", domain.slots)
    for event in events:
        tracker.update(event, domain)
        ours = tracker.applied_events()
        theirs = rasas(tracker)
        assert len(ours) == len(theirs) and all(a is b for a, b in zip(ours, theirs))
        ours.clear()  # a caller changing its list changes nothing kept
        assert len(tracker.applied_events()) == len(theirs)


def test_events_replaced_or_shortened_are_read_anew(model, patched):  # noqa: F811
    domain = model[0]
    events = long_conversation(domain)[:80]
    tracker = DialogueStateTracker("kort", domain.slots)
    for event in events:
        tracker.update(event, domain)
    tracker.applied_events()
    tracker.events = deque(events[:40])
    assert tracker.applied_events() == rasas(tracker)
    tracker.events = deque(list(reversed(events[:60])))
    assert tracker.applied_events() == rasas(tracker)
