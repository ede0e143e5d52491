"""Persoonlijk Profiel: the guided self-assessment, its scoring and the profile it produces.

Pure Python (no Rasa imports), so the form, the profile action and the tests share one
implementation. Nothing is read at import time: ``get_questions()`` loads
``data/assessment/questions.yml`` on first use and caches it.

Flow: the form asks the questions one per message; ``interpret`` turns each reply into an
answer, a skip or an ``unknown_option`` (then ``reask_text`` asks again, earlier answers stay);
``score_profile`` turns the answers into a ``Profile``; ``render_profile`` is the chat message;
``actions/profile_text.py`` renders the summary and the file a person takes to a coach or desk.

Scoring (docs/assessment-scoring.md says the same for non-programmers)
    Every scored option has 0 (low or a barrier), 1 (middle) or 2 (strong). A group is one of
    the six building blocks or one of the three conditions for moving (Triad model, seed 000:
    motivatie, capaciteit, gelegenheid; if one is missing, people do not move).

    * ``onbekend`` when fewer than half of the group's scored questions were answered
      (``MIN_ANSWERED_SHARE``). Skips are never filled in with a guess.
    * Otherwise the mean of the answered scores: ``sterk`` from ``STRONG_MEAN`` (1.5),
      ``gemiddeld`` from ``MIDDLE_MEAN`` (0.75), ``aandacht`` below that.
    * One answer scored 0 keeps a group from ``sterk``: one clear low point deserves a look,
      even when the rest is strong.
    * Conditions only: a life-situation barrier keeps the condition from ``sterk``; a heavy
      barrier (an answer scored 0, e.g. often money worries, debts, much care work) makes it
      ``aandacht`` whatever the rest says, because one missing condition blocks a move. This
      holds even when other questions were skipped: a barrier someone named is a fact.

    Next steps follow ``_step_candidates``: each rule gives intents with a priority and the
    reason in plain Dutch; the 2-3 most urgent distinct ones are kept (``MAX_STEPS``).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml
from rapidfuzz import fuzz, process

QUESTIONS_PATH = Path(__file__).resolve().parent.parent / "data" / "assessment" / "questions.yml"

BLOCKS: Tuple[str, ...] = (
    "talenten",
    "skills",
    "drijfveren",
    "wendbaarheid",
    "niveau",
    "doel_motivatie",
)
SITUATION = "situatie"
CONDITIONS: Tuple[str, ...] = ("motivatie", "capaciteit", "gelegenheid")
KINDS: Tuple[str, ...] = ("choice", "scale", "text")
LEVELS: Tuple[str, ...] = ("sterk", "gemiddeld", "aandacht", "onbekend")
BARRIER_KINDS: Tuple[str, ...] = (
    "tijd",
    "geld",
    "schulden",
    "zorg",
    "gezondheid",
    "taal",
    "digitaal",
)
NEXT_STEP_INTENTS: Tuple[str, ...] = (
    "finance_check",
    "debt_help",
    "experience_work",
    "sector_info",
    "shortage_sectors",
    "request_human",
    "training_routes",
    "orientation_programs",
    "funding_overview",
    "skills_recognition",
    "guidance_support",
)

STRONG_MEAN = 1.5
MIDDLE_MEAN = 0.75
MIN_ANSWERED_SHARE = 0.5
MIN_STEPS = 2
MAX_STEPS = 3
MAX_TEXT_CHARS = 300
MIN_TEXT_CHARS = 2

# Fuzzy matching: ratio over the whole reply catches typos ("heel graaf"); partial ratio finds
# a longer option inside a longer reply ("ja ik wil heeel graag"). Short candidates are left out
# of the partial pass, because "ja" is "inside" every word that contains it.
FUZZY_CUTOFF = 80
PARTIAL_CUTOFF = 90
PARTIAL_MIN_CHARS = 6
FUZZY_MARGIN = 5  # a second option this close to the best one makes the reply ambiguous
MAX_CONTAINED_WORDS = 8
# Where the answer part of a long reply ends and its explanation starts.
_FIRST_CLAUSE = re.compile(r"[,.;:!?]|\s(?:want|maar|omdat|alleen|en dan|dus)\s")
MAX_SKIP_WORDS = 6
SKIP_FUZZY_CUTOFF = 90

ID_PATTERN = re.compile(r"^q_[a-z0-9_]+$")

# Replies that mean "I don't know" or "skip". Exact words are only a skip on their own:
# "volgende week begin ik" is an answer, "volgende" is not.
SKIP_EXACT = frozenset({"skip", "volgende", "pas", "ik pas", "next", "door", "verder", "?"})
SKIP_PHRASES: Tuple[str, ...] = (
    "weet ik niet",
    "weet niet",
    "weet het niet",
    "ik weet het niet",
    "weet ik nie",
    "geen idee",
    "geen flauw idee",
    "sla over",
    "sla maar over",
    "sla deze over",
    "overslaan",
    "volgende vraag",
    "zeg ik liever niet",
    "wil ik niet zeggen",
    "liever niet zeggen",
)
# Words around a skip phrase that add nothing: "nee sorry, weet ik echt niet" is a skip.
SKIP_FILLER = frozenset(
    {"nee", "ik", "echt", "eigenlijk", "nou", "hmm", "sorry", "ehm", "uhm", "nog", "even"}
    | {"dat", "het", "ook", "maar", "gewoon", "helaas", "hoor", "al", "nu", "zo", "dus"}
)
NEGATIONS = frozenset({"niet", "geen", "nooit", "nee", "niks", "niets"})

BLOCK_TITLES: Dict[str, str] = {
    "talenten": "Talenten",
    "skills": "Skills",
    "drijfveren": "Drijfveren",
    "wendbaarheid": "Wendbaarheid",
    "niveau": "Werk- en denkniveau",
    "doel_motivatie": "Doel en motivatie",
}
# One line per block for the export, so a reader knows what the block is about.
BLOCK_MEANING: Dict[str, str] = {
    "talenten": "Waar je van nature goed in bent.",
    "skills": "Wat je hebt geleerd en kunt.",
    "drijfveren": "Wat je belangrijk vindt en graag doet.",
    "wendbaarheid": "Hoe je omgaat met verandering en leren.",
    "niveau": "Je diploma en hoe zelfstandig je werkt.",
    "doel_motivatie": "Wat je wilt en hoe graag.",
}
CONDITION_TITLES: Dict[str, str] = {
    "motivatie": "Willen (motivatie)",
    "capaciteit": "Kunnen (capaciteit)",
    "gelegenheid": "Ruimte in je leven (gelegenheid)",
}
CONDITION_SHORT: Dict[str, str] = {
    "motivatie": "willen",
    "capaciteit": "kunnen",
    "gelegenheid": "ruimte in je leven",
}
LEVEL_WORDS: Dict[str, str] = {
    "sterk": "sterk",
    "gemiddeld": "gemiddeld",
    "aandacht": "aandacht nodig",
    "onbekend": "nog onbekend",
}
SCORE_WORDS: Dict[int, str] = {0: "laag", 1: "midden", 2: "sterk"}
BARRIER_TEXT: Dict[str, str] = {
    "tijd": "Je hebt weinig tijd om te leren of rond te kijken.",
    "geld": "Je maakt je zorgen over geld.",
    "schulden": "Je hebt schulden. Daar is hulp voor.",
    "zorg": "Je zorgt veel voor anderen.",
    "gezondheid": "Je gezondheid maakt werken of leren soms zwaar.",
    "taal": "Nederlandse taal is lastig voor je.",
    "digitaal": "Werken met een computer of telefoon is lastig voor je.",
}
STEP_TEXT: Dict[str, str] = {
    "finance_check": "Doe de geldcheck: kun je een overstap betalen?",
    "debt_help": "Vraag hulp bij schulden. Je gemeente helpt gratis.",
    "experience_work": "Loop een dag mee in werk dat je trekt.",
    "sector_info": "Lees hoe je begint in een sector die bij je past.",
    "shortage_sectors": "Bekijk in welke sectoren veel werk is.",
    "request_human": "Praat met een coach. Die denkt met je mee.",
    "training_routes": "Bekijk hoe je kunt leren naast je werk.",
    "orientation_programs": "Zoek een programma dat helpt uitzoeken wat bij je past.",
    "funding_overview": "Kijk hoe je een opleiding kunt betalen.",
    "skills_recognition": "Laat zien wat je kunt, ook zonder diploma.",
    "guidance_support": "Vraag om begeleiding, zoals een buddy die meehelpt.",
}
# Button titles (max 25 characters) for the steps, for the action that shows the profile.
STEP_BUTTONS: Dict[str, str] = {
    "finance_check": "Geldcheck doen",
    "debt_help": "Hulp bij schulden",
    "experience_work": "Een dag meelopen",
    "sector_info": "Info over een sector",
    "shortage_sectors": "Waar is werk?",
    "request_human": "Praten met een coach",
    "training_routes": "Leren naast werk",
    "orientation_programs": "Uitzoeken wat past",
    "funding_overview": "Opleiding betalen",
    "skills_recognition": "Ervaring laten zien",
    "guidance_support": "Begeleiding vragen",
}
MONTHS_NL: Tuple[str, ...] = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
PROFILE_FORMAT = 1


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Option:
    """One answer a person can pick; ``label`` is also the button text."""

    label: str
    value: str
    score: Optional[int] = None
    aliases: Tuple[str, ...] = ()
    says: str = ""
    barriers: Tuple[str, ...] = ()
    numbers: Optional[Tuple[int, int]] = None

    @property
    def phrase(self) -> str:
        """What this answer says about the person, as a short "je"-phrase."""
        return self.says or self.label


@dataclass(frozen=True)
class Question:
    """One question of the self-assessment."""

    id: str
    block: str
    conditions: Tuple[str, ...]
    text: str
    kind: str
    options: Tuple[Option, ...] = ()
    hint: str = ""
    explain: str = ""

    @property
    def scored(self) -> bool:
        """True when at least one option carries a score."""
        return any(option.score is not None for option in self.options)

    def option(self, value: Any) -> Optional[Option]:
        """The option with this stored value, if any."""
        for option in self.options:
            if option.value == value:
                return option
        return None


def _as_tuple(value: Any) -> Tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _option(raw: Dict[str, Any], where: str) -> Option:
    for key in ("label", "value"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: option needs a text '{key}'")
    score = raw.get("score")
    if score is not None and score not in (0, 1, 2):
        raise ValueError(f"{where}: score must be 0, 1 or 2, not {score!r}")
    barriers = tuple(str(b) for b in _as_tuple(raw.get("barrier")))
    unknown = [b for b in barriers if b not in BARRIER_KINDS]
    if unknown:
        raise ValueError(f"{where}: unknown barrier {unknown}")
    numbers = raw.get("numbers")
    if numbers is not None:
        if len(numbers) != 2 or not all(isinstance(n, int) for n in numbers):
            raise ValueError(f"{where}: numbers must be [low, high]")
        numbers = (int(numbers[0]), int(numbers[1]))
    return Option(
        label=raw["label"],
        value=str(raw["value"]),
        score=score,
        aliases=tuple(str(a) for a in _as_tuple(raw.get("aliases"))),
        says=str(raw.get("says") or ""),
        barriers=barriers,
        numbers=numbers,
    )


def _question(raw: Dict[str, Any]) -> Question:
    qid = str(raw.get("id", ""))
    if not ID_PATTERN.match(qid):
        raise ValueError(f"question id {qid!r} is not slot-safe (q_ + a-z, 0-9, _)")
    block = raw.get("block")
    if block not in BLOCKS + (SITUATION,):
        raise ValueError(f"{qid}: unknown block {block!r}")
    conditions = tuple(_as_tuple(raw.get("conditions")))
    if any(c not in CONDITIONS for c in conditions):
        raise ValueError(f"{qid}: unknown condition in {conditions}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{qid}: kind must be one of {KINDS}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{qid}: question needs a text")
    options = tuple(_option(o, qid) for o in raw.get("options") or ())
    if kind == "text" and options:
        raise ValueError(f"{qid}: a text question has no options")
    if kind != "text" and not 2 <= len(options) <= 5:
        raise ValueError(f"{qid}: a {kind} question needs 2 to 5 options")
    if kind == "scale" and any(o.score is None for o in options):
        raise ValueError(f"{qid}: every option of a scale needs a score")
    if len({o.value for o in options}) != len(options):
        raise ValueError(f"{qid}: option values must be unique")
    return Question(
        id=qid,
        block=block,
        conditions=conditions,
        text=text.strip(),
        kind=kind,
        options=options,
        hint=str(raw.get("hint") or "").strip(),
        explain=str(raw.get("explain") or "").strip(),
    )


def load_questions(path: Path = QUESTIONS_PATH) -> List[Question]:
    """Read and check the questions file; raises ``ValueError`` on a broken file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    questions = [_question(raw) for raw in data.get("questions") or ()]
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ValueError("question ids must be unique")
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions


