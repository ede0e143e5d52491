"""The Dutch spaCy pipeline built by bot/spacy_pipeline.py (make setup builds it)."""

import csv

import pytest

from bot import spacy_pipeline
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def nlp():
    import spacy

    if not spacy_pipeline.DEFAULT_OUTPUT.exists():
        pytest.fail("spaCy pipeline missing: run `make setup` first")
    return spacy.load(spacy_pipeline.DEFAULT_OUTPUT)


def ents(nlp, text):
    return [(e.text, e.label_) for e in nlp(text).ents]


def test_pipeline_is_current_with_the_data():
    assert spacy_pipeline.is_current()


def test_lemmas_come_from_the_lookup_table(nlp):
    assert [t.lemma_ for t in nlp("opleidingen schulden betaalt")] == [
        "opleiding",
        "schuld",
        "betalen",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ik woon in Zwolle", [("Zwolle", "gemeente")]),
        ("ik woon in zwolle", [("zwolle", "gemeente")]),
        ("ik kom uit 's-Hertogenbosch", [("'s-Hertogenbosch", "gemeente")]),
        ("wij wonen in Alphen aan den Rijn", [("Alphen aan den Rijn", "gemeente")]),
        ("ik woon in Echt", [("Echt", "gemeente")]),
    ],
)
def test_places_are_recognised(nlp, text, expected):
    assert ents(nlp, text) == expected


def test_common_words_that_are_also_places_need_a_capital(nlp):
    assert ents(nlp, "ik wil echt iets anders, heel graag") == []


def test_every_gemeente_is_recognised_in_a_sentence(nlp):
    with (ROOT / "data/regions/gemeenten.csv").open(encoding="utf-8") as handle:
        names = [row["gemeente"] for row in csv.DictReader(handle)]
    assert len(names) == 342
    missed = [n for n in names if (n, "gemeente") not in ents(nlp, f"ik woon in {n}")]
    assert missed == []


def test_patterns_are_generated_from_data(tmp_path, monkeypatch):
    regions = tmp_path / "regions"
    regions.mkdir()
    (regions / "gemeenten.csv").write_text("gemeente_code,gemeente\nGM9999,Testdorp\n")
    (regions / "woonplaatsen.csv").write_text("woonplaats,gemeente\nProefstad,Testdorp\n")
    monkeypatch.setattr(spacy_pipeline, "REGIONS", regions)
    monkeypatch.setattr(spacy_pipeline, "LOOKUPS", tmp_path / "none")
    out = spacy_pipeline.build(tmp_path / "model")
    import spacy

    built = spacy.load(out)
    assert ents(built, "ik woon in proefstad") == [("proefstad", "gemeente")]
    assert built.meta["loopbrug_pattern_count"] == 2
    assert spacy_pipeline.is_current(out)
