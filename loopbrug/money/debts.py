"""What a message says about debts: an acute threat, arrears of some kind and size, or nothing.

An acute threat (deurwaarder, beslag, afsluiting, uitzetting) gets priority help at once,
inside or outside the money check; arrears are weighed by their kind and size. Facts from
shared/knowledge/funding-facts.md section 23 (Geldfit, schuldhulp, the 3-day rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Optional, Tuple

from loopbrug.money.amounts import normalise, parse_amount

__all__ = ["SMALL_ARREAR", "DebtSignal", "acute_debt_signal", "arrear_kind", "debt_signal"]

_UTILITY = r"\b(?:gas|stroom|water|energie|elektra|elektriciteit|stadsverwarming)\w*"
_CUT_OFF = (
    r"(?:\baf\s*(?:te\s*)?slu?i?t\w*|\baf\s*ge\s*slo?te?n?\b|dicht\s*(?:ge)?draai\w*"
    r"|afgeknepen|eraf\s+(?:ge)?haal\w*)"
)
_HOUSING = r"(?:huur|hypotheek)"

# Acute signals: a threat the gemeente must act on within 3 days (eviction, cut-off of energy
# or water, cancelled health insurance; funding-facts 23), or a bailiff's step (deurwaarder,
# beslag, dwangbevel, sommatie). Small, readable list; typos are tolerated where people often
# make them.
_ACUTE_PATTERNS: Tuple[re.Pattern, ...] = tuple(
    re.compile(pattern)
    for pattern in (
        # deurwaarder, deurwarder, deurwaader, deur waarder, deurwaardersbrief
        r"\bdeur\s*-?\s*wa{1,2}r?d",
        # beslag, loonbeslag, beslaglegging, beslag gelegd
        r"\b(?:loon|bank|inboedel|derden|auto)?beslag(?!en\b)",
        r"\bdwangbevel",
        r"\bsommatie",
        # gas, stroom or water cut off or announced (both word orders, "sluiten ... af")
        _UTILITY + r"[^.!?]{0,40}?" + _CUT_OFF,
        _CUT_OFF + r"[^.!?]{0,40}?" + _UTILITY,
        r"\bsluit\w*\s+(?:\w+\s+){0,4}?" + _UTILITY + r"\s+af\b",
        # eviction: huisuitzetting, uitzetting, uit huis gezet, ontruiming, op straat
        r"huis\s*uit\s*zet",
        r"\buitzet+ing",
        r"\buit\s+(?:het\s+|mijn\s+|m'n\s+|ons\s+|onze\s+|de\s+)?(?:huis|woning)\s+(?:ge)?zet",
        r"\b(?:ik|we|wij)\s+(?:word|worden|werd|werden)\s+(?:\w+\s+)?uitgezet",
        r"\bontruim",
        r"\bop\s+straat\s+(?:ge)?(?:zet|komen|kom|komt|staan|sta)\b",
        r"\b(?:sta|staan|kom|komen)\s+(?:\w+\s+)?op\s+straat",
        r"zorgverzekering\w*[^.!?]{0,30}?(?:opgezegd|stopgezet|geschorst|beëindigd|beeindigd)",
    )
)
# Arrears: money is owed, but nothing is threatened yet. A point of attention, weighed by its
# size and kind (see debt_signal), not "dringend".
_ARREARS_PATTERNS: Tuple[re.Pattern, ...] = tuple(
    re.compile(pattern)
    for pattern in (
        # incasso (an incassobureau; "automatische incasso" is removed first, see below)
        r"\bin[ck]ass?o",
        # aanmaning, aanmaaning, aanmanig
        r"\baan\s*ma{1,2}n(?:ing|ig|in)",
        # arrears: rent, mortgage, energy, water, health insurance
        r"achter?\s*stand",
        r"achterstallig",
        r"\bachter\s+(?:met|op|in)\s+(?:de\s+|mijn\s+|m'n\s+|onze\s+)?" + _HOUSING,
        r"\b" + _HOUSING + r"\s+(?:\w+\s+){0,2}niet\s+(?:meer\s+)?(?:betalen|betaald|betaal)",
        r"\bniet\s+(?:meer\s+)?(?:de\s+|mijn\s+|m'n\s+)?" + _HOUSING + r"\s+(?:betalen|betaald)",
        r"\brekening\w*\s+(?:\w+\s+){0,3}(?:niet|nog\s+niet)\s+(?:betaald|betalen)",
        r"\bopen\s*staande\s+rekening",
    )
)
# Phrases that look like a signal but are not: idioms, everyday direct debit, and the name of
# the protected part of an income ("wat is de beslagvrije voet?" is a question, not a seizure).
_NOT_ACUTE = re.compile(
    r"automatische?\s+in[ck]ass?o\w*"
    r"|\bbeslagvrije\s+voet\b"
    r"|(?:neemt|nemen|nam|namen|tijd)\b[^.!?]{0,40}?\bin\s+beslag"
    r"|in\s+beslag\s+(?:neemt|nemen|nam|namen)"
)
_NEGATION_BEFORE = re.compile(r"\b(?:geen|nooit)\s+(?:een\s+)?$")
# What the arrear is for: the help differs (funding-facts 23 names energy, water, rent and
# health insurance among the threats the gemeente must act on quickly).
_ARREAR_KINDS: Tuple[Tuple[str, re.Pattern], ...] = (
    ("huur", re.compile(r"\bhuur|\bhypotheek|\bverhuurder|woningcorporatie")),
    ("energie", re.compile(_UTILITY + r"|\benergie|\beneco|\bvattenfall|\bessent")),
    ("zorgverzekering", re.compile(r"zorgverzeker|\bzorgpremie|\bverzekering")),
)
_MONTHS_BEHIND = re.compile(r"\b(\d+|twee|drie|vier|vijf|zes)\s+maand(?:en)?\b")
_MONTH_WORDS = MappingProxyType({"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6})
# An arrear below this, and under two months, is small: a point of attention. Our own rule of
# thumb (the fact sheet gives no threshold); an arrear of unknown size is never called small.
SMALL_ARREAR = 500.0


@dataclass(frozen=True)
class DebtSignal:
    """What a message says about debts: acute threat, arrears (kind, size) or nothing."""

    acute: bool = False
    arrears: bool = False
    kind: Optional[str] = None  # "huur", "energie", "zorgverzekering" or None (other/unknown)
    amount: Optional[float] = field(default=None, repr=False)
    months: Optional[int] = None

    @property
    def small(self) -> bool:
        """A known amount below SMALL_ARREAR and less than two months behind."""
        return (
            self.arrears
            and not self.acute
            and self.amount is not None
            and self.amount < SMALL_ARREAR
            and (self.months is None or self.months < 2)
        )


def _any_match(patterns: Iterable[re.Pattern], normal: str) -> bool:
    for pattern in patterns:
        for match in pattern.finditer(normal):
            if not _NEGATION_BEFORE.search(normal[max(0, match.start() - 15) : match.start()]):
                return True
    return False


def arrear_kind(text: str) -> Optional[str]:
    """What an arrear is for: "huur" (rent or mortgage), "energie" (also water), "zorgverzekering"."""
    normal = normalise(str(text or ""))
    for kind, pattern in _ARREAR_KINDS:
        if pattern.search(normal):
            return kind
    return None


def debt_signal(text: str) -> DebtSignal:
    """Read a message about debts: an acute threat, arrears with their kind and size, or none.

    Acute: deurwaarder, beslag, dwangbevel, sommatie, cut-off of energy or water (done or
    announced), eviction, cancelled health insurance. Arrears: achterstand, aanmaning,
    incasso(bureau), rent or mortgage not paid. "200 euro achterstand bij de energie" is
    arrears of kind "energie" and amount 200, not acute.
    """
    if not text:
        return DebtSignal()
    normal = _NOT_ACUTE.sub(" ", normalise(str(text)))
    acute = _any_match(_ACUTE_PATTERNS, normal)
    arrears = _any_match(_ARREARS_PATTERNS, normal)
    if not (acute or arrears):
        return DebtSignal()
    months = None
    found = _MONTHS_BEHIND.search(normal)
    if found:
        word = found.group(1)
        months = int(word) if word.isdigit() else _MONTH_WORDS[word]
    without_months = _MONTHS_BEHIND.sub(" ", normal)
    amount = parse_amount(without_months)
    return DebtSignal(
        acute=acute,
        arrears=arrears,
        kind=arrear_kind(normal),
        amount=amount.value if amount.ok else None,
        months=months,
    )


def acute_debt_signal(text: str) -> bool:
    """True when the text mentions an acute debt problem that needs help first.

    Deurwaarder, beslag, dwangbevel, sommatie, cut-off of gas / stroom / water (also when
    announced), eviction (huisuitzetting, uit huis gezet), cancelled health insurance. The
    gemeente must act within 3 days on such threats (funding-facts 23). Arrears alone (a
    huurachterstand, an aanmaning, an incassobureau) are not acute: see :func:`debt_signal`.
    "geen deurwaarder" and idioms such as "neemt veel tijd in beslag" do not count.
    """
    return debt_signal(text).acute
