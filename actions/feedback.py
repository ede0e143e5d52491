"""Feedback: a person's own opinion ("hier heb ik niks aan"), and "Heeft de coach je
geholpen?" after a coach closed their ticket.

The helpline asks the question by triggering ``give_feedback`` through Rasa's HTTP API
(loopbrug/handoff/service.py ``ask_satisfaction``); such a trigger is marked in its metadata
(loopbrug/conversation.py ``triggered_by_helpline``), which a person cannot forge. A yes or
no right after the question is its answer (bot/rules/feedback.yml); anything else is answered
as usual, and the question simply stays unanswered.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.types import DomainDict

from loopbrug.conversation import triggered_by_helpline
from loopbrug.handoff import service, store
from loopbrug.settings import load_settings
from loopbrug.texts import text

logger = logging.getLogger(__name__)

ASKED = "handoff_satisfaction"


def button(key: str, payload: str) -> Dict[str, str]:
    return {"title": text(f"feedback.{key}"), "payload": payload}


class ActionFeedback(Action):
    """The satisfaction question when the helpline asks it; otherwise thanks for feedback."""

    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        if triggered_by_helpline(tracker.latest_message or {}):
            try:
                # A database call: off the action server's event loop.
                ticket = await asyncio.to_thread(store.latest_ticket_for, tracker.sender_id)
            except Exception:
                logger.exception("feedback: could not read the ticket")
                ticket = None
            if ticket is None or ticket.satisfaction_asked_at is None:
                return [SlotSet(ASKED, False)]  # nothing to ask about: say nothing
            coach = ticket.coach_name or text("feedback.the_coach")
            dispatcher.utter_message(
                text=text("feedback.question", coach=coach, ref=ticket.ref),
                buttons=[button("button_yes", "/affirm"), button("button_no", "/deny")],
            )
            return [SlotSet(ASKED, True)]
        dispatcher.utter_message(response="utter_feedback")
        return [SlotSet(ASKED, False)]


class ActionSatisfactionAnswer(Action):
    """Yes: glad, and the door stays open. No: sorry, and a coach or another question."""

    def name(self) -> str:
        return "action_satisfaction_answer"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        helped = (tracker.latest_message or {}).get("intent", {}).get("name") == "affirm"
        try:
            await service.answer_satisfaction(tracker.sender_id, helped, load_settings())
        except Exception:  # the person still gets an answer; the team misses one rating
            logger.exception("feedback: could not store the satisfaction answer")
        if helped:
            dispatcher.utter_message(
                text=text("feedback.helped"),
                buttons=[button("button_other_question", "/capabilities")],
            )
        else:
            dispatcher.utter_message(
                text=text("feedback.not_helped"),
                buttons=[
                    button("button_coach_again", "/request_human"),
                    button("button_other_question", "/capabilities"),
                ],
            )
        return [SlotSet(ASKED, False)]
