"""The money check and the calculators in the chat (numbers in actions/money.py).

``money_form`` asks ten short questions; ``validate_money_form`` reads Dutch amounts and asks
again when it cannot; ``action_money_outcome`` gives the traffic light, stores only the
outcome (colour, ranges, rounded months) and clears the amounts from the slots. An acute debt
signal (deurwaarder, afsluiting, uitzetting) gets priority help at once, inside or outside the
check. The three calculators (transitievergoeding, monthly gap, buffer) work on their own.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import db
from actions.form_validation import OneValidatorForAllSlots
from actions.money import (
    MoneyAnswers,
    ParsedAmount,
    acute_debt_signal,
    assess,
    buffer_months,
    format_euro,
    format_months,
    income_gap,
    parse_amount,
    parse_count,
    parse_years,
    transitievergoeding,
)

MONEY_SLOTS = (
    "m_net_income",
    "m_fixed_costs",
    "m_household_income",
    "m_dependants",
    "m_savings",
    "m_debts",
    "m_income_during",
    "m_transition",
    "m_travel",
    "m_childcare",
)
CALCULATOR_SLOTS = ("tc_salary", "tc_years", "gc_income_during", "gc_costs", "bc_savings", "bc_gap")
PER_MONTH = {
    "m_net_income",
    "m_fixed_costs",
    "m_household_income",
    "m_income_during",
    "m_travel",
    "m_childcare",
    "gc_income_during",
    "gc_costs",
    "bc_gap",
}
SKIPPED = {"skipped": True}
STEP_LABELS = {
    "debt_help": "Hulp bij schulden",
    "request_human": "Praten met een coach",
    "funding_overview": "Opleiding betalen",
    "funding_employer": "Werkgever betaalt mee",
    "funding_benefits": "Leren met uitkering",
    "income_during_training": "Leren met salaris",
    "orientation_start": "Verder oriënteren",
    "training_routes": "Hoe werkt een opleiding?",
    "start_assessment": "Zelftest doen",
}
COLOUR_WORDS = {"groen": "Groen", "oranje": "Oranje", "rood": "Rood"}
DEBT_CHOICES = {
    "nee": (False, False),
    "geen": (False, False),
    "ja, schulden": (True, False),
    "ja": (True, False),
    "schulden": (True, False),
    "ja, achterstanden": (False, True),
    "achterstanden": (False, True),
    "achterstand": (False, True),
}


def read_answer(slot: str, text: str) -> ParsedAmount:
    """Parse one reply for ``slot`` (amount, count or years)."""
    if slot == "m_dependants":
        return parse_count(text, maximum=20)
    if slot == "tc_years":
        return parse_years(text)
    return parse_amount(text, per_month=slot in PER_MONTH)


def number_or_skip(slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
    """The slot update for a typed number: the value, a skip, or a re-ask (None)."""
    parsed = read_answer(slot, str(value or ""))
    if parsed.unknown:
        return {slot: SKIPPED}
    if parsed.error:
        dispatcher.utter_message(text=parsed.error)
        return {slot: None}
    return {slot: parsed.value}


def warn_if_acute(text: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> None:
    """Acute debt problems get priority help at once, whatever question we are at."""
    if acute_debt_signal(text):
        dispatcher.utter_message(response="utter_debt_priority")


class ValidateMoneyForm(OneValidatorForAllSlots, FormValidationAction):
    """Reads the money answers; nothing said before is lost when one is unclear."""

    def name(self) -> str:
        """Form validation action name (Rasa convention: validate_<form>)."""
        return "validate_money_form"

    def handles(self, slot: str) -> bool:
        """The ten questions of the money check."""
        return slot in MONEY_SLOTS

    def validate_slot(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain
    ) -> Dict[str, Any]:
        """An amount, a count, or a debts answer."""
        text = str(value or "").strip()
        warn_if_acute(text, tracker, dispatcher)
        if slot == "m_debts":
            return self.debts(text, dispatcher)
        if slot == "m_income_during" and "zoveel als nu" in text.lower():
            return {slot: tracker.get_slot("m_net_income") or SKIPPED}
        return number_or_skip(slot, text, dispatcher)

    @staticmethod
    def debts(text: str, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        """Debts and arrears from a button or free text."""
        lowered = text.lower().strip(" .!")
        if acute_debt_signal(text):
            return {"m_debts": {"debts": True, "arrears": True, "acute": True}}
        if read_answer("m_net_income", text).unknown:  # the shared "weet ik niet" / skip words
            return {"m_debts": SKIPPED}
        if lowered in DEBT_CHOICES:
            debts, arrears = DEBT_CHOICES[lowered]
            return {"m_debts": {"debts": debts, "arrears": arrears, "acute": False}}
        dispatcher.utter_message(
            text="Ik snap je antwoord niet helemaal. Kies 'Nee', 'Ja, schulden' of 'Ja, achterstanden'."
        )
        return {"m_debts": None}


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) else None


def answers_from(tracker: Tracker) -> MoneyAnswers:
    """The check's answers as numbers; skipped ones stay None."""
    slot = tracker.get_slot
    debts = slot("m_debts") if isinstance(slot("m_debts"), dict) else {}
    dependants = _number(slot("m_dependants"))
    return MoneyAnswers(
        net_income=_number(slot("m_net_income")),
        fixed_costs=_number(slot("m_fixed_costs")),
        savings=_number(slot("m_savings")),
        has_debts=debts.get("debts"),
        has_arrears=debts.get("arrears"),
        acute_debt=bool(debts.get("acute")),
        dependants=int(dependants) if dependants is not None else None,
        household_income=_number(slot("m_household_income")),
        income_during=_number(slot("m_income_during")),
        transition_payment=_number(slot("m_transition")),
        travel_costs=_number(slot("m_travel")),
        childcare_costs=_number(slot("m_childcare")),
    )


