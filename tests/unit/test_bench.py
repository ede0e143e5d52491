"""The pure parts of the benchmark (bench/): statistics, folds, data files, verdicts, report.

No training and no servers here; `make bench` runs the real thing.
"""

import math
import re
from collections import Counter

import pytest
import yaml

from bench import training
from bench.common import mean_and_std, percentile
from bench.load import check_loopback, conversations, summarise
from bench.nlu_quality import intent_scores, top_confusions
from bench.resources import summarise_profile
from bench.run import TARGETS, dig, fmt, render, verdict
from loopbrug.nlu_data import nlu_examples
from tests.conftest import ROOT

# --- statistics ---


def test_percentile_interpolates_between_ranks_like_numpy():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([4, 1, 3, 2], 0) == 1
    assert percentile([4, 1, 3, 2], 100) == 4
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0


def test_percentile_of_nothing_is_nan_and_bad_ranks_are_refused():
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_mean_and_sample_standard_deviation():
    mean, std = mean_and_std([0.9, 0.92, 0.94])
    assert mean == pytest.approx(0.92)
    assert std == pytest.approx(0.02)
    assert mean_and_std([0.5]) == (0.5, 0.0)


def test_load_summary_counts_answers_errors_and_throughput():
    result = summarise(10, 2.0, [0.01, 0.02, 0.03, 0.04], ["timeout", "HTTP 500", "timeout"], 3)
    assert (result.sent, result.answered, result.conversations) == (7, 4, 3)
    assert result.errors == {"timeout": 2, "HTTP 500": 1}
    assert result.throughput == 2.0
    assert result.p50_ms == pytest.approx(25.0)
    assert result.max_ms == pytest.approx(40.0)


def test_the_load_generator_only_talks_to_loopback():
    check_loopback("http://127.0.0.1:5005")
    with pytest.raises(ValueError):
        check_loopback("http://example.org:5005")


def test_a_message_sent_to_clarification_is_a_miss_for_its_intent():
    gold = ["greet", "greet", "deny", "deny"]
    predicted = ["greet", "nlu_fallback", "deny", "deny"]
    macro, accuracy, per_intent = intent_scores(gold, predicted)
    assert accuracy == 0.75
    assert set(per_intent) == {"greet", "deny"}  # nlu_fallback is no class of its own
    assert per_intent["greet"] == (pytest.approx(2 / 3), 2)
    assert macro == pytest.approx((2 / 3 + 1.0) / 2)
    assert top_confusions(gold, predicted) == [("greet", "nlu_fallback", 1)]


# --- folds and data files ---

SYNTHETIC = {
    "greet": [f"hallo {n}" for n in range(5)],
    "funding_stap": [f"stap [budget](regeling) {n}" for n in range(7)],
    "find_loket": [f"loket in [Zwolle](gemeente) {n}" for n in range(12)],
}


@pytest.mark.parametrize("k", [2, 5])
def test_every_fold_trains_and_tests_every_intent(k):
    folds = training.stratified_folds(SYNTHETIC, k)
    assert len(folds) == k
    for train, test in folds:
        assert set(train) == set(test) == set(SYNTHETIC)
        for intent in SYNTHETIC:
            assert not set(train[intent]) & set(test[intent])
            assert sorted(train[intent] + test[intent]) == sorted(SYNTHETIC[intent])


def test_test_parts_cover_every_example_once_and_are_the_same_size():
    folds = training.stratified_folds(SYNTHETIC, 5)
    tested = [e for _, test in folds for texts in test.values() for e in texts]
    assert Counter(tested) == Counter(e for texts in SYNTHETIC.values() for e in texts)
    sizes = [sum(map(len, test.values())) for _, test in folds]
    assert max(sizes) - min(sizes) <= 1


def test_folds_are_reproducible():
    assert training.stratified_folds(SYNTHETIC, 5) == training.stratified_folds(SYNTHETIC, 5)


def test_an_intent_with_fewer_examples_than_folds_is_refused():
    with pytest.raises(ValueError, match="greet"):
        training.stratified_folds(SYNTHETIC, 6)


def test_the_real_training_data_splits_into_five_folds_with_every_intent():
    examples, other = training.read_nlu()
    assert {"synonym", "regex"} <= {next(iter(block)) for block in other}
    for train, test in training.stratified_folds(examples, 5):
        assert set(train) == set(test) == set(examples)


