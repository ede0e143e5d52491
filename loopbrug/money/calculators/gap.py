"""The monthly gap calculator: what a person is short each month during a switch.

The money check (loopbrug/money/check.py) uses the same sum with more answers. The form
(gap_form) and how each answer is read are in loopbrug/money/registry.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Tuple

from loopbrug import texts
from loopbrug.money.amounts import check_number, format_euro

__all__ = ["ASSUMPTION_KEYS", "GapResult", "assumptions", "income_gap", "result_text"]

# What the gap leaves out, as text keys (data/texts/nl/money.yml).
ASSUMPTION_KEYS: Tuple[str, ...] = (
    "money.gap_per_month",
    "money.gap_costs",
    "money.gap_groceries",
    "money.gap_allowances",
)


def assumptions() -> List[str]:
    """The assumptions of every gap, in words."""
    return [texts.text(key) for key in ASSUMPTION_KEYS]


@dataclass(frozen=True)
class GapResult:
    """Monthly money during the switch. Money fields are hidden from repr."""

    monthly_gap: float = field(repr=False)  # costs minus income, 0 when income covers costs
    monthly_surplus: float = field(repr=False)  # income minus costs, 0 when there is a gap
    total_costs: float = field(repr=False)
    total_income: float = field(repr=False)
    income_change: float = field(repr=False)  # income during minus now; negative = less
    assumptions: List[str] = field(repr=False)
    estimate: bool = True

    @property
    def has_gap(self) -> bool:
        """True when income does not cover the costs."""
        return self.monthly_gap > 0


def income_gap(
    current_net: float,
    income_during: float,
    fixed_costs: float,
    extra_costs: float = 0,
    *,
    other_income: float = 0,
) -> GapResult:
    """Monthly gap during the switch: (fixed + extra costs) - income, never below 0.

    ``other_income`` is other household income that helps pay these costs (a partner's
    salary); it lowers the gap but not ``income_change``, which compares the person's own
    income during the switch with their net income now.
    """
    now = check_number("current_net", current_net)
    during = check_number("income_during", income_during)
    costs = check_number("fixed_costs", fixed_costs) + check_number("extra_costs", extra_costs)
    income = during + check_number("other_income", other_income)
    return GapResult(
        monthly_gap=round(max(0.0, costs - income), 2),
        monthly_surplus=round(max(0.0, income - costs), 2),
        total_costs=round(costs, 2),
        total_income=round(income, 2),
        income_change=round(during - now, 2),
        assumptions=assumptions(),
    )


def result_text(result: GapResult) -> str:
    """What the person reads: the gap (or none), then the assumptions as short lines."""
    if result.monthly_gap:
        said = texts.text("money.gap_result", gap=format_euro(result.monthly_gap))
    else:
        said = texts.text("money.gap_none")
    return f"{said} {texts.text('money.gap_estimate')}\n" + "\n".join(result.assumptions)
