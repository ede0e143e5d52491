"""Read Rasa NLU YAML files as plain (text, intent) data, for tests, checks and benchmarks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List

import yaml

# Both ways Rasa marks an entity: [Zwolle](gemeente) and [STAP]{"entity": "regeling", ...}.
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")


def nlu_examples(path: Path) -> Dict[str, List[str]]:
    """Examples per intent from a Rasa NLU file, with entity markup removed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    result: Dict[str, List[str]] = {}
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        lines = [
            line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip()
        ]
        result.setdefault(block["intent"], []).extend(
            ENTITY_MARKUP.sub(r"\1", line) for line in lines
        )
    return result
