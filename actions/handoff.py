"""Warm handoff, the person's side: consent, contact wish, ticket, status and follow-up.

Flow (rules in bot/rules/handoff.yml):
  request_human -> action_handoff_start -> handoff_form -> action_handoff_finish
The form first asks consent (``action_ask_handoff_consent`` says what is shared, with whom
and for how long). "ja" goes on to one question about the amounts typed into the money check
or a calculator (only when there are any: may the coach see them?), then place (when
unknown), contact channel and details;
"nee" shares nothing and gives the public routes; "loket" gives the regional desk with a
summary to take along. ``action_handoff_finish`` makes the ticket (idempotent: one open
ticket per person) and tells the person what happens next, honest about office hours.
``action_handoff_status`` answers "wanneer belt de coach?" from the ticket, and asks the
follow-up question when the web server's follow-up job triggers it.

A thin adapter: the handoff itself is ``loopbrug.handoff`` (service, store, summary, hours,
contact), and every sentence is a text in data/texts/nl/handoff.yml.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import OneValidatorForAllSlots
from actions.location import known_place, place_answer, region_slots
from loopbrug.conversation import last_slot, this_turn, triggered_by_helpline, user_messages
from loopbrug.handoff import hours, service, store, summary
from loopbrug.handoff.amounts import has_amounts
from loopbrug.handoff.contact import (
    contact_choice,
    email_address,
    is_question,
    is_skip,
    phone_number,
    time_choice,
)
from loopbrug.money.debts import acute_debt_signal
from loopbrug.region import NATIONAL_FINDER, desks_text, get_region_model
from loopbrug.settings import load_settings
from loopbrug.texts import catalogue, has, text

logger = logging.getLogger(__name__)

CONSENT_KEY = "handoff.consent"
HANDOFF_SLOTS = (
    "handoff_consent",
    "handoff_share_money",
    "handoff_region_skipped",
    "handoff_contact",
    "handoff_phone",
    "handoff_email",
    "handoff_time",
)
# ja | nee | loket (goes to the desk alone) | bestaand (already has an open ticket).
CONSENT_VALUES = ("ja", "nee", "loket", "bestaand")
# The consent question read from what the person meant: yes, no, or "I'll go to the desk".
CONSENT_BY_INTENT = {"affirm": "ja", "request_human": "ja", "deny": "nee", "find_loket": "loket"}
# "Mag de coach ook je bedragen zien?": yes or no, by intent or by the button's words.
SHARE_BY_INTENT = {"affirm": "ja", "deny": "nee"}
SHARE_VALUES = ("ja", "nee")


def consent_version() -> str:
    """The version of the consent text, derived from its wording (data/texts/nl/handoff.yml):
    every change of the wording is recorded as a new version with the consent given under it."""
    return "v1-" + hashlib.sha256(catalogue()[CONSENT_KEY].encode()).hexdigest()[:8]


def button(key: str, payload: str) -> Dict[str, str]:
    """A button with its title from data/texts/ (``handoff.<key>``)."""
    return {"title": text(f"handoff.{key}"), "payload": payload}


def consent_buttons() -> List[Dict[str, str]]:
    """Yes, no, or "I'll go to the desk myself"."""
    return [
        button("button_consent_yes", "/affirm"),
        button("button_consent_no", "/deny"),
        button("button_consent_desk", "/find_loket"),
    ]


def after_buttons() -> List[Dict[str, str]]:
    """What the person can do once the request is in."""
    return [button("button_status", "/handoff_status"), other_question()]


def other_question() -> Dict[str, str]:
    """Back to the bot's topics."""
    return button("button_other_question", "/capabilities")


def channel_text(channel: str) -> str:
    """How the coach makes contact, inside a sentence ("per telefoon"); empty when unknown."""
    key = f"handoff.channel_{channel}"
    return text(key) if has(key) else ""


def crisis_hours_text(now=None) -> str:
    """For a crisis ticket: it goes first, and 113 stays the fastest help."""
    return hours.crisis_response_text(hours.office_hours(load_settings()), now or store.utcnow())


