"""Crisis guard: the crisis detector's verdict on every message, applied to the parse result.

A missed crisis message is the worst error this assistant can make (shared/spec/intents.md).
Crisis is therefore not left to the intent classifier: the crisis detector
(``loopbrug/safety/detector.py``) reads every message by itself, clause by clause, so a
message that is about debts *and* about wanting to die is a crisis message. This component
runs last in the NLU pipeline and

1. sets the intent to ``crisis`` (confidence 1.0) when the detector hears a crisis, whatever
   the classifier or the fallback said. The classifier's own ranking stays below it, and its
   best other intent is kept as ``crisis.other_intent`` so the dialogue can offer to come back
   to the other question ("Wil je het daarna ook over je schulden hebben?");
2. adds the verdict to the parse result as ``crisis`` (level, language, rules, other intent),
   and for a crisis the entity ``crisis_lang`` (nl or en), so the crisis answer comes in the
   person's language (slot ``crisis_lang``);
3. does not let the classifier alone raise a crisis: when it guesses ``crisis`` but the
   detector hears no crisis wording ("ik denk erover om van beroep te wisselen"), the message
   gets its next-best intent, or ``distress`` when the detector hears sadness. Why: every
   curated and training crisis message is caught by the detector (tests/unit/
   test_crisis_detector.py), while the classifier's guesses are what sent career questions to
   the 113 answer. A classifier that is very sure (``classifier_crisis_min``) of a message the
   detector calls sad still counts as crisis: a safety net for wording nobody wrote down yet;
4. sends a sad message that the classifier cannot place (fallback, out of scope, unsure) to
   ``distress``: a warm answer and the offer of a person, not the 113 script.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_override import overrule_intent
from loopbrug.safety import CrisisDetector, Verdict
from loopbrug.safety.classifier import NEGATIVE_FILE, POSITIVE_FILE, ClauseClassifier
from loopbrug.safety.detector import CRISIS, DISTRESS
from loopbrug.safety.other_part import OtherPart

logger = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
DISTRESS_INTENT = "distress"
FALLBACK_INTENT = "nlu_fallback"
# The parse result's key for the verdict, and the entity that carries its language.
VERDICT_KEY = "crisis"
LANGUAGE_ENTITY = "crisis_lang"
# "crisis", or "reached_help" when the person says they reached 113 already: the short
# crisis answer (slot crisis_kind, bot/domain/safety.yml).
KIND_ENTITY = "crisis_kind"
# Intents that say nothing about a topic: a sad message with one of these is about the sadness.
NO_TOPIC = {FALLBACK_INTENT, "out_of_scope", "give_feedback", "deny", "affirm", "greet"}
# Not a question to come back to after a crisis answer.
NOT_A_QUESTION = NO_TOPIC | {
    DISTRESS_INTENT,
    "thank",
    "goodbye",
    "bot_challenge",
    "inform_location",
}
# The other intent of a mixed message needs this share of what crisis leaves over.
OTHER_SHARE = 0.4


MODEL_FILE = "crisis_clauses.joblib"
# The training examples the other part of a mixed message is read against (other_part.py).
EXAMPLES_FILE = "other_part_examples.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CrisisGuard(GraphComponent, IntentClassifier):
    """Applies the crisis detector's verdict to every parsed message.

    Trained with the model: the detector's per-clause classifier learns from the training
    examples (crisis against every other intent) and data/safety/crisis_training_*.yml. The
    patterns are read from their file whenever the model loads, so a reviewed pattern change
    needs no retraining.
    """

    @classmethod
    def required_components(cls) -> List[type]:
        """None declared: it reads the intent ranking when there is one (bot/config.yml puts
        it after DIET and the fallback), and Rasa's check of required components would demand
        an intent classifier before its training node too, which a training graph has not."""
        return []

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Defaults; bot/config.yml sets them explicitly."""
        return {
            "patterns_file": "data/safety/crisis_patterns.yml",
            "classifier_crisis_min": 0.9,
            "distress_unsure_below": 0.6,
            "fallback_threshold": 0.55,
            "classifier_threshold": 0.8,
            "classifier_doubt": 0.5,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        detector: CrisisDetector,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
    ) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self.detector = detector
        self._model_storage = model_storage
        self._resource = resource
        self.other_part: Optional[OtherPart] = None

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when the classifier's training files or code change (Rasa cannot see them)."""
        from loopbrug.safety import classifier, detector, other_part

        digest = hashlib.sha256()
        for path in (POSITIVE_FILE, NEGATIVE_FILE, config.get("patterns_file", "")):
            digest.update(Path(path).read_bytes() if path and Path(path).is_file() else b"")
        for module in (classifier, detector, other_part):
            digest.update(Path(module.__file__).read_bytes())
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
        """An untrained guard: the patterns of the file named in the config."""
        detector = CrisisDetector.from_file(Path(config["patterns_file"]))
        return cls(config, detector, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Train the per-clause classifier and store it with the model."""
        examples = [
            (str(e.get(INTENT)), str(e.get(TEXT)))
            for e in training_data.intent_examples
            if e.get(TEXT)
        ]
        self.detector = self.detector.trained(
            examples,
            threshold=self.component_config["classifier_threshold"],
            doubt=self.component_config["classifier_doubt"],
        )
        # joblib (pickle) is fine here: the file is written by this training and lives in the
        # model archive, which Rasa trusts as a whole (its TensorFlow weights load the same way).
        with self._model_storage.write_to(self._resource) as model_dir:
            self.detector.classifier.save(model_dir / MODEL_FILE)
            (model_dir / EXAMPLES_FILE).write_text(json.dumps(examples), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CrisisGuard:
        """The patterns from their file, the classifier from the model."""
        guard = cls.create(config, model_storage, resource, execution_context)
        try:
            with model_storage.read_from(resource) as model_dir:
                classifier = ClauseClassifier.load(model_dir / MODEL_FILE)
                examples = json.loads((model_dir / EXAMPLES_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("crisis_guard: no trained classifier in the model; patterns only")
            return guard
        guard.detector = guard.detector.with_classifier(classifier)
        guard.other_part = other_part_reader(examples)
        return guard

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes unchanged: the guard only acts on messages people send."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Apply the verdict to each message (see the module docstring)."""
        for message in messages:
            verdict = self.detector.detect(message.get(TEXT) or "")
            intent = message.data.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            confidence = intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)
            if not verdict.crisis and name == CRISIS_INTENT:
                sure = confidence >= self.component_config["classifier_crisis_min"]
                if sure and verdict.level == DISTRESS:
                    logger.info("crisis_guard kept a very sure classifier crisis")
                    verdict = Verdict(CRISIS, verdict.lang or "nl", ("intent_classifier",))
                else:
                    self._demote(message, verdict)
            if verdict.crisis:
                self._raise(message, verdict)
            elif verdict.level == DISTRESS and self._unplaced(message):
                self._set_intent(message, DISTRESS_INTENT)
            message.set(VERDICT_KEY, self._verdict_data(message, verdict), add_to_output=True)
        return messages

    def _unplaced(self, message: Message) -> bool:
        intent = message.data.get(INTENT) or {}
        return (
            intent.get(INTENT_NAME_KEY) in NO_TOPIC
            or intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)
            < self.component_config["distress_unsure_below"]
        )

    def _raise(self, message: Message, verdict: Verdict) -> None:
        other = self._other_intent(message) if verdict.other else None
        if other is None and verdict.other and self.other_part is not None:
            # The classifier read the whole message, where the crisis words drown the rest:
            # read the rest alone ("ik heb 30k schuld en").
            other = self.other_part.intent_of(verdict.other)
        logger.info("crisis_guard heard a crisis (%s)", ",".join(verdict.rules))
        self._set_intent(message, CRISIS_INTENT)
        entities = [
            e
            for e in message.get(ENTITIES, [])
            if e.get("entity") not in (LANGUAGE_ENTITY, KIND_ENTITY)
        ]
        entities.append(
            {"entity": LANGUAGE_ENTITY, "value": verdict.lang or "nl", "extractor": "CrisisGuard"}
        )
        kind = "reached_help" if verdict.reached_help else "crisis"
        entities.append({"entity": KIND_ENTITY, "value": kind, "extractor": "CrisisGuard"})
        message.set(ENTITIES, entities, add_to_output=True)
        message.data["_crisis_other"] = other

    def _demote(self, message: Message, verdict: Verdict) -> None:
        """A classifier's crisis without crisis wording: its next guess, or distress."""
        logger.info("crisis_guard did not follow a classifier crisis without crisis wording")
        if verdict.level == DISTRESS:
            self._set_intent(message, DISTRESS_INTENT)
            return
        everything = message.data.get(INTENT_RANKING_KEY, [])
        crisis = _crisis_confidence(everything)
        ranking = [
            item
            for item in everything
            if item.get(INTENT_NAME_KEY) not in (CRISIS_INTENT, FALLBACK_INTENT)
        ]
        message.data[INTENT_RANKING_KEY] = ranking
        best = dict(ranking[0]) if ranking else {}
        # Without crisis, the next guess's share of what is left is its real confidence; it
        # must be as sure as the fallback asks of any guess, else the person is asked back.
        share = best.get(PREDICTED_CONFIDENCE_KEY, 0.0) / max(1.0 - crisis, 1e-9)
        if not best or share < self.component_config["fallback_threshold"]:
            best = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.data[INTENT] = best

    @staticmethod
    def _other_intent(message: Message) -> Optional[str]:
        """The classifier's best guess apart from crisis: what the rest of the message asks.

        Its share of what crisis leaves over must be clear (``OTHER_SHARE``), and it must be a
        question (not "ja", "hoi" or the fallback): the crisis answer offers to come back to it.
        """
        ranking = message.data.get(INTENT_RANKING_KEY, [])
        crisis = _crisis_confidence(ranking)
        for item in ranking:
            name = item.get(INTENT_NAME_KEY)
            if name in (CRISIS_INTENT, FALLBACK_INTENT):
                continue
            share = item.get(PREDICTED_CONFIDENCE_KEY, 0.0) / max(1.0 - crisis, 1e-9)
            return name if share >= OTHER_SHARE and name not in NOT_A_QUESTION else None
        return None

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        overrule_intent(message, name)

    @staticmethod
    def _verdict_data(message: Message, verdict: Verdict) -> Dict[str, Any]:
        data = verdict.as_dict()
        data["other_intent"] = message.data.pop("_crisis_other", None)
        return data


def _crisis_confidence(ranking: List[Dict[str, Any]]) -> float:
    """The classifier's confidence in ``crisis`` (0 when it did not rank it)."""
    return sum(
        item.get(PREDICTED_CONFIDENCE_KEY, 0.0)
        for item in ranking
        if item.get(INTENT_NAME_KEY) == CRISIS_INTENT
    )


def other_part_reader(examples: List[List[str]]) -> OtherPart:
    """The reader of a mixed message's other part, from the stored (intent, text) examples;
    never a topic that is no question to come back to."""
    never = {CRISIS_INTENT, FALLBACK_INTENT, *NOT_A_QUESTION}
    return OtherPart(((str(i), str(t)) for i, t in examples), never=sorted(never))
