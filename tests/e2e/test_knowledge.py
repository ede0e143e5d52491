"""Knowledge-base answers end to end: every intent, sectors, regions, ended schemes, more."""

import json

import pytest

from actions.knowledge_base import KnowledgeBase
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

KB = KnowledgeBase.load()
ORIENTATION_AND_FUNDING = """
orientation_start shortage_sectors sector_info experience_work orientation_programs training_routes
skills_recognition orientation_time guidance_support funding_overview funding_voucher
funding_employer funding_sector_fund funding_transition_payment funding_benefits funding_loan
funding_stap career_advice_free
""".split()


def default(intent):
    return KB.select(intent)


@pytest.mark.parametrize("intent", ORIENTATION_AND_FUNDING)
def test_every_orientation_and_funding_intent_reaches_its_answer(chat: Chat, intent):
    messages = chat.say(f"/{intent}")
    assert messages[0]["text"] == default(intent).answer
    # A region-dependent answer (the voucher) ends with the place line (issue 16).
    assert messages[-1]["buttons"], "every answer ends with next-step buttons"


@pytest.mark.parametrize(
    "sector",
    [
        "zorg",
        "onderwijs",
        "techniek",
        "energietransitie",
        "ict",
        "bouw",
        "kinderopvang",
        "logistiek",
        "groen",
    ],
)
def test_sector_questions_get_the_sector_answer(chat: Chat, sector):
    payload = "/sector_info" + json.dumps({"sector": sector})
    expected = KB.select("sector_info", sector=sector)
    assert expected is not default("sector_info"), f"no entry for {sector}"
    assert chat.say(payload)[0]["text"] == expected.answer


def test_voucher_answer_uses_the_region_when_known(chat: Chat):
    national = chat.say("/funding_voucher")[0]["text"]
    assert national == default("funding_voucher").answer
    chat.text("ik ben verhuisd naar Doetinchem")
    regional = KB.select("funding_voucher", region="Achterhoek")
    assert not regional.national
    assert chat.say("/funding_voucher")[0]["text"] == regional.answer


def test_ended_schemes_are_named_as_ended(chat: Chat):
    stap = default("funding_stap")
    assert stap.status == "ended" and stap.ended_on
    assert "2023" in chat.text("/funding_stap")


def test_meer_weten_gives_the_longer_text(chat: Chat):
    first = chat.say("/funding_loan")
    more = next(b for b in first[0]["buttons"] if b["title"] == "Meer weten?")
    assert chat.say(more["payload"])[0]["text"] == default("funding_loan").more


def test_a_next_step_button_leads_on(chat: Chat):
    first = chat.say("/funding_overview")
    step = next(b for b in first[0]["buttons"] if b["payload"] == "/funding_employer")
    assert chat.say(step["payload"])[0]["text"] == default("funding_employer").answer
