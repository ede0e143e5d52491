"""Steering any form from inside it (actions/form_validation.py), without servers.

The validator's ``run`` is called as Rasa calls it: the form asked ``requested_slot``, the
person replied, and the slot holds the reply. Every test checks the events (what the form
does next) and the messages the person reads.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from rasa_sdk.executor import CollectingDispatcher

from actions.form_validation import OneValidatorForAllSlots
from actions.money_check import ValidateMoneyForm
from actions.selftest import ValidateAssessmentForm
from loopbrug.assessment.questions import get_questions
from loopbrug.money.check import MONEY_SLOTS
from tests.conftest import make_tracker

Q1, Q2, Q3 = (q.id for q in get_questions()[:3])
WAY_OUT = "utter_form_way_out"
DOMAIN = {
    "responses": {},
    "forms": {
        "assessment_form": {"required_slots": [q.id for q in get_questions()]},
        "money_form": {"required_slots": list(MONEY_SLOTS)},
    },
}


def run(
    validator,
    reply: str,
    asked: str,
    answered: Dict[str, Any],
    intent="nlu_fallback",
    confidence=0.3,
    earlier: List[str] = (),
):
    """Events and messages of one reply to the question ``asked``."""
    events = []
    for slot in (*earlier, asked):
        events += [
            {"event": "slot", "name": "requested_slot", "value": slot},
            {"event": "user", "text": "een eerder antwoord", "parse_data": {}},
        ]
    events.pop()  # the reply to ``asked`` is the one below
    events += [
        {"event": "user", "text": reply, "parse_data": {}},
        {"event": "slot", "name": asked, "value": reply},
    ]
    slots = {**answered, asked: reply, "requested_slot": asked}
    tracker = make_tracker(
        reply, intent, [{"name": intent, "confidence": confidence}], events=events, slots=slots
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(validator.run(dispatcher, tracker, DOMAIN))
    return result, dispatcher.messages


def by_event(events, kind):
    return [e for e in events if e.get("event") == kind]


def slot_sets(events):
    return {e["name"]: e["value"] for e in by_event(events, "slot")}


def responses(messages):
    return [m.get("response") or m.get("text") for m in messages]


def test_stop_ends_the_form_without_an_outcome_and_keeps_the_answers():
    events, messages = run(
        ValidateAssessmentForm(), "stop met die vragen", Q2, {Q1: {"value": "x"}}, earlier=[Q1]
    )
    assert responses(messages) == ["utter_assessment_paused"]
    assert by_event(events, "active_loop") == [
        {"event": "active_loop", "name": None, "timestamp": None}
    ]
    assert by_event(events, "followup")[0]["name"] == "action_listen"
    assert Q1 not in slot_sets(events)  # the answer before stays
    assert slot_sets(events)[Q2] is None  # "stop met die vragen" is not stored


def test_back_asks_the_question_before_again():
    events, messages = run(
        ValidateAssessmentForm(), "terug", Q2, {Q1: {"value": "x"}}, earlier=[Q1]
    )
    assert responses(messages) == ["utter_form_back"]
    assert slot_sets(events) == {Q2: None, Q1: None, "requested_slot": Q1}


def test_back_at_the_first_question_stays_there():
    events, messages = run(ValidateAssessmentForm(), "vorige vraag", Q1, {})
    assert responses(messages) == ["utter_form_first_question"]
    assert slot_sets(events) == {Q1: None, "requested_slot": Q1}


def test_a_correction_replaces_the_answer_before_and_asks_this_one_again():
    events, messages = run(
        ValidateAssessmentForm(),
        "nee wacht, toch niet timmerman, ik bedoel kok",
        Q3,
        {Q1: {"value": "x"}, Q2: {"value": "timmerman"}},
        earlier=[Q1, Q2],
    )
    assert responses(messages) == ["utter_form_corrected"]
    assert slot_sets(events)[Q2]["value"] == "kok"
    assert slot_sets(events)[Q3] is None and slot_sets(events)["requested_slot"] == Q3


def test_a_question_about_the_question_is_explained_not_stored():
    events, messages = run(
        ValidateAssessmentForm(), "wat bedoel je precies met deze vraag?", Q2, {}
    )
    assert responses(messages) == ["utter_form_explain"]  # the test domain has no explanations
    assert slot_sets(events) == {Q2: None, "requested_slot": Q2}


def test_a_question_on_another_topic_is_answered_and_the_form_goes_on():
    events, messages = run(
        ValidateAssessmentForm(),
        "wat kost een opleiding?",
        Q2,
        {},
        intent="funding_overview",
        confidence=0.95,
    )
    assert len(messages) == 2 and messages[0]["text"]
    assert messages[1]["response"] == "utter_form_go_on"
    assert slot_sets(events) == {Q2: None, "requested_slot": Q2}


def test_an_unsure_question_is_read_as_an_answer():
    events, messages = run(
        ValidateAssessmentForm(),
        "wat kost een opleiding?",
        Q2,
        {},
        intent="funding_overview",
        confidence=0.3,
    )
    assert slot_sets(events)[Q2]["value"] == "wat kost een opleiding?"


def test_a_reply_not_understood_says_how_to_get_out():
    events, messages = run(ValidateMoneyForm(), "banaan", "m_net_income", {})
    assert responses(messages)[-1] == WAY_OUT
    assert slot_sets(events)["m_net_income"] is None


def test_an_answer_is_validated_as_before():
    events, messages = run(ValidateMoneyForm(), "2000", "m_net_income", {})
    assert slot_sets(events)["m_net_income"] == 2000
    assert messages == []


def test_an_option_that_sounds_like_stopping_is_an_answer():
    question = next(q for q in get_questions() if any("genoeg" in o.aliases for o in q.options))
    events, messages = run(ValidateAssessmentForm(), "genoeg", question.id, {})
    assert slot_sets(events)[question.id]["value"]
    assert not by_event(events, "active_loop")


class Form(OneValidatorForAllSlots):
    def handles(self, slot: str) -> bool:
        return slot.startswith("m_")

    def validate_slot(self, slot, value, dispatcher, tracker, domain) -> dict:
        dispatcher.utter_message(text="Ik zie geen bedrag.")
        return {slot: None}


def asking(slot):
    return make_tracker("x", slots={"requested_slot": slot})


def test_a_slot_cleared_by_the_start_action_is_not_validated_and_says_nothing():
    dispatcher = CollectingDispatcher()
    assert Form().validate_m_net_income(None, dispatcher, asking("m_net_income"), {}) == {
        "m_net_income": None
    }
    assert dispatcher.messages == []


def test_a_button_payload_of_another_flow_is_not_an_answer():
    dispatcher = CollectingDispatcher()
    reply = Form().validate_m_net_income(
        "/start_assessment", dispatcher, asking("m_net_income"), {}
    )
    assert reply == {"m_net_income": None}
    assert dispatcher.messages == []


def test_a_real_answer_is_validated_and_a_refusal_says_the_way_out():
    dispatcher = CollectingDispatcher()
    Form().validate_m_net_income("veel", dispatcher, asking("m_net_income"), {})
    assert responses(dispatcher.messages) == ["Ik zie geen bedrag.", WAY_OUT]


def test_a_greeting_inside_a_form_welcomes_back_and_asks_again():
    events, messages = run(
        ValidateAssessmentForm(), "hoi ik ben er weer", Q2, {}, intent="greet", confidence=0.95
    )
    assert responses(messages) == ["utter_form_welcome_back"]
    assert slot_sets(events) == {Q2: None, "requested_slot": Q2}


def test_stop_remembers_the_form_so_verder_goes_on():
    events, _ = run(ValidateMoneyForm(), "laat maar", "m_fixed_costs", {})
    assert slot_sets(events)["paused_form"] == "money_form"


def test_the_third_miss_on_one_question_skips_it_when_the_form_may_skip():
    events, messages = run(
        ValidateMoneyForm(), "blauw", "m_net_income", {}, earlier=["m_net_income", "m_net_income"]
    )
    assert responses(messages)[-1] == "utter_form_skipped_for_now"
    assert slot_sets(events)["m_net_income"] == {"skipped": True}


def test_a_second_miss_is_asked_again():
    events, messages = run(
        ValidateMoneyForm(), "blauw", "m_net_income", {}, earlier=["m_net_income"]
    )
    assert responses(messages)[-1] == WAY_OUT
    assert slot_sets(events)["m_net_income"] is None


def test_an_intent_alone_does_not_stop_a_reply_the_question_takes():
    # "15 euro bus" was read as a goodbye inside the money check.
    events, messages = run(
        ValidateMoneyForm(), "15 euro bus", "m_travel", {}, intent="goodbye", confidence=0.8
    )
    assert slot_sets(events)["m_travel"] == 15
    assert not by_event(events, "active_loop")


def test_help_instead_of_a_refusal_has_no_way_out_line():
    events, messages = run(ValidateMoneyForm(), "weet ik niet", "m_income_during", {})
    assert responses(messages) == ["utter_money_income_help"]


def test_a_greeting_that_answers_the_question_is_an_answer():
    # "middag" is read as a greeting, and it answers "Wanneer kan de coach je het best bellen?".
    from actions.handoff import ValidateHandoffForm

    tracker = make_tracker("middag", "greet", [{"name": "greet", "confidence": 0.9}])
    dispatcher = CollectingDispatcher()
    steered = ValidateHandoffForm()._steer("handoff_time", "middag", dispatcher, tracker, DOMAIN)
    assert steered is None and dispatcher.messages == []  # left to validate_handoff_time


def test_the_mail_question_is_left_like_every_form():
    from actions.profile_export import ValidateProfileEmailForm

    events, messages = run(ValidateProfileEmailForm(), "stop met die vragen", "profile_email", {})
    assert slot_sets(events) == {
        "profile_email": None,
        "profile_email_stop": True,
        "requested_slot": None,
    }


def test_a_calculator_stops_on_nee_but_nee_still_answers_its_check_back():
    from actions.money import ValidateTransitionForm

    events, messages = run(ValidateTransitionForm(), "nee hoeft niet", "tc_salary", {})
    assert responses(messages) == ["utter_calculator_stopped"]
    tracker = make_tracker(
        "nee", "deny", [{"name": "deny", "confidence": 0.9}], slots={"tc_pending": 48000}
    )
    steered = ValidateTransitionForm()._steer(
        "tc_confirm", "nee", CollectingDispatcher(), tracker, DOMAIN
    )
    assert steered is None  # "nee" answers "Bedoel je € 48.000 per jaar?"


def test_a_steering_button_or_telegram_command_steers():
    # Telegram's /opnieuw arrives as /start_over; it once repeated the question silently.
    events, _ = run(ValidateAssessmentForm(), "/start_over", Q2, {}, intent="start_over")
    assert by_event(events, "followup")[0]["name"] == "action_confirm_start_over"


def test_verder_while_the_form_asks_just_asks_again():
    events, messages = run(ValidateAssessmentForm(), "ok ik wil toch verder met de test", Q1, {})
    assert messages == [] and slot_sets(events) == {Q1: None, "requested_slot": Q1}


ASKS = {
    "responses": {
        "utter_ask_m_net_income": [{"text": "Hoeveel geld krijg je nu per maand netto binnen?"}],
        "utter_ask_m_fixed_costs": [
            {"text": "Hoeveel betaal je per maand aan vaste lasten? Denk aan huur en energie."}
        ],
        "utter_ask_m_household_income": [{"text": "Verdient iemand anders in je huis ook geld?"}],
    },
    "forms": DOMAIN["forms"],
}


def steer(validator, text, asked, answered, earlier):
    events = []
    for slot in (*earlier, asked):
        events.append({"event": "slot", "name": "requested_slot", "value": slot})
    tracker = make_tracker(
        text, "nlu_fallback", events=events, slots={**answered, "requested_slot": asked}
    )
    dispatcher = CollectingDispatcher()
    return validator._steer(asked, text, dispatcher, tracker, ASKS), dispatcher.messages


def test_what_are_the_words_of_the_question_is_explained():
    events, messages = steer(ValidateMoneyForm(), "wat zijn vaste lasten", "m_fixed_costs", {}, [])
    assert [m.get("response") for m in messages] == ["utter_form_explain"]
    assert slot_sets(events) == {"m_fixed_costs": None, "requested_slot": "m_fixed_costs"}


def test_a_correction_that_names_an_earlier_question_corrects_that_one():
    answered = {"m_net_income": 1600, "m_fixed_costs": 1100, "m_household_income": 0}
    events, messages = steer(
        ValidateMoneyForm(),
        "nee wacht ik bedoel 1200 vaste lasten",
        "m_dependants",
        answered,
        ["m_net_income", "m_fixed_costs", "m_household_income"],
    )
    assert slot_sets(events)["m_fixed_costs"] == 1200
    assert "m_household_income" not in slot_sets(events)


def test_a_button_of_the_question_is_its_answer_whatever_the_classifier_read_in_it():
    """ "vooral vaste taken" was read as the money check ("vaste lasten"): the slot mapping
    refused it (the money check may interrupt the self-test) and the self-test was left."""
    question = next(
        q for q in get_questions() if any(o.label == "Vooral vaste taken" for o in q.options)
    )
    events = [
        {"event": "slot", "name": "requested_slot", "value": question.id},
        {"event": "user", "text": "vooral vaste taken", "parse_data": {}},
    ]
    tracker = make_tracker(
        "vooral vaste taken",
        "finance_check",
        [{"name": "finance_check", "confidence": 0.9}],
        events=events,
        slots={"requested_slot": question.id},  # nothing filled: the mapping refused it
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateAssessmentForm().run(dispatcher, tracker, DOMAIN))
    assert slot_sets(result)[question.id]["value"]
    assert not by_event(result, "active_loop")
