"""Issue 19: "Heeft de coach je geholpen?" after a coach closes a ticket, end to end.

The real Rasa, action and web servers and a fake Telegram Bot API: a person gets a ticket, a
coach claims it through the inbox and closes it with an outcome; the person reads the
question with "Ja" and "Nee" in their own chat (the widget fetches it from the relay log,
Telegram gets it pushed with an inline keyboard), answers, and the coach's team reads the
answer on the ticket page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest

from bot.serve import Helpline
from loopbrug.handoff import store
from loopbrug.texts import text
from tests.e2e.conftest import REF, UPDATE_IDS, Coach, TelegramChat, WebPerson, start_coach_helpline
from tests.telegram_fake import FakeBotApi, callback_update

pytestmark = pytest.mark.e2e

YES_NO = [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]


@pytest.fixture(scope="module")
def helpline(api: FakeBotApi, tmp_path_factory) -> Iterator[Helpline]:
    db_path: Path = tmp_path_factory.mktemp("satisfaction") / "loopbrug.db"
    coaches = [("anna", "Anna", "twente"), ("bram", "Bram", "landelijk")]
    running = start_coach_helpline(api, db_path, "satisfaction", coaches)
    yield running
    running.stop()


def ticket_page_answer(coach: Coach, ref: str) -> str:
    """What the ticket page says under "Heeft de coach geholpen?"."""
    page = coach.page(ref).text
    found = re.search(r'<dd id="satisfaction">([^<]*)</dd>', page)
    assert found, "the closed ticket shows no satisfaction line"
    return found.group(1)


def test_a_web_person_is_asked_after_the_close_and_the_team_reads_the_answer(helpline):
    url = helpline.settings.database_url
    person = WebPerson(helpline)
    ref = person.gets_a_ticket(place="Enschede")
    anna = Coach(helpline, "anna")
    anna.post(ref, "claim")
    anna.post(ref, "takeover")
    person.wait_for_update("Je praat nu met Anna")
    anna.post(ref, "reply", text="Ik stuur je de link van het leerwerkloket.")
    person.wait_for_update("link van het leerwerkloket")

    anna.post(ref, "close", outcome="contact")
    question = f"Je vraag aan Anna is afgerond (ticket {ref}). Heeft de coach je geholpen?"
    seen = person.wait_for_update("Heeft de coach je geholpen?")["messages"]
    assert [(m["from"], m["text"], m.get("buttons", [])) for m in seen] == [
        ("bot", text("handoff.handback", coach="Anna"), []),
        ("bot", question, YES_NO),
    ]
    assert ticket_page_answer(anna, ref) == "Gevraagd, nog geen antwoord"

    answer = person.post("/affirm").json()  # the "Ja" button
    assert [m["text"] for m in answer["messages"]] == [
        "Fijn om te horen! Dank je voor je antwoord. Heb je later weer een vraag? "
        "Je kunt hier altijd terecht."
    ]
    assert answer["buttons"] == [{"title": "Andere vraag", "payload": "/capabilities"}]
    ticket = store.get_ticket(ref, url)
    assert ticket.satisfaction == "ja"
    assert re.fullmatch(r"Ja \(\d\d-\d\d-\d{4} \d\d:\d\d\)", ticket_page_answer(anna, ref))
    listed = anna.client.get("/coach/api/tickets", params={"q": ref, "status": "closed"}).json()
    assert [t["satisfaction"] for t in listed["tickets"]] == ["ja"]
    # The history tells the team too.
    history = [(e["kind"], e["text"]) for e in store.events(ticket.id, url)][-2:]
    assert history == [
        ("satisfaction", "Vraag aan de persoon: heeft de coach je geholpen?"),
        ("satisfaction", "Antwoord: ja, de coach heeft geholpen"),
    ]
    # A person's own feedback later is thanked as usual, not taken as a new rating.
    own = person.text("hier heb ik niks aan")
    assert own.startswith("Dank je dat je dit zegt.")
    assert store.get_ticket(ref, url).satisfaction == "ja"


def test_a_telegram_person_answers_no_with_the_button(helpline, api: FakeBotApi):
    url = helpline.settings.database_url
    person = TelegramChat(helpline, api)
    person.say_and_wait("ik wil iemand spreken")
    person.say_and_wait("ja")
    person.say_and_wait("sla over")
    ref = REF.search(person.say_and_wait("mail mij op iemand@example.nl")).group(0)
    bram = Coach(helpline, "bram")
    bram.post(ref, "claim")
    before = len(person.replies())
    bram.post(ref, "close", outcome="doorverwezen")
    replies = person.wait_for_replies(before + 1, timeout=30)[before:]
    assert [r["text"] for r in replies] == [
        f"Je vraag aan Bram is afgerond (ticket {ref}). Heeft de coach je geholpen?"
    ]
    keyboard = replies[0]["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["Ja"], ["Nee"]]
    no = keyboard[1][0]["callback_data"]

    before = len(person.replies())
    person.send(callback_update(next(UPDATE_IDS), person.chat_id, no))
    answer = person.wait_for_replies(before + 1)[before:]
    assert answer[0]["text"] == (
        "Jammer. Dank je dat je het eerlijk zegt. Het team leest je antwoord. "
        "Wil je het nog een keer proberen met een coach? Of heb je een andere vraag?"
    )
    assert store.get_ticket(ref, url).satisfaction == "nee"


def test_no_question_after_a_close_without_contact(helpline):
    person = WebPerson(helpline)
    ref = person.gets_a_ticket(contact="mail mij op iemand@example.nl")
    bram = Coach(helpline, "bram")
    bram.post(ref, "claim")
    bram.post(ref, "close", outcome="geen_reactie")
    assert "geholpen" not in " ".join(m["text"] for m in person.updates()["messages"])
    assert ticket_page_answer(bram, ref) == "Niet gevraagd"
