"""The knowledge base: schema, sources, plain language, coverage and entry selection."""

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer, ActionAnswerMore
from actions.knowledge_base import (
    KNOWLEDGE_DIR,
    Entry,
    KnowledgeBase,
    amounts_without_year,
    domain_intents,
    validate,
)
from tests.conftest import make_tracker

ORIENTATION = """orientation_start shortage_sectors sector_info experience_work orientation_programs
training_routes skills_recognition orientation_time guidance_support""".split()
FUNDING = """funding_overview funding_voucher funding_employer funding_sector_fund
funding_transition_payment funding_benefits funding_loan funding_stap career_advice_free""".split()
SECTORS = "zorg onderwijs techniek energietransitie ict bouw kinderopvang logistiek groen".split()
ENDED = ["stap", "aftrek", "leert door", "mobiliteitsteam"]


def raw_entries():
    raws = []
    for path in sorted(KNOWLEDGE_DIR.glob("*.yml")):
        raws.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["entries"])
    return raws


@pytest.fixture(scope="module")
def kb():
    return KnowledgeBase.load()


def test_every_entry_passes_schema_sources_dates_and_plain_language():
    assert validate(raw_entries(), domain_intents()) == []


@pytest.mark.parametrize("intent", ORIENTATION + FUNDING)
def test_every_orientation_and_funding_intent_has_a_national_default(kb, intent):
    entry = kb.select(intent)
    assert entry is not None and entry.national and not entry.when


@pytest.mark.parametrize("sector", SECTORS)
def test_every_sector_has_its_own_answer(kb, sector):
    assert kb.select("sector_info", sector=sector) is not kb.select("sector_info")


@pytest.mark.parametrize("word", ENDED)
def test_ended_schemes_are_marked_ended_with_a_date(kb, word):
    matches = [e for e in kb.entries if word in (e.title + " " + e.answer).lower()]
    ended = [e for e in matches if e.status == "ended"]
    assert ended, f"no ended entry mentions {word!r}"
    assert all(e.ended_on for e in ended)


def test_regional_vouchers_cover_the_regions_with_a_known_fund(kb):
    assert kb.select("funding_voucher", region="Achterhoek").scope == ("Achterhoek",)
    assert kb.select("funding_voucher", region="Regio Zwolle").national


# ---- selection rules on a small synthetic knowledge base -------------------------------------


def entry(ident, intents, **kw):
    base = dict(
        title="t", answer="a", source="s", checked="2026-11-25", status="active", scope="national"
    )
    base.update(kw)
    return Entry(id=ident, intents=tuple(intents), **base)


SMALL = KnowledgeBase(
    [
        entry("default", ["sector_info"]),
        entry("zorg", ["sector_info"], when={"sector": "zorg"}),
        entry("ended", ["funding_overview"], when={"keywords": ["aftrek"]}, status="ended"),
        entry("overview", ["funding_overview"]),
        entry("achterhoek", ["funding_overview"], scope=("Achterhoek",)),
    ]
)


@pytest.mark.parametrize(
    "args, expected",
    [
        (("sector_info",), "default"),  # nothing special: the default
        (("sector_info", "zorg"), "zorg"),  # the sector entity picks its entry
        (("sector_info", "bouw"), "default"),  # a sector without an entry: the default
        (("funding_overview", None, "mag ik het AFTREKKEN"), "ended"),  # keyword, any case
        (("funding_overview", None, "", "Achterhoek"), "achterhoek"),  # the region's own entry
        (("funding_overview", None, "", "Twente"), "overview"),  # another region: national
        (("funding_overview", None, "aftrek", "Achterhoek"), "ended"),  # a selector beats region
    ],
)
def test_selection_order(args, expected):
    assert SMALL.select(*args).id == expected


def test_unknown_intent_has_no_entry():
    assert SMALL.select("greet") is None


@pytest.mark.parametrize(
    "text, bad",
    [
        ("Het kost 500 euro.", 1),
        ("In 2025 was het maximaal € 98.000.", 0),
        ("De rente was 2,57 procent. In 2025.", 1),  # the year must be in the same sentence
    ],
)
def test_amounts_need_a_year(text, bad):
    assert len(amounts_without_year(text)) == bad


def test_validation_reports_missing_fields_and_ended_without_date():
    errors = validate(
        [
            {
                "id": "x",
                "intents": ["funding_stap"],
                "title": "t",
                "answer": "a",
                "source": "s",
                "checked": "2026-11-25",
                "status": "ended",
                "scope": "national",
            },
            {"id": "y", "intents": ["funding_stap"]},
        ]
    )
    assert any("ended_on" in e for e in errors)
    assert any("[y] missing" in e for e in errors)


async def test_answer_action_sends_the_entry_with_buttons_and_remembers_the_topic(kb):
    tracker = make_tracker("hoe betaal ik een opleiding", "funding_overview")
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker, {})
    expected = kb.select("funding_overview")
    assert dispatcher.messages[0]["text"] == expected.answer
    assert dispatcher.messages[0]["buttons"][-1]["payload"] == "/capabilities"
    assert events == [
        {"event": "slot", "timestamp": None, "name": "last_topic", "value": expected.id}
    ]


async def test_more_action_uses_the_remembered_topic(kb):
    with_more = next(e for e in kb.entries if e.more)
    tracker = make_tracker("vertel meer", "more_info", slots={"last_topic": with_more.id})
    dispatcher = CollectingDispatcher()
    await ActionAnswerMore().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"] == with_more.more
