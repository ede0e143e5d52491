"""Long bot messages cut into Telegram messages: at sentence ends, else between words.

Telegram refuses a message longer than 4096 characters, counted in UTF-16 code units (an
emoji outside the Basic Multilingual Plane counts twice). python-telegram-bot does not split
text, so this module does.
"""

from __future__ import annotations

import re
from typing import List

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit, in UTF-16 code units
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\n\s*")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji can count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _cut_hard(text: str, limit: int) -> List[str]:
    """Cut between characters (never inside an emoji's surrogate pair)."""
    parts, current, width = [], "", 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if width + size > limit:
            parts.append(current)
            current, width = "", 0
        current, width = current + char, width + size
    return parts + ([current] if current else [])


def _split_words(text: str, limit: int) -> List[str]:
    """Join words greedily up to ``limit``; a word longer than that is cut hard."""
    chunks: List[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if telegram_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        *full, current = _cut_hard(word, limit)
        chunks.extend(full)
    if current:
        chunks.append(current)
    return chunks


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> List[str]:
    """Cut text into messages of at most ``limit``: at sentence ends, else between words.

    Short text comes back unchanged (one message). Paragraph breaks inside a message are
    kept; a break where the text is cut disappears. Empty text gives no messages.
    """
    text = text.strip()
    if not text:
        return []
    if telegram_length(text) <= limit:
        return [text]
    chunks: List[str] = []
    current = ""
    position = 0
    for match in [*SENTENCE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        sentence = text[position:end]
        separator = match.group(0) if match else ""
        position = match.end() if match else len(text)
        if not sentence:
            continue
        if current and telegram_length(current + sentence) <= limit:
            current += sentence
        else:
            if current.strip():
                chunks.append(current.strip())
            if telegram_length(sentence) <= limit:
                current = sentence
            else:
                *full, current = _split_words(sentence, limit)
                chunks.extend(full)
        current += separator
    if current.strip():
        chunks.append(current.strip())
    return chunks
