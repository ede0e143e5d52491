"""A bare place is inform_location (bot/components/place_only.py)."""

import pytest

from bot.components.place_only import only_a_place


def place(text, word, entity="gemeente"):
    start = text.index(word)
    return [{"entity": entity, "start": start, "end": start + len(word), "value": word}]


@pytest.mark.parametrize(
    "text, word",
    [
        ("Deventer", "Deventer"),
        ("ik woon in Deventer", "Deventer"),
        ("postcode 7411", "7411"),
        ("in zwolle.", "zwolle"),
    ],
)
def test_only_a_place(text, word):
    entity = "postcode" if word.isdigit() else "gemeente"
    assert only_a_place(text, place(text, word, entity))


@pytest.mark.parametrize(
    "text, word",
    [
        ("is er in Deventer een leerwerkloket", "Deventer"),
        ("Deventer is te ver reizen", "Deventer"),
    ],
)
def test_a_place_inside_another_question_is_not_only_a_place(text, word):
    assert not only_a_place(text, place(text, word))


def test_no_place_no_change():
    assert not only_a_place("banaan", [])
    assert not only_a_place("1500", [{"entity": "bedrag", "start": 0, "end": 4}])


def test_a_bare_number_may_be_an_amount_and_is_left_alone():
    assert not only_a_place("3000", place("3000", "3000", "postcode"))
