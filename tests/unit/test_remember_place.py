"""A place said beside another question is remembered (actions/location.py RememberPlace)."""

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.location import RememberPlace
from tests.conftest import make_tracker


def extract(text, place=None, active_loop=None, slots=None):
    tracker = make_tracker(text, "career_advice_free", slots=slots or {})
    if place:
        tracker.latest_message["entities"] = [{"entity": "gemeente", "value": place}]
    if active_loop:
        tracker.active_loop = {"name": active_loop}
    return asyncio.run(RememberPlace().extract_gemeente_code(CollectingDispatcher(), tracker, {}))


def test_where_one_lives_is_remembered_beside_another_question():
    slots = extract("ik woon in zwolle, waar kan ik heen voor advies over werk", "zwolle")
    assert slots["gemeente_naam"] == "Zwolle" and slots["gemeente_code"]


def test_a_place_that_is_not_where_one_lives_is_not_remembered():
    assert extract("is de zorg in zwolle leuk werk", "zwolle") == {}


def test_inside_a_form_the_form_reads_places_itself():
    assert extract("ik woon in zwolle", "zwolle", active_loop="handoff_form") == {}


def test_no_place_no_change():
    assert extract("ik woon hier al lang") == {}
