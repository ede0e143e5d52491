"""Crisis guard: make sure a message about acute distress always reaches the crisis answer.

A missed crisis message is the worst error this assistant can make (shared/spec/intents.md),
so the statistical classifier is not trusted alone. This component runs after the
FallbackClassifier and sets the intent to ``crisis`` when

1. the text matches one of the curated crisis patterns (harmless idioms such as "doodmoe"
   are cut out first), or
2. ``crisis`` is among the classifier's ranked intents with at least
   ``min_ranking_confidence``, even when another intent or the fallback came first, unless
   the text holds one of those idioms: they are exactly the words that make the classifier
   think of crisis without reason ("dodelijk saai"), and real crisis wording next to them is
   still caught by the patterns in step 1.

The idioms work the other way too: when the classifier itself picks ``crisis`` below
``idiom_demote_below`` for a message whose only crisis-like words are such an idiom, the
message goes to clarification (``nlu_fallback``) instead. It is asked back, never answered
at random, and real crisis wording next to the idiom still wins through the patterns.

Both the patterns and the threshold live in data (``data/safety/crisis_patterns.yml``), so
safety reviewers can change them without touching code.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.safety import CrisisMatcher

logger = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CrisisGuard(GraphComponent, IntentClassifier):
    """Overrules the classifier when a message may be about a crisis."""

    @classmethod
    def required_components(cls) -> List[type]:
        """Needs an intent classifier before it: it reads the ranking."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Defaults; bot/config.yml sets both explicitly."""
        return {
            "patterns_file": "data/safety/crisis_patterns.yml",
            "min_ranking_confidence": 0.45,
            "idiom_demote_below": 0.9,
        }

    def __init__(self, config: Dict[str, Any], matcher: CrisisMatcher) -> None:
        self.component_config = config
        self.matcher = matcher

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
        """Load the pattern file named in the config."""
        matcher = CrisisMatcher.from_file(Path(config["patterns_file"]))
        return cls(config, matcher)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the intent to crisis where the text or the ranking calls for it."""
        for message in messages:
            if self._idiom_only(message):
                logger.info("crisis_guard sent an idiom to clarification")
                ranking = [
                    item
                    for item in message.data.get(INTENT_RANKING_KEY, [])
                    if item.get(INTENT_NAME_KEY) != CRISIS_INTENT
                ]
                fallback = {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}
                message.data[INTENT] = dict(fallback)
                message.data[INTENT_RANKING_KEY] = [dict(fallback)] + ranking
                continue
            reason = self._crisis_reason(message)
            if reason is None:
                continue
            logger.info("crisis_guard overruled the classifier (%s)", reason)
            ranking = [
                item
                for item in message.data.get(INTENT_RANKING_KEY, [])
                if item.get(INTENT_NAME_KEY) != CRISIS_INTENT
            ]
            crisis = {INTENT_NAME_KEY: CRISIS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.data[INTENT] = dict(crisis)
            message.data[INTENT_RANKING_KEY] = [dict(crisis)] + ranking
        return messages

    def _idiom_only(self, message: Message) -> bool:
        """The classifier chose crisis, unsure, and only because of a harmless idiom."""
        text = message.get(TEXT) or ""
        intent = message.data.get(INTENT) or {}
        return (
            intent.get(INTENT_NAME_KEY) == CRISIS_INTENT
            and intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)
            < self.component_config["idiom_demote_below"]
            and self.matcher.has_idiom(text)
            and not self.matcher.matches(text)
        )

    def _crisis_reason(self, message: Message) -> Optional[str]:
        text = message.get(TEXT) or ""
        if self.matcher.matches(text):
            return "pattern"
        if self.matcher.has_idiom(text):
            return None
        threshold = self.component_config["min_ranking_confidence"]
        for item in message.data.get(INTENT_RANKING_KEY, []):
            if (
                item.get(INTENT_NAME_KEY) == CRISIS_INTENT
                and item.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= threshold
            ):
                return "ranking"
        return None
