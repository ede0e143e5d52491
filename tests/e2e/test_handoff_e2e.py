"""Warm handoff end to end: the real Rasa, action and web servers, a fake Telegram Bot API.

A person asks for a coach on the web widget or on Telegram, agrees to share, and gets a
ticket; a coach logs in to /coach, claims it, takes the conversation over, chats live with
the person in the same chat, and hands it back to the bot. The follow-up job asks later
whether contact happened; the test moves the ticket's follow-up time into the past (the
controllable clock) instead of waiting days.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List

import httpx
import pytest

from bot.serve import Helpline
from loopbrug.handoff import store
from loopbrug.texts import text
from tests.e2e.conftest import (
    REF,
    Coach,
    TelegramChat,
    WebPerson,
    start_coach_helpline,
)
from tests.telegram_fake import FakeBotApi

pytestmark = pytest.mark.e2e

COACH_GROUP = "-100777"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("handoff") / "loopbrug.db"


@pytest.fixture(scope="module")
def helpline(api: FakeBotApi, db_path: Path) -> Iterator[Helpline]:
    coaches = [("anna", "Anna", "twente"), ("bram", "Bram", "landelijk"), ("gijs", "Gijs", "geld")]
    running = start_coach_helpline(
        api, db_path, "handoff", coaches, coach_telegram_chat_id=COACH_GROUP, followup_check_s=1.0
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def url(helpline: Helpline) -> str:
    return helpline.settings.database_url


def ticket_count(db_path: Path, person: str) -> int:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(
            "select count(*) from loopbrug_tickets where person = ?", (person,)
        ).fetchone()[0]


def test_no_consent_shares_nothing_and_gives_the_public_route(helpline, url):
    person = WebPerson(helpline)
    consent = person.text("ik wil met een mens praten")
    assert "Vind je dat goed?" in consent
    assert "samenvatting" in consent and "180 dagen" in consent
    answer = person.text("nee")
    assert "Ik deel niets" in answer
    assert "lerenenwerken.nl" in answer
    assert store.latest_ticket_for(person.sender, url) is None


def test_status_without_a_ticket(helpline):
    person = WebPerson(helpline)
    assert "geen aanvraag" in person.text("wanneer belt de coach me")


def test_web_handoff_ticket_live_relay_and_hand_back(helpline, api, url, db_path):
    person = WebPerson(helpline)
    assert person.text("hoe kom ik aan een scholingsvoucher")
    assert "Vind je dat goed?" in person.text("ik wil een coach spreken")
    assert "gemeente" in person.text("ja")
    assert "contact" in person.text("Enschede")
    done = person.text("hier in de chat")
    ref = REF.search(done).group(0)
    assert "Leerwerkloket Twente" in done

    ticket = store.open_ticket_for(person.sender, url)
    assert ticket.ref == ref and ticket.team == "twente" and ticket.topic == "scholing"
    assert ticket.contact_channel == "chat" and ticket.consent_version.startswith("v1-")
    assert {"text": "hoe kom ik aan een scholingsvoucher", "crisis": False} in ticket.summary[
        "messages"
    ]
    assert "Scholingsvoucher" in ticket.summary["asked"]
    # The coach group hears of it, without personal details.
    api.wait_for(lambda: any(ref in t for t in api.texts(int(COACH_GROUP))), timeout=20)
    note = next(t for t in api.texts(int(COACH_GROUP)) if ref in t)
    assert f"/coach/tickets/{ref}" in note and "Enschede" not in note

    # Asking again (or a retried action) never makes a second ticket.
    assert ref in person.text("ik wil een coach")
    assert ticket_count(db_path, ticket.person) == 1
    assert ref in person.text("wanneer belt de coach")

    # Another team's coach cannot see it; the Twente coach can.
    assert Coach(helpline, "gijs").page(ref).status_code == 404
    anna = Coach(helpline, "anna")
    assert ref in anna.client.get("/coach").text
    anna.post(ref, "claim")
    assert "Anna" in person.text("wanneer belt de coach")

    anna.post(ref, "takeover")
    joined = person.wait_for_update("Je praat nu met Anna")
    assert joined["live"] is True

    before = time.time()
    assert person.say("hallo, ben je er?") == []  # the bot stays silent
    # The inbox knows when the person last wrote, also while the bot is silent.
    spoke = store.open_ticket_for(person.sender, url).last_person_message_at
    assert spoke is not None and spoke.timestamp() >= before - 1
    lines = anna.transcript(ref)["lines"]
    assert any(line["from"] == "person" and line["text"] == "hallo, ben je er?" for line in lines)

    anna.post(ref, "reply", text="Hoi, ik ben Anna. Waar kan ik je mee helpen?")
    update = person.wait_for_update("Waar kan ik je mee helpen")
    coach_message = next(m for m in update["messages"] if "Waar kan ik" in m["text"])
    assert coach_message["from"] == "coach" and coach_message["name"] == "Anna"
    history = person.client.get("/api/history", params={"session": person.session}).json()
    assert any(m["from"] == "coach" and "Waar kan ik" in m["text"] for m in history["messages"])

    anna.post(ref, "handback")
    back = person.wait_for_update("teruggegeven")
    assert back["live"] is False
    # The bot answers again, with the regional answer for Twente.
    assert "fonds" in person.text("wat is een scholingsvoucher").lower()

    anna.post(ref, "close", outcome="contact")
    assert store.open_ticket_for(person.sender, url) is None
    assert "afgesloten" in person.text("wanneer belt de coach")


def test_telegram_handoff_live_relay_and_hand_back(helpline, api, url):
    person = TelegramChat(helpline, api)
    assert "Vind je dat goed?" in person.say_and_wait("ik wil iemand spreken")
    assert "sla over" in person.say_and_wait("ja")
    assert "contact" in person.say_and_wait("sla over")
    ref = REF.search(person.say_and_wait("hier in de chat")).group(0)
    ticket = store.open_ticket_for(person.sender, url)
    assert ticket.ref == ref and ticket.team == "landelijk" and ticket.channel == "telegram"

    bram = Coach(helpline, "bram")
    bram.post(ref, "claim")
    before = len(person.texts())
    bram.post(ref, "takeover")
    api.wait_for(lambda: any("Je praat nu met Bram" in t for t in person.texts()), timeout=20)
    bram.post(ref, "reply", text="Hoi, met Bram. Hoe gaat het?")
    api.wait_for(
        lambda: any(t == "Bram (coach): Hoi, met Bram. Hoe gaat het?" for t in person.texts()),
        timeout=20,
    )
    sent = len(person.texts())
    person.say("het gaat wel, dank je")
    lines: List[Dict[str, Any]] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(
        line["text"] == "het gaat wel, dank je" for line in lines
    ):
        time.sleep(0.5)
        lines = bram.transcript(ref)["lines"]
    assert any(line["text"] == "het gaat wel, dank je" for line in lines)
    time.sleep(1)
    assert len(person.texts()) == sent  # the bot stayed silent
    assert len(person.texts()) > before

    bram.post(ref, "handback")
    api.wait_for(lambda: any("teruggegeven" in t for t in person.texts()), timeout=20)
    assert "digitale assistent" in person.say_and_wait("hoi")


def test_a_live_chat_whose_coach_went_idle_goes_back_to_the_bot(helpline, url):
    """Issue 19: the web server's job hands a live chat back when its coach did nothing with
    the ticket for LOOPBRUG_COACH_IDLE_MINUTES; the person is told and the bot answers."""
    from sqlalchemy import update

    person = WebPerson(helpline)
    assert "Vind je dat goed?" in person.text("ik wil een coach spreken")
    person.text("ja")
    person.text("sla over")
    ref = REF.search(person.text("hier in de chat")).group(0)
    bram = Coach(helpline, "bram")
    bram.post(ref, "claim")
    bram.post(ref, "takeover")
    person.wait_for_update("Je praat nu met Bram")
    assert person.say("hallo? ben je er nog?") == []  # paused: the bot is silent

    # Bram's last action on the ticket is an hour ago (instead of waiting 15 minutes).
    with store.factory(url).begin() as session:
        session.execute(
            update(store.TicketRecord)
            .where(store.TicketRecord.ref == ref)
            .values(coach_seen_at=store.utcnow() - timedelta(hours=1))
        )
    back = person.wait_for_update(text("handoff.handback_away"))
    assert back["live"] is False
    assert person.text("hallo? ben je er nog?")  # the bot answers again
    ticket = store.get_ticket(ref, url)
    assert not ticket.live and ticket.coach_name == "Bram"
    event = store.events(ticket.id, url)[-1]
    assert event["kind"] == "auto_handback" and "Bram" in event["text"]


def test_followup_asks_once_whether_contact_happened(helpline, url, db_path):
    person = WebPerson(helpline)
    person.text("ik wil een coach")
    person.text("ja")
    person.text("sla over")
    ref = REF.search(person.text("mail mij op iemand@example.nl")).group(0)
    ticket = store.open_ticket_for(person.sender, url)
    assert ticket.contact_channel == "email" and ticket.contact_detail == "iemand@example.nl"
    assert ticket.followup_due_at > store.utcnow()
    time.sleep(2.5)  # the job runs every second: nothing is due yet
    assert "contact gehad" not in " ".join(m["text"] for m in person.updates()["messages"])

    # The controllable clock: pretend the follow-up days have passed.
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "update loopbrug_tickets set followup_due_at = ? where ref = ?",
            ("2000-01-01 00:00:00.000000", ref),
        )
    person.wait_for_update("Heb je al contact gehad")
    answer = person.text("nee")
    assert "nog niet gelukt" in answer and "coaches laten weten" in answer
    assert store.get_ticket(ref, url).followup_answer == "geen_contact"
    time.sleep(2.5)
    repeated = [m for m in person.updates()["messages"] if "contact gehad" in m["text"]]
    assert repeated == []  # asked once


def test_thirty_parallel_wrong_logins_cannot_open_the_way(helpline, url):
    """Issue 15: 30 wrong passwords at once, then the right one, used to log in."""
    import asyncio

    base = f"http://127.0.0.1:{helpline.settings.web_port}"

    async def attack() -> List[int]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            page = await client.get("/coach/login")
            token = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)

            async def attempt() -> int:
                reply = await client.post(
                    "/coach/login",
                    data={"username": "gijs", "password": "fout-wachtwoord", "login_csrf": token},
                )
                return reply.status_code

            return list(await asyncio.gather(*(attempt() for _ in range(30))))

    assert set(asyncio.run(attack())) == {200}  # every one refused with the login form
    with pytest.raises(AssertionError):
        Coach(helpline, "gijs")  # the right password is refused too, for now
    # Another coach is not affected: Bram logs in and reads his inbox.
    assert Coach(helpline, "bram").client.get("/coach").status_code == 200


# -- issue 16: a request for a person with a topic, and a place that is known -----------------


def test_a_request_with_a_topic_starts_the_handoff_and_the_ticket_keeps_it(helpline, url):
    """Every message and button the person reads, and what the coach's ticket shows."""
    from tests.e2e.conftest import Chat

    chat = Chat(helpline.settings.rasa_url)

    def seen(text):
        return [
            (m.get("text", ""), [b["title"] for b in m.get("buttons", [])]) for m in chat.say(text)
        ]

    change = "Woon je ergens anders? Typ dan je plaats."
    contact = ("Hoe wil je contact met de coach?", ["Hier in de chat", "Bel mij", "Mail mij"])
    assert seen("ik woon in Zwolle")[0][0].startswith("Dank je. Ik onthoud dat je in Zwolle woont.")
    question = "Ik wil iemand spreken over een opleiding tot doktersassistent"
    consent = text("handoff.consent", days=180)
    buttons = ["Ja, dat is goed", "Nee, liever niet", "Ik ga zelf naar het loket"]
    assert seen(question) == [(consent, buttons)]
    # The place is known: said, not asked.
    assert seen("ja") == [(f"Ik geef door dat je in Zwolle woont. {change}", []), contact]
    # A new place at the contact question is taken, and the question comes again.
    assert seen("Deventer") == [("Dank je. Ik geef nu door dat je in Deventer woont.", []), contact]
    done = seen("hier in de chat")
    ref = REF.search(done[1][0]).group(0)
    assert done == [
        (
            "Je vraag staat in je aanvraag. De coach leest hem, dus je hoeft hem niet opnieuw "
            "te vertellen.",
            [],
        ),
        (
            f"Dank je. Je aanvraag staat klaar. Je nummer is {ref}. Bewaar dit nummer.\n"
            "Een coach van Loopbrug neemt contact met je op, hier in de chat.\n"
            "Houd deze chat open of kom later terug. Je ziet het als de coach er is.\n"
            "Er zijn nu coaches aan het werk. Meestal krijg je binnen een werkdag antwoord.",
            ["Status van mijn aanvraag", "Andere vraag"],
        ),
    ]
    ticket = store.open_ticket_for(chat.sender, url)
    assert ticket.topic == "scholing" and ticket.gemeente == "Deventer"
    assert {"text": question, "crisis": False} in ticket.summary["messages"]
    assert "Woont in Deventer (regio Veluwe Stedendriehoek)" in ticket.summary["facts"]
    # The coach reads the person's own words in the ticket.
    page = Coach(helpline, "bram").page(ref)
    assert page.status_code == 200
    assert f"<li>{question}</li>" in page.text


