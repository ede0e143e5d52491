"""Privacy answers and erasure on request (AVG).

``action_privacy_info`` says what is kept, why, how long, who sees it and how to erase it,
from data/privacy.yml (the web page /privacy shows the same text). ``action_delete_data``
runs after the person confirmed: it erases our own tables (loopbrug/privacy/erasure.py); the
tracker store erases the conversation itself when this turn is saved (bot/extensions/tracker_store.py).
A thin adapter: the sentences are texts in data/texts/nl/privacy.yml.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher

from loopbrug.privacy import statement
from loopbrug.privacy.erasure import erase_person
from loopbrug.texts import text

logger = logging.getLogger(__name__)


def button(key: str, payload: str) -> Dict[str, str]:
    """A button with its title from data/texts/ (``privacy.<key>``)."""
    return {"title": text(f"privacy.{key}"), "payload": payload}


class ActionPrivacyInfo(Action):
    """The privacy statement, with the way to erase everything."""

    def name(self) -> str:
        return "action_privacy_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(
            text="\n".join(statement.lines()),
            buttons=[
                button("button_erase", "/delete_data"),
                button("button_go_on", "/capabilities"),
            ],
        )
        return []


class ActionDeleteData(Action):
    """Erase everything about this person (after "Ja, wis alles")."""

    def name(self) -> str:
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        try:
            erase_person(tracker.sender_id)
        except Exception:  # say so honestly; the tracker store still erases the chat
            logger.exception("erasure: our tables could not be erased")
            dispatcher.utter_message(text=text("privacy.erase_failed"))
            return [AllSlotsReset(), ActiveLoop(None)]
        dispatcher.utter_message(
            text=text("privacy.erased"), buttons=[button("button_start_again", "/greet")]
        )
        return [AllSlotsReset(), ActiveLoop(None)]
