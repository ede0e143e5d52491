"""Conversations live in the SQL tracker store and survive a restart of the servers."""

import sqlite3

import httpx
import pytest

from tests.e2e.conftest import API_TOKEN, Chat
from tests.e2e.test_selftest import answer, question_number

pytestmark = pytest.mark.e2e


def test_conversation_and_an_unfinished_self_test_survive_a_restart(helpline, e2e_dir):
    chat = Chat(helpline.settings.rasa_url)
    chat.say("hoi")
    chat.say("hoe vraag ik stap budget aan")
    test = Chat(helpline.settings.rasa_url)
    answer(test, answer(test, test.say("/start_assessment")))  # two questions answered

    helpline.stop()
    # The events are in the SQLite file, not only in memory.
    with sqlite3.connect(e2e_dir / "loopbrug.db") as db:
        (count,) = db.execute(
            "select count(*) from events where sender_id = ?", (chat.sender,)
        ).fetchone()
    assert count > 0

    helpline.start()
    tracker = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()
    said = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert said == ["hoi", "hoe vraag ik stap budget aan"]
    # And the conversation simply continues.
    assert "digitale assistent" in chat.text("hoi")
    # The self-test goes on at question 3, where it was when the servers stopped.
    assert question_number(test.say("/start_assessment")) == 3