def test_a_place_in_the_request_for_a_person_is_used_not_asked(helpline):
    from tests.e2e.conftest import Chat

    chat = Chat(helpline.settings.rasa_url)

    def seen(text):
        return [
            (m.get("text", ""), [b["title"] for b in m.get("buttons", [])]) for m in chat.say(text)
        ]

    consent = seen("ik wil een coach spreken, ik woon in Leeuwaarden")
    assert consent == [
        (
            text("handoff.consent", days=180),
            ["Ja, dat is goed", "Nee, liever niet", "Ik ga zelf naar het loket"],
        )
    ]
    assert seen("ja") == [
        ("Ik geef door dat je in Leeuwarden woont. Woon je ergens anders? Typ dan je plaats.", []),
        ("Hoe wil je contact met de coach?", ["Hier in de chat", "Bel mij", "Mail mij"]),
    ]


def test_a_number_typed_before_is_not_taken_for_the_place(helpline):
    """A "1800" typed when nobody asked for a place is a number, not where the person lives:
    the handoff still asks the place (it skipped the question before)."""
    person = WebPerson(helpline)
    assert person.text("1800").startswith("Ik weet niet waar dit getal bij hoort.")
    assert "Vind je dat goed?" in person.text("ik wil graag een coach")
    assert person.text("ja") == (
        "In welke gemeente woon je? Dan zoek ik een coach bij jou in de buurt. "
        "Wil je dit liever niet zeggen? Typ dan 'sla over'."
    )
    assert person.text("Zwolle") == "Hoe wil je contact met de coach?"


def test_a_question_at_the_consent_question_is_not_taken_as_a_yes(helpline):
    """ "wat doet een coach eigenlijk?" inside the consent question was read as a yes to
    sharing when the classifier called it request_human. Whatever it is read as (an answer
    to the question, or "Dat lees ik als een vraag"), the consent is asked again; the place
    question comes only after a real yes."""
    person = WebPerson(helpline)
    assert "Vind je dat goed?" in person.text("ik wil een coach")
    reply = person.text("wat doet een coach eigenlijk?")
    assert "In welke gemeente woon je?" not in reply
    assert "Kies ja of nee." in reply or reply.endswith("Vind je dat goed?")
    assert person.text("ja").startswith("In welke gemeente woon je?")
