"""Knowledge answers end to end (issue 17): every question unit through the real servers,
follow-ups that keep the topic, regional variants, ended schemes, "Meer weten?".

Every assertion compares whole messages with what ``loopbrug/knowledge/reply.py`` builds from
the unit, so a wrong unit, a lost check line or a missing button fails.
"""

import json

import pytest

from loopbrug.knowledge import reply
from loopbrug.knowledge.units import KnowledgeBase
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e

KB = KnowledgeBase.load()
FLOW_DEFAULTS = {"find_loket"}  # the desk itself: one line, then "waar woon je?"
TRIES = 3  # "one of its own phrasings": the first three are tried, each in a new chat


def first_message(unit):
    """What the person reads first for a unit."""
    if unit.default and unit.intent in FLOW_DEFAULTS:
        return unit.answer
    return reply.answer(KB, unit, with_buttons=not KB.has_regional(unit)).text


def said(messages):
    return [(m.get("text"), [b["title"] for b in m.get("buttons") or []]) for m in messages]


@pytest.mark.parametrize("unit", KB.answerable(), ids=lambda u: u.id)
def test_every_unit_is_reached_by_one_of_its_own_phrasings(helpline, unit):
    expected = first_message(unit)
    seen = []
    for ask in unit.asks[:TRIES]:
        messages = Chat(helpline.settings.rasa_url).say(ask)
        got = messages[0].get("text") if messages else None
        if got == expected:
            return
        seen.append((ask, got))
    pytest.fail(f"none of {unit.id}'s first {TRIES} phrasings reached it: {seen}")


def test_a_specific_question_gets_its_answer_with_where_to_check(chat: Chat):
    messages = chat.say("hoeveel rente betaal je bij het levenlanglerenkrediet")
    unit = KB.by_id[messages_unit(messages)]
    assert unit.topic == "levenlanglerenkrediet"
    text = messages[0]["text"]
    assert text.endswith(reply.check_line(KB, unit))
    assert "rente" in text.lower()


def messages_unit(messages):
    """The unit whose answer the first message is."""
    text = messages[0]["text"]
    for unit in KB.units:
        if text.startswith(unit.answer):
            return unit.id
    raise AssertionError(f"no unit answers {text!r}")


@pytest.mark.parametrize(
    "context,follow_up,topic",
    [
        (
            "kan ik geld lenen bij duo voor een opleiding",
            "en hoeveel rente?",
            "levenlanglerenkrediet",
        ),
        (
            "kan ik eerst een dag meelopen bij een bedrijf",
            "krijg je daar dan geld voor?",
            "meelopen",
        ),
        ("wat is een transitievergoeding", "geldt dat ook met ww?", "transitievergoeding"),
    ],
)
def test_a_follow_up_keeps_the_topic(chat: Chat, context, follow_up, topic):
    first = KB.by_id[messages_unit(chat.say(context))]
    assert first.topic == topic
    second = KB.by_id[messages_unit(chat.say(follow_up))]
    assert second.topic == topic and second.id != first.id


def test_a_regional_question_gives_the_national_answer_then_asks_the_place_once(chat: Chat):
    national = KB.by_id[messages_unit(chat.say("kan ik ergens een scholingsvoucher krijgen"))]
    assert KB.has_regional(national)
    messages = chat.say("kan ik ergens een scholingsvoucher krijgen")
    assert messages[0]["text"] == reply.answer(KB, national, with_buttons=False).text
    assert messages[1]["text"].startswith("Vertel me in welke plaats je woont")
    # The place: the regional part of that answer, not a generic "Dank je".
    after = chat.say("Doetinchem")
    variant = KB.regional_for(national, "Achterhoek")
    assert variant is not None
    assert after[0]["text"] == f"{variant.answer}\n{reply.check_line(KB, variant)}"
    assert after[1]["text"].startswith("Ik ga uit van Doetinchem")


def test_en_in_mijn_regio_after_a_regional_answer(chat: Chat):
    chat.text("ik woon in Doetinchem")
    national = KB.by_id[messages_unit(chat.say("kan ik ergens een scholingsvoucher krijgen"))]
    messages = chat.say("en in mijn regio?")
    variant = KB.regional_for(national, "Achterhoek")
    assert messages[0]["text"] == f"{variant.answer}\n{reply.check_line(KB, variant)}"


def test_ended_schemes_are_named_as_ended(chat: Chat):
    unit = KB.by_id[messages_unit(chat.say("hoe vraag ik het stap budget aan"))]
    assert unit.status == "ended" and unit.ended_on


def test_meer_weten_gives_the_depth_of_the_unit_just_answered(chat: Chat):
    first = chat.say("/funding_loan")
    unit = KB.default_for("funding_loan")
    assert first[0]["text"] == reply.answer(KB, unit).text
    more = next(b for b in first[0]["buttons"] if b["title"] == "Meer weten?")
    assert json.loads(more["payload"][len("/more_info") :]) == {"kb_id": unit.id}
    assert said(chat.say(more["payload"])) == [
        (unit.more, [b["title"] for b in reply.buttons(KB, unit, more=False)])
    ]


def test_the_desk_itself_asks_the_place_but_a_question_about_it_is_answered(chat: Chat):
    messages = chat.say("waar is het leerwerkloket")
    assert messages[0]["text"] == KB.default_for("find_loket").answer
    assert "plaats" in messages[1]["text"]
    other = Chat(chat.base_url)
    messages = other.say("wat is een leerwerkloket")
    unit = KB.by_id[messages_unit(messages)]
    assert unit.term and unit.intent == "find_loket"
    assert len(messages) == 1, "a definition is answered, not followed by a question"


def test_a_question_between_two_offers_the_other_and_its_button_answers_it(helpline):
    """The closer answer, with the other question as a button; tapping it answers that one."""
    from loopbrug.knowledge.retrieve import get_retriever

    retriever = get_retriever(KB)
    candidates = [
        ask
        for unit in KB.answerable()
        if not KB.has_regional(unit)
        for ask in unit.asks
        if (found := retriever.pick(ask, intent=unit.intent)) and found.alternative
    ]
    tried = []
    for ask in candidates[:8]:  # the model's intent may differ from the offline guess
        chat = Chat(helpline.settings.rasa_url)
        buttons = [b for m in chat.say(ask) for b in m.get("buttons") or []]
        offered = [b for b in buttons if b["payload"].startswith(f"/{reply.OTHER_QUESTION}")]
        payload = offered[0]["payload"] if offered else ""
        chosen = KB.by_id.get(
            json.loads(payload[len(reply.OTHER_QUESTION) + 1 :] or "{}").get("kb_id")
        )
        if chosen is None or KB.has_regional(chosen):  # a regional answer comes in two parts
            tried.append(ask)
            continue
        assert offered[0]["title"] == chosen.title
        assert said(chat.say(offered[0]["payload"])) == said(
            [{"text": reply.answer(KB, chosen).text, "buttons": reply.answer(KB, chosen).buttons}]
        )
        return
    pytest.fail(f"no phrasing offered a second question: {tried}")
