"""The knowledge base: sourced, dated answers in plain Dutch, kept as data.

Each file in ``data/knowledge/`` holds entries (see ``docs/knowledge-base.md`` for the schema).
An entry answers one or more intents; ``select`` picks the best entry for a message:

1. an entry whose ``when`` selector fits (a sector entity, or a keyword in the message),
2. otherwise a regional entry whose ``scope`` holds the person's arbeidsmarktregio,
3. otherwise the intent's national default.

``python -m actions.knowledge_base --check`` validates every entry (schema, sources, dates,
amounts with a year, plain language) and is part of the unit tests. Nothing is read on import.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.plain_language import load_jargon, problems

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "data" / "knowledge"
JARGON_FILE = ROOT / "data" / "plain_language.yml"
GEMEENTEN_FILE = ROOT / "data" / "regions" / "gemeenten.csv"

STATUSES = {"active", "ended", "unknown"}
# Next-step buttons an entry may offer, with their labels.
NEXT_STEPS: Dict[str, str] = {
    "start_assessment": "Zelftest doen",
    "finance_check": "Kan ik dit betalen?",
    "find_loket": "Mijn loket vinden",
    "request_human": "Praten met een coach",
    "capabilities": "Andere vraag",
    "funding_overview": "Opleiding betalen",
    "funding_employer": "Werkgever betaalt mee",
    "funding_sector_fund": "Opleidingsfonds sector",
    "funding_voucher": "Scholingsvoucher",
    "funding_loan": "Lenen bij DUO",
    "funding_benefits": "Leren met uitkering",
    "funding_transition_payment": "Transitievergoeding",
    "career_advice_free": "Gratis loopbaanadvies",
    "calculate_transition": "Bereken je vergoeding",
    "calculate_gap": "Bereken je tekort",
    "experience_work": "Eerst meelopen",
    "sector_info": "Werken in een sector",
    "shortage_sectors": "Waar is werk?",
    "training_routes": "Hoe werkt een opleiding?",
    "guidance_support": "Begeleiding",
    "orientation_programs": "Uitzoeken wat past",
}
AMOUNT = re.compile(r"€|\beuro\b|\bprocent\b|%", re.IGNORECASE)
YEAR = re.compile(r"\b(19|20)\d{2}\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
REQUIRED = ("id", "intents", "title", "answer", "source", "checked", "status", "scope")
MAX_ANSWER_WORDS = 70
MAX_MORE_WORDS = 130


@dataclass(frozen=True)
class Entry:
    """One answer with everything it rests on."""

    id: str
    intents: Tuple[str, ...]
    title: str
    answer: str
    source: str
    checked: str
    status: str
    scope: Any  # "national" or a tuple of arbeidsmarktregio names
    more: Optional[str] = None
    next: Tuple[str, ...] = ()
    when: Dict[str, Any] = field(default_factory=dict)
    facts: Tuple[Dict[str, str], ...] = ()
    ended_on: Optional[str] = None

    @property
    def national(self) -> bool:
        """True for entries that apply everywhere."""
        return self.scope == "national"

    def fits(self, sector: Optional[str], text: str) -> bool:
        """True when the entry's ``when`` selector fits this message."""
        if not self.when:
            return False
        if "sector" in self.when and sector != self.when["sector"]:
            return False
        keywords = self.when.get("keywords")
        if keywords and not any(k.lower() in text.lower() for k in keywords):
            return False
        return True


def _entry(raw: Dict[str, Any]) -> Entry:
    scope = raw["scope"]
    return Entry(
        id=raw["id"],
        intents=tuple(raw["intents"]),
        title=raw["title"],
        answer=" ".join(str(raw["answer"]).split()),
        source=str(raw["source"]),
        checked=str(raw["checked"]),
        status=raw["status"],
        scope=scope if scope == "national" else tuple(scope),
        more=" ".join(str(raw["more"]).split()) if raw.get("more") else None,
        next=tuple(raw.get("next") or ()),
        when=dict(raw.get("when") or {}),
        facts=tuple(raw.get("facts") or ()),
        ended_on=str(raw["ended_on"]) if raw.get("ended_on") else None,
    )


