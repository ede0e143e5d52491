"""The money check in the chat: its form, its outcome, changing one answer, and debt help.

Thin rasa-sdk adapters over loopbrug/money/check.py. ``money_form`` asks ten short questions;
``validate_money_form`` reads the Dutch answers (each with the rule loopbrug/money/registry.py
gives its question) and asks again when it cannot; ``action_money_outcome`` gives the traffic
light, stores only the outcome (colour, ranges, rounded months) and clears the amounts from
the slots. An acute debt signal (deurwaarder, afsluiting, uitzetting) gets priority help at
once, inside or outside the check. The calculators are in actions/money.py.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_unit, pick_for, send
from actions.form_validation import OneValidatorForAllSlots
from actions.money import (
    button_payload,
    keep_location,
    read_answer,
    say_error,
    say_per_year,
    typed_answer,
)
from loopbrug import db
from loopbrug.conversation import RESTART, read_events
from loopbrug.knowledge import reply
from loopbrug.knowledge.units import get_knowledge_base
from loopbrug.money import check
from loopbrug.money.check import (
    ANSWER_SLOTS,
    ARREARS_SLOT,
    CHANGE_NAMES,
    CHANGE_READY_SLOT,
    INCOME_HELP_SLOT,
    SKIPPED,
    STEP_LABELS,
    MoneyAnswers,
)
from loopbrug.money.debts import acute_debt_signal, debt_signal
from loopbrug.texts import text as say

_YES = re.compile(r"^(?:ja|jawel|jazeker|ja hoor|jep|yes|klopt|ja, klopt)$")


def number_or_skip(slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
    """The slot update for a typed number: the value, a skip, or a re-ask (None)."""
    parsed = read_answer(slot, str(value or ""))
    if parsed.unknown:
        return {slot: SKIPPED}
    if parsed.error:
        say_error(parsed, dispatcher)
        return {slot: None}
    say_per_year(parsed, dispatcher)
    return {slot: parsed.value}


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
            answer = button_payload(slot, text, domain) or text
            return check.read_arrears(answer, tracker.get_slot("m_debts") or {})
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
        answer = check.read_debts(text)
        if answer is None:
            dispatcher.utter_message(text=say("money.debts_not_understood"))
        return {"m_debts": answer}


def answers_from(tracker: Tracker) -> MoneyAnswers:
    """The check's answers as numbers; skipped ones stay None."""
    return check.answers_from_slots({name: tracker.get_slot(name) for name in ANSWER_SLOTS})


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


async def outcome_events(
    answers: Dict[str, Any], tracker: Tracker, dispatcher: CollectingDispatcher
) -> List[Dict[str, Any]]:
    """Assess ``answers`` (slot values), answer, store the outcome and forget the amounts.

    The events keep the answers until ``money_colour`` is set and clear them after it: that
    is how :func:`last_answers` finds them when the person changes one answer later.
    """
    outcome = check.assess(check.answers_from_slots(answers))
    # An acute debt signal already got its priority message when it was typed
    # (warn_if_acute); the reasons below name it again, so no third message here.
    buttons = [
        {"title": STEP_LABELS[s], "payload": f"/{s}"}
        for s in outcome.next_steps
        if s in STEP_LABELS
    ]
    buttons.append({"title": say("money.change_button"), "payload": "/money_change"})
    dispatcher.utter_message(text=check.outcome_text(outcome), buttons=buttons)
    # A database call: off the action server's event loop (other turns go on).
    await asyncio.to_thread(db.save_money_check, tracker.sender_id, outcome.storable())
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
    for event in read_events(tracker.events):
        if event.kind == RESTART:
            current, found = {}, None
        elif event.is_slot() and event.name in ANSWER_SLOTS:
            current[event.name] = event.value
        elif event.is_slot("money_colour") and event.value:
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
        return await outcome_events(answers, tracker, dispatcher)


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
        slot = check.changed_slot(text, message.get("entities") or [])
        if slot is None:
            dispatcher.utter_message(response="utter_money_change_which")
            return [SlotSet(CHANGE_READY_SLOT, False)]
        if not text.startswith("/"):
            new = check.changed_value(slot, text, previous)
            if new is not None:
                dispatcher.utter_message(response="utter_money_changed", what=CHANGE_NAMES[slot])
                answers = {**previous, **new}
                return (await outcome_events(answers, tracker, dispatcher)) + [
                    SlotSet(CHANGE_READY_SLOT, False)
                ]
        # Ask only this question again: the other answers go back into their slots.
        restored = [SlotSet(name, value) for name, value in previous.items() if name != slot]
        cleared = [SlotSet(slot, None), SlotSet(INCOME_HELP_SLOT, None)]
        if slot == "m_debts":
            cleared.append(SlotSet(ARREARS_SLOT, None))
        return restored + cleared + [SlotSet(CHANGE_READY_SLOT, True)]


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
