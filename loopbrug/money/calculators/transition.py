"""The transitievergoeding calculator: 1/3 of a gross monthly salary per year of service.

Facts from shared/knowledge/funding-facts.md section 10: the rules since 2020 (WAB), holiday
pay in the salary, and the legal maximum per year (TRANSITION_MAXIMA, with its sources).
The form (transition_form) and how each answer is read are in loopbrug/money/registry.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import List, Mapping, Optional

from loopbrug import texts
from loopbrug.money.amounts import check_number, format_euro, plain_number

__all__ = [
    "HOLIDAY_PAY_RATE",
    "LARGE_MONTHLY",
    "TRANSITION_MAXIMA",
    "LegalMaximum",
    "TransitionEstimate",
    "needs_check_back",
    "read_check_back",
    "result_text",
    "transitievergoeding",
]

# A monthly salary this high is checked back: "48000" is more often a yearly salary.
LARGE_MONTHLY = 15_000


@dataclass(frozen=True)
class LegalMaximum:
    """The legal maximum transitievergoeding for one year, with where we found it."""

    year: int
    amount: float
    source_url: str
    source_date: Optional[str]  # ISO date of the source page; None = no date on the page

    @property
    def source_site(self) -> str:
        return re.sub(r"^https?://(?:www\.)?([^/]+).*$", r"\1", self.source_url)


_OMNYACC_2025 = "https://omnyacc.nl/nieuws/maximale-transitievergoeding-stijgt-naar-98-000-in-2025"

# Only amounts that are in funding-facts section 10. 2023 is not there, so it is missing on
# purpose: a missing year falls back to the latest known earlier year, with a note.
TRANSITION_MAXIMA: Mapping[int, LegalMaximum] = MappingProxyType(
    {
        2021: LegalMaximum(
            2021,
            84_000.0,
            "https://www.uwv.nl/particulieren/ontslag/belangrijke-rechten-bij-ontslag/detail/"
            "transitievergoeding/hoe-hoog-is-de-transitievergoeding",
            None,
        ),
        2022: LegalMaximum(
            2022,
            86_000.0,
            "https://www.rendement.nl/transitievergoeding/nieuws/"
            "maximale-transitievergoeding-is-in-2022--86000.html",
            "2021-12-22",
        ),
        # The omnyacc article (23-12-2024) names both the 2024 and the 2025 maximum.
        2024: LegalMaximum(2024, 94_000.0, _OMNYACC_2025, "2024-12-23"),
        2025: LegalMaximum(2025, 98_000.0, _OMNYACC_2025, "2024-12-23"),
    }
)

# Since 1 January 2020 (WAB): from day one, one third of a monthly salary per year.
_RULES_SINCE = 2020


@dataclass(frozen=True)
class TransitionEstimate:
    """Estimated transitievergoeding (gross). All money fields are hidden from repr."""

    amount: float = field(repr=False)  # the estimate, after the cap
    uncapped_amount: float = field(repr=False)  # one third x monthly x years
    cap: float = field(repr=False)  # legal maximum, or 12 x monthly if that is higher
    legal_maximum: float
    maximum_year: int  # the year whose legal maximum we used
    maximum_known: bool  # False: no maximum known for the asked year, we used maximum_year
    capped: bool
    source_url: str
    source_date: Optional[str]
    assumptions: List[str] = field(repr=False)
    estimate: bool = True


def _maximum_for(year: int) -> LegalMaximum:
    if year in TRANSITION_MAXIMA:
        return TRANSITION_MAXIMA[year]
    earlier = [known for known in TRANSITION_MAXIMA if known <= year]
    # A later year (2026) or a gap (2023) uses the latest known earlier year; the earlier
    # maximum is the lower one, so the estimate errs on the low side. Before 2021 we use 2021.
    chosen = max(earlier) if earlier else min(TRANSITION_MAXIMA)
    return TRANSITION_MAXIMA[chosen]


# Holiday pay counts in the salary for the transitievergoeding (funding-facts 10: "Holiday
# pay, 13th month, overtime, shift and bonus pay count in the salary"; Besluit loonbegrip, as
# explained by hrpraktijk.nl, 30-10-2023). The fact sheet gives no rate; "in de regel is dit
# 8%" is from https://www.baaszadvocaten.nl/transitievergoeding-berekenen/ (n.d.). The person
# types the monthly salary without it, and we add it, as the question promises.
HOLIDAY_PAY_RATE = 0.08


def transitievergoeding(
    monthly_gross: float,
    years_of_service: float,
    year: int,
    holiday_pay_rate: float = HOLIDAY_PAY_RATE,
) -> TransitionEstimate:
    """Estimate the transitievergoeding: 1/3 gross monthly salary per year of service.

    ``monthly_gross`` is the salary without holiday pay; the holiday pay (``holiday_pay_rate``,
    8% by default) is added, because it counts in the salary (funding-facts 10). Part of a
    year counts pro rata. The result is capped at the legal maximum for ``year``, or at one
    gross annual salary if that is higher; the annual salary is 12 months of salary with
    holiday pay (the fact sheet's salary, a simplification said in the assumptions). Raises
    ValueError on negative or non-finite input: parse the person's answer first.
    """
    base = check_number("monthly_gross", monthly_gross)
    years = check_number("years_of_service", years_of_service)
    rate = check_number("holiday_pay_rate", holiday_pay_rate)
    monthly = base * (1 + rate)
    maximum = _maximum_for(int(year))
    uncapped = monthly / 3 * years
    annual = 12 * monthly
    cap = max(maximum.amount, annual)
    amount = min(uncapped, cap)
    capped = uncapped > cap
    known = maximum.year == year

    # What the person reads under the amount: how it was computed with their numbers, then
    # only what may change it. The rule comes earlier (utter_transition_rule_short, and the
    # knowledge base); sources and dates stay here in the code (TRANSITION_MAXIMA), not in the
    # chat.
    how = texts.text(
        "money.transition_how", monthly=format_euro(round(monthly, 2)), years=plain_number(years)
    )
    if rate:
        how += " " + texts.text("money.transition_holiday_pay", rate=plain_number(rate * 100))
    assumptions = [how]
    if capped:
        limit = (
            texts.text(
                "money.transition_limit_maximum",
                year=maximum.year,
                amount=format_euro(maximum.amount),
            )
            if cap == maximum.amount
            else texts.text("money.transition_limit_annual", amount=format_euro(round(cap, 2)))
        )
        assumptions.append(texts.text("money.transition_capped", limit=limit))
        if not known:
            assumptions.append(texts.text("money.transition_maximum_unknown", year=year))
    if year < _RULES_SINCE:
        assumptions.append(texts.text("money.transition_old_rules"))
    assumptions.append(texts.text("money.transition_more_pay"))
    assumptions.append(texts.text("money.transition_conditions"))

    return TransitionEstimate(
        amount=round(amount, 2),
        uncapped_amount=round(uncapped, 2),
        cap=round(cap, 2),
        legal_maximum=maximum.amount,
        maximum_year=maximum.year,
        maximum_known=known,
        capped=capped,
        source_url=maximum.source_url,
        source_date=maximum.source_date,
        assumptions=assumptions,
    )


def result_text(estimate: TransitionEstimate) -> str:
    """What the person reads: the estimate, then how it was computed and what may change it.

    Assumptions are short lines, no list markers: not every channel shows them as a list.
    """
    return texts.text("money.transition_result", amount=format_euro(estimate.amount)) + (
        "\n" + "\n".join(estimate.assumptions)
    )


def needs_check_back(monthly: float, per_year: Optional[float]) -> bool:
    """A monthly salary so high that it is more likely yearly ("48000"): ask before using it.

    ``per_year`` is the yearly amount the person typed, if they called it yearly ("48000 per
    jaar"): that one was already divided by 12, so it is not asked back.
    """
    return monthly >= LARGE_MONTHLY and per_year is None


def read_check_back(answer: str, pending: float) -> Optional[float]:
    """The monthly salary after "Bedoel je € 48.000 per jaar?": ``pending`` divided by 12 for
    a yes ("ja", "per jaar"), kept for a no ("nee", "per maand"); None for anything else."""
    answer = answer.lower().strip(" .!")
    if answer.startswith("ja") or "per jaar" in answer or answer == "jaar":
        return round(pending / 12, 2)
    if answer.startswith("nee") or "per maand" in answer or answer == "maand":
        return pending
    return None
