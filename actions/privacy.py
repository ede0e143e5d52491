"""Privacy answers and erasure on request (AVG).

``action_privacy_info`` says what is kept, why, how long, who sees it and how to erase it,
from data/privacy.yml (the web page /privacy shows the same text). ``action_delete_data``
runs after the person confirmed: it erases our own tables (actions/erasure.py); the tracker
store erases the conversation itself when this turn is saved (bot/tracker_store.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher

from actions.erasure import erase_person
from bot import privacy_text
from loopbrug.texts import text

logger = logging.getLogger(__name__)


class ActionPrivacyInfo(Action):
    def name(self) -> str:
        return "action_privacy_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(
            text="\n".join(privacy_text.lines()),
            buttons=[
                {"title": text("privacy.erase_button"), "payload": "/delete_data"},
                {"title": text("privacy.go_on_button"), "payload": "/capabilities"},
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
            text=text("privacy.erased"),
            buttons=[{"title": text("privacy.start_again_button"), "payload": "/greet"}],
        )
        return [AllSlotsReset(), ActiveLoop(None)]
