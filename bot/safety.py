"""Crisis phrase matching, shared by the NLU guard and by the channels' safety checks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Pattern

import yaml

# 113 Zelfmoordpreventie: call 113, or 0800-0113 for free, day and night (113.nl, checked
# 2026-11-25; utter_crisis in bot/domain/safety.yml gives the same numbers). Added to every
# text that may reach someone in crisis while the full crisis answer cannot be given.
CRISIS_HOTLINE = "Denk je aan zelfdoding? Bel dan 113 of gratis 0800-0113."


def normalise(text: str) -> str:
    """Lower-case, strip accents and squeeze white space, so patterns stay simple."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain.lower()).strip()


@dataclass(frozen=True)
class CrisisMatcher:
    """Curated regular expressions for crisis wording, with exclusions for near misses."""

    patterns: tuple[Pattern[str], ...]
    exclusions: tuple[Pattern[str], ...]

    @classmethod
    def from_lists(cls, patterns: Iterable[str], exclusions: Iterable[str] = ()) -> CrisisMatcher:
        """Compile the given regular expressions."""
        return cls(
            tuple(re.compile(p) for p in patterns),
            tuple(re.compile(p) for p in exclusions),
        )

    @classmethod
    def from_file(cls, path: Path) -> CrisisMatcher:
        """Read ``crisis`` and ``exclude`` lists from a YAML file."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls.from_lists(data.get("crisis", []), data.get("exclude", []))

    def matches(self, text: str) -> bool:
        """True when the text holds crisis wording outside the harmless idioms.

        Idioms such as "doodmoe" are cut out before matching rather than vetoing the whole
        message, so "ik ben doodmoe, ik wil dood" still matches.
        """
        plain = normalise(text)
        for exclusion in self.exclusions:
            plain = exclusion.sub(" ", plain)
        return any(p.search(plain) for p in self.patterns)

    def has_idiom(self, text: str) -> bool:
        """True when the text holds one of the harmless idioms ("dodelijk saai", "doodop")."""
        plain = normalise(text)
        return any(e.search(plain) for e in self.exclusions)
