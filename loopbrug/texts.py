"""Every sentence a person reads that is not a Rasa domain response, looked up by key.

The texts live in ``data/texts/<language>/<area>.yml``: a flat mapping of name to text. A key
is ``<area>.<name>`` ("handoff.takeover"). Values in braces are filled in by :func:`text`
("Je praat nu met {coach}"). Python code never holds a sentence for a person: it names the key,
so a new language is a folder of texts, not a hunt through the code
(tests/unit/test_no_text_in_code.py fails on Dutch sentences written in Python).

Files are read on first use and kept for the life of the process.
"""

from __future__ import annotations

import functools
from pathlib import Path
from string import Formatter
from typing import Any, Dict, FrozenSet, Hashable, Iterator, Mapping, Optional

import yaml

from loopbrug.settings import ROOT

TEXTS_DIR = ROOT / "data" / "texts"
DEFAULT_LANGUAGE = "nl"


class MissingText(KeyError):
    """A key that no text file defines: a bug, found by the tests, never shown to a person."""


@functools.lru_cache(maxsize=4)
def catalogue(language: str = DEFAULT_LANGUAGE, root: Optional[Path] = None) -> Dict[str, str]:
    """All texts of one language, by key."""
    folder = (root or TEXTS_DIR) / language
    texts: Dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(entries, dict):
            raise ValueError(f"{path}: expected a mapping of name to text")
        for name, value in entries.items():
            if not isinstance(value, str):
                raise ValueError(f"{path}: {name} must be a text, got {type(value).__name__}")
            texts[f"{path.stem}.{name}"] = value.strip()
    return texts


def text(key: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text under ``key`` with its ``{placeholders}`` filled in.

    A missing key or a missing value raises: a half-filled sentence must never reach a person.
    """
    try:
        template = catalogue(language)[key]
    except KeyError:
        raise MissingText(key) from None
    return template.format(**values)


def placeholders(template: str) -> FrozenSet[str]:
    """The names in braces of one text."""
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


def has(key: str, language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether a text exists under ``key``."""
    return key in catalogue(language)


class Labels(Mapping[Hashable, str]):
    """Texts by code, looked up when read: a mapping a module can define at import time
    without reading a file (``Labels({"new": "inbox.status_new"})["new"] == "Nieuw"``).

    ``values`` fill the placeholders of every text (names a text does not use are ignored).
    """

    def __init__(self, keys: Mapping[Hashable, str], **values: object) -> None:
        self._keys = dict(keys)
        self._values = values

    def __getitem__(self, code: Hashable) -> str:
        return text(self._keys[code], **self._values)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, code: Hashable, default: Any = None) -> Any:  # type: ignore[override]
        # Only an unknown code gives the default: a code without its text (MissingText, a
        # KeyError too) is a bug and raises.
        return self[code] if code in self._keys else default

    def code_of(self, said: str) -> Optional[Hashable]:
        """The code whose text is ``said``, or None."""
        return next((code for code in self._keys if self[code] == said), None)