@functools.lru_cache(maxsize=1)
def get_questions() -> Tuple[Question, ...]:
    """The questions in order, loaded on first use and shared afterwards."""
    return tuple(load_questions())


def get_question(question_id: str) -> Optional[Question]:
    """The question with this id, or None."""
    for question in get_questions():
        if question.id == question_id:
            return question
    return None


# --------------------------------------------------------------------------- interpret


@dataclass(frozen=True)
class Interpretation:
    """What one reply means for one question.

    ``status`` is "answer", "skip" or "unknown_option"; ``value`` is the option value or the
    cleaned free text; ``score`` is the option's score (None for free text and skips).
    """

    status: str
    value: Optional[str] = None
    score: Optional[int] = None
    label: Optional[str] = None

    def as_answer(self) -> Optional[Dict[str, Any]]:
        """The form of an answer that ``score_profile`` reads; None for unknown_option."""
        if self.status == "skip":
            return {"skipped": True}
        if self.status == "answer":
            return {"value": self.value, "score": self.score}
        return None


def normalize(text: str) -> str:
    """Lowercase, without accents or punctuation, single spaces: for comparing replies."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['’‘`´]", "", text)  # collega's -> collegas
    text = re.sub(r"[^0-9a-z?]+", " ", text)
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """Free text as we keep it: no control characters, single spaces, at most 300 chars."""
    text = "".join(ch if ch.isprintable() else " " for ch in text or "")
    return " ".join(text.split())[:MAX_TEXT_CHARS].strip()


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and re.search(rf"(?<!\S){re.escape(needle)}(?!\S)", haystack) is not None


def is_skip(text: str, free_text: bool = False) -> bool:
    """True for "weet ik niet", "sla over" and friends.

    For a free-text question only the whole reply counts, so "ik weet niet goed, iets met
    zorg" stays an answer. For options a short reply that holds a skip phrase is a skip.
    """
    norm = normalize(text)
    if not norm:
        return False
    bare = " ".join(w for w in norm.split() if w not in SKIP_FILLER)
    if norm in SKIP_EXACT or norm in SKIP_PHRASES or bare in SKIP_PHRASES:
        return True
    if not free_text and len(norm.split()) <= MAX_SKIP_WORDS:
        if any(_contains(norm, phrase) for phrase in SKIP_PHRASES):
            return True
    best = process.extractOne(norm, SKIP_PHRASES, scorer=fuzz.ratio)
    return bool(best and len(norm) >= 5 and best[1] >= SKIP_FUZZY_CUTOFF)


def _candidates(question: Question) -> List[Tuple[str, int]]:
    """(normalized text, option index) for every way to name every option."""
    found: List[Tuple[str, int]] = []
    for index, option in enumerate(question.options):
        names = (option.label, option.value.replace("_", " "), *option.aliases)
        for name in names:
            norm = normalize(name)
            if norm and (norm, index) not in found:
                found.append((norm, index))
    return found


def _has_negation(text: str) -> bool:
    return bool(NEGATIONS.intersection(text.split()))


def _by_number(question: Question, norm: str) -> Optional[int]:
    """Option index for a typed number: a range of years, or the option's position."""
    numbers = re.findall(r"\d+", norm)
    if len(numbers) != 1 or len(norm.split()) > 5:
        return None
    number = int(numbers[0])
    ranged = [i for i, o in enumerate(question.options) if o.numbers]
    if ranged:
        for index in ranged:
            low, high = question.options[index].numbers  # type: ignore[misc]
            if low <= number <= high:
                return index
        return None
    if re.fullmatch(r"(optie |nummer |keuze )?\d+", norm) and 1 <= number <= len(question.options):
        return number - 1
    return None


