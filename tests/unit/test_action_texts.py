"""The small actions say what they said before their texts moved to data/texts/ (issue 18):
the same words, filled in the same way, in the same language."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import crisis, location, privacy, start_over
from loopbrug.assessment.questions import get_questions
from loopbrug.money.check import MONEY_SLOTS
from loopbrug.region import desks_text, get_region_model
from tests.conftest import make_tracker


def run(action, tracker) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def said(messages) -> List[str]:
    return [m["text"] for m in messages if m.get("text")]


def titles(message) -> List[str]:
    return [b["title"] for b in message.get("buttons") or []]


# ---- where the person lives ----------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, text",
    [
        ("zwole", "Bedoel je Zwolle? Zo niet, typ je woonplaats of postcode nog een keer."),
        ("Bergen", "Er zijn meer plaatsen met die naam. Welke bedoel je?"),
        (
            "12",
            "Dat lijkt geen postcode. Een postcode heeft 4 cijfers, soms met 2 letters, zoals "
            "3511 AB.",
        ),
        (
            "Atlantis",
            "Die plaats ken ik niet in Nederland. Typ de naam van je gemeente of je postcode. "
            "Woon je niet in Nederland? Op lerenenwerken.nl vind je alle loketten.",
        ),
    ],
)
def test_an_uncertain_place_is_explained(answer, text):
    dispatcher = CollectingDispatcher()
    location.explain_match(get_region_model().resolve(answer), dispatcher)
    assert said(dispatcher.messages) == [text]


def test_a_place_to_confirm_has_a_yes_button_with_its_name():
    dispatcher = CollectingDispatcher()
    location.explain_match(get_region_model().resolve("zwole"), dispatcher)
    assert titles(dispatcher.messages[0]) == ["Ja, Zwolle"]


def test_a_place_said_outside_the_form_is_remembered_in_so_many_words():
    messages = run(location.ActionSetLocation(), make_tracker("Zwolle", "inform_location"))
    assert said(messages) == [
        "Dank je. Ik onthoud dat je in Zwolle woont. Dat hoort bij Regio Zwolle."
    ]
    assert titles(messages[0]) == ["Mijn loket", "Scholingsvoucher", "Andere vraag"]


def test_the_desks_of_a_region_one_line_each():
    text = desks_text("GM0153")
    assert text.splitlines()[:3] == [
        "Je woont in Enschede, in de regio Twente. Hier kun je terecht:",
        "- Leerwerkloket Twente (twente.lerenenwerken.nl): gratis advies over werk en leren.",
        "- Twents Fonds voor Vakmanschap: geld voor een opleiding in jouw regio. We weten niet "
        "zeker of dit nog loopt.",
    ]
    assert "- Gemeente Enschede: bijstand, en gratis hulp bij schulden." in text.splitlines()
    assert desks_text(None) == "Op lerenenwerken.nl vind je het leerwerkloket bij jou in de buurt."


def test_the_desks_answer_says_how_to_change_the_place():
    slots = {"gemeente_code": "GM0153", "gemeente_naam": "Enschede", "arbeidsmarktregio": "Twente"}
    messages = run(location.ActionAnswerLoket(), make_tracker(slots=slots))
    assert said(messages)[0].endswith("\nWoon je ergens anders? Typ dan je plaats.")
    assert titles(messages[0]) == ["Opleiding betalen", "Praten met een coach", "Andere vraag"]


# ---- starting over -------------------------------------------------------------------------


def lost(**slots) -> str:
    return start_over.what_is_lost(make_tracker(slots=slots))


def test_what_starting_over_forgets_is_named_part_by_part():
    first = get_questions()[0].id
    total = len(get_questions())
    money = sorted(MONEY_SLOTS)[0]
    assert lost() == "wat je tot nu toe zei"
    assert lost(gemeente_naam="Zwolle") == "je woonplaats (Zwolle)"
    assert lost(**{first: "x", "gemeente_naam": "Zwolle"}) == (
        f"je antwoorden van de zelftest (1 van {total}) en je woonplaats (Zwolle)"
    )
    assert lost(**{first: "x", money: 100, "gemeente_naam": "Zwolle"}) == (
        f"je antwoorden van de zelftest (1 van {total}), je antwoorden van de geldcheck "
        "en je woonplaats (Zwolle)"
    )


def test_the_start_over_question_offers_the_test_alone_when_it_was_begun():
    messages = run(start_over.ActionConfirmStartOver(), make_tracker())
    assert titles(messages[0]) == ["Ja, begin opnieuw", "Nee, ga verder"]
    begun = make_tracker(slots={get_questions()[0].id: "x"})
    assert titles(run(start_over.ActionConfirmStartOver(), begun)[0])[-1] == (
        "Alleen de test opnieuw"
    )


# ---- after a crisis answer -----------------------------------------------------------------


@pytest.fixture
def no_ticket(monkeypatch):
    async def no_open_ticket(*args, **kwargs):
        return None

    monkeypatch.setattr(crisis.service, "mark_crisis", no_open_ticket)


@pytest.mark.parametrize(
    "lang, form, button",
    [
        ("nl", "de berekening van je buffer", "Verder met de vragen"),
        ("en", "the buffer calculation", "Go on with the questions"),
        ("tr", "de berekening van je buffer", "Verder met de vragen"),  # no texts: Dutch
        (None, "de berekening van je buffer", "Verder met de vragen"),
    ],
)
def test_a_paused_form_is_named_in_the_language_of_the_crisis_answer(no_ticket, lang, form, button):
    events = [
        {"event": "active_loop", "name": "buffer_form"},
        {"event": "user", "text": "ik wil dood"},
    ]
    tracker = make_tracker("ik wil dood", "crisis", events=events, slots={"crisis_lang": lang})
    [message] = run(crisis.ActionCrisisFollowup(), tracker)
    assert (message["response"], message["form"], titles(message)) == (
        "utter_crisis_form_paused",
        form,
        [button],
    )


@pytest.mark.parametrize(
    "other, topic",
    [
        ("debt_help", "hulp bij schulden"),
        ("capabilities", "wat kun je"),  # the title without its question mark
        ("calculate_transition", None),  # named in the coach's summary only, never offered
        ("greet", None),
    ],
)
def test_the_other_question_of_a_crisis_message_is_offered_for_later(no_ticket, other, topic):
    tracker = make_tracker("x", "crisis")
    tracker.latest_message["crisis"] = {"other_intent": other}
    messages = run(crisis.ActionCrisisFollowup(), tracker)
    if topic is None:
        assert messages == []
        return
    assert messages[0]["topic"] == topic
    assert titles(messages[0]) == ["Ja, zoek een coach", "Ja, daar later over"]


# ---- privacy -------------------------------------------------------------------------------


def test_privacy_information_ends_with_its_two_buttons():
    messages = run(privacy.ActionPrivacyInfo(), make_tracker())
    assert titles(messages[0]) == ["Wis mijn gegevens", "Verder met mijn vraag"]


def test_erasure_says_what_was_erased_or_that_it_failed(monkeypatch, caplog):
    monkeypatch.setattr(privacy, "erase_person", lambda sender: None)
    messages = run(privacy.ActionDeleteData(), make_tracker())
    assert said(messages) == [
        "Klaar. Ik heb alles over jou gewist: dit gesprek, je profiel, je geldcheck en je "
        "aanvraag voor een coach. Je kunt gewoon opnieuw beginnen als je wilt."
    ]
    assert titles(messages[0]) == ["Opnieuw beginnen"]

    def fail(sender):
        raise RuntimeError("database down")

    monkeypatch.setattr(privacy, "erase_person", fail)
    with caplog.at_level(logging.ERROR):
        messages = run(privacy.ActionDeleteData(), make_tracker())
    assert "could not be erased" in caplog.text
    assert said(messages) == [
        "Het wissen is niet helemaal gelukt. Dit gesprek is wel gewist. Typ straks nog een keer "
        "'wis mijn gegevens', dan probeer ik het opnieuw."
    ]
