"""What the rest of a crisis message asks ("ik heb 30k schuld en wil eigenlijk dood").

The crisis answer offers to come back to the other question afterwards. The intent classifier
reads the whole message, where the crisis words drown the rest: for "ik heb 30k schuld en wil
eigenlijk dood" it gave debts 6% and income changes 6%, too close to call. The detector already
cut the crisis clauses off (``Verdict.other``); this reads only what is left, against the
training examples themselves: the topic of the closest examples, when they are close enough.

Nearest examples rather than a second trained classifier: the examples are the ones the
intent classifier learns from, so both agree on what a topic is, and nothing else is trained.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

# A remainder is read as a topic only when its closest examples are at least this similar
# (cosine of character and word n-grams). Below it the crisis answer offers nothing to come back
# to, which is the safe side: a wrong "Je vroeg ook iets over ..." would not be.
MIN_SIMILARITY = 0.5
CLOSEST = 2  # mean of the two closest examples per topic: one odd example does not decide


class OtherPart:
    """Reads the topic of a message's remainder from (intent, text) training examples."""

    def __init__(self, examples: Iterable[Tuple[str, str]], never: Sequence[str] = ()) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        never_set = set(never)
        kept = [(intent, text.lower()) for intent, text in examples if intent not in never_set]
        self.intents: List[str] = [intent for intent, _ in kept]
        texts = [text for _, text in kept]
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self.words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        self.char_rows = self.chars.fit_transform(texts) if texts else None
        self.word_rows = self.words.fit_transform(texts) if texts else None

    def intent_of(self, text: str) -> Optional[str]:
        """The topic the remainder asks about, or None when no topic is close enough."""
        if self.char_rows is None or not text.strip():
            return None
        plain = [text.lower()]
        chars = (self.char_rows @ self.chars.transform(plain).T).toarray().ravel()
        words = (self.word_rows @ self.words.transform(plain).T).toarray().ravel()
        values = 0.8 * chars + 0.2 * words
        closest: Dict[str, List[float]] = defaultdict(list)
        for row in values.argsort()[::-1]:
            name = self.intents[row]
            if len(closest[name]) < CLOSEST:
                closest[name].append(float(values[row]))
            if len(closest) > 5 and all(len(v) == CLOSEST for v in closest.values()):
                break
        scored = {name: sum(v) / len(v) for name, v in closest.items()}
        best = max(scored, key=scored.get)
        return best if scored[best] >= MIN_SIMILARITY else None
