"""Reading one typed reply to one question: an answer, a skip, or "ask again".

Replies come as button labels, option numbers, typos, whole sentences or "weet ik niet".
:func:`interpret` turns a reply into an :class:`Interpretation`; when it fits no option,
:func:`reask_text` asks again and names the options (earlier answers stay).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from rapidfuzz import fuzz, process

from loopbrug.assessment.questions import Question
from loopbrug.texts import text as say

MAX_TEXT_CHARS = 300
MIN_TEXT_CHARS = 2

# Fuzzy matching: ratio over the whole reply catches typos ("heel graaf"); partial ratio finds
# a longer option inside a longer reply ("ja ik wil heeel graag"). Short candidates are left out
# of the partial pass, because "ja" is "inside" every word that contains it.
FUZZY_CUTOFF = 80
PARTIAL_CUTOFF = 90
PARTIAL_MIN_CHARS = 6
FUZZY_MARGIN = 5  # a second option this close to the best one makes the reply ambiguous
MAX_CONTAINED_WORDS = 8
# Where the answer part of a long reply ends and its explanation starts.
_FIRST_CLAUSE = re.compile(r"[,.;:!?]|\s(?:want|maar|omdat|alleen|en dan|dus)\s")
MAX_SKIP_WORDS = 6
SKIP_FUZZY_CUTOFF = 90

# Replies that mean "I don't know" or "skip" (words a person types, not texts we send).
# Exact words are only a skip on their own: "volgende week begin ik" is an answer,
# "volgende" is not.
SKIP_EXACT = frozenset({"skip", "volgende", "pas", "ik pas", "next", "door", "verder", "?"})
SKIP_PHRASES: Tuple[str, ...] = (
    "weet ik niet",
    "weet niet",
    "weet het niet",
    "ik weet het niet",
    "weet ik nie",
    "geen idee",
    "geen flauw idee",
    "sla over",
    "sla maar over",
    "sla deze over",
    "overslaan",
    "volgende vraag",
    "zeg ik liever niet",
    "wil ik niet zeggen",
    "liever niet zeggen",
)
# Words around a skip phrase that add nothing: "nee sorry, weet ik echt niet" is a skip.
SKIP_FILLER = frozenset(
    {"nee", "ik", "echt", "eigenlijk", "nou", "hmm", "sorry", "ehm", "uhm", "nog", "even"}
    | {"dat", "het", "ook", "maar", "gewoon", "helaas", "hoor", "al", "nu", "zo", "dus"}
)
NEGATIONS = frozenset({"niet", "geen", "nooit", "nee", "niks", "niets"})


@dataclass(frozen=True)
class Interpretation:
    """What one reply means for one question.

    ``status`` is "answer", "skip" or "unknown_option"; ``value`` is the option value or the
    cleaned free text; ``score`` is the option's score (None for free text and skips).
    """

    status: str
    value: Optional[str] = None
    score: Optional[int] = None
    label: Optional[str] = None

    def as_answer(self) -> Optional[Dict[str, Any]]:
        """The form of an answer that ``score_profile`` reads; None for unknown_option."""
        if self.status == "skip":
            return {"skipped": True}
        if self.status == "answer":
            return {"value": self.value, "score": self.score}
        return None


def normalize(text: str) -> str:
    """Lowercase, without accents or punctuation, single spaces: for comparing replies."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['’‘`´]", "", text)  # collega's -> collegas
    text = re.sub(r"[^0-9a-z?]+", " ", text)
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """Free text as we keep it: no control characters, single spaces, at most 300 chars."""
    text = "".join(ch if ch.isprintable() else " " for ch in text or "")
    return " ".join(text.split())[:MAX_TEXT_CHARS].strip()


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and re.search(rf"(?<!\S){re.escape(needle)}(?!\S)", haystack) is not None


def is_skip(text: str, free_text: bool = False) -> bool:
    """True for "weet ik niet", "sla over" and friends.

    For a free-text question only the whole reply counts, so "ik weet niet goed, iets met
    zorg" stays an answer. For options a short reply that holds a skip phrase is a skip.
    """
    norm = normalize(text)
    if not norm:
        return False
    bare = " ".join(w for w in norm.split() if w not in SKIP_FILLER)
    if norm in SKIP_EXACT or norm in SKIP_PHRASES or bare in SKIP_PHRASES:
        return True
    if not free_text and len(norm.split()) <= MAX_SKIP_WORDS:
        if any(_contains(norm, phrase) for phrase in SKIP_PHRASES):
            return True
    best = process.extractOne(norm, SKIP_PHRASES, scorer=fuzz.ratio)
    return bool(best and len(norm) >= 5 and best[1] >= SKIP_FUZZY_CUTOFF)


