"""The money check and the calculators in the chat (numbers in actions/money.py).

``money_form`` asks ten short questions; ``validate_money_form`` reads Dutch amounts and asks
again when it cannot; ``action_money_outcome`` gives the traffic light, stores only the
outcome (colour, ranges, rounded months) and clears the amounts from the slots. An acute debt
signal (deurwaarder, afsluiting, uitzetting) gets priority help at once, inside or outside the
check. The three calculators (transitievergoeding, monthly gap, buffer) work on their own.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_unit, pick_for, send
from actions.form_validation import OneValidatorForAllSlots
from actions.money import (
    MoneyAnswers,
    ParsedAmount,
    acute_debt_signal,
    assess,
    buffer_months,
    debt_signal,
    format_euro,
    format_months,
    income_gap,
    parse_amount,
    parse_count,
    parse_years,
    transitievergoeding,
)
from loopbrug import db
from loopbrug.knowledge import reply
from loopbrug.knowledge.units import get_knowledge_base

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
# Asked only when needed: the size and kind of arrears after "Ja, achterstanden".
ARREARS_SLOT = "m_arrears"
# Helpers of the check, not answers: the income explanation was given; a changed answer is
# ready to be recomputed (rules branch on it).
INCOME_HELP_SLOT = "m_income_help"
CHANGE_READY_SLOT = "m_change_ready"
ANSWER_SLOTS = MONEY_SLOTS + (ARREARS_SLOT,)
CALCULATOR_SLOTS = ("tc_salary", "tc_years", "gc_income_during", "gc_costs", "bc_savings", "bc_gap")
# A monthly salary this high is checked back: "48000" is more often a yearly salary.
LARGE_MONTHLY = 15_000
PER_MONTH = {
    "tc_salary",
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


_YES = re.compile(r"^(?:ja|jawel|jazeker|ja hoor|jep|yes|klopt|ja, klopt)$")
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
    say_per_year(parsed, dispatcher)
    return {slot: parsed.value}


def say_per_year(parsed: ParsedAmount, dispatcher: CollectingDispatcher) -> None:
    """A yearly amount was turned into a monthly one: say so, so the person can check it."""
    if parsed.per_year is not None and parsed.value is not None:
        dispatcher.utter_message(
            response="utter_money_per_year",
            yearly=format_euro(parsed.per_year),
            monthly=format_euro(round(parsed.value)),
        )


def typed_answer(slot: str, text: str, domain: Dict[str, Any]) -> str:
    """The reply as the question's parser reads it: a typed button label becomes its payload,
    and a plain "nee" to a question about money means none."""
    payload = button_payload(slot, text, domain)
    if payload is not None:
        return payload
    if _NO.match(text.lower().strip(" .!")):
        return "0"
    return text


def keep_location(tracker: Tracker) -> Dict[str, Any]:
    """A number typed as an answer is not a postcode: undo what this message set in
    ``location_input`` (its slot mapping takes a postcode entity from any message the NLU
    calls inform_location, and "3000" looks like one)."""
    before = None
    seen_user = False
    for event in reversed(tracker.events or []):
        if not seen_user:
            seen_user = event.get("event") == "user"
            continue
        if event.get("event") == "slot" and event.get("name") == "location_input":
            before = event.get("value")
            break
    if tracker.get_slot("location_input") != before:
        return {"location_input": before}
    return {}


def warn_if_acute(text: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> None:
    """Acute debt problems get priority help at once, whatever question we are at."""
    if acute_debt_signal(text):
        dispatcher.utter_message(response="utter_debt_priority")


class ValidateMoneyForm(OneValidatorForAllSlots, FormValidationAction):
    """Reads the money answers; nothing said before is lost when one is unclear."""

    stopped_response = "utter_money_paused"
    skipped_value = SKIPPED
    help_responses = frozenset({"utter_money_income_help"})

    def name(self) -> str:
        """Form validation action name (Rasa convention: validate_<form>)."""
        return "validate_money_form"

    def handles(self, slot: str) -> bool:
        """The ten questions of the money check, and the arrears follow-up."""
        return slot in ANSWER_SLOTS

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[str]:
        """The ten questions; after "Ja, achterstanden" without an amount, also how much and
        what for (a small energy arrear is weighed differently from months of rent)."""
        slots = [slot for slot in domain_slots if slot != ARREARS_SLOT]
        debts = tracker.get_slot("m_debts")
        needed = isinstance(debts, dict) and debts.get("arrears") and not debts.get("acute")
        if needed and ("small" not in debts or tracker.get_slot(ARREARS_SLOT) is not None):
            slots.insert(
                slots.index("m_debts") + 1 if "m_debts" in slots else len(slots), ARREARS_SLOT
            )
        return slots

    def validate_slot(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain
    ) -> Dict[str, Any]:
        """An amount, a count, or a debts answer."""
        if not isinstance(value, str):
            # Answers given before (restored to change one answer): already read.
            return {slot: value}
        text = str(value or "").strip()
        result = self.read(slot, text, dispatcher, tracker, domain)
        return {**result, **keep_location(tracker)}

    def read(self, slot, text, dispatcher, tracker, domain) -> Dict[str, Any]:
        """The slot update for one typed reply."""
        warn_if_acute(text, tracker, dispatcher)
        if slot == "m_debts":
            return self.debts(button_payload(slot, text, domain) or text, dispatcher)
        if slot == ARREARS_SLOT:
            return self.arrears(button_payload(slot, text, domain) or text, tracker)
        answer = typed_answer(slot, text, domain)
        if slot == "m_income_during" and "zoveel als nu" in answer.lower():
            return {slot: tracker.get_slot("m_net_income") or SKIPPED}
        if _YES.match(answer.lower().strip(" .!")):
            dispatcher.utter_message(
                response="utter_money_how_many"
                if slot == "m_dependants"
                else "utter_money_how_much"
            )
            return {slot: None}
        parsed = read_answer(slot, answer)
        if parsed.unknown and slot == "m_income_during" and not tracker.get_slot(INCOME_HELP_SLOT):
            # Not known yet is common: say what people usually have, then ask once more.
            dispatcher.utter_message(response="utter_money_income_help")
            return {slot: None, INCOME_HELP_SLOT: True}
        return number_or_skip(slot, answer, dispatcher)

    @staticmethod
    def debts(text: str, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        """Debts and arrears from a button or free text."""
        lowered = text.lower().strip(" .!")
        signal = debt_signal(text)
        if signal.acute:
            return {"m_debts": {"debts": True, "arrears": True, "acute": True}}
        if read_answer("m_net_income", text).unknown:  # the shared "weet ik niet" / skip words
            return {"m_debts": SKIPPED}
        if lowered in DEBT_CHOICES:
            debts, arrears = DEBT_CHOICES[lowered]
            return {"m_debts": {"debts": debts, "arrears": arrears, "acute": False}}
        if signal.arrears:
            return {"m_debts": arrears_answer(signal, debts=False)}
        dispatcher.utter_message(
            text="Ik snap je antwoord niet helemaal. Kies 'Nee', 'Ja, schulden' of 'Ja, achterstanden'."
        )
        return {"m_debts": None}

    @staticmethod
    def arrears(text: str, tracker: Tracker) -> Dict[str, Any]:
        """How much and what for; unknown size is never called small."""
        debts = dict(tracker.get_slot("m_debts") or {})
        signal = debt_signal(text if "achterstand" in text.lower() else f"achterstand {text}")
        if signal.acute:
            debts.update({"debts": True, "acute": True})
            return {ARREARS_SLOT: SKIPPED, "m_debts": debts}
        debts.update(arrears_answer(signal, debts=bool(debts.get("debts"))))
        return {ARREARS_SLOT: {"answered": True}, "m_debts": debts}


def arrears_answer(signal, debts: bool) -> Dict[str, Any]:
    """The m_debts value for arrears read from text (size known or not)."""
    answer = {"debts": debts, "arrears": True, "acute": False, "kind": signal.kind}
    if signal.amount is not None or signal.months is not None:
        answer["small"] = signal.small
    return answer


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) else None


def answers_from(tracker: Tracker) -> MoneyAnswers:
    """The check's answers as numbers; skipped ones stay None."""
    return answers_from_slots({name: tracker.get_slot(name) for name in ANSWER_SLOTS})


