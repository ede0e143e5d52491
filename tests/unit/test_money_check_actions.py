"""The money check's form validation and outcome text, with inline trackers."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.money import assess
from actions.money_check import ValidateMoneyForm, answers_from, outcome_text
from tests.conftest import make_tracker


def validate(slot, reply, slots=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(reply, "nlu_fallback", slots=slots)
    result = getattr(ValidateMoneyForm(), f"validate_{slot}")(reply, dispatcher, tracker, {})
    return result, dispatcher.messages


@pytest.mark.parametrize(
    "reply, value",
    [("2500", 2500.0), ("€ 2.500,50", 2500.5), ("2,5k", 2500.0), ("tweeduizend", 2000.0)],
)
def test_amounts_are_read(reply, value):
    assert validate("m_net_income", reply)[0] == {"m_net_income": value}


@pytest.mark.parametrize("reply", ["heel veel", "-200", "99999999"])
def test_bad_amounts_are_asked_again_with_a_reason(reply):
    result, messages = validate("m_net_income", reply)
    assert result == {"m_net_income": None}
    assert messages and messages[0]["text"]


def test_dont_know_is_a_skip():
    assert validate("m_savings", "weet ik niet")[0] == {"m_savings": {"skipped": True}}


def test_same_as_now_takes_the_income_given_earlier():
    result, _ = validate("m_income_during", "net zoveel als nu", slots={"m_net_income": 2100.0})
    assert result == {"m_income_during": 2100.0}


@pytest.mark.parametrize(
    "reply, debts, arrears, acute",
    [
        ("nee", False, False, False),
        ("ja, schulden", True, False, False),
        ("ja, achterstanden", False, True, False),
        ("er komt een deurwaarder", True, True, True),
    ],
)
def test_debts_answers(reply, debts, arrears, acute):
    result, _ = validate("m_debts", reply)
    assert result["m_debts"] == {"debts": debts, "arrears": arrears, "acute": acute}


def test_acute_signal_gets_priority_help_in_any_question():
    _, messages = validate("m_fixed_costs", "1500 maar de deurwaarder staat voor de deur")
    assert messages[0]["response"] == "utter_debt_priority"


def test_outcome_text_names_colour_gap_and_buffer():
    slots = {
        "m_net_income": 2500.0,
        "m_fixed_costs": 2000.0,
        "m_household_income": 0.0,
        "m_dependants": 0.0,
        "m_savings": 4000.0,
        "m_debts": {"debts": False, "arrears": False, "acute": False},
        "m_income_during": 1200.0,
        "m_transition": 0.0,
        "m_travel": 0.0,
        "m_childcare": 0.0,
    }
    outcome = assess(answers_from(make_tracker(slots=slots)))
    text = outcome_text(outcome)
    assert text.startswith("Uitkomst van je geldcheck: Oranje.")
    assert text.count("€ 800 per maand tekort") == 1  # said once, not repeated
    assert text.count("5 maanden") == 1
