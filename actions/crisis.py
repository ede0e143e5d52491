"""After the crisis answer: pause, do not wipe; keep the other question; make a ticket urgent.

The crisis answer itself is the plain response ``utter_crisis`` (it must work when this
server is down). This action runs right after it (rule "crisis wins", bot/rules/core.yml):

* a form that the crisis message interrupted is paused: its answers stay in their slots, the
  form's name goes into ``paused_form``, and the person can go on later ("verder", or the
  button), where ``action_resume_form`` starts the same form again at its next question;
* the other part of a mixed message ("ik heb schulden en wil dood") is acknowledged, with a
  button to come back to it later;
* an open ticket becomes a crisis ticket (loopbrug/handoff/service.mark_crisis), and the
  coaches hear of it on Telegram when that is set up.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from loopbrug import texts
from loopbrug.conversation import active_loop, before_this_turn
from loopbrug.handoff import service
from loopbrug.labels import intent_title
from loopbrug.settings import load_settings
from loopbrug.texts import DEFAULT_LANGUAGE

logger = logging.getLogger(__name__)

# The forms a crisis answer pauses; what each is called in "Je antwoorden van ... heb ik
# bewaard" is the text crisis.form.<name> (data/texts/<language>/crisis.yml).
PAUSABLE_FORMS = (
    "assessment_form",
    "money_form",
    "transition_form",
    "gap_form",
    "buffer_form",
    "handoff_form",
    "location_form",
)


def language_of(tracker: Tracker) -> str:
    """The language of the crisis answer (the crisis guard sets it), if we have its texts."""
    lang = tracker.get_slot("crisis_lang") or DEFAULT_LANGUAGE
    return lang if texts.has("crisis.resume_button", lang) else DEFAULT_LANGUAGE


def interrupted_form(events: List[Dict[str, Any]]) -> Optional[str]:
    """The form that was active when the latest user message came in, if any (one of
    ``PAUSABLE_FORMS``; a restart or a new session before that message ended it)."""
    active = active_loop(before_this_turn(events))
    return active if active in PAUSABLE_FORMS else None


def topic_of(intent: Optional[str]) -> Optional[str]:
    """A short Dutch name of the other question's topic, or None when it is not a question."""
    label = intent_title(intent or "")
    return label.rstrip("?").lower() if label else None


class ActionCrisisFollowup(Action):
    """Pause an interrupted form, offer the other question, make an open ticket urgent."""

    def name(self) -> str:
        return "action_crisis_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        lang = language_of(tracker)
        await self.escalate(dispatcher, tracker)
        interrupted = interrupted_form(tracker.events)
        form = interrupted or tracker.get_slot("paused_form")
        verdict = (tracker.latest_message or {}).get("crisis") or {}
        other = verdict.get("other_intent")
        coach = {"title": texts.text("crisis.coach_button", lang), "payload": "/request_human"}
        if interrupted:
            # Said once, when the crisis message stopped the form; a form paused before stays
            # paused ("verder" still goes on) without saying it again.
            dispatcher.utter_message(
                response="utter_crisis_form_paused",
                form=texts.text(f"crisis.form.{form}", lang),
                # The crisis answer right above already offers a coach: one button for it.
                buttons=[
                    {"title": texts.text("crisis.resume_button", lang), "payload": "/resume_form"}
                ],
            )
        elif topic_of(other) and not verdict.get("reached_help") and other != "request_human":
            # Not after "ik bel 113" (its rest is no question), and not "a person": the crisis
            # answer right above already offers a coach.
            dispatcher.utter_message(
                response="utter_crisis_other_topic",
                topic=topic_of(other),
                buttons=[
                    coach,
                    {"title": texts.text("crisis.later_button", lang), "payload": f"/{other}"},
                ],
            )
        return [SlotSet("paused_form", form)]

    async def escalate(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """An open ticket of this person becomes a crisis ticket."""
        try:
            ticket = await service.mark_crisis(tracker.sender_id, load_settings())
        except Exception:  # the crisis answer is already out; never fail on the ticket
            logger.exception("crisis: could not mark the open ticket")
            return
        if ticket is not None:
            dispatcher.utter_message(response="utter_crisis_ticket_urgent", ref=ticket.ref)


class ActionResumeForm(Action):
    """Start the form a crisis answer paused again, at its next unanswered question."""

    def name(self) -> str:
        return "action_resume_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        form = tracker.get_slot("paused_form")
        if not form:
            dispatcher.utter_message(response="utter_resume_nothing")
            return []
        return [SlotSet("paused_form", None), FollowupAction(form)]
