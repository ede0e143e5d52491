"""The self-test's form validation and actions, with inline trackers (no servers)."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.selftest import ValidateAssessmentForm
from loopbrug.assessment.questions import get_questions
from tests.conftest import make_tracker

CHOICE = next(q for q in get_questions() if q.kind != "text")
TEXT = next(q for q in get_questions() if q.kind == "text")


def validate(question, reply, intent="nlu_fallback", confidence=0.3):
    tracker = make_tracker(reply, intent, [{"name": intent, "confidence": confidence}])
    dispatcher = CollectingDispatcher()
    validator = getattr(ValidateAssessmentForm(), f"validate_{question.id}")
    return validator(reply, dispatcher, tracker, {}), dispatcher.messages


def test_an_option_label_is_an_answer_with_its_score():
    option = CHOICE.options[0]
    result, messages = validate(CHOICE, option.label)
    assert result[CHOICE.id]["value"] == option.value
    assert messages == []


@pytest.mark.parametrize("reply", ["weet ik niet", "sla over", "geen idee"])
def test_dont_know_and_skip_are_accepted(reply):
    result, _ = validate(CHOICE, reply)
    assert result[CHOICE.id] == {"skipped": True}


def test_a_reply_that_fits_no_option_is_asked_again_with_the_options():
    result, messages = validate(CHOICE, "banaan trampoline")
    assert result[CHOICE.id] is None
    assert CHOICE.options[0].label in messages[0]["text"]


def test_own_words_are_kept():
    result, _ = validate(TEXT, "ik help graag anderen")
    assert result[TEXT.id]["value"] == "ik help graag anderen"


def test_a_button_of_another_flow_is_not_an_answer():
    result, messages = validate(TEXT, "/start_assessment")
    assert result[TEXT.id] is None and messages == []
