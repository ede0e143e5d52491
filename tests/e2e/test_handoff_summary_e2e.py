"""The summary a coach starts from, end to end (issue 19): the real Rasa, action and web
servers; the coach reads the summary on the ticket page, as in the inbox.

- every message the person typed is in it, also what the bot did not understand;
- after a money check the handoff asks whether the coach may see the amounts: "ja" lists
  them for the coach, "nee" says the coach must ask again and no amount is in the ticket;
  "stop" and a crisis message work there as in the other handoff questions;
- the self-test's profile is written about the person, for the coach.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from typing import Dict, Iterator, List

import httpx
import pytest

from bot.serve import Helpline
from loopbrug.handoff import store
from loopbrug.region import desks_text
from loopbrug.texts import text
from tests.e2e.conftest import REF, Coach, WebPerson, start_coach_helpline
from tests.telegram_fake import FakeBotApi

pytestmark = pytest.mark.e2e

# One coach per team, so the test can read any ticket's page.
COACHES = [("anna", "Anna", "twente"), ("bram", "Bram", "landelijk"), ("gijs", "Gijs", "geld")]
COACH_OF_TEAM = {team: username for username, _, team in COACHES}

# The money check's ten answers (tests/e2e/test_money.py ORANGE), typed by the person.
MONEY_ANSWERS = ["2500", "2000", "0", "0", "4000", "nee", "1200", "0", "0", "0"]
AMOUNT_LINES = [
    "Netto inkomen nu: € 2.500 per maand",
    "Vaste lasten van het huishouden: € 2.000 per maand",
    "Inkomen van anderen in huis: € 0 per maand",
    "Mensen die dit inkomen nodig hebben: 0",
    "Spaargeld om te gebruiken: € 4.000",
    "Schulden of betalingsachterstanden: nee",
    "Inkomen tijdens de overstap: € 1.200 per maand",
    "Transitievergoeding (bruto): € 0",
    "Extra reiskosten: € 0 per maand",
    "Kosten voor kinderopvang: € 0 per maand",
]
NOT_SHARED = ["De persoon deelt de bedragen niet; vraag ze zelf opnieuw."]
SHARE_QUESTION = (
    "Mag de coach ook de bedragen zien die je hier hebt ingevuld? "
    "Dan hoef je ze niet opnieuw te geven."
)
PLACE_QUESTION = (
    "In welke gemeente woon je? Dan zoek ik een coach bij jou in de buurt. "
    "Wil je dit liever niet zeggen? Typ dan 'sla over'."
)


@pytest.fixture(scope="module")
def helpline(api: FakeBotApi, tmp_path_factory) -> Iterator[Helpline]:
    db_path: Path = tmp_path_factory.mktemp("summary") / "loopbrug.db"
    running = start_coach_helpline(api, db_path, "handoff-summary", COACHES)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def url(helpline: Helpline) -> str:
    return helpline.settings.database_url


def summary_on_page(helpline: Helpline, url: str, person: WebPerson) -> Dict[str, List[str]]:
    """The ticket's summary as its coach reads it on the ticket page: heading -> items."""
    ticket = store.open_ticket_for(person.sender, url)
    page = Coach(helpline, COACH_OF_TEAM[ticket.team]).page(ticket.ref)
    assert page.status_code == 200
    section = re.search(
        r'<section[^>]*aria-labelledby="h-samenvatting">(.*?)</section>', page.text, re.S
    )
    parts: Dict[str, List[str]] = {}
    for heading, items in re.findall(
        r"<h3>(.*?)</h3>\s*<ul[^>]*>(.*?)</ul>", section.group(1), re.S
    ):
        parts[html_lib.unescape(heading)] = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<li[^>]*>(.*?)</li>", items, re.S)
        ]
    return parts


def summary_section(helpline: Helpline, url: str, person: WebPerson) -> str:
    ticket = store.open_ticket_for(person.sender, url)
    page = Coach(helpline, COACH_OF_TEAM[ticket.team]).page(ticket.ref).text
    return re.search(r'aria-labelledby="h-samenvatting">(.*?)</section>', page, re.S).group(1)


