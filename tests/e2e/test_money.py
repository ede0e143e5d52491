"""The money check and calculators end to end."""

import sqlite3

import httpx
import pytest

from tests.e2e.conftest import API_TOKEN, Chat

pytestmark = pytest.mark.e2e


def run_check(chat: Chat, replies):
    messages = chat.say("/finance_check")
    assert "Vraag 1 van 10" in " ".join(m.get("text", "") for m in messages)
    for reply in replies:
        messages = chat.say(reply)
    return messages


def text(messages):
    return " ".join(m.get("text", "") for m in messages)


def payloads(messages):
    return [b["payload"] for m in messages for b in m.get("buttons", [])]


GREEN = ["3000", "1500", "0", "0", "12000", "nee", "net zoveel als nu", "0", "0", "0"]
RED_WITH_DEBTS = ["2000", "1800", "0", "2", "0", "ja, schulden", "0", "0", "100", "0"]
ORANGE = ["2500", "2000", "0", "0", "4000", "nee", "1200", "0", "0", "0"]


@pytest.mark.parametrize("start", ["ik wil de geldcheck doen", "/finance_check"])
def test_the_money_check_starts_with_its_intro_and_question_one_only(chat: Chat, start):
    """Issue 16: the start once came with nine "Ik zie geen bedrag" lines."""
    messages = chat.say(start)
    assert [m["text"] for m in messages] == [
        "Met de geldcheck kijken we of je een overstap kunt betalen. Er komen 10 korte vragen. "
        "Een schatting is genoeg. Je mag een vraag overslaan. Ik bewaar geen bedragen, "
        "alleen de uitkomst.",
        "Vraag 1 van 10. Hoeveel geld krijg je nu per maand netto binnen? Typ een bedrag of kies.",
    ]
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "Tot € 1.500",
        "€ 1.500 - 2.500",
        "€ 2.500 - 3.500",
        "Meer dan € 3.500",
        "Weet ik niet",
    ]


def test_green_continues_to_orientation(chat: Chat):
    outcome = run_check(chat, GREEN)
    assert "Groen" in text(outcome)
    assert "schatting" in text(outcome)


def test_red_with_debts_goes_to_free_help_and_a_coach(chat: Chat):
    outcome = run_check(chat, RED_WITH_DEBTS)
    assert "Rood" in text(outcome)
    assert "/debt_help" in payloads(outcome) and "/request_human" in payloads(outcome)


def test_orange_names_the_gap_and_the_buffer_months(chat: Chat):
    outcome = run_check(chat, ORANGE)
    assert "Oranje" in text(outcome)
    assert "€ 800 per maand tekort" in text(outcome)  # 2000 costs - 1200 income
    assert "5 maanden" in text(outcome)  # 4000 / 800


def test_dutch_amounts_are_read_and_nonsense_is_asked_again(chat: Chat, helpline):
    chat.say("/finance_check")
    assert "Vraag 2 van 10" in text(chat.say("€ 2.500,50"))
    again = chat.say("heel veel")
    assert "Vraag 2 van 10" in text(again) and "bedrag" in text(again).lower()
    assert "Vraag 2 van 10" in text(chat.say("-200"))
    assert "Vraag 3 van 10" in text(chat.say("tweeduizend"))
    assert "Vraag 4 van 10" in text(chat.say("2,5k"))
    slots = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()["slots"]
    # Nothing given earlier was lost by the re-asks.
    assert (slots["m_net_income"], slots["m_fixed_costs"], slots["m_household_income"]) == (
        2500.5,
        2000.0,
        2500.0,
    )


def test_amounts_are_cleared_and_only_the_outcome_is_stored(chat: Chat, helpline, e2e_dir):
    run_check(chat, ORANGE)
    slots = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()["slots"]
    assert slots["m_net_income"] is None and slots["money_colour"] == "oranje"
    with sqlite3.connect(e2e_dir / "loopbrug.db") as db:
        stored = [row[0] for row in db.execute("select outcome from loopbrug_money_checks")]
    assert stored and all("2500" not in row and "4000" not in row for row in stored)


def test_acute_debt_inside_the_check_gets_priority_help_at_once(chat: Chat):
    run_check(chat, ["2000", "1800", "0", "0", "0"])
    reply = chat.say("de deurwaarder komt volgende week")
    assert "0800-8115" in text(reply) and "3 dagen" in text(reply)
    assert "Vraag 7 van 10" in text(reply)  # and the check goes on


def test_acute_debt_outside_the_check_gets_priority_help(chat: Chat):
    reply = text(chat.say("ik heb schulden en morgen wordt mijn stroom afgesloten"))
    assert "3 dagen" in reply and "0800-8115" in reply


def test_crisis_during_the_check_wins(chat: Chat):
    chat.say("/finance_check")
    assert "113" in text(chat.say("ik wil er niet meer zijn"))


def test_transition_calculator(chat: Chat):
    chat.say("/calculate_transition")
    chat.say("3000")
    reply = text(chat.say("10"))
    assert "€ 10.000" in reply and "schatting" in reply


def test_gap_and_buffer_calculators(chat: Chat):
    chat.say("/calculate_gap")
    chat.say("1200")
    assert "€ 500" in text(chat.say("1700"))
    chat.say("/calculate_buffer")
    chat.say("3000")
    assert "6 maanden" in text(chat.say("500"))