def _candidates(question: Question) -> List[Tuple[str, int]]:
    """(normalized text, option index) for every way to name every option."""
    found: List[Tuple[str, int]] = []
    for index, option in enumerate(question.options):
        names = (option.label, option.value.replace("_", " "), *option.aliases)
        for name in names:
            norm = normalize(name)
            if norm and (norm, index) not in found:
                found.append((norm, index))
    return found


def _has_negation(text: str) -> bool:
    return bool(NEGATIONS.intersection(text.split()))


def _by_number(question: Question, norm: str) -> Optional[int]:
    """Option index for a typed number: a range of years, or the option's position."""
    numbers = re.findall(r"\d+", norm)
    if len(numbers) != 1 or len(norm.split()) > 5:
        return None
    number = int(numbers[0])
    ranged = [i for i, o in enumerate(question.options) if o.numbers]
    if ranged:
        for index in ranged:
            low, high = question.options[index].numbers  # type: ignore[misc]
            if low <= number <= high:
                return index
        return None
    if re.fullmatch(r"(optie |nummer |keuze )?\d+", norm) and 1 <= number <= len(question.options):
        return number - 1
    return None


def _contained(norm: str, candidates: List[Tuple[str, int]]) -> Optional[int]:
    """An option named inside a longer reply; the longest name wins, ties are ambiguous.

    A long reply is read by its first clause: "ja heel graag want ik werk al 20 jaar in het
    magazijn" answers with "heel graag" and explains after "want" (it was refused three times).
    """
    if len(norm.split()) > MAX_CONTAINED_WORDS:
        norm = _FIRST_CLAUSE.split(norm, maxsplit=1)[0].strip()
    if not norm or len(norm.split()) > MAX_CONTAINED_WORDS:
        return None
    hits = [(len(name), index, name) for name, index in candidates if _contains(norm, name)]
    if not hits:
        return None
    longest = max(length for length, _, _ in hits)
    best = {index for length, index, _ in hits if length == longest}
    if len(best) != 1:
        return None
    index = best.pop()
    name = next(name for length, i, name in hits if i == index and length == longest)
    if _has_negation(norm) and not _has_negation(name):
        return None  # "niet heel graag" is not "heel graag"
    return index


def _fuzzy(norm: str, candidates: List[Tuple[str, int]]) -> Optional[int]:
    """An option despite typos; None when two options come out about equally close."""
    if len(norm) < 3 or not candidates:
        return None
    if _has_negation(norm):
        # "niet heel graag" is close to "heel graag" in letters, not in meaning.
        candidates = [(name, index) for name, index in candidates if _has_negation(name)]
        if not candidates:
            return None
    names = [name for name, _ in candidates]
    for scorer, cutoff, min_len in (
        (fuzz.ratio, FUZZY_CUTOFF, 0),
        (fuzz.partial_ratio, PARTIAL_CUTOFF, PARTIAL_MIN_CHARS),
    ):
        if scorer is fuzz.partial_ratio and len(norm.split()) > MAX_CONTAINED_WORDS:
            continue
        scored = [
            (score, candidates[pos][1])
            for _, score, pos in process.extract(norm, names, scorer=scorer, limit=None)
            if score >= cutoff and len(names[pos]) >= min_len
        ]
        if not scored:
            continue
        best_score, best_index = max(scored)
        rivals = {i for s, i in scored if i != best_index and s >= best_score - FUZZY_MARGIN}
        return None if rivals else best_index
    return None


def interpret(question: Question, text: str) -> Interpretation:
    """Turn one reply into an answer, a skip or ``unknown_option`` (then ask again)."""
    raw = text if isinstance(text, str) else ""
    if question.kind == "text":
        if is_skip(raw, free_text=True):
            return Interpretation("skip")
        cleaned = clean_text(raw)
        if len(cleaned) < MIN_TEXT_CHARS:
            return Interpretation("unknown_option")
        return Interpretation("answer", value=cleaned)

    norm = normalize(raw)
    if not norm:
        return Interpretation("unknown_option")
    candidates = _candidates(question)
    index: Optional[int] = next((i for name, i in candidates if name == norm), None)
    if index is None:
        index = _by_number(question, norm)
    if index is None and is_skip(raw):
        return Interpretation("skip")
    if index is None:
        index = _contained(norm, candidates)
    if index is None:
        index = _fuzzy(norm, candidates)
    if index is None:
        return Interpretation("unknown_option")
    option = question.options[index]
    return Interpretation("answer", value=option.value, score=option.score, label=option.label)


def reask_text(question: Question) -> str:
    """A friendly ask-again that names the options; earlier answers are kept."""
    lines = [say("assessment.reask_intro")]
    if question.kind == "text":
        lines.append(say("assessment.reask_own_words"))
    else:
        lines.append(say("assessment.reask_choose"))
        lines.extend(f"{n}. {option.label}" for n, option in enumerate(question.options, 1))
        lines.append(say("assessment.reask_number"))
    if question.hint:
        lines.append(question.hint)
    lines.append(say("assessment.reask_skip"))
    return "\n".join(lines)
