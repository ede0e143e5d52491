"""Checks over every bot turn of a golden conversation, independent of the snapshot.

A turn is the list of messages the bot sent after one step of the person. ``turn_problems``
returns what is wrong with it, in words a writer can act on; an empty list means the turn is
fine:

- no line (and no sentence of four words or more) is sent twice in one turn, and no word is
  doubled ("regio Regio Zwolle");
- at most ``MAX_MESSAGES`` messages in one turn;
- no raw Markdown (``**``, ``__``, ``# `` headings, ``|`` tables, ``[text](url)``, backticks)
  and no payload syntax (``/intent{...}``, ``/intent_name``, ``{"``) in a text or button;
- every text passes the plain-language check (loopbrug/plain_language.py).
"""

from __future__ import annotations

import re
from typing import List, Sequence

from loopbrug.plain_language import load_jargon, problems, sentences
from loopbrug.settings import ROOT
from tests.golden.transcript import Message

MAX_MESSAGES = 4
JARGON = load_jargon(ROOT / "data" / "plain_language.yml")

MARKDOWN = [
    (re.compile(r"\*\*|__"), "bold/underline markers (** or __)"),
    (re.compile(r"(?m)^\s*#{1,6}\s"), "a Markdown heading (# )"),
    (re.compile(r"(?m)^\s*\|.*\|\s*$|\|\s*-{3,}"), "a Markdown table (|)"),
    (re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"), "a Markdown link [text](url)"),
    (re.compile(r"`"), "a backtick (code markup)"),
]
PAYLOAD = [
    (re.compile(r"(?<![\w.:/])/\w+\s*\{"), "payload syntax /intent{...}"),
    (re.compile(r"(?<![\w.:/])/[a-z]+_[a-z_]+\b"), "an intent name (/intent_name)"),
    (re.compile(r"\{\s*\""), 'raw JSON ({")'),
]
DOUBLED_WORD = re.compile(r"\b(\w{3,})\s+\1\b", re.IGNORECASE)
LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def shown_texts(message: Message) -> List[str]:
    """Every piece of text the person reads in a message: the text and button titles."""
    return [message.text, *(b.get("title", "") for b in message.buttons)]


def repeats(messages: Sequence[Message]) -> List[str]:
    """Lines or longer sentences sent twice in one turn, and doubled words."""
    found: List[str] = []
    seen_lines: set = set()
    seen_sentences: set = set()
    for message in messages:
        for line in (LIST_MARKER.sub("", part).strip() for part in message.text.split("\n")):
            if line and line in seen_lines:
                found.append(f"line sent twice: {line!r}")
            seen_lines.add(line)
    twice_lines = {f.lower() for f in found}
    for message in messages:
        for sentence in sentences(message.text):
            key = " ".join(LIST_MARKER.sub("", sentence).lower().split())
            if len(key.split()) < 4:
                continue
            if (
                key in seen_sentences
                and f"line sent twice: {sentence!r}".lower() not in twice_lines
            ):
                found.append(f"sentence sent twice: {sentence!r}")
            seen_sentences.add(key)
        for match in DOUBLED_WORD.finditer(message.text):
            found.append(f"word doubled: {match[0]!r}")
    return sorted(set(found), key=found.index)


def flood(messages: Sequence[Message]) -> List[str]:
    """More than MAX_MESSAGES messages in one turn."""
    if len(messages) > MAX_MESSAGES:
        return [f"{len(messages)} messages in one turn (max {MAX_MESSAGES})"]
    return []


def raw_syntax(messages: Sequence[Message]) -> List[str]:
    """Markdown or payload syntax that a person would see as it is."""
    found: List[str] = []
    for message in messages:
        for text in shown_texts(message):
            for pattern, what in MARKDOWN + PAYLOAD:
                match = pattern.search(text)
                if match:
                    found.append(f"{what}: {_around(text, match.start())!r}")
    return found


def plain_language(messages: Sequence[Message]) -> List[str]:
    """Every message text passes bot/plain_language's check."""
    return [
        f"not plain language: {problem} (in {_around(message.text, 0)!r})"
        for message in messages
        for problem in problems(message.text, JARGON)
    ]


def turn_problems(messages: Sequence[Message]) -> List[str]:
    """Everything wrong with one bot turn."""
    return repeats(messages) + flood(messages) + raw_syntax(messages) + plain_language(messages)


def _around(text: str, at: int, width: int = 60) -> str:
    start = max(0, at - 10)
    return text[start : start + width].replace("\n", " ")
