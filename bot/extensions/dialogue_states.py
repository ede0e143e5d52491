"""The policies get the dialogue states of the last turns, without a replay of the whole session.

What Rasa does: before every prediction (several per message) each policy asks its featurizer
for the states of the tracker (``Policy._prediction_states`` -> ``prediction_states`` ->
``DialogueStateTracker.past_states`` -> ``Domain.states_for_tracker_history``), and that replays
every event of the session on a fresh tracker (``generate_all_prior_trackers``) to build one
state per action. At message 400 of one conversation this was 40 % of the Rasa process's time
(py-spy, issue 20), and it grows with every message.

What the policies read of those states: ``MemoizationPolicy`` the last ``max_history`` (4;
its featurizer slices them), ``RulePolicy`` the last as many as its longest rule has: a rule
that is still applicable after that many states stays applicable (``_is_rule_applicable``
returns True for a turn index past the rule's length), and no rule of ours starts a
conversation (rules with ``conversation_start`` would match nothing else either: their first
state has no previous action, a state inside a long conversation always has one). Its
fallback "prediction source" is a key of all states, used only to ask whether it names a rule
that is not in the stories; a rule key begins with the rule snippet action, which no real
state has, so the answer is "no" for any list of real states.

Here, per tracker object (the tracker store hands out the same one for the next message,
bot/extensions/tracker_store.py):

* the states are built **incrementally**, with Rasa's own steps (``get_active_state``,
  ``_remove_rule_only_features``, ``_substitute_rule_only_user_input``) in Rasa's order; only
  events added since the last call are replayed. Rasa's ``applied_events`` can drop events
  that came before (a form's turns collapse when it runs again; a revert undoes the last
  turn): then the replay goes back to the last checkpoint before the first changed event
  (one per action, the replay tracker's slots, loop and latest events) and goes on from
  there. Without a usable checkpoint it starts from the beginning, as Rasa does.
* the two policies above get the last ``window`` states (copies: Rasa's featurizer changes
  the states it gets); every other caller gets Rasa's own computation.

tests/unit/test_dialogue_states.py checks, for every prefix of long conversations with forms
and reverts, that the states equal Rasa's and that both policies predict exactly what they
predict with Rasa's states.
"""

from __future__ import annotations

import copy
import functools
import json
import operator
import weakref
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Optional, Tuple

from bot.extensions import require_rasa

# Written for Rasa 3.6.21: mirrors Domain.states_for_tracker_history and
# DialogueStateTracker.generate_all_prior_trackers, uses the tracker's state attributes
# (slots, _paused, followup_action, latest_action, latest_message, latest_bot_utterance,
# active_loop) for checkpoints, wraps Policy._prediction_states for MemoizationPolicy and
# RulePolicy, and reads RulePolicy.lookup. Another Rasa may featurize differently.
RASA_VERSION = "3.6.21"
KEEP_STATES = 64  # states kept per tracker; a longer window is computed as Rasa does
# The last actions the replay can go back to. A form's turns collapse back to its previous
# run, a revert to the last message: both a few actions back.
KEEP_CHECKPOINTS = 32

_WINDOW: ContextVar[Optional[int]] = ContextVar("loopbrug_state_window", default=None)
_ORIGINAL: Dict[str, Any] = {}


@dataclass
class Checkpoint:
    """The replay as it stood before the action at ``index`` of the applied events."""

    index: int
    states: int  # states made before it (counted from the session's start)
    replay: Tuple[Any, ...]
    last_ml_action: Optional[Dict[str, Any]]
    turn_was_hidden: bool


@dataclass
class Progress:
    """How far the states of one tracker are built, for one set of featurization options."""

    replay: Any  # a DialogueStateTracker with the applied events so far
    applied: List[Any] = field(default_factory=list)
    states: List[Dict[str, Any]] = field(default_factory=list)  # the last KEEP_STATES
    made: int = 0  # states made in all, including those no longer kept
    last_ml_action: Optional[Dict[str, Any]] = None
    turn_was_hidden: bool = False
    checkpoints: Deque[Checkpoint] = field(default_factory=lambda: _deque())


def _deque() -> Deque[Checkpoint]:
    from collections import deque

    return deque(maxlen=KEEP_CHECKPOINTS)


# Per tracker object (by id, forgotten with the tracker), per featurization options.
_PROGRESS: Dict[int, Dict[Any, Progress]] = {}


