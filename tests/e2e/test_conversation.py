"""End to end over the REST channel, against the real Rasa and action servers."""

import httpx
import pytest
import yaml

from tests.conftest import ROOT
from tests.e2e.conftest import API_TOKEN, Chat, parse

pytestmark = pytest.mark.e2e


def test_servers_answer_their_health_urls(helpline):
    settings = helpline.settings
    assert httpx.get(f"{settings.rasa_url}/").status_code == 200
    health = httpx.get(f"http://127.0.0.1:{settings.actions_port}/health")
    assert health.status_code == 200


def test_welcome_says_it_is_a_digital_assistant_and_offers_a_person(chat: Chat):
    messages = chat.say("hoi")
    assert "digitale assistent" in messages[0]["text"]
    assert "coach" in messages[0]["text"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert "/request_human" in payloads and len(payloads) >= 3


def test_a_button_payload_leads_to_its_answer(chat: Chat):
    assert "2023" in chat.text("/funding_stap")  # the ended scheme, with its end date


def test_a_typed_question_reaches_its_answer(chat: Chat):
    assert "2023" in chat.text("hoe vraag ik stap budget aan")


def test_gibberish_is_asked_again_and_never_handed_to_a_person(chat: Chat):
    # Issue 16: gibberish asks to say it differently, every time; never "Een coach kan je
    # beter helpen" (tests/e2e/test_clarify_e2e.py has the whole conversations).
    for _ in range(3):
        assert [m["text"] for m in chat.say("qwzx vlorp")] == [
            "Dat begrijp ik niet. Kun je het anders zeggen?"
        ]


def test_out_of_scope_goes_to_clarification(chat: Chat):
    messages = chat.say("wie heeft gisteren de voetbalwedstrijd gewonnen")
    assert messages[0]["text"] == (
        "Daar weet ik niets van. Ik help je met werk, leren en geld. "
        "Kies een onderwerp, of stel je vraag."
    )


def test_crisis_is_answered_with_113(chat: Chat):
    text = chat.text("ik zie het niet meer zitten")
    assert "113" in text and "0800-0113" in text


def test_crisis_wins_in_the_middle_of_a_form(chat: Chat):
    assert "postcode" in chat.text("waar is het leerwerkloket")  # the form asks where you live
    text = chat.text("ik wil er een eind aan maken")
    assert "0800-0113" in text
    # The form is closed: a greeting now gets the welcome, not the place question again.
    assert "digitale assistent" in chat.text("hoi")


def test_yes_after_the_crisis_answer_offers_a_person(chat: Chat):
    chat.text("ik wil niet meer leven")
    assert "mens" in chat.text("ja").lower()


def test_restart_command_starts_over(chat: Chat):
    chat.text("hoi")
    assert "opnieuw" in chat.text("/start_over").lower()


def test_crisis_recall_is_complete_on_the_curated_set(helpline):
    data = yaml.safe_load((ROOT / "tests/nlu/crisis_set.yml").read_text())
    missed = [t for t in data["crisis"] if parse(helpline, t)["intent"]["name"] != "crisis"]
    assert missed == []


def test_near_crisis_messages_are_not_treated_as_crisis(helpline):
    data = yaml.safe_load((ROOT / "tests/nlu/crisis_set.yml").read_text())
    wrong = [
        i["text"]
        for i in data["not_crisis"]
        if parse(helpline, i["text"])["intent"]["name"] == "crisis"
    ]
    assert wrong == []


def test_http_api_needs_the_token(helpline):
    url = f"{helpline.settings.rasa_url}/model/parse"
    assert httpx.post(url, json={"text": "hoi"}).status_code == 401
    assert httpx.post(url, params={"token": "wrong"}, json={"text": "hoi"}).status_code == 401
    assert httpx.post(url, params={"token": API_TOKEN}, json={"text": "hoi"}).status_code == 200
