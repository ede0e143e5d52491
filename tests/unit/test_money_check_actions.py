"""The money check's rasa-sdk adapters (actions/money_check.py, actions/money.py): form
validation and the outcome, with inline trackers. The core is tested in tests/unit/test_money.py."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.money_check import ValidateMoneyForm, answers_from
from loopbrug.money.check import assess, outcome_text
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


# -- issue 16 ------------------------------------------------------------------------------------

import asyncio  # noqa: E402

import yaml  # noqa: E402

from actions import money_check  # noqa: E402
from actions.money import keep_location  # noqa: E402
from loopbrug.money import check  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

DOMAIN = {
    "responses": yaml.safe_load((ROOT / "bot/domain/money_forms.yml").read_text(encoding="utf-8"))[
        "responses"
    ]
}


def validate_with_domain(slot, reply, slots=None, events=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(reply, "nlu_fallback", slots=slots, events=events)
    result = getattr(ValidateMoneyForm(), f"validate_{slot}")(reply, dispatcher, tracker, DOMAIN)
    return result, dispatcher.messages


@pytest.mark.parametrize(
    ("slot", "typed", "value"),
    [
        ("m_transition", "nee", 0.0),  # "Nee" button, typed
        ("m_transition", "Nee.", 0.0),
        ("m_household_income", "nee, niemand", 0.0),
        ("m_net_income", "tot € 1.500", 1250.0),
        ("m_net_income", "€ 1.500 - 2.500", 2000.0),  # a range label is its button's value
        ("m_dependants", "3 of meer", 3.0),
        ("m_dependants", "Niemand", 0.0),
        ("m_savings", "meer dan € 10.000", 12000.0),
        ("m_travel", "nee", 0.0),  # a plain "nee" to a money question is none
    ],
)
def test_button_labels_typed_as_text_are_answers(slot, typed, value):
    result, messages = validate_with_domain(slot, typed)
    assert result == {slot: value}
    assert messages == []


def test_yes_to_a_how_much_question_asks_how_much():
    result, messages = validate_with_domain("m_transition", "ja")
    assert result == {"m_transition": None}
    assert [m["response"] for m in messages] == ["utter_money_how_much"]


def test_unknown_income_during_is_explained_once_then_skipped():
    result, messages = validate_with_domain("m_income_during", "weet ik niet")
    assert result == {"m_income_during": None, "m_income_help": True}
    assert [m["response"] for m in messages] == ["utter_money_income_help"]
    result, messages = validate_with_domain(
        "m_income_during", "weet ik niet", slots={"m_income_help": True}
    )
    assert result == {"m_income_during": {"skipped": True}}
    assert messages == []


def test_a_small_energy_arrear_typed_at_the_debts_question_is_not_acute():
    result, messages = validate_with_domain("m_debts", "ja, 200 euro achterstand bij de energie")
    assert result == {
        "m_debts": {
            "debts": False,
            "arrears": True,
            "acute": False,
            "kind": "energie",
            "small": True,
        }
    }
    assert messages == []  # no "Dit is dringend"


def test_arrears_without_size_get_the_follow_up_question():
    form = ValidateMoneyForm()
    slots = list(DOMAIN and check.MONEY_SLOTS[:6]) + ["m_arrears"] + list(check.MONEY_SLOTS[6:])
    needed = make_tracker(slots={"m_debts": {"debts": False, "arrears": True, "acute": False}})
    not_needed = make_tracker(slots={"m_debts": {"debts": False, "arrears": False, "acute": False}})
    run = asyncio.run
    assert run(form.required_slots(slots, None, needed, DOMAIN)) == slots
    assert "m_arrears" not in run(form.required_slots(slots, None, not_needed, DOMAIN))
    result, _ = validate_with_domain(
        "m_arrears",
        "Minder dan € 500",
        slots={"m_debts": {"debts": False, "arrears": True, "acute": False}},
    )
    assert result["m_debts"]["small"] is True


def test_a_number_typed_in_a_form_does_not_stay_a_postcode():
    events = [
        {"event": "slot", "name": "location_input", "value": "Zwolle"},
        {"event": "user", "text": "3000"},
        {"event": "slot", "name": "location_input", "value": "3000"},
    ]
    tracker = make_tracker(
        "3000", "inform_location", events=events, slots={"location_input": "3000"}
    )
    assert keep_location(tracker) == {"location_input": "Zwolle"}


def test_last_answers_are_read_back_from_the_events():
    events = [
        {"event": "slot", "name": "m_fixed_costs", "value": 1500.0},
        {"event": "slot", "name": "m_net_income", "value": 2500.0},
        {"event": "slot", "name": "money_colour", "value": "oranje"},
        {"event": "slot", "name": "m_fixed_costs", "value": None},
        {"event": "slot", "name": "m_net_income", "value": None},
    ]
    found = money_check.last_answers(make_tracker(events=events))
    assert (found["m_fixed_costs"], found["m_net_income"]) == (1500.0, 2500.0)
    assert money_check.last_answers(make_tracker(events=events + [{"event": "restart"}])) is None


# -- the calculators' actions (actions/money.py) -------------------------------------------------


def run_action(action, slots):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, make_tracker(slots=slots), DOMAIN))
    return events, dispatcher.messages


def test_the_gap_estimate_says_the_gap_offers_the_buffer_and_forgets_the_inputs():
    from actions.money import ActionGapEstimate

    events, messages = run_action(
        ActionGapEstimate(), {"gc_income_during": 1000.0, "gc_costs": 1500.0}
    )
    assert messages[0]["text"].startswith(
        "Je komt per maand ongeveer € 500 tekort. Dit is een schatting.\n"
    )
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/calculate_buffer",
        "/finance_check",
        "/request_human",
    ]
    assert [(e["name"], e["value"]) for e in events] == [
        ("gc_income_during", None),
        ("gc_costs", None),
    ]


def test_the_buffer_estimate_says_the_months():
    from actions.money import ActionBufferEstimate

    _, messages = run_action(ActionBufferEstimate(), {"bc_savings": 3000.0, "bc_gap": 1000.0})
    assert messages[0]["text"] == (
        "Je spaargeld is genoeg voor 3 maanden. "
        "Dit is een schatting. Onverwachte kosten zijn niet meegeteld."
    )
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Geldcheck doen",
        "Praten met een coach",
    ]


def test_the_transition_estimate_forgets_the_salary_and_its_check_back():
    from actions.money import ActionTransitionEstimate

    events, messages = run_action(
        ActionTransitionEstimate(), {"tc_salary": 3000.0, "tc_years": 3.0}
    )
    assert messages[0]["text"].startswith("Je transitievergoeding is ongeveer € 3.240 bruto.")
    assert [e["name"] for e in events] == ["tc_salary", "tc_years", "tc_pending", "tc_confirm"]


def test_a_very_high_monthly_salary_is_checked_back_and_a_yes_makes_it_yearly():
    from actions.money import ValidateTransitionForm

    form, dispatcher = ValidateTransitionForm(), CollectingDispatcher()
    result = form.validate_slot("tc_salary", "48000", dispatcher, make_tracker("48000"), {})
    assert result == {"tc_salary": None, "tc_pending": 48000.0, "tc_confirm": None}
    tracker = make_tracker("ja", slots={"tc_pending": 48000.0})
    result = form.validate_slot("tc_confirm", "ja, per jaar", dispatcher, tracker, {})
    assert result == {"tc_pending": None, "tc_confirm": "ja, per jaar", "tc_salary": 4000.0}


def test_the_outcome_buttons_are_the_next_steps_and_changing_an_answer(monkeypatch):
    from loopbrug import db

    monkeypatch.setattr(db, "save_money_check", lambda sender, outcome: None)
    slots = {
        "m_net_income": 2500.0,
        "m_fixed_costs": 1500.0,
        "m_household_income": 0.0,
        "m_dependants": 0.0,
        "m_savings": 12000.0,
        "m_debts": {"debts": False, "arrears": False, "acute": False},
        "m_income_during": 2500.0,
        "m_transition": 0.0,
        "m_travel": 0.0,
        "m_childcare": 0.0,
    }
    _, messages = run_action(money_check.ActionMoneyOutcome(), slots)
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Verder oriënteren",
        "Hoe werkt een opleiding?",
        "Zelftest doen",
        "Een antwoord aanpassen",
    ]
