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

The same for ``DialogueStateTracker.from_events``, which forms call on every validation
(``FormAction._temporary_tracker``) and slot extraction calls with a custom validation
(``ActionExtractSlots``): the events of a tracker copied just before, plus a few more. When the
given events begin with exactly the events (the same objects) of one of the last trackers
copied here, with the same slots, the new tracker takes over that tracker's state and replays
only the rest; otherwise it replays everything, as Rasa does.

tests/unit/test_tracker_copy.py compares the copies with Rasa's at every point of a long
conversation.
"""

from __future__ import annotations

import copy
import functools
import operator
import weakref
from collections import deque
from typing import Any, Deque, Dict, List, Optional

from bot.extensions import require_rasa

# Written for Rasa 3.6.21: replaces DialogueStateTracker.copy and from_events and sets the attributes its
# __init__ defines as "current state" (slots' _value and _has_been_set, _paused,
# followup_action, latest_action, latest_message, latest_bot_utterance, active_loop) and
# events (made by _create_events). Another Rasa may keep more state on a tracker.
RASA_VERSION = "3.6.21"

_ORIGINAL: Dict[str, Any] = {}
# The last trackers copied (and their sources): what from_events can start from.
_RECENT: Deque[Any] = deque(maxlen=8)


def _take_over(duplicate: Any, tracker: Any) -> None:
    """Give ``duplicate`` (fresh, with the same slots) the state of ``tracker``."""
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


def copy_tracker(tracker: Any) -> Any:
    """What ``tracker.travel_back_in_time(float("inf"))`` returns, without the replay."""
    duplicate = tracker.init_copy()
    duplicate.events = duplicate._create_events(list(tracker.events))
    _take_over(duplicate, tracker)
    _RECENT.append(weakref.ref(tracker))
    _RECENT.append(weakref.ref(duplicate))
    return duplicate


def _start_from(evts: List[Any], slots: Any) -> Optional[Any]:
    """The most recent copied tracker whose events begin ``evts``, with these slots."""
    for reference in reversed(_RECENT):
        tracker = reference()
        if tracker is None or not tracker.events or len(tracker.events) > len(evts):
            continue
        if set(tracker.slots) != set(slots) or type(tracker.slots) is not type(slots):
            continue
        if all(map(operator.is_, tracker.events, evts)):
            return tracker
    return None


def from_events(
    cls: Any,
    sender_id: Any,
    evts: List[Any],
    slots: Any = None,
    max_event_history: Optional[int] = None,
    sender_source: Any = None,
    domain: Any = None,
) -> Any:
    """``DialogueStateTracker.from_events``, continuing a copied tracker's state if it can."""
    tracker = cls(sender_id, slots, max_event_history, sender_source)
    evts = list(evts)
    start = _start_from(evts, tracker.slots) if max_event_history is None else None
    done = 0
    if start is not None:
        done = len(start.events)
        tracker.events = tracker._create_events(evts[:done])
        _take_over(tracker, start)
    for event in evts[done:]:
        tracker.update(event, domain)
    return tracker


def apply() -> None:
    """Let tracker copies take over the state."""
    require_rasa(RASA_VERSION, __name__)
    from rasa.shared.core.trackers import DialogueStateTracker

    if "copy" in _ORIGINAL:
        return
    original = _ORIGINAL["copy"] = DialogueStateTracker.copy
    _ORIGINAL["from_events"] = DialogueStateTracker.__dict__["from_events"]
    DialogueStateTracker.copy = functools.wraps(original)(copy_tracker)
    DialogueStateTracker.from_events = classmethod(from_events)


def undo() -> None:
    """Rasa's own copy again (tests)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    if "copy" in _ORIGINAL:
        DialogueStateTracker.copy = _ORIGINAL.pop("copy")
        DialogueStateTracker.from_events = _ORIGINAL.pop("from_events")
        _RECENT.clear()