def outcome_text(outcome) -> str:
    """The traffic light in plain words. The reasons from assess() already name the monthly
    gap and how long the buffer lasts, so they are not repeated here."""
    lines = [f"Uitkomst van je geldcheck: {COLOUR_WORDS[outcome.colour]}."]
    lines += outcome.reasons
    lines.append("Dit is een schatting. Een coach kan het precies met je uitrekenen.")
    return "\n".join(lines)


class ActionStartMoneyCheck(Action):
    """Introduce the money check; the form asks the questions next."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_start_money_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Intro, and an acute signal in the opening message gets priority help."""
        warn_if_acute((tracker.latest_message or {}).get("text") or "", tracker, dispatcher)
        dispatcher.utter_message(response="utter_money_intro")
        return [SlotSet(slot, None) for slot in MONEY_SLOTS]


class ActionMoneyOutcome(Action):
    """Traffic light, reasons and next steps; keep only the outcome."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_money_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Assess, answer, store the outcome and forget the amounts."""
        outcome = assess(answers_from(tracker))
        # An acute debt signal already got its priority message when it was typed
        # (warn_if_acute); the reasons below name it again, so no third message here.
        buttons = [
            {"title": STEP_LABELS[s], "payload": f"/{s}"}
            for s in outcome.next_steps
            if s in STEP_LABELS
        ]
        dispatcher.utter_message(text=outcome_text(outcome), buttons=buttons)
        db.save_money_check(tracker.sender_id, outcome.storable())
        # The amounts were only needed for this calculation (privacy): clear them.
        return [SlotSet(slot, None) for slot in MONEY_SLOTS] + [
            SlotSet("money_colour", outcome.colour)
        ]


class ActionDebtHelp(Action):
    """Debt questions outside the check; acute signals first."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_debt_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Priority help for acute problems; otherwise the free routes."""
        text = (tracker.latest_message or {}).get("text") or ""
        if acute_debt_signal(text):
            dispatcher.utter_message(response="utter_debt_priority")
        else:
            dispatcher.utter_message(response="utter_debt_help")
        return []


