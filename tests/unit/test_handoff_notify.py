"""The coaches' Telegram group hears of new tickets (loopbrug/handoff/notify.py), against a
fake Bot API."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any

import pytest

from loopbrug.handoff import notify, store
from loopbrug.settings import ROOT, Settings
from tests.telegram_fake import FakeBotApi

NOW = datetime(2026, 3, 4, 11, 0, tzinfo=timezone.utc)
GROUP = "-100123"


def ticket(**changes: Any) -> store.Ticket:
    fields: dict = {
        "id": 7,
        "ref": "LB-ABC234",
        "person": "0" * 64,
        "conversation_id": "web-secret-conversation",
        "channel": "rest",
        "status": store.NEW,
        "live": False,
        "team": "twente",
        "topic": "scholing",
        "urgency": store.NORMAL,
        "region": "Twente",
        "gemeente": "Enschede",
        "summary": {"messages": ["Ik heet Jan Jansen en ik heb schulden"]},
        "contact_channel": "telefoon",
        "contact_detail": "+31 6 12345678",
        "contact_time": "ochtend",
        "consent_at": NOW,
        "consent_version": "v1-test",
        "coach_id": None,
        "coach_name": None,
        "created_at": NOW,
        "updated_at": NOW,
        "closed_at": None,
        "outcome": None,
        "followup_due_at": None,
        "followup_sent_at": None,
        "followup_answer": None,
    }
    fields.update(changes)
    return store.Ticket(**fields)


def test_the_message_names_ref_team_topic_region_and_the_inbox_link():
    settings = Settings(public_url="https://loopbrug.example.nl/")
    text = notify.message_for(settings, ticket(), "Leerwerkloket Twente")
    lines = text.splitlines()
    assert lines[0] == "Nieuw ticket LB-ABC234 voor Leerwerkloket Twente"
    assert "Onderwerp: scholing. Regio: Twente." in lines
    assert "Urgentie: normaal." in lines
    assert lines[-1] == "https://loopbrug.example.nl/coach/tickets/LB-ABC234"


def test_the_message_holds_no_personal_data():
    text = notify.message_for(Settings(), ticket(), "Leerwerkloket Twente")
    for private in ("+31 6 12345678", "12345678", "web-secret-conversation", "Jan Jansen"):
        assert private not in text
    assert "Enschede" not in text  # the region is enough to route; the place is in the inbox
    assert "ochtend" not in text


def test_without_a_public_url_the_link_uses_the_web_port():
    text = notify.message_for(Settings(web_port=8099), ticket(region=None), "Loopbrug")
    assert "Regio: onbekend." in text
    assert text.splitlines()[-1] == "http://127.0.0.1:8099/coach/tickets/LB-ABC234"


@pytest.mark.parametrize(
    "urgency, words, flagged",
    [
        (store.CRISIS, "CRISIS, met voorrang", True),
        (store.ACUTE, "acute geldzorgen, met voorrang", False),
        (store.NORMAL, "normaal", False),
    ],
)
def test_urgency_is_spelled_out_and_crisis_stands_out(urgency, words, flagged):
    text = notify.message_for(Settings(), ticket(urgency=urgency), "Loopbrug")
    assert f"Urgentie: {words}." in text
    assert text.startswith("🔴 ") is flagged


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        Settings(telegram_bot_token="1:a"),  # no group configured
        Settings(coach_telegram_chat_id=GROUP),  # no bot
    ],
)
async def test_nothing_is_sent_when_not_configured(settings):
    assert await notify.new_ticket(settings, ticket(), "Loopbrug") is False


async def test_one_message_goes_to_the_coach_group():
    with FakeBotApi() as api:
        settings = Settings(
            telegram_bot_token=api.token,
            telegram_api_base_url=api.base_url,
            coach_telegram_chat_id=GROUP,
            public_url="https://loopbrug.example.nl",
        )
        assert await notify.new_ticket(settings, ticket(), "Leerwerkloket Twente") is True
        assert api.texts(int(GROUP)) == [
            notify.message_for(settings, ticket(), "Leerwerkloket Twente")
        ]
        assert len(api.sent()) == 1  # to the group only, never to the person


async def test_a_telegram_failure_is_logged_and_reported_not_raised(caplog):
    api = FakeBotApi().start()
    base_url, token = api.base_url, api.token
    api.stop()  # nothing listens there any more
    settings = Settings(
        telegram_bot_token=token, telegram_api_base_url=base_url, coach_telegram_chat_id=GROUP
    )
    with caplog.at_level(logging.WARNING, logger="loopbrug.handoff.notify"):
        assert await notify.new_ticket(settings, ticket(), "Loopbrug") is False
    assert "coach notification not sent" in caplog.text
    assert token.split(":")[1] not in caplog.text


def test_a_ticket_that_became_a_crisis_says_so():
    settings = Settings(public_url="https://loopbrug.example.nl/")
    urgent = ticket(urgency=store.CRISIS, topic="crisis")
    text = notify.message_for(settings, urgent, "Landelijk team", escalated=True)
    assert text.startswith(f"🔴 Ticket {urgent.ref} is nu dringend (crisis)")
    assert f"/coach/tickets/{urgent.ref}" in text


def test_notifying_pulls_in_no_channel_and_no_rasa():
    # The action server and the web server send this; the Telegram channel would import Rasa.
    check = (
        "import sys, loopbrug.handoff.notify, loopbrug.handoff.service; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rasa', 'rasa_sdk', 'connectors'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
