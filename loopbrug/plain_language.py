"""Plain-language checks for everything the assistant says (B1 Dutch).

The rules come from shared/spec/conversation-design.md: short sentences (about 15 words on
average, none over 25) and every piece of jargon explained where it is used. No maintained
readability library measures these for Dutch (readability formulas such as Flesch-Douma score
syllables, not jargon), so the check is written here and kept small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List

import yaml

MAX_SENTENCE_WORDS = 25
MAX_MEAN_SENTENCE_WORDS = 15.0

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"[\w€%'-]+", re.UNICODE)
URL = re.compile(r"\b[\w.-]+\.(nl|com|org|eu)(/\S*)?", re.IGNORECASE)
LIST_NUMBER = re.compile(r"^\d+\.$")


@dataclass(frozen=True)
class Jargon:
    """A term that needs an explanation, and the words that show it was explained."""

    term: str
    cues: tuple


def load_jargon(path: Path) -> List[Jargon]:
    """Read data/plain_language.yml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    generic = tuple(data.get("explanation_cues", []))
    return [
        Jargon(term=item["term"], cues=tuple(item.get("cues", [])) + generic)
        for item in data["jargon"]
    ]


def sentences(text: str) -> List[str]:
    """Split a message into sentences; numbered list markers ("1.") are not sentences."""
    text = URL.sub("website", text)
    parts = [p.strip() for p in SENTENCE_END.split(text) if p and p.strip()]
    return [p for p in parts if not LIST_NUMBER.match(p)]


def word_count(sentence: str) -> int:
    """Number of words in one sentence."""
    return len(WORD.findall(sentence))


def problems(text: str, jargon: Iterable[Jargon] = ()) -> List[str]:
    """Everything in ``text`` that breaks the plain-language rules, in words a writer can act on."""
    found: List[str] = []
    parts = sentences(text)
    counts = [word_count(s) for s in parts]
    for sentence, count in zip(parts, counts):
        if count > MAX_SENTENCE_WORDS:
            found.append(f"{count} words (max {MAX_SENTENCE_WORDS}): {sentence!r}")
    if counts and sum(counts) / len(counts) > MAX_MEAN_SENTENCE_WORDS:
        found.append(
            f"mean sentence length {sum(counts) / len(counts):.1f} words "
            f"(max {MAX_MEAN_SENTENCE_WORDS:.0f})"
        )
    lowered = text.lower()
    for item in jargon:
        # Acronyms match only in capitals: "SLIM" the scheme, not "slim" (clever).
        haystack, needle = (
            (text, item.term) if item.term.isupper() else (lowered, item.term.lower())
        )
        used = re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack)
        if used and not any(cue.lower() in lowered for cue in item.cues):
            found.append(f"'{item.term}' is used but not explained")
    return found
