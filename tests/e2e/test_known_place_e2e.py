"""Issue 16, "a known place is asked again": whole conversations against the real Rasa and
action servers, asserting every message and button the person sees.

Once the place is known, the voucher answer, the desk answer and the handoff use it, say
which place they used, and say how to change it. A place misspelt inside the question that
opens the desk form ("ik kom uit Leeuwaarden, is daar een leerwerkloket") is used at once.
"""

from __future__ import annotations

from typing import List, Tuple

import pytest

from loopbrug.knowledge import reply
from loopbrug.knowledge.retrieve import get_retriever
from loopbrug.knowledge.units import get_knowledge_base
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

Seen = List[Tuple[str, List[str]]]


def seen(messages) -> Seen:
    """What the person reads: each message's text and its button titles."""
    return [(m.get("text", ""), [b["title"] for b in m.get("buttons", [])]) for m in messages]


CHANGE = "Woon je ergens anders? Typ dan je plaats."
DESK_BUTTONS = ["Opleiding betalen", "Praten met een coach", "Andere vraag"]
ZWOLLE_DESKS = (
    "Je woont in Zwolle, in Regio Zwolle. Hier kun je terecht:\n"
    "- Gemeente Zwolle: bijstand, en gratis hulp bij schulden.\n"
    "- UWV (werk.nl): vragen over de WW.\n"
    "- Werkcentra in Nederland (werkcentrum.nl): vragen over werk en opleiding, ook zonder "
    "afspraak.\n"
    "- Leerwerkloket zoeken (leerwerkloket.nl): hier vind je het leerwerkloket bij jou in de "
    "buurt."
)
DEVENTER_DESKS = (
    "Je woont in Deventer, in de regio Veluwe Stedendriehoek. Hier kun je terecht:\n"
    "- Gemeente Deventer: bijstand, en gratis hulp bij schulden.\n"
    "- UWV (werk.nl): vragen over de WW.\n"
    "- Werkcentra in Nederland (werkcentrum.nl): vragen over werk en opleiding, ook zonder "
    "afspraak.\n"
    "- Leerwerkloket zoeken (leerwerkloket.nl): hier vind je het leerwerkloket bij jou in de "
    "buurt."
)
LEEUWARDEN_DESKS = (
    "Je woont in Leeuwarden, in de regio Friesland. Hier kun je terecht:\n"
    "- Leerwerkloket Fryslân: gratis advies over werk en leren.\n"
    "- Het Noorden Leert Door: geld voor een opleiding in jouw regio. We weten niet zeker of "
    "dit nog loopt.\n"
    "- Gemeente Leeuwarden: bijstand, en gratis hulp bij schulden.\n"
    "- UWV (werk.nl): vragen over de WW.\n"
    "- Werkcentra in Nederland (werkcentrum.nl): vragen over werk en opleiding, ook zonder "
    "afspraak.\n"
    "- Leerwerkloket zoeken (leerwerkloket.nl): hier vind je het leerwerkloket bij jou in de "
    "buurt."
)
KB = get_knowledge_base()
# The voucher question's unit (issue 17): national first, then the regional part.
NATIONAL = (
    get_retriever(KB).pick("hoe kom ik aan een scholingsvoucher", intent="funding_voucher").unit
)
VOUCHER = reply.answer(KB, NATIONAL, with_buttons=False).text
VOUCHER_BUTTONS = [b["title"] for b in reply.buttons(KB, NATIONAL)]


def regional(region: str) -> str:
    """The regional part of the voucher answer for an arbeidsmarktregio."""
    variant = KB.regional_for(NATIONAL, region)
    return f"{variant.answer}\n{reply.check_line(KB, variant)}"


def test_a_known_place_is_used_and_said_never_asked_again(chat: Chat):
    assert seen(chat.say("ik woon in Zwolle")) == [
        (
            "Dank je. Ik onthoud dat je in Zwolle woont. Dat hoort bij Regio Zwolle.",
            ["Mijn loket", "Scholingsvoucher", "Andere vraag"],
        )
    ]
    # The button "Scholingsvoucher": the answer uses Zwolle instead of asking the place.
    assert seen(chat.say("/funding_voucher")) == [
        (VOUCHER, []),
        (regional("Regio Zwolle"), []),
        (f"Ik ga uit van Zwolle, in Regio Zwolle. {CHANGE}", VOUCHER_BUTTONS),
    ]
    # The desk question: the desks at once, with the way to change the place.
    assert seen(chat.say("waar is het leerwerkloket")) == [
        (f"{ZWOLLE_DESKS}\n{CHANGE}", DESK_BUTTONS)
    ]
    # Typing another place right after the desks gives that place's desks.
    assert seen(chat.say("Deventer")) == [(DEVENTER_DESKS, DESK_BUTTONS)]
    assert seen(chat.say("waar is het loket")) == [(f"{DEVENTER_DESKS}\n{CHANGE}", DESK_BUTTONS)]


def test_without_a_place_the_voucher_answer_asks_for_it(chat: Chat):
    assert seen(chat.say("hoe kom ik aan een scholingsvoucher")) == [
        (VOUCHER, []),
        (
            "Vertel me in welke plaats je woont, of zoek hieronder je leerwerkloket.",
            VOUCHER_BUTTONS,
        ),
    ]


def test_a_misspelt_place_inside_the_question_is_used_for_that_question(chat: Chat):
    assert seen(chat.say("ik kom uit Leeuwaarden, is daar een leerwerkloket")) == [
        (f"{LEEUWARDEN_DESKS}\n{CHANGE}", DESK_BUTTONS)
    ]
    # Remembered for the next question too.
    assert seen(chat.say("/funding_voucher"))[-1][0].startswith(
        "Ik ga uit van Leeuwarden, in de regio Friesland."
    )


def test_a_short_typo_in_the_question_is_confirmed_first(chat: Chat):
    messages = chat.say("is er in Arnhm een leerwerkloket")
    assert seen(messages) == [
        ("Bedoel je Arnhem? Zo niet, typ je woonplaats of postcode nog een keer.", ["Ja, Arnhem"]),
        (
            "In welke gemeente of plaats woon je? Je mag ook je postcode sturen, bijvoorbeeld 3511.",
            [],
        ),
    ]
    answer = seen(chat.say(messages[0]["buttons"][0]["payload"]))
    assert answer[0][0].startswith("Je woont in Arnhem, in de regio Midden-Gelderland.")
    assert answer[0][0].endswith(CHANGE)


def test_a_misspelt_place_inside_a_voucher_question_is_used(chat: Chat):
    assert seen(chat.say("kan ik in Leeuwaarden een scholingsvoucher krijgen")) == [
        (VOUCHER, []),
        (regional("Friesland"), []),
        (f"Ik ga uit van Leeuwarden, in de regio Friesland. {CHANGE}", VOUCHER_BUTTONS),
    ]
    # Remembered: the desk question is answered for Leeuwarden at once.
    assert seen(chat.say("waar is het leerwerkloket")) == [
        (f"{LEEUWARDEN_DESKS}\n{CHANGE}", DESK_BUTTONS)
    ]


def test_a_place_said_beside_a_question_is_not_asked_again(chat: Chat):
    chat.say("ik woon in zwolle, waar kan ik heen voor advies over werk")
    reply = " ".join(m.get("text", "") for m in chat.say("en is er ook een leerwerkloket"))
    assert "Zwolle" in reply
    assert "In welke gemeente" not in reply
