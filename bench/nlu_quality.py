"""Understanding: intent F1 and crisis recall on the held-out Dutch test set.

The held-out set (tests/nlu/heldout.yml) is written separately from the training data and
never trained on (tests/unit/test_training_data.py checks that no example leaks). The
prediction counted is the final one, after the fallback and the crisis guard, so a message
sent to clarification counts as a miss for its intent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.nlu_data import nlu_examples
from bot.settings import ROOT

HELD_OUT = ROOT / "tests" / "nlu" / "heldout.yml"
CRISIS_SET = ROOT / "tests" / "nlu" / "crisis_set.yml"


@dataclass
class QualityReport:
    """Scores of one model on the held-out set."""

    macro_f1: float
    accuracy: float
    per_intent: Dict[str, Tuple[float, int]]  # intent -> (f1, support)
    crisis_recall: float
    crisis_missed: List[str]
    near_crisis_false_alarms: List[str]
    examples: int


def held_out_pairs() -> List[Tuple[str, str]]:
    """(text, intent) for every held-out example."""
    return [(t, i) for i, texts in nlu_examples(HELD_OUT).items() for t in texts]


def crisis_cases() -> Tuple[List[str], List[str]]:
    """Crisis messages (held-out crisis examples plus the curated set) and near misses."""
    data = yaml.safe_load(CRISIS_SET.read_text(encoding="utf-8"))
    crisis = list(data["crisis"]) + nlu_examples(HELD_OUT).get("crisis", [])
    near = [item["text"] for item in data["not_crisis"]]
    return crisis, near


async def predict_all(model: Path, texts: List[str]) -> List[str]:
    """Final intent per text, from the model loaded in this process."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [(await agent.parse_message(t))["intent"]["name"] for t in texts]


def evaluate(model: Path) -> QualityReport:
    """Score ``model`` on the held-out and crisis sets."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    pairs = held_out_pairs()
    crisis, near = crisis_cases()
    texts = [t for t, _ in pairs] + crisis + near
    predicted = asyncio.run(predict_all(model, texts))
    held_pred = predicted[: len(pairs)]
    crisis_pred = predicted[len(pairs) : len(pairs) + len(crisis)]
    near_pred = predicted[len(pairs) + len(crisis) :]

    gold = [i for _, i in pairs]
    labels = sorted(set(gold))
    _, _, f1s, support = precision_recall_fscore_support(
        gold, held_pred, labels=labels, zero_division=0
    )
    return QualityReport(
        macro_f1=float(f1_score(gold, held_pred, labels=labels, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(gold, held_pred)),
        per_intent={lab: (float(f), int(s)) for lab, f, s in zip(labels, f1s, support)},
        crisis_recall=sum(p == "crisis" for p in crisis_pred) / len(crisis),
        crisis_missed=[t for t, p in zip(crisis, crisis_pred) if p != "crisis"],
        near_crisis_false_alarms=[t for t, p in zip(near, near_pred) if p == "crisis"],
        examples=len(pairs),
    )
