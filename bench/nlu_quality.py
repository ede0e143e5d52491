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

from loopbrug.nlu_data import nlu_examples
from loopbrug.settings import ROOT

HELD_OUT = ROOT / "tests" / "nlu" / "heldout.yml"
CRISIS_SET = ROOT / "tests" / "nlu" / "crisis_set.yml"
SCOPE_SET = ROOT / "tests" / "nlu" / "out_of_scope_set.yml"
SAFETY_SETS = ROOT / "tests" / "safety"
# Two probes written blind to the detector: the first was then used to develop it (seen), the
# second is never tuned on (blind); see docs/safety.md.
CRISIS_PROBES = {
    "development probe": ROOT / "bench" / "data" / "crisis_probe.yml",
    "blind probe": ROOT / "bench" / "data" / "crisis_probe_blind.yml",
}
CLARIFY = {"out_of_scope", "nlu_fallback"}
NEAR_CRISIS_SET = "tests/nlu near-crisis"


@dataclass
class CrisisSet:
    """One set of messages that must (``want``) or must not get the crisis answer."""

    name: str
    texts: List[str]
    want: bool
    value: float = float("nan")  # recall when ``want``, else the false-crisis rate
    misses: List[str] = field(default_factory=list)


def crisis_sets() -> List[CrisisSet]:
    """Every crisis and not-crisis set the benchmark reports, per set."""
    curated = yaml.safe_load((SAFETY_SETS / "crisis_set.yml").read_text(encoding="utf-8"))
    ordinary = yaml.safe_load((SAFETY_SETS / "not_crisis_set.yml").read_text(encoding="utf-8"))
    old = yaml.safe_load(CRISIS_SET.read_text(encoding="utf-8"))
    held = nlu_examples(HELD_OUT)
    sets = [
        CrisisSet("held-out crisis examples", held.get("crisis", []), True),
        CrisisSet("tests/nlu/crisis_set.yml", list(old["crisis"]), True),
        CrisisSet("curated: fresh and mixed", [m["text"] for m in curated["fresh"]], True),
    ]
    for flow, messages in curated["flows"].items():
        sets.append(CrisisSet(f"curated: said inside {flow}", [m["text"] for m in messages], True))
    in_scope = [t for intent, texts in held.items() if intent != "crisis" for t in texts]
    sets += [
        CrisisSet("held-out in-scope (every non-crisis intent)", in_scope, False),
        CrisisSet(NEAR_CRISIS_SET, [m["text"] for m in old["not_crisis"]], False),
    ]
    for group, messages in ordinary.items():
        sets.append(CrisisSet(f"curated ordinary: {group}", [m["text"] for m in messages], False))
    for name, path in CRISIS_PROBES.items():
        probe = yaml.safe_load(path.read_text(encoding="utf-8"))
        sets += [
            CrisisSet(f"{name}: crisis", [m["text"] for m in probe["crisis"]], True),
            CrisisSet(f"{name}: ordinary", [m["text"] for m in probe["ordinary"]], False),
        ]
    return sets


# The sets whose recall must be 1.0 (not the probes) and the set whose false-crisis rate
# has a goal.
RECALL_SETS_EXCLUDE = tuple(f"{name}: crisis" for name in CRISIS_PROBES)
FALSE_RATE_SET = "held-out in-scope (every non-crisis intent)"


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
    # Crisis per set (crisis_sets): recall or false-crisis rate, with the misses.
    crisis_per_set: List[Dict] = field(default_factory=list)
    false_crisis_rate: float = float("nan")  # over every in-scope held-out message


def held_out_pairs() -> List[Tuple[str, str]]:
    """(text, intent) for every held-out example."""
    return [(t, i) for i, texts in nlu_examples(HELD_OUT).items() for t in texts]


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
    oos, short = scope_cases()
    per_set = crisis_sets()  # every crisis and near-crisis set, each predicted once
    groups = [[t for t, _ in pairs], oos, [t for t, _ in short]]
    groups += [c.texts for c in per_set]
    predicted = predict_all(model, [t for group in groups for t in group])
    split, start = [], 0
    for group in groups:
        split.append(predicted[start : start + len(group)])
        start += len(group)
    held_pred, oos_pred, short_pred = split[:3]
    for one, taken in zip(per_set, split[3:]):
        hits = [p == "crisis" for p in taken]
        one.value = share(hits)
        one.misses = [t for t, hit in zip(one.texts, hits) if hit != one.want]
    crisis_recall_texts = [
        t for c in per_set if c.want and c.name not in RECALL_SETS_EXCLUDE for t in c.texts
    ]
    crisis_missed = [
        t for c in per_set if c.want and c.name not in RECALL_SETS_EXCLUDE for t in c.misses
    ]

    gold = [i for _, i in pairs]
    macro, accuracy, per_intent = intent_scores(gold, held_pred)
    in_scope = [p in CLARIFY for g, p in zip(gold, held_pred) if g != "out_of_scope"]
    return QualityReport(
        macro_f1=macro,
        accuracy=accuracy,
        per_intent=per_intent,
        crisis_recall=1 - len(crisis_missed) / len(crisis_recall_texts),
        crisis_missed=crisis_missed,
        near_crisis_false_alarms=next(c.misses for c in per_set if c.name == NEAR_CRISIS_SET),
        examples=len(pairs),
        oos_to_clarify=share([p in CLARIFY for p in oos_pred]),
        oos_examples=len(oos),
        oos_missed=[(t, p) for t, p in zip(oos, oos_pred) if p not in CLARIFY],
        in_scope_to_clarify=share(in_scope),
        in_scope_examples=len(in_scope),
        short_to_clarify=share([p in CLARIFY for p in short_pred]),
        short_examples=len(short),
        confusions=top_confusions(gold, held_pred),
        crisis_per_set=[
            {
                "name": c.name,
                "want": c.want,
                "n": len(c.texts),
                "value": c.value,
                "misses": c.misses,
            }
            for c in per_set
        ],
        false_crisis_rate=next(c.value for c in per_set if c.name == FALSE_RATE_SET),
    )
