"""Issue 16: a known place is used (and said), never asked again; a place misspelt in the
question that opens the desk form is used; a request for a person keeps its topic."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.handoff import ActionAskHandoffContact, ValidateHandoffForm
from actions.location import ActionAnswerLoket, ActionSetLocation, ValidateLocationForm
from loopbrug.handoff import summary
from loopbrug.knowledge import reply
from loopbrug.knowledge.retrieve import get_retriever
from loopbrug.knowledge.units import get_knowledge_base
from tests.conftest import make_tracker

ZWOLLE = {
    "gemeente_code": "GM0193",
    "gemeente_naam": "Zwolle",
    "arbeidsmarktregio": "Regio Zwolle",
    "location_input": "Zwolle",
}
DOETINCHEM = {
    "gemeente_code": "GM0222",
    "gemeente_naam": "Doetinchem",
    "arbeidsmarktregio": "Achterhoek",
    "location_input": "Doetinchem",
}


def user(text: str, intent: Optional[str]) -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


# ---- the desk form -------------------------------------------------------------------------


async def test_a_misspelt_place_in_the_opening_question_is_taken():
    text = "ik kom uit Leeuwaarden, is daar een leerwerkloket"
    tracker = make_tracker(text, "find_loket", slots={"requested_slot": None})
    extracted = await ValidateLocationForm().extract_location_input(
        CollectingDispatcher(), tracker, {}
    )
    assert extracted == {"location_input": text}
    slots = ValidateLocationForm().validate_location_input(
        text, CollectingDispatcher(), tracker, {}
    )
    assert (slots["gemeente_naam"], slots["arbeidsmarktregio"]) == ("Leeuwarden", "Friesland")


@pytest.mark.parametrize(
    "text, slots",
    [
        ("waar is het leerwerkloket", {}),  # no place: the form asks
        ("ik kan daar niet terecht, waar is het loket", {}),  # "terecht" is no Utrecht
        ("Deventer", {"requested_slot": "location_input"}),  # the answer: the form's own mapping
        ("waar is het loket", {"location_input": "Zwolle"}),  # already known
    ],
)
async def test_nothing_is_taken_without_a_place_or_after_the_question(text, slots):
    tracker = make_tracker(text, "find_loket" if not slots else "inform_location", slots=slots)
    extracted = await ValidateLocationForm().extract_location_input(
        CollectingDispatcher(), tracker, {}
    )
    assert extracted == {}


async def test_the_desk_answer_says_how_to_change_the_place():
    dispatcher = CollectingDispatcher()
    await ActionAnswerLoket().run(dispatcher, make_tracker(slots=ZWOLLE), {})
    [message] = dispatcher.messages
    assert message["text"].startswith("Je woont in Zwolle, in Regio Zwolle. Hier kun je terecht:")
    assert message["text"].endswith("\nWoon je ergens anders? Typ dan je plaats.")


async def test_a_new_place_right_after_the_desks_gives_the_new_desks():
    events = [
        user("waar is het loket", "find_loket"),
        action("action_answer_loket"),
        action("action_listen"),
        user("Doetinchem", "inform_location"),
    ]
    tracker = make_tracker("Doetinchem", "inform_location", events=events, slots=ZWOLLE)
    dispatcher = CollectingDispatcher()
    slots = await ActionSetLocation().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["text"].startswith("Je woont in Doetinchem, in de regio Achterhoek.")
    assert {e["name"]: e["value"] for e in slots}["gemeente_code"] == "GM0222"


# ---- answers that depend on the region ---------------------------------------------------


async def answer(slots):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("hoe kom ik aan een scholingsvoucher", "funding_voucher", slots=slots)
    await ActionAnswer().run(dispatcher, tracker, {})
    return dispatcher.messages


def voucher_units():
    kb = get_knowledge_base()
    found = get_retriever().pick("hoe kom ik aan een scholingsvoucher", intent="funding_voucher")
    assert kb.has_regional(found.unit)
    return kb, found.unit


async def test_voucher_gives_the_national_answer_then_the_regional_fund_of_the_known_place():
    kb, national = voucher_units()
    first, second, third = await answer(DOETINCHEM)
    assert first["text"] == reply.answer(kb, national, with_buttons=False).text
    assert not first["buttons"]
    variant = kb.regional_for(national, "Achterhoek")
    assert "Opijver" in second["text"] and second["text"].startswith(variant.answer)
    assert third["response"] == "utter_place_used"
    assert (third["place"], third["region"]) == ("Doetinchem", "de regio Achterhoek")
    assert third["buttons"]


async def test_a_place_misspelt_in_the_voucher_question_is_used_and_remembered():
    kb, national = voucher_units()
    dispatcher = CollectingDispatcher()
    text = "kan ik in Leeuwaarden een scholingsvoucher krijgen"
    tracker = make_tracker(text, "funding_voucher", slots=dict(ZWOLLE))
    events = await ActionAnswer().run(dispatcher, tracker, {})
    first, second, third = dispatcher.messages
    variant = kb.regional_for(national, "Friesland")
    assert second["text"].startswith(variant.answer)
    assert third["response"] == "utter_place_used" and third["place"] == "Leeuwarden"
    slots = {e["name"]: e["value"] for e in events}
    assert slots["gemeente_code"] == "GM0080" and slots["last_topic"] == national.id


async def test_voucher_without_a_place_asks_for_it_once():
    first, second = await answer({})
    assert second["response"] == "utter_place_ask"


# ---- the handoff form --------------------------------------------------------------------


def consent_events(value="ja"):
    return [
        user("ik wil een coach", "request_human"),
        action("handoff_form"),
        action("action_listen"),
        user("ja", "affirm"),
        {"event": "slot", "name": "handoff_consent", "value": value},
    ]


async def ask_contact(slots, events):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ja", "affirm", events=events, slots=slots)
    await ActionAskHandoffContact().run(dispatcher, tracker, {})
    return dispatcher.messages


async def test_handoff_says_the_known_place_right_after_yes():
    first, second = await ask_contact(ZWOLLE, consent_events())
    assert first["response"] == "utter_handoff_place_used" and first["place"] == "Zwolle"
    assert second["response"] == "utter_ask_handoff_contact"


async def test_handoff_says_the_known_place_right_after_the_amounts_question():
    # After a money check the yes is followed by "may the coach see your amounts?"; the
    # place comes right after that answer.
    answered = consent_events() + [
        action("handoff_form"),
        action("action_listen"),
        user("nee", "deny"),
        {"event": "slot", "name": "handoff_share_money", "value": "nee"},
    ]
    first, second = await ask_contact(ZWOLLE, answered)
    assert first["response"] == "utter_handoff_place_used" and first["place"] == "Zwolle"
    assert second["response"] == "utter_ask_handoff_contact"


async def test_handoff_asks_contact_only_without_a_place_or_when_asked_again():
    [only] = await ask_contact({}, consent_events())
    assert only["response"] == "utter_ask_handoff_contact"
    again = consent_events() + [action("handoff_form"), action("action_listen"), user("hmm", None)]
    [only] = await ask_contact(ZWOLLE, again)
    assert only["response"] == "utter_ask_handoff_contact"


async def test_a_place_in_the_request_for_a_person_is_used(monkeypatch):
    from actions import handoff

    monkeypatch.setattr(handoff.store, "open_ticket_for", lambda sender: None)
    tracker = make_tracker("ik wil een coach spreken, ik woon in Leeuwaarden", "request_human")
    events = await handoff.ActionHandoffStart().run(CollectingDispatcher(), tracker, {})
    slots = {e["name"]: e["value"] for e in events}
    assert slots["gemeente_naam"] == "Leeuwarden" and slots["handoff_consent"] is None
    bare = make_tracker("ik wil een coach spreken", "request_human")
    events = await handoff.ActionHandoffStart().run(CollectingDispatcher(), bare, {})
    assert "gemeente_code" not in {e["name"] for e in events}


def test_handoff_contact_question_takes_a_new_place():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("Deventer", "inform_location", slots=ZWOLLE)
    result = ValidateHandoffForm().validate_handoff_contact("Deventer", dispatcher, tracker, {})
    assert result["gemeente_naam"] == "Deventer" and result["handoff_contact"] is None
    assert dispatcher.messages[0]["response"] == "utter_handoff_place_changed"


# ---- a request for a person with a topic -------------------------------------------------


@pytest.mark.parametrize(
    "text, topic",
    [
        ("Ik wil iemand spreken over een opleiding tot doktersassistent", "scholing"),
        ("kan ik met een coach praten over mijn schulden", "geld"),
        ("ik wil een coach spreken over mijn ontslag", "werk"),
        ("ik wil iemand spreken over iets persoonlijks", "algemeen"),
        ("ik wil een mens", None),
        ("kan ik een coach spreken", None),
        ("ik wil met een mens praten, dit schiet niet op", None),
        ("mijn nederlands is niet goed, kan ik met een persoon praten", None),
    ],
)
def test_request_topic(text, topic):
    assert summary.request_topic(text) == topic


def test_the_ticket_keeps_the_question_asked_with_the_request():
    text = "Ik wil iemand spreken over een opleiding tot doktersassistent, bel 0612345678"
    events = [
        user("hoi", "greet"),
        user(text, "request_human"),
        {"event": "active_loop", "name": "handoff_form"},
        user("ja", "affirm"),
    ]
    built = summary.build_summary(events, {}, None, None, "Vraagt zelf om een coach")
    assert built["topic"] == "scholing"
    # Every message the person typed is kept, the request too; the answers in the handoff
    # questions ("ja") are not.
    [hello, kept] = summary.message_texts(built)
    assert hello == "hoi"
    assert (
        kept
        == "Ik wil iemand spreken over een opleiding tot doktersassistent, bel [telefoonnummer]"
    )
    assert summary.request_question(events) == kept
    bare = [user("ik wil een coach", "request_human")]
    assert summary.message_texts(summary.build_summary(bare, {}, None, None, "x")) == [
        "ik wil een coach"
    ]
    assert summary.request_question(bare) is None
