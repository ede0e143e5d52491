"""The guided self-test (Persoonlijk Profiel) in the chat.

The questions are data (``data/assessment/questions.yml``); ``assessment_form`` asks them one
per message. Answers live in slots, so they are in the tracker store: a person can stop,
come back later (also after a restart of the servers) and go on where they were. Reading a
reply, scoring, the profile's words and storing it under a pseudonymous key are
:mod:`loopbrug.assessment`; these actions read slots, call it and send the result.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_validation import OneValidatorForAllSlots
from loopbrug.assessment import store
from loopbrug.assessment.interpret import interpret, reask_text
from loopbrug.assessment.profile import Profile, step_button
from loopbrug.assessment.questions import get_question, get_questions
from loopbrug.assessment.render import render_profile
from loopbrug.assessment.scoring import score_profile
from loopbrug.texts import text as say


def answers_from(tracker: Tracker) -> Dict[str, Any]:
    """The answers given so far, by question id."""
    return {q.id: tracker.get_slot(q.id) for q in get_questions() if tracker.get_slot(q.id)}


class ValidateAssessmentForm(OneValidatorForAllSlots, FormValidationAction):
    """Turns each reply into an answer, a skip, or a friendly re-ask.

    Stop, back, corrections and questions inside the test: see actions/form_validation.py.
    """

    stopped_response = "utter_assessment_paused"
    skipped_value = {"skipped": True}

    def name(self) -> str:
        """Form validation action name (Rasa convention: validate_<form>)."""
        return "validate_assessment_form"

    def handles(self, slot: str) -> bool:
        """Every question of the self-test."""
        return get_question(slot) is not None

    def free_text(self, slot: str) -> bool:
        """Questions answered in one's own words."""
        question = get_question(slot)
        return question is not None and question.kind == "text"

    def options(self, slot: str, domain: Dict[str, Any]) -> List[str]:
        """Every way to name an option: labels and aliases ("genoeg" answers, never stops)."""
        question = get_question(slot)
        if question is None:
            return []
        return [name for o in question.options for name in (o.label, *o.aliases)]

    def validate_slot(
        self,
        question_id: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> Dict[str, Any]:
        """Accept an answer or a skip; otherwise ask again."""
        question = get_question(question_id)
        if question is None or isinstance(value, dict):
            return {question_id: value}
        reading = interpret(question, str(value or ""))
        if reading.status == "unknown_option":
            dispatcher.utter_message(text=reask_text(question))
            return {question_id: None}
        return {question_id: reading.as_answer()}


class ActionStartAssessment(Action):
    """Introduce the test, or say where the person left off."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_start_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """One short message; the form asks the questions next."""
        total = len(get_questions())
        done = len(answers_from(tracker))
        if done == 0:
            dispatcher.utter_message(response="utter_assessment_intro", total=total)
        elif done < total:
            dispatcher.utter_message(response="utter_assessment_resume", next=done + 1, total=total)
        return []


class ActionFinishAssessment(Action):
    """Score the answers, store the profile and show it."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_finish_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """The profile message with tailored next steps."""
        answers = answers_from(tracker)
        profile = score_profile(answers)
        # Database calls: off the action server's event loop (other turns go on).
        await asyncio.to_thread(store.save, tracker.sender_id, answers, profile)
        dispatcher.utter_message(text=render_profile(profile), buttons=profile_buttons(profile))
        return []


def profile_buttons(profile: Profile) -> List[Dict[str, str]]:
    """Next steps of the profile, then the summary to take along."""
    steps = [
        {"title": title, "payload": f"/{intent}"}
        for intent in profile.next_step_intents
        if (title := step_button(intent))
    ]
    return steps + [{"title": say("assessment.button_export"), "payload": "/export_profile"}]


class ActionShowProfile(Action):
    """Show the stored profile again, or say how far the test is."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_show_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Profile, or a way to start or finish the test."""
        profile, _ = await asyncio.to_thread(store.load, tracker.sender_id)
        if profile is not None:
            restart = {"title": say("assessment.button_restart"), "payload": "/restart_assessment"}
            dispatcher.utter_message(
                text=render_profile(profile), buttons=profile_buttons(profile) + [restart]
            )
            return []
        done, total = len(answers_from(tracker)), len(get_questions())
        if done:
            dispatcher.utter_message(response="utter_assessment_unfinished", done=done, total=total)
        else:
            dispatcher.utter_message(response="utter_no_profile_yet")
        return []


class ActionRestartAssessment(Action):
    """Forget the test answers so the form starts at question 1."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_restart_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Clear every answer slot."""
        dispatcher.utter_message(response="utter_assessment_restart")
        return [SlotSet(q.id, None) for q in get_questions()]


class ActionChangeAnswer(Action):
    """Change one answer: list the questions, or reopen the one picked."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_change_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """With a picked question: clear it and let the form ask it again."""
        picked = next(tracker.get_latest_entity_values("question"), None)
        question = get_question(str(picked)) if picked else None
        if question is not None and tracker.get_slot(question.id) is not None:
            return [SlotSet(question.id, None), FollowupAction("assessment_form")]
        answered = [q for q in get_questions() if tracker.get_slot(q.id)]
        if not answered:
            dispatcher.utter_message(response="utter_no_profile_yet")
            return []
        buttons = [
            {
                "title": f"{i}. {shorten(q.text)}",
                "payload": "/change_answer" + json.dumps({"question": q.id}),
            }
            for i, q in enumerate(get_questions(), start=1)
            if q in answered
        ]
        dispatcher.utter_message(response="utter_change_which", buttons=buttons)
        return []


def shorten(text: str, limit: int = 28) -> str:
    """A question cut to fit on a button."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
