"""The policies predict with the last turns' states exactly what they predict with all of them.

bot/extensions/dialogue_states.py builds the states incrementally and gives MemoizationPolicy
and RulePolicy only the turns they read. Here the trained model's own policies and domain
(models/) predict at every point of one long conversation, once with Rasa's featurization and
once with ours: the conversation is every story and rule of bot/ after one another (forms,
rules that look back, loops that collapse), with the person taking back messages on the way.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.constants import RULE_SNIPPET_ACTION_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.utils.common import override_defaults

from bot.extensions import dialogue_states
from tests.conftest import ROOT

# Rasa warns about its own domain format when it reads one (slot auto-fill, removed in 3.0).
pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill:UserWarning")


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Any:
    return load_policies(tmp_path_factory.mktemp("model"))


def load_policies(directory: Path) -> Any:
    """The trained model's domain, MemoizationPolicy and RulePolicy (no NLU, no graph)."""
    archive = Path(sorted(glob.glob(str(ROOT / "models" / "*.tar.gz")))[-1])
    storage, metadata = LocalModelStorage.from_model_archive(directory, archive)
    policies = {}
    for name, node in metadata.predict_schema.nodes.items():
        if name in ("run_MemoizationPolicy0", "run_RulePolicy1"):
            config = override_defaults(node.uses.get_default_config(), node.config)
            context = ExecutionContext(metadata.predict_schema, node_name=name)
            policies[node.uses.__name__] = node.uses.load(config, storage, node.resource, context)
    return metadata.domain, policies["MemoizationPolicy"], policies["RulePolicy"]


def long_conversation(domain: Any) -> List[Event]:
    """Every story and rule of the bot, one after another, with messages taken back."""
    paths = sorted((ROOT / "bot" / "stories").glob("*.yml"))
    paths += sorted((ROOT / "bot" / "rules").glob("*.yml"))
    steps = []
    for path in paths:
        steps += YAMLStoryReader(domain, str(path)).read_from_file(str(path))
    trackers = TrainingDataGenerator(
        StoryGraph(steps), domain, remove_duplicates=False, augmentation_factor=0
    ).generate()
    events: List[Event] = []
    said = 0
    for tracker in trackers:
        for event in tracker.events:
            if isinstance(event, ActionExecuted) and event.action_name == RULE_SNIPPET_ACTION_NAME:
                continue
            events.append(event)
            if isinstance(event, UserUttered):
                said += 1
                if said % 9 == 0:  # "terug": the message is taken back, as action_back does
                    events += [UserUtteranceReverted(), ActionExecuted("action_listen")]
                elif said % 13 == 0:
                    events.append(ActionReverted())
    return events


def predictions(tracker: DialogueStateTracker, domain: Any, memo: Any, rules: Any) -> tuple:
    rule_only = rules._get_rule_only_data()
    return (
        memo.predict_action_probabilities(tracker, domain, rule_only_data=rule_only),
        rules.predict_action_probabilities(tracker, domain, rule_only_data=rule_only),
    )


def same(one: Any, other: Any) -> bool:
    keys = ("probabilities", "policy_name", "events", "is_end_to_end_prediction")
    keys += ("is_no_user_prediction", "hide_rule_turn", "action_metadata")
    return all(getattr(one, key) == getattr(other, key) for key in keys)


@pytest.fixture
def patched():
    dialogue_states.apply()
    yield
    dialogue_states.undo()


def test_a_long_conversation_predicts_what_rasas_featurization_predicts(model, patched):
    domain, memo, rules = model
    events = long_conversation(domain)
    assert len(events) > 300
    assert {type(e).__name__ for e in events} >= {"ActiveLoop", "SlotSet", "UserUtteranceReverted"}
    rule_only = rules._get_rule_only_data()
    tracker = DialogueStateTracker("lang", domain.slots)
    predicted = set()
    for event in events:
        tracker.update(event, domain)
        ours = predictions(tracker, domain, memo, rules)
        for window, ignore in ((4, True), (4, False)):
            full = domain.states_for_tracker_history(
                tracker, ignore_rule_only_turns=ignore, rule_only_data=rule_only
            )
            states = dialogue_states.recent_states(
                tracker, domain, window, False, ignore, rule_only
            )
            assert states == full[-window:]
        dialogue_states.undo()
        try:
            rasas = predictions(tracker, domain, memo, rules)
        finally:
            dialogue_states.apply()
        assert all(same(a, b) for a, b in zip(ours, rasas)), len(tracker.events)
        predicted.add(domain.action_names_or_texts[rasas[1].max_confidence_index])
    # The conversation reaches forms and rules, not only the fallback.
    assert len(predicted) > 20 and any(name.endswith("_form") for name in predicted)


def test_the_policies_read_only_the_last_turns(model, patched, monkeypatch):
    domain, memo, rules = model
    tracker = DialogueStateTracker("lang", domain.slots)
    for event in long_conversation(domain):
        tracker.update(event, domain)
    predictions(tracker, domain, memo, rules)  # builds the states once

    made = []
    get_active_state = domain.get_active_state
    monkeypatch.setattr(
        domain, "get_active_state", lambda *a, **k: made.append(1) or get_active_state(*a, **k)
    )
    tracker.update(ActionExecuted("action_listen"), domain)
    tracker.update(UserUttered("hoi", {"name": "greet", "confidence": 1.0}), domain)
    predictions(tracker, domain, memo, rules)
    assert 0 < len(made) <= 12  # a few per prediction, not one per action of the session
    made.clear()
    dialogue_states.undo()
    try:
        predictions(tracker, domain, memo, rules)
    finally:
        dialogue_states.apply()
    assert len(made) > 300  # Rasa's own: every action again, for every prediction


def test_the_windows_are_what_the_policies_read(model):
    _, memo, rules = model
    assert dialogue_states.window_for(memo) == 4  # max_history in bot/config.yml
    assert dialogue_states.window_for(rules) == max(
        len(rules._rule_key_to_state(key)) for key in rules.lookup["rules"]
    )
