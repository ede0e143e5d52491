"""Pick the question unit that answers a message.

The NLU model gives the catalogue intent (the topic); this module picks the specific question
under it. A unit scores by how close the message is to the ways people ask it (``asks``),
measured with TF-IDF over character n-grams inside words (robust to typos and Dutch compounds)
and over words; scikit-learn does the vector work, so nothing here is hand-rolled maths.
On top of that closeness:

- the unit's intent agrees with the NLU model's intent (or is among its next guesses);
- a definition question ("wat is een leerwerkloket") that names a glossary unit's term;
- a follow-up ("en hoeveel rente?", "krijg je daar geld voor?") of the answer just given:
  units on the same topic weigh more, so the topic is kept unless the words clearly ask
  about something else;
- a unit about one sector is only picked when the message names that sector (or none), and
  a unit's keywords must occur.

When nothing is close enough, the intent's default (topic-level) answer is given. The weights
and thresholds below were first set by leave-one-out over the units' own phrasings
(``bench/knowledge.py``); docs/knowledge-base.md says what else was looked at.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from loopbrug.knowledge.units import KnowledgeBase, Unit
from loopbrug.ngrams import NgramIndex

# Closeness of a message to a unit: the mean of its two closest phrasings (one lucky phrasing
# alone over-rewards units with many asks); per phrasing see loopbrug/ngrams.py.
CLOSEST = 2
# Added to the closeness (a cosine between 0 and 1).
SAME_INTENT = 0.12
RANKED_INTENT = 0.05
TERM_ASKED = 0.35
# A glossary unit answers "what is X"; a question that does not name X wants other units.
TERM_NOT_ASKED = -0.1
# Added for units on the topic of the last answer when the message is a follow-up.
SAME_TOPIC = 0.35
SAME_SECTOR = 0.08
# The person names a place or their region: answers that differ per region come first.
PLACE_NAMED = 0.15
# Below this the specific unit is not trusted and the intent's default answers.
MIN_SCORE = 0.45
# A message the NLU could not place is answered only when it is this close to one unit.
MIN_CONFIDENT = 0.6
# When the second-best unit is this close to the best, and close to the message itself, the
# message sits between two questions: the best is answered and the other offered as a button.
# Never under a topic-level answer (a broad question). On the development set this offers it
# under a fifth of the answers; lower floors added far-fetched buttons for a few more answers.
ALTERNATIVE_MARGIN = 0.1
ALTERNATIVE_MIN = 0.5
# A message the classifier could not place is still answered when a unit under one of its two
# best topics is this close. On the development set's fallbacks this answered every question
# it took with the key fact; lower (0.5) it began to answer wrongly.
MIN_LIKELY = 0.55

DEFINITION = re.compile(
    r"^(wat|wad|wt)\s+(is|zijn|betekent|betekend|bedoel[dt]? (je|jullie) met|houdt|houd)\b"
    r"|\bwat (is|betekent|betekend) dat\b|\bwat houdt .* in\b|^\S+(\s\S+)?\s*\?+$"
    r"|\b(betekenis|uitleg) van\b|\bwat wil .* zeggen\b|\b(betekenis|uitleg)\s*\??$"
    # "wie zijn ...", "wat doet het leerwerkloket", "wat voor organisatie is ...", and the
    # word order of people still learning Dutch: "leerwerkloket is welke organisatie?"
    r"|^(wie|wat) (is|zijn|doet|doen)\b|\bwat voor \w+ is\b"
    r"|\b(is|zijn) (dat |dit |het )?(welke|wat voor)( \w+)?\s*\??$"
)
# Words that point back at what was just discussed, and openings of a follow-up question.
FOLLOW_UP = re.compile(
    r"^(en|maar|ook|of|dus|dan|geldt|telt|kan dat|mag dat|hoe zit)\b"
    r"|\b(daar|daarvoor|daarmee|daarbij|daarvan|daarna|dat|die|dit|deze|het ook|ervoor|ermee)\b"
)
MAX_FOLLOW_UP_WORDS = 12
MAX_BARE_FOLLOW_UP_WORDS = 5
# Words of a bare definition question; "wat is de rente op het levenlanglerenkrediet" has more
# than these and the term, so it is a question about the term, not what it means.
DEFINITION_WORDS = set(
    "wat wad wt is zijn betekent betekend bedoel bedoelt bedoeld je jullie met houdt houd in een "
    "de het eigenlijk precies dat dan nou nu toch zo n uitleg van betekenis wil zeggen ff even "
    "eens kun kan uitleggen hoe zit ik snap niet weet dit die wie doet doen voor welke iets ding "
    "organisatie instantie club bedrijf regeling".split()
)
MAX_OTHER_WORDS = 1
WHAT_IS_THAT = re.compile(
    r"\bwat (is|zijn|betekent|betekend|houdt|houd) (dat|dit|die|het)( dan| precies| eigenlijk)?"
    r"( in)?\s*\??$"
    # "leerwerkloket.. nooit van gehoord. is dat een soort uitzendbureau?"
    r"|\b(is|zijn) (dat|dit|die|het) (een soort|zoiets als|hetzelfde als)\b"
)
OPENER = re.compile(
    r"^(wat|wad|wt)\s+(is|zijn|betekent|betekend|houdt|houd)\s+(dat\s+)?((een|de|het|n)\s+)?"
)
# Phrasings that only mean something after an answer ("en hoeveel rente", "krijg je daar geld
# voor"): they pick units but train no intent (loopbrug/knowledge/nlu.py).
ONLY_AFTER_AN_ANSWER = re.compile(
    r"^(en|maar|ook|dus|dan)\b|\b(daar|daarvoor|daarmee|daarbij|daarvan|ervoor|ermee)\b"
    r"|^(geldt|telt|kan|mag) dat\b"
)


def normalise(text: str) -> str:
    """Lower case, accents off, punctuation to spaces: how phrasings are compared."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w€%&/-]+", " ", text).split())


