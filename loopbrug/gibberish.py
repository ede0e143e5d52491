"""Is a message gibberish? Keyboard mash, random letters, only emoji or signs.

Used by the NLU pipeline (bot/components/gibberish_guard.py: such a message becomes
``nlu_fallback`` whatever the classifier guessed, "asdfghjkl" was read as "ja") and by the
clarification action (actions/clarify.py: "Kun je het anders zeggen?", never counted toward
offering a person). One Dutch word is enough to count as a real attempt: then it is a
misunderstanding, not gibberish. Digits alone (a postcode, an amount) are never gibberish.
"""

from __future__ import annotations

import re

from loopbrug.words import dutch_words, fold

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VOWELS = frozenset("aeiouy")


def _keyboard_run(word: str) -> bool:
    """Four or more letters that are neighbours on one keyboard row ("asdf", "lkjh")."""
    for row in KEYBOARD_ROWS:
        for start in range(len(row) - 3):
            piece = row[start : start + 4]
            if piece in word or piece[::-1] in word:
                return True
    return False


def _mash(word: str) -> bool:
    """A token no Dutch speaker types as a word: no vowel, five consonants in a row, a
    keyboard run, or a short piece typed three times ("kjhkjhkjh")."""
    return (
        not VOWELS & set(word)
        or re.search(r"[^aeiouy]{5,}", word) is not None
        or _keyboard_run(word)
        or re.fullmatch(r"(.{2,3})\1{2,}", word) is not None
    )


def _known(word: str, words: frozenset) -> bool:
    """A Dutch word, also stretched ("jaaaa", "neeee")."""
    return any(
        form in words
        for form in (word, re.sub(r"(.)\1{2,}", r"\1", word), re.sub(r"(.)\1{2,}", r"\1\1", word))
    )


def is_gibberish(text: str) -> bool:
    """True for a message without words (see the module docstring)."""
    folded = fold(text)
    tokens = re.findall(r"[a-z]+", folded)
    if not tokens:
        return not re.search(r"\d", folded)  # "😀😀😀", "???"; but not "3511" or "2500"
    words = dutch_words()
    if any(_known(t, words) for t in tokens):
        return False
    return sum(_mash(t) for t in tokens) * 2 >= len(tokens)