def _snapshot(tracker: Any) -> Tuple[Any, ...]:
    """Everything of a tracker that events change (see DialogueStateTracker.__init__).

    Of a slot only its value and whether it was set change (Slot.value, Slot.reset).
    """
    return (
        tuple((name, slot._value, slot._has_been_set) for name, slot in tracker.slots.items()),
        tracker._paused,
        tracker.followup_action,
        tracker.latest_action,
        tracker.latest_message,
        tracker.latest_bot_utterance,
        copy.copy(tracker.active_loop),
    )


def _restore(template: Any, snapshot: Tuple[Any, ...]) -> Any:
    slots, paused, followup, latest_action, latest_message, latest_bot, loop = snapshot
    tracker = template.init_copy()  # the replay's fresh tracker, as Rasa makes it
    for name, value, was_set in slots:
        slot = tracker.slots[name]
        slot._value = value
        slot._has_been_set = was_set
    tracker._paused = paused
    tracker.followup_action = followup
    tracker.latest_action = latest_action
    tracker.latest_message = latest_message
    tracker.latest_bot_utterance = latest_bot
    tracker.active_loop = copy.copy(loop)
    return tracker


def _state(
    progress: Progress,
    domain: Any,
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: Optional[Dict[str, Any]],
    keep: bool,
) -> Optional[Dict[str, Any]]:
    """One step of Domain.states_for_tracker_history, on the replay as it stands.

    ``keep``: remember the carried values (last ML action, hidden turn) for the next step;
    the final state (after all events) is made without changing them.
    """
    from rasa.shared.core.constants import PREVIOUS_ACTION

    tracker = progress.replay
    last_ml_action = progress.last_ml_action
    turn_was_hidden = progress.turn_was_hidden
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml_action = domain._get_prev_action_sub_state(tracker)
        if (
            not tracker.followup_action
            and not tracker.latest_action_name == tracker.active_loop_name
        ):
            turn_was_hidden = hide_rule_turn
        if keep:
            progress.last_ml_action = last_ml_action
            progress.turn_was_hidden = turn_was_hidden
        if turn_was_hidden:
            return None
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if progress.made:
            domain._substitute_rule_only_user_input(state, progress.states[-1])
        if last_ml_action:
            state[PREVIOUS_ACTION] = last_ml_action
    return domain._clean_state(state)


def _common_prefix(old: List[Any], new: List[Any]) -> int:
    """How many leading events are the same objects in both lists."""
    if len(new) >= len(old) and all(map(operator.is_, old, new)):
        return len(old)
    for index, (a, b) in enumerate(zip(old, new)):
        if a is not b:
            return index
    return min(len(old), len(new))


def _rewind(progress: Progress, tracker: Any, keep_from: int) -> bool:
    """Go back to the last checkpoint at or before ``keep_from``; False if there is none."""
    while progress.checkpoints and progress.checkpoints[-1].index > keep_from:
        progress.checkpoints.pop()
    if not progress.checkpoints:
        return False
    point = progress.checkpoints[-1]
    dropped = progress.made - len(progress.states)
    if point.states < dropped or (dropped and point.states == dropped):
        return False  # the states before it are no longer kept
    del progress.states[point.states - dropped :]
    progress.made = point.states
    progress.applied = progress.applied[: point.index]
    progress.replay = _restore(tracker, point.replay)
    progress.last_ml_action = point.last_ml_action
    progress.turn_was_hidden = point.turn_was_hidden
    progress.checkpoints.pop()  # taken again when the replay passes it
    return True


def _options_key(
    domain: Any, omit: bool, ignore: bool, rule_only_data: Optional[Dict[str, Any]]
) -> Any:
    return (id(domain), omit, ignore, json.dumps(rule_only_data, sort_keys=True, default=str))


def _progress_for(tracker: Any, key: Any) -> Tuple[Dict[Any, Progress], Optional[Progress]]:
    per_tracker = _PROGRESS.get(id(tracker))
    if per_tracker is None:
        per_tracker = {}
        _PROGRESS[id(tracker)] = per_tracker
        weakref.finalize(tracker, _PROGRESS.pop, id(tracker), None)
    return per_tracker, per_tracker.get(key)


