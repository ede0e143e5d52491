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

from loopbrug.ngrams import NgramIndex

# A remainder is read as a topic only when its closest examples are at least this similar.
# Below it the crisis answer offers nothing to come back to, which is the safe side: a wrong
# "Je vroeg ook iets over ..." would not be.
MIN_SIMILARITY = 0.5
CLOSEST = 2  # mean of the two closest examples per topic: one odd example does not decide


class OtherPart:
    """Reads the topic of a message's remainder from (intent, text) training examples."""

    def __init__(self, examples: Iterable[Tuple[str, str]], never: Sequence[str] = ()) -> None:
        kept = [(intent, text.lower()) for intent, text in examples if intent not in set(never)]
        self.intents: List[str] = [intent for intent, _ in kept]
        self.index = NgramIndex([text for _, text in kept]) if kept else None

    def intent_of(self, text: str) -> Optional[str]:
        """The topic the remainder asks about, or None when no topic is close enough."""
        if self.index is None or not text.strip():
            return None
        values = self.index.closeness(text.lower())
        closest: Dict[str, List[float]] = defaultdict(list)
        for row in values.argsort()[::-1]:
            if len(closest[self.intents[row]]) < CLOSEST:
                closest[self.intents[row]].append(float(values[row]))
        scored = {name: sum(v) / len(v) for name, v in closest.items()}
        best = max(scored, key=scored.get)
        return best if scored[best] >= MIN_SIMILARITY else None
