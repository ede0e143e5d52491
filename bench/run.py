"""`make bench`: run the benchmarks and write docs/benchmarks.md.

Sections are added as the benchmark issue grows; each one states its target and whether the
run met it, with the date, machine and commit of the run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from bench.nlu_quality import QualityReport, evaluate
from bot.settings import ROOT

TARGET_MACRO_F1 = 0.90
TARGET_CRISIS_RECALL = 1.0


def latest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("No trained model: run `make train` first.")
    return models[-1]


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(report: QualityReport, model: Path) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench`; do not edit by hand.",
        "",
        f"- Run: {now}, commit `{commit()}`, model `{model.name}`",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "",
        "Measured so far: understanding only. Speed, memory, start-up, training time and the "
        "baseline pipeline are not measured yet.",
        "",
        "## Understanding (held-out Dutch test set)",
        "",
        f"{report.examples} held-out messages (tests/nlu/heldout.yml), written apart from the "
        "training data and never trained on. The prediction counted is the final one, after "
        "the fallback and the crisis guard: a message sent to clarification counts as a miss.",
        "",
        "| measure | value | target | |",
        "|---|---|---|---|",
        f"| intent macro-F1 | {report.macro_f1:.3f} | >= {TARGET_MACRO_F1:.2f} | "
        f"{verdict(report.macro_f1 >= TARGET_MACRO_F1)} |",
        f"| accuracy | {report.accuracy:.3f} | | |",
        f"| crisis recall (held-out + curated set) | {report.crisis_recall:.3f} | "
        f"{TARGET_CRISIS_RECALL:.1f} | {verdict(report.crisis_recall >= TARGET_CRISIS_RECALL)} |",
        f"| near-crisis messages taken for crisis | {len(report.near_crisis_false_alarms)} | 0 | "
        f"{verdict(not report.near_crisis_false_alarms)} |",
        "",
    ]
    if report.crisis_missed:
        lines += ["Crisis messages missed:", ""] + [f"- {t}" for t in report.crisis_missed] + [""]
    lines += ["### Per intent", "", "| intent | F1 | n |", "|---|---|---|"]
    for intent, (f1, n) in sorted(report.per_intent.items(), key=lambda kv: kv[1][0]):
        lines.append(f"| {intent} | {f1:.2f} | {n} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    model = latest_model()
    report = evaluate(model)
    args.out.write_text(render(report, model), encoding="utf-8")
    print(f"macro-F1 {report.macro_f1:.3f}, crisis recall {report.crisis_recall:.3f}")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
