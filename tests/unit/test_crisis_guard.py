"""The crisis guard applies the detector's verdict to the parse result, and nothing else."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.crisis_guard import CrisisGuard
from loopbrug.safety import CrisisDetector

DETECTOR = CrisisDetector.from_data(
    {
        "crisis": [
            {"id": "dood", "pattern": r"\bwil dood\b", "reason": "test"},
            {"id": "die", "pattern": r"want to die", "lang": "en", "reason": "test"},
        ],
        "distress": [{"id": "rot", "pattern": "voel me rot", "reason": "test"}],
        "idioms": [{"id": "moe", "pattern": "doodmoe|dodelijk saai", "reason": "test"}],
    }
)
CONFIG = {
    "patterns_file": "unused",
    "classifier_crisis_min": 0.9,
    "distress_unsure_below": 0.6,
    "fallback_threshold": 0.55,
}


def message(text, *ranking):
    ranked = [{"name": n, "confidence": c} for n, c in ranking]
    return Message(data={"text": text, "intent": dict(ranked[0]), "intent_ranking": ranked})


def run(msg):
    return CrisisGuard(CONFIG, DETECTOR).process([msg])[0]


def test_crisis_wording_overrules_the_fallback_and_any_intent():
    out = run(message("ik wil dood", ("nlu_fallback", 0.55), ("greet", 0.2)))
    assert out.data["intent"] == {"name": "crisis", "confidence": 1.0}
    assert out.data["intent_ranking"][0]["name"] == "crisis"
    out = run(message("schulden, ik wil dood", ("debt_help", 0.95), ("crisis", 0.04)))
    assert out.data["intent"]["name"] == "crisis"


def test_the_verdict_and_the_other_intent_are_in_the_parse_result():
    out = run(message("hoe werkt de ww? ik wil dood", ("funding_benefits", 0.8), ("crisis", 0.1)))
    assert out.get("crisis") == {
        "level": "crisis",
        "lang": "nl",
        "rules": ["dood"],
        "has_other": True,
        "reached_help": False,
        "other_intent": "funding_benefits",
    }
    assert "crisis" in out.as_dict(only_output_properties=True)
    assert {"entity": "crisis_lang", "value": "nl", "extractor": "CrisisGuard"} in out.get(
        "entities"
    )


def test_a_message_that_is_only_crisis_has_no_other_intent():
    out = run(message("ik wil dood", ("crisis", 0.9), ("debt_help", 0.05)))
    assert out.get("crisis")["other_intent"] is None


def test_english_crisis_sets_the_language_entity():
    out = run(message("i lost my job and i want to die", ("nlu_fallback", 0.6)))
    assert out.data["intent"]["name"] == "crisis"
    entities = {e["entity"]: e["value"] for e in out.get("entities")}
    assert entities["crisis_lang"] == "en" and entities["crisis_kind"] == "crisis"


def test_having_reached_113_sets_the_kind_for_the_short_answer():
    guard = CrisisGuard(CONFIG, CrisisDetector.from_file())  # the curated patterns
    out = guard.process([message("dank je. ik heb 113 gebeld", ("thank", 0.6))])[0]
    assert out.data["intent"]["name"] == "crisis"
    entities = {e["entity"]: e["value"] for e in out.get("entities")}
    assert entities == {"crisis_lang": "nl", "crisis_kind": "reached_help"}


def test_the_classifier_alone_raises_no_crisis():
    out = run(
        message(
            "ik denk erover om van beroep te wisselen", ("crisis", 0.7), ("orientation_start", 0.25)
        )
    )
    assert out.data["intent"]["name"] == "orientation_start"
    assert "crisis" not in [item["name"] for item in out.data["intent_ranking"]]
    assert out.get("crisis")["level"] == "none"


def test_a_classifier_crisis_with_no_good_second_guess_goes_to_clarification():
    out = run(message("die uitleg was dodelijk saai", ("crisis", 0.8), ("give_feedback", 0.1)))
    assert out.data["intent"]["name"] == "nlu_fallback"


def test_a_very_sure_classifier_crisis_on_a_sad_message_stays_crisis():
    out = run(message("ik voel me rot, echt alles", ("crisis", 0.95)))
    assert out.data["intent"]["name"] == "crisis"
    assert out.get("crisis")["rules"] == ["intent_classifier"]


@pytest.mark.parametrize(
    "ranking, expected",
    [
        ([("crisis", 0.7)], "distress"),  # the classifier's unsure crisis becomes warmth
        ([("nlu_fallback", 0.55)], "distress"),  # unplaced sadness
        ([("orientation_start", 0.5)], "distress"),  # placed, but unsure
        ([("orientation_start", 0.92)], "orientation_start"),  # a clear question is answered
    ],
)
def test_sad_messages(ranking, expected):
    assert (
        run(message("ik voel me rot sinds mijn ontslag", *ranking)).data["intent"]["name"]
        == expected
    )


def test_ordinary_messages_are_left_alone():
    out = run(message("hoe kom ik aan een scholingsvoucher", ("funding_voucher", 0.97)))
    assert out.data["intent"] == {"name": "funding_voucher", "confidence": 0.97}
    assert out.get("crisis")["level"] == "none"


def test_the_other_part_is_read_alone_when_the_crisis_words_drown_it():
    """ "ik heb 30k schuld en wil eigenlijk dood": the classifier gave debts 6% and income
    changes 6% of the whole message; the rest read alone is about debts."""
    from bot.components.crisis_guard import other_part_reader

    guard = CrisisGuard(CONFIG, DETECTOR)
    guard.other_part = other_part_reader(
        [
            ["debt_help", "ik heb 15k schuld"],
            ["debt_help", "ik zit met 8000 euro schuld bij de bank"],
            ["money_change", "mijn inkomen gaat omlaag"],
            ["money_change", "ik ga minder verdienen"],
            ["greet", "hoi"],
        ]
    )
    msg = message(
        "ik heb 30k schuld en wil dood",
        ("crisis", 0.8),
        ("debt_help", 0.06),
        ("money_change", 0.06),
    )
    out = guard.process([msg])[0]
    assert out.data["intent"]["name"] == "crisis"
    assert out.get("crisis")["other_intent"] == "debt_help"
    # Nothing close enough: no question to come back to.
    only = message("blabla xyz en wil dood", ("crisis", 0.8), ("greet", 0.1), ("debt_help", 0.1))
    assert guard.process([only])[0].get("crisis")["other_intent"] is None
