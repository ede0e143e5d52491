"""The calculators in the chat (transitievergoeding, monthly gap, buffer), and how every money
form reads a typed reply.

Thin rasa-sdk adapters: they read slots, call loopbrug.money (the sums, the words of the
result, and loopbrug/money/registry.py for each form's slots and how each answer is read),
send the texts and return events. The money check's own actions are in actions/money_check.py.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_validation import OneValidatorForAllSlots
from loopbrug.conversation import before_this_turn, last_slot
from loopbrug.money import registry
from loopbrug.money.amounts import ParsedAmount, format_euro
from loopbrug.money.calculators import buffer, gap, transition
from loopbrug.texts import text as say

_NO = re.compile(
    r"^(?:nee|neen|nope|no|nee hoor|nee, niks|nee, niets|nee, geen|nee niks|nee niets)$"
)
_BUTTON_TEXT = re.compile(r"[^\w]+")


def _plain(text: str) -> str:
    """A reply or a button title reduced for comparison: "Tot € 1.500" -> "tot1500"."""
    return _BUTTON_TEXT.sub("", text.lower().replace("€", ""))


def button_payload(slot: str, text: str, domain: Dict[str, Any]) -> Optional[str]:
    """The payload of the button of this question whose label the person typed, if any."""
    typed = _plain(text)
    if not typed:
        return None
    for variant in (domain.get("responses") or {}).get(f"utter_ask_{slot}") or []:
        for button in variant.get("buttons") or []:
            payload = str(button.get("payload") or "")
            if _plain(str(button.get("title") or "")) == typed and not payload.startswith("/"):
                return payload
    return None


def typed_answer(slot: str, text: str, domain: Dict[str, Any]) -> str:
    """The reply as the question's parser reads it: a typed button label becomes its payload,
    and a plain "nee" to a question about money means none."""
    payload = button_payload(slot, text, domain)
    if payload is not None:
        return payload
    if _NO.match(text.lower().strip(" .!")):
        return "0"
    return text


def read_answer(slot: str, text: str) -> ParsedAmount:
    """Parse one reply for ``slot`` with the rule the registry gives its question."""
    return registry.question(slot).parse(text)


def say_error(parsed: ParsedAmount, dispatcher: CollectingDispatcher) -> None:
    """The parser's re-ask, in words."""
    dispatcher.utter_message(text=parsed.error_text())


def say_per_year(parsed: ParsedAmount, dispatcher: CollectingDispatcher) -> None:
    """A yearly amount was turned into a monthly one: say so, so the person can check it."""
    if parsed.per_year is not None and parsed.value is not None:
        dispatcher.utter_message(
            response="utter_money_per_year",
            yearly=format_euro(parsed.per_year),
            monthly=format_euro(round(parsed.value)),
        )


def keep_location(tracker: Tracker) -> Dict[str, Any]:
    """A number typed as an answer is not a postcode: undo what this message set in
    ``location_input`` (its slot mapping takes a postcode entity from any message the NLU
    calls inform_location, and "3000" looks like one)."""
    earlier = last_slot(before_this_turn(tracker.events), "location_input")
    before = earlier.value if earlier is not None else None
    if tracker.get_slot("location_input") != before:
        return {"location_input": before}
    return {}


# ---- the calculators -------------------------------------------------------------------------


class _CalculatorValidation(OneValidatorForAllSlots):
    """Shared validation: every calculator slot is a number; a skip is not possible here.

    The form's slots and how each is read come from loopbrug/money/registry.py, by the form's
    name (FormValidationAction.form_name: the action name without "validate_").
    """

    stopped_response = "utter_calculator_stopped"
    # A calculator only takes numbers, so "nee" / "hoeft niet" means: no calculation (the
    # question after the rule says "Wil je niet rekenen? Typ dan 'nee'.").
    stop_words = frozenset(
        {
            "nee",
            "nee hoor",
            "nee dank je",
            "nee dankje",
            "nee bedankt",
            "hoeft niet",
            "nee hoeft niet",
            "liever niet",
            "nee liever niet",
            "niet nodig",
            "nee niet nodig",
            "nee toch niet",
            "toch niet",
        }
    )

    def handles(self, slot: str) -> bool:
        """The calculator's own questions."""
        return slot in registry.form(self.form_name()).slots

    def validate_slot(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker, domain
    ):
        """A number for ``slot``, or None and a re-ask."""
        if not isinstance(value, str):
            # Read already (a salary typed right after the rule); the form passes the message's
            # other slot candidates on again, so the postcode it seemed to hold is undone here.
            return {slot: value, **keep_location(tracker)}
        result = self.read(slot, value.strip(), dispatcher, tracker, domain)
        return {**result, **keep_location(tracker)}

    def read(self, slot, text, dispatcher, tracker, domain) -> Dict[str, Any]:
        """The slot update for one typed reply."""
        parsed = read_answer(slot, typed_answer(slot, text, domain))
        if parsed.unknown:
            dispatcher.utter_message(text=say("money.calculator_needs_number"))
            return {slot: None}
        if parsed.error:
            say_error(parsed, dispatcher)
            return {slot: None}
        say_per_year(parsed, dispatcher)
        return {slot: parsed.value}


