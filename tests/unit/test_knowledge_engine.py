"""The knowledge engine on a small knowledge base of its own: checks, picking, follow-ups."""

from datetime import date

import pytest
import yaml

from loopbrug.knowledge import reply
from loopbrug.knowledge.check import validate
from loopbrug.knowledge.retrieve import Retriever
from loopbrug.knowledge.units import KnowledgeBase, read_raw

CHECK = {"name": "DUO", "url": "https://duo.nl/particulier/levenlanglerenkrediet/"}


def unit(ident, topic, asks, answer, **extra):
    raw = {
        "id": ident,
        "topic": topic,
        "asks": asks,
        "answer": answer,
        "check": CHECK,
        "checked": "2026-11-25",
        "status": "active",
        "scope": "national",
        "facts": [{"claim": "een feit", "source": "funding-facts.md §1"}],
    }
    raw.update(extra)
    return raw


UNITS = [
    unit(
        "funding_loan/algemeen",
        "levenlanglerenkrediet",
        [
            "kan ik geld lenen voor een opleiding",
            "lenen voor studie op mijn 40e",
            "kan ik bij duo lenen",
            "geld lenen om te leren",
            "studielening voor volwassenen",
        ],
        "Ja, bij DUO kun je lenen voor je collegegeld of lesgeld. Kijk op duo.nl.",
        default=True,
        title="Kan ik lenen voor een opleiding?",
        next=["funding_overview"],
    ),
    unit(
        "funding_loan/rente",
        "levenlanglerenkrediet",
        [
            "hoeveel rente betaal ik bij het levenlanglerenkrediet",
            "wat is de rente op een lening van duo",
            "en hoeveel rente",
            "rente levenlanglerenkrediet",
            "moet ik rente betalen over die lening",
        ],
        "Over de lening betaal je rente. DUO zet het percentage elk jaar op de site. Kijk op duo.nl.",
        title="Hoeveel rente betaal ik?",
    ),
    unit(
        "experience_work/meelopen",
        "meelopen",
        [
            "kan ik eerst een dag meelopen",
            "meeloopdag regelen",
            "ik wil eerst proeven aan het werk",
            "kan ik ergens een dagje meedraaien",
            "snuffelstage doen kan dat",
        ],
        "Ja, vaak kan dat. Vraag een bedrijf om een meeloopdag. Het leerwerkloket helpt je zoeken.",
        default=True,
        title="Kan ik eerst meelopen?",
    ),
    unit(
        "experience_work/geld",
        "meelopen",
        [
            "krijg je betaald als je meeloopt",
            "krijg je daar geld voor",
            "is een meeloopdag betaald",
            "verdien ik iets met meelopen",
            "betalen ze je voor een snuffelstage",
        ],
        "Nee, voor een meeloopdag krijg je meestal geen loon. Vraag het vooraf aan het bedrijf.",
        title="Krijg ik geld als ik meeloop?",
    ),
    unit(
        "experience_work/verzekerd",
        "meelopen",
        [
            "ben ik verzekerd als ik meeloop",
            "verzekering bij een meeloopdag",
            "wie is aansprakelijk als ik meeloop",
            "moet ik een verzekering hebben voor meelopen",
            "ben ik gedekt tijdens een snuffelstage",
        ],
        "Meestal wel: het bedrijf regelt de verzekering. Vraag het vooraf.",
        title="Ben ik verzekerd als ik meeloop?",
    ),
    unit(
        "find_loket/wat_is_leerwerkloket",
        "leerwerkloket",
        [
            "wat is een leerwerkloket",
            "wat doet het leerwerkloket",
            "leerwerkloket wat is dat",
            "wat betekent leerwerkloket",
            "leerwerkloket?",
        ],
        "Een leerwerkloket geeft gratis advies over werk en leren. Er is er een in elke regio.",
        term="leerwerkloket",
        title="Wat is een leerwerkloket?",
    ),
    unit(
        "find_loket/algemeen",
        "leerwerkloket",
        [
            "waar is het leerwerkloket",
            "ik zoek het loket bij mij",
            "welk loket hoort bij mij",
            "waar kan ik langs voor advies",
            "adres leerwerkloket",
        ],
        "Het leerwerkloket in je regio helpt je gratis.",
        default=True,
        title="Waar is het leerwerkloket?",
    ),
]


