"""The real knowledge base (data/knowledge/units/): checks, size, coverage, and the actions
that send it. The engine itself is tested on a small base in test_knowledge_engine.py."""

import re
from datetime import date

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer, ActionAnswerMore
from loopbrug.knowledge import reply
from loopbrug.knowledge.check import domain_intents, validate
from loopbrug.knowledge.retrieve import get_retriever
from loopbrug.knowledge.units import get_knowledge_base, read_raw
from tests.conftest import ROOT, make_tracker

TOPIC_INTENTS = """orientation_start shortage_sectors sector_info experience_work
orientation_programs training_routes skills_recognition orientation_time guidance_support
funding_overview funding_voucher funding_employer funding_sector_fund funding_transition_payment
funding_benefits funding_loan funding_stap career_advice_free income_during_training
practical_costs debt_help find_loket""".split()
SECTORS = """zorg onderwijs techniek ict bouw energietransitie kinderopvang logistiek groen horeca
retail overheid schoonmaak beveiliging""".split()
# Sections of the fact sheets with facts a person may ask about (the summary, region table,
# routing cheat-sheet and open points are not facts of their own).
FUNDING_SECTIONS = [str(n) for n in range(1, 25)]
NEWCOMER_SECTIONS = "1a 1b 2a 2b 2c 2d 2e 2f 3a 3b 4a 4b 5a 5b 5c 5d".split()


@pytest.fixture(scope="module")
def kb():
    return get_knowledge_base()


def raws():
    return [raw for _, raw in read_raw()]


def test_every_unit_passes_schema_sources_dates_length_and_plain_language(kb):
    assert validate(raws(), domain_intents(), set(kb.texts["next_steps"])) == []


def test_the_check_runs_with_todays_date_so_an_end_date_that_passed_fails():
    """The same check with a later day: every valid_until must still hold then or fail."""
    later = [r for r in raws() if r.get("valid_until") and r["status"] == "active"]
    for raw in later:
        day = date.fromisoformat(str(raw["valid_until"]))
        assert any("has passed" in e for e in validate([raw], today=day))


def test_at_least_250_question_units_and_60_glossary_terms(kb):
    assert len(kb.answerable()) >= 250
    assert sum(1 for u in kb.units if u.term) >= 60


@pytest.mark.parametrize("intent", TOPIC_INTENTS)
def test_every_topic_intent_has_a_default_and_specific_questions(kb, intent):
    assert kb.default_for(intent) is not None
    assert sum(1 for u in kb.answerable() if u.intent == intent) >= 5


@pytest.mark.parametrize("sector", SECTORS)
def test_every_sector_has_its_own_questions(kb, sector):
    assert sum(1 for u in kb.units if u.sector == sector) >= 2


def _cited(text: str, sheet: str) -> set:
    found = set()
    for source in re.findall(rf"{sheet}[^;]*", text):
        found |= set(re.findall(r"§\s*(\d+[a-z]?)", source))
    return found


def test_every_section_of_the_fact_sheets_is_answered_somewhere(kb):
    sources = "\n".join(f"{fact.get('source', '')}" for unit in kb.units for fact in unit.facts)
    funding = _cited(sources, "funding-facts.md")
    newcomers = _cited(sources, "newcomers-facts.md")
    assert [s for s in FUNDING_SECTIONS if s not in funding] == []
    assert [s for s in NEWCOMER_SECTIONS if s not in newcomers] == []


def test_ended_and_doubtful_schemes_are_never_presented_as_current(kb):
    stap = [u for u in kb.units if u.topic == "stap_budget"]
    assert kb.default_for("funding_stap").status == "ended"
    for unit in stap:  # ended, or about what exists now that it has ended
        assert (unit.status == "ended" and unit.ended_on) or re.search(
            r"gestopt|geen opvolger|niet meer", unit.answer
        )
    # The zij-instroom subsidy's known run ended on 1 January 2026 (funding-facts.md §8).
    zij = [u for u in kb.units if "zij" in u.topic and "subsidie" in u.answer.lower()]
    assert zij and all(u.status in {"ended", "unverified"} for u in zij)
    for unit in kb.units:
        if unit.status == "unverified":
            assert reply.check_line(kb, unit).startswith("Kijk dit zeker na")


