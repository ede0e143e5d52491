"""Rasa's list of applied events, kept up to date per tracker instead of rebuilt on every call.

What Rasa does: ``DialogueStateTracker.applied_events`` walks all events of the session and
drops what was taken back (reverts) and the happy-path turns of a form that ran again
(``_undo_till_previous_loop_execution``, which copies the list so far each time a form runs).
Rasa calls it many times per message (the processor, the policies, the featurizer); at message
400 of one conversation this was 17 % of the Rasa process's time (py-spy, issue 20), growing
with the conversation.

Here each tracker keeps its list and how many events it has read. A later call reads only the
events added since, with Rasa's own steps in Rasa's order. The list is built anew, as Rasa
builds it, when the tracker's events are not the ones read before plus new ones at the end
(the first or the last one read is no longer in its place), or when a new event names a form
that was not named before: Rasa decides per form action whether its runs collapse by the names
of all forms in the session (``loop_names``), which can change the events read earlier.

Callers get a copy of the list, as from Rasa. tests/unit/test_applied_events.py compares every
prefix of a long conversation (forms, reverts, restarts) with Rasa's own result.
"""

from __future__ import annotations

import functools
import itertools
import weakref
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)

from bot.extensions import require_rasa

# Written for Rasa 3.6.21: mirrors the body of DialogueStateTracker.applied_events and calls its
# helpers _undo_till_previous, _first_loop_execution_or_unhappy_path and
# _undo_till_previous_loop_execution. Another Rasa may decide differently what is applied.
RASA_VERSION = "3.6.21"

_ORIGINAL: Dict[str, Any] = {}


@dataclass
class Applied:
    """What one tracker's events gave so far."""

    loop_names: FrozenSet[str]
    read: int = 0
    first: Any = None
    last: Any = None
    events: List[Any] = field(default_factory=list)


_APPLIED: Dict[int, Applied] = {}


def _read(tracker: Any, applied: Applied, new: List[Any]) -> None:
    """Rasa's loop of ``applied_events`` over ``new``, continuing ``applied.events``."""
    done = applied.events
    for event in new:
        if isinstance(event, (Restarted, SessionStarted)):
            done.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, done)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, done)
            tracker._undo_till_previous(ActionExecuted, done)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in applied.loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, done)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, done)
        else:
            done.append(event)


def _loop_names(events: List[Any]) -> FrozenSet[str]:
    return frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)


def applied_events(tracker: Any) -> List[Any]:
    """``tracker.applied_events()``, reading only the events added since the last call."""
    events = tracker.events
    count = len(events)
    applied = _APPLIED.get(id(tracker))
    fresh = (
        applied is None
        or applied.read > count
        or (
            applied.read
            and (events[0] is not applied.first or events[applied.read - 1] is not applied.last)
        )
    )
    new = list(events) if fresh else list(itertools.islice(events, applied.read, count))
    if not fresh and not _loop_names(new) <= applied.loop_names:
        fresh, new = True, list(events)
    if fresh:
        if applied is None:
            weakref.finalize(tracker, _APPLIED.pop, id(tracker), None)
        applied = Applied(loop_names=_loop_names(new))
        _APPLIED[id(tracker)] = applied
    _read(tracker, applied, new)
    applied.read = count
    if count:
        applied.first, applied.last = events[0], events[-1]
    return list(applied.events)


def apply() -> None:
    """Let every tracker keep its applied events up to date."""
    require_rasa(RASA_VERSION, __name__)
    from rasa.shared.core.trackers import DialogueStateTracker

    if "applied_events" in _ORIGINAL:
        return
    original = _ORIGINAL["applied_events"] = DialogueStateTracker.applied_events
    DialogueStateTracker.applied_events = functools.wraps(original)(applied_events)


def undo() -> None:
    """Rasa's own applied_events again (tests)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    if "applied_events" in _ORIGINAL:
        DialogueStateTracker.applied_events = _ORIGINAL.pop("applied_events")
        _APPLIED.clear()
