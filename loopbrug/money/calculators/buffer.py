"""The buffer calculator: how many months savings cover a monthly shortfall.

The 3-6 months rule is attributed to Nibud only by third-party sites (funding-facts 23), so
it is called a rule of thumb, with Nibud's own personal tool named. The form (buffer_form)
and how each answer is read are in loopbrug/money/registry.py.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from loopbrug import texts
from loopbrug.money.amounts import check_number, format_months

__all__ = ["ASSUMPTION_KEYS", "assumptions", "buffer_months", "result_text"]

ASSUMPTION_KEYS: Tuple[str, ...] = (
    "money.buffer_divide",
    "money.buffer_rule_of_thumb",
    "money.buffer_nibud",
)


def assumptions() -> List[str]:
    """The assumptions of every buffer, in words."""
    return [texts.text(key) for key in ASSUMPTION_KEYS]


def buffer_months(
    savings: float, monthly_gap: float, transition_payment: float = 0
) -> Optional[float]:
    """How many months savings (plus a transitievergoeding) cover the monthly gap.

    None means it lasts indefinitely: there is no gap. 0.0 means no buffer at all.
    """
    money = check_number("savings", savings) + check_number(
        "transition_payment", transition_payment
    )
    gap = check_number("monthly_gap", monthly_gap)
    if gap == 0:
        return None
    return money / gap


def result_text(months: Optional[float]) -> str:
    """What the person reads about the months of :func:`buffer_months`."""
    if months is None:
        said = texts.text("money.buffer_no_gap")
    else:
        said = texts.text("money.buffer_result", months=format_months(months))
    return f"{said} {texts.text('money.buffer_estimate')}"