def test_a_written_fold_keeps_markup_synonyms_and_regexes_and_rasa_reads_it(tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    examples, other = training.read_nlu()
    train, _ = training.stratified_folds(examples, 5)[0]
    path = training.write_nlu(tmp_path / "nlu.yml", train, other)
    assert nlu_examples(path) == {i: [training.plain(e) for e in t] for i, t in train.items()}
    data = RasaYAMLReader().read(path)
    assert len(data.intent_examples) == sum(map(len, train.values()))
    assert data.entity_synonyms and len(data.regex_features) >= 3
    assert any(m.get("entities") for m in data.intent_examples)  # markup survived


def test_quick_subset_keeps_every_intent():
    examples, _ = training.read_nlu()
    small = training.subset(examples, 6)
    assert set(small) == set(examples)
    assert all(len(t) == 6 for t in small.values())


def test_baseline_is_rasas_default_recipe_with_the_projects_policies(tmp_path):
    path = training.baseline_config(tmp_path)
    config = yaml.safe_load(path.read_text())
    names = [c["name"] for c in config["pipeline"]]
    assert names == [
        "WhitespaceTokenizer",
        "CountVectorsFeaturizer",
        "CountVectorsFeaturizer",
        "DIETClassifier",
        "FallbackClassifier",
    ]
    project = yaml.safe_load(training.PROJECT_CONFIG.read_text())
    assert config["policies"] == project["policies"]
    fallback = {c["name"]: c for c in project["pipeline"]}["FallbackClassifier"]
    assert config["pipeline"][-1]["threshold"] == fallback["threshold"]
    quick = yaml.safe_load(training.baseline_config(tmp_path, epochs=3).read_text())
    assert quick["pipeline"][3]["epochs"] == 3


def squash(text):
    return re.sub(r"[^\w]+", " ", str(text).lower()).strip()


def test_scripted_conversations_are_not_taken_from_the_test_sets():
    scripted = {squash(m) for c in conversations() for m in c if not str(m).isdigit()}
    test_texts = set()
    for name in ("heldout.yml", "crisis_set.yml", "out_of_scope_set.yml"):
        text = (ROOT / "tests" / "nlu" / name).read_text(encoding="utf-8")
        test_texts |= {
            squash(m) for m in re.findall(r'^\s*-\s*(?:text:\s*)?"?([^"\n]+)', text, re.M)
        }
    assert not scripted & test_texts


# --- profile summary ---


def test_profile_summary_shares_by_package_and_function():
    root = str(ROOT)
    raw = "\n".join(
        [
            "run (sanic/app.py:1);handle (rasa/core/processor.py:10);validate (jsonschema/validators.py:5) 6",
            f"run (sanic/app.py:1);handle (rasa/core/processor.py:10);save ({root}/bot/extensions/tracker_store.py:50) 3",
            "run (sanic/app.py:1);select (/usr/lib/python3.10/selectors.py:9) 1",
        ]
    ).replace("(rasa/", "(/venv/lib/python3.10/site-packages/rasa/")
    raw = raw.replace("(jsonschema/", "(/venv/lib/python3.10/site-packages/jsonschema/")
    summary = summarise_profile(raw)
    assert summary["samples"] == 10
    assert summary["by_area"][0] == ["jsonschema", 0.6]
    assert ["bot", 0.3] in summary["by_area"] and ["stdlib/selectors", 0.1] in summary["by_area"]
    inclusive = dict(summary["inclusive"])
    assert inclusive["save (bot/extensions/tracker_store.py)"] == pytest.approx(0.3)
    assert "handle (rasa/core/processor.py)" not in inclusive  # on 90% of stacks: left out


# --- verdicts and the report ---


def test_verdicts_say_met_or_by_how_much_it_was_missed():
    assert verdict(45.0, 40.0, True, "msg/s") == "met"
    assert verdict(30.0, 40.0, True, "msg/s") == "**missed** by 10.0 msg/s (25%)"
    assert verdict(300.0, 250.0, False, "ms") == "**missed** by 50 ms (20%)"
    assert verdict(0.07, 0.05, False, "%") == "**missed** by 2.0 percentage points"
    assert verdict(400.0, 300.0, False, "s") == "**missed** by 100.0 s (33%)"
    assert verdict(None, 1.0, True) == "not measured"
    assert verdict(float("nan"), 1.0, True) == "not measured"
    assert fmt(1.3e9, "GB") == "1.30 GB" and fmt(600, "s") == "10.0 min"


def level(throughput, p50, p95):
    return {
        "users": 10,
        "seconds": 30.0,
        "sent": 900,
        "answered": 900,
        "errors": {},
        "throughput": throughput,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p95 * 1.2,
        "max_ms": p95 * 1.5,
        "conversations": 100,
        "rasa_cores": 0.97,
        "rasa_process_cores": [0.97],
        "actions_cores": 0.05,
        "generator_cores": 0.1,
        "keepalive": True,
    }


def quality(macro_f1, crisis_recall):
    return {
        "macro_f1": macro_f1,
        "accuracy": 0.9,
        "per_intent": {"greet": [1.0, 11], "funding_stap": [0.8, 12]},
        "crisis_recall": crisis_recall,
        "crisis_missed": [] if crisis_recall == 1.0 else ["ik wil dood"],
        "near_crisis_false_alarms": [],
        "examples": 23,
        "oos_to_clarify": 0.85,
        "oos_examples": 40,
        "oos_missed": [["hoe speel je schaak", "start_assessment"]],
        "in_scope_to_clarify": 0.07,
        "in_scope_examples": 20,
        "short_to_clarify": 0.1,
        "short_examples": 40,
        "confusions": [["funding_stap", "nlu_fallback", 3]],
    }


def full_results():
    return {
        "meta": {"date": "2026-11-25 12:00 UTC", "quick": False, "seconds": 1800, "plan": {}},
        "machine": {"cpu": "AMD EPYC", "cores": 2, "commit": "abc1234", "uncommitted_files": 0},
        "training": {
            "project_model": "var/bench/full/models/project/project.tar.gz",
            "baseline_model": "var/bench/full/models/baseline/baseline.tar.gz",
            "project_full_s": 240.0,
            "project_nlu_s": 150.0,
            "baseline_full_s": 400.0,
        },
        "understanding": {"project": quality(0.95, 1.0), "baseline": quality(0.88, 0.9)},
        "crossval": {
            "folds": 5,
            "examples": 3000,
            "intents": 48,
            "macro_f1": [0.94, 0.95, 0.93, 0.96, 0.94],
            "accuracy": [0.93] * 5,
            "train_s": [120.0] * 5,
            "mean": 0.944,
            "std": 0.011,
            "seconds": 700.0,
        },
        "speed": {
            "project": {
                "cold_start_s": 25.0,
                "levels": {"1": level(20, 45, 70), "10": level(26, 400, 690)},
                "parse": level(110, 8, 13),
                "rss_bytes": 1.04e9,
                "actions_rss_bytes": 0.09e9,
                "processes": 1,
            },
            "baseline": {"levels": {"10": level(30, 330, 500)}, "rss_bytes": 0.9e9},
            "workers2": {"skipped": "redis-server is not installed"},
        },
        "errors": {},
    }


def test_report_states_every_target_with_its_verdict():
    report = render(full_results())
    targets = report.split("## Targets")[1].split("\n## ")[0]
    for target in TARGETS:
        assert f"| {target.label} |" in targets
    assert "| intent macro-F1 (held-out) | >= 0.930 | 0.950 | met |" in targets
    assert (
        "| in-scope held-out messages wrongly sent to clarification | <= 5.0% | 7.0% | **missed** by 2.0 percentage points |"
        in targets
    )
    assert (
        "| throughput, 10 concurrent conversations | >= 40.0 msg/s | 26.0 msg/s | **missed** by 14.0 msg/s (35%) |"
        in targets
    )
    assert "| full training (`rasa train`) | <= 5.0 min | 4.0 min | met |" in targets
    assert "commit `abc1234`" in report and "AMD EPYC, 2 cores" in report


def test_report_has_each_section_with_baseline_and_cross_validation():
    report = render(full_results())
    for heading in ("## Understanding", "## Speed", "## Size and start", "### Baseline pipeline"):
        assert heading in report
    assert "mean 0.944, standard deviation 0.011" in report
    assert "| funding_stap | 0.80 | 0.80 | 12 |" in report
    assert "ratio 0.87" in report  # 26 / 30 msg/s against the baseline
    assert "Not measured: redis-server is not installed." in report
    assert "hoe speel je schaak → `start_assessment`" in report
    assert "- funding_stap taken as `nlu_fallback`: 3" in report
    assert "- WhitespaceTokenizer" not in report  # the YAML is in a code block
    assert "name: WhitespaceTokenizer" in report


def test_report_of_an_empty_or_quick_run_renders_and_says_what_is_missing():
    empty = render({})
    assert empty.count("| not measured |") == len(TARGETS)
    assert "Not measured in this run." in empty
    quick = render({"meta": {"quick": True}})
    assert "**Quick run**" in quick


def test_report_compares_two_workers_with_one_process():
    results = full_results()
    two = level(38.0, 250, 420)
    two["rasa_process_cores"] = [0.85, 0.8, 0.0]
    results["speed"]["workers2"] = {
        "workers": 2,
        "lock_store": "bot.extensions.lock_store.LoopbrugRedisLockStore",
        "levels": {"10": two},
        "rss_bytes": 2.1e9,
        "processes": 3,
        "cold_start_s": 20.0,
    }
    report = render(results)
    assert "(here `bot.extensions.lock_store.LoopbrugRedisLockStore`)" in report
    assert "- 10 users: 38.0 msg/s against 26.0 with one process (ratio 1.46)" in report
    assert "0.85 + 0.80 + 0.00 cores" in report
    assert "| project, 2 Sanic workers + Redis | 10 | 900 | 38.0 |" in report


def test_failed_parts_are_named_in_the_report():
    results = full_results()
    results["errors"] = {"crossval": "Traceback ...\nRuntimeError: rasa train nlu failed"}
    assert "**crossval failed**: RuntimeError: rasa train nlu failed" in render(results)


def test_dig_walks_nested_results():
    assert dig(full_results(), ("speed", "project", "levels", "10", "p95_ms")) == 690
    assert dig(full_results(), ("speed", "workers2", "levels", "10")) is None
