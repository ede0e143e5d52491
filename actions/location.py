"""Where does the person live? Ask, resolve, remember, and name their desks.

Thin actions over :mod:`loopbrug.region`: the form ``location_form`` asks for a place or
postcode; ``validate_location_form`` resolves it; ``action_set_location`` handles a place
said at any other moment ("ik ben verhuisd naar Zwolle"); ``action_answer_loket`` names the
desks for the region. The region is kept in slots for the rest of the conversation, so
later answers (vouchers, debt help) can use it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker, ValidationAction
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_validation import OneValidatorForAllSlots
from loopbrug.conversation import actions_run, before_this_turn, this_turn
from loopbrug.region import (
    NATIONAL_FINDER,
    Gemeente,
    Match,
    desks_text,
    get_region_model,
    the_region,
)
from loopbrug.texts import text


def next_step_buttons() -> List[Dict[str, str]]:
    """What one can do after the desks answer."""
    return [
        {"title": text("location.funding_button"), "payload": "/funding_overview"},
        {"title": text("location.coach_button"), "payload": "/request_human"},
        {"title": text("location.other_question_button"), "payload": "/capabilities"},
    ]


def place_payload(gemeente: Gemeente) -> str:
    """A button payload that names the gemeente exactly, so the answer resolves at once."""
    return "/inform_location" + json.dumps({"gemeente": gemeente.name}, ensure_ascii=False)


def region_slots(gemeente: Optional[Gemeente], said: Optional[str]) -> List[Dict[str, Any]]:
    """Slot events that remember (or forget) the person's place."""
    return [
        SlotSet("location_input", said if gemeente else None),
        SlotSet("gemeente_code", gemeente.code if gemeente else None),
        SlotSet("gemeente_naam", gemeente.display_name if gemeente else None),
        SlotSet("arbeidsmarktregio", gemeente.arbeidsmarktregio if gemeente else None),
    ]


def explain_match(match: Match, dispatcher: CollectingDispatcher) -> None:
    """Tell the person what we understood when the place is not certain yet."""
    if match.status == "confirm" and match.candidates:
        place = match.candidates[0]
        dispatcher.utter_message(
            text=text("location.confirm", place=place.display_name),
            buttons=[
                {
                    "title": text("location.confirm_button", place=place.display_name),
                    "payload": place_payload(place),
                }
            ],
        )
    elif match.status == "choose":
        dispatcher.utter_message(
            text=text("location.choose"),
            buttons=[
                {"title": g.display_name, "payload": place_payload(g)} for g in match.candidates[:6]
            ],
        )
    elif match.status == "unknown_postcode":
        dispatcher.utter_message(text=text("location.unknown_postcode"))
    elif match.status == "not_a_postcode":
        dispatcher.utter_message(text=text("location.not_a_postcode"))
    else:
        dispatcher.utter_message(text=text("location.unknown_place", finder=NATIONAL_FINDER))


def latest_place_text(tracker: Tracker) -> Optional[str]:
    """The place the person just named: an entity if found, else their whole message."""
    for entity in ("postcode", "gemeente"):
        value = next(tracker.get_latest_entity_values(entity), None)
        if value:
            return str(value)
    return (tracker.latest_message or {}).get("text")


def previous_action(tracker: Tracker) -> Optional[str]:
    """The bot's last action before the person's latest message (action_listen skipped)."""
    answered = actions_run(this_turn(before_this_turn(tracker.events)))
    return answered[-1] if answered else None


def known_place(tracker: Tracker) -> Optional[Dict[str, str]]:
    """The place remembered earlier in this conversation, as template values, or None."""
    place, region = tracker.get_slot("gemeente_naam"), tracker.get_slot("arbeidsmarktregio")
    if not tracker.get_slot("gemeente_code") or not place or not region:
        return None
    return {"place": place, "region": the_region(region)}


