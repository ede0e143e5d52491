"""How close a message is to each of a list of phrasings: one way, used by the knowledge
retriever (loopbrug/knowledge/retrieve.py) and the crisis guard's reading of the rest of a
mixed message (loopbrug/safety/other_part.py).

TF-IDF over character n-grams (typos, glued words: "levenlanglerenkrediet") weighed with word
n-grams (the words themselves), both from scikit-learn; cosine similarity per phrasing.
"""

from __future__ import annotations

from typing import Sequence

CHAR_WEIGHT = 0.8


class NgramIndex:
    """Phrasings indexed once; ``closeness(text)`` gives one similarity per phrasing."""

    def __init__(self, rows: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self.words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        self.char_rows = self.chars.fit_transform(rows)
        self.word_rows = self.words.fit_transform(rows)

    def closeness(self, text: str):
        """A numpy array: the similarity of ``text`` to every phrasing, in row order."""
        chars = (self.char_rows @ self.chars.transform([text]).T).toarray().ravel()
        words = (self.word_rows @ self.words.transform([text]).T).toarray().ravel()
        return CHAR_WEIGHT * chars + (1 - CHAR_WEIGHT) * words
