"""The scored Persoonlijk Profiel as data, and its stored (JSON-safe) form.

:mod:`loopbrug.assessment.scoring` makes a :class:`Profile`; :mod:`~loopbrug.assessment.render`
and :mod:`~loopbrug.assessment.export` put it into words; :mod:`~loopbrug.assessment.store`
keeps it with :func:`to_dict` and rebuilds it with :func:`from_dict`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from loopbrug import texts

LEVELS: Tuple[str, ...] = ("sterk", "gemiddeld", "aandacht", "onbekend")
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
PROFILE_FORMAT = 1


def step_text(intent: str) -> Optional[str]:
    """A next step in words ("Doe de geldcheck: ..."), or None for an intent that is no step."""
    key = f"assessment.step_{intent}"
    return texts.text(key) if texts.has(key) else None


def step_button(intent: str) -> Optional[str]:
    """The button title of a next step (at most 25 characters), or None."""
    key = f"assessment.step_button_{intent}"
    return texts.text(key) if texts.has(key) else None


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
        return step_text(self.intent) or self.intent


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
