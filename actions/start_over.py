"""Starting the conversation over only after the person confirmed what will be forgotten.

"opnieuw" or "begin opnieuw" once wiped the whole conversation at once, also in the middle of
the self-test. Now the helpline first names what it would forget (the test answers so far,
the money check, the place) and asks; a form that was running is paused meanwhile
(``paused_form``, as after a crisis answer) and goes on where it was when the person says no.
"Ja" runs Rasa's ``action_restart`` (rules in bot/rules/core.yml).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.crisis import interrupted_form
from loopbrug.assessment.questions import get_questions
from loopbrug.money.check import MONEY_SLOTS

LOST_PATH = Path(__file__).resolve().parent.parent / "data" / "forms" / "start_over.yml"
YES = {"title": "Ja, begin opnieuw", "payload": "/affirm"}
NO = {"title": "Nee, ga verder", "payload": "/deny"}
ONLY_TEST = {"title": "Alleen de test opnieuw", "payload": "/restart_assessment"}


@lru_cache(maxsize=1)
def lost_texts() -> Dict[str, str]:
    """The names of what would be forgotten (data/forms/start_over.yml)."""
    return yaml.safe_load(LOST_PATH.read_text(encoding="utf-8"))["lost"]


def what_is_lost(tracker: Tracker) -> str:
    """ "je antwoorden van de zelftest (3 van 19) en je woonplaats (Zwolle)", from the slots."""
    texts = lost_texts()
    parts: List[str] = []
    questions = get_questions()
    done = sum(1 for q in questions if tracker.get_slot(q.id) is not None)
    if done:
        parts.append(texts["assessment"].format(done=done, total=len(questions)))
    if any(tracker.get_slot(slot) is not None for slot in MONEY_SLOTS):
        parts.append(texts["money"])
    place = tracker.get_slot("gemeente_naam")
    if place:
        parts.append(texts["place"].format(place=place))
    if not parts:
        return texts["nothing"]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


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
        buttons = [YES, NO]
        if any(tracker.get_slot(q.id) is not None for q in get_questions()):
            buttons.append(ONLY_TEST)
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