# ---- calculators on their own ---------------------------------------------------------------


class _CalculatorValidation(OneValidatorForAllSlots):
    """Shared validation: every calculator slot is a number; a skip is not possible here."""

    slots: tuple = ()

    def handles(self, slot: str) -> bool:
        """The calculator's own questions."""
        return slot in self.slots

    def validate_slot(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker, domain
    ):
        parsed = read_answer(slot, str(value or "").strip())
        if parsed.unknown:
            dispatcher.utter_message(
                text="Voor deze berekening heb ik een getal nodig. Een schatting is goed."
            )
            return {slot: None}
        if parsed.error:
            dispatcher.utter_message(text=parsed.error)
            return {slot: None}
        return {slot: parsed.value}


class ValidateTransitionForm(_CalculatorValidation, FormValidationAction):
    """Gross monthly salary and years of service."""

    slots = ("tc_salary", "tc_years")

    def name(self) -> str:
        """Form validation action name."""
        return "validate_transition_form"


class ValidateGapForm(_CalculatorValidation, FormValidationAction):
    """Income during the training and monthly costs."""

    slots = ("gc_income_during", "gc_costs")

    def name(self) -> str:
        """Form validation action name."""
        return "validate_gap_form"


class ValidateBufferForm(_CalculatorValidation, FormValidationAction):
    """Savings and monthly shortfall."""

    slots = ("bc_savings", "bc_gap")

    def name(self) -> str:
        """Form validation action name."""
        return "validate_buffer_form"


def assumptions_text(assumptions: List[str]) -> str:
    """Assumptions as a short list."""
    return "\n".join(f"- {a}" for a in assumptions)


NEXT_AFTER_CALCULATOR = [
    {"title": "Geldcheck doen", "payload": "/finance_check"},
    {"title": "Praten met een coach", "payload": "/request_human"},
]


class ActionTransitionEstimate(Action):
    """The transitievergoeding estimate with its assumptions and the year's maximum."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_transition_estimate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Estimate, explain, forget the inputs."""
        estimate = transitievergoeding(
            float(tracker.get_slot("tc_salary")),
            float(tracker.get_slot("tc_years")),
            date.today().year,
        )
        dispatcher.utter_message(
            text=(
                f"Je transitievergoeding is ongeveer {format_euro(estimate.amount)} bruto. "
                "Dit is een schatting.\n" + assumptions_text(estimate.assumptions)
            ),
            buttons=NEXT_AFTER_CALCULATOR,
        )
        return [SlotSet(s, None) for s in ("tc_salary", "tc_years")]


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
        result = income_gap(income, income, float(tracker.get_slot("gc_costs")))
        if result.monthly_gap:
            text = f"Je komt per maand ongeveer {format_euro(result.monthly_gap)} tekort."
        else:
            text = "Je komt per maand niets tekort."
        dispatcher.utter_message(
            text=text + " Dit is een schatting.\n" + assumptions_text(result.assumptions),
            buttons=[{"title": "Hoe lang spaargeld duurt", "payload": "/calculate_buffer"}]
            + NEXT_AFTER_CALCULATOR,
        )
        return [SlotSet(s, None) for s in ("gc_income_during", "gc_costs")]


class ActionBufferEstimate(Action):
    """How many months savings cover a monthly shortfall."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_buffer_estimate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Months, explained; forget the inputs."""
        months = buffer_months(
            float(tracker.get_slot("bc_savings")), float(tracker.get_slot("bc_gap"))
        )
        if months is None:
            text = "Je komt niets tekort, dus je spaargeld hoef je niet aan te spreken."
        else:
            text = f"Je spaargeld is genoeg voor {format_months(months)}."
        dispatcher.utter_message(
            text=text + " Dit is een schatting. Onverwachte kosten zijn niet meegeteld.",
            buttons=NEXT_AFTER_CALCULATOR,
        )
        return [SlotSet(s, None) for s in ("bc_savings", "bc_gap")]
