"""The registry of money forms (loopbrug/money/registry.py): no money form can be forgotten.

A form that asks for money must be registered, so its answers are read by the registry's rules
and a coach never sees what was typed in it (``private_forms()``, used by the handoff summary).
"""

import re
from typing import Dict, List, Tuple

import pytest
import yaml
from rasa_sdk import Action

from actions import money as money_actions
from actions import money_check as money_check_actions
from loopbrug.money import registry
from loopbrug.money.amounts import ParsedAmount
from tests.conftest import ROOT

# A question asks for money when it asks for a quantity ("hoeveel", an amount, a salary) and
# names money. The self-test's "Maak je je zorgen over geld?" asks no amount.
ASKS_QUANTITY = re.compile(r"\bhoeveel\b|bedrag|salaris|€")
NAMES_MONEY = re.compile(
    r"€|euro|bedrag|salaris|spaargeld|\bgeld\b|kosten|lasten|inkomen|tekort|\bloon\b|vergoeding"
)


def domain() -> Tuple[Dict[str, List[str]], Dict[str, list]]:
    """The forms (name -> required slots) and responses of bot/domain/*.yml."""
    forms: Dict[str, List[str]] = {}
    responses: Dict[str, list] = {}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses.update(part.get("responses") or {})
        for name, form in (part.get("forms") or {}).items():
            forms[name] = list((form or {}).get("required_slots") or [])
    return forms, responses


def yes_or_no(variant: dict) -> bool:
    """True for a question answered only by the yes and no buttons."""
    payloads = {str(b.get("payload")) for b in variant.get("buttons") or []}
    return payloads == {"/affirm", "/deny"}


def asks_for_money(slot: str, responses: Dict[str, list]) -> bool:
    """True when the slot is a registered money slot, or its question asks for an amount."""
    try:
        registry.question(slot)
        return True
    except KeyError:
        pass
    for variant in responses.get(f"utter_ask_{slot}") or []:
        question = str(variant.get("text") or "").lower()
        if yes_or_no(variant):
            # "Mag de coach ook de bedragen zien?" asks permission, not an amount.
            continue
        if ASKS_QUANTITY.search(question) and NAMES_MONEY.search(question):
            return True
    return False


def money_forms_in_domain() -> List[str]:
    forms, responses = domain()
    return sorted(
        name for name, slots in forms.items() if any(asks_for_money(s, responses) for s in slots)
    )


def test_every_form_that_asks_for_money_is_registered_and_private():
    found = money_forms_in_domain()
    # The rule above finds the money check and the three calculators, so it can find a fourth.
    assert {"money_form", "transition_form", "gap_form", "buffer_form"} <= set(found)
    for name in found:
        entry = registry.form(name)  # KeyError: a money form missing from the registry
        assert entry.private, f"{name}: a coach must not see the amounts typed in it"
        assert name in registry.private_forms()


def test_the_self_test_and_contact_forms_are_not_money_forms():
    # The rule must not flag forms that ask no amount (they are private for other reasons,
    # loopbrug/handoff/summary.py).
    found = set(money_forms_in_domain())
    assert not found & {"assessment_form", "handoff_form", "location_form", "profile_email_form"}


@pytest.mark.parametrize("entry", registry.FORMS, ids=lambda entry: entry.name)
def test_each_registered_form_asks_exactly_the_slots_of_its_domain_form(entry):
    forms, _ = domain()
    assert entry.name in forms, f"{entry.name} is registered but not in bot/domain"
    assert sorted(entry.slots) == sorted(forms[entry.name])


def test_private_forms_are_every_registered_form():
    assert registry.private_forms() == frozenset(
        {"money_form", "transition_form", "gap_form", "buffer_form"}
    )


def test_slot_names_are_unique_across_forms():
    slots = [slot for entry in registry.FORMS for slot in entry.slots]
    assert len(slots) == len(set(slots))


@pytest.mark.parametrize(
    ("slot", "typed", "value"),
    [
        ("m_net_income", "48000 per jaar", 4000.0),  # monthly: a yearly amount / 12
        ("m_savings", "48000 per jaar", 48000.0),  # savings are not per month
        ("m_dependants", "drie", 3.0),  # a count
        ("tc_years", "5 jaar en 3 maanden", 5.25),  # years, part of a year counts
        ("bc_gap", "2,5k", 2500.0),
    ],
)
def test_each_question_reads_its_answer_with_its_own_rule(slot, typed, value):
    parsed = registry.question(slot).parse(typed)
    assert isinstance(parsed, ParsedAmount)
    assert parsed.value == pytest.approx(value)


def test_a_choice_is_not_read_as_a_number():
    with pytest.raises(ValueError):
        registry.question("m_debts").parse("nee")


def test_every_registered_form_has_a_validation_action_that_handles_its_slots():
    actions = {}
    for module in (money_actions, money_check_actions):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Action)
                and value.__module__
                in (
                    money_actions.__name__,
                    money_check_actions.__name__,
                )
            ):
                actions[value().name()] = value()
    for entry in registry.FORMS:
        action = actions[entry.validation_action]
        assert all(action.handles(slot) for slot in entry.slots), entry.name
