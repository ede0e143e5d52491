"""Gibberish becomes nlu_fallback in the NLU pipeline (bot/components/gibberish_guard.py)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.gibberish_guard import GibberishGuard


def parsed(text, intent, confidence=0.57, entities=()):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    message.set("entities", list(entities))
    return message


@pytest.mark.parametrize("text", ["asdfghjkl", "sdkjfh sdfkj", "😀😀😀", "qwzx vlorp", "???"])
def test_gibberish_becomes_fallback_with_the_ranking_kept(text):
    [message] = GibberishGuard().process([parsed(text, "affirm")])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    names = [i["name"] for i in message.get("intent_ranking")]
    assert names == ["nlu_fallback", "affirm"]


@pytest.mark.parametrize("text", ["ja", "jaaaa", "3511", "2500 euro", "opleidnig betalne", "ok"])
def test_words_numbers_and_typos_are_left_alone(text):
    [message] = GibberishGuard().process([parsed(text, "affirm")])
    assert message.get("intent")["name"] == "affirm"


def test_crisis_and_found_entities_are_never_overruled():
    [crisis] = GibberishGuard().process([parsed("😭😭😭", "crisis", 1.0)])
    assert crisis.get("intent")["name"] == "crisis"
    place = [{"entity": "gemeente", "value": "Zwolle"}]
    [found] = GibberishGuard().process([parsed("zwlle xkcd", "inform_location", entities=place)])
    assert found.get("intent")["name"] == "inform_location"
