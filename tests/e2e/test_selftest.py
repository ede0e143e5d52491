"""The self-test end to end: answers, skips, re-asks, side questions, stop and resume."""

import sqlite3

import httpx
import pytest

from loopbrug.assessment.questions import get_questions
from loopbrug.knowledge import reply as kb_reply
from loopbrug.knowledge.retrieve import get_retriever
from loopbrug.knowledge.units import get_knowledge_base
from tests.e2e.conftest import API_TOKEN, Chat

pytestmark = pytest.mark.e2e
TOTAL = len(get_questions())
FREE_TEXT = "ik werk graag met mensen en ik kan goed plannen"


def question_number(messages):
    """The number of the question the bot just asked, or None."""
    for message in messages:
        text = message.get("text", "")
        if text.startswith("Vraag ") and f" van {TOTAL}." in text:
            return int(text.split()[1])
    return None


def answer(chat: Chat, messages):
    """Answer the current question: the first option, or free text."""
    asked = next(m for m in messages if question_number([m]))
    options = [b for b in asked.get("buttons", []) if b["title"] != "Sla over"]
    return chat.say(options[0]["payload"] if options else FREE_TEXT)


def finish(chat: Chat, messages):
    while question_number(messages):
        messages = answer(chat, messages)
    return messages


def slots(helpline, chat):
    tracker = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()
    return tracker["slots"]


def test_full_test_gives_a_profile_that_is_stored_and_can_be_exported(chat: Chat, e2e_dir):
    messages = chat.say("/start_assessment")
    assert question_number(messages) == 1
    profile = " ".join(m.get("text", "") for m in finish(chat, messages))
    for block in ("alent", "kills", "rijfveren", "endbaar", "niveau", "oel"):
        assert block in profile
    assert "/export_profile" in [
        b["payload"] for m in chat.say("/show_profile") for b in m.get("buttons", [])
    ]
    summary, file, offer = chat.say("/export_profile")  # tests/e2e/test_profile_export_e2e.py
    assert summary["text"].startswith("Je profiel in het kort.\n")
    assert file["custom"]["file"]["content"].startswith("Mijn profiel van Loopbrug\n")
    for text in (summary["text"], file["custom"]["file"]["content"]):
        assert "#" not in text and "punten" not in text and "gemiddeld" not in text
    with sqlite3.connect(e2e_dir / "loopbrug.db") as db:
        (count,) = db.execute("select count(*) from loopbrug_profiles").fetchone()
    assert count >= 1


def test_skip_and_dont_know_move_on(chat: Chat):
    assert question_number(chat.say("/start_assessment")) == 1
    assert question_number(chat.say("weet ik niet")) == 2
    assert question_number(chat.say("sla over")) == 3


def test_an_answer_that_fits_no_option_is_asked_again_and_nothing_is_lost(chat: Chat, helpline):
    messages = chat.say("/start_assessment")
    messages = answer(chat, messages)  # question 1 answered
    messages = answer(chat, messages)  # question 2 (own words) answered
    asked = question_number(messages)
    again = chat.say("banaan trampoline")
    assert "Kies een van deze" in again[0]["text"]
    assert question_number(again) == asked
    filled = slots(helpline, chat)
    first, second = get_questions()[0].id, get_questions()[1].id
    assert filled[first] and filled[second]


def test_a_question_during_the_test_is_answered_and_the_test_goes_on(chat: Chat):
    messages = chat.say("/start_assessment")
    asked = question_number(messages)
    reply = chat.say("hoe kom ik aan een scholingsvoucher?")
    kb = get_knowledge_base()
    unit = (
        get_retriever(kb)
        .pick("hoe kom ik aan een scholingsvoucher?", intent="funding_voucher")
        .unit
    )
    assert reply[0]["text"] == kb_reply.answer(kb, unit, with_buttons=False).text
    assert reply[1]["text"] == "Nu gaan we verder met de vragen."
    assert question_number(reply) == asked and len(reply) == 3


def test_stop_and_continue_where_you_were(chat: Chat):
    messages = answer(chat, chat.say("/start_assessment"))
    messages = answer(chat, messages)
    assert question_number(messages) == 3
    assert "bewaard" in chat.text("ik ga stoppen, doei")
    resumed = chat.say("/start_assessment")
    assert "vraag 3" in resumed[0]["text"]
    assert question_number(resumed) == 3


def test_start_over_begins_at_question_one(chat: Chat):
    answer(chat, chat.say("/start_assessment"))
    assert question_number(chat.say("/restart_assessment")) == 1


def test_change_one_answer_after_the_profile(chat: Chat):
    finish(chat, chat.say("/start_assessment"))
    listing = chat.say("ik wil een antwoord veranderen")
    pick = listing[0]["buttons"][2]
    asked = chat.say(pick["payload"])
    assert question_number(asked) == 3
    profile = answer(chat, asked)
    assert question_number(profile) is None  # straight back to the profile


def test_crisis_in_the_middle_of_the_test_wins(chat: Chat):
    chat.say("/start_assessment")
    text = chat.text("ik wil er niet meer zijn")
    assert "113" in text
    assert question_number(chat.say("hoi")) is None  # the test is closed
