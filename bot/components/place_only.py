"""A message that only names a place is the person saying where they live.

"Deventer" or "7411" on its own is the answer to "waar woon je?", also when a form is not
asking it (a new place after the desks of the old one). The intent classifier is unsure of
bare names it never saw (0.5 for "Deventer", just under the fallback threshold), so the
person was asked back; a later model was sure "Deventer" was about a sector. This component
runs after the FallbackClassifier: when the message holds a recognised place (``gemeente`` or
``postcode``) and otherwise only a few linking words ("ik woon in"), the intent becomes
``inform_location``, whatever the classifier or the fallback said. It never touches a crisis
(the crisis guard runs later and still wins).
"""

from __future__ import annotations

import re
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

FALLBACK_INTENT = "nlu_fallback"
PLACE_INTENT = "inform_location"
CRISIS_INTENT = "crisis"  # never overruled here; the crisis guard runs later and decides
PLACE_ENTITIES = frozenset({"gemeente", "postcode"})
# Words that may stand beside the place without making it another question.
LINKING_WORDS = frozenset(
    "ik woon wonen in te uit kom bij de het regio gemeente postcode mijn is dat nu hier "
    "buurt omgeving van ben".split()
)
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


def only_a_place(text: str, entities: List[Dict[str, Any]]) -> bool:
    """True when ``text`` is a recognised place plus at most a few linking words."""
    places = [e for e in entities if e.get("entity") in PLACE_ENTITIES and "start" in e]
    if not places or text.strip().isdigit():
        # A bare number ("3000") may be an amount as well as a postcode: left to the
        # classifier and the flow that asked for it.
        return False
    # Readings may overlap ("3200 br" and "3200" in "3200 bruto"): blank every covered
    # character, so what is left is exactly what no place reading covers ("uto").
    covered = set()
    for entity in places:
        covered.update(range(entity["start"], entity["end"]))
    rest = "".join(" " if i in covered else c for i, c in enumerate(text))
    return all(word.lower() in LINKING_WORDS for word in _WORD.findall(rest))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PlaceOnly(GraphComponent, IntentClassifier):
    """Turns any reading of a bare place into ``inform_location``."""

    @classmethod
    def required_components(cls) -> List[type]:
        """None declared: it only reads the parse result."""
        return []

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PlaceOnly:
        """No state, no training."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Overrule the fallback, or any other reading, for a message that only names a place."""
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") in (PLACE_INTENT, CRISIS_INTENT):
                continue
            entities = message.get(ENTITIES) or []
            if not only_a_place(message.get(TEXT) or "", entities):
                continue
            named = any(e.get("entity") == "gemeente" for e in entities)
            if intent.get("name") != FALLBACK_INTENT and not named:
                # A sure reading of digits stays: "3200 bruto" is a salary, not a postcode.
                continue
            overrule_intent(message, PLACE_INTENT, drop=[FALLBACK_INTENT])
        return messages
