"""The profile to take along: a short summary in the chat, a file, and mailing it.

``action_export_profile`` sends at most three messages: the summary (a few plain sentences),
the file as a custom payload (loopbrug/assessment/files.py: a download link in the web widget,
a document on Telegram) and the offer to mail it. ``action_email_profile`` answers "kan ik dit
mailen?": with an SMTP server configured it asks the address (``profile_email_form``);
without one it says so and gives the file again, with how to save it.
``action_send_profile_email`` sends the mail and forgets the address. The address and the
profile are never logged. The summary, the file and the mail are :mod:`loopbrug.assessment`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import OneValidatorForAllSlots
from loopbrug import mail
from loopbrug.assessment import store
from loopbrug.assessment.files import file_payload
from loopbrug.assessment.mailing import is_way_out, mail_server, profile_mail
from loopbrug.assessment.render import chat_summary
from loopbrug.attachments import read_file
from loopbrug.conversation import is_web_sender, since_session_start
from loopbrug.handoff.contact import email_address
from loopbrug.settings import load_settings

logger = logging.getLogger(__name__)

EMAIL_FORM = "profile_email_form"
EMAIL_SLOTS = ("profile_email", "profile_email_stop")


def file_given_in_this_session(tracker: Tracker) -> bool:
    """True when the bot already gave the file since the conversation's session started."""
    return any(
        event.is_bot() and read_file(event.custom) is not None
        for event in since_session_start(tracker.events)
    )


def _created(updated: Optional[datetime]) -> datetime:
    return updated or datetime.now(timezone.utc)


class ActionExportProfile(Action):
    """The profile as a short summary, plus the whole profile as a file."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_export_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Summary, file, and what to do with it (mail it, when that is possible)."""
        profile, updated = await asyncio.to_thread(store.load, tracker.sender_id)
        if profile is None:
            dispatcher.utter_message(response="utter_no_profile_yet")
            return []
        created = _created(updated)
        dispatcher.utter_message(text=chat_summary(profile))
        payload = await asyncio.to_thread(file_payload, tracker.sender_id, profile, created)
        dispatcher.utter_message(json_message=payload)
        if mail_server(load_settings()) is not None:
            dispatcher.utter_message(response="utter_profile_export_next")
        else:  # never offer a mail button that cannot work
            dispatcher.utter_message(response="utter_profile_export_next_no_mail")
        return []


class ActionEmailProfile(Action):
    """ "Kan ik dit mailen?": ask the address, or say how to save the file instead."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_email_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Start the address question only when mailing can work."""
        profile, updated = await asyncio.to_thread(store.load, tracker.sender_id)
        if profile is None:
            dispatcher.utter_message(response="utter_no_profile_yet")
            return []
        if mail_server(load_settings()) is None:
            web = is_web_sender(tracker.sender_id)
            dispatcher.utter_message(
                response="utter_profile_email_unavailable_web"
                if web
                else "utter_profile_email_unavailable_file"
            )
            if not file_given_in_this_session(tracker):
                payload = await asyncio.to_thread(
                    file_payload, tracker.sender_id, profile, _created(updated)
                )
                dispatcher.utter_message(json_message=payload)
            return []
        events: List[Dict[str, Any]] = [SlotSet(slot, None) for slot in EMAIL_SLOTS]
        # "mail het naar piet@voorbeeld.nl" gives the address at once.
        given = email_address((tracker.latest_message or {}).get("text") or "")
        if given:
            events.append(SlotSet("profile_email", given))
        return events + [FollowupAction(EMAIL_FORM)]


class ValidateProfileEmailForm(OneValidatorForAllSlots, FormValidationAction):
    """Reads an e-mail address; 'stop' ends the question without a mail.

    Stop, back and questions inside: actions/form_validation.py, as in every form; stopping
    here means no mail (``profile_email_stop``). ``is_way_out`` (loopbrug/assessment/mailing.py)
    adds the ways to say "no mail" that only this question has ("niet mailen", "geen mail").
    """

    def name(self) -> str:
        """Form validation action name (Rasa convention: validate_<form>)."""
        return "validate_profile_email_form"

    def handles(self, slot: str) -> bool:
        """The address question."""
        return slot == "profile_email"

    def validate_slot(self, slot: str, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        """As validate_profile_email (used for corrections and probes)."""
        return self.validate_profile_email(value, dispatcher, tracker, domain)

    def stop(self, asked: str, dispatcher) -> list:
        """No mail: the form finishes and action_send_profile_email says so."""
        return [
            SlotSet(asked, None),
            SlotSet("profile_email_stop", True),
            SlotSet("requested_slot", None),
        ]

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        """Nothing more to ask once the person stopped."""
        return [] if tracker.get_slot("profile_email_stop") else domain_slots

    def validate_profile_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """An address, a way out, or a clear answer on what an address looks like."""
        text = str(value or "")
        found = email_address(text)
        if found:
            return {"profile_email": found}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent == "email_profile" or text.strip().startswith("/"):
            # The question that started the form ("kan ik dit mailen?"), or its button: not an
            # answer; the form asks for the address next.
            return {"profile_email": None}
        if is_way_out(text):
            return {"profile_email": None, "profile_email_stop": True}
        dispatcher.utter_message(response="utter_profile_email_invalid")
        return {"profile_email": None}


class ActionSendProfileEmail(Action):
    """Send the profile to the address given, then forget the address."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_send_profile_email"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """One mail; the address slot is cleared whatever happens."""
        forget = [SlotSet(slot, None) for slot in EMAIL_SLOTS]
        address = tracker.get_slot("profile_email")
        server = mail_server(load_settings())
        profile, updated = await asyncio.to_thread(store.load, tracker.sender_id)
        if tracker.get_slot("profile_email_stop") or not address:
            dispatcher.utter_message(response="utter_profile_email_stopped")
            return forget
        if server is None or profile is None:  # settings changed or data erased meanwhile
            dispatcher.utter_message(response="utter_profile_email_failed")
            return forget
        message = profile_mail(server, str(address), profile, _created(updated))
        try:
            await asyncio.to_thread(mail.send, server, message)
        except mail.MailError as error:
            logger.warning("profile mail not sent (%s)", error)
            dispatcher.utter_message(response="utter_profile_email_failed")
            return forget
        logger.info("profile mail sent")
        dispatcher.utter_message(response="utter_profile_email_sent")
        return forget