def test_no_phrasing_is_in_a_held_out_set(kb):
    def squash(text):
        return re.sub(r"[^\w]+", " ", text.lower()).strip()

    questions = {
        squash(q["q"])
        for path in sorted((ROOT / "tests" / "knowledge").glob("*.yml"))  # held-out and dev
        for q in yaml.safe_load(path.read_text())["questions"]
    }
    leaked = [a for u in kb.units for a in u.asks if squash(a) in questions]
    assert leaked == []


def test_each_unit_is_picked_by_one_of_its_first_three_phrasings(kb):
    """The same rule as the end-to-end test through the real servers, without the model."""
    retriever = get_retriever(kb)
    wrong = []
    for unit in kb.answerable():
        picked = [retriever.pick(ask, intent=unit.intent) for ask in unit.asks[:3]]
        if not any(found and found.unit.id == unit.id for found in picked):
            wrong.append((unit.id, [found.unit.id for found in picked if found]))
    assert wrong == []


# ---- the actions ---------------------------------------------------------------------------


async def test_a_specific_question_is_answered_with_its_unit_and_where_to_check(kb):
    unit = next(u for u in kb.answerable() if u.topic == "levenlanglerenkrediet" and not u.default)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(unit.asks[0], unit.intent)
    events = await ActionAnswer().run(dispatcher, tracker, {})
    assert [m["text"] for m in dispatcher.messages] == [reply.answer(kb, unit).text]
    assert {"event": "slot", "timestamp": None, "name": "last_topic", "value": unit.id} in events


async def test_meer_weten_sends_the_depth_of_the_last_unit(kb):
    unit = next(u for u in kb.answerable() if u.more)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("vertel meer", "more_info", slots={"last_topic": unit.id})
    await ActionAnswerMore().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"] == unit.more


def between_two_questions(kb):
    """A phrasing of the real base that sits between two units: (text, pick)."""
    retriever = get_retriever(kb)
    for unit in kb.answerable():
        for ask in unit.asks:
            found = retriever.pick(ask, intent=unit.intent)
            if found is not None and found.alternative is not None:
                return ask, found
    raise AssertionError("no phrasing offers a second question: are the titles there?")


async def test_the_second_question_is_offered_and_its_button_answers_it(kb):
    text, found = between_two_questions(kb)
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, make_tracker(text, found.unit.intent), {})
    offered = reply.answer(kb, found.unit, alternative=found.alternative)
    assert dispatcher.messages[-1]["text"] == offered.text
    assert dispatcher.messages[-1]["buttons"] == offered.buttons
    assert found.alternative.title in [b["title"] for b in offered.buttons]
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "offered_question",
        "value": found.alternative.id,
    } in events

    # The button, and the same wish typed ("nee, die andere vraag") with the slot only.
    payload = {"kb_id": found.alternative.id}
    for entities, slots in (
        ([{"entity": "kb_id", "value": found.alternative.id}], {}),
        ([], {"offered_question": found.alternative.id}),
    ):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            f"/other_question{payload}" if entities else "nee die andere vraag bedoel ik",
            "other_question",
            entities=entities,
            slots=slots,
        )
        await ActionAnswer().run(dispatcher, tracker, {})
        assert dispatcher.messages[0]["text"] == reply.answer(kb, found.alternative).text


async def test_a_topic_button_after_asking_back_answers_the_question_asked_before(kb):
    """ "Bedoel je een van deze?" -> the person taps a topic: the answer is to their own
    question under that topic, not the topic's general text."""
    unit = next(u for u in kb.answerable() if u.topic == "levenlanglerenkrediet" and not u.default)
    events = [
        {"event": "user", "text": unit.asks[0], "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "action", "name": "action_clarify"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "/funding_loan", "parse_data": {"intent": {"name": unit.intent}}},
    ]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("/funding_loan", unit.intent, events=events)
    await ActionAnswer().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"] == reply.answer(kb, unit).text
