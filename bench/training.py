"""Training data, configurations and timed training runs for the benchmark.

The NLU data is read block by block from data/nlu/*.yml: intent examples keep their entity
markup, and every other block (synonyms, regexes; lookup tables if there are any) is kept
whole, so a subset or a cross-validation fold trains with the same entity knowledge as the
real model. The gazetteers in data/nlu/lookups/*.txt are not Rasa training data: they are
compiled into the spaCy pipeline (var/spacy), which every model loads.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bench.common import RASA, run_logged
from loopbrug.nlu_data import ENTITY_MARKUP
from loopbrug.settings import ROOT

NLU_DIR = ROOT / "data" / "nlu"
# The knowledge base's phrasings as training data (`make` writes it; loopbrug/knowledge/nlu.py).
KNOWLEDGE_NLU = ROOT / "var" / "nlu" / "knowledge.yml"
PROJECT_CONFIG = ROOT / "bot" / "config.yml"
BASELINE_CONFIG = Path(__file__).with_name("baseline_config.yml")
DOMAIN = ROOT / "bot" / "domain"
CORE_DATA = [ROOT / "bot" / "rules", ROOT / "bot" / "stories"]

Examples = Dict[str, List[str]]  # intent -> examples with entity markup


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, as people write Rasa data."""


def _str(dumper: yaml.SafeDumper, text: str) -> Any:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def plain(example: str) -> str:
    """An example as a person types it: entity markup removed."""
    return ENTITY_MARKUP.sub(r"\1", example)


def read_nlu(
    directory: Path = NLU_DIR, extra: Sequence[Path] = (KNOWLEDGE_NLU,)
) -> Tuple[Examples, List[dict]]:
    """(examples per intent, every other NLU block) from all YAML files in ``directory``
    and the ``extra`` files (the generated knowledge-base examples), as `make train` uses them.

    Examples that read the same once markup is removed are kept once per intent, so a
    duplicate can never sit in a fold's training and test part at the same time.
    """
    examples: Examples = {}
    seen: Dict[str, set] = {}
    other: List[dict] = []
    for path in [*sorted(directory.glob("*.yml")), *extra]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            if "intent" not in block:
                other.append(block)
                continue
            intent = block["intent"]
            for line in block["examples"].splitlines():
                example = line.strip()[2:].strip()
                if example and plain(example) not in seen.setdefault(intent, set()):
                    seen[intent].add(plain(example))
                    examples.setdefault(intent, []).append(example)
    return examples, other


def write_nlu(path: Path, examples: Examples, other: Sequence[dict]) -> Path:
    """A Rasa NLU file with ``examples`` and the non-intent blocks."""
    blocks: List[dict] = [
        {"intent": intent, "examples": "".join(f"- {e}\n" for e in texts)}
        for intent, texts in sorted(examples.items())
    ]
    blocks += [dict(block) for block in other]
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(
        {"version": "3.1", "nlu": blocks}, Dumper=_Dumper, allow_unicode=True, sort_keys=False
    )
    path.write_text(text, encoding="utf-8")
    return path


def subset(examples: Examples, per_intent: int, seed: int = 7) -> Examples:
    """At most ``per_intent`` examples of every intent, picked at random (for --quick)."""
    rng = random.Random(seed)
    return {i: rng.sample(texts, min(per_intent, len(texts))) for i, texts in examples.items()}


def stratified_folds(examples: Examples, k: int, seed: int = 42) -> List[Tuple[Examples, Examples]]:
    """k (train, test) splits; every intent is spread evenly over the k test parts.

    Each intent's examples are shuffled and dealt round-robin, continuing where the previous
    intent stopped so the folds also come out the same size. Every intent needs at least k
    examples: then each fold tests and trains every intent.
    """
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    short = sorted(i for i, texts in examples.items() if len(texts) < k)
    if short:
        raise ValueError(f"fewer than {k} examples for: {', '.join(short)}")
    rng = random.Random(seed)
    tests: List[Examples] = [{} for _ in range(k)]
    dealt = 0
    for intent in sorted(examples):
        shuffled = list(examples[intent])
        rng.shuffle(shuffled)
        for example in shuffled:
            tests[dealt % k].setdefault(intent, []).append(example)
            dealt += 1
    folds = []
    for held in range(k):
        train = {
            intent: [e for f in range(k) if f != held for e in tests[f].get(intent, [])]
            for intent in sorted(examples)
        }
        folds.append((train, tests[held]))
    return folds


def with_epochs(config: dict, epochs: Optional[int]) -> dict:
    """A copy of a Rasa config with every ``epochs`` in the pipeline set (for --quick)."""
    config = copy.deepcopy(config)
    if epochs is not None:
        for component in config.get("pipeline", []):
            if component.get("name") in {"DIETClassifier", "ResponseSelector"}:
                component["epochs"] = epochs
    return config


def project_config(out: Path, epochs: Optional[int] = None) -> Path:
    """bot/config.yml itself, or a copy with fewer epochs under ``out``."""
    if epochs is None:
        return PROJECT_CONFIG
    config = with_epochs(yaml.safe_load(PROJECT_CONFIG.read_text(encoding="utf-8")), epochs)
    return _write_config(out / "project-config.yml", config)


def baseline_config(out: Path, epochs: Optional[int] = None) -> Path:
    """bench/baseline_config.yml with the project's dialogue policies, written under ``out``.

    Only the NLU pipeline differs from the project, so the dialogue behaves the same and
    the speed comparison measures the pipeline.
    """
    config = yaml.safe_load(BASELINE_CONFIG.read_text(encoding="utf-8"))
    config["policies"] = yaml.safe_load(PROJECT_CONFIG.read_text(encoding="utf-8"))["policies"]
    return _write_config(out / "baseline-config.yml", with_epochs(config, epochs))


def _write_config(path: Path, config: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path


def baseline_pipeline_text() -> str:
    """The baseline's pipeline as YAML, for the report."""
    config = yaml.safe_load(BASELINE_CONFIG.read_text(encoding="utf-8"))
    return yaml.dump(
        {"language": config["language"], "pipeline": config["pipeline"]},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
    )


def train_full(config: Path, nlu: Path, out: Path, name: str) -> Tuple[Path, float]:
    """`rasa train --force`: NLU and dialogue; (model archive, seconds)."""
    argv = [RASA, "train", "--config", str(config), "--domain", str(DOMAIN)]
    argv += ["--data", str(nlu), *map(str, CORE_DATA), "--out", str(out)]
    argv += ["--fixed-model-name", name, "--force"]
    seconds = run_logged(argv, out / f"{name}.train.log")
    return out / f"{name}.tar.gz", seconds


def train_nlu(config: Path, nlu: Path, out: Path, name: str) -> Tuple[Path, float]:
    """`rasa train nlu`; (model archive, seconds)."""
    argv = [RASA, "train", "nlu", "--config", str(config), "--nlu", str(nlu), "--out", str(out)]
    argv += ["--fixed-model-name", name]
    seconds = run_logged(argv, out / f"{name}.train.log")
    return out / f"{name}.tar.gz", seconds