@pytest.fixture()
def kb(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    (folder / "test.yml").write_text(yaml.safe_dump({"version": 2, "units": UNITS}))
    texts = tmp_path / "texts.yml"
    texts.write_text(
        yaml.safe_dump(
            {
                "check_line": "Zelf nakijken: {name}, {url} (nagekeken {month}).",
                "unverified_line": "Kijk dit zeker na bij {name}: {url}",
                "more_label": "Meer weten?",
                "no_more": "Meer heb ik niet.",
                "no_answer": "Geen antwoord.",
                "next_steps": {
                    "funding_overview": "Opleiding betalen",
                    "capabilities": "Andere vraag",
                    "request_human": "Praten met een coach",
                    "find_loket": "Mijn loket",
                },
            }
        )
    )
    return KnowledgeBase.load(folder, texts)


def raws(kb_folder):
    return [raw for _, raw in read_raw(kb_folder)]


def test_the_fixture_passes_the_check():
    assert validate(UNITS, today=date(2026, 12, 6)) == []


def test_a_specific_question_gets_its_own_unit_not_the_topic_default(kb):
    found = Retriever(kb).pick("hoeveel rente betaal je bij duo", intent="funding_loan")
    assert found.unit.id == "funding_loan/rente"


def test_a_question_the_units_do_not_cover_gets_the_default(kb):
    found = Retriever(kb).pick("hoe werkt dat met lenen in het algemeen xyz", intent="funding_loan")
    assert found.unit.id == "funding_loan/algemeen"


def test_a_definition_names_the_glossary_unit_even_under_another_intent(kb):
    found = Retriever(kb).pick("wat is een leerwerkloket", intent="find_loket")
    assert found.unit.id == "find_loket/wat_is_leerwerkloket" and found.reason == "term"


@pytest.mark.parametrize(
    "question",
    [
        "leerwerkloket is welke organisatie?",
        "wat voor organisatie is het leerwerkloket",
        "wat doet een leerwerkloket",
        "leerwerkloket.. nooit van gehoord. is dat een soort uitzendbureau?",
        "leerwerkloket betekenis",
    ],
)
def test_who_or_what_an_organisation_is_is_a_definition_too(kb, question):
    found = Retriever(kb).pick(question, intent="find_loket")
    assert found.unit.id == "find_loket/wat_is_leerwerkloket" and found.reason == "term"


def test_a_message_between_two_questions_offers_the_second_as_a_button(kb):
    found = Retriever(kb).pick("meeloopdag betaald en verzekerd?", intent="experience_work")
    assert found.unit.id == "experience_work/verzekerd"
    assert found.alternative is not None and found.alternative.id == "experience_work/geld"
    offered = reply.answer(kb, found.unit, alternative=found.alternative).buttons
    assert {
        "title": "Krijg ik geld als ik meeloop?",
        "payload": '/other_question{"kb_id": "experience_work/geld"}',
    } in offered


def test_a_clear_question_or_a_definition_offers_no_second_question(kb):
    retriever = Retriever(kb)
    assert (
        retriever.pick("ben ik verzekerd als ik meeloop", intent="experience_work").alternative
        is None
    )
    assert retriever.pick("wat is een leerwerkloket", intent="find_loket").alternative is None
    broad = retriever.pick("kan ik eerst een dag meelopen", intent="experience_work")
    assert broad.unit.default and broad.alternative is None


def test_a_title_is_a_short_question():
    bad = dict(UNITS[1], title="Rente")
    long = dict(UNITS[1], title="Hoeveel rente betaal ik precies als ik bij DUO een lening neem?")
    untitled = {k: v for k, v in UNITS[1].items() if k != "title"}
    problems = validate([bad, long, untitled], today=date(2026, 12, 6))
    assert len([p for p in problems if "title must be a question" in p]) == 2
    assert len([p for p in problems if "needs a title" in p]) == 1


def test_an_unplaced_message_is_answered_when_a_unit_of_a_hesitated_topic_is_close(kb):
    retriever = Retriever(kb)
    hesitated = [("funding_loan", 0.4), ("funding_overview", 0.3)]
    found = retriever.confident("moet ik rente betalen", hesitated)
    assert found is not None and found.unit.id == "funding_loan/rente"
    elsewhere = [("experience_work", 0.4), ("find_loket", 0.3)]
    assert retriever.confident("moet ik rente betalen", elsewhere) is None


def test_an_unplaced_definition_of_a_named_term_is_answered(kb, monkeypatch):
    from loopbrug.knowledge import retrieve

    monkeypatch.setattr(retrieve, "MIN_CONFIDENT", 5.0)  # however far the words are
    retriever = Retriever(kb)
    found = retriever.confident("de man van de bond zei leerwerkloket. wat houd dat in?", [])
    assert found is not None and found.unit.id == "find_loket/wat_is_leerwerkloket"
    assert retriever.confident("moet ik rente betalen", []) is None


def test_a_follow_up_keeps_the_topic_of_the_last_answer(kb):
    retriever = Retriever(kb)
    found = retriever.pick(
        "krijg je daar dan geld voor?",
        intent="funding_overview",
        last_unit="experience_work/meelopen",
    )
    assert found.unit.id == "experience_work/geld" and found.reason == "follow_up"
    without_topic = retriever.follow_up("krijg je daar dan geld voor?", None)
    assert without_topic is None


def test_a_follow_up_without_an_answer_intent_is_found_on_the_topic(kb):
    found = Retriever(kb).follow_up("en hoeveel rente?", "funding_loan/algemeen")
    assert found is not None and found.unit.id == "funding_loan/rente"


def test_the_reply_answers_first_and_says_where_to_check_and_since_when(kb):
    message = reply.answer(kb, kb.by_id["funding_loan/rente"])
    first, check = message.text.split("\n")
    assert first.startswith("Over de lening betaal je rente.")
    assert check == (
        "Zelf nakijken: DUO, https://duo.nl/particulier/levenlanglerenkrediet/ "
        "(nagekeken november 2026)."
    )
    assert [b["title"] for b in message.buttons] == ["Praten met een coach", "Andere vraag"]


def test_an_unverified_answer_must_say_so_in_the_answer():
    raw = unit(
        "funding_loan/zeker", "x", UNITS[0]["asks"], "Je krijgt altijd geld.", status="unverified"
    )
    assert any("not sure" in e for e in validate([raw], today=date(2026, 12, 6)))
    raw["answer"] = "Dit weet ik niet zeker. Vraag het aan DUO."
    assert not any("not sure" in e for e in validate([raw], today=date(2026, 12, 6)))


def test_a_passed_end_date_fails_until_checked_again():
    raw = unit(
        "sector_info/subsidie",
        "onderwijs",
        UNITS[0]["asks"],
        "Er is subsidie.",
        valid_until="2026-01-01",
    )
    errors = validate([raw], today=date(2026, 12, 6))
    assert any("valid_until 2026-01-01 has passed" in e for e in errors)
    assert not any("has passed" in e for e in validate([raw], today=date(2025, 12, 1)))
    raw.update(status="ended", ended_on="2026-01-01")
    assert not any("has passed" in e for e in validate([raw], today=date(2026, 12, 6)))


def test_checks_catch_long_answers_missing_sources_and_shared_phrasings():
    long = unit("funding_loan/lang", "x", ["a b", "c d", "e f", "g h", "i j"], "woord " * 61)
    assert any("61 words" in e for e in validate([long], today=date(2026, 12, 6)))
    no_source = unit("funding_loan/bron", "x", UNITS[0]["asks"], "Kort.", facts=[{"claim": "x"}])
    assert any("claim and a source" in e for e in validate([no_source], today=date(2026, 12, 6)))
    twice = unit("funding_loan/dubbel", "x", UNITS[0]["asks"], "Kort.")
    assert any(
        "more than one unit" in e for e in validate([UNITS[0], twice], today=date(2026, 12, 6))
    )
    bad_url = unit(
        "funding_loan/url",
        "x",
        ["1 a", "2 b", "3 c", "4 d", "5 e"],
        "Kort.",
        check={"name": "DUO", "url": "duo.nl"},
    )
    assert any("https url" in e for e in validate([bad_url], today=date(2026, 12, 6)))


def test_the_classifier_gets_the_first_phrasing_of_every_unit_before_any_second(kb):
    from loopbrug.knowledge.nlu import examples_by_intent

    firsts = [u.asks[0] for u in kb.answerable() if u.intent == "experience_work"]
    assert examples_by_intent(kb, set(), limit=len(firsts))["experience_work"] == firsts
    everything = examples_by_intent(kb, set())["experience_work"]
    assert len(everything) > len(firsts) and "krijg je daar geld voor" not in everything
