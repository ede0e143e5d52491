"""The self-test's questions: loading and checking ``data/assessment/questions.yml``.

The questions are data; this module turns them into :class:`Question` objects and refuses a
broken file with a ``ValueError`` that names the question. Nothing is read at import time:
:func:`get_questions` loads the file on first use and keeps it.

A question belongs to one of the six building blocks (``BLOCKS``) or to the life situation
(``SITUATION``), and counts towards zero or more of the three conditions for moving
(``CONDITIONS``, Triad model: motivatie, capaciteit, gelegenheid).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from loopbrug.settings import ROOT

QUESTIONS_PATH = ROOT / "data" / "assessment" / "questions.yml"

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
BARRIER_KINDS: Tuple[str, ...] = (
    "tijd",
    "geld",
    "schulden",
    "zorg",
    "gezondheid",
    "taal",
    "digitaal",
)

ID_PATTERN = re.compile(r"^q_[a-z0-9_]+$")


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
