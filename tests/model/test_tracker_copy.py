"""A tracker copy takes over the state (bot/extensions/tracker_copy.py) and equals Rasa's replay."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, ConversationPaused, Restarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.extensions import tracker_copy
from tests.model.test_dialogue_states import long_conversation, model  # noqa: F401 (fixture)

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


def test_from_events_after_a_copy_equals_rasas_replay(model):  # noqa: F811
    """What a form does on every validation: the copied tracker's events plus a few more."""
    domain = model[0]
    rasas_from_events = DialogueStateTracker.from_events
    tracker = DialogueStateTracker("lang", domain.slots)
    tracker_copy.apply()
    try:
        for index, event in enumerate(long_conversation(domain)):
            tracker.update(event, domain)
            copied = tracker.copy()
            extra = [SlotSet("requested_slot", None), ActionExecuted("location_form")]
            if index % 2:
                extra.append(Restarted())  # a restart among the new events
            evts = list(copied.events) + extra
            ours = DialogueStateTracker.from_events("lang", evts, slots=domain.slots)
            rasas = rasas_from_events("lang", evts, slots=domain.slots)
            assert everything(ours) == everything(rasas)
            assert tracker_copy._start_from(evts, ours.slots) is not None
        # Other events than a copied tracker's: replayed as Rasa does.
        other = list(tracker.events)[5:]
        assert tracker_copy._start_from(other, tracker.slots) is None
        assert everything(DialogueStateTracker.from_events("lang", other, domain.slots)) == (
            everything(rasas_from_events("lang", other, domain.slots))
        )
    finally:
        tracker_copy.undo()
