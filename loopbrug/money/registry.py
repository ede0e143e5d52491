"""Every money form in one list: its name, the slots it asks, how each answer is read, and
whether a coach may see what was typed in it.

The forms' validation actions (actions/money.py, actions/money_check.py) take their slots
and parse rules from here, and the handoff summary takes :func:`private_forms`, so a new
calculator is one module in loopbrug/money/calculators/ plus one entry in ``FORMS``: nothing
else lists it. tests/unit/test_money_registry.py checks that every form of the domain that
asks for money is registered here and private.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, FrozenSet, Optional, Tuple

from loopbrug.money.amounts import ParsedAmount, parse_amount, parse_count, parse_years

__all__ = [
    "FORMS",
    "MoneyForm",
    "Question",
    "amount",
    "form",
    "monthly_amount",
    "people",
    "private_forms",
    "question",
    "years",
]

Rule = Callable[[str], ParsedAmount]


def amount(text: str) -> ParsedAmount:
    """An amount of money as typed (savings, a transitievergoeding)."""
    return parse_amount(text)


def monthly_amount(text: str) -> ParsedAmount:
    """An amount per month: a yearly amount ("48000 per jaar") is divided by 12."""
    return parse_amount(text, per_month=True)


def people(text: str) -> ParsedAmount:
    """How many people depend on an income (at most 20)."""
    return parse_count(text, maximum=20)


def years(text: str) -> ParsedAmount:
    """Years of service; part of a year counts."""
    return parse_years(text)


@dataclass(frozen=True)
class Question:
    """One slot a money form asks, and how its answer is read.

    ``read`` is None for a question that is not a number: a choice the form reads itself
    (debts, arrears, the check-back of a high salary). ``follow_up`` questions are asked only
    when an earlier answer calls for them.
    """

    slot: str
    read: Optional[Rule]
    follow_up: bool = False

    def parse(self, text: str) -> ParsedAmount:
        """The answer ``text`` read by this question's rule."""
        if self.read is None:
            raise ValueError(f"{self.slot} is not read as a number")
        return self.read(text)


@dataclass(frozen=True)
class MoneyForm:
    """A form that asks for money. ``private``: a coach may not see the answers typed in it
    (the handoff summary leaves them out of the person's own words)."""

    name: str
    questions: Tuple[Question, ...]
    private: bool = True

    @property
    def slots(self) -> Tuple[str, ...]:
        """Every slot the form may ask, in order."""
        return tuple(q.slot for q in self.questions)

    @property
    def main_slots(self) -> Tuple[str, ...]:
        """The slots asked every time (not the follow-ups)."""
        return tuple(q.slot for q in self.questions if not q.follow_up)

    @property
    def validation_action(self) -> str:
        """The name Rasa calls the form's validation by."""
        return f"validate_{self.name}"


FORMS: Tuple[MoneyForm, ...] = (
    # The money check (loopbrug/money/check.py): ten questions and the arrears follow-up.
    MoneyForm(
        "money_form",
        (
            Question("m_net_income", monthly_amount),
            Question("m_fixed_costs", monthly_amount),
            Question("m_household_income", monthly_amount),
            Question("m_dependants", people),
            Question("m_savings", amount),
            Question("m_debts", None),
            Question("m_arrears", None, follow_up=True),
            Question("m_income_during", monthly_amount),
            Question("m_transition", amount),
            Question("m_travel", monthly_amount),
            Question("m_childcare", monthly_amount),
        ),
        private=True,
    ),
    # loopbrug/money/calculators/transition.py; tc_confirm checks a very high salary back.
    MoneyForm(
        "transition_form",
        (
            Question("tc_confirm", None, follow_up=True),
            Question("tc_salary", monthly_amount),
            Question("tc_years", years),
        ),
        private=True,
    ),
    # loopbrug/money/calculators/gap.py
    MoneyForm(
        "gap_form",
        (Question("gc_income_during", monthly_amount), Question("gc_costs", monthly_amount)),
        private=True,
    ),
    # loopbrug/money/calculators/buffer.py
    MoneyForm(
        "buffer_form",
        (Question("bc_savings", amount), Question("bc_gap", monthly_amount)),
        private=True,
    ),
)


def form(name: str) -> MoneyForm:
    """The registered form called ``name``; KeyError when there is none."""
    for entry in FORMS:
        if entry.name == name:
            return entry
    raise KeyError(name)


def question(slot: str) -> Question:
    """The question that asks ``slot``, in whichever form (slot names are unique)."""
    for entry in FORMS:
        for asked in entry.questions:
            if asked.slot == slot:
                return asked
    raise KeyError(slot)


def private_forms() -> FrozenSet[str]:
    """Every registered form whose typed answers a coach may not see."""
    return frozenset(entry.name for entry in FORMS if entry.private)
