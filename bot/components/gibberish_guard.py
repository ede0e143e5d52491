"""Gibberish guard: a message without words becomes ``nlu_fallback``.

The intent classifier always picks something; for keyboard mash it picked with confidence
("asdfghjkl" was read as "ja" and got "Fijn. Waar kan ik je mee helpen?"). This component runs
after the FallbackClassifier and before the crisis guard (which still has the last word):
when ``loopbrug.gibberish.is_gibberish`` says the text has no words and no entity was found,
the intent becomes ``nlu_fallback``, so ``action_clarify`` asks "Kun je het anders zeggen?".
The classifier's ranking stays below it. Button payloads never reach the pipeline.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_override import overrule_intent
from loopbrug.gibberish import is_gibberish
from loopbrug.words import dutch_words

FALLBACK_INTENT = "nlu_fallback"
KEEP = frozenset({"crisis"})  # never overrule a crisis, whatever the text looks like


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class GibberishGuard(GraphComponent, IntentClassifier):
    """Turns the intent of a message without words into ``nlu_fallback``."""

    @classmethod
    def required_components(cls) -> List[type]:
        """None declared (as the crisis guard): it only reads the parse result."""
        return []

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GibberishGuard:
        """No state, no training. The word list loads now, not in the first person's turn."""
        dutch_words()
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Overrule the intent of gibberish messages."""
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if intent.get("name") in KEEP or message.get(ENTITIES) or text.startswith("/"):
                continue  # a crisis, a place or amount found, or a button's payload
            if not is_gibberish(text):
                continue
            overrule_intent(message, FALLBACK_INTENT)
        return messages
