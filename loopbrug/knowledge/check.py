"""Checks over the whole knowledge base: schema, sources, dates, length and plain language.

``python -m loopbrug.knowledge check`` prints every problem; the unit tests run the same
function. A fact with a ``valid_until`` date that has passed fails the check until somebody
checks it again (a newer ``checked`` date) or marks the scheme ended: the helpline must never
present an ended scheme as current because nobody looked.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from loopbrug.knowledge.units import ROOT
from loopbrug.plain_language import load_jargon, problems

JARGON_FILE = ROOT / "data" / "plain_language.yml"
GEMEENTEN_FILE = ROOT / "data" / "regions" / "gemeenten.csv"

STATUSES = {"active", "ended", "unverified"}
REQUIRED = ("id", "topic", "asks", "answer", "check", "checked", "status", "scope", "facts")
MIN_ASKS = 5
MAX_ANSWER_WORDS = 60
MAX_MORE_WORDS = 130
MAX_NEXT = 3
# A title is a button label: short enough for a phone (Telegram cuts long buttons), and a
# question, because it offers a question the person may have meant.
MAX_TITLE_CHARS = 45
ID = re.compile(r"^[a-z_]+/[a-z0-9_]+$")
AMOUNT = re.compile(r"€|\beuro\b|\bprocent\b|%", re.IGNORECASE)
YEAR = re.compile(r"\b(19|20)\d{2}\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
URL = re.compile(r"^https://[\w.-]+\.[a-z]{2,}(/\S*)?$")
# An unverified answer says so in the first reply, in words a person understands.
HEDGE = re.compile(r"niet (helemaal |100% )?zeker|weet ik niet|kan veranderd zijn|niet bevestigd")


def word_count(text: str) -> int:
    """Words as the length rules count them."""
    return len(re.findall(r"[\w€%'-]+", text))


def amounts_without_year(text: str) -> List[str]:
    """Sentences that name an amount but no year."""
    return [s for s in SENTENCE.split(text) if AMOUNT.search(s) and not YEAR.search(s)]


def regions() -> set:
    """Every arbeidsmarktregio name in the region table."""
    with GEMEENTEN_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["arbeidsmarktregio"] for row in csv.DictReader(handle)}


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def validate(
    raws: Iterable[Dict[str, Any]],
    known_intents: Optional[set] = None,
    next_steps: Optional[set] = None,
    today: Optional[date] = None,
) -> List[str]:
    """Every problem in the raw units, as lines a writer can act on (empty when all is well)."""
    today = today or date.today()
    jargon = load_jargon(JARGON_FILE)
    known_regions = regions()
    errors: List[str] = []
    raws = list(raws)
    ids = {str(r.get("id")) for r in raws}
    seen: set = set()
    defaults: Dict[str, List[str]] = {}
    terms: Dict[str, str] = {}
    for raw in raws:
        ident = str(raw.get("id", "<no id>"))
        where = f"[{ident}]"
        missing = [k for k in REQUIRED if not raw.get(k)]
        if missing:
            errors.append(f"{where} missing {', '.join(missing)}")
            continue
        if not ID.match(ident):
            errors.append(f"{where} id must be <intent>/<question> in lower case")
        if ident in seen:
            errors.append(f"{where} duplicate id")
        seen.add(ident)
        intent = ident.split("/")[0]
        if known_intents is not None and intent not in known_intents:
            errors.append(f"{where} intent {intent!r} is not in the domain")
        status = raw["status"]
        if status not in STATUSES:
            errors.append(f"{where} status must be one of {sorted(STATUSES)}")
        if status == "ended" and not raw.get("ended_on"):
            errors.append(f"{where} an ended scheme needs ended_on")
        for key in ("checked", "valid_until", "ended_on"):
            if raw.get(key) and not _is_date(raw[key]):
                errors.append(f"{where} {key} must be a date YYYY-MM-DD")
        if _is_date(raw["checked"]) and date.fromisoformat(str(raw["checked"])) > today:
            errors.append(f"{where} checked lies in the future")
        until = raw.get("valid_until")
        if until and _is_date(until) and status == "active":
            if date.fromisoformat(str(until)) <= today:
                errors.append(
                    f"{where} valid_until {until} has passed: check the fact again, then set "
                    "a new valid_until, or mark it ended or unverified"
                )
        check = raw["check"] if isinstance(raw["check"], dict) else {}
        if not check.get("name") or not URL.match(str(check.get("url", ""))):
            errors.append(f"{where} check needs a name and an https url a person can open")
        scope = raw["scope"]
        if scope != "national":
            unknown = set(scope) - known_regions if isinstance(scope, list) else {scope}
            if unknown:
                errors.append(f"{where} unknown arbeidsmarktregio in scope: {sorted(unknown)}")
            if not raw.get("regional_of"):
                errors.append(f"{where} a regional unit needs regional_of: the national unit")
        if raw.get("regional_of") and raw["regional_of"] not in ids:
            errors.append(f"{where} regional_of names no unit: {raw['regional_of']}")
        asks = [a for a in raw["asks"] if str(a).strip()]
        if len(asks) < MIN_ASKS and not raw.get("regional_of"):
            errors.append(f"{where} needs at least {MIN_ASKS} asks (has {len(asks)})")
        steps = raw.get("next") or []
        if len(steps) > MAX_NEXT:
            errors.append(f"{where} at most {MAX_NEXT} next steps")
        for step in steps:
            if next_steps is not None and step not in next_steps:
                errors.append(f"{where} unknown next step {step!r}")
        for fact in raw["facts"]:
            if not isinstance(fact, dict) or not fact.get("claim") or not fact.get("source"):
                errors.append(f"{where} every fact needs a claim and a source")
        if raw.get("term"):
            term = str(raw["term"]).lower()
            if term in terms:
                errors.append(f"{where} term {raw['term']!r} is also defined by {terms[term]}")
            terms[term] = ident
        title = " ".join(str(raw.get("title") or "").split())
        if not title and not raw.get("regional_of"):
            errors.append(f"{where} needs a title: the question as a button reads it")
        if title and (len(title) > MAX_TITLE_CHARS or not title.endswith("?")):
            errors.append(f"{where} title must be a question of at most {MAX_TITLE_CHARS} chars")
        answer = " ".join(str(raw["answer"]).split())
        if status == "unverified" and not HEDGE.search(answer.lower()):
            errors.append(f"{where} an unverified answer must say it is not sure, in the answer")
        for part, limit in (("answer", MAX_ANSWER_WORDS), ("more", MAX_MORE_WORDS)):
            text = " ".join(str(raw.get(part) or "").split())
            if not text:
                continue
            if word_count(text) > limit:
                errors.append(f"{where} {part} has {word_count(text)} words (max {limit})")
            for sentence in amounts_without_year(text):
                errors.append(f"{where} amount without a year: {sentence!r}")
            for problem in problems(text, jargon):
                errors.append(f"{where} {part}: {problem}")
        if raw.get("default"):
            if scope != "national":
                errors.append(f"{where} a default answer must be national")
            defaults.setdefault(intent, []).append(ident)
    owners: Dict[str, set] = {}
    for raw in raws:
        for ask in raw.get("asks") or []:
            owners.setdefault(" ".join(str(ask).lower().split()), set()).add(str(raw.get("id")))
    for ask, units in sorted(owners.items()):
        if len(units) > 1:
            errors.append(f"ask {ask!r} is written under more than one unit: {sorted(units)}")
    for intent, found in defaults.items():
        if len(found) > 1:
            errors.append(f"intent {intent!r} has more than one default: {found}")
    if known_intents is not None:
        answered = {str(r.get("id", "")).split("/")[0] for r in raws}
        for intent in sorted(answered - set(defaults)):
            errors.append(f"intent {intent!r} has units but no default answer")
    return errors


def domain_intents(domain_dir: Path = ROOT / "bot" / "domain") -> set:
    """Intents declared in the domain."""
    import yaml

    intents = set()
    for path in domain_dir.glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents", []):
            intents.add(item if isinstance(item, str) else next(iter(item)))
    return intents
