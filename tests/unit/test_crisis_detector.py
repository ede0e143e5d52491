"""The crisis detector: every curated crisis message fires, no ordinary message does.

The curated sets (tests/safety/, tests/nlu/crisis_set.yml) were written apart from the
patterns and the training data. Every training and held-out example is read too: only the
ones labelled crisis may fire, and all of those must.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Tuple

import pytest
import yaml

from loopbrug.safety import CRISIS, DISTRESS, NONE, CrisisDetector
from loopbrug.safety.classifier import nlu_pairs
from tests.conftest import ROOT

SETS = ROOT / "tests" / "safety"


@pytest.fixture(scope="module")
def patterns() -> CrisisDetector:
    """The curated patterns alone."""
    return CrisisDetector.from_file(ROOT / "data" / "safety" / "crisis_patterns.yml")


@pytest.fixture(scope="module")
def detector(patterns: CrisisDetector) -> CrisisDetector:
    """Patterns plus the per-clause classifier, trained as `rasa train` trains it."""
    examples = nlu_pairs(sorted((ROOT / "data" / "nlu").glob("*.yml")))
    return patterns.trained(examples, root=ROOT, threshold=0.8, doubt=0.5)


def load(name: str) -> dict:
    return yaml.safe_load((SETS / name).read_text(encoding="utf-8"))


def crisis_messages() -> List[Tuple[str, str, str]]:
    """(where, text, lang) for every curated crisis message."""
    data = load("crisis_set.yml")
    out = [("fresh", m["text"], m["lang"]) for m in data["fresh"]]
    for flow, messages in data["flows"].items():
        out += [(flow, m["text"], m["lang"]) for m in messages]
    old = yaml.safe_load((ROOT / "tests" / "nlu" / "crisis_set.yml").read_text(encoding="utf-8"))
    return out + [("tests/nlu", text, "nl") for text in old["crisis"]]


def ordinary_messages() -> List[Tuple[str, str]]:
    data = load("not_crisis_set.yml")
    out = [(group, m["text"]) for group, messages in data.items() for m in messages]
    old = yaml.safe_load((ROOT / "tests" / "nlu" / "crisis_set.yml").read_text(encoding="utf-8"))
    out += [("tests/nlu near-crisis", m["text"]) for m in old["not_crisis"]]
    scope = yaml.safe_load(
        (ROOT / "tests" / "nlu" / "out_of_scope_set.yml").read_text(encoding="utf-8")
    )
    for group, messages in scope.items():
        out += [(group, m if isinstance(m, str) else m["text"]) for m in messages]
    return out


def nlu_examples() -> Iterator[Tuple[str, str, str]]:
    """(file, intent, text) of every training and held-out example."""
    paths = sorted((ROOT / "data" / "nlu").glob("*.yml")) + [ROOT / "tests/nlu/heldout.yml"]
    for path in paths:
        for intent, text in nlu_pairs([path]):
            yield path.name, intent, text


def test_the_curated_sets_are_big_enough():
    data = load("crisis_set.yml")
    fresh = data["fresh"]
    total = len(fresh) + sum(len(v) for v in data["flows"].values())
    assert total >= 200
    assert sum(m["kind"] == "mixed" for m in fresh) >= 60
    assert all(m.get("other") for m in fresh if m["kind"] == "mixed")
    assert set(data["flows"]) == {
        "selftest",
        "money_check",
        "calculator",
        "handoff",
        "location",
        "takeover",
    }
    assert all(len(messages) >= 40 for messages in data["flows"].values())
    assert sum(m["lang"] == "en" for m in fresh) >= 30
    ordinary = load("not_crisis_set.yml")
    assert sum(len(v) for v in ordinary.values()) >= 300


def test_the_patterns_alone_hear_every_curated_crisis_message(patterns):
    """Known wording fires whatever a model learned."""
    missed = [(w, t) for w, t, _ in crisis_messages() if not patterns.detect(t).crisis]
    assert not missed, missed


def test_every_curated_crisis_message_fires_in_its_language(detector):
    wrong: List[Tuple[str, str, str]] = []
    for where, text, lang in crisis_messages():
        verdict = detector.detect(text)
        if not verdict.crisis or verdict.lang != lang:
            wrong.append((where, text, f"{verdict.level}/{verdict.lang}"))
    assert not wrong, wrong


def test_no_ordinary_message_fires(detector):
    alarms = [(g, t) for g, t in ordinary_messages() if detector.detect(t).crisis]
    assert not alarms, alarms


def test_only_crisis_labelled_training_and_held_out_examples_fire(detector):
    wrong: List[Tuple[str, str, str]] = []
    for path, intent, text in nlu_examples():
        if detector.detect(text).crisis != (intent == "crisis"):
            wrong.append((path, intent, text))
    assert not wrong, wrong


@pytest.mark.parametrize(
    "text, lang",
    [
        # The misses of the issue: crisis said with another topic, or inside a form.
        ("ik heb 30k schuld en wil eigenlijk dood", "nl"),
        (
            "alles gaat naar de deurwaarder. ik zie het nut er niet meer van in om door te gaan",
            "nl",
        ),
        ("wat is een transitievergoeding. ik wil eigenlijk gewoon niet meer leven", "nl"),
        ("nee niemand. ik wil gewoon dood eigenlijk", "nl"),
        ("i lost my job and i want to kill myself", "en"),
        # Typos, slang, Flemish, repeated letters, capitals.
        ("ik zie het nie meer zitten", "nl"),
        ("zelfmoort", "nl"),
        ("k wil doooood", "nl"),
        ("IK WIL ER EEN EIND AAN MAKEN", "nl"),
        ("'t heeft allemaal geen zin meer", "nl"),
        # Indirect wording.
        ("niemand zou me missen", "nl"),
        ("slapen en nooit meer wakker worden", "nl"),
        ("ik heb pillen gespaard", "nl"),
        ("ik sta op de brug", "nl"),
        ("ik wil voor de trein springen", "nl"),
        ("kms", "en"),
    ],
)
def test_crisis_wording(detector, text, lang):
    verdict = detector.detect(text)
    assert verdict.level == CRISIS and verdict.lang == lang


@pytest.mark.parametrize(
    "text",
    [
        "ik ben doodmoe van mijn baan",
        "mijn werk is dodelijk saai",
        "ik wil ermee ophouden als chauffeur",
        "ik wil er een punt achter zetten bij mijn werkgever",
        "ik denk erover om van beroep te wisselen",
        "mijn bedrijf gaat dood",
        "ik zie het niet zitten om weer naar school te gaan",
        "ik moet de telefoon ophangen",
        "ik wil treinmachinist worden",
        "ik heb 113 euro achterstand",
        "this job is killing me",
        "ontslag nemen zonder nieuwe baan is financiële zelfmoord",
    ],
)
def test_strong_words_in_ordinary_talk(detector, text):
    assert not detector.detect(text).crisis


def test_a_sad_message_is_distress_not_crisis(detector):
    assert detector.detect("ik voel me zo waardeloos sinds mijn ontslag").level == DISTRESS
    assert detector.detect("hoe kom ik aan een scholingsvoucher").level == NONE


def test_idioms_are_cut_out_not_a_veto(detector):
    verdict = detector.detect("ik ben doodmoe, ik wil dood")
    assert verdict.crisis
    assert detector.detect("ik ben doodmoe van mijn werk, en ik wil er niet meer zijn").crisis


def test_the_other_part_of_a_mixed_message_is_kept(detector):
    verdict = detector.detect("hoe werkt de ww? ik wil niet meer leven")
    assert verdict.crisis and verdict.other.startswith("hoe werkt de ww")
    assert (
        detector.detect("ik heb 30k schuld en wil eigenlijk dood").other == "ik heb 30k schuld en"
    )
    assert detector.detect("ik wil niet meer leven").other == ""


def test_a_typo_in_a_key_word_is_corrected_but_short_words_are_not(detector):
    assert detector.words("zelfmoort gedachtes") == "zelfmoord gedachtes"
    assert detector.words("suicidaal") == "suicidaal"
    assert detector.words("ik wil sterk zijn") == "ik wil sterk zijn"


def test_every_rule_needs_a_reason_and_a_unique_id():
    with pytest.raises(ValueError, match="no reason"):
        CrisisDetector.from_data({"crisis": [{"id": "x", "pattern": "dood"}]})
    with pytest.raises(ValueError, match="used twice"):
        rule: Dict[str, str] = {"id": "x", "pattern": "dood", "reason": "test"}
        CrisisDetector.from_data({"crisis": [rule, rule]})


def test_the_classifier_hears_wording_no_pattern_has(patterns, detector):
    text = (
        "mijn hond heb ik naar mijn zus gebracht want na vanavond kan ik niet meer voor hem zorgen"
    )
    assert not patterns.detect(text).crisis
    assert detector.detect(text).rules == ("classifier",)


def test_the_classifier_stores_and_loads_with_its_thresholds(detector, tmp_path):
    from loopbrug.safety.classifier import ClauseClassifier

    detector.classifier.save(tmp_path / "model.joblib")
    loaded = ClauseClassifier.load(tmp_path / "model.joblib")
    assert (loaded.threshold, loaded.doubt) == (0.8, 0.5)
    texts = ["ik wil dood", "hoe kom ik aan een voucher"]
    assert loaded.probabilities(texts) == detector.classifier.probabilities(texts)


def test_the_verdict_for_the_parse_result(detector):
    data = detector.detect("i want to die").as_dict()
    assert data == {
        "level": "crisis",
        "lang": "en",
        "rules": ["wish_dead_en"],
        "has_other": False,
        "reached_help": False,
    }


@pytest.mark.parametrize(
    "text, reached",
    [
        ("dank je. ik heb 113 gebeld", True),
        ("ik heb net met 113 gesproken", True),
        ("ik heb 113 gebeld maar ik wil nog steeds dood", False),  # the whole answer again
        ("moet ik 113 bellen", False),
        ("ik ga 113 bellen", True),
        ("ik bel 113. later verder", True),
        ("ik bel 113 want ik wil dood", False),
    ],
)
def test_having_reached_113_gets_the_short_crisis_answer(text, reached):
    verdict = CrisisDetector.from_file().detect(text)
    assert verdict.crisis
    assert verdict.reached_help is reached
