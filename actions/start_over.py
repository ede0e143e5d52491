"""Starting the conversation over only after the person confirmed what will be forgotten.

"opnieuw" or "begin opnieuw" once wiped the whole conversation at once, also in the middle of
the self-test. Now the helpline first names what it would forget (the test answers so far,
the money check, the place) and asks; a form that was running is paused meanwhile
(``paused_form``, as after a crisis answer) and goes on where it was when the person says no.
"Ja" runs Rasa's ``action_restart`` (rules in bot/rules/core.yml).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.crisis import interrupted_form
from loopbrug.assessment.questions import get_questions
from loopbrug.money.check import MONEY_SLOTS
from loopbrug.texts import text


def what_is_lost(tracker: Tracker) -> str:
    """ "je antwoorden van de zelftest (3 van 19) en je woonplaats (Zwolle)", from the slots.

    Each part is named only when this conversation holds it (data/texts/nl/start_over.yml).
    """
    parts: List[str] = []
    questions = get_questions()
    done = sum(1 for q in questions if tracker.get_slot(q.id) is not None)
    if done:
        parts.append(text("start_over.lost_assessment", done=done, total=len(questions)))
    if any(tracker.get_slot(slot) is not None for slot in MONEY_SLOTS):
        parts.append(text("start_over.lost_money"))
    place = tracker.get_slot("gemeente_naam")
    if place:
        parts.append(text("start_over.lost_place", place=place))
    if not parts:
        return text("start_over.lost_nothing")
    if len(parts) == 1:
        return parts[0]
    return text("start_over.lost_list", first=", ".join(parts[:-1]), last=parts[-1])


class ActionConfirmStartOver(Action):
    """Ask before forgetting the conversation; a running form waits meanwhile."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_confirm_start_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """The question with what will be lost, and yes / no buttons."""
        form = interrupted_form(tracker.events) or tracker.get_slot("paused_form")
        buttons = [
            {"title": text("start_over.yes_button"), "payload": "/affirm"},
            {"title": text("start_over.no_button"), "payload": "/deny"},
        ]
        if any(tracker.get_slot(q.id) is not None for q in get_questions()):
            buttons.append(
                {"title": text("start_over.only_test_button"), "payload": "/restart_assessment"}
            )
        dispatcher.utter_message(
            response="utter_confirm_start_over", lost=what_is_lost(tracker), buttons=buttons
        )
        return [SlotSet("paused_form", form)]


class ActionStartOverDeclined(Action):
    """Nothing is forgotten; a form that was running asks its next question again."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_start_over_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Say so, and go on with the paused form if there is one."""
        dispatcher.utter_message(response="utter_start_over_declined")
        form = tracker.get_slot("paused_form")
        if not form:
            return []
        return [SlotSet("paused_form", None), FollowupAction(form)]