def hours_text(now=None) -> str:
    """When a coach will respond, honest about office hours."""
    return hours.response_text(
        hours.office_hours(load_settings()), now or store.utcnow(), NATIONAL_FINDER
    )


def contact_detail(
    slot: str, found: Optional[str], said: str, wrong: str, dispatcher: CollectingDispatcher
) -> Dict[str, Any]:
    """A phone number or e-mail address read from ``said``; else ask again, saying how
    (the text ``wrong``). "toch chat" switches to the chat, so nobody is stuck in a question
    they cannot answer."""
    if found:
        return {slot: found}
    if contact_choice(said) == "chat":
        return {slot: None, "handoff_contact": "chat"}
    dispatcher.utter_message(text=" ".join([text(wrong), text("handoff.or_chat")]))
    return {slot: None}


class ActionHandoffStart(Action):
    """Fresh handoff questions; a person with an open ticket is not asked again."""

    def name(self) -> str:
        return "action_handoff_start"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        events: List[Dict[str, Any]] = [SlotSet(slot, None) for slot in HANDOFF_SLOTS]
        # "ik wil een coach, ik woon in Leeuwaarden": the place is used, not asked (issue 16).
        said = str((tracker.latest_message or {}).get("text") or "")
        match = None if said.startswith("/") else get_region_model().resolve(said)
        if match is not None and match.status == "found" and match.gemeente:
            events += region_slots(match.gemeente, said)
        elif not tracker.get_slot("gemeente_code"):
            # No known place: whatever was typed before as one (a number, a place we could not
            # find) must not count as the answer to the form's place question.
            events.append(SlotSet("location_input", None))
        try:
            # A database call: off the action server's event loop (other turns go on).
            existing = await asyncio.to_thread(store.open_ticket_for, tracker.sender_id)
        except Exception:  # the database is down: still offer the handoff, fail at the end
            logger.exception("handoff: could not look up open tickets")
            existing = None
        if existing is not None:
            events.append(SlotSet("handoff_consent", "bestaand"))
        return events


class ActionAskHandoffConsent(Action):
    """What is shared, with whom, for how long; then a clear yes or no."""

    def name(self) -> str:
        return "action_ask_handoff_consent"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        days = load_settings().ticket_retention_days
        dispatcher.utter_message(text=text(CONSENT_KEY, days=days), buttons=consent_buttons())
        return []


def consent_given_now(tracker: Tracker) -> bool:
    """True in the turn in which the person said yes to sharing, or answered the question
    about their amounts that comes right after that yes."""
    turn = this_turn(tracker.events)
    consent = last_slot(turn, "handoff_consent")
    shared = last_slot(turn, "handoff_share_money")
    return (consent is not None and consent.value == "ja") or (
        shared is not None and shared.value in SHARE_VALUES
    )


class ActionAskHandoffContact(Action):
    """The contact question; right after the yes, first the place that will be shared when it
    is known: said, not asked again, with the way to change it (issue 16)."""

    def name(self) -> str:
        return "action_ask_handoff_contact"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        place = known_place(tracker)
        if place and consent_given_now(tracker):
            dispatcher.utter_message(response="utter_handoff_place_used", **place)
        dispatcher.utter_message(response="utter_ask_handoff_contact")
        return []