def recent_states(
    tracker: Any,
    domain: Any,
    window: int,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> Optional[List[Dict[str, Any]]]:
    """The last ``window`` states of ``tracker.past_states(...)`` (copies), or None when they
    cannot be given (the window is longer than what is kept)."""
    from rasa.shared.core.events import ActionExecuted

    key = _options_key(domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    per_tracker, progress = _progress_for(tracker, key)
    applied = tracker.applied_events()
    if progress is not None:
        same = _common_prefix(progress.applied, applied)
        if same < len(progress.applied) and not _rewind(progress, tracker, same):
            progress = None
    if progress is None:
        progress = Progress(replay=tracker.init_copy())
        per_tracker[key] = progress
    options = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    for index in range(len(progress.applied), len(applied)):
        event = applied[index]
        if isinstance(event, ActionExecuted):
            progress.checkpoints.append(
                Checkpoint(
                    index,
                    progress.made,
                    _snapshot(progress.replay),
                    progress.last_ml_action,
                    progress.turn_was_hidden,
                )
            )
            state = _state(progress, domain, event.hide_rule_turn, *options, keep=True)
            if state is not None:
                progress.states.append(state)
                progress.made += 1
                if len(progress.states) > KEEP_STATES:
                    del progress.states[0]
        progress.replay.update(event)
        progress.applied.append(event)
    final = _state(progress, domain, False, *options, keep=False)
    states = progress.states + ([final] if final is not None else [])
    if window > len(states) and progress.made > len(progress.states):
        return None
    return copy.deepcopy(states[-window:])


def _rule_window(policy: Any) -> int:
    """States a RulePolicy compares: the length of its longest rule (unhappy-loop rules too)."""
    cached = policy.__dict__.get("_loopbrug_window")
    if cached is None:
        from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH

        keys = list(policy.lookup.get(RULES, {})) + list(
            policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})
        )
        cached = max((len(json.loads(key)) for key in keys), default=1)
        policy.__dict__["_loopbrug_window"] = cached
    return cached


def window_for(policy: Any) -> Optional[int]:
    """How many of the last states ``policy`` reads, or None (then it gets them all)."""
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.core.policies.rule_policy import RulePolicy

    if type(policy) is RulePolicy:
        return _rule_window(policy)
    if type(policy) is MemoizationPolicy:
        return policy.featurizer.max_history or None
    return None  # AugmentedMemoizationPolicy also reads shortened trackers of its own


def _is_unlikely_intent_state(state: Dict[str, Any]) -> bool:
    from rasa.shared.core.constants import ACTION_UNLIKELY_INTENT_NAME, PREVIOUS_ACTION
    from rasa.shared.nlu.constants import ACTION_NAME

    return state.get(PREVIOUS_ACTION, {}).get(ACTION_NAME) == ACTION_UNLIKELY_INTENT_NAME


def apply() -> None:
    """Let MemoizationPolicy and RulePolicy featurize only the turns they read."""
    require_rasa(RASA_VERSION, __name__)
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.shared.core.trackers import DialogueStateTracker

    if "past_states" in _ORIGINAL:
        return
    past_states = _ORIGINAL["past_states"] = DialogueStateTracker.past_states
    prediction_states = _ORIGINAL["_prediction_states"] = MemoizationPolicy._prediction_states

    @functools.wraps(past_states)
    def windowed_past_states(
        self: Any,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[Dict[str, Any]]:
        window = _WINDOW.get()
        if window is not None and type(self) is DialogueStateTracker:
            states = recent_states(
                self, domain, window, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )
            # The featurizer drops action_unlikely_intent states before it slices: then the
            # window would be short; such a state never occurs without UnexpecTEDIntentPolicy.
            if states is not None and not any(map(_is_unlikely_intent_state, states)):
                return states
        return past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)

    @functools.wraps(prediction_states)
    def windowed_prediction_states(self: Any, *args: Any, **kwargs: Any) -> List[Any]:
        token = _WINDOW.set(window_for(self))
        try:
            return prediction_states(self, *args, **kwargs)
        finally:
            _WINDOW.reset(token)

    DialogueStateTracker.past_states = windowed_past_states
    MemoizationPolicy._prediction_states = windowed_prediction_states


def undo() -> None:
    """Rasa's own featurization again (tests)."""
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.shared.core.trackers import DialogueStateTracker

    if "past_states" in _ORIGINAL:
        DialogueStateTracker.past_states = _ORIGINAL.pop("past_states")
        MemoizationPolicy._prediction_states = _ORIGINAL.pop("_prediction_states")