def place_answer(said: str, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
    """Slot values for an answer to "waar woon je?": the place when we are sure of it,
    else an empty ``location_input`` (the form asks again) and what we understood."""
    match = get_region_model().resolve(said)
    if match.status == "found" and match.gemeente:
        return {e["name"]: e["value"] for e in region_slots(match.gemeente, said)}
    explain_match(match, dispatcher)
    return {"location_input": None}


class ValidateLocationForm(OneValidatorForAllSlots, FormValidationAction):
    """Resolves the answer to "waar woon je?"; asks back when it is not certain.

    Stop, back and questions inside: actions/form_validation.py. Stopping here gets the way
    to find the desk oneself.
    """

    stopped_response = "utter_location_skipped"

    def handles(self, slot: str) -> bool:
        """The one question of this form."""
        return slot == "location_input"

    def validate_slot(self, slot: str, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        """As validate_location_input (used for corrections and probes)."""
        return place_answer(str(value or "").strip(), dispatcher)

    def name(self) -> str:
        """Form validation action name (Rasa convention: validate_<form>)."""
        return "validate_location_form"

    def validate_location_input(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> Dict[str, Any]:
        """Accept a place we are sure of; otherwise explain and ask again."""
        return place_answer(str(slot_value or "").strip(), dispatcher)

    async def extract_location_input(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        """The place in the message that opened the form, also misspelt ("ik kom uit
        Leeuwaarden, is daar een leerwerkloket"): used for that question, not asked again.
        Only before the form asked anything, and only when the message names a place."""
        message = tracker.latest_message or {}
        opening = (message.get("intent") or {}).get("name") == "find_loket"
        if tracker.get_slot("location_input") or (
            tracker.get_slot("requested_slot") and not opening
        ):
            return {}
        said = str(message.get("text") or "")
        if said.startswith("/"):
            said = ""
        match = get_region_model().resolve(said) if said else None
        if match is not None and match.status in ("found", "confirm", "choose"):
            return {"location_input": said}
        if tracker.get_slot("gemeente_code") and tracker.get_slot("gemeente_naam"):
            # Known from earlier (also said beside another question, RememberPlace): used, and
            # the answer says which place, with the way to change it.
            return {"location_input": tracker.get_slot("gemeente_naam")}
        return {}


# Answers that may end with "Vertel me in welke plaats je woont" (actions/answers.py).
ANSWERS_ASKING_PLACE = ("action_answer", "action_clarify", "action_debt_help")


class ActionSetLocation(Action):
    """A place said outside the form: remember it, or ask back when unsure."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_set_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Resolve the latest place and confirm what we remembered."""
        said = latest_place_text(tracker) or ""
        match = get_region_model().resolve(said)
        if match.status != "found" or not match.gemeente:
            message = str((tracker.latest_message or {}).get("text") or "")
            if BARE_NUMBER.fullmatch(message):
                # "10" or "2900" when nobody asked for a place: a number without its question
                # (years, a salary), not a wrong postcode ("Dat lijkt geen postcode" misled).
                dispatcher.utter_message(response="utter_number_without_question")
                # Not a place: the number must not stay behind as one (the handoff form then
                # skipped its place question because location_input had "1800" in it).
                return [SlotSet("location_input", None)]
            explain_match(match, dispatcher)
            return []
        place = match.gemeente
        if previous_action(tracker) in ANSWERS_ASKING_PLACE:
            # The place was asked to make the answer just given regional (issue 17): give
            # that regional part now. Imported here: actions/answers.py builds on this module.
            from actions.answers import send_regional_part_for_new_place

            moved = region_slots(place, said)
            tracker.slots.update({e["name"]: e["value"] for e in moved})
            if send_regional_part_for_new_place(dispatcher, tracker):
                return moved
        if previous_action(tracker) == ActionAnswerLoket.NAME:
            # "Woon je ergens anders? Typ dan je plaats." after the desks: the new desks.
            dispatcher.utter_message(text=desks_text(place.code), buttons=next_step_buttons())
            return region_slots(place, said)
        dispatcher.utter_message(
            text=text(
                "location.remembered",
                place=place.display_name,
                region=the_region(place.arbeidsmarktregio),
            ),
            buttons=[
                {"title": text("location.my_desk_button"), "payload": "/find_loket"},
                {"title": text("location.voucher_button"), "payload": "/funding_voucher"},
                {"title": text("location.other_question_button"), "payload": "/capabilities"},
            ],
        )
        return region_slots(place, said)


class ActionAnswerLoket(Action):
    """Name the desks of the person's region, and how to change the place used."""

    NAME = "action_answer_loket"

    def name(self) -> str:
        """Action name as in the domain."""
        return self.NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Look up the region's desks; fall back to the national finder."""
        code = tracker.get_slot("gemeente_code")
        desks = desks_text(code)
        if get_region_model().gemeente(code or ""):
            # Said wherever a remembered place is used (also bot/domain/handoff.yml's
            # utter_place_*).
            desks += "\n" + text("location.change_place")
        dispatcher.utter_message(text=desks, buttons=next_step_buttons())
        return []


# A message that is only a number (no letters of a postcode).
BARE_NUMBER = re.compile(r"\s*\d+(?:[.,]\d+)?\s*")
# "ik woon in Zwolle", "ik kom uit Leeuwarden": a place said as where one lives.
LIVES_IN = re.compile(r"\b(ik )?(woon|wonen|woonachtig|kom|kom zelf) (\w+ )?(in|uit|te|bij)\b")


class RememberPlace(ValidationAction):
    """A place said beside another question is remembered, so it is never asked again.

    "ik woon in zwolle, waar kan ik heen voor advies over werk" got its answer, and the next
    question ("en is er ook een leerwerkloket?") asked the place again. Rasa runs this action
    (its fixed name) after every message, for the custom-mapped slots. It only acts outside
    a form (forms read places themselves), when the person says they live there, and when the
    region model is sure of the place; the answers that use it say which place they used.
    """

    def name(self) -> str:
        """Rasa's name for global slot extraction."""
        return "action_validate_slot_mappings"

    async def extract_gemeente_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        """The place the person says they live in, with its region slots; else nothing."""
        message = tracker.latest_message or {}
        said_text = str(message.get("text") or "")
        if tracker.active_loop.get("name") or said_text.startswith("/"):
            return {}
        if not LIVES_IN.search(said_text.lower()):
            return {}
        said = next(tracker.get_latest_entity_values("gemeente"), None)
        if not said:
            return {}
        match = get_region_model().resolve(str(said))
        if match.status != "found" or not match.gemeente:
            return {}
        if match.gemeente.code == tracker.get_slot("gemeente_code"):
            return {}
        return {e["name"]: e["value"] for e in region_slots(match.gemeente, str(said))}