class ValidateHandoffForm(OneValidatorForAllSlots, FormValidationAction):
    """Reads consent, place, contact channel, phone or e-mail, and time of day.

    Stop, back, corrections and questions inside: actions/form_validation.py. Stopping here
    means "no coach now": the form ends as after a "nee", so nothing is shared.
    """

    def name(self) -> str:
        return "validate_handoff_form"

    def handles(self, slot: str) -> bool:
        """Every question of the handoff."""
        return slot in HANDOFF_SLOTS or slot == "location_input"

    def validate_slot(self, slot: str, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        """The question's own validate_<slot> below (used for corrections and probes)."""
        return getattr(type(self), f"validate_{slot}")(self, value, dispatcher, tracker, domain)

    def stop(self, asked: str, dispatcher) -> list:
        """As a "nee": the form finishes, action_handoff_finish respects it, nothing is sent."""
        return [
            SlotSet(asked, None),
            SlotSet("handoff_consent", "nee"),
            SlotSet("requested_slot", None),
        ]

    async def required_slots(
        self, domain_slots: List[str], dispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        consent = tracker.get_slot("handoff_consent")
        if consent not in CONSENT_VALUES:
            # Not answered yet, or a reply still to be read (validate_handoff_consent).
            return ["handoff_consent"]
        if consent not in ("ja", "loket"):
            return []  # "nee" or an existing ticket: nothing more to ask
        needed: List[str] = []
        if consent == "ja" and has_amounts(tracker.events):
            # Right after the yes: may the coach see the amounts typed in this conversation?
            needed.append("handoff_share_money")
        if not tracker.get_slot("gemeente_code") and not tracker.get_slot("handoff_region_skipped"):
            needed.append("location_input")
        if consent == "loket":
            return needed
        needed.append("handoff_contact")
        contact = tracker.get_slot("handoff_contact")
        if contact == "telefoon":
            needed += ["handoff_phone", "handoff_time"]
        elif contact == "email":
            needed.append("handoff_email")
        return needed

    def validate_handoff_consent(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        if value in CONSENT_VALUES:
            return {"handoff_consent": value}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        consent = CONSENT_BY_INTENT.get(intent)
        if consent == "ja" and is_question(str(value or "")):
            # "wat doet een coach eigenlijk?" was read as request_human, and so as a yes to
            # sharing: consent must be a clear answer, never a question.
            dispatcher.utter_message(text=text("handoff.consent_question"))
            dispatcher.utter_message(response="utter_form_way_out")
            return {"handoff_consent": None}
        if consent is not None:
            return {"handoff_consent": consent}
        dispatcher.utter_message(text=text("handoff.consent_unclear"))
        dispatcher.utter_message(response="utter_form_way_out")
        return {"handoff_consent": None}

    def validate_handoff_share_money(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        """Yes or no to showing the coach the amounts; "stop" ends the handoff as a no
        (``stop``), a crisis message never reaches this question (its slot mapping)."""
        said = str(value or "").strip().lower().strip(" .!")
        if said in SHARE_VALUES:
            return {"handoff_share_money": said}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent in SHARE_BY_INTENT:
            return {"handoff_share_money": SHARE_BY_INTENT[intent]}
        dispatcher.utter_message(text=text("handoff.share_money_unclear"))
        dispatcher.utter_message(response="utter_form_way_out")
        return {"handoff_share_money": None}

    def validate_location_input(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        said = str(value or "").strip()
        if is_skip(said):
            return {"location_input": None, "handoff_region_skipped": True}
        answer = place_answer(said, dispatcher)
        if answer.get("location_input") is None:
            dispatcher.utter_message(text=text("handoff.place_skip_hint"))
        return answer

    def validate_handoff_region_skipped(self, value, dispatcher, tracker, domain):
        return {"handoff_region_skipped": bool(value)}

    def validate_handoff_contact(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        said = str(value or "")
        choice = contact_choice(said)
        if (
            choice is None
            and (tracker.latest_message or {}).get("intent", {}).get("name") == "deny"
        ):
            # "nee, toch niet": the person changed their mind; nothing is shared.
            return {"handoff_contact": None, "handoff_consent": "nee"}
        if choice is None:
            moved = get_region_model().resolve(said)
            if moved.status == "found" and moved.gemeente:
                # "Woon je ergens anders? Typ dan je plaats.": the new place, then the question
                # about contact again.
                dispatcher.utter_message(
                    response="utter_handoff_place_changed", place=moved.gemeente.display_name
                )
                slots = {e["name"]: e["value"] for e in region_slots(moved.gemeente, said)}
                return {**slots, "handoff_contact": None}
            dispatcher.utter_message(text=text("handoff.contact_unclear"))
            return {"handoff_contact": None}
        result: Dict[str, Any] = {"handoff_contact": choice}
        # "bel me op 06 12345678 in de ochtend" answers two or three questions at once.
        if choice == "telefoon" and phone_number(said):
            result["handoff_phone"] = phone_number(said)
        if choice == "telefoon" and time_choice(said):
            result["handoff_time"] = time_choice(said)
        if choice == "email" and email_address(said):
            result["handoff_email"] = email_address(said)
        return result

    def validate_handoff_phone(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        said = str(value or "")
        found = phone_number(said)
        result = contact_detail("handoff_phone", found, said, "handoff.phone_wrong", dispatcher)
        if found and time_choice(said):  # "06 12345678, liefst 's avonds"
            result["handoff_time"] = time_choice(said)
        return result

    def validate_handoff_email(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        said = str(value or "")
        found = email_address(said)
        return contact_detail("handoff_email", found, said, "handoff.email_wrong", dispatcher)

    def validate_handoff_time(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        choice = time_choice(str(value or ""))
        if choice:
            return {"handoff_time": choice}
        dispatcher.utter_message(text=text("handoff.time_unclear"))
        return {"handoff_time": None}


def build_summary_for(tracker: Tracker) -> Dict[str, Any]:
    """The structured summary of this person (after consent only)."""
    acute = any(acute_debt_signal(message.text) for message in user_messages(tracker.events))
    return service.summarise(
        tracker.sender_id, tracker.events, tracker.current_slot_values(), acute_debt=acute
    )


class ActionHandoffFinish(Action):
    """After the form: make the ticket, or respect the no, or give the desk route."""

    def name(self) -> str:
        return "action_handoff_finish"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        consent = tracker.get_slot("handoff_consent")
        if consent == "bestaand":
            await ActionHandoffStatus().run(dispatcher, tracker, domain)
            return [SlotSet("handoff_consent", None)]
        if consent == "nee":
            self.declined(dispatcher, tracker)
        elif consent == "loket":
            self.desk_route(dispatcher, tracker)
        elif consent == "ja":
            await self.make_ticket(dispatcher, tracker)
        return [SlotSet("handoff_consent", None)]

    @staticmethod
    def declined(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        routes = desks_text(tracker.get_slot("gemeente_code"))
        dispatcher.utter_message(
            text=text("handoff.declined", routes=routes),
            buttons=[button("button_coach_after_all", "/request_human"), other_question()],
        )

    @staticmethod
    def desk_route(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        routes = desks_text(tracker.get_slot("gemeente_code"))
        dispatcher.utter_message(text=text("handoff.desk_route", routes=routes))
        taken_along = summary.as_text(build_summary_for(tracker))
        dispatcher.utter_message(
            text=text("handoff.desk_summary", summary=taken_along),
            buttons=[
                button("button_loopbrug_coach_after_all", "/request_human"),
                other_question(),
            ],
        )

    async def make_ticket(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        request = service.Request(
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "onbekend",
            summary=build_summary_for(tracker),
            region=tracker.get_slot("arbeidsmarktregio"),
            gemeente=tracker.get_slot("gemeente_naam"),
            contact_channel=tracker.get_slot("handoff_contact") or "chat",
            contact_detail=tracker.get_slot("handoff_phone") or tracker.get_slot("handoff_email"),
            contact_time=tracker.get_slot("handoff_time"),
            consent_version=consent_version(),
        )
        try:
            ticket, _ = await service.create(request, load_settings())
        except Exception:
            logger.exception("handoff: ticket could not be stored")
            dispatcher.utter_message(
                text=text("handoff.store_failed", finder=NATIONAL_FINDER),
                buttons=[button("button_try_again", "/request_human")],
            )
            return
        if summary.request_question(tracker.events):
            # "ik wil iemand spreken over ...": those words are in the ticket (issue 16).
            dispatcher.utter_message(response="utter_handoff_question_kept")
        lines = [
            text("handoff.ticket_made", ref=ticket.ref),
            text(
                "handoff.ticket_coach_contacts",
                team=service.team_name(ticket.team),
                how=channel_text(ticket.contact_channel),
            ),
        ]
        if ticket.contact_channel == "chat":
            lines.append(text("handoff.ticket_keep_chat_open"))
        crisis = ticket.urgency == store.CRISIS
        lines.append(crisis_hours_text() if crisis else hours_text())
        dispatcher.utter_message(text="\n".join(lines), buttons=after_buttons())


def _date(moment) -> str:
    return hours.date_text(moment, hours.office_hours(load_settings()))


class ActionHandoffStatus(Action):
    """The person's ticket in plain words; also the follow-up question ("niet loslaten")."""

    def name(self) -> str:
        return "action_handoff_status"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        try:
            ticket = await asyncio.to_thread(store.latest_ticket_for, tracker.sender_id)
        except Exception:
            logger.exception("handoff: could not read the ticket")
            dispatcher.utter_message(text=text("handoff.status_unavailable"))
            return [SlotSet("handoff_followup", False)]
        followup = triggered_by_helpline(tracker.latest_message or {})
        if followup and ticket is not None:
            dispatcher.utter_message(
                text=text("handoff.followup_question", ref=ticket.ref),
                buttons=[
                    button("button_followup_yes", "/affirm"),
                    button("button_followup_no", "/deny"),
                ],
            )
            return [SlotSet("handoff_followup", True)]
        if ticket is None:
            dispatcher.utter_message(
                text=text("handoff.status_none"),
                buttons=[
                    button("button_find_coach", "/request_human"),
                    button("button_find_desk", "/find_loket"),
                ],
            )
            return [SlotSet("handoff_followup", False)]
        team = service.team_name(ticket.team)
        crisis = ticket.urgency == store.CRISIS
        if ticket.status == store.CLOSED:
            said = text("handoff.status_closed", ref=ticket.ref, date=_date(ticket.closed_at))
            buttons = [button("button_new_request", "/request_human"), other_question()]
        elif ticket.status == store.CLAIMED and ticket.coach_name:
            said = text(
                "handoff.status_claimed",
                coach=ticket.coach_name,
                team=team,
                ref=ticket.ref,
                how=channel_text(ticket.contact_channel),
            )
            buttons = [other_question()]
        else:
            said = " ".join(
                [
                    text(
                        "handoff.status_open",
                        ref=ticket.ref,
                        date=_date(ticket.created_at),
                        team=team,
                    ),
                    crisis_hours_text() if crisis else hours_text(),
                ]
            )
            buttons = [button("button_find_desk", "/find_loket"), other_question()]
        if crisis and ticket.is_open and ticket.status != store.NEW:
            said += " " + text("handoff.crisis_first")
        dispatcher.utter_message(text=said, buttons=buttons)
        return [SlotSet("handoff_followup", False)]


class ActionHandoffFollowupAnswer(Action):
    """Yes: glad to hear it. No: a new route, and the ticket is flagged for the coaches."""

    def name(self) -> str:
        return "action_handoff_followup_answer"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        contact = intent == "affirm"
        try:
            ticket = await service.answer_followup(tracker.sender_id, contact, load_settings())
        except Exception:
            logger.exception("handoff: could not store the follow-up answer")
            ticket = None
        if contact:
            dispatcher.utter_message(text=text("handoff.followup_glad"), buttons=[other_question()])
            return [SlotSet("handoff_followup", False)]
        first = [text("handoff.followup_not_yet")]
        if ticket is not None and ticket.is_open:
            first.append(text("handoff.followup_flagged"))
        routes = text(
            "handoff.followup_routes", routes=desks_text(tracker.get_slot("gemeente_code"))
        )
        dispatcher.utter_message(
            text=" ".join(first) + "\n" + routes,
            buttons=[button("button_new_request", "/request_human"), other_question()],
        )
        return [SlotSet("handoff_followup", False)]