def _contained(norm: str, candidates: List[Tuple[str, int]]) -> Optional[int]:
    """An option named inside a longer reply; the longest name wins, ties are ambiguous.

    A long reply is read by its first clause: "ja heel graag want ik werk al 20 jaar in het
    magazijn" answers with "heel graag" and explains after "want" (it was refused three times).
    """
    if len(norm.split()) > MAX_CONTAINED_WORDS:
        norm = _FIRST_CLAUSE.split(norm, maxsplit=1)[0].strip()
    if not norm or len(norm.split()) > MAX_CONTAINED_WORDS:
        return None
    hits = [(len(name), index, name) for name, index in candidates if _contains(norm, name)]
    if not hits:
        return None
    longest = max(length for length, _, _ in hits)
    best = {index for length, index, _ in hits if length == longest}
    if len(best) != 1:
        return None
    index = best.pop()
    name = next(name for length, i, name in hits if i == index and length == longest)
    if _has_negation(norm) and not _has_negation(name):
        return None  # "niet heel graag" is not "heel graag"
    return index


def _fuzzy(norm: str, candidates: List[Tuple[str, int]]) -> Optional[int]:
    """An option despite typos; None when two options come out about equally close."""
    if len(norm) < 3 or not candidates:
        return None
    if _has_negation(norm):
        # "niet heel graag" is close to "heel graag" in letters, not in meaning.
        candidates = [(name, index) for name, index in candidates if _has_negation(name)]
        if not candidates:
            return None
    names = [name for name, _ in candidates]
    for scorer, cutoff, min_len in (
        (fuzz.ratio, FUZZY_CUTOFF, 0),
        (fuzz.partial_ratio, PARTIAL_CUTOFF, PARTIAL_MIN_CHARS),
    ):
        if scorer is fuzz.partial_ratio and len(norm.split()) > MAX_CONTAINED_WORDS:
            continue
        scored = [
            (score, candidates[pos][1])
            for _, score, pos in process.extract(norm, names, scorer=scorer, limit=None)
            if score >= cutoff and len(names[pos]) >= min_len
        ]
        if not scored:
            continue
        best_score, best_index = max(scored)
        rivals = {i for s, i in scored if i != best_index and s >= best_score - FUZZY_MARGIN}
        return None if rivals else best_index
    return None


