"""Warm handoff, the person's side: consent, contact wish, ticket, status and follow-up.

Flow (rules in bot/rules/handoff.yml):
  request_human -> action_handoff_start -> handoff_form -> action_handoff_finish
The form first asks consent (``action_ask_handoff_consent`` says what is shared, with whom
and for how long). "ja" goes on to place (when unknown), contact channel and details;
"nee" shares nothing and gives the public routes; "loket" gives the regional desk with a
summary to take along. ``action_handoff_finish`` makes the ticket (idempotent: one open
ticket per person, see handoff/store.py) and tells the person what happens next, honest
about office hours. ``action_handoff_status`` answers "wanneer belt de coach?" from the
ticket, and asks the follow-up question when the web server's follow-up job triggers it.
The services (store, routing, summary, notify) do the I/O; the actions only talk.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from typing import Any, Dict, List, Optional

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import OneValidatorForAllSlots
from actions.location import NATIONAL_FINDER, desks_text, known_place, place_answer, region_slots
from actions.region import get_region_model
from handoff import notify, store, summary
from handoff.hours import OfficeHours, when_text
from handoff.routing import get_teams
from loopbrug import db
from loopbrug.conversation import triggered_by_helpline
from loopbrug.settings import load_settings

logger = logging.getLogger(__name__)


# The consent text. Its version is derived from the text itself, so every change of the
# wording is recorded as a new version with the consent it was given under.
CONSENT_TEXT = (
    "Ik kan je in contact brengen met een coach. Dat is een mens van Loopbrug "
    "of van het loket voor werk en leren in jouw regio.\n"
    "Dan deel ik dit met de coach:\n"
    "- dit gesprek, met een korte samenvatting (bedragen uit de geldcheck niet)\n"
    "- je profiel en de uitkomst van de geldcheck, als je die hebt gedaan\n"
    "- je woonplaats of regio\n"
    "- hoe de coach je kan bereiken.\n"
    "We bewaren dit tot {days} dagen nadat je vraag klaar is. Daarna wissen we het.\n"
    "Vind je dat goed?"
)
CONSENT_VERSION = "v1-" + hashlib.sha256(CONSENT_TEXT.encode()).hexdigest()[:8]
CONSENT_BUTTONS = [
    {"title": "Ja, dat is goed", "payload": "/affirm"},
    {"title": "Nee, liever niet", "payload": "/deny"},
    {"title": "Ik ga zelf naar het loket", "payload": "/find_loket"},
]
CONTACT_WORDS = {
    "chat": re.compile(r"\b(chat|hier|typen|app(en)?|whatsapp|telegram)\b"),
    "telefoon": re.compile(r"\b(bel\w*|telefo\w*|tel|nummer|mobiel)\b"),
    "email": re.compile(r"\b(e-?mail\w*|mail\w*)\b|@"),
}
TIME_WORDS = {
    "ochtend": re.compile(r"\b(ochtends?|morgens|voor de middag)\b"),
    "middag": re.compile(r"\b(middag|middags)\b"),
    "avond": re.compile(r"\b(avond|avonds)\b"),
    "maakt_niet_uit": re.compile(
        r"\b(maakt niet uit|maakt niks uit|altijd|wanneer|maakt me niet)\b"
    ),
}
CHANNEL_TEXT = {"chat": "hier in de chat", "telefoon": "per telefoon", "email": "per e-mail"}
HANDOFF_SLOTS = (
    "handoff_consent",
    "handoff_region_skipped",
    "handoff_contact",
    "handoff_phone",
    "handoff_email",
    "handoff_time",
)
AFTER_BUTTONS = [
    {"title": "Status van mijn aanvraag", "payload": "/handoff_status"},
    {"title": "Andere vraag", "payload": "/capabilities"},
]


def office_hours() -> OfficeHours:
    settings = load_settings()
    return OfficeHours.parse(settings.office_hours, settings.timezone)


# A crisis ticket never says "binnen een werkdag": 113 is the fastest help, day and night.
# 113 and 0800-0113, chat on 113.nl, 24/7 (shared/knowledge/newcomers-facts.md section 6,
# ACTIVE; checked 2026-12-06).
CRISIS_FIRST = (
    "113 blijft de snelste hulp: bel 113 of gratis 0800-0113, of chat op 113.nl. Dag en nacht."
)


def crisis_hours_text(now=None) -> str:
    """For a crisis ticket: it goes first, and 113 stays the fastest help."""
    now = now or store.utcnow()
    hours = office_hours()
    if hours.is_open(now):
        first = "Je aanvraag gaat met voorrang naar een coach."
    else:
        opening = hours.next_opening(now)
        when = when_text(opening, now) if opening else "op de eerstvolgende werkdag"
        first = f"Coaches zijn er weer {when}. Je aanvraag staat dan bovenaan."
    return f"{first} {CRISIS_FIRST}"


def hours_text(now=None) -> str:
    """When a coach will respond, honest about office hours."""
    now = now or store.utcnow()
    hours = office_hours()
    if hours.is_open(now):
        return "Er zijn nu coaches aan het werk. Meestal krijg je binnen een werkdag antwoord."
    opening = hours.next_opening(now)
    when = when_text(opening, now) if opening else "op de eerstvolgende werkdag"
    return (
        f"Het is nu buiten kantoortijd. Coaches zijn er weer {when}. "
        "Tot die tijd kun je mij gewoon vragen stellen. "
        f"Je kunt ook zelf je loket zoeken op {NATIONAL_FINDER}."
    )


def phone_number(text: str) -> Optional[str]:
    """A valid phone number in the text (Dutch by default), formatted, or None."""
    for match in phonenumbers.PhoneNumberMatcher(text, "NL"):
        if phonenumbers.is_valid_number(match.number):
            return phonenumbers.format_number(
                match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
    return None


def email_address(text: str) -> Optional[str]:
    """A valid e-mail address in the text (syntax only; we never contact a mail server)."""
    for word in text.split():
        if "@" not in word:
            continue
        try:
            return validate_email(word.strip(".,;:()<>"), check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


def contact_choice(text: str) -> Optional[str]:
    low = text.lower()
    if email_address(text):
        return "email"
    if phone_number(text):
        return "telefoon"
    found = [channel for channel, pattern in CONTACT_WORDS.items() if pattern.search(low)]
    return found[0] if len(found) == 1 else None


def time_choice(text: str) -> Optional[str]:
    low = text.lower()
    for choice, pattern in TIME_WORDS.items():
        if pattern.search(low):
            return choice
    return None


def is_skip(text: str) -> bool:
    return bool(
        re.search(
            r"\b(sla over|overslaan|weet (ik )?niet|liever niet|geen idee|nee)\b", text.lower()
        )
    )


def contact_detail(
    slot: str, found: Optional[str], text: str, how: str, dispatcher: CollectingDispatcher
) -> Dict[str, Any]:
    """A phone number or e-mail address read from ``text``; else ask again, saying ``how``.
    "toch chat" switches to the chat, so nobody is stuck in a question they cannot answer."""
    if found:
        return {slot: found}
    if contact_choice(text) == "chat":
        return {slot: None, "handoff_contact": "chat"}
    dispatcher.utter_message(text=f"{how} Wil je toch liever chatten? Typ dan 'chat'.")
    return {slot: None}


class ActionHandoffStart(Action):
    """Fresh handoff questions; a person with an open ticket is not asked again."""

    def name(self) -> str:
        return "action_handoff_start"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        events: List[Dict[str, Any]] = [SlotSet(slot, None) for slot in HANDOFF_SLOTS]
        try:
            existing = store.open_ticket_for(tracker.sender_id)
        except Exception:  # the database is down: still offer the handoff, fail at the end
            logger.exception("handoff: could not look up open tickets")
            existing = None
        if existing is not None:
            events.append(SlotSet("handoff_consent", "bestaand"))
        # "ik wil een coach, ik woon in Leeuwaarden": the place is used, not asked (issue 16).
        said = str((tracker.latest_message or {}).get("text") or "")
        if not said.startswith("/"):
            match = get_region_model().resolve(said)
            if match.status == "found" and match.gemeente:
                events += region_slots(match.gemeente, said)
        return events


class ActionAskHandoffConsent(Action):
    """What is shared, with whom, for how long; then a clear yes or no."""

    def name(self) -> str:
        return "action_ask_handoff_consent"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        days = load_settings().ticket_retention_days
        dispatcher.utter_message(text=CONSENT_TEXT.format(days=days), buttons=CONSENT_BUTTONS)
        return []


def consent_given_now(tracker: Tracker) -> bool:
    """True in the turn in which the person said yes to sharing."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "handoff_consent":
            return event.get("value") == "ja"
    return False


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


