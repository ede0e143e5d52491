"""Training data against the intent catalogue (shared/spec/intents.md is the contract)."""

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, nlu_examples

CATALOGUE = """
greet goodbye thank affirm deny bot_challenge capabilities request_human out_of_scope give_feedback
orientation_start shortage_sectors sector_info experience_work orientation_programs training_routes
skills_recognition orientation_time guidance_support
funding_overview funding_voucher funding_employer funding_sector_fund funding_transition_payment
funding_benefits funding_loan funding_stap career_advice_free
finance_check income_during_training debt_help practical_costs
start_assessment show_profile find_loket inform_location handoff_status
privacy_info delete_data crisis
""".split()


def training() -> dict:
    """Every training example: the hand-written ones and the knowledge base's phrasings
    (var/nlu/knowledge.yml, written by `make` from data/knowledge/units/)."""
    merged: dict = {}
    generated = ROOT / "var" / "nlu" / "knowledge.yml"
    for path in [*sorted((ROOT / "data" / "nlu").glob("*.yml")), generated]:
        for intent, examples in nlu_examples(path).items():
            merged.setdefault(intent, []).extend(examples)
    return merged


def domain_intents() -> set:
    intents = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        for item in (yaml.safe_load(path.read_text()) or {}).get("intents", []):
            intents.add(item if isinstance(item, str) else next(iter(item)))
    return intents


def squash(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def test_catalogue_has_forty_intents():
    assert len(CATALOGUE) == len(set(CATALOGUE)) == 40


def test_every_catalogue_intent_is_in_the_domain():
    assert set(CATALOGUE) <= domain_intents()


@pytest.mark.parametrize("intent", CATALOGUE)
def test_every_catalogue_intent_has_at_least_25_examples(intent):
    assert len(training().get(intent, [])) >= 25


def test_no_example_is_trained_under_two_intents():
    seen: dict = {}
    clashes = []
    for intent, examples in training().items():
        for example in examples:
            key = squash(example)
            if key in seen and seen[key] != intent:
                clashes.append((example, seen[key], intent))
            seen[key] = intent
    assert clashes == []


def test_held_out_set_covers_every_intent_and_never_leaks_into_training():
    held_out = nlu_examples(ROOT / "tests" / "nlu" / "heldout.yml")
    assert all(len(held_out.get(i, [])) >= 8 for i in CATALOGUE)
    trained = {squash(e) for examples in training().values() for e in examples}
    leaked = [e for examples in held_out.values() for e in examples if squash(e) in trained]
    assert leaked == []


def test_the_specific_held_out_questions_never_leak_into_training():
    """tests/knowledge/ (issue 17): the blind held-out set and the development set."""
    trained = {squash(e) for examples in training().values() for e in examples}
    leaked = [
        q["q"]
        for path in sorted((ROOT / "tests" / "knowledge").glob("*.yml"))
        for q in yaml.safe_load(path.read_text())["questions"]
        if squash(q["q"]) in trained
    ]
    assert leaked == []


def test_crisis_set_has_enough_cases():
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "crisis_set.yml").read_text())
    assert len(data["crisis"]) >= 40
    assert len(data["not_crisis"]) >= 10
    assert all(item["intent"] != "crisis" for item in data["not_crisis"])


def test_every_domain_intent_is_handled_by_a_rule_or_story():
    used = set()
    for folder in ("bot/rules", "bot/stories"):
        for path in Path(ROOT / folder).glob("*.yml"):
            used |= set(re.findall(r"- intent: (\w+)", path.read_text()))
    assert domain_intents() - used == set()


def test_every_response_is_used_somewhere():
    """Rasa's validator only looks at stories and rules; this also counts forms and actions."""
    responses, form_slots = set(), set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        domain = yaml.safe_load(path.read_text()) or {}
        responses |= set(domain.get("responses") or {})
        for form_name, form in (domain.get("forms") or {}).items():
            slots = set(form.get("required_slots") or [])
            # utter_ask_<slot>, or utter_ask_<form>_<slot> for a question asked differently
            # in one form.
            form_slots |= slots | {f"{form_name}_{slot}" for slot in slots}
    dialogue = " ".join(
        p.read_text()
        for folder in ("bot/rules", "bot/stories")
        for p in (ROOT / folder).glob("*.yml")
    )
    code = " ".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    builtin = {"utter_restart"}  # sent by Rasa's own action_restart
    unused = {
        name
        for name in responses
        if name not in dialogue
        and name not in code
        and name not in builtin
        and name.removeprefix("utter_ask_") not in form_slots
        # "wat bedoel je?" inside a form: actions/form_validation.py sends utter_explain_<slot>.
        and name.removeprefix("utter_explain_") not in form_slots
    }
    assert unused == set()


def evaluation_texts() -> set:
    """Every message of the crisis evaluation sets and the held-out set, squashed."""
    texts = {
        squash(e)
        for examples in nlu_examples(ROOT / "tests/nlu/heldout.yml").values()
        for e in examples
    }
    old = yaml.safe_load((ROOT / "tests/nlu/crisis_set.yml").read_text())
    texts |= {squash(t) for t in old["crisis"]} | {squash(m["text"]) for m in old["not_crisis"]}
    curated = yaml.safe_load((ROOT / "tests/safety/crisis_set.yml").read_text())
    messages = curated["fresh"] + [m for flow in curated["flows"].values() for m in flow]
    ordinary = yaml.safe_load((ROOT / "tests/safety/not_crisis_set.yml").read_text())
    messages += [m for group in ordinary.values() for m in group]
    for name in ("crisis_probe.yml", "crisis_probe_blind.yml"):
        probe = yaml.safe_load((ROOT / "bench" / "data" / name).read_text())
        messages += [m for group in probe.values() for m in group]
    return texts | {squash(m["text"]) for m in messages}


def test_no_crisis_evaluation_message_is_trained_on():
    """The crisis classifier learns from data/nlu and data/safety/crisis_training_*.yml only."""
    safety = ROOT / "data" / "safety"
    trained = set(yaml.safe_load((safety / "crisis_training_positive.yml").read_text())["crisis"])
    trained |= set(
        yaml.safe_load((safety / "crisis_training_negative.yml").read_text())["ordinary"]
    )
    trained |= {e for examples in training().values() for e in examples}
    evaluation = evaluation_texts()
    # A few words ("ja", "hoi", "ja dat mag", "zwolle") are the same everywhere: not a leak.
    leaked = sorted(t for t in trained if squash(t) in evaluation and len(t.split()) > 3)
    assert leaked == []


def sentences(text: str) -> list:
    return [s.strip() for s in re.split(r"(?<=[.?!])\s+", " ".join(text.split())) if s.strip()]


def test_no_response_says_the_same_sentence_twice():
    """Issue 16: "Typ het in je eigen woorden. Typ het in je eigen woorden." reached people."""
    doubled = []
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        for name, variants in (
            (yaml.safe_load(path.read_text()) or {}).get("responses") or {}
        ).items():
            for variant in variants:
                said = sentences(variant.get("text") or "")
                if len(said) != len(set(said)):
                    doubled.append(name)
    assert doubled == []


def test_a_region_is_named_once():
    from loopbrug.region import the_region

    assert the_region("Twente") == "de regio Twente"
    assert the_region("Regio Zwolle") == "Regio Zwolle"
    assert the_region("Twente", article=False) == "regio Twente"
