"""A tracker copy takes over the state (bot/extensions/tracker_copy.py) and equals Rasa's replay."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, ConversationPaused, Restarted
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.extensions import tracker_copy
from tests.unit.test_dialogue_states import long_conversation, model  # noqa: F401 (fixture)

pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill:UserWarning")


def everything(tracker: DialogueStateTracker) -> tuple:
    return (
        tracker.current_state(EventVerbosity.ALL),
        {name: (slot.value, slot.has_been_set) for name, slot in tracker.slots.items()},
        tracker.active_loop,
        tracker.latest_action,
        tracker.latest_message,
        tracker.latest_bot_utterance,
        tracker.followup_action,
        tracker.is_paused(),
        tracker.model_id,
        type(tracker.slots),
    )


def test_every_point_of_a_long_conversation_copies_as_rasa_does(model):  # noqa: F811
    domain = model[0]
    events = long_conversation(domain)
    events[100:100] = [ConversationPaused()]
    events[200:200] = [Restarted(), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker("lang", domain.slots)
    tracker.model_id = "model"
    for event in events:
        tracker.update(event, domain)
        ours = tracker_copy.copy_tracker(tracker)
        rasas = tracker.travel_back_in_time(float("inf"))
        assert everything(ours) == everything(rasas)
        assert all(a is b for a, b in zip(ours.events, rasas.events))
        if tracker.active_loop is not None:  # the copy's loop is its own
            interrupted = tracker.active_loop.is_interrupted
            ours.interrupt_loop(not interrupted)
            assert tracker.active_loop.is_interrupted == interrupted


def test_the_patch_replaces_copy():
    tracker_copy.apply()
    try:
        assert DialogueStateTracker.copy is tracker_copy.copy_tracker
    finally:
        tracker_copy.undo()
    assert DialogueStateTracker.copy is not tracker_copy.copy_tracker
