"""Steering a form end to end: stop, back, corrections, questions inside, starting over.

Every turn asserts all messages the person reads, in order. Texts of the questions are read
from the domain (they belong to the forms); the steering texts are written out here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import httpx
import pytest
import yaml

from loopbrug.assessment.questions import get_question
from loopbrug.settings import ROOT
from tests.e2e.conftest import API_TOKEN, Chat

pytestmark = pytest.mark.e2e


def _responses() -> Dict[str, str]:
    texts: Dict[str, str] = {}
    for path in sorted(Path(ROOT / "bot" / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (data.get("responses") or {}).items():
            texts[name] = " ".join(variants[0]["text"].split())
    return texts


RESPONSES = _responses()
Q1 = RESPONSES["utter_ask_q_wil_anders"]
Q2 = RESPONSES["utter_ask_q_doel"]
Q3 = RESPONSES["utter_ask_q_drijfveer"]
MONEY_Q1 = RESPONSES["utter_ask_m_net_income"]
MONEY_Q2 = RESPONSES["utter_ask_m_fixed_costs"]
WAY_OUT = "Wil je stoppen? Typ 'stop'. Terug naar de vorige vraag? Typ 'terug'."
BACK = "Goed, we gaan een vraag terug."
CORRECTED = "Goed, ik heb je vorige antwoord aangepast. Nu weer deze vraag."
SELFTEST_PAUSED = RESPONSES["utter_assessment_paused"]
MONEY_PAUSED = RESPONSES["utter_money_paused"]


def texts(messages: List[dict]) -> List[str]:
    """What the person reads, one string per message (white space as a phone shows it)."""
    return [" ".join(m.get("text", "").split()) for m in messages]


def tracker(helpline, chat: Chat) -> dict:
    return httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()


def slots(helpline, chat: Chat) -> dict:
    return tracker(helpline, chat)["slots"]


def active_form(helpline, chat: Chat):
    return (tracker(helpline, chat).get("active_loop") or {}).get("name")


def start_selftest(chat: Chat) -> None:
    said = texts(chat.say("ik wil de zelftest doen"))
    assert said[-1] == Q1 and len(said) == 2
    assert texts(chat.say("heel graag")) == [Q2]
    assert texts(chat.say("timmerman")) == [Q3]


def test_back_correct_explain_and_stop_in_the_selftest(chat: Chat, helpline):
    start_selftest(chat)
    # "terug" asks the question before again; it does not wipe the conversation.
    assert texts(chat.say("terug")) == [BACK, Q2]
    assert texts(chat.say("timmerman")) == [Q3]
    # A correction of the answer before, said at the next question.
    assert texts(chat.say("nee wacht, toch niet timmerman, ik bedoel kok")) == [CORRECTED, Q3]
    assert slots(helpline, chat)["q_doel"]["value"] == "kok"
    # A question about the question is explained, never stored as an answer.
    hint = get_question("q_drijfveer").hint
    explained = texts(chat.say("wat bedoel je precies met deze vraag?"))
    assert explained == [" ".join(RESPONSES.get("utter_explain_q_drijfveer", hint).split()), Q3]
    assert slots(helpline, chat)["q_drijfveer"] is None
    # Stopping in other words than "stop": the answers stay.
    assert texts(chat.say("stoppen!!")) == [SELFTEST_PAUSED]
    kept = slots(helpline, chat)
    assert kept["q_wil_anders"] and kept["q_doel"] and active_form(helpline, chat) is None
    # Coming back goes on at the question where the person stopped.
    assert texts(chat.say("zelftest")) == [
        " ".join(RESPONSES["utter_assessment_resume"].format(next=3, total=19).split()),
        Q3,
    ]


def test_back_at_the_first_question_says_so(chat: Chat):
    said = texts(chat.say("ik wil de zelftest doen"))
    assert said[-1] == Q1
    assert texts(chat.say("vorige vraag")) == [
        "Dit is de eerste vraag, eerder kan niet. Wil je stoppen? Typ dan 'stop'.",
        Q1,
    ]


def test_starting_over_asks_first_and_says_what_is_lost(chat: Chat, helpline):
    start_selftest(chat)
    confirm = chat.say("opnieuw")
    assert texts(confirm) == [
        "Wil je helemaal opnieuw beginnen? Dan vergeet ik je antwoorden van de zelftest "
        "(2 van 19). Een bewaard profiel en een aanvraag bij een coach blijven wel bestaan."
    ]
    assert [b["title"] for b in confirm[0]["buttons"]] == [
        "Ja, begin opnieuw",
        "Nee, ga verder",
        "Alleen de test opnieuw",
    ]
    # "nee": nothing is lost, the test goes on where it was.
    assert texts(chat.say("nee")) == ["Goed, we gaan gewoon verder. Er is niets gewist.", Q3]
    assert slots(helpline, chat)["q_doel"]["value"] == "timmerman"
    # "ja" after asking again: now everything is forgotten.
    chat.say("opnieuw")
    assert texts(chat.say("ja")) == [" ".join(RESPONSES["utter_restart"].split())]
    assert slots(helpline, chat)["q_doel"] is None


@pytest.mark.parametrize(
    "stop", ["stop met die vragen", "stoppen!!", "ik wil uit die test", "laat maar", "doei"]
)
def test_the_money_check_can_be_left_in_many_words(chat: Chat, helpline, stop):
    assert texts(chat.say("ik wil de geldcheck doen"))[-1] == MONEY_Q1
    assert texts(chat.say("ongeveer 2000")) == [MONEY_Q2]
    assert texts(chat.say(stop)) == [MONEY_PAUSED]
    assert active_form(helpline, chat) is None


def test_a_reply_that_is_not_understood_says_how_to_get_out_and_nobody_gets_stuck(chat: Chat):
    chat.say("ik wil de geldcheck doen")
    for _ in range(2):
        said = texts(chat.say("blauw"))
        assert said[-2:] == [WAY_OUT, MONEY_Q1]
        assert len(said) == 3
    # The third miss on one question skips it (it can be changed later).
    said = texts(chat.say("blauw"))
    assert said[-2:] == [
        "Ik snap het nog niet. Ik sla deze vraag nu over. Je kunt je antwoord later nog aanpassen.",
        MONEY_Q2,
    ]


def test_coming_back_after_stopping_or_a_break(chat: Chat):
    start_selftest(chat)
    assert texts(chat.say("hoi ik ben er weer")) == [
        "Fijn dat je er weer bent. We gaan verder waar je was.",
        Q3,
    ]
    assert texts(chat.say("ik wil uit die test")) == [SELFTEST_PAUSED]
    assert texts(chat.say("verder")) == [Q3]


def test_what_a_money_question_means(chat: Chat, helpline):
    chat.say("ik wil de geldcheck doen")
    chat.say("ongeveer 2000")
    assert texts(chat.say("wat bedoel je met vaste lasten?")) == [
        " ".join(RESPONSES["utter_explain_m_fixed_costs"].split()),
        MONEY_Q2,
    ]
    assert slots(helpline, chat)["m_fixed_costs"] is None


def test_changing_ones_mind_mid_form_starts_the_other_flow(chat: Chat):
    chat.say("ik wil de geldcheck doen")
    said = texts(chat.say("nee laat toch maar, ik wil eerst die zelftest doen"))
    assert said[-1] == Q1


def test_back_and_stop_outside_a_form_get_a_short_answer(chat: Chat):
    assert texts(chat.say("terug")) == [
        "Ik stel je nu geen vragen, dus terug kan niet. Waar kan ik je mee helpen?"
    ]
    assert texts(chat.say("stop met die vragen")) == [
        "Goed. Ik stel je nu geen vragen meer. Waar kan ik je nog mee helpen?"
    ]


def test_the_handoff_questions_can_be_left_and_an_unclear_reply_is_asked_again(chat: Chat):
    consent = texts(chat.say("ik wil een coach spreken"))
    assert len(consent) == 1 and consent[0].endswith("Vind je dat goed?")
    assert (
        texts(chat.say("banaan")) == ["Kies ja of nee. Dan weet ik wat je wilt.", WAY_OUT] + consent
    )
    said = texts(chat.say("stop met die vragen"))
    assert len(said) == 1
    assert said[0].startswith("Dat is goed. Ik deel niets met een coach.")
    # The questions are over: a greeting is a greeting again, not an answer to them.
    assert not any("Vind je dat goed?" in line for line in texts(chat.say("hoi")))


def test_back_and_explain_inside_the_handoff(chat: Chat):
    consent = texts(chat.say("ik wil een coach spreken"))
    place = texts(chat.say("ja"))
    assert place == [" ".join(RESPONSES["utter_ask_handoff_form_location_input"].split())]
    assert texts(chat.say("wat bedoel je?")) == [
        " ".join(RESPONSES["utter_explain_location_input"].split()),
        place[0],
    ]
    assert texts(chat.say("terug")) == [BACK] + consent


def test_the_desk_question_can_be_left(chat: Chat):
    asked = texts(chat.say("waar is het leerwerkloket"))
    assert asked, "the desk question"
    assert texts(chat.say("laat maar")) == [" ".join(RESPONSES["utter_location_skipped"].split())]


def test_asking_what_the_questions_words_mean_and_correcting_a_named_answer(chat: Chat, helpline):
    chat.say("ik wil de geldcheck doen")
    chat.say("1600")
    assert texts(chat.say("wat zijn vaste lasten")) == [
        " ".join(RESPONSES["utter_explain_m_fixed_costs"].split()),
        MONEY_Q2,
    ]
    chat.say("1100 ongeveer")
    chat.say("nee")
    assert texts(chat.say("nee wacht ik bedoel 1200 vaste lasten")) == [
        CORRECTED,
        " ".join(RESPONSES["utter_ask_m_dependants"].split()),
    ]
    assert slots(helpline, chat)["m_fixed_costs"] == 1200