# ja | nee | loket (goes to the desk alone) | bestaand (already has an open ticket).
CONSENT_VALUES = ("ja", "nee", "loket", "bestaand")
# The consent question read from what the person meant: yes, no, or "I'll go to the desk".
CONSENT_BY_INTENT = {"affirm": "ja", "request_human": "ja", "deny": "nee", "find_loket": "loket"}


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
        if intent in CONSENT_BY_INTENT:
            return {"handoff_consent": CONSENT_BY_INTENT[intent]}
        dispatcher.utter_message(text="Kies ja of nee. Dan weet ik wat je wilt.")
        dispatcher.utter_message(response="utter_form_way_out")
        return {"handoff_consent": None}

    def validate_location_input(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        said = str(value or "").strip()
        if is_skip(said):
            return {"location_input": None, "handoff_region_skipped": True}
        answer = place_answer(said, dispatcher)
        if answer.get("location_input") is None:
            dispatcher.utter_message(text="Wil je dit liever niet zeggen? Typ dan 'sla over'.")
        return answer

    def validate_handoff_region_skipped(self, value, dispatcher, tracker, domain):
        return {"handoff_region_skipped": bool(value)}

    def validate_handoff_contact(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        text = str(value or "")
        choice = contact_choice(text)
        if (
            choice is None
            and (tracker.latest_message or {}).get("intent", {}).get("name") == "deny"
        ):
            # "nee, toch niet": the person changed their mind; nothing is shared.
            return {"handoff_contact": None, "handoff_consent": "nee"}
        if choice is None:
            moved = get_region_model().resolve(text)
            if moved.status == "found" and moved.gemeente:
                # "Woon je ergens anders? Typ dan je plaats.": the new place, then the question
                # about contact again.
                dispatcher.utter_message(
                    response="utter_handoff_place_changed", place=moved.gemeente.display_name
                )
                slots = {e["name"]: e["value"] for e in region_slots(moved.gemeente, text)}
                return {**slots, "handoff_contact": None}
            dispatcher.utter_message(
                text="Dat begreep ik niet. Kies: hier in de chat, bellen of mailen."
            )
            return {"handoff_contact": None}
        result: Dict[str, Any] = {"handoff_contact": choice}
        # "bel me op 06 12345678" answers two questions at once.
        if choice == "telefoon" and phone_number(text):
            result["handoff_phone"] = phone_number(text)
        if choice == "email" and email_address(text):
            result["handoff_email"] = email_address(text)
        return result

    def validate_handoff_phone(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        text = str(value or "")
        how = "Dat nummer klopt niet helemaal. Typ het zo: 06 12345678."
        return contact_detail("handoff_phone", phone_number(text), text, how, dispatcher)

    def validate_handoff_email(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        text = str(value or "")
        how = "Dat e-mailadres klopt niet helemaal. Typ het zo: naam@voorbeeld.nl."
        return contact_detail("handoff_email", email_address(text), text, how, dispatcher)

    def validate_handoff_time(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        choice = time_choice(str(value or ""))
        if choice:
            return {"handoff_time": choice}
        dispatcher.utter_message(text="Kies: ochtend, middag, avond of maakt niet uit.")
        return {"handoff_time": None}


def handoff_reason(events: List[Dict[str, Any]]) -> str:
    """Why the person is handed off, from what happened just before."""
    recent = [e for e in events[-40:] if e.get("event") in ("user", "action")]
    names = [e.get("name") for e in recent if e.get("event") == "action"]
    intents = [((e.get("parse_data") or {}).get("intent") or {}).get("name") for e in recent]
    if "crisis" in intents or "utter_crisis" in names:
        return "Na een zorgwekkend bericht; de persoon wil een coach"
    if names.count("action_clarify") >= 2:
        return "De assistent begreep de vragen niet goed; de persoon wil een mens"
    if "debt_help" in intents or "action_debt_help" in names:
        return "Geldzorgen of schulden; de persoon wil een coach"
    return "Vraagt zelf om een coach"


def build_summary_for(tracker: Tracker) -> Dict[str, Any]:
    """The structured summary of this person (after consent only)."""
    sender = tracker.sender_id
    try:
        profile = db.load_profile(sender)
        money = db.latest_money_check(sender)
    except Exception:  # a summary without them is better than no handoff
        logger.exception("handoff: could not read profile or money check")
        profile = money = None
    from loopbrug.money.debts import acute_debt_signal

    acute = any(
        acute_debt_signal(e.get("text") or "") for e in tracker.events if e.get("event") == "user"
    )
    return summary.build_summary(
        tracker.events,
        tracker.current_slot_values(),
        profile,
        money,
        handoff_reason(tracker.events),
        acute_debt=acute,
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
            text=(
                "Dat is goed. Ik deel niets met een coach.\n"
                f"Je kunt zelf contact opnemen. {routes}\n"
                "Je hoeft daar niet meteen je naam te noemen. Je mag eerst een vraag stellen."
            ),
            buttons=[
                {"title": "Toch een coach", "payload": "/request_human"},
                {"title": "Andere vraag", "payload": "/capabilities"},
            ],
        )

    @staticmethod
    def desk_route(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        routes = desks_text(tracker.get_slot("gemeente_code"))
        dispatcher.utter_message(text=f"Goed plan. {routes}")
        text = summary.as_text(build_summary_for(tracker))
        dispatcher.utter_message(
            text=(
                "Neem deze samenvatting mee, of stuur hem naar het loket. "
                "Dan hoef je niet alles opnieuw te vertellen:\n\n" + text
            ),
            buttons=[
                {"title": "Toch een coach van Loopbrug", "payload": "/request_human"},
                {"title": "Andere vraag", "payload": "/capabilities"},
            ],
        )

    async def make_ticket(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        settings = load_settings()
        facts = build_summary_for(tracker)
        teams = get_teams()
        region = tracker.get_slot("arbeidsmarktregio")
        channel = tracker.get_slot("handoff_contact") or "chat"
        new = store.NewTicket(
            conversation_id=tracker.sender_id,
            channel=(tracker.get_latest_input_channel() or "onbekend"),
            team=teams.route(region, facts["topic"]),
            topic=facts["topic"],
            urgency=facts["urgency"],
            region=region,
            gemeente=tracker.get_slot("gemeente_naam"),
            summary=facts,
            contact_channel=channel,
            contact_detail=tracker.get_slot("handoff_phone") or tracker.get_slot("handoff_email"),
            contact_time=tracker.get_slot("handoff_time"),
            consent_at=store.utcnow(),
            consent_version=CONSENT_VERSION,
        )
        try:
            ticket, created = store.create_ticket(new, timedelta(days=settings.followup_days))
        except Exception:
            logger.exception("handoff: ticket could not be stored")
            dispatcher.utter_message(
                text=(
                    "Sorry, het lukt nu niet om je aanvraag op te slaan. Er is niets gedeeld. "
                    "Probeer het zo nog eens. "
                    f"Of zoek zelf je loket op {NATIONAL_FINDER}."
                ),
                buttons=[{"title": "Opnieuw proberen", "payload": "/request_human"}],
            )
            return
        if created:
            await notify.new_ticket(settings, ticket, teams.name(ticket.team))
        if summary.request_question(tracker.events):
            # "ik wil iemand spreken over ...": those words are in the ticket (issue 16).
            dispatcher.utter_message(response="utter_handoff_question_kept")
        how = CHANNEL_TEXT.get(ticket.contact_channel, "")
        lines = [
            f"Dank je. Je aanvraag staat klaar. Je nummer is {ticket.ref}. Bewaar dit nummer.",
            f"Een coach van {teams.name(ticket.team)} neemt contact met je op, {how}.",
        ]
        if ticket.contact_channel == "chat":
            lines.append("Houd deze chat open of kom later terug. Je ziet het als de coach er is.")
        crisis = ticket.urgency == store.CRISIS
        lines.append(crisis_hours_text() if crisis else hours_text())
        dispatcher.utter_message(text="\n".join(lines), buttons=AFTER_BUTTONS)


def _date(moment) -> str:
    from loopbrug.assessment.render import format_date

    return format_date(moment.astimezone(office_hours().zone))


class ActionHandoffStatus(Action):
    """The person's ticket in plain words; also the follow-up question ("niet loslaten")."""

    def name(self) -> str:
        return "action_handoff_status"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        try:
            ticket = store.latest_ticket_for(tracker.sender_id)
        except Exception:
            logger.exception("handoff: could not read the ticket")
            dispatcher.utter_message(
                text="Ik kan je aanvraag nu niet opzoeken. Probeer het later nog eens."
            )
            return [SlotSet("handoff_followup", False)]
        followup = triggered_by_helpline(tracker.latest_message or {})
        if followup and ticket is not None:
            dispatcher.utter_message(
                text=(
                    f"Hoi, ik kom even terug op je vraag om een coach ({ticket.ref}). "
                    "Heb je al contact gehad met een coach?"
                ),
                buttons=[
                    {"title": "Ja, we hebben contact gehad", "payload": "/affirm"},
                    {"title": "Nee, nog niet", "payload": "/deny"},
                ],
            )
            return [SlotSet("handoff_followup", True)]
        if ticket is None:
            dispatcher.utter_message(
                text=(
                    "Ik zie nog geen aanvraag voor een coach van jou. "
                    "Wil je dat ik een coach voor je zoek?"
                ),
                buttons=[
                    {"title": "Ja, zoek een coach", "payload": "/request_human"},
                    {"title": "Zoek mijn loket", "payload": "/find_loket"},
                ],
            )
            return [SlotSet("handoff_followup", False)]
        team = get_teams().name(ticket.team)
        if ticket.status == store.CLOSED:
            text = (
                f"Je aanvraag {ticket.ref} is afgesloten op {_date(ticket.closed_at)}. "
                "Heb je een nieuwe vraag voor een coach? Dan maak ik een nieuwe aanvraag."
            )
            buttons = [
                {"title": "Nieuwe aanvraag", "payload": "/request_human"},
                {"title": "Andere vraag", "payload": "/capabilities"},
            ]
        elif ticket.status == store.CLAIMED and ticket.coach_name:
            text = (
                f"{ticket.coach_name} van {team} heeft je aanvraag {ticket.ref} opgepakt. "
                f"Je hoort snel iets, {CHANNEL_TEXT.get(ticket.contact_channel, '')}."
            )
            buttons = AFTER_BUTTONS[1:]
        else:
            text = (
                f"Je aanvraag {ticket.ref} is binnen sinds {_date(ticket.created_at)}. "
                f"Er heeft nog geen coach van {team} op gereageerd. "
                + (crisis_hours_text() if ticket.urgency == store.CRISIS else hours_text())
            )
            buttons = [
                {"title": "Zoek mijn loket", "payload": "/find_loket"},
                {"title": "Andere vraag", "payload": "/capabilities"},
            ]
        if ticket.urgency == store.CRISIS and ticket.is_open and ticket.status != store.NEW:
            text += " " + CRISIS_FIRST
        dispatcher.utter_message(text=text, buttons=buttons)
        return [SlotSet("handoff_followup", False)]


class ActionHandoffFollowupAnswer(Action):
    """Yes: glad to hear it. No: a new route, and the ticket is flagged for the coaches."""

    def name(self) -> str:
        return "action_handoff_followup_answer"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        contact = intent == "affirm"
        try:
            ticket = store.record_followup_answer(
                tracker.sender_id, "contact" if contact else "geen_contact"
            )
        except Exception:
            logger.exception("handoff: could not store the follow-up answer")
            ticket = None
        if contact:
            dispatcher.utter_message(
                text="Fijn om te horen. Heb je later nog een vraag? Ik ben er altijd.",
                buttons=[{"title": "Andere vraag", "payload": "/capabilities"}],
            )
        else:
            routes = desks_text(tracker.get_slot("gemeente_code"))
            flagged = (
                " Ik heb de coaches laten weten dat het nog niet gelukt is."
                if ticket is not None and ticket.is_open
                else ""
            )
            dispatcher.utter_message(
                text=(
                    f"Wat jammer dat het nog niet gelukt is.{flagged}\n"
                    f"Je kunt ook zelf contact opnemen. {routes}"
                ),
                buttons=[
                    {"title": "Nieuwe aanvraag", "payload": "/request_human"},
                    {"title": "Andere vraag", "payload": "/capabilities"},
                ],
            )
        return [SlotSet("handoff_followup", False)]
