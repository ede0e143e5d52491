"""Crisis detection: does this message speak of suicide, self-harm or acute danger?

A capability of its own, apart from the intent classifier: a message has one intent, so a
message about debts *and* about wanting to die would lose the crisis part if crisis were only
an intent. The detector reads every message by itself, clause by clause, so the other part of
a message (a question, a form answer) cannot hide the crisis part.

How a message is read (all wording is data, ``data/safety/crisis_patterns.yml``, each entry
with its reason, so safety reviewers change wording without touching code):

1. Normalise: lower case, accents off, three or more of the same letter squeezed to two
   ("doooood" -> "dood"), apostrophes of contractions joined ("don't" -> "dont").
2. Words: slang and phone spellings mapped to one form ("nie" -> "niet", "mn" -> "mijn",
   "kms" -> "kill myself"); key words with a typo corrected with RapidFuzz against a short
   list of unambiguous words ("zelfmoort" -> "zelfmoord"); filler words dropped
   ("ik wil eigenlijk gewoon dood" -> "ik wil dood"), so patterns need no room for them.
3. Clauses: split at sentence marks, commas and "maar"/"want". Harmless idioms ("doodmoe",
   "ophouden als chauffeur") are cut out of each clause, then the crisis patterns (Dutch,
   Flemish, English) are tried on every clause and on the whole message (a plan can span two
   sentences). Patterns anchored with ``$`` only fire at the end of a clause.
4. If no pattern fires, the per-clause classifier (``classifier.py``), when one is trained,
   gives each clause a crisis probability: the safety net for wording no pattern foresaw.
5. If nothing fires, the "distress" patterns tell a sad message that is not about
   danger ("ik voel me waardeloos sinds mijn ontslag"): it gets a warm answer and the offer
   of a person, not the 113 script.

Why patterns first: a reviewer must be able to read why a message fired, and known wording
must fire whatever a model learned. Why a classifier behind them: no list foresees every way
a person in distress writes (measured on a blind probe, docs/benchmarks.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Pattern, Tuple

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from loopbrug.safety.classifier import ClauseClassifier, labelled

CRISIS = "crisis"
DISTRESS = "distress"
NONE = "none"

DEFAULT_PATTERNS = Path("data/safety/crisis_patterns.yml")
MIN_CLAUSE_WORDS = 4  # shorter clauses are judged only as part of the whole message

_WORD = re.compile(r"[a-z0-9']+|[^a-z0-9'\s]")
_REPEATS = re.compile(r"([a-z])\1{2,}")
# "want" is not a boundary: in English it is the verb of "i want to die".
_CLAUSE_SPLIT = re.compile(r"[.!?;:,\n()]+|\s-\s|\s(?:maar|terwijl|but|because|while)\s")


def normalise(text: str) -> str:
    """Lower case, no accents, squeezed repeats and white space; contractions joined."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("\u2019", "'").replace("`", "'")
    plain = _REPEATS.sub(r"\1\1", plain)
    return re.sub(r"\s+", " ", plain).strip()


# Crisis rules that only name the hotline; with a "reached 113" phrase they mean help is
# reached already (Verdict.reached_help).
HOTLINE_ONLY = frozenset({"hotline_113"})


@dataclass(frozen=True)
class Rule:
    """One curated pattern with its id, language and the reason it exists."""

    id: str
    pattern: Pattern[str]
    lang: str = "nl"


@dataclass(frozen=True)
class Verdict:
    """What the detector heard in one message."""

    level: str  # CRISIS, DISTRESS or NONE
    lang: Optional[str] = None  # language of the crisis part: "nl" or "en"
    rules: Tuple[str, ...] = ()  # ids of the rules that fired
    clauses: Tuple[str, ...] = ()  # the normalised clauses that fired (for tests and review)
    other: str = ""  # what is left of the message after the crisis clauses
    # The crisis part only says that the person reached 113 already ("ik heb 113 gebeld"):
    # the short crisis answer, not the whole text again (data/safety/crisis_patterns.yml).
    reached_help: bool = False

    @property
    def crisis(self) -> bool:
        """True for a crisis message."""
        return self.level == CRISIS

    def as_dict(self) -> Dict[str, object]:
        """For the parse result (``crisis`` key of a message)."""
        return {
            "level": self.level,
            "lang": self.lang,
            "rules": list(self.rules),
            "has_other": bool(self.other),
            "reached_help": self.reached_help,
        }


