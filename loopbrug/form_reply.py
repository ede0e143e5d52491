"""What a reply inside a form means: an answer, or a wish to steer the form.

A person in the middle of the self-test, the money check or a calculator may want to stop,
go back a question, correct the answer they just gave, or ask what the question means. Those
replies must never be stored as answers. The phrases are data (``data/forms/replies.yml``);
this module only reads them. It knows nothing of Rasa: ``actions/form_validation.py`` applies
the result to whichever form is asking.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Optional, Pattern, Tuple

import yaml
from rapidfuzz import fuzz

REPLIES_PATH = Path(__file__).resolve().parent.parent / "data" / "forms" / "replies.yml"

# A whole-message phrase matches a message this similar (RapidFuzz ratio, 0-100): "stopen",
# "vorge vraag" and "wat bedoel je precis" still count, "stad" or "terras" do not. Below
# MIN_FUZZY_LENGTH letters only an exact match counts ("top" is not "stop").
FUZZY_RATIO = 88
MIN_FUZZY_LENGTH = 6
# Intents that steer whatever the words: "doei" inside a form stops it (data/nlu/form_control.yml).
STOP_INTENTS = frozenset({"goodbye", "stop_form"})
BACK_INTENTS = frozenset({"go_back"})

_REPEATS = re.compile(r"(\w)\1{2,}")
_NOT_WORD = re.compile(r"[^\w\s]+")


class Move(Enum):
    """What the person wants from the form with this reply."""

    ANSWER = "answer"
    STOP = "stop"
    BACK = "back"
    EXPLAIN = "explain"
    CORRECT = "correct"
    RESTART = "restart"
    GREETING = "greeting"
    RESUME = "resume"


@dataclass(frozen=True)
class Reading:
    """A reply's move; for a correction also the answer meant (in the person's words)."""

    move: Move
    corrected: str = ""
    # True when only the intent said so (the words did not): a form checks first whether the
    # question can take the reply as an answer.
    by_intent: bool = False


@dataclass(frozen=True)
class _Phrases:
    whole: Tuple[str, ...]
    patterns: Tuple[Pattern[str], ...]

    def match(self, norm: str) -> bool:
        if norm in self.whole or any(p.search(norm) for p in self.patterns):
            return True
        if len(norm) < MIN_FUZZY_LENGTH:
            return False
        return any(fuzz.ratio(norm, phrase) >= FUZZY_RATIO for phrase in self.whole)


@dataclass(frozen=True)
class _Replies:
    stop: _Phrases
    back: _Phrases
    restart: _Phrases
    greeting: _Phrases
    resume: _Phrases
    explain: _Phrases
    markers: Tuple[Pattern[str], ...]
    signals: Tuple[Pattern[str], ...]


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, letters typed three times or more counted once."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = _REPEATS.sub(r"\1", plain.replace("\u2019", "'"))
    plain = _NOT_WORD.sub(" ", plain)
    return re.sub(r"\s+", " ", plain).strip()


def _patterns(raw: Iterable[dict]) -> Tuple[Pattern[str], ...]:
    return tuple(re.compile(item["pattern"]) for item in raw or ())


def _phrases(raw: dict) -> _Phrases:
    return _Phrases(
        whole=tuple(normalise(p) for p in raw.get("whole") or ()),
        patterns=_patterns(raw.get("patterns")),
    )


def load_replies(path: Path = REPLIES_PATH) -> _Replies:
    """The phrase lists; a broken file fails here, at start-up, not in a conversation."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _Replies(
        stop=_phrases(data["stop"]),
        back=_phrases(data["back"]),
        restart=_phrases(data["restart"]),
        greeting=_phrases(data["greeting"]),
        resume=_phrases(data["resume"]),
        explain=_phrases(data["explain"]),
        markers=_patterns(data["correct"]["markers"]),
        signals=_patterns(data["correct"]["signals"]),
    )


@lru_cache(maxsize=1)
def _replies() -> _Replies:
    return load_replies()


def _corrected(text: str, replies: _Replies) -> Optional[str]:
    """The answer meant, when ``text`` corrects the answer before; else None."""
    norm = normalise(text)
    if not any(signal.search(norm) for signal in replies.signals):
        return None
    # Cut after the last marker in the person's own text (kept as typed: "€ 1.500" stays).
    lowered = text.lower()
    end = 0
    for marker in replies.markers:
        for found in marker.finditer(lowered):
            end = max(end, found.end())
    if end == 0:
        return None
    meant = text[end:].strip(" \t,.;:!-")
    return meant or None


def read_reply(text: str, intent: str = "", options: Iterable[str] = ()) -> Reading:
    """The move of one reply inside a form.

    ``options`` are the answers the question offers (button labels, aliases): a reply that is
    one of them is always an answer, so "genoeg" answers "Heb je genoeg tijd?" instead of
    stopping the test.
    """
    norm = normalise(text)
    replies = _replies()
    if not norm:
        return Reading(Move.ANSWER)
    if norm in {normalise(option) for option in options}:
        return Reading(Move.ANSWER)
    if replies.stop.match(norm):
        return Reading(Move.STOP)
    if intent in STOP_INTENTS:
        return Reading(Move.STOP, by_intent=True)
    if intent in BACK_INTENTS or replies.back.match(norm):
        return Reading(Move.BACK)
    if replies.restart.match(norm):
        return Reading(Move.RESTART)
    if replies.greeting.match(norm):
        return Reading(Move.GREETING)
    if replies.resume.match(norm):
        return Reading(Move.RESUME)
    if replies.explain.match(norm):
        return Reading(Move.EXPLAIN)
    meant = _corrected(text, replies)
    if meant:
        return Reading(Move.CORRECT, corrected=meant)
    return Reading(Move.ANSWER)


def last_asked_before(asked: List[str], current: str, answered: Iterable[str]) -> Optional[str]:
    """The question asked before ``current`` that has an answer now, or None at the first.

    ``asked`` is every slot the form requested, in order (repeats allowed); a question asked
    again after "terug" counts at its latest place.
    """
    answered = set(answered)
    seen = set()
    for slot in reversed(asked):
        if slot == current or slot in seen:
            continue
        seen.add(slot)
        if slot in answered:
            return slot
    return None
