"""The crisis guard overrules the classifier and the fallback, and nothing else."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.crisis_guard import CrisisGuard
from bot.safety import CrisisMatcher

MATCHER = CrisisMatcher.from_lists(["wil dood"], ["doodmoe|dodelijk saai"])
CONFIG = {"patterns_file": "unused", "min_ranking_confidence": 0.35, "idiom_demote_below": 0.9}


def message(text, *ranking):
    ranked = [{"name": n, "confidence": c} for n, c in ranking]
    return Message(data={"text": text, "intent": dict(ranked[0]), "intent_ranking": ranked})


def run(msg):
    return CrisisGuard(CONFIG, MATCHER).process([msg])[0]


def test_pattern_overrules_the_fallback():
    out = run(message("ik wil dood", ("nlu_fallback", 0.55), ("greet", 0.2)))
    assert out.data["intent"] == {"name": "crisis", "confidence": 1.0}
    assert out.data["intent_ranking"][0]["name"] == "crisis"


@pytest.mark.parametrize(
    "ranking, expected",
    [
        ([("nlu_fallback", 0.55), ("crisis", 0.4)], "crisis"),  # unsure classifier, crisis close
        ([("debt_help", 0.9), ("crisis", 0.36)], "crisis"),  # even when another intent won
        ([("debt_help", 0.9), ("crisis", 0.2)], "debt_help"),  # too far below the threshold
        ([("greet", 0.99)], "greet"),  # crisis not ranked at all
    ],
)
def test_ranking_threshold(ranking, expected):
    assert run(message("iets", *ranking)).data["intent"]["name"] == expected


def test_idiom_blocks_the_ranking_path_but_not_the_patterns():
    idiom = message("die uitleg was dodelijk saai", ("nlu_fallback", 0.55), ("crisis", 0.5))
    assert run(idiom).data["intent"]["name"] == "nlu_fallback"
    both = message("ik ben doodmoe, ik wil dood", ("orientation_start", 0.9))
    assert run(both).data["intent"]["name"] == "crisis"


def test_crisis_is_not_listed_twice_in_the_ranking():
    out = run(message("ik wil dood", ("greet", 0.6), ("crisis", 0.4)))
    names = [item["name"] for item in out.data["intent_ranking"]]
    assert names.count("crisis") == 1


def test_an_unsure_crisis_guess_caused_by_an_idiom_goes_to_clarification():
    out = run(message("die uitleg was dodelijk saai", ("crisis", 0.63), ("give_feedback", 0.2)))
    assert out.data["intent"]["name"] == "nlu_fallback"
    assert "crisis" not in [item["name"] for item in out.data["intent_ranking"]]


def test_a_confident_crisis_guess_stays_even_with_an_idiom():
    out = run(message("ik ben doodmoe van alles", ("crisis", 0.95)))
    assert out.data["intent"]["name"] == "crisis"


def test_real_crisis_wording_next_to_an_idiom_stays_crisis():
    out = run(message("ik ben doodmoe en ik wil dood", ("crisis", 0.5)))
    assert out.data["intent"]["name"] == "crisis"
