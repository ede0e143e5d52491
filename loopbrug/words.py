"""Dutch words: how names are compared (:func:`fold`) and which words are ordinary Dutch
(:func:`dutch_words`).

The region model compares place names after folding them, and takes a typo inside a sentence
for a place only when the word is no Dutch word ("terecht" is no Utrecht). The gibberish check
(loopbrug/gibberish.py) counts a message with one Dutch word as a real attempt.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from pathlib import Path

from loopbrug.settings import ROOT

NLU_DIR = ROOT / "data" / "nlu"
# Place names that are ordinary words as well ("best", "echt"), one a line; also used by the
# region model (loopbrug/region/places.py).
ORDINARY_WORDS = ROOT / "data" / "regions" / "ordinary_words.txt"


def fold(text: str, lower: bool = True) -> str:
    """Normalise a name for comparison; lower=False keeps case and the same tokens.

    Lower case, no diacritics or apostrophes, punctuation as spaces, "st" -> "sint",
    "a/d" and "aan den" -> "aan de".
    """
    text = unicodedata.normalize("NFKD", text.replace("€", " euro "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower() if lower else text
    text = re.sub(r"[’‘`´']", "", text)  # 's-Gravenhage, A'dam: apostrophes join, not split
    text = re.sub(r"\b(a)\s*[/.]\s*(d)\b\.?", r"\1an \2e", text, flags=re.I)  # a/d -> aan de
    text = re.sub(r"[^0-9A-Za-z]+", " ", text)
    text = re.sub(r"\b(s)(t)\b", r"\1in\2", text, flags=re.I)  # St. Anthonis -> Sint Anthonis
    text = re.sub(r"\b(aan) (de)n\b", r"\1 \2", text, flags=re.I)
    return " ".join(text.split())


def read_word_list(path: Path) -> set[str]:
    """The folded words of a list with one word a line and ``#`` comments; empty if absent."""
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {fold(w) for w in lines if w.strip() and not w.startswith("#")}


@functools.lru_cache(maxsize=1)
def dutch_words() -> frozenset[str]:
    """Folded ordinary Dutch words: a typo inside a sentence is only taken for a place when
    it is none of these ("terecht" is no Utrecht, "wisselen" no place at all).

    Word forms and lemmas of the Dutch lemma table (spacy-lookups-data, when installed), every
    word of our own training examples outside entity annotations, and ordinary_words.txt.
    """
    words: set[str] = set()
    try:
        import spacy_lookups_data

        table = Path(spacy_lookups_data.__file__).parent / "data" / "nl_lemma_lookup.json.gz"
        with gzip.open(table, "rt", encoding="utf-8") as handle:
            lemmas = json.load(handle)
        for word in {*lemmas, *lemmas.values()}:  # fold() only where it changes something
            words.add(word.lower() if word.isascii() and word.isalpha() else fold(word))
    except (ImportError, OSError, ValueError):  # the training words still guard
        pass
    for path in NLU_DIR.glob("*.yml"):
        text = path.read_text(encoding="utf-8")  # without annotated entities, both forms
        text = re.sub(r"\[[^\]]*\](\([^)]*\)|\{[^}]*\})", " ", text)
        words.update(w if w.isascii() else fold(w) for w in re.findall(r"[a-zà-ÿ]+", text.lower()))
    words.update(read_word_list(ORDINARY_WORDS))
    return frozenset(w for w in words if w)