def money_check(person: WebPerson) -> None:
    assert "Vraag 1 van 10" in person.text("/finance_check")
    for answer in MONEY_ANSWERS:
        said = person.text(answer)
    assert said.startswith("Uitkomst van je geldcheck: Oranje.")


def ask_a_coach(person: WebPerson) -> List[Dict]:
    """Ask for a coach and say yes to sharing; returns the bot's messages after the yes."""
    assert person.text("ik wil een coach").endswith("Vind je dat goed?")
    return person.say("ja")


def buttons_after_yes(person: WebPerson) -> Dict:
    """Ask for a coach and say yes; returns the web API's whole answer (with its buttons)."""
    assert person.text("ik wil een coach").endswith("Vind je dat goed?")
    reply = person.post("ja")
    assert reply.status_code == 200, reply.text
    return reply.json()


def finish_with_place_and_chat(person: WebPerson) -> str:
    assert person.text("Enschede") == "Hoe wil je contact met de coach?"
    done = person.text("hier in de chat")
    assert REF.search(done), done
    return done


def tracker(helpline: Helpline, sender: str) -> dict:
    return httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": helpline.settings.rasa_api_token},
        timeout=30,
    ).json()


def test_the_summary_keeps_what_the_bot_did_not_understand(helpline, url):
    person = WebPerson(helpline)
    words = "Ik ben 34 en werk als buschauffeur, ik wil verpleegkundige worden"
    person.text(words)
    person.text("Mijn werkgever wil niet meebetalen")
    assert [m["text"] for m in ask_a_coach(person)] == [PLACE_QUESTION]
    finish_with_place_and_chat(person)
    summary = summary_on_page(helpline, url, person)
    assert summary["In eigen woorden"] == [
        words,
        "Mijn werkgever wil niet meebetalen",
        "ik wil een coach",
    ]
    # No money check in this conversation: no amounts part, and no question about it.
    assert "Bedragen van de persoon" not in summary


def test_after_a_money_check_yes_shows_the_coach_the_amounts(helpline, url):
    person = WebPerson(helpline)
    money_check(person)
    question = buttons_after_yes(person)
    assert [m["text"] for m in question["messages"]] == [SHARE_QUESTION]
    assert [(b["title"], b["payload"]) for b in question["buttons"]] == [
        ("Ja", "/affirm"),
        ("Nee", "/deny"),
    ]
    assert person.text("Ja") == PLACE_QUESTION
    finish_with_place_and_chat(person)
    summary = summary_on_page(helpline, url, person)
    assert summary["Bedragen van de persoon"] == AMOUNT_LINES
    # The amounts typed into the check are not the person's own words.
    assert summary["In eigen woorden"] == ["ik wil een coach"]
    ticket = store.open_ticket_for(person.sender, url)
    assert ticket.summary["amounts"] == {"shared": True, "lines": AMOUNT_LINES}


def test_after_a_money_check_no_keeps_every_amount_out_of_the_ticket(helpline, url):
    person = WebPerson(helpline)
    money_check(person)
    assert [m["text"] for m in ask_a_coach(person)] == [SHARE_QUESTION]
    assert person.text("nee") == PLACE_QUESTION
    finish_with_place_and_chat(person)
    summary = summary_on_page(helpline, url, person)
    assert summary["Bedragen van de persoon"] == NOT_SHARED
    ticket = store.open_ticket_for(person.sender, url)
    assert ticket.summary["amounts"] == {"shared": False, "lines": NOT_SHARED}
    shown = summary_section(helpline, url, person)
    for amount in ("2500", "2.500", "2000", "2.000", "4000", "4.000", "1200", "1.200"):
        assert amount not in repr(ticket.summary), amount
        assert amount not in shown, amount


def test_stop_at_the_amounts_question_shares_nothing(helpline, url):
    person = WebPerson(helpline)
    money_check(person)
    assert [m["text"] for m in ask_a_coach(person)] == [SHARE_QUESTION]
    # As a "stop" at any handoff question: the form ends as after a "nee".
    assert person.text("stop") == text("handoff.declined", routes=desks_text(None))
    assert store.latest_ticket_for(person.sender, url) is None


