"""actions/feedback.py: a person's own feedback, and "Heeft de coach je geholpen?" after a
coach closed the ticket (asked through a triggered give_feedback)."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionFeedback, ActionSatisfactionAnswer
from loopbrug.handoff import store
from tests.conftest import make_tracker
from tests.handoff_fixtures import make_ticket

SENDER = "test-user"  # make_tracker's sender id
TRIGGERED = {"is_external": True}  # how Rasa marks an intent triggered through its HTTP API


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 't.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


async def run(action, text: str, intent: str, metadata=None):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(text, intent, metadata=metadata), {})
    return events, dispatcher.messages


def slots(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def closed_and_asked(url: str) -> store.Ticket:
    ticket = make_ticket(url, SENDER)
    coach = store.save_coach("anna", "Anna", [ticket.team], password_hash="x", url=url)
    store.claim(ticket.ref, coach.id, url=url)
    store.close(ticket.ref, coach.id, "contact", url=url)
    store.mark_satisfaction_asked(ticket.ref, store.utcnow(), url=url)
    return store.get_ticket(ticket.ref, url)


async def test_a_persons_own_feedback_gets_the_usual_thanks(db_url):
    closed_and_asked(db_url)  # even with an asked ticket: the person did not get the question
    events, messages = await run(ActionFeedback(), "hier heb ik niks aan", "give_feedback")
    assert [(m["response"], m["text"]) for m in messages] == [("utter_feedback", None)]
    assert slots(events) == {"handoff_satisfaction": False}


async def test_the_helpline_asks_whether_the_coach_helped(db_url):
    ticket = closed_and_asked(db_url)
    events, messages = await run(ActionFeedback(), "", "give_feedback", metadata=TRIGGERED)
    assert [(m["text"], m["buttons"]) for m in messages] == [
        (
            f"Je vraag aan Anna is afgerond (ticket {ticket.ref}). Heeft de coach je geholpen?",
            [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}],
        )
    ]
    assert slots(events) == {"handoff_satisfaction": True}


async def test_a_trigger_without_an_asked_ticket_says_nothing(db_url):
    make_ticket(db_url, SENDER)
    events, messages = await run(ActionFeedback(), "", "give_feedback", metadata=TRIGGERED)
    assert messages == [] and slots(events) == {"handoff_satisfaction": False}


async def test_yes_is_stored_and_thanked(db_url):
    ticket = closed_and_asked(db_url)
    events, messages = await run(ActionSatisfactionAnswer(), "ja hoor", "affirm")
    assert [(m["text"], m["buttons"]) for m in messages] == [
        (
            "Fijn om te horen! Dank je voor je antwoord. Heb je later weer een vraag? "
            "Je kunt hier altijd terecht.",
            [{"title": "Andere vraag", "payload": "/capabilities"}],
        )
    ]
    assert store.get_ticket(ticket.ref, db_url).satisfaction == "ja"
    assert slots(events) == {"handoff_satisfaction": False}


async def test_no_is_stored_and_offers_a_coach_again(db_url):
    ticket = closed_and_asked(db_url)
    _, messages = await run(ActionSatisfactionAnswer(), "nee niet echt", "deny")
    assert [(m["text"], m["buttons"]) for m in messages] == [
        (
            "Jammer. Dank je dat je het eerlijk zegt. Het team leest je antwoord. "
            "Wil je het nog een keer proberen met een coach? Of heb je een andere vraag?",
            [
                {"title": "Praten met een coach", "payload": "/request_human"},
                {"title": "Andere vraag", "payload": "/capabilities"},
            ],
        )
    ]
    assert store.get_ticket(ticket.ref, db_url).satisfaction == "nee"


async def test_a_database_failure_still_answers_the_person(monkeypatch, db_url):
    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(store, "record_satisfaction", broken)
    _, messages = await run(ActionSatisfactionAnswer(), "ja", "affirm")
    assert messages[0]["text"].startswith("Fijn om te horen!")
