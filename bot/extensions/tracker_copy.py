"""A copy of a tracker takes over its state instead of replaying every event.

What Rasa does: before every action the processor runs it on a copy of the tracker
(``MessageProcessor._run_action``: ``tracker.copy()``), and a form copies it again when it
starts (``FormAction._activate_loop``). ``DialogueStateTracker.copy`` is
``travel_back_in_time(inf)``: a fresh tracker that replays every event of the session. At
message 400 of one conversation that was 5 % of the Rasa process's time (py-spy, issue 20),
growing with the conversation.

Rasa's rule for a tracker is that its state can be rebuilt by replaying its events
(DialogueStateTracker.__init__: "MUST be re-creatable by processing all the events"); only
events change it (``update`` -> ``Event.apply_to``). So the copy here is a fresh tracker made
as Rasa makes it (``init_copy``: no model id, the domain's slots) holding the same events, with
the state the replay would reach taken over: each slot's value and whether it was set, the
paused flag, the follow-up action, the latest action, message and bot utterance (the same
objects a replay would point to) and a copy of the active loop (the loop is changed in place).
A replay also applies each event again to objects both trackers share (the person's
messages); those changes set what was set before, so skipping them changes nothing.

tests/unit/test_tracker_copy.py compares the copy with Rasa's at every point of a long
conversation.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Dict

from bot.extensions import require_rasa

# Written for Rasa 3.6.21: replaces DialogueStateTracker.copy and sets the attributes its
# __init__ defines as "current state" (slots' _value and _has_been_set, _paused,
# followup_action, latest_action, latest_message, latest_bot_utterance, active_loop) and
# events (made by _create_events). Another Rasa may keep more state on a tracker.
RASA_VERSION = "3.6.21"

_ORIGINAL: Dict[str, Any] = {}


def copy_tracker(tracker: Any) -> Any:
    """What ``tracker.travel_back_in_time(float("inf"))`` returns, without the replay."""
    duplicate = tracker.init_copy()
    duplicate.events = duplicate._create_events(list(tracker.events))
    for name, slot in tracker.slots.items():
        if name in duplicate.slots:
            duplicate.slots[name]._value = slot._value
            duplicate.slots[name]._has_been_set = slot._has_been_set
    duplicate._paused = tracker._paused
    duplicate.followup_action = tracker.followup_action
    duplicate.latest_action = tracker.latest_action
    duplicate.latest_message = tracker.latest_message
    duplicate.latest_bot_utterance = tracker.latest_bot_utterance
    duplicate.active_loop = copy.copy(tracker.active_loop)
    return duplicate


def apply() -> None:
    """Let tracker copies take over the state."""
    require_rasa(RASA_VERSION, __name__)
    from rasa.shared.core.trackers import DialogueStateTracker

    if "copy" in _ORIGINAL:
        return
    original = _ORIGINAL["copy"] = DialogueStateTracker.copy
    DialogueStateTracker.copy = functools.wraps(original)(copy_tracker)


def undo() -> None:
    """Rasa's own copy again (tests)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    if "copy" in _ORIGINAL:
        DialogueStateTracker.copy = _ORIGINAL.pop("copy")