def interpret(question: Question, text: str) -> Interpretation:
    """Turn one reply into an answer, a skip or ``unknown_option`` (then ask again)."""
    raw = text if isinstance(text, str) else ""
    if question.kind == "text":
        if is_skip(raw, free_text=True):
            return Interpretation("skip")
        cleaned = clean_text(raw)
        if len(cleaned) < MIN_TEXT_CHARS:
            return Interpretation("unknown_option")
        return Interpretation("answer", value=cleaned)

    norm = normalize(raw)
    if not norm:
        return Interpretation("unknown_option")
    candidates = _candidates(question)
    index: Optional[int] = next((i for name, i in candidates if name == norm), None)
    if index is None:
        index = _by_number(question, norm)
    if index is None and is_skip(raw):
        return Interpretation("skip")
    if index is None:
        index = _contained(norm, candidates)
    if index is None:
        index = _fuzzy(norm, candidates)
    if index is None:
        return Interpretation("unknown_option")
    option = question.options[index]
    return Interpretation("answer", value=option.value, score=option.score, label=option.label)


def reask_text(question: Question) -> str:
    """A friendly ask-again that names the options; earlier answers are kept."""
    lines = ["Ik snap je antwoord niet helemaal."]
    if question.kind == "text":
        lines.append("Typ een paar woorden in je eigen taal, kort mag ook.")
    else:
        lines.append("Kies een van deze:")
        lines.extend(f"{n}. {option.label}" for n, option in enumerate(question.options, 1))
        lines.append("Je mag ook het nummer typen.")
    if question.hint:
        lines.append(question.hint)
    lines.append("Of typ 'sla over'. Je eerdere antwoorden blijven bewaard.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- scoring


@dataclass
class BlockResult:
    """One of the six building blocks: what the person said and how far along they are."""

    block: str
    title: str
    level: str
    own_words: List[str] = field(default_factory=list)
    answers: List[str] = field(default_factory=list)
    reasons: List[str] = field(default_factory=list)


@dataclass
class ConditionResult:
    """One of the three conditions for moving (Triad model)."""

    condition: str
    title: str
    level: str
    reasons: List[str] = field(default_factory=list)


@dataclass
class NextStep:
    """A next step, as an intent of the helpline, with the reason in plain Dutch."""

    intent: str
    reason: str

    @property
    def text(self) -> str:
        """The step in words."""
        return STEP_TEXT.get(self.intent, self.intent)


@dataclass
class Profile:
    """The scored Persoonlijk Profiel."""

    blocks: Dict[str, BlockResult]
    conditions: Dict[str, ConditionResult]
    barriers: List[str] = field(default_factory=list)
    barrier_kinds: List[str] = field(default_factory=list)
    situation: List[str] = field(default_factory=list)
    strengths: List[str] = field(default_factory=list)
    next_steps: List[NextStep] = field(default_factory=list)
    answered: int = 0
    skipped: List[str] = field(default_factory=list)

    @property
    def next_step_intents(self) -> List[str]:
        """The intents of the next steps, most urgent first."""
        return [step.intent for step in self.next_steps]

    def needs_attention(self) -> List[str]:
        """Conditions whose level is ``aandacht``."""
        return [c for c, r in self.conditions.items() if r.level == "aandacht"]


@dataclass(frozen=True)
class _Answer:
    question: Question
    value: Optional[str]
    score: Optional[int]
    option: Optional[Option]

    @property
    def phrase(self) -> str:
        if self.option is not None:
            return self.option.phrase
        return self.value or ""


def _sentence(phrase: str) -> str:
    phrase = phrase.strip()
    if not phrase:
        return ""
    phrase = phrase[0].upper() + phrase[1:]
    return phrase if phrase[-1] in ".!?" else phrase + "."


def _resolve(
    answers: Dict[str, Any], questions: Sequence[Question]
) -> Tuple[Dict[str, _Answer], List[str]]:
    """Answers per question id, and the ids that were skipped (or never answered)."""
    resolved: Dict[str, _Answer] = {}
    skipped: List[str] = []
    for question in questions:
        raw = answers.get(question.id)
        if not isinstance(raw, dict) or raw.get("skipped") or raw.get("value") in (None, ""):
            skipped.append(question.id)
            continue
        value = str(raw["value"])
        option = question.option(value) if question.kind != "text" else None
        if question.kind == "text":
            value = clean_text(value)
        # The stored score is what the person answered then; fall back to today's option.
        score = raw["score"] if "score" in raw else (option.score if option else None)
        if score not in (0, 1, 2):
            score = None
        resolved[question.id] = _Answer(question, value, score, option)
    return resolved, skipped


def _judge(
    questions: Sequence[Question],
    answered: Dict[str, _Answer],
    barriers: Sequence[_Answer] = (),
) -> Tuple[str, List[str]]:
    """Level and reasons for one group of questions (a block or a condition)."""
    scored_questions = [q for q in questions if q.scored]
    scored = [answered[q.id] for q in scored_questions if q.id in answered]
    scored = [a for a in scored if a.score is not None]
    reasons = [f"{_sentence(a.phrase)[:-1]} ({SCORE_WORDS[a.score]})." for a in scored]  # type: ignore[index]
    heavy = [b for b in barriers if b.score == 0]

    if heavy:
        reasons.append("Er is een zware drempel in je leven. Daarom: aandacht.")
        return "aandacht", reasons
    needed = math.ceil(len(scored_questions) * MIN_ANSWERED_SHARE)
    if not scored or len(scored) < needed:
        reasons.append("Te veel vragen overgeslagen. Daarom zeg ik hier nog niets over.")
        return "onbekend", reasons

    mean = sum(a.score for a in scored) / len(scored)  # type: ignore[misc]
    mean_text = f"{mean:.1f}".replace(".", ",")  # Dutch decimal comma
    reasons.append(
        f"{len(scored)} van {len(scored_questions)} vragen beantwoord, "
        f"gemiddeld {mean_text} van 2 punten."
    )
    level = "sterk" if mean >= STRONG_MEAN else "gemiddeld" if mean >= MIDDLE_MEAN else "aandacht"
    if level == "sterk" and any(a.score == 0 for a in scored):
        level = "gemiddeld"
        reasons.append("Eén antwoord was laag. Daarom niet sterk.")
    if level == "sterk" and barriers:
        level = "gemiddeld"
        reasons.append("Er is een drempel in je leven. Daarom niet sterk.")
    return level, reasons


def _score(answered: Dict[str, _Answer], qid: str) -> Optional[int]:
    answer = answered.get(qid)
    return answer.score if answer else None


def _value(answered: Dict[str, _Answer], qid: str) -> Optional[str]:
    answer = answered.get(qid)
    return answer.value if answer else None


def _step_candidates(
    blocks: Dict[str, BlockResult],
    conditions: Dict[str, ConditionResult],
    kinds: Sequence[str],
    heavy_kinds: Sequence[str],
    answered: Dict[str, _Answer],
) -> List[Tuple[int, str, str]]:
    """(priority, intent, reason) for every rule that fires; lower priority comes first.

    Why these rules (seeds 000-004, conversation design):
    - Debts first: sensitive subjects get priority and a fast route to help, and no switch
      plan holds while debts press.
    - Money worries: an income drop, no buffer or extra costs block switches; a money check
      shows what a switch means before someone chooses.
    - Low confidence, hard time with change, or a heavy life situation: a coach. 1:1 coaching
      builds confidence, and life situation and capacity to change need a personal approach.
    - Little formal education but work experience: skills count, not only diplomas; skills
      recognition (EVC, praktijkverklaring) makes that experience visible.
    - Motivation and capacity both strong: try the work (70% of participants named
      assessments plus a meeloopdag as what helped most) and learn how to enter a sector.
    - Language or digital skills: guidance such as a buddy; in the seeds a buddy helped a
      colleague through the online assessments.
    - Wants to move, capacity not yet strong, open to learning: training routes, then how to
      pay for them; not while a heavy barrier leaves no time or money for weeks of learning.
    - Not sure what fits (motivation or drives unclear or unknown): an orientation programme;
      many people want to move but have no idea what fits them.
    - Capacity strong but motivation not: seeing where the work is makes options concrete.
    """
    found: List[Tuple[int, str, str]] = []
    motivation = conditions["motivatie"].level
    capacity = conditions["capaciteit"].level

    if "schulden" in kinds:
        found.append((10, "debt_help", "Je hebt schulden. Gratis hulp geeft eerst rust."))
    if "geld" in kinds or "schulden" in kinds:
        found.append(
            (20, "finance_check", "Geld speelt mee. Reken eerst uit wat een overstap betekent.")
        )
    low_confidence = _score(answered, "q_vertrouwen") == 0
    heavy_life = len(heavy_kinds) >= 2 or "gezondheid" in heavy_kinds
    if low_confidence or heavy_life or blocks["wendbaarheid"].level == "aandacht":
        why = (
            "Je hebt nog weinig vertrouwen in een overstap."
            if low_confidence
            else "Er speelt veel in je leven."
            if heavy_life
            else "Veranderen voelt lastig."
        )
        found.append((30, "request_human", f"{why} Een coach helpt je op weg."))
    diploma = _value(answered, "q_diploma")
    little_education = diploma in ("geen", "vmbo_mbo12", "buitenland")
    if little_education and (_score(answered, "q_ervaring") or 0) >= 1:
        found.append(
            (45, "skills_recognition", "Je hebt werkervaring. Die kun je laten zien en erkennen.")
        )
    if motivation == "sterk" and capacity == "sterk":
        found.append((40, "experience_work", "Je wilt en je kunt veel. Probeer het werk eens."))
        found.append((41, "sector_info", "Zo weet je wat je nodig hebt om te beginnen."))
    if "taal" in kinds or "digitaal" in kinds:
        found.append(
            (
                50,
                "guidance_support",
                "Iemand die meehelpt met taal of computer maakt het makkelijker.",
            )
        )
    if (
        motivation == "sterk"
        and capacity in ("gemiddeld", "aandacht")
        and conditions["gelegenheid"].level != "aandacht"
    ):
        if (_score(answered, "q_leren") or 0) >= 1:
            found.append((55, "training_routes", "Je wilt graag. Met leren wordt je kans groter."))
            found.append((70, "funding_overview", "Er zijn regelingen die een opleiding betalen."))
    if (
        motivation in ("gemiddeld", "aandacht", "onbekend")
        or blocks["drijfveren"].level in ("aandacht", "onbekend")
        or _score(answered, "q_drijfveer_helder") == 0
    ):
        found.append(
            (60, "orientation_programs", "Je weet nog niet goed wat past. Dat kun je uitzoeken.")
        )
    if capacity == "sterk" and motivation != "sterk":
        found.append((65, "shortage_sectors", "Je kunt veel. Zien waar werk is, helpt kiezen."))
    return found


# Used when fewer than two rules fire: finding out what fits, a person, then where work is
# (for someone with strong motivation, how to start in a sector comes first).
FALLBACK_STEPS: Tuple[Tuple[str, str], ...] = (
    ("orientation_programs", "Zo ontdek je wat bij je past."),
    ("request_human", "Een coach kan met je meedenken."),
    ("shortage_sectors", "Zo zie je waar veel werk is."),
)


def score_profile(
    answers: Dict[str, Any], questions: Optional[Sequence[Question]] = None
) -> Profile:
    """Score a set of answers (question id -> {"value", "score"} or {"skipped": True})."""
    questions = tuple(questions if questions is not None else get_questions())
    answered, skipped = _resolve(answers or {}, questions)

    blocks: Dict[str, BlockResult] = {}
    for block in BLOCKS:
        group = [q for q in questions if q.block == block]
        level, reasons = _judge(group, answered)
        result = BlockResult(block=block, title=BLOCK_TITLES[block], level=level, reasons=reasons)
        for question in group:
            answer = answered.get(question.id)
            if answer is None:
                continue
            if question.kind == "text":
                result.own_words.append(answer.value or "")
            else:
                result.answers.append(answer.phrase)
        blocks[block] = result

    barrier_answers = [a for a in answered.values() if a.option is not None and a.option.barriers]
    kinds: List[str] = []
    heavy_kinds: List[str] = []
    for answer in barrier_answers:
        for kind in answer.option.barriers:  # type: ignore[union-attr]
            if kind not in kinds:
                kinds.append(kind)
            if answer.score == 0 and kind not in heavy_kinds:
                heavy_kinds.append(kind)

    conditions: Dict[str, ConditionResult] = {}
    for condition in CONDITIONS:
        group = [q for q in questions if condition in q.conditions]
        ids = {q.id for q in group}
        level, reasons = _judge(
            group, answered, [a for a in barrier_answers if a.question.id in ids]
        )
        conditions[condition] = ConditionResult(
            condition=condition, title=CONDITION_TITLES[condition], level=level, reasons=reasons
        )

    strengths = [
        _sentence(a.phrase)
        for q in questions
        if q.block != SITUATION and (a := answered.get(q.id)) is not None and a.score == 2
    ]
    situation = [
        _sentence(a.phrase)
        for q in questions
        if q.block == SITUATION and (a := answered.get(q.id)) is not None
    ]

    chosen: Dict[str, str] = {}
    for _, intent, reason in sorted(
        _step_candidates(blocks, conditions, kinds, heavy_kinds, answered)
    ):
        if intent not in chosen and len(chosen) < MAX_STEPS:
            chosen[intent] = reason
    fallbacks = FALLBACK_STEPS
    if conditions["motivatie"].level == "sterk":
        # Someone who knows what they want gains more from how to start than from orienting.
        fallbacks = (
            ("sector_info", "Je weet wat je wilt. Lees alvast hoe je begint."),
        ) + fallbacks
    for intent, reason in fallbacks:
        if len(chosen) >= MIN_STEPS:
            break
        chosen.setdefault(intent, reason)

    return Profile(
        blocks=blocks,
        conditions=conditions,
        barriers=[BARRIER_TEXT[k] for k in kinds],
        barrier_kinds=kinds,
        situation=situation,
        strengths=strengths,
        next_steps=[NextStep(intent, reason) for intent, reason in chosen.items()],
        answered=len(answered),
        skipped=skipped,
    )


# --------------------------------------------------------------------------- output


def _short(text: str, max_words: int) -> str:
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def _said(result: BlockResult, max_words: int = 12) -> str:
    """What the person said for one block, in at most ``max_words`` words."""
    parts: List[str] = []
    used = 0
    items = [f"'{_short(t, 7)}'" for t in result.own_words] + result.answers
    for item in items:
        size = len(item.split())
        if parts and used + size > max_words:
            break
        parts.append(item)
        used += size
    return ", ".join(parts) if parts else "overgeslagen"


def render_profile(profile: Profile) -> str:
    """The profile as one chat message in plain Dutch (fits a phone screen)."""
    lines = ["Dit is je Persoonlijk Profiel. Het komt uit je eigen antwoorden, het is geen test."]
    for block in BLOCKS:
        result = profile.blocks[block]
        lines.append(f"{result.title} ({LEVEL_WORDS[result.level]}): {_said(result)}.")

    if profile.strengths:
        lines.append("Sterk aan jou: " + _lower_first(profile.strengths[0]))
        lines.extend(profile.strengths[1:2])

    attention = [CONDITION_SHORT[c] for c, r in profile.conditions.items() if r.level == "aandacht"]
    unknown = [CONDITION_SHORT[c] for c, r in profile.conditions.items() if r.level == "onbekend"]
    if attention:
        lines.append(f"Aandacht nodig bij: {_join(attention)}.")
    if profile.barriers:
        lines.append("Let op: " + _lower_first(profile.barriers[0]))
        lines.extend(profile.barriers[1:3])
    if unknown:
        lines.append(f"Over {_join(unknown)} weet ik nog te weinig.")
    if not attention and not unknown and not profile.barriers:
        lines.append("Willen, kunnen en ruimte in je leven: ik zie geen grote drempels.")

    lines.append("Mijn tips voor je volgende stap:")
    lines.extend(f"{n}. {step.text}" for n, step in enumerate(profile.next_steps, 1))
    lines.append("Kies een tip. Of vraag je profiel op als tekst voor een coach.")
    return "\n".join(lines)


def _lower_first(text: str) -> str:
    """Lowercase the first letter, so a sentence can follow "Let op: "."""
    return text[:1].lower() + text[1:]


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def format_date(created: datetime) -> str:
    """A date in Dutch words, e.g. "3 maart 2026" (no locale needed)."""
    return f"{created.day} {MONTHS_NL[created.month - 1]} {created.year}"


# --------------------------------------------------------------------------- storage


def to_dict(profile: Profile) -> Dict[str, Any]:
    """The profile as plain JSON-safe data."""
    data = asdict(profile)
    data["format"] = PROFILE_FORMAT
    return data


def from_dict(data: Dict[str, Any]) -> Profile:
    """Rebuild a profile stored with ``to_dict``."""
    return Profile(
        blocks={k: BlockResult(**v) for k, v in data["blocks"].items()},
        conditions={k: ConditionResult(**v) for k, v in data["conditions"].items()},
        barriers=list(data.get("barriers", [])),
        barrier_kinds=list(data.get("barrier_kinds", [])),
        situation=list(data.get("situation", [])),
        strengths=list(data.get("strengths", [])),
        next_steps=[NextStep(**step) for step in data.get("next_steps", [])],
        answered=int(data.get("answered", 0)),
        skipped=list(data.get("skipped", [])),
    )