class KnowledgeBase:
    """All entries, with lookups by id and by intent."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self.by_id = {e.id: e for e in self.entries}

    @classmethod
    def load(cls, folder: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
        """Read every ``*.yml`` file in ``folder``."""
        raws = []
        for path in sorted(folder.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            raws.extend(data.get("entries") or [])
        return cls([_entry(raw) for raw in raws])

    def intents(self) -> set:
        """Every intent some entry answers."""
        return {i for e in self.entries for i in e.intents}

    def select(
        self,
        intent: str,
        sector: Optional[str] = None,
        text: str = "",
        region: Optional[str] = None,
    ) -> Optional[Entry]:
        """The best entry for a message (see the module docstring for the order)."""
        candidates = [e for e in self.entries if intent in e.intents]
        for entry in candidates:
            if entry.fits(sector, text):
                return entry
        if region:
            for entry in candidates:
                if not entry.when and not entry.national and region in entry.scope:
                    return entry
        return next((e for e in candidates if not e.when and e.national), None)

    def regional(self, intent: str) -> List[Entry]:
        """Regional entries of an intent (for answers that list what a region has)."""
        return [e for e in self.entries if intent in e.intents and not e.national]


@functools.lru_cache(maxsize=1)
def get_knowledge_base() -> KnowledgeBase:
    """The knowledge base, loaded once on first use."""
    return KnowledgeBase.load()


# ---- validation ----------------------------------------------------------------------------


def _regions() -> set:
    import csv

    with GEMEENTEN_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["arbeidsmarktregio"] for row in csv.DictReader(handle)}


def _word_count(text: str) -> int:
    return len(re.findall(r"[\w€%'-]+", text))


def amounts_without_year(text: str) -> List[str]:
    """Sentences that name an amount but no year."""
    return [s for s in SENTENCE.split(text) if AMOUNT.search(s) and not YEAR.search(s)]


def validate(raws: List[Dict[str, Any]], known_intents: Optional[set] = None) -> List[str]:
    """Every problem in the raw entries, as readable lines (empty when all is well)."""
    errors: List[str] = []
    jargon = load_jargon(JARGON_FILE)
    regions = _regions()
    seen: set = set()
    defaults: Dict[str, List[str]] = {}
    for raw in raws:
        ident = raw.get("id", "<no id>")
        where = f"[{ident}]"
        missing = [k for k in REQUIRED if not raw.get(k)]
        if missing:
            errors.append(f"{where} missing {', '.join(missing)}")
            continue
        if ident in seen:
            errors.append(f"{where} duplicate id")
        seen.add(ident)
        if raw["status"] not in STATUSES:
            errors.append(f"{where} status must be one of {sorted(STATUSES)}")
        if raw["status"] == "ended" and not raw.get("ended_on"):
            errors.append(f"{where} an ended scheme needs ended_on")
        try:
            date.fromisoformat(str(raw["checked"]))
        except ValueError:
            errors.append(f"{where} checked must be a date YYYY-MM-DD")
        scope = raw["scope"]
        if scope != "national":
            unknown = set(scope) - regions if isinstance(scope, list) else {scope}
            if unknown:
                errors.append(f"{where} unknown arbeidsmarktregio in scope: {sorted(unknown)}")
        for step in raw.get("next") or []:
            if step not in NEXT_STEPS:
                errors.append(f"{where} unknown next step {step!r}")
        if known_intents is not None:
            for intent in raw["intents"]:
                if intent not in known_intents:
                    errors.append(f"{where} intent {intent!r} is not in the domain")
        for fact in raw.get("facts") or []:
            if not fact.get("claim") or not fact.get("source"):
                errors.append(f"{where} every fact needs a claim and a source")
        for part in ("answer", "more"):
            text = " ".join(str(raw.get(part) or "").split())
            if not text:
                continue
            limit = MAX_ANSWER_WORDS if part == "answer" else MAX_MORE_WORDS
            if _word_count(text) > limit:
                errors.append(f"{where} {part} has {_word_count(text)} words (max {limit})")
            for sentence in amounts_without_year(text):
                errors.append(f"{where} amount without a year: {sentence!r}")
            for problem in problems(text, jargon):
                errors.append(f"{where} {part}: {problem}")
        if not raw.get("when") and scope == "national":
            for intent in raw["intents"]:
                defaults.setdefault(intent, []).append(ident)
    for intent, ids in defaults.items():
        if len(ids) > 1:
            errors.append(f"intent {intent!r} has more than one national default: {ids}")
    return errors


def domain_intents() -> set:
    """Intents declared in bot/domain."""
    intents = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents", []):
            intents.add(item if isinstance(item, str) else next(iter(item)))
    return intents


def main(argv: Optional[List[str]] = None) -> int:
    """Command line: ``--check`` validates the knowledge base and prints every problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="validate all entries")
    args = parser.parse_args(argv)
    if not args.check:
        parser.print_help()
        return 0
    raws = []
    for path in sorted(KNOWLEDGE_DIR.glob("*.yml")):
        raws.extend((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries") or [])
    errors = validate(raws, domain_intents())
    for line in errors:
        print(line)
    print(f"{len(raws)} entries, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