def answers_from_slots(values: Dict[str, Any]) -> MoneyAnswers:
    """The check's answers from slot values as numbers; skipped ones stay None."""
    slot = values.get
    debts = slot("m_debts") if isinstance(slot("m_debts"), dict) else {}
    dependants = _number(slot("m_dependants"))
    return MoneyAnswers(
        net_income=_number(slot("m_net_income")),
        fixed_costs=_number(slot("m_fixed_costs")),
        savings=_number(slot("m_savings")),
        has_debts=debts.get("debts"),
        has_arrears=debts.get("arrears"),
        acute_debt=bool(debts.get("acute")),
        arrears_small=bool(debts.get("small")),
        arrears_kind=debts.get("kind"),
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
        return [SlotSet(slot, None) for slot in ANSWER_SLOTS + (INCOME_HELP_SLOT,)]


def outcome_events(
    answers: Dict[str, Any], tracker: Tracker, dispatcher: CollectingDispatcher
) -> List[Dict[str, Any]]:
    """Assess ``answers`` (slot values), answer, store the outcome and forget the amounts.

    The events keep the answers until ``money_colour`` is set and clear them after it: that
    is how :func:`last_answers` finds them when the person changes one answer later.
    """
    outcome = assess(answers_from_slots(answers))
    # An acute debt signal already got its priority message when it was typed
    # (warn_if_acute); the reasons below name it again, so no third message here.
    buttons = [
        {"title": STEP_LABELS[s], "payload": f"/{s}"}
        for s in outcome.next_steps
        if s in STEP_LABELS
    ]
    buttons.append({"title": CHANGE_BUTTON, "payload": "/money_change"})
    dispatcher.utter_message(text=outcome_text(outcome), buttons=buttons)
    db.save_money_check(tracker.sender_id, outcome.storable())
    # The amounts were only needed for this calculation (privacy): clear them.
    return (
        [SlotSet(slot, answers.get(slot)) for slot in ANSWER_SLOTS]
        + [SlotSet("money_colour", outcome.colour)]
        + [SlotSet(slot, None) for slot in ANSWER_SLOTS + (INCOME_HELP_SLOT, CHANGE_READY_SLOT)]
    )


def last_answers(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The answers of the person's last finished money check, read back from the
    conversation's events (the slots were cleared); None when there was none."""
    current: Dict[str, Any] = {}
    found: Optional[Dict[str, Any]] = None
    for event in tracker.events or []:
        kind = event.get("event")
        if kind == "restart":
            current, found = {}, None
        elif kind == "slot" and event.get("name") in ANSWER_SLOTS:
            current[event["name"]] = event.get("value")
        elif kind == "slot" and event.get("name") == "money_colour" and event.get("value"):
            found = dict(current)
    return found


class ActionMoneyOutcome(Action):
    """Traffic light, reasons and next steps; keep only the outcome."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_money_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Assess, answer, store the outcome and forget the amounts."""
        answers = {slot: tracker.get_slot(slot) for slot in ANSWER_SLOTS}
        return outcome_events(answers, tracker, dispatcher)


# What each answer is called when the person changes it, and the words that name it (the
# first match wins, so "inkomen tijdens de overstap" is found before "inkomen").
CHANGE_BUTTON = "Een antwoord aanpassen"
CHANGE_WORDS = (
    ("m_childcare", r"kinderopvang|opvang|\bbso\b|gastouder"),
    ("m_travel", r"reis|benzine|\bov\b"),
    ("m_transition", r"transitie|ontslagvergoeding"),
    ("m_income_during", r"tijdens|overstap|leerwerk|\bbbl\b|opleiding|uitkering|\bww\b|bijstand"),
    ("m_household_income", r"partner|vriend|vrouw|\bman\b|in huis|huisgeno|ander inkomen"),
    ("m_dependants", r"kind|mensen|gezin|afhankelijk|personen"),
    ("m_savings", r"spaar|buffer|gespaard|reserve"),
    ("m_debts", r"schuld|achterstand|deurwaarder|aanmaning|incasso"),
    ("m_fixed_costs", r"vaste lasten|lasten|huur|hypotheek|kosten|uitgaven"),
    ("m_net_income", r"inkomen|salaris|loon|verdien|netto|krijg ik binnen"),
)
CHANGE_NAMES = {
    "m_net_income": "je inkomen van nu",
    "m_fixed_costs": "je vaste lasten",
    "m_household_income": "het inkomen van anderen in huis",
    "m_dependants": "hoeveel mensen jouw inkomen nodig hebben",
    "m_savings": "je spaargeld",
    "m_debts": "je schulden of achterstanden",
    "m_income_during": "je inkomen tijdens de overstap",
    "m_transition": "je transitievergoeding bij ontslag",
    "m_travel": "je extra reiskosten",
    "m_childcare": "je kosten voor kinderopvang",
}


def changed_slot(text: str, entities: List[Dict[str, Any]]) -> Optional[str]:
    """Which answer the person wants to change: from a button's entity or from their words."""
    for entity in entities or []:
        if entity.get("entity") == "money_field" and entity.get("value") in MONEY_SLOTS:
            return entity["value"]
    lowered = text.lower()
    for slot, words in CHANGE_WORDS:
        if re.search(words, lowered):
            return slot
    return None


class ActionMoneyChange(Action):
    """Change one answer of the last money check and recompute, without asking all again.

    "mijn vaste lasten zijn 900": the other answers come back from the conversation, the
    outcome is given again at once. "verander mijn inkomen": the money check asks only that
    question, then gives the outcome. "Een antwoord aanpassen": which one?
    """

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_money_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Recompute, ask the one question again, or ask which answer."""
        previous = last_answers(tracker)
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        if previous is None:
            dispatcher.utter_message(response="utter_money_change_none")
            return [SlotSet(CHANGE_READY_SLOT, False)]
        slot = changed_slot(text, message.get("entities") or [])
        if slot is None:
            dispatcher.utter_message(response="utter_money_change_which")
            return [SlotSet(CHANGE_READY_SLOT, False)]
        if not text.startswith("/"):
            new = self.value(slot, text, previous, tracker, domain)
            if new is not None:
                dispatcher.utter_message(response="utter_money_changed", what=CHANGE_NAMES[slot])
                answers = {**previous, **new}
                return outcome_events(answers, tracker, dispatcher) + [
                    SlotSet(CHANGE_READY_SLOT, False)
                ]
        # Ask only this question again: the other answers go back into their slots.
        restored = [SlotSet(name, value) for name, value in previous.items() if name != slot]
        cleared = [SlotSet(slot, None), SlotSet(INCOME_HELP_SLOT, None)]
        if slot == "m_debts":
            cleared.append(SlotSet(ARREARS_SLOT, None))
        return restored + cleared + [SlotSet(CHANGE_READY_SLOT, True)]

    @staticmethod
    def value(slot, text, previous, tracker, domain) -> Optional[Dict[str, Any]]:
        """The new answer when the message holds one ("mijn vaste lasten zijn 900")."""
        if slot == "m_debts":
            signal = debt_signal(text)
            if signal.acute:
                return {"m_debts": {"debts": True, "arrears": True, "acute": True}}
            if signal.arrears and (signal.amount is not None or signal.months is not None):
                return {"m_debts": arrears_answer(signal, debts=False), ARREARS_SLOT: SKIPPED}
            if re.search(r"\bgeen\b|\bniet meer\b|afbetaald|opgelost", text.lower()):
                return {"m_debts": {"debts": False, "arrears": False, "acute": False}}
            return None
        if slot == "m_income_during" and "zoveel als nu" in text.lower():
            return {slot: previous.get("m_net_income") or SKIPPED}
        parsed = read_answer(slot, text)
        return {slot: parsed.value} if parsed.ok else None


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
        signal = debt_signal(text)
        if signal.acute:
            dispatcher.utter_message(response="utter_debt_priority")
            return []
        if signal.small:
            dispatcher.utter_message(response="utter_debt_small_arrear")
            return []
        # A specific question ("wat is de beslagvrije voet?") gets its own answer; otherwise
        # the topic's default answer from the knowledge base.
        found = pick_for(tracker)
        if found is None:  # never silent: the way to a person and the desk
            send(dispatcher, reply.no_answer(get_knowledge_base()))
            return []
        return answer_unit(dispatcher, tracker, found.unit, found.alternative)


# ---- calculators on their own ---------------------------------------------------------------


class _CalculatorValidation(OneValidatorForAllSlots):
    """Shared validation: every calculator slot is a number; a skip is not possible here."""

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

    slots: tuple = ()

    def handles(self, slot: str) -> bool:
        """The calculator's own questions."""
        return slot in self.slots

    def validate_slot(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker, domain
    ):
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
            dispatcher.utter_message(
                text="Voor deze berekening heb ik een getal nodig. Een schatting is goed."
            )
            return {slot: None}
        if parsed.error:
            dispatcher.utter_message(text=parsed.error)
            return {slot: None}
        say_per_year(parsed, dispatcher)
        return {slot: parsed.value}


class ValidateTransitionForm(_CalculatorValidation, FormValidationAction):
    """Gross monthly salary and years of service; a very high monthly salary is checked back
    ("Bedoel je € 48.000 per jaar?") before it is used."""

    slots = ("tc_salary", "tc_years", "tc_confirm")

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
        if slot == "tc_salary" and salary is not None and salary >= LARGE_MONTHLY:
            if read_answer(slot, text).per_year is None:
                return {"tc_salary": None, "tc_pending": salary, "tc_confirm": None}
        return result

    def confirm(self, text, dispatcher, tracker, domain) -> Dict[str, Any]:
        """ "Ja, per jaar" divides by 12; "Nee, per maand" keeps it; a new number replaces it."""
        pending = float(tracker.get_slot("tc_pending"))
        answer = typed_answer("tc_confirm", text, domain).lower().strip(" .!")
        # tc_confirm keeps the answer: an empty slot would read as "not understood".
        done = {"tc_pending": None, "tc_confirm": text}
        if answer.startswith("ja") or "per jaar" in answer or answer == "jaar":
            return {**done, "tc_salary": round(pending / 12, 2)}
        if answer.startswith("nee") or "per maand" in answer or answer == "maand":
            return {**done, "tc_salary": pending}
        result = super().read("tc_salary", text, dispatcher, tracker, domain)
        if result.get("tc_salary") is None:
            return {"tc_confirm": None}
        if result["tc_salary"] >= LARGE_MONTHLY and read_answer("tc_salary", text).per_year is None:
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
    """Assumptions as short lines (no list markers: not every channel shows them as a list)."""
    return "\n".join(assumptions)


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
        return [SlotSet(s, None) for s in ("tc_salary", "tc_years", "tc_pending", "tc_confirm")]


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