@dataclass(frozen=True)
class CrisisDetector:
    """Curated crisis, distress and idiom wording with the word maps that normalise text."""

    crisis: Tuple[Rule, ...]
    distress: Tuple[Rule, ...] = ()
    idioms: Tuple[Rule, ...] = ()
    reached_help: Tuple[Rule, ...] = ()
    slang: Dict[str, str] = field(default_factory=dict)
    fillers: frozenset = frozenset()
    keywords: Tuple[str, ...] = ()
    # The per-clause classifier (classifier.py): the safety net behind the patterns.
    classifier: Optional[ClauseClassifier] = None

    @classmethod
    def from_file(cls, path: Path = DEFAULT_PATTERNS) -> CrisisDetector:
        """Read the curated data file (see its header for the format)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: dict) -> CrisisDetector:
        """Compile the rules of a loaded data file."""
        return cls(
            crisis=_rules(data.get("crisis", [])),
            distress=_rules(data.get("distress", [])),
            idioms=_rules(data.get("idioms", [])),
            reached_help=_rules(data.get("reached_help", [])),
            slang={str(k): str(v) for k, v in (data.get("slang") or {}).items()},
            fillers=frozenset(str(w) for w in data.get("fillers") or []),
            keywords=tuple(str(w) for w in data.get("keywords") or []),
        )

    def trained(
        self,
        examples: Iterable[Tuple[str, str]],
        root: Path = Path("."),
        threshold: float = 0.8,
        doubt: float = 0.5,
    ) -> CrisisDetector:
        """This detector with a classifier trained on (intent, text) examples and the files.

        The classifier learns from text read the way ``detect`` reads it (clauses, idioms cut).
        """
        texts, labels = labelled(examples, root)
        read: List[str] = []
        marks: List[int] = []
        for text, label in zip(texts, labels):
            clauses = self.clauses(text)
            read.append(" ".join(clauses))
            marks.append(label)
            if label == 0:
                # Every clause of ordinary talk is ordinary too, and the model judges clauses:
                # without these, "ik weet het niet meer" alone looked like a crisis.
                extra = [c for c in clauses if len(c.split()) >= MIN_CLAUSE_WORDS]
                extra = [c for c in extra if c != read[-1]]
                read += extra
                marks += [0] * len(extra)
        return replace(self, classifier=ClauseClassifier.train(read, marks, threshold, doubt))

    def with_classifier(self, classifier: ClauseClassifier) -> CrisisDetector:
        """This detector with an already trained classifier."""
        return replace(self, classifier=classifier)

    # -- reading a message -------------------------------------------------------------

    def words(self, text: str) -> str:
        """Normalised text with slang mapped, key-word typos fixed and fillers dropped."""
        out: List[str] = []
        for token in _WORD.findall(normalise(text)):
            token = self.slang.get(token, token)
            if token in self.fillers:
                continue
            out.append(self._correct(token))
        # Slang may map one token to several words ("kms" -> "kill myself").
        joined = " ".join(out)
        return re.sub(r"\s+([^a-z0-9'\s])", r"\1", joined)

    def _correct(self, token: str) -> str:
        """A long word one or two typos away from a key word becomes that key word."""
        if len(token) < 6 or not self.keywords or token in self.keywords:
            return token
        allowed = 1 if len(token) < 9 else 2
        found = process.extractOne(
            token, self.keywords, scorer=Levenshtein.distance, score_cutoff=allowed
        )
        return found[0] if found else token

    def clauses(self, text: str) -> List[str]:
        """The message's clauses, read as ``words`` reads them, idioms cut out."""
        pieces = [p.strip() for p in _CLAUSE_SPLIT.split(self.words(text))]
        return [self._without_idioms(p) for p in pieces if p.strip()]

    def _without_idioms(self, clause: str) -> str:
        for idiom in self.idioms:
            clause = idiom.pattern.sub(" ", clause)
        return re.sub(r"\s+", " ", clause).strip()

    def detect(self, text: str) -> Verdict:
        """The verdict for one message."""
        clauses = self.clauses(text)
        whole = self._without_idioms(" ".join(clauses))
        fired: List[Rule] = []
        hit_clauses: List[str] = []
        rest: List[str] = []  # what the message says besides its crisis wording
        for clause in clauses:
            rules = [r for r in self.crisis if r.pattern.search(clause)]
            if rules:
                fired.extend(rules)
                hit_clauses.append(clause)
                rest.append(_without_matches(clause, rules))
            else:
                rest.append(clause)
        if not fired:
            fired = [r for r in self.crisis if r.pattern.search(whole)]
            hit_clauses = [whole] if fired else []
            rest = [_without_matches(whole, fired)] if fired else rest
        if fired:
            lang = _language(fired, whole)
            reached = {r.id for r in fired} <= HOTLINE_ONLY and any(
                r.pattern.search(whole) for r in self.reached_help
            )
            return Verdict(
                CRISIS, lang, _ids(fired), tuple(hit_clauses), _other(rest), reached_help=reached
            )
        probabilities = self._probabilities(clauses, whole)
        heard = probabilities and self._classified(
            probabilities, clauses, self.classifier.threshold
        )
        if heard:
            lang = _language([], whole)
            other = _other([c for c in clauses if c not in heard])
            return Verdict(CRISIS, lang, ("classifier",), tuple(heard), other)
        sad = [r for clause in clauses for r in self.distress if r.pattern.search(clause)]
        if sad:
            return Verdict(DISTRESS, _language(sad, whole), _ids(sad))
        long_enough = len(whole.split()) >= MIN_CLAUSE_WORDS
        if (
            probabilities
            and long_enough
            and self._classified(probabilities, clauses, self.classifier.doubt)
        ):
            # Crisis-like, but not sure enough for the 113 answer: warmth and a person. Not for
            # a message of a few words ("no, not now"), where the model's doubt means little.
            return Verdict(DISTRESS, _language([], whole), ("classifier_doubt",))
        return Verdict(NONE)

    def _probabilities(self, clauses: List[str], whole: str) -> Dict[str, float]:
        """The classifier's crisis probability per clause and for the whole message."""
        if self.classifier is None or not whole:
            return {}
        # A clause of a few words ("ik ga slapen", "ik wil eruit") gives a model too little to go
        # on; it is read as part of the whole message instead. Short crisis wording is what the
        # patterns are for.
        long_enough = [c for c in clauses if len(c.split()) >= MIN_CLAUSE_WORDS]
        candidates = list(dict.fromkeys(long_enough + [whole]))
        return dict(zip(candidates, self.classifier.probabilities(candidates)))

    def _classified(self, probabilities: Dict[str, float], clauses: List[str], at: float):
        """The clauses (or the whole message) at least ``at`` likely to be a crisis."""
        hits = [c for c in clauses if probabilities.get(c, 0.0) >= at]
        if hits:
            return hits
        return [t for t, p in probabilities.items() if p >= at][-1:]

    def is_crisis(self, text: str) -> bool:
        """Shorthand for ``detect(text).crisis``."""
        return self.detect(text).crisis

    def has_idiom(self, text: str) -> bool:
        """True when the text holds a harmless idiom with crisis-like words ("dodelijk saai")."""
        plain = self.words(text)
        return any(i.pattern.search(plain) for i in self.idioms)