class ValidateTransitionForm(_CalculatorValidation, FormValidationAction):
    """Gross monthly salary and years of service; a very high monthly salary is checked back
    ("Bedoel je € 48.000 per jaar?") before it is used."""

    def name(self) -> str:
        """Form validation action name."""
        return "validate_transition_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[str]:
        """The check-back question comes first while a high salary waits for it."""
        slots = [slot for slot in domain_slots if slot != "tc_confirm"]
        if tracker.get_slot("tc_pending") is not None:
            return ["tc_confirm", *slots]
        return slots

    def read(self, slot, text, dispatcher, tracker, domain) -> Dict[str, Any]:
        """Salary with the check-back; the check-back's answer; years as usual."""
        if slot == "tc_confirm":
            return self.confirm(text, dispatcher, tracker, domain)
        result = super().read(slot, text, dispatcher, tracker, domain)
        salary = result.get("tc_salary")
        if slot == "tc_salary" and salary is not None:
            if transition.needs_check_back(salary, read_answer(slot, text).per_year):
                return {"tc_salary": None, "tc_pending": salary, "tc_confirm": None}
        return result

    def confirm(self, text, dispatcher, tracker, domain) -> Dict[str, Any]:
        """ "Ja, per jaar" divides by 12; "Nee, per maand" keeps it; a new number replaces it."""
        pending = float(tracker.get_slot("tc_pending"))
        salary = transition.read_check_back(typed_answer("tc_confirm", text, domain), pending)
        # tc_confirm keeps the answer: an empty slot would read as "not understood".
        done = {"tc_pending": None, "tc_confirm": text}
        if salary is not None:
            return {**done, "tc_salary": salary}
        result = super().read("tc_salary", text, dispatcher, tracker, domain)
        if result.get("tc_salary") is None:
            return {"tc_confirm": None}
        if transition.needs_check_back(
            result["tc_salary"], read_answer("tc_salary", text).per_year
        ):
            return {"tc_confirm": None, "tc_pending": result["tc_salary"]}
        return {**done, **result}


class ActionAskTcConfirm(Action):
    """The check-back of a very high monthly salary, with the amount in it."""

    def name(self) -> str:
        """Action name as in the domain (Rasa asks tc_confirm with it)."""
        return "action_ask_tc_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Bedoel je € 48.000 per jaar?"""
        pending = float(tracker.get_slot("tc_pending") or 0)
        dispatcher.utter_message(
            response="utter_ask_tc_confirm",
            amount=format_euro(pending),
            monthly=format_euro(round(pending / 12)),
        )
        return []


class ValidateGapForm(_CalculatorValidation, FormValidationAction):
    """Income during the training and monthly costs."""

    def name(self) -> str:
        """Form validation action name."""
        return "validate_gap_form"


class ValidateBufferForm(_CalculatorValidation, FormValidationAction):
    """Savings and monthly shortfall."""

    def name(self) -> str:
        """Form validation action name."""
        return "validate_buffer_form"


def next_after_calculator() -> List[Dict[str, str]]:
    """The buttons under every calculator's result."""
    return [
        {"title": say("money.calculator_money_check_button"), "payload": "/finance_check"},
        {"title": say("money.calculator_coach_button"), "payload": "/request_human"},
    ]


def forget(form_name: str, *helpers: str) -> List[Dict[str, Any]]:
    """Clear a calculator's inputs (and its helper slots): they were only needed for the sum."""
    return [SlotSet(slot, None) for slot in (*registry.form(form_name).main_slots, *helpers)]


class ActionTransitionEstimate(Action):
    """The transitievergoeding estimate with its assumptions and the year's maximum."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_transition_estimate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Estimate, explain, forget the inputs."""
        estimate = transition.transitievergoeding(
            float(tracker.get_slot("tc_salary")),
            float(tracker.get_slot("tc_years")),
            date.today().year,
        )
        dispatcher.utter_message(
            text=transition.result_text(estimate), buttons=next_after_calculator()
        )
        return forget("transition_form", "tc_pending", "tc_confirm")


class ActionGapEstimate(Action):
    """Monthly shortfall during a training."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_gap_estimate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Gap, explained; forget the inputs."""
        income = float(tracker.get_slot("gc_income_during"))
        result = gap.income_gap(income, income, float(tracker.get_slot("gc_costs")))
        to_buffer = {"title": say("money.gap_to_buffer_button"), "payload": "/calculate_buffer"}
        dispatcher.utter_message(
            text=gap.result_text(result), buttons=[to_buffer, *next_after_calculator()]
        )
        return forget("gap_form")


class ActionBufferEstimate(Action):
    """How many months savings cover a monthly shortfall."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_buffer_estimate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Months, explained; forget the inputs."""
        months = buffer.buffer_months(
            float(tracker.get_slot("bc_savings")), float(tracker.get_slot("bc_gap"))
        )
        dispatcher.utter_message(text=buffer.result_text(months), buttons=next_after_calculator())
        return forget("buffer_form")