def test_a_crisis_message_at_the_amounts_question_gets_the_crisis_answer(helpline, url):
    person = WebPerson(helpline)
    money_check(person)
    assert [m["text"] for m in ask_a_coach(person)] == [SHARE_QUESTION]
    # As at any handoff question: the crisis answer first, the handoff paused.
    assert person.text("ik wil niet meer leven").split("\n") == [
        "Wat naar dat je je zo voelt. Je hoeft dit niet alleen te dragen. Denk je aan zelfmoord, "
        "of maak je je zorgen om je veiligheid? Praat dan nu met 113 Zelfmoordpreventie. "
        "Bel 113 of gratis 0800-0113. Je kunt ook chatten op 113.nl. Dag en nacht, en anoniem. "
        "Is er direct gevaar? Bel dan 112. Wil je ook dat ik een coach van ons zoek?",
        "Je antwoorden van je aanvraag voor een coach heb ik bewaard. "
        "Wil je later verder? Tik op de knop of typ 'verder'.",
    ]
    state = tracker(helpline, person.sender)
    assert not state["active_loop"].get("name")
    assert state["slots"]["paused_form"] == "handoff_form"
    assert state["slots"]["handoff_share_money"] is None
    assert store.latest_ticket_for(person.sender, url) is None


SELF_TEST = [
    "ja graag",
    "iets in de zorg denk ik, of met kinderen",
    "Anderen helpen",
    "een beetje",
    "koken en puzzelen. en ik help graag mensen",
    "ik kan goed luisteren zegt mijn vrouw",
    "ja goed",
    "kassa, magazijn, heftruck rijden en planning maken",
    "15 jaar",
    "Vmbo of mbo 1-2",
    "vooral vaste taken",
    "kost wat moeite",
    "leuk",
    "een beetje",
    "ja genoeg",
    "soms",
    "nee",
    "nee",
    "nee allebei gaat goed",
]


def test_after_the_self_test_the_coach_reads_the_profile_about_the_person(helpline, url):
    person = WebPerson(helpline)
    assert "Vraag 1 van 19" in person.text("ik wil de zelftest doen")
    for answer in SELF_TEST:
        said = person.text(answer)
    assert said.startswith("Dit is je Persoonlijk Profiel.")
    assert (
        "Skills (sterk): 'kassa, magazijn, heftruck rijden en planning maken', je hebt veel" in said
    )
    assert [m["text"] for m in ask_a_coach(person)] == [PLACE_QUESTION]
    finish_with_place_and_chat(person)
    assert summary_on_page(helpline, url, person)["Persoonlijk Profiel"] == [
        "Talenten (sterk): De persoon kent de eigen sterke kanten goed. "
        "In eigen woorden: 'ik kan goed luisteren zegt mijn vrouw'.",
        "Skills (sterk): De persoon heeft veel werkervaring. "
        "In eigen woorden: 'kassa, magazijn, heftruck rijden en planning maken'.",
        "Drijfveren (gemiddeld): De persoon vindt anderen helpen belangrijk en weet een beetje "
        "wat hij of zij zoekt. In eigen woorden: 'koken en puzzelen. en ik help graag mensen'.",
        "Wendbaarheid (gemiddeld): De persoon vindt veranderen wat moeilijk, leert graag iets "
        "nieuws en heeft een beetje vertrouwen in een overstap.",
        "Werk- en denkniveau (gemiddeld): De persoon heeft een diploma vmbo of mbo 1-2 en doet "
        "vooral vaste taken.",
        "Doel en motivatie (sterk): De persoon wil heel graag ander werk. "
        "In eigen woorden: 'iets in de zorg denk ik, of met kinderen'.",
        "Sterk: de persoon wil heel graag ander werk en kent de eigen sterke kanten goed.",
        "Let op: de persoon maakt zich zorgen over geld.",
        "Tips die de persoon kreeg: geldcheck doen, een dag meelopen en info over een sector.",
    ]
