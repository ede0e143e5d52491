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


def test_a_bare_place_is_where_one_lives_however_sure_the_classifier_is_of_something_else():
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.place_only import PlaceOnly

    entities = [{"entity": "gemeente", "value": "Deventer", "start": 0, "end": 8}]
    for name, confidence in (("nlu_fallback", 0.55), ("sector_info", 0.8)):
        message = Message(
            data={
                "text": "Deventer",
                "entities": entities,
                "intent": {"name": name, "confidence": confidence},
                "intent_ranking": [{"name": name, "confidence": confidence}],
            }
        )
        assert PlaceOnly().process([message])[0].get("intent")["name"] == "inform_location"
    crisis = Message(
        data={
            "text": "Deventer",
            "entities": entities,
            "intent": {"name": "crisis", "confidence": 0.9},
            "intent_ranking": [{"name": "crisis", "confidence": 0.9}],
        }
    )
    assert PlaceOnly().process([crisis])[0].get("intent")["name"] == "crisis"


def test_a_sure_reading_of_digits_is_left_alone():
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.place_only import PlaceOnly

    message = Message(
        data={
            "text": "3200 bruto",
            # as the pipeline gives them: two overlapping readings of the digits
            "entities": [
                {"entity": "postcode", "value": "3200 br", "start": 0, "end": 7},
                {"entity": "postcode", "value": "3200", "start": 0, "end": 4},
            ],
            "intent": {"name": "income_during_training", "confidence": 0.8},
            "intent_ranking": [{"name": "income_during_training", "confidence": 0.8}],
        }
    )
    assert PlaceOnly().process([message])[0].get("intent")["name"] == "income_during_training"


def test_overlapping_readings_of_digits_leave_the_rest_of_the_word():
    from bot.components.place_only import only_a_place

    entities = [
        {"entity": "postcode", "value": "3200 br", "start": 0, "end": 7},
        {"entity": "postcode", "value": "3200", "start": 0, "end": 4},
    ]
    assert not only_a_place("3200 bruto", entities)
