"""Question units: one specific question people ask, with its answer and what it rests on.

The knowledge base is data (``data/knowledge/units/*.yml``, schema in docs/knowledge-base.md).
Each unit belongs to one catalogue intent (the contract of ``/model/parse``) and answers one
question under it; the ``asks`` of every unit become NLU training data for that intent
(``python -m loopbrug.knowledge nlu``), so a phrasing lives in one place only.

Nothing here imports Rasa: the actions, the benchmark and the checks all read the same core.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
UNITS_DIR = ROOT / "data" / "knowledge" / "units"
TEXTS_FILE = ROOT / "data" / "knowledge" / "texts.yml"

MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()


@dataclass(frozen=True)
class CheckAt:
    """Where a person can check an answer themselves."""

    name: str
    url: str


@dataclass(frozen=True)
class Unit:
    """One question under a catalogue intent, answered in plain Dutch."""

    id: str
    intent: str
    topic: str
    asks: Tuple[str, ...]
    answer: str
    check: CheckAt
    checked: str
    status: str
    scope: Any  # "national" or a tuple of arbeidsmarktregio names
    default: bool = False
    # The question as a button reads it ("Hoeveel rente betaal ik?"): offered when a message
    # sits between this unit and the one answered (loopbrug/knowledge/retrieve.py).
    title: Optional[str] = None
    term: Optional[str] = None
    keywords: Tuple[str, ...] = ()
    more: Optional[str] = None
    next: Tuple[str, ...] = ()
    sector: Optional[str] = None
    regional_of: Optional[str] = None
    valid_until: Optional[str] = None
    ended_on: Optional[str] = None
    facts: Tuple[Dict[str, str], ...] = field(default_factory=tuple)

    @property
    def national(self) -> bool:
        """True for units that apply everywhere."""
        return self.scope == "national"

    @property
    def checked_month(self) -> str:
        """The month the facts were checked, as a person reads it ("november 2026")."""
        day = date.fromisoformat(self.checked)
        return f"{MONTHS[day.month - 1]} {day.year}"


def _text(value: Any) -> Optional[str]:
    return " ".join(str(value).split()) if value else None


def unit_from(raw: Dict[str, Any]) -> Unit:
    """A Unit from one raw YAML mapping (validated separately by ``check.validate``)."""
    scope = raw.get("scope", "national")
    check = raw.get("check") or {}
    return Unit(
        id=str(raw["id"]),
        intent=str(raw["id"]).split("/")[0],
        topic=str(raw.get("topic") or ""),
        asks=tuple(" ".join(str(a).split()) for a in raw.get("asks") or ()),
        answer=_text(raw.get("answer")) or "",
        check=CheckAt(name=str(check.get("name", "")), url=str(check.get("url", ""))),
        checked=str(raw.get("checked", "")),
        status=str(raw.get("status", "")),
        scope=scope if scope == "national" else tuple(scope),
        default=bool(raw.get("default")),
        title=_text(raw.get("title")),
        term=raw.get("term"),
        keywords=tuple(str(k).lower() for k in raw.get("keywords") or ()),
        more=_text(raw.get("more")),
        next=tuple(raw.get("next") or ()),
        sector=raw.get("sector"),
        regional_of=raw.get("regional_of"),
        valid_until=str(raw["valid_until"]) if raw.get("valid_until") else None,
        ended_on=str(raw["ended_on"]) if raw.get("ended_on") else None,
        facts=tuple(raw.get("facts") or ()),
    )


def read_raw(folder: Path = UNITS_DIR) -> List[Tuple[Path, Dict[str, Any]]]:
    """Every raw unit with the file it came from."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.extend((path, raw) for raw in data.get("units") or [])
    return found


class KnowledgeBase:
    """All units, with lookups by id, intent, topic and region."""

    def __init__(self, units: Sequence[Unit], texts: Optional[Dict[str, Any]] = None) -> None:
        self.units = list(units)
        self.by_id = {u.id: u for u in self.units}
        self.texts = texts or {}

    @classmethod
    def load(cls, folder: Path = UNITS_DIR, texts_file: Path = TEXTS_FILE) -> KnowledgeBase:
        """Read every unit file and the texts around the answers."""
        texts = (
            yaml.safe_load(texts_file.read_text(encoding="utf-8")) if texts_file.exists() else {}
        )
        return cls([unit_from(raw) for _, raw in read_raw(folder)], texts or {})

    def default_for(self, intent: str) -> Optional[Unit]:
        """The intent's topic-level answer, for a question the units do not cover."""
        return next((u for u in self.units if u.intent == intent and u.default), None)

    def answerable(self) -> List[Unit]:
        """Units a message can be matched to (regional variants come with their national unit)."""
        return [u for u in self.units if u.regional_of is None]

    def regional_for(self, unit: Unit, region: Optional[str]) -> Optional[Unit]:
        """The regional variant of a unit for the person's arbeidsmarktregio, if there is one."""
        if not region:
            return None
        return next((u for u in self.units if u.regional_of == unit.id and region in u.scope), None)

    def has_regional(self, unit: Unit) -> bool:
        """True when the answer differs per region (so knowing the place helps)."""
        return any(u.regional_of == unit.id for u in self.units)

    def label(self, step: str) -> str:
        """The button label of a next step."""
        return str(self.texts.get("next_steps", {}).get(step, step))

    def text(self, key: str, **values: Any) -> str:
        """A text around the answers (``data/knowledge/texts.yml``), filled in."""
        return str(self.texts[key]).format(**values)


@functools.lru_cache(maxsize=1)
def get_knowledge_base() -> KnowledgeBase:
    """The knowledge base, loaded once on first use (never at import)."""
    return KnowledgeBase.load()