# Words that carry no topic of their own: what is left of a clause after its crisis wording
# counts as "something else" only with at least two other words ("ik heb 30k schuld en").
_LITTLE = frozenset(
    "ik je jij me mij mijn het de een en of dat dit die is ben wil heb nu maar echt ook er "
    "i me my the a and or to it is am want have".split()
)


def _without_matches(clause: str, rules: Iterable[Rule]) -> str:
    for rule in rules:
        clause = rule.pattern.sub(" ", clause)
    return clause


def _other(pieces: Iterable[str]) -> str:
    """The rest of a message beside its crisis part, or "" when it says nothing else."""
    text = re.sub(r"\s+", " ", " ".join(pieces)).strip(" ,.")
    words = [w for w in re.findall(r"[a-z0-9']+", text) if w not in _LITTLE]
    return text if len(words) >= 2 else ""


def _rules(entries: Iterable[dict]) -> Tuple[Rule, ...]:
    rules = []
    for entry in entries:
        if not entry.get("reason"):
            raise ValueError(f"crisis pattern {entry.get('id')!r} has no reason")
        rules.append(Rule(str(entry["id"]), re.compile(entry["pattern"]), entry.get("lang", "nl")))
    ids = [r.id for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"crisis pattern ids used twice: {sorted(duplicates)}")
    return tuple(rules)


def _ids(rules: Iterable[Rule]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(r.id for r in rules))


# A few of the commonest function words of each language, to tell the language of a message
# whose rules fit both ("suicide", "113"). Issue 22 brings real language detection; until
# then Dutch is the default and English needs more English than Dutch words.
_EN_WORDS = frozenset(
    "i im my you the to a and am it of want dont cant not no have for only way out with this be".split()
)
_NL_WORDS = frozenset("ik mijn me je het de een en is niet wil van dat om te heb ben".split())


def _language(rules: List[Rule], words: str) -> str:
    """The language of the part that fired: a rule's own language, else the words' majority."""
    langs = {r.lang for r in rules}
    if "nl" in langs:
        return "nl"
    if "en" in langs:
        return "en"
    tokens = words.split()
    english = sum(t in _EN_WORDS for t in tokens)
    dutch = sum(t in _NL_WORDS for t in tokens)
    return "en" if english > dutch else "nl"
