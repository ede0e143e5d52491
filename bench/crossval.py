"""k-fold cross-validation of the project's NLU pipeline on its own training data.

The intent examples of data/nlu are split into k stratified folds (bench.training); each
fold's model is trained with `rasa train nlu` on the other k-1 folds plus every synonym and
regex block, then scored on its fold with the final intent (after fallback and crisis
guard), exactly as the held-out set is scored. The spread over the folds shows how much
the held-out macro-F1 can move by chance.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from bench.common import mean_and_std
from bench.nlu_quality import intent_scores, predict_all
from bench.training import Examples, plain, stratified_folds, train_nlu, write_nlu


@dataclass
class CrossValidation:
    folds: int
    examples: int
    intents: int
    macro_f1: List[float] = field(default_factory=list)
    accuracy: List[float] = field(default_factory=list)
    train_s: List[float] = field(default_factory=list)
    mean: float = float("nan")  # of macro-F1
    std: float = float("nan")  # sample standard deviation of macro-F1 over the folds
    seconds: float = 0.0


def run(
    config: Path,
    examples: Examples,
    other: List[dict],
    out: Path,
    k: int = 5,
    log: Optional[callable] = None,
) -> CrossValidation:
    """Train and score k folds under ``out``/fold-N."""
    started = time.monotonic()
    result = CrossValidation(
        folds=k, examples=sum(map(len, examples.values())), intents=len(examples)
    )
    for number, (train, test) in enumerate(stratified_folds(examples, k), start=1):
        fold_dir = out / f"fold-{number}"
        data = write_nlu(fold_dir / "nlu.yml", train, other)
        model, seconds = train_nlu(config, data, fold_dir, f"fold-{number}")
        pairs = [(plain(e), intent) for intent, texts in sorted(test.items()) for e in texts]
        predicted = predict_all(model, [t for t, _ in pairs])
        macro, accuracy, _ = intent_scores([i for _, i in pairs], predicted)
        result.macro_f1.append(macro)
        result.accuracy.append(accuracy)
        result.train_s.append(seconds)
        model.unlink(missing_ok=True)  # 35 MB each; the score is what we keep
        if log:
            log(f"fold {number}/{k}: macro-F1 {macro:.3f} (trained in {seconds:.0f} s)")
    result.mean, result.std = mean_and_std(result.macro_f1)
    result.seconds = time.monotonic() - started
    return result
