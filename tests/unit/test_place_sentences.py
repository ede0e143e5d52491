"""The place finder on whole sentences with a misspelt place (issue 16: "ik kom uit
Leeuwaarden, is daar een leerwerkloket" was asked again instead of used).

The sentences are in tests/nlu/place_sentences.yml. `-s` prints the figures.
"""

from __future__ import annotations

import pytest
import yaml

from loopbrug.region import get_region_model
from loopbrug.words import dutch_words
from tests.conftest import ROOT

DATA = yaml.safe_load((ROOT / "tests" / "nlu" / "place_sentences.yml").read_text())


@pytest.fixture(scope="module")
def model():
    return get_region_model()


def test_the_measurement_set_is_big_enough():
    assert len(DATA["with_place"]) >= 30 and len(DATA["without_place"]) >= 25


def test_place_finder_figures(model):
    """Used without asking (found) for most, never a wrong place, never a place in a
    sentence that names none; the rest is asked back ("Bedoel je ...?"), never lost."""
    results = [(item, model.resolve(item["text"])) for item in DATA["with_place"]]
    right = [m for item, m in results if m.gemeente and m.gemeente.code == item["place"]]
    found = [m for m in right if m.status == "found"]
    wrong = [
        (item["text"], m.gemeente.name)
        for item, m in results
        if m.status == "found" and m.gemeente.code != item["place"]
    ]
    missed = [item["text"] for item, m in results if not m.gemeente]
    invented = [
        (item["text"], m.status)
        for item in DATA["without_place"]
        if (m := model.resolve(item["text"])).status != "unknown"
    ]
    total = len(results)
    print(
        f"\nplace finder: {len(found)}/{total} found and used ({len(found) / total:.0%}), "
        f"{len(right) - len(found)} asked back, {len(missed)} missed, {len(wrong)} wrong; "
        f"{len(invented)}/{len(DATA['without_place'])} places invented"
    )
    assert wrong == [] and invented == [] and missed == []
    assert len(found) / total >= 0.85


@pytest.mark.parametrize(
    "text, name",
    [
        ("ik kom uit Leeuwaarden, is daar een leerwerkloket", "Leeuwarden"),
        ("ik kom uit leeuwaarden is daar een leerwerkloket", "Leeuwarden"),  # no capital
        ("welk loket hoort bij Deventr", "Deventer"),
        ("loket in de buurt van Tilbrug?", "Tilburg"),  # two letters swapped
        ("ben verhuisd naar Dordrect en zoek een loket", "Dordrecht"),
        ("waar is het leerwerkloket in groningn", "Groningen"),  # also a province name
    ],
)
def test_a_clear_typo_inside_a_sentence_is_used(model, text, name):
    match = model.resolve(text)
    assert (match.status, match.gemeente.name, match.via) == ("found", name, "fuzzy")


@pytest.mark.parametrize(
    "text, name",
    [
        ("ik zit in Utrect, is daar een werkcentrum", "Utrecht"),  # six letters: too short
        ("in Arnhm is er daar een werkcentrum?", "Arnhem"),
    ],
)
def test_a_short_typo_inside_a_sentence_is_only_confirmed(model, text, name):
    match = model.resolve(text)
    assert (match.status, match.gemeente.name) == ("confirm", name)


def test_ordinary_words_are_never_places(model):
    # "terecht" is one letter from Utrecht's neighbour spellings; "wisselen" and "bijstand"
    # stand after "in"/"van" where a place could be.
    for text in ["ik kan daar niet terecht", "ik zit in de bijstand", "ik kom uit de horeca"]:
        assert model.resolve(text).status == "unknown", text
    assert {"terecht", "wisselen", "bijstand", "beroep"} <= dutch_words()


def test_two_places_equally_near_are_not_guessed(model):
    # "Hengeloo" is one letter from Hengelo (Overijssel) and Hengelo (Gelderland).
    match = model.resolve("ik woon in Hengeloo en zoek een loket")
    assert match.status == "choose" and len(match.candidates) >= 2
