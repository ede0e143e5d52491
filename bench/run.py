"""`make bench`: run the benchmarks and write docs/benchmarks.md.

One run trains its own models into var/bench (the project's and the baseline's, timed),
scores both on the held-out sets, cross-validates the project pipeline, then starts the
helpline's processes and measures speed, memory and start-up. Every section of the report
says what was measured, the numbers and whether the target was met (and if not, by how
much). Timing never fails a test: this only reports.

`python -m bench.run --quick` does a tiny version of everything (a subset of the training
data, 3 epochs, 2 folds, 3-second load levels) to check the code; it writes its report to
var/bench/quick/, never to docs/.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import time
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from bench import crossval, knowledge, speed, training
from bench.common import BENCH_DIR, free_port, machine
from bench.nlu_quality import HELD_OUT, SCOPE_SET, evaluate
from bench.servers import RedisServer, bench_settings, start_actions
from bot.serve import latest_model
from loopbrug.settings import ROOT

PARTS = ("training", "understanding", "knowledge", "crossval", "speed")
GB = 1e9


@dataclass(frozen=True)
class Target:
    """One target of the benchmark issue: where its value is in the results, and the bound."""

    label: str
    path: tuple  # keys into the results
    bound: float
    higher_is_better: bool
    unit: str  # "", "%", "ms", "s", "msg/s", "GB"


TARGETS = [
    Target("intent macro-F1 (held-out)", ("understanding", "project", "macro_f1"), 0.93, True, ""),
    Target(
        "specific questions: first reply holds the key fact",
        ("knowledge", "first_reply"),
        0.90,
        True,
        "%",
    ),
    Target(
        "specific questions: intent macro-F1",
        ("knowledge", "macro_f1"),
        0.93,
        True,
        "",
    ),
    Target(
        "crisis recall (held-out + curated sets)",
        ("understanding", "project", "crisis_recall"),
        1.0,
        True,
        "",
    ),
    Target(
        "false-crisis rate, in-scope held-out messages",
        ("understanding", "project", "false_crisis_rate"),
        0.005,
        False,
        "%",
    ),
    Target(
        "out-of-scope messages sent to clarification",
        ("understanding", "project", "oos_to_clarify"),
        0.80,
        True,
        "%",
    ),
    Target(
        "in-scope held-out messages wrongly sent to clarification",
        ("understanding", "project", "in_scope_to_clarify"),
        0.05,
        False,
        "%",
    ),
    Target(
        "throughput, 10 concurrent conversations",
        ("speed", "project", "levels", "10", "throughput"),
        40.0,
        True,
        "msg/s",
    ),
    Target(
        "p95 latency, 10 concurrent conversations",
        ("speed", "project", "levels", "10", "p95_ms"),
        250.0,
        False,
        "ms",
    ),
    Target(
        "p50 latency, single user", ("speed", "project", "levels", "1", "p50_ms"), 50.0, False, "ms"
    ),
    Target(
        "Rasa server memory (RSS) after load",
        ("speed", "project", "rss_bytes"),
        1.2 * GB,
        False,
        "GB",
    ),
    Target("cold start to first answer", ("speed", "project", "cold_start_s"), 30.0, False, "s"),
    Target("full training (`rasa train`)", ("training", "project_full_s"), 300.0, False, "s"),
]


# --- formatting and verdicts (pure) ---------------------------------------------------------


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt(value: Any, unit: str = "") -> str:
    """A number with its unit, as the report shows it."""
    if missing(value):
        return "n/a"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "s":
        return f"{value / 60:.1f} min" if value >= 120 else f"{value:.1f} s"
    if unit == "msg/s":
        return f"{value:.1f} msg/s"
    if unit == "GB":
        return f"{value / GB:.2f} GB"
    if unit == "cores":
        return f"{value:.2f}"
    return f"{value:.3f}"


def verdict(value: Any, bound: float, higher_is_better: bool, unit: str = "") -> str:
    """'met', '**missed** by <gap> (<relative gap>)', or 'not measured'."""
    if missing(value):
        return "not measured"
    met = value >= bound if higher_is_better else value <= bound
    if met:
        return "met"
    gap = bound - value if higher_is_better else value - bound
    relative = f" ({gap / bound:.0%})" if bound else ""
    if unit == "%":
        return f"**missed** by {gap * 100:.1f} percentage points"
    return f"**missed** by {fmt(gap, unit)}{relative}"


def dig(results: dict, path: tuple) -> Any:
    for key in path:
        if not isinstance(results, dict) or key not in results:
            return None
        results = results[key]
    return results


def bound_text(target: Target) -> str:
    sign = ">=" if target.higher_is_better else "<="
    return f"{sign} {fmt(target.bound, target.unit)}"


# --- rendering (pure: results dict in, Markdown out) -------------------------------------


def render(results: dict) -> str:
    """docs/benchmarks.md from the results of one run."""
    meta, host = results.get("meta", {}), results.get("machine", {})
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run`); do not edit by hand.",
    ]
    if meta.get("quick"):
        lines += [
            "",
            "> **Quick run** (`--quick`): a subset of the training data, 3 epochs, 2 folds and "
            "3-second load levels. The numbers only show that the benchmark works; they say "
            "nothing about the helpline.",
        ]
    dirty = host.get("uncommitted_files", 0)
    lines += [
        "",
        f"- Run: {meta.get('date', '?')}, {fmt(meta.get('seconds'), 's')} in all; commit "
        f"`{host.get('commit', '?')}`"
        + (f" with {dirty} uncommitted changed files" if dirty else ""),
        f"- Machine: {host.get('cpu', '?')}, {host.get('cores', '?')} cores, "
        f"{host.get('memory_gb', '?')} GB memory, {host.get('os', '?')}, Python "
        f"{host.get('python', '?')}; load average at the start "
        f"{' / '.join(str(x) for x in host.get('load_average_at_start', []))} "
        "(other work on the machine at the same time slows the speed and training numbers)",
    ]
    models = results.get("training", {})
    if models.get("project_model"):
        lines.append(
            f"- Models: project `{models['project_model']}`, baseline "
            f"`{models.get('baseline_model') or 'none'}` ({models.get('origin', '')})"
        )
    if meta.get("skipped"):
        lines.append(f"- Not run this time: {', '.join(meta['skipped'])}")
    for part, error in results.get("errors", {}).items():
        lines.append(f"- **{part} failed**: {error.splitlines()[-1] if error else '?'}")
    lines += _targets(results)
    lines += _understanding(results)
    lines += _knowledge(results.get("knowledge"), results.get("knowledge_development"))
    lines += _speed(results)
    lines += _size_and_start(results)
    return "\n".join(lines).rstrip() + "\n"


def _targets(results: dict) -> List[str]:
    lines = ["", "## Targets", "", "| target | goal | measured | verdict |", "|---|---|---|---|"]
    for target in TARGETS:
        value = dig(results, target.path)
        lines.append(
            f"| {target.label} | {bound_text(target)} | {fmt(value, target.unit)} | "
            f"{verdict(value, target.bound, target.higher_is_better, target.unit)} |"
        )
    return lines


def _crisis_sets(project: dict, baseline: Optional[dict]) -> List[str]:
    """Crisis recall and false-crisis rate per set, with every miss of the project model."""
    sets = project.get("crisis_per_set") or []
    if not sets:
        return []
    base = {s["name"]: s for s in (baseline or {}).get("crisis_per_set") or []}
    lines = [
        "",
        "### Crisis per set",
        "",
        "A message counts as heard when its final intent is `crisis` (the crisis detector, "
        "loopbrug/safety/, applied by the crisis guard). Recall sets must all be 1.0, except "
        "the probes, written blind to the detector: the development probe "
        "(bench/data/crisis_probe.yml) was then used to develop it, the blind probe "
        "(bench/data/crisis_probe_blind.yml) never is, so it shows how the detector does on "
        "wording nobody foresaw. Sets that must not fire show the false-crisis rate (goal "
        "below 0.5% on the in-scope held-out set).",
        "",
        "| set | n | measures | project | baseline |",
        "|---|---|---|---|---|",
    ]
    for one in sets:
        what = "recall" if one["want"] else "false-crisis rate"
        unit = "" if one["want"] else "%"
        other = base.get(one["name"], {}).get("value")
        lines.append(
            f"| {one['name']} | {one['n']} | {what} | {fmt(one['value'], unit)} | "
            f"{fmt(other, unit) if baseline else 'n/a'} |"
        )
    for one in sets:
        if one["misses"]:
            kind = "missed" if one["want"] else "taken for crisis"
            lines += ["", f"{one['name']}, {kind} by the project model:", ""]
            lines += [f"- {text}" for text in one["misses"]]
    return lines


def _understanding(results: dict) -> List[str]:
    understanding = results.get("understanding", {})
    project, baseline = understanding.get("project"), understanding.get("baseline")
    lines = ["", "## Understanding", ""]
    if not project:
        return lines + ["Not measured in this run.", ""]
    lines += [
        f"Held-out set: {project['examples']} messages ({HELD_OUT.relative_to(ROOT)}), written "
        "apart from the training data and never trained on. The prediction counted is the "
        "final one, after the fallback and the crisis guard: a message sent to clarification "
        "counts as a miss for its intent. Crisis recall counts the held-out and curated crisis "
        "sets (per set below). "
        f"Out-of-scope handling uses {SCOPE_SET.relative_to(ROOT)}: a message reaches the "
        "clarification flow (action_clarify) when its final intent is `out_of_scope` or "
        "`nlu_fallback`.",
        "",
        (
            "Both models were trained in this run on the same data/nlu"
            if results.get("training", {}).get("project_full_s") is not None
            else "The models were not trained in this run (see above)"
        )
        + "; the baseline is Rasa's default recipe (below), so the difference shows what "
        "the project's pipeline adds.",
        "",
        "| measure | project | baseline | target |",
        "|---|---|---|---|",
    ]
    rows = [
        ("intent macro-F1", "macro_f1", "", ">= 0.93"),
        ("accuracy", "accuracy", "", ""),
        ("crisis recall (held-out + curated set)", "crisis_recall", "", "1.0"),
        ("out-of-scope messages sent to clarification", "oos_to_clarify", "%", ">= 80%"),
        ("in-scope held-out messages sent to clarification", "in_scope_to_clarify", "%", "<= 5%"),
        ("short in-scope messages (scope set) sent to clarification", "short_to_clarify", "%", ""),
    ]
    for label, key, unit, goal in rows:
        base = fmt(baseline.get(key), unit) if baseline else "n/a"
        lines.append(f"| {label} | {fmt(project.get(key), unit)} | {base} | {goal} |")
    near = len(project.get("near_crisis_false_alarms", []))
    base_near = len(baseline.get("near_crisis_false_alarms", [])) if baseline else "n/a"
    lines.append(f"| near-crisis messages taken for crisis | {near} | {base_near} | 0 |")
    lines.append(
        f"\n({project['oos_examples']} out-of-scope messages, {project['in_scope_examples']} "
        f"in-scope held-out messages, {project['short_examples']} short in-scope messages.)"
    )
    if project.get("crisis_missed"):
        lines += ["", "Crisis messages the project model missed:", ""]
        lines += [f"- {text}" for text in project["crisis_missed"]]
    if project.get("oos_missed"):
        lines += ["", "Out-of-scope messages the project model answered as if in scope:", ""]
        lines += [f"- {text} → `{intent}`" for text, intent in project["oos_missed"]]
    if project.get("confusions"):
        lines += ["", "Most frequent mistakes of the project model on the held-out set:", ""]
        lines += [f"- {g} taken as `{p}`: {n}" for g, p, n in project["confusions"]]
    lines += _crisis_sets(project, baseline)
    lines += _crossval(results.get("crossval"))
    lines += [
        "",
        "### Baseline pipeline",
        "",
        "bench/baseline_config.yml, trained with the project's dialogue policies:",
        "",
        "```yaml",
        training.baseline_pipeline_text().rstrip(),
        "```",
        "",
        "Rasa's default recipe (`rasa init`) without RegexFeaturizer, LexicalSyntacticFeaturizer, "
        "EntitySynonymMapper and ResponseSelector; the fallback uses the project's thresholds "
        "(0.55 / 0.1 instead of Rasa's 0.3 / 0.1) so both pipelines ask back by the same rule.",
    ]
    lines += ["", "### Per intent (held-out F1)", "", "| intent | project | baseline | n |"]
    lines.append("|---|---|---|---|")
    base_scores = (baseline or {}).get("per_intent", {})
    for intent, (f1, n) in sorted(project["per_intent"].items(), key=lambda kv: kv[1][0]):
        base = f"{base_scores[intent][0]:.2f}" if intent in base_scores else "n/a"
        lines.append(f"| {intent} | {f1:.2f} | {base} | {n} |")
    return lines


def _knowledge(report: Optional[dict], development: Optional[dict] = None) -> List[str]:
    lines = ["", "## Specific questions (knowledge base)", ""]
    if not report:
        return lines + ["Not measured in this run.", ""]
    lines += [
        f"{report['questions']} held-out questions ({knowledge.HELD_OUT.relative_to(ROOT)}), "
        "written blind (from the fact sheets, by someone who saw neither the knowledge base, "
        "the training data nor the answers) and never looked at while building, each with the "
        "key fact a right answer must contain, sent through the REST channel to a Rasa server and an action server started "
        'as `make run` starts them (follow-ups after their context message). "One follow-up" '
        "is the step a person takes next: the close second question offered under the answer "
        'when it is theirs (its answer holds the key fact), else "Meer weten?", or the '
        "button of their topic when the helpline asked back. The topic-level column gives each question the default "
        "answer of the intent `/model/parse` found (one text per intent), in the same run.",
        "",
        "| measure | question units | topic-level answers | target |",
        "|---|---|---|---|",
        f"| first reply holds the key fact | {fmt(report['first_reply'], '%')} | "
        f"{fmt(report['topic_first_reply'], '%')} | >= 90% |",
        f"| ... after one follow-up | {fmt(report['after_follow_up'], '%')} | "
        f"{fmt(report['topic_after_follow_up'], '%')} | |",
        f"| intent macro-F1 (questions without context) | {fmt(report['macro_f1'])} | same | "
        ">= 0.93 |",
        "",
    ]
    if development:
        lines += [
            f"The development set ({knowledge.DEVELOPMENT.relative_to(ROOT)}, "
            f"{development['questions']} questions) was read while the units were written "
            "and tuned, so its figures flatter; they are here to show the gap: first reply "
            f"{fmt(development['first_reply'], '%')}, after one follow-up "
            f"{fmt(development['after_follow_up'], '%')}, macro-F1 "
            f"{fmt(development['macro_f1'])}.",
            "",
        ]
    lines += [
        "Per topic on the held-out set:",
        "",
        "| topic | questions | first reply | after follow-up | topic-level | F1 |",
        "|---|---|---|---|---|---|",
    ]
    for topic, row in report["per_topic"].items():
        lines.append(
            f"| {topic} | {row['questions']} | {fmt(row['first_reply'], '%')} | "
            f"{fmt(row['after_follow_up'], '%')} | {fmt(row['topic_first_reply'], '%')} | "
            f"{fmt(row['f1'])} |"
        )
    lines += ["", f"Misses ({len(report['misses'])}): the question, then what the person read.", ""]
    for miss in report["misses"]:
        context = f" (after {miss['context']!r})" if miss["context"] else ""
        first = " ".join(miss["first"].split())[:160]
        lines.append(
            f"- `{miss['intent']}` (parsed `{miss['parsed']}`) {miss['q']!r}{context}: {first!r}"
        )
    return lines + [""]


def _crossval(cv: Optional[dict]) -> List[str]:
    lines = ["", "### Cross-validation of the project pipeline", ""]
    if not cv or not cv.get("macro_f1"):
        return lines + ["Not measured in this run."]
    folds = ", ".join(f"{x:.3f}" for x in cv["macro_f1"])
    return lines + [
        f"{cv['folds']}-fold stratified cross-validation over the {cv['examples']} training "
        f"examples of {cv['intents']} intents in data/nlu (every fold trains every intent and "
        "keeps all synonyms and regexes; bot/config.yml's pipeline, trained with "
        "`rasa train nlu` per fold; final intent scored as above).",
        "",
        f"- macro-F1 per fold: {folds}",
        f"- mean {cv['mean']:.3f}, standard deviation {cv['std']:.3f} "
        f"(min {min(cv['macro_f1']):.3f}, max {max(cv['macro_f1']):.3f})",
        f"- accuracy mean {sum(cv['accuracy']) / len(cv['accuracy']):.3f}; "
        f"training per fold {fmt(sum(cv['train_s']) / len(cv['train_s']), 's')}, "
        f"{fmt(cv['seconds'], 's')} for all folds",
    ]


def _speed(results: dict) -> List[str]:
    speeds = results.get("speed", {})
    plan = results.get("meta", {}).get("plan", {})
    lines = ["", "## Speed", ""]
    if not speeds.get("project"):
        return lines + ["Not measured in this run.", ""]
    lines += [
        "Per-turn latency over the REST channel (POST /webhooks/rest/webhook on 127.0.0.1), "
        "from an asyncio + httpx load generator in the benchmark process (bench/load.py). "
        "Each virtual user plays the scripted Dutch conversations of bench/conversations.yml "
        "(knowledge answers, the place question with a region, the ten-question money check, "
        "a calculator, clarification), each time as a new person, and sends its next message "
        "as soon as the answer is in. "
        f"Each level runs {plan.get('seconds', '?')} s (at most {plan.get('max_messages', '?')} "
        "messages) after one unmeasured pass through every conversation. The tracker store is "
        "SQLite under var/bench, as `make run` uses by default. Errors: non-200, timeout "
        "(30 s), broken connection or an empty answer. 'cores' is CPU time per second of "
        "wall time of each process tree (2 = both cores busy); the load generator shares the "
        "machine, and 'other work' is what the rest of the machine used meanwhile (from "
        "/proc/stat): with other work running, every number here is slower than on a quiet "
        "machine.",
        "",
        "| server | users | answered | msg/s | p50 | p95 | p99 | max | errors | Rasa cores "
        "| actions cores | generator cores | other work cores |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "project": "project, 1 process",
        "workers2": "project, 2 Sanic workers + Redis",
        "baseline": "baseline, 1 process",
    }
    for key, label in names.items():
        for users, level in (speeds.get(key) or {}).get("levels", {}).items():
            errors = ", ".join(f"{n} {kind}" for kind, n in level["errors"].items()) or "0"
            lines.append(
                f"| {label} | {users} | {level['answered']} | {level['throughput']:.1f} | "
                f"{fmt(level['p50_ms'], 'ms')} | {fmt(level['p95_ms'], 'ms')} | "
                f"{fmt(level['p99_ms'], 'ms')} | {fmt(level['max_ms'], 'ms')} | {errors} | "
                f"{level['rasa_cores']:.2f} | {level['actions_cores']:.2f} | "
                f"{level['generator_cores']:.2f} | {fmt(level.get('other_cores'), 'cores')} |"
            )
    parse = speeds["project"].get("parse")
    if parse:
        lines += [
            "",
            f"NLU alone (POST /model/parse, one user, {parse['answered']} requests, no dialogue "
            f"and no tracker): p50 {fmt(parse['p50_ms'], 'ms')}, p95 {fmt(parse['p95_ms'], 'ms')}, "
            f"p99 {fmt(parse['p99_ms'], 'ms')}, {parse['throughput']:.1f} requests/s"
            + (f"; errors {parse['errors']}" if parse["errors"] else "")
            + ".",
        ]
    lines += _baseline_ratio(speeds)
    lines += _workers(speeds)
    lines += _limits(results)
    return lines


def _baseline_ratio(speeds: dict) -> List[str]:
    ours = dig(speeds, ("project", "levels", "10"))
    base = dig(speeds, ("baseline", "levels", "10"))
    lines = ["", "### Against the baseline model", ""]
    if not ours or not base:
        return lines + ["Not measured in this run."]
    return lines + [
        "The same 10-user load against a model trained with the baseline NLU pipeline and the "
        "project's domain, rules and stories, served by its own Rasa process with the same "
        "action server:",
        "",
        f"- throughput: project {ours['throughput']:.1f} msg/s, baseline "
        f"{base['throughput']:.1f} msg/s: ratio {_ratio(ours['throughput'], base['throughput'])}",
        f"- p95 latency: project {fmt(ours['p95_ms'], 'ms')}, baseline {fmt(base['p95_ms'], 'ms')}: "
        f"ratio {_ratio(ours['p95_ms'], base['p95_ms'])}",
        f"- p50 latency: project {fmt(ours['p50_ms'], 'ms')}, baseline {fmt(base['p50_ms'], 'ms')}: "
        f"ratio {_ratio(ours['p50_ms'], base['p50_ms'])}",
    ]


def _ratio(a: Any, b: Any) -> str:
    if missing(a) or missing(b) or not b:
        return "n/a"
    return f"{a / b:.2f}"


def _workers(speeds: dict) -> List[str]:
    lines = ["", "### Both cores: 2 Sanic workers with a Redis lock store", ""]
    workers = speeds.get("workers2")
    if not workers:
        return lines + ["Not measured in this run."]
    if workers.get("skipped"):
        return lines + [f"Not measured: {workers['skipped']}."]
    lines.append(
        "Rasa 3.6 runs several Sanic worker processes (SANIC_WORKERS) only with a lock store "
        "that is not in memory; bot/serve.py writes a Redis lock store when REDIS_URL is set "
        f"(here `{workers.get('lock_store', '?')}`). "
        "The benchmark starts its own redis-server (127.0.0.1, free port, no persistence) and "
        "a Rasa with SANIC_WORKERS=2; each worker loads the model. The tracker store stays "
        "the SQLite file, shared by both workers. The workers share one listening socket: a "
        "connection is served by the worker that accepted it, for as long as it is kept "
        "alive. The load generator keeps its connections alive, as the web server's "
        "connection pool to Rasa does (web/app.py); the extra level opens a new connection "
        "for every message."
    )
    lines.append("")
    for key in ("10", "10, new connection per message", "50"):
        one, two = dig(speeds, ("project", "levels", key)), dig(workers, ("levels", key))
        if not two:
            continue
        against = (
            f" against {one['throughput']:.1f} with one process (ratio "
            f"{_ratio(two['throughput'], one['throughput'])}), p95 {fmt(two['p95_ms'], 'ms')} "
            f"against {fmt(one['p95_ms'], 'ms')}"
            if one
            else f", p95 {fmt(two['p95_ms'], 'ms')}"
        )
        per = " + ".join(f"{c:.2f}" for c in two.get("rasa_process_cores", []))
        users, _, how = key.partition(", ")
        lines.append(
            f"- {users} users{', ' + how if how else ''}: {two['throughput']:.1f} msg/s{against}; "
            f"CPU of the Rasa processes (main process and workers, busiest first): {per} cores"
        )
    return lines


# What a function seen in a profile does, for readers who do not know Rasa's internals.
KNOWN_FRAMES = {
    "_validate_action_result (rasa/core/actions/action.py)": "Rasa checks every action-server "
    "answer against a JSON schema with jsonschema.validate, which also re-checks the schema "
    "itself on every call",
    "parse_message (rasa/core/processor.py)": "the NLU pipeline on the message",
    "predict_next_with_tracker_if_should (rasa/core/processor.py)": "the dialogue policies",
    "log_message (rasa/core/processor.py)": "NLU plus reading the conversation",
    "save (rasa/core/tracker_store.py)": "writing the conversation to the tracker store",
    "save (bot/extensions/tracker_store.py)": "writing the conversation to the tracker store",
    "retrieve (rasa/core/tracker_store.py)": "reading the conversation from the tracker store",
    "run (rasa/core/actions/action.py)": "running an action (custom actions call the action "
    "server over HTTP)",
}


def _limits(results: dict) -> List[str]:
    """What the measurements say limits the speed: CPU shares and the profiles."""
    speeds = results["speed"]
    lines = ["", "### What limits it", ""]
    level = dig(speeds, ("project", "levels", "10"))
    cores = results.get("machine", {}).get("cores") or 0
    if level:
        lines.append(
            f"At 10 users the Rasa process used {level['rasa_cores']:.2f} cores, the action server "
            f"{level['actions_cores']:.2f}, the load generator {level['generator_cores']:.2f} and "
            f"other work on the machine {fmt(level.get('other_cores'), 'cores')}"
            + (f", of {cores} cores." if cores else ".")
            + (
                " One Python process runs its Python code on one core at a time (the GIL), so "
                "a Rasa process near 1.0 core is CPU-bound: more speed needs less work per "
                "message or more processes."
                if level["rasa_cores"] >= 0.85
                else ""
            )
        )
    lines += _profile_lines(dig(speeds, ("project", "profile")), "the Rasa process")
    return lines


def _profile_lines(profile: Optional[dict], what: str) -> List[str]:
    if not profile:
        return []
    if profile.get("error"):
        return ["", f"No profile of {what}: {profile['error']}."]
    raw = Path(profile["file"])
    raw_text = raw.relative_to(ROOT) if raw.is_absolute() and ROOT in raw.parents else raw
    lines = [
        "",
        f"py-spy sampled {what} for {profile['seconds']} s under a separate "
        f"{profile['users']}-user load ({profile['samples']} samples of busy Python threads; "
        f"raw stacks in {raw_text}). Where the CPU was (package of the innermost frame): "
        + ", ".join(f"{name} {share:.0%}" for name, share in profile["by_area"])
        + ".",
    ]
    lines += ["", "Busiest functions (innermost frame):", ""]
    lines += [f"- {name}: {share:.0%}" for name, share in profile["self"]]
    lines += ["", "Rasa and project functions on the stack most often (inclusive):", ""]
    for name, share in profile["inclusive"]:
        known = KNOWN_FRAMES.get(name)
        lines.append(f"- {name}: {share:.0%}" + (f" ({known})" if known else ""))
    return lines


def _size_and_start(results: dict) -> List[str]:
    speeds, trained = results.get("speed", {}), results.get("training", {})
    lines = ["", "## Size and start", ""]
    if speeds.get("project"):
        lines += [
            "Resident memory (VmRSS from /proc, the process and all its children) after the "
            "load, and the time from starting the processes to the first REST answer to "
            "'hallo'. The first Rasa server started together with the action server; the "
            "others next to the running action server. Model files are usually in the page "
            "cache already, so 'cold' means a new process, not a cold disk.",
            "",
            "| process | RSS | processes | cold start to first answer |",
            "|---|---|---|---|",
        ]
        labels = {
            "project": "Rasa, project model, 1 process",
            "workers2": "Rasa, project model, 2 workers (RSS summed; shared pages counted twice)",
            "baseline": "Rasa, baseline model, 1 process",
        }
        for key, label in labels.items():
            server = speeds.get(key) or {}
            if "rss_bytes" in server:
                lines.append(
                    f"| {label} | {fmt(server['rss_bytes'], 'GB')} | {server.get('processes', '?')} "
                    f"| {fmt(server.get('cold_start_s'), 's')} |"
                )
        actions = speeds["project"].get("actions_rss_bytes")
        lines.append(f"| action server | {fmt(actions, 'GB')} | | |")
    else:
        lines.append("Memory and start-up: not measured in this run.")
    lines += [
        "",
        "Training time (wall clock, Rasa's training cache off, so every component trains):",
        "",
    ]
    if trained.get("project_full_s") is None:
        return lines + ["Not measured in this run."]
    lines += [
        f"- full model (`rasa train --force`, NLU and dialogue): {fmt(trained['project_full_s'], 's')}",
        f"- NLU only (`rasa train nlu`): {fmt(trained.get('project_nlu_s'), 's')}; the rest of "
        "the full training (dialogue policies, domain, packing the model) took about "
        f"{fmt(trained['project_full_s'] - (trained.get('project_nlu_s') or 0), 's')}",
        f"- baseline full model (same dialogue, baseline NLU): {fmt(trained.get('baseline_full_s'), 's')}",
        "",
        "Each time includes starting Python and importing Rasa and TensorFlow.",
    ]
    return lines


# --- the run --------------------------------------------------------------------------------


@dataclass
class Run:
    quick: bool
    folds: int
    skip: List[str]
    work: Path = field(init=False)
    results: Dict[str, Any] = field(default_factory=dict)
    project_model: Optional[Path] = None
    baseline_model: Optional[Path] = None
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.work = BENCH_DIR / ("quick" if self.quick else "full")
        self.examples, self.other = training.read_nlu()
        if self.quick:
            self.examples = training.subset(self.examples, per_intent=6)
            self.epochs: Optional[int] = 3
            self.plan = speed.Plan(seconds=3, parse_seconds=3, profile_seconds=3)
        else:
            self.epochs = None
            self.plan = speed.Plan()
        # One file with the hand-written and the knowledge base's examples, as `make train`.
        self.nlu = training.write_nlu(self.work / "data" / "nlu.yml", self.examples, self.other)

    def log(self, message: str) -> None:
        print(f"[bench {time.monotonic() - self.started:6.0f} s] {message}", flush=True)

    def part(self, name: str, body: Callable[[], None]) -> None:
        if name in self.skip:
            self.results["meta"]["skipped"].append(name)
            return
        self.log(f"--- {name}")
        try:
            body()
        except Exception:  # noqa: BLE001 (one failed part must not lose the others)
            self.results["errors"][name] = traceback.format_exc()
            self.log(f"{name} failed:\n{traceback.format_exc()}")

    def part_training(self) -> None:
        models, timed = self.work / "models", self.results["training"]
        shutil.rmtree(models, ignore_errors=True)
        timed["origin"] = "trained in this run under var/bench"
        config = training.project_config(self.work, self.epochs)
        self.project_model, timed["project_full_s"] = training.train_full(
            config, self.nlu, models / "project", "project"
        )
        self.log(f"project, full model: {timed['project_full_s']:.0f} s")
        _, timed["project_nlu_s"] = training.train_nlu(
            config, self.nlu, models / "project-nlu", "project-nlu"
        )
        self.log(f"project, NLU only: {timed['project_nlu_s']:.0f} s")
        self.baseline_model, timed["baseline_full_s"] = training.train_full(
            training.baseline_config(self.work, self.epochs),
            self.nlu,
            models / "baseline",
            "baseline",
        )
        self.log(f"baseline, full model: {timed['baseline_full_s']:.0f} s")

    def earlier_models(self) -> None:
        """With training skipped: the newest model of `make train` and an earlier baseline.

        The project model is linked into a directory of its own, so the Rasa server the
        speed part starts (which takes the newest model of a directory) gets this one even
        when `make train` adds another meanwhile.
        """
        chosen = latest_model(ROOT / "models")
        self.project_model = self.work / "models" / "earlier" / chosen.name
        shutil.rmtree(self.project_model.parent, ignore_errors=True)
        self.project_model.parent.mkdir(parents=True)
        self.project_model.symlink_to(chosen)
        earlier = self.work / "models" / "baseline" / "baseline.tar.gz"
        self.baseline_model = earlier if earlier.exists() else None
        self.results["training"]["origin"] = "training skipped: models from earlier runs"

    def part_understanding(self) -> None:
        self.results["understanding"]["project"] = asdict(evaluate(self.project_model))
        self.log(f"project: macro-F1 {self.results['understanding']['project']['macro_f1']:.3f}")
        if self.baseline_model:
            self.results["understanding"]["baseline"] = asdict(evaluate(self.baseline_model))
            self.log(
                f"baseline: macro-F1 {self.results['understanding']['baseline']['macro_f1']:.3f}"
            )

    def part_knowledge(self) -> None:
        out = self.work / "knowledge"
        shutil.rmtree(out, ignore_errors=True)
        sets = {
            "held_out": knowledge.load_questions(),
            "development": knowledge.load_questions(knowledge.DEVELOPMENT),
        }
        if self.quick:
            sets = {name: questions[:20] for name, questions in sets.items()}
        reports = knowledge.run_sets(self.project_model, out, sets, log=self.log)
        self.results["knowledge"] = asdict(reports["held_out"])
        self.results["knowledge_development"] = asdict(reports["development"])
        self.log(f"specific questions: first reply {reports['held_out'].first_reply:.1%}")

    def part_crossval(self) -> None:
        out = self.work / "cv"
        shutil.rmtree(out, ignore_errors=True)
        config = training.project_config(self.work, self.epochs)
        result = crossval.run(config, self.examples, self.other, out, self.folds, log=self.log)
        self.results["crossval"] = asdict(result)

    def part_speed(self) -> None:
        out = self.work / "speed"
        shutil.rmtree(out, ignore_errors=True)
        token = "bench-" + uuid.uuid4().hex
        actions_port = free_port()
        speeds = self.results["speed"]

        def settings(model: Path, name: str):
            return bench_settings(model.parent, out / f"{name}.db", token, actions_port)

        project = settings(self.project_model, "project")
        started = time.monotonic()
        actions = start_actions(project, out)
        try:
            self.server_part(
                "project",
                lambda: speed.measure(
                    "rasa-project",
                    project,
                    actions,
                    out,
                    self.plan,
                    self.plan.levels,
                    new_connection_levels=(10,),
                    started=started,
                    parse=True,
                    profile=True,
                    log=self.log,
                ),
            )
            if self.baseline_model:
                baseline = settings(self.baseline_model, "baseline")
                self.server_part(
                    "baseline",
                    lambda: speed.measure(
                        "rasa-baseline", baseline, actions, out, self.plan, (10,), log=self.log
                    ),
                )
            if not RedisServer.program():
                speeds["workers2"] = {"skipped": "redis-server is not installed"}
            else:
                redis = RedisServer(out / "redis")
                redis.start()
                try:
                    two = settings(self.project_model, "workers2")
                    self.server_part(
                        "workers2",
                        lambda: speed.measure(
                            "rasa-2-workers",
                            two,
                            actions,
                            out,
                            self.plan,
                            self.plan.levels,
                            new_connection_levels=(10,),
                            workers=2,
                            redis_url=redis.url,
                            log=self.log,
                        ),
                    )
                finally:
                    redis.stop()
        finally:
            actions.stop()

    def server_part(self, key: str, body: Callable[[], dict]) -> None:
        try:
            self.results["speed"][key] = body()
        except Exception:  # noqa: BLE001
            self.results["errors"][f"speed/{key}"] = traceback.format_exc()
            self.log(f"speed/{key} failed:\n{traceback.format_exc()}")

    def run(self) -> dict:
        self.results.update(
            meta={
                "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "quick": self.quick,
                "skipped": [],
                "plan": asdict(self.plan),
            },
            machine=machine(),
            training={},
            understanding={},
            knowledge={},
            speed={},
            errors={},
        )
        if "training" in self.skip:
            self.results["meta"]["skipped"].append("training")
            self.earlier_models()
        else:
            self.part("training", self.part_training)
        if self.project_model and self.project_model.exists():
            self.results["training"]["project_model"] = str(self.project_model.relative_to(ROOT))
        if self.baseline_model and self.baseline_model.exists():
            self.results["training"]["baseline_model"] = str(self.baseline_model.relative_to(ROOT))
        if not (self.project_model and self.project_model.exists()):
            self.results["errors"].setdefault("models", "no project model; later parts skipped")
            return self.finish()
        self.part("understanding", self.part_understanding)
        self.part("knowledge", self.part_knowledge)
        self.part("crossval", self.part_crossval)
        self.part("speed", self.part_speed)
        return self.finish()

    def finish(self) -> dict:
        self.results["meta"]["seconds"] = time.monotonic() - self.started
        return self.results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny version of everything")
    parser.add_argument("--out", type=Path, help="report path (default: docs/benchmarks.md)")
    parser.add_argument("--folds", type=int, help="cross-validation folds (5; --quick: 2)")
    parser.add_argument(
        "--skip",
        default="",
        help=f"comma-separated parts to leave out: {', '.join(PARTS)} (for development)",
    )
    args = parser.parse_args()
    skip = [p for p in args.skip.split(",") if p]
    unknown = set(skip) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    run = Run(quick=args.quick, folds=args.folds or (2 if args.quick else 5), skip=skip)
    results = run.run()
    out = args.out or (
        run.work / "benchmarks.md" if args.quick else ROOT / "docs" / "benchmarks.md"
    )
    run.work.mkdir(parents=True, exist_ok=True)
    (run.work / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(results), encoding="utf-8")
    for target in TARGETS:
        value = dig(results, target.path)
        print(
            f"{target.label}: {fmt(value, target.unit)} "
            f"({verdict(value, target.bound, target.higher_is_better, target.unit)})"
        )
    print(f"written to {out} (raw numbers: {run.work / 'results.json'})")


if __name__ == "__main__":
    main()
