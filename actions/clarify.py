"""Clarification flow: ask back instead of guessing (conversation design: "it never guesses").

Runs for ``nlu_fallback`` (low or ambiguous confidence), for ``out_of_scope`` and as the core
fallback. It offers the two best guesses as buttons; if we already asked back on the previous
turn, it offers a person instead of asking a third time.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

# Button labels for intents we may suggest. Intents without a label (greet, affirm, crisis, ...)
# are never offered as a guess: "Bedoel je: ja?" helps nobody.
INTENT_LABELS: Dict[str, str] = {
    "capabilities": "Wat kun je?",
    "request_human": "Praten met een mens",
    "privacy_info": "Wat doen jullie met mijn gegevens?",
    "delete_data": "Mijn gegevens wissen",
    "orientation_start": "Ik wil ander werk",
    "shortage_sectors": "Waar is werk?",
    "sector_info": "Werken in een sector",
    "experience_work": "Eerst meelopen",
    "orientation_programs": "Uitzoeken wat bij me past",
    "training_routes": "Hoe werkt een opleiding?",
    "skills_recognition": "Ervaring zonder diploma",
    "orientation_time": "Tijd om te leren van mijn werk",
    "guidance_support": "Begeleiding bij overstap",
    "funding_overview": "Opleiding betalen",
    "funding_voucher": "Scholingsvoucher",
    "funding_employer": "Werkgever betaalt mee",
    "funding_sector_fund": "Opleidingsfonds van sector",
    "funding_transition_payment": "Transitievergoeding",
    "funding_benefits": "Leren met een uitkering",
    "funding_loan": "Lenen voor een opleiding",
    "funding_stap": "STAP-budget",
    "career_advice_free": "Gratis loopbaanadvies",
    "finance_check": "Kan ik dit betalen?",
    "income_during_training": "Inkomen tijdens opleiding",
    "debt_help": "Hulp bij schulden",
    "practical_costs": "Reiskosten en opvang",
    "start_assessment": "Zelftest doen",
    "show_profile": "Mijn profiel bekijken",
    "find_loket": "Loket in mijn regio",
    "handoff_status": "Status van mijn aanvraag",
}

TOPIC_BUTTONS: List[Dict[str, str]] = [
    {"title": "Ander werk zoeken", "payload": "/orientation_start"},
    {"title": "Opleiding betalen", "payload": "/funding_overview"},
    {"title": "Geldzorgen", "payload": "/debt_help"},
    {"title": "Praten met een mens", "payload": "/request_human"},
]

MIN_GUESS_CONFIDENCE = 0.05


def best_guesses(ranking: List[Dict[str, Any]], limit: int = 2) -> List[str]:
    """The ``limit`` most likely intents that are worth offering as a button."""
    guesses = [
        item["name"]
        for item in ranking
        if item.get("name") in INTENT_LABELS and item.get("confidence", 0.0) >= MIN_GUESS_CONFIDENCE
    ]
    return guesses[:limit]


def asked_back_last_turn(tracker: Tracker) -> bool:
    """True when the bot's previous turn (before this user message) was a clarification."""
    seen_current_user_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_current_user_message:
                return False
            seen_current_user_message = True
        elif seen_current_user_message and event.get("event") == "action":
            name = event.get("name")
            if name == "action_listen":
                continue
            return name == ActionClarify.NAME
    return False


class ActionClarify(Action):
    """Ask back with the two best guesses, or offer a person on the second miss."""

    NAME = "action_clarify"

    def name(self) -> str:
        """Action name as in the domain."""
        return self.NAME

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[Dict[str, Any]]:
        """Choose between asking back and offering a person."""
        message = tracker.latest_message or {}
        top: Optional[str] = (message.get("intent") or {}).get("name")

        if asked_back_last_turn(tracker):
            dispatcher.utter_message(
                response="utter_clarify_offer_human",
                buttons=[
                    {"title": "Ja, een mens graag", "payload": "/request_human"},
                    {"title": "Nee, ik probeer het anders", "payload": "/capabilities"},
                ],
            )
            return []

        guesses = [] if top == "out_of_scope" else best_guesses(message.get("intent_ranking") or [])
        if not guesses:
            dispatcher.utter_message(response="utter_clarify_out_of_scope", buttons=TOPIC_BUTTONS)
            return []

        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in guesses]
        buttons.append({"title": "Iets anders", "payload": "/capabilities"})
        dispatcher.utter_message(response="utter_clarify_guess", buttons=buttons)
        return []
