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

import functools
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

# Button labels for intents we may suggest. Intents without a label (greet, affirm, crisis, ...)
# are never offered as a guess: "Bedoel je: ja?" helps nobody.
INTENT_LABELS: Dict[str, str] = {
    "capabilities": "Wat kun je?",
    "request_human": "Praten met een mens",
    "privacy_info": "Wat doen jullie met mijn gegevens?",
    "delete_data": "Mijn gegevens wissen",  # a label elsewhere, never a guess (NEVER_GUESS)
    "orientation_start": "Ik wil ander werk",
    "shortage_sectors": "Waar is werk?",
    "sector_info": "Werken in een sector",
    "experience_work": "Eerst meelopen",
    "orientation_programs": "Uitzoeken wat bij me past",
    "training_routes": "Hoe werkt een opleiding?",
    "skills_recognition": "Ervaring zonder diploma",
    "orientation_time": "Tijd om te leren van mijn werk",
    "guidance_support": "Begeleiding bij overstap",
    "funding_overview": "Opleiding betalen",
    "funding_voucher": "Scholingsvoucher",
    "funding_employer": "Werkgever betaalt mee",
    "funding_sector_fund": "Opleidingsfonds van sector",
    "funding_transition_payment": "Transitievergoeding",
    "funding_benefits": "Leren met een uitkering",
    "funding_loan": "Lenen voor een opleiding",
    "funding_stap": "STAP-budget",
    "career_advice_free": "Gratis loopbaanadvies",
    "finance_check": "Kan ik dit betalen?",
    "income_during_training": "Inkomen tijdens opleiding",
    "debt_help": "Hulp bij schulden",
    "practical_costs": "Reiskosten en opvang",
    "start_assessment": "Zelftest doen",
    "show_profile": "Mijn profiel bekijken",
    "find_loket": "Loket in mijn regio",
    "handoff_status": "Status van mijn aanvraag",
}

# Never offered as a guess, whatever the classifier ranks: a button that erases everything is
# no plausible reading of a question we did not understand.
NEVER_GUESS = frozenset({"delete_data", "start_over", "crisis"})

TOPIC_BUTTONS: List[Dict[str, str]] = [
    {"title": "Ander werk zoeken", "payload": "/orientation_start"},
    {"title": "Opleiding betalen", "payload": "/funding_overview"},
    {"title": "Geldzorgen", "payload": "/debt_help"},
    {"title": "Zelftest doen", "payload": "/start_assessment"},
]
HUMAN_BUTTONS: List[Dict[str, str]] = [
    {"title": "Ja, een mens graag", "payload": "/request_human"},
    {"title": "Nee, ik probeer het anders", "payload": "/capabilities"},
]

MIN_GUESS_CONFIDENCE = 0.05

# Kinds of miss.
OFF_TOPIC, GIBBERISH, IN_SCOPE = "off_topic", "gibberish", "in_scope"

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VOWELS = set("aeiouy")


@functools.lru_cache(maxsize=1)
def _words() -> frozenset:
    from actions.region import dutch_words

    return dutch_words()


def _keyboard_run(word: str) -> bool:
    """Four or more letters that are neighbours on one keyboard row ("asdf", "jkl;")."""
    for row in KEYBOARD_ROWS:
        for start in range(len(row) - 3):
            if row[start : start + 4] in word or row[start : start + 4][::-1] in word:
                return True
    return False


def _mash(word: str) -> bool:
    """A token no Dutch speaker types as a word: no vowel, five consonants in a row, a
    keyboard run, one letter four times in a row, or a short piece repeated."""
    return (
        not VOWELS & set(word)
        or re.search(r"[^aeiouy]{5,}", word) is not None
        or _keyboard_run(word)
        or re.search(r"(.)\1{3,}", word) is not None
        or re.fullmatch(r"(.{2,3})\1{2,}", word) is not None
    )


def is_gibberish(text: str) -> bool:
    """True for text without words: only emoji, signs or digits, or letters that form no
    Dutch word and look typed at random ("qwzx vlorp", "asdfghjkl", "sdkjfh sdfkj").

    One known Dutch word (or a short one like "ok") is enough to treat it as a real attempt:
    then it is a misunderstanding, and the person gets guesses or topics instead."""
    from actions.region import fold

    tokens = re.findall(r"[a-z]+", fold(text))
    if not tokens:
        return True  # "😀😀😀", "???", "..."
    if any(t in _words() for t in tokens):
        return False
    return sum(_mash(t) for t in tokens) * 2 >= len(tokens)


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
        if item.get("name") in INTENT_LABELS
        and item.get("name") not in NEVER_GUESS
        and item.get("confidence", 0.0) >= MIN_GUESS_CONFIDENCE
    ]
    return guesses[:limit]


def turns(tracker: Tracker) -> List[tuple]:
    """The person's earlier messages, newest first, each with the bot's first action after
    it (action_listen skipped); the current message is left out."""
    result: List[tuple] = []
    answer: Optional[str] = None
    users = [e for e in tracker.events if e.get("event") in ("user", "action")]
    for event in reversed(users):
        if event.get("event") == "action":
            if event.get("name") != "action_listen":
                answer = event.get("name")
        else:
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
        parse = dict(event.get("parse_data") or {})
        parse.setdefault("text", event.get("text"))
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
        if kind == OFF_TOPIC:
            dispatcher.utter_message(response="utter_clarify_out_of_scope", buttons=TOPIC_BUTTONS)
            return []
        if kind == GIBBERISH:
            dispatcher.utter_message(response="utter_clarify_gibberish")
            return []

        misses = earlier_misses(tracker)
        if misses >= 2:
            dispatcher.utter_message(response="utter_clarify_offer_human", buttons=HUMAN_BUTTONS)
            return []
        guesses = [] if misses else best_guesses(message.get("intent_ranking") or [])
        if not guesses:
            dispatcher.utter_message(response="utter_clarify_topics", buttons=TOPIC_BUTTONS)
            return []
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in guesses]
        buttons.append({"title": "Iets anders", "payload": "/capabilities"})
        dispatcher.utter_message(response="utter_clarify_guess", buttons=buttons)
        return []
