"""Issue 16, "it gives up too fast, and on the wrong things": whole conversations against the
real Rasa and action servers, asserting every message and button the person sees.

Off-topic gets "daar weet ik niets van" with topics; gibberish gets "kun je het anders
zeggen?"; neither ever leads to the offer of a person. Misses on our own topics get guesses,
then topics, and only then a person. Erasure is never offered as a guess.
"""

from __future__ import annotations

import pytest

from actions.clarify import INTENT_LABELS
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

OFF_TOPIC = (
    "Daar weet ik niets van. Ik help je met werk, leren en geld. Kies een onderwerp, of stel je "
    "vraag.",
    ["Ander werk zoeken", "Opleiding betalen", "Geldzorgen", "Zelftest doen"],
)
GIBBERISH = ("Dat begrijp ik niet. Kun je het anders zeggen?", [])
TOPICS = (
    "Ik begrijp je nog niet goed. Over welk onderwerp gaat je vraag?",
    ["Ander werk zoeken", "Opleiding betalen", "Geldzorgen", "Zelftest doen"],
)
OFFER_PERSON = (
    "Sorry, ik begrijp je nog steeds niet goed. Een coach kan je beter helpen. Zal ik een coach "
    "voor je zoeken?",
    ["Ja, een mens graag", "Nee, ik probeer het anders"],
)
GUESS_TEXT = "Ik weet niet zeker of ik je goed begrijp. Bedoel je een van deze?"


def seen(messages):
    """What the person reads: each message's text and its button titles."""
    return [(m.get("text", ""), [b["title"] for b in m.get("buttons", [])]) for m in messages]


def test_off_topic_and_gibberish_never_lead_to_a_person(chat: Chat):
    assert seen(chat.say("wie wint het wk")) == [OFF_TOPIC]
    assert seen(chat.say("asdfghjkl")) == [GIBBERISH]
    assert seen(chat.say("wie wint het wk")) == [OFF_TOPIC]
    assert seen(chat.say("😀😀😀")) == [GIBBERISH]
    assert seen(chat.say("sdkjfh sdfkj")) == [GIBBERISH]
    assert seen(chat.say("qwzx vlorp")) == [GIBBERISH]
    assert seen(chat.say("wie wint het wk")) == [OFF_TOPIC]


def test_misses_on_our_topics_get_guesses_then_topics_then_a_person(chat: Chat):
    [(text, buttons)] = seen(chat.say("ik twijfel over van alles"))
    # The guesses come from the classifier; they are topics, never erasure.
    assert text == GUESS_TEXT
    assert buttons[-1] == "Iets anders" and 1 <= len(buttons) - 1 <= 2
    assert set(buttons[:-1]) <= set(INTENT_LABELS.values())
    assert "Mijn gegevens wissen" not in buttons
    assert seen(chat.say("en hoe zit het met dat andere ding")) == [TOPICS]
    assert seen(chat.say("asdfghjkl")) == [GIBBERISH]  # does not count
    assert seen(chat.say("dat ding van laatst")) == [OFFER_PERSON]


def test_a_real_answer_starts_the_count_again(chat: Chat):
    assert seen(chat.say("ik twijfel over van alles"))[0][0] == GUESS_TEXT
    assert seen(chat.say("en hoe zit het met dat andere ding")) == [TOPICS]
    assert seen(chat.say("wie wint het wk")) == [OFF_TOPIC]
    chat.say("/capabilities")  # a real answer in between
    assert seen(chat.say("dat ding van laatst"))[0][0] == GUESS_TEXT


def test_changing_jobs_is_understood_and_never_offers_erasure(chat: Chat):
    assert seen(chat.say("ik denk erover om van beroep te wisselen")) == [
        (
            "Twijfel je over je werk, of moet je weg? Neem dan even de tijd om rond te kijken. "
            "Begin met drie vragen: wie ben ik, wat wil ik en wat kan ik? Daarna zoek je werk dat "
            "daarbij past, en probeer je het eerst uit. Doe hieronder de zelftest, of zoek hulp "
            "bij jou in de buurt.",
            [
                "Meer weten?",
                "Zelftest doen",
                "Mijn loket vinden",
                "Praten met een coach",
                "Andere vraag",
            ],
        )
    ]
