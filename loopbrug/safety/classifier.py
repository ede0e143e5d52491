"""A per-clause crisis classifier: the safety net for crisis wording nobody wrote a pattern for.

The curated patterns (``detector.py``) are exact and explainable, but people in distress say
things no list foresees: on a blind probe written apart from the patterns they caught about
half of the crisis messages (docs/benchmarks.md). This classifier reads each clause and gives a
probability that it speaks of suicide, self-harm or acute danger. It learns from the training
examples of the ``crisis`` intent, from ``data/safety/crisis_training_positive.yml`` and, as
counter-examples, from every other intent and ``data/safety/crisis_training_negative.yml``
(ordinary talk with dark words: funeral jobs, "doodmoe", "this job is killing me").

Why this model: character n-grams within words (3 to 5) plus word n-grams (1 to 3), with a
logistic regression. It is small (trains in seconds on 2 cores), robust to the typos and
compounds of Dutch phone messages, and its probabilities are calibrated enough for one
threshold. It reads text as the detector normalises it (slang, fillers, key-word typos), and
one clause at a time, so "ik heb 30k schuld" beside "ik wil er niet meer zijn" cannot dilute
the crisis part. scikit-learn is already installed with Rasa; the model is stored with joblib.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, List, Sequence, Tuple

import joblib
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from loopbrug.nlu_data import nlu_examples

POSITIVE_FILE = Path("data/safety/crisis_training_positive.yml")
NEGATIVE_FILE = Path("data/safety/crisis_training_negative.yml")
CRISIS_INTENT = "crisis"
# Intents whose examples are not counter-examples: a sad message may be close to a crisis.
NOT_NEGATIVE = {CRISIS_INTENT}


def nlu_pairs(paths: Iterable[Path]) -> Iterator[Tuple[str, str]]:
    """(intent, text) of every example in Rasa NLU YAML files."""
    for path in paths:
        for intent, texts in nlu_examples(Path(path)).items():
            for text in texts:
                yield intent, text


def extra_examples(root: Path = Path(".")) -> Tuple[List[str], List[str]]:
    """The dedicated crisis training file and its counter-examples."""
    positive = yaml.safe_load((root / POSITIVE_FILE).read_text(encoding="utf-8"))["crisis"]
    negative = yaml.safe_load((root / NEGATIVE_FILE).read_text(encoding="utf-8"))["ordinary"]
    return [str(t) for t in positive], [str(t) for t in negative]


def labelled(
    examples: Iterable[Tuple[str, str]], root: Path = Path(".")
) -> Tuple[List[str], List[int]]:
    """Texts and 1/0 labels: crisis intent and positives 1, every other example 0."""
    texts: List[str] = []
    labels: List[int] = []
    for intent, text in examples:
        texts.append(text)
        labels.append(1 if intent == CRISIS_INTENT else 0)
    positive, negative = extra_examples(root)
    texts += positive + negative
    labels += [1] * len(positive) + [0] * len(negative)
    return texts, labels


def _pipeline(seed: int) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True
                ),
            ),
            ("words", TfidfVectorizer(ngram_range=(1, 3), min_df=1, sublinear_tf=True)),
        ]
    )
    # Chosen by measurement on the development probe and the held-out set (docs/safety.md):
    # unweighted classes and little regularisation kept every ordinary curated and held-out
    # message below the threshold while hearing the most crisis messages.
    model = LogisticRegression(C=10.0, max_iter=2000, random_state=seed, solver="liblinear")
    return Pipeline([("features", features), ("model", model)])


@dataclass
class ClauseClassifier:
    """A trained model and its two probabilities.

    ``threshold``: a clause this likely counts as a crisis (the 113 answer). ``doubt``: a
    clause this likely but below ``threshold`` counts as distress, so a message nobody can
    place gets warmth and the offer of a person rather than an ordinary answer.
    """

    pipeline: Pipeline
    threshold: float
    doubt: float = 1.0

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[int],
        threshold: float,
        doubt: float = 1.0,
        seed: int = 42,
    ) -> ClauseClassifier:
        """Fit on (already normalised) texts with 1 for crisis and 0 for ordinary talk."""
        pipeline = _pipeline(seed)
        pipeline.fit(list(texts), list(labels))
        return cls(pipeline, threshold, doubt)

    def probabilities(self, texts: Sequence[str]) -> List[float]:
        """The crisis probability of each (already normalised) text."""
        if not texts:
            return []
        return [float(p) for p in self.pipeline.predict_proba(list(texts))[:, 1]]

    def save(self, path: Path) -> None:
        """Store the model (joblib) next to its threshold."""
        joblib.dump(
            {"pipeline": self.pipeline, "threshold": self.threshold, "doubt": self.doubt}, path
        )

    @classmethod
    def load(cls, path: Path) -> ClauseClassifier:
        """Read a model stored by ``save``."""
        stored = joblib.load(path)
        return cls(stored["pipeline"], float(stored["threshold"]), float(stored["doubt"]))
