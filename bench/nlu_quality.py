"""Understanding: intent F1, crisis recall and out-of-scope handling on held-out Dutch sets.

The held-out set (tests/nlu/heldout.yml) is written separately from the training data and
never trained on (tests/unit/test_training_data.py checks that no example leaks). The
prediction counted is the final one, after the fallback and the crisis guard, so a message
sent to clarification counts as a miss for its intent.

Clarification: the intents ``out_of_scope`` and ``nlu_fallback`` both lead to
action_clarify (bot/rules/core.yml), so either counts as "sent to clarification".
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

from bot.nlu_data import nlu_examples
from bot.settings import ROOT

HELD_OUT = ROOT / "tests" / "nlu" / "heldout.yml"
CRISIS_SET = ROOT / "tests" / "nlu" / "crisis_set.yml"
SCOPE_SET = ROOT / "tests" / "nlu" / "out_of_scope_set.yml"
CLARIFY = {"out_of_scope", "nlu_fallback"}


@dataclass
class QualityReport:
    """Scores of one model on the held-out sets."""

    macro_f1: float
    accuracy: float
    per_intent: Dict[str, Tuple[float, int]]  # intent -> (f1, support)
    crisis_recall: float
    crisis_missed: List[str]
    near_crisis_false_alarms: List[str]
    examples: int
    # Out-of-scope handling (tests/nlu/out_of_scope_set.yml and the held-out set).
    oos_to_clarify: float = float("nan")  # share of out-of-scope messages sent to clarification
    oos_examples: int = 0
    oos_missed: List[Tuple[str, str]] = field(default_factory=list)  # (text, intent taken)
    in_scope_to_clarify: float = float("nan")  # held-out in-scope messages wrongly sent there
    in_scope_examples: int = 0
    short_to_clarify: float = float("nan")  # the scope set's short in-scope messages
    short_examples: int = 0
    confusions: List[Tuple[str, str, int]] = field(default_factory=list)  # gold, taken, count


def held_out_pairs() -> List[Tuple[str, str]]:
    """(text, intent) for every held-out example."""
    return [(t, i) for i, texts in nlu_examples(HELD_OUT).items() for t in texts]


def crisis_cases() -> Tuple[List[str], List[str]]:
    """Crisis messages (held-out crisis examples plus the curated set) and near misses."""
    data = yaml.safe_load(CRISIS_SET.read_text(encoding="utf-8"))
    crisis = list(data["crisis"]) + nlu_examples(HELD_OUT).get("crisis", [])
    near = [item["text"] for item in data["not_crisis"]]
    return crisis, near


def scope_cases() -> Tuple[List[str], List[Tuple[str, str]]]:
    """Out-of-scope messages and short in-scope (text, intent) pairs."""
    data = yaml.safe_load(SCOPE_SET.read_text(encoding="utf-8"))
    return list(data["out_of_scope"]), [(d["text"], d["intent"]) for d in data["in_scope_short"]]


async def _predict(model: Path, texts: Sequence[str]) -> List[str]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no debug line per parsed message
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Rasa's and TensorFlow's own deprecation warnings
        agent = Agent.load(str(model))
    return [(await agent.parse_message(t))["intent"]["name"] for t in texts]


def predict_all(model: Path, texts: Sequence[str]) -> List[str]:
    """Final intent per text, from ``model`` loaded in this process."""
    return asyncio.run(_predict(model, texts))


def intent_scores(gold: Sequence[str], predicted: Sequence[str]) -> Tuple[float, float, dict]:
    """(macro-F1, accuracy, intent -> (F1, support)) over the intents in ``gold``.

    Predictions outside those intents (nlu_fallback, or an intent with no test example)
    count as misses, not as a class of their own.
    """
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(gold))
    _, _, f1s, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    macro = float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))
    per_intent = {lab: (float(f), int(s)) for lab, f, s in zip(labels, f1s, support)}
    return macro, float(accuracy_score(gold, predicted)), per_intent


def top_confusions(
    gold: Sequence[str], predicted: Sequence[str], top: int = 10
) -> List[Tuple[str, str, int]]:
    """The most frequent (intent, intent taken instead, count) mistakes."""
    pairs = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    return [(g, p, n) for (g, p), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))][:top]


def share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def evaluate(model: Path) -> QualityReport:
    """Score ``model`` on the held-out, crisis and scope sets."""
    pairs = held_out_pairs()
    crisis, near = crisis_cases()
    oos, short = scope_cases()
    groups = [[t for t, _ in pairs], crisis, near, oos, [t for t, _ in short]]
    predicted = predict_all(model, [t for group in groups for t in group])
    split, start = [], 0
    for group in groups:
        split.append(predicted[start : start + len(group)])
        start += len(group)
    held_pred, crisis_pred, near_pred, oos_pred, short_pred = split

    gold = [i for _, i in pairs]
    macro, accuracy, per_intent = intent_scores(gold, held_pred)
    in_scope = [p in CLARIFY for g, p in zip(gold, held_pred) if g != "out_of_scope"]
    return QualityReport(
        macro_f1=macro,
        accuracy=accuracy,
        per_intent=per_intent,
        crisis_recall=share([p == "crisis" for p in crisis_pred]),
        crisis_missed=[t for t, p in zip(crisis, crisis_pred) if p != "crisis"],
        near_crisis_false_alarms=[t for t, p in zip(near, near_pred) if p == "crisis"],
        examples=len(pairs),
        oos_to_clarify=share([p in CLARIFY for p in oos_pred]),
        oos_examples=len(oos),
        oos_missed=[(t, p) for t, p in zip(oos, oos_pred) if p not in CLARIFY],
        in_scope_to_clarify=share(in_scope),
        in_scope_examples=len(in_scope),
        short_to_clarify=share([p in CLARIFY for p in short_pred]),
        short_examples=len(short),
        confusions=top_confusions(gold, held_pred),
    )