def _term_variants(term: str) -> Tuple[str, ...]:
    plain = normalise(term)
    return tuple({plain, plain.replace("-", " "), plain.replace("-", ""), plain.replace(" ", "")})


@dataclass(frozen=True)
class Pick:
    """The unit chosen for a message, and why (for logs, tests and the benchmark)."""

    unit: Unit
    score: float
    reason: str  # "specific", "follow_up", "term", "default"
    alternative: Optional[Unit] = None  # a close second question, offered as a button


class Retriever:
    """Matches messages to units; build once per process (see ``get_retriever``)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.units = kb.answerable()
        rows: List[str] = []
        self.row_unit: List[int] = []
        # Phrasings such as "geldt dat ook met ww?" mean something only after an answer on
        # their unit's topic; elsewhere they would pull every follow-up to that unit.
        self.contextual: List[bool] = []
        for index, unit in enumerate(self.units):
            for ask in unit.asks:
                rows.append(normalise(ask))
                self.row_unit.append(index)
                self.contextual.append(self.only_after_an_answer(normalise(ask)))
        self.index = NgramIndex(rows)
        self.regional = {i for i, unit in enumerate(self.units) if kb.has_regional(unit)}
        self.terms = {
            index: _term_variants(unit.term) for index, unit in enumerate(self.units) if unit.term
        }

    def closeness(
        self, text: str, leave_out: Optional[int] = None, topic: Optional[str] = None
    ) -> List[float]:
        """Per unit: the best cosine of the message against the unit's phrasings (without
        phrasing row ``leave_out``: the leave-one-out measurement in bench/knowledge.py)."""
        values = self.index.closeness(normalise(text))
        closest: List[List[float]] = [[] for _ in self.units]
        for row in values.argsort()[::-1]:
            unit = self.row_unit[row]
            if self.contextual[row] and self.units[unit].topic != topic:
                continue
            if row != leave_out and len(closest[unit]) < CLOSEST:
                closest[unit].append(float(values[row]))
        return [sum(v) / len(v) if v else 0.0 for v in closest]

    def pick(
        self,
        text: str,
        intent: Optional[str] = None,
        ranking: Sequence[Tuple[str, float]] = (),
        sectors: Sequence[str] = (),
        last_unit: Optional[str] = None,
        exclude_defaults: bool = False,
        leave_out: Optional[int] = None,
        place_named: bool = False,
    ) -> Optional[Pick]:
        """The unit that answers ``text``; None when neither a unit nor a default fits."""
        plain = normalise(text)
        follow_up = self.is_follow_up(plain) and last_unit in self.kb.by_id
        topic = self.kb.by_id[last_unit].topic if follow_up else None
        definition = bool(DEFINITION.search(plain) or WHAT_IS_THAT.search(plain))
        ranked = {name for name, confidence in ranking[:3] if confidence >= 0.1}
        scored: List[Tuple[float, str, int]] = []
        raw: Dict[int, float] = {}
        for index, value in enumerate(self.closeness(text, leave_out, topic)):
            unit = self.units[index]
            if unit.keywords and not any(k in plain for k in unit.keywords):
                continue
            if sectors and unit.sector and unit.sector not in sectors:
                continue
            if exclude_defaults and unit.default:
                continue
            raw[index] = value
            reason = "specific"
            if intent and unit.intent == intent:
                value += SAME_INTENT
            elif unit.intent in ranked:
                value += RANKED_INTENT
            if unit.sector and unit.sector in sectors:
                value += SAME_SECTOR
            if place_named and index in self.regional:
                value += PLACE_NAMED
            if index in self.terms:
                if definition and self._defines(plain, self.terms[index]):
                    value += TERM_ASKED
                    reason = "term"
                elif not definition:
                    value += TERM_NOT_ASKED
            scored.append((value, reason, index))
        if topic:
            # A follow-up ("krijg je daar geld voor?") is mostly about what was just discussed:
            # units on that topic weigh more, but clear words about something else still win
            # ("gaat mijn huurtoeslag omlaag door die lening?").
            scored = [
                (v + SAME_TOPIC, "follow_up", i) if self.units[i].topic == topic else (v, r, i)
                for v, r, i in scored
            ]
        if scored:
            scored.sort(reverse=True)
            value, reason, index = scored[0]
            if value >= MIN_SCORE:
                return Pick(
                    self.units[index], round(value, 3), reason, self._alternative(scored, reason)
                )
        default = self.kb.default_for(intent or "")
        if default is not None and not exclude_defaults:
            return Pick(default, 0.0, "default")
        return None

    def _alternative(self, scored: List[Tuple[float, str, int]], reason: str) -> Optional[Unit]:
        """The runner-up, when it is nearly as close as the best and worth a button. Not
        after a definition ("wat is bbl" has one answer) or a topic-level answer."""
        if reason == "term" or len(scored) < 2 or self.units[scored[0][2]].default:
            return None
        best = scored[0][0]
        for value, _, index in scored[1:]:
            if value < ALTERNATIVE_MIN or best - value > ALTERNATIVE_MARGIN:
                return None
            unit = self.units[index]
            if unit.title and not unit.default and unit.id != self.units[scored[0][2]].id:
                return unit
        return None

    def follow_up(self, text: str, last_unit: Optional[str]) -> Optional[Pick]:
        """A follow-up of the answer just given, for a message no answer intent took
        ("en in mijn regio?" read as something else): only a close unit on the same topic."""
        if last_unit not in self.kb.by_id or not self.is_follow_up(normalise(text)):
            return None
        found = self.pick(text, last_unit=last_unit, exclude_defaults=True)
        return found if found and found.reason == "follow_up" else None

    def confident(self, text: str, ranking: Sequence[Tuple[str, float]] = ()) -> Optional[Pick]:
        """A unit so close to the message that answering it is no guess, or None: very close
        on its own, a definition of a term the message names, or close and under one of the
        two topics the classifier hesitated between ("Bedoel je een van deze?" for a clear
        question helps nobody)."""
        found = self.pick(text, ranking=ranking, exclude_defaults=True)
        if found is None:
            return None
        hesitated = {name for name, _ in ranking[:2]}
        if found.score >= MIN_CONFIDENT or found.reason == "term":
            # "de man van de vakbond zei ik moet bbl doen. wat houd dat in?" names the term
            # and asks what it means: that is no guess, however unsure the classifier is.
            return found
        return found if found.score >= MIN_LIKELY and found.unit.intent in hesitated else None

    @staticmethod
    def is_follow_up(plain: str) -> bool:
        """Short and pointing back ("en hoeveel rente", "geldt dat ook met ww"), or so short
        it can only be about what was just said ("hoeveel zijn er in nederland?")."""
        words = len(plain.split())
        if words <= MAX_BARE_FOLLOW_UP_WORDS:
            return True
        return words <= MAX_FOLLOW_UP_WORDS and bool(FOLLOW_UP.search(plain))

    @staticmethod
    def only_after_an_answer(plain: str) -> bool:
        """True for a phrasing that needs the answer before it to mean anything."""
        return Retriever.is_follow_up(plain) and bool(ONLY_AFTER_AN_ANSWER.search(plain))

    @classmethod
    def _defines(cls, plain: str, variants: Tuple[str, ...]) -> bool:
        """True when the message asks what the term means: "wat is bbl (nou precies, iemand
        zei ...)" names the term right after the question, or says nothing else."""
        if not cls._names(plain, variants):
            return False
        if WHAT_IS_THAT.search(plain):
            # "ik moet bbl doen van de vakbond. wat houd dat in?"
            return True
        rest = OPENER.sub("", plain, count=1)
        if rest != plain and any(re.match(rf"{re.escape(v)}(?!\w)", rest) for v in variants):
            return True
        rest = plain
        for variant in sorted(variants, key=len, reverse=True):
            rest = re.sub(rf"(?<!\w){re.escape(variant)}(?!\w)", " ", rest)
        other = [w for w in rest.split() if w not in DEFINITION_WORDS]
        return len(other) <= MAX_OTHER_WORDS

    @staticmethod
    def _names(plain: str, variants: Tuple[str, ...]) -> bool:
        squashed = plain.replace(" ", "")
        return any(
            re.search(rf"(?<!\w){re.escape(v)}(?!\w)", plain) or (len(v) > 5 and v in squashed)
            for v in variants
        )


_RETRIEVERS: Dict[int, Retriever] = {}


def get_retriever(kb: Optional[KnowledgeBase] = None) -> Retriever:
    """One retriever per knowledge base, built on first use (never at import)."""
    from loopbrug.knowledge.units import get_knowledge_base

    kb = kb or get_knowledge_base()
    if id(kb) not in _RETRIEVERS:
        _RETRIEVERS[id(kb)] = Retriever(kb)
    return _RETRIEVERS[id(kb)]
