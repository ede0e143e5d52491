"""Clarification flow: ask back instead of guessing (conversation design: "it never guesses").

Runs for ``nlu_fallback`` (low or ambiguous confidence), for ``out_of_scope`` and as the core
fallback. What the person reads depends on the kind of miss (issue 16):

* off-topic ("wie wint het wk"): "daar weet ik niets van", what it can do, topic buttons;
* gibberish (keyboard mash, random letters, only emoji): "kun je het anders zeggen?";
* a miss on one of our own topics: first the two best guesses, on the next miss the topic
  buttons, and only on the miss after that the offer of a person.

Off-topic and gibberish never count toward offering a person; a real answer in between
starts the count again. Guesses are plausible topics only: never erasure ("Mijn gegevens
wissen" for "van beroep wisselen"), never yes/no or greetings.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_unit, unit_without_intent
from loopbrug.conversation import ACTION_LISTEN, Event, read_events
from loopbrug.gibberish import is_gibberish
from loopbrug.labels import intent_title
from loopbrug.texts import text

# Never offered as a guess, whatever the classifier ranks: a button that erases everything is
# no plausible reading of a question we did not understand. Intents without a title
# (loopbrug/labels.py: greet, affirm, crisis, ...) are never offered either.
NEVER_GUESS = frozenset({"delete_data", "start_over", "crisis"})


def topic_buttons() -> List[Dict[str, str]]:
    """The main topics, offered when we cannot guess what the person meant."""
    return [
        {"title": text("clarify.topic_work"), "payload": "/orientation_start"},
        {"title": text("clarify.topic_funding"), "payload": "/funding_overview"},
        {"title": text("clarify.topic_money"), "payload": "/debt_help"},
        {"title": text("clarify.topic_selftest"), "payload": "/start_assessment"},
    ]


def human_buttons() -> List[Dict[str, str]]:
    """Yes or no to a person, after repeated misses."""
    return [
        {"title": text("clarify.human_yes"), "payload": "/request_human"},
        {"title": text("clarify.human_no"), "payload": "/capabilities"},
    ]


MIN_GUESS_CONFIDENCE = 0.05

# Kinds of miss.
OFF_TOPIC, GIBBERISH, IN_SCOPE = "off_topic", "gibberish", "in_scope"


def miss_kind(message: Dict[str, Any]) -> str:
    """What kind of miss a parsed message is: off-topic, gibberish or in scope."""
    intent = (message.get("intent") or {}).get("name")
    ranking = [i.get("name") for i in message.get("intent_ranking") or []]
    understood = [name for name in ranking if name != "nlu_fallback"]
    if intent == "out_of_scope" or (understood[:1] == ["out_of_scope"]):
        return OFF_TOPIC
    if is_gibberish(message.get("text") or ""):
        return GIBBERISH
    return IN_SCOPE


def best_guesses(ranking: List[Dict[str, Any]], limit: int = 2) -> List[str]:
    """The ``limit`` most likely intents that are worth offering as a button."""
    guesses = [
        item["name"]
        for item in ranking
        if intent_title(item.get("name") or "")
        and item.get("name") not in NEVER_GUESS
        and item.get("confidence", 0.0) >= MIN_GUESS_CONFIDENCE
    ]
    return guesses[:limit]


def turns(tracker: Tracker) -> List[Tuple[Event, Optional[str]]]:
    """The person's earlier messages, newest first, each with the bot's first action after
    it (action_listen skipped); the current message is left out."""
    result: List[Tuple[Event, Optional[str]]] = []
    answer: Optional[str] = None
    for event in reversed(read_events(tracker.events)):
        if event.is_action():
            if event.name != ACTION_LISTEN:
                answer = event.name
        elif event.is_user():
            result.append((event, answer))
            answer = None
    return result[1:]  # result[0] is the message being answered now


def earlier_misses(tracker: Tracker) -> int:
    """In-scope misses just before this message. Off-topic and gibberish turns in between
    neither count nor break the run; any real answer ends it."""
    count = 0
    for event, answer in turns(tracker):
        if answer != ActionClarify.NAME:
            break
        parse = dict(event.parse_data)
        parse.setdefault("text", event.text)
        if miss_kind(parse) == IN_SCOPE:
            count += 1
    return count


def asked_back_last_turn(tracker: Tracker) -> bool:
    """True when the bot's previous turn (before this user message) was a clarification."""
    earlier = turns(tracker)
    return bool(earlier) and earlier[0][1] == ActionClarify.NAME


class ActionClarify(Action):
    """Ask back by the kind of miss; a person only after repeated misses on our topics."""

    NAME = "action_clarify"

    def name(self) -> str:
        """Action name as in the domain."""
        return self.NAME

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[Dict[str, Any]]:
        """Off-topic, gibberish, or the next step of asking back about our own topics."""
        message = dict(tracker.latest_message or {})
        kind = miss_kind(message)
        if kind != GIBBERISH:
            # "en hoeveel rente?" after the levenlanglerenkrediet, or "zij-instroom onderwijs"
            # that the classifier could not place but one question unit clearly answers.
            unit = unit_without_intent(tracker)
            if unit is not None:
                return answer_unit(dispatcher, tracker, unit)
        if kind == OFF_TOPIC:
            dispatcher.utter_message(response="utter_clarify_out_of_scope", buttons=topic_buttons())
            return []
        if kind == GIBBERISH:
            dispatcher.utter_message(response="utter_clarify_gibberish")
            return []

        misses = earlier_misses(tracker)
        if misses >= 2:
            dispatcher.utter_message(response="utter_clarify_offer_human", buttons=human_buttons())
            return []
        guesses = [] if misses else best_guesses(message.get("intent_ranking") or [])
        if not guesses:
            dispatcher.utter_message(response="utter_clarify_topics", buttons=topic_buttons())
            return []
        buttons = [{"title": intent_title(name), "payload": f"/{name}"} for name in guesses]
        buttons.append({"title": text("clarify.something_else"), "payload": "/capabilities"})
        dispatcher.utter_message(response="utter_clarify_guess", buttons=buttons)
        return []
