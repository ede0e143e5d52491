"""The money check: ten answers in, a traffic light out (groen, oranje, rood).

What this module owns: the answers (:class:`MoneyAnswers`, read from the form's slot values
by :func:`answers_from_slots`), the rules that weigh them (:func:`assess`), the outcome that
may be stored (:meth:`MoneyOutcome.storable`: a colour, ranges and rounded months, never an
amount), the outcome in words, the next steps (``STEP_LABELS``), how a debts answer is read
and how one answer is changed afterwards. The form itself (money_form, its slots and how each
answer is read) is an entry of loopbrug/money/registry.py.

Privacy: fields that hold money are hidden from repr, so an accidental
``logger.debug(answers)`` does not leak them. Store :meth:`MoneyOutcome.storable` instead of
raw amounts. Facts from shared/knowledge/funding-facts.md section 23 (Nibud buffer, Geldfit,
schuldhulp).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from loopbrug import texts
from loopbrug.money import registry
from loopbrug.money.amounts import amount_range, format_euro, format_months, parse_amount
from loopbrug.money.calculators.buffer import assumptions as buffer_assumptions
from loopbrug.money.calculators.buffer import buffer_months
from loopbrug.money.calculators.gap import GapResult, income_gap
from loopbrug.money.calculators.gap import assumptions as gap_assumptions
from loopbrug.money.debts import DebtSignal, debt_signal

__all__ = [
    "ANSWER_SLOTS",
    "ARREARS_SLOT",
    "CHANGE_NAMES",
    "CHANGE_READY_SLOT",
    "COLOUR_WORDS",
    "INCOME_HELP_SLOT",
    "MISSING_FIELDS",
    "MONEY_SLOTS",
    "NEXT_STEP_INTENTS",
    "SKIPPED",
    "STEP_LABELS",
    "MoneyAnswers",
    "MoneyOutcome",
    "answers_from_slots",
    "arrears_answer",
    "assess",
    "changed_slot",
    "changed_value",
    "missing_text",
    "outcome_text",
    "read_arrears",
    "read_debts",
    "small_arrear_text",
]

FORM = registry.form("money_form")
# The ten questions, in the order they are asked.
MONEY_SLOTS: Tuple[str, ...] = FORM.main_slots
# Asked only when needed: the size and kind of arrears after "Ja, achterstanden".
ARREARS_SLOT = "m_arrears"
ANSWER_SLOTS: Tuple[str, ...] = MONEY_SLOTS + (ARREARS_SLOT,)
# Helpers of the check, not answers: the income explanation was given; a changed answer is
# ready to be recomputed (rules branch on it).
INCOME_HELP_SLOT = "m_income_help"
CHANGE_READY_SLOT = "m_change_ready"
# What a question skipped with "weet ik niet" holds.
SKIPPED = {"skipped": True}


class _Words(Mapping[str, str]):
    """Words by name, looked up in data/texts/ only when one is asked for (no import-time
    reads): ``_Words("money.step_", names)["debt_help"]`` is the text "money.step_debt_help"."""

    def __init__(self, prefix: str, names: Iterable[str]) -> None:
        self._prefix = prefix
        self._names = tuple(names)

    def __getitem__(self, name: str) -> str:
        if name not in self._names:
            raise KeyError(name)
        return texts.text(self._prefix + name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


# ---------------------------------------------------------------------------------------------
# The traffic light
# ---------------------------------------------------------------------------------------------

GROEN, ORANJE, ROOD = "groen", "oranje", "rood"
_RANK = {GROEN: 0, ORANJE: 1, ROOD: 2}

BUFFER_RED_MONTHS = 3  # with debts, a buffer under 3 months is rood
BUFFER_SAFE_MONTHS = 6  # rule of thumb (UNVERIFIED as official Nibud advice)

NEXT_STEP_INTENTS = frozenset(
    {
        "debt_help",
        "request_human",
        "funding_overview",
        "funding_employer",
        "funding_benefits",
        "income_during_training",
        "orientation_start",
        "training_routes",
        "start_assessment",
    }
)


@dataclass(frozen=True)
class MoneyAnswers:
    """Answers of the money check, all per month and net unless said otherwise.

    None means skipped or "weet ik niet". Use 0 (or False) for a question that does not apply
    (no children: ``childcare_costs=0``); None makes the outcome more cautious.
    Money fields are hidden from repr so they never end up in a log line.
    """

    net_income: Optional[float] = field(default=None, repr=False)  # own net income now
    fixed_costs: Optional[float] = field(default=None, repr=False)  # household fixed costs
    savings: Optional[float] = field(default=None, repr=False)  # money you can use
    savings_months: Optional[float] = None  # alternative: buffer in months of fixed costs
    has_debts: Optional[bool] = None
    has_arrears: Optional[bool] = None  # betalingsachterstanden
    acute_debt: bool = False  # from acute_debt_signal(): deurwaarder, afsluiting, uitzetting
    arrears_small: bool = False  # DebtSignal.small: a known arrear under SMALL_ARREAR
    arrears_kind: Optional[str] = None  # DebtSignal.kind: "huur", "energie", "zorgverzekering"
    dependants: Optional[int] = None  # people who depend on this income
    household_income: Optional[float] = field(default=None, repr=False)  # others, for costs
    income_during: Optional[float] = field(default=None, repr=False)  # own income in switch
    transition_payment: Optional[float] = field(default=None, repr=False)  # gross, 0 if none
    travel_costs: Optional[float] = field(default=None, repr=False)  # extra, per month
    childcare_costs: Optional[float] = field(default=None, repr=False)  # extra, per month


@dataclass(frozen=True)
class MoneyOutcome:
    """Result of :func:`assess`.

    ``monthly_gap`` None = we could not compute it. ``buffer_months`` None = no gap (the
    buffer lasts) or the gap is unknown; check ``monthly_gap`` to tell them apart.
    """

    colour: str
    reasons: List[str] = field(repr=False)
    monthly_gap: Optional[float] = field(repr=False)
    buffer_months: Optional[float]
    next_steps: List[str]
    priority_debt_help: bool
    assumptions: List[str] = field(default_factory=list, repr=False)
    missing: List[str] = field(default_factory=list)  # MoneyAnswers field names left open
    estimate: bool = True

    def storable(self) -> dict:
        """What may be kept: the colour, a range for the gap and rounded derived results."""
        return {
            "colour": self.colour,
            "gap_range": None if self.monthly_gap is None else amount_range(self.monthly_gap),
            "buffer_months": None if self.buffer_months is None else round(self.buffer_months, 1),
            "priority_debt_help": self.priority_debt_help,
            "next_steps": list(self.next_steps),
        }


# Why a missing answer matters and how we treat it (text "money.missing_<field>"). Money in:
# unknown savings, other household income and transitievergoeding count as 0 (we only count
# money we know about). Unknown income during the switch is not 0: the gap is then not judged,
# and we say what it would be with no income at all (issue 16: bijstand kept, or a BBL wage,
# once gave "Rood"). Money out: unknown extras cannot be guessed, so they are left out, and the
# missing answer alone already keeps the outcome away from groen.
MISSING_FIELDS: Tuple[str, ...] = (
    "net_income",
    "fixed_costs",
    "savings",
    "has_debts",
    "has_arrears",
    "dependants",
    "household_income",
    "income_during",
    "transition_payment",
    "travel_costs",
    "childcare_costs",
)


def missing_text(name: str) -> str:
    """Why the missing answer ``name`` (a MoneyAnswers field) matters, in words."""
    return texts.text(f"money.missing_{name}")


# A small arrear is a point of attention with the help that fits its kind
# (text "money.small_arrear_<kind>"; Geldfit's free line with "money.small_arrear_note").
SMALL_ARREAR_KINDS = frozenset({"energie", "huur", "zorgverzekering"})


def small_arrear_text(kind: Optional[str]) -> str:
    """The point of attention for a small arrear of this kind, with its help."""
    return texts.text(f"money.small_arrear_{kind if kind in SMALL_ARREAR_KINDS else 'other'}")


def _missing_fields(answers: MoneyAnswers) -> List[str]:
    missing = []
    for name in MISSING_FIELDS:
        if name == "savings":
            if answers.savings is None and answers.savings_months is None:
                missing.append(name)
        elif getattr(answers, name) is None:
            missing.append(name)
    return missing


def _raise(current: str, colour: str) -> str:
    """The more cautious of two colours. Colours only ever move towards rood."""
    return colour if _RANK[colour] > _RANK[current] else current


def _unique(items: Iterable[str]) -> List[str]:
    seen: List[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def assess(answers: MoneyAnswers) -> MoneyOutcome:
    """Traffic light for a job switch: groen, oranje or rood, with plain reasons.

    Rules, applied together; the most cautious colour wins:

    - rood when there is an acute debt signal (deurwaarder, afsluiting, uitzetting). Crisis
      about money goes first; ``priority_debt_help`` is True.
    - rood when there is a monthly gap and no buffer at all: the first month already goes wrong.
    - rood when there are debts or arrears and the buffer covers less than 3 months: a gap
      on top of debts quickly makes them worse.
    - oranje when there is a gap and the buffer covers less than 6 months.
    - oranje when there is a gap, someone depends on this income and there is no other
      household income: the risk falls on more people.
    - oranje when there are payment arrears, even without a gap: they show money is tight now.
    - oranje when the gap cannot be computed (costs and income both unknown).
    - oranje at least when any answer is missing: a missing answer never makes it greener.
    - groen otherwise: no gap, or a buffer of 6 months or more.

    3 and 6 months are a rule of thumb, not official Nibud advice (funding-facts 23).
    Missing money coming in (savings, income, other household income, transitievergoeding)
    counts as 0, so the outcome is never greener than with any real answer. Unknown debts,
    dependants and extra costs cannot be assumed: they are named and keep it from groen.
    Next steps: rood with debts -> debt_help and request_human (free help and a coach);
    rood without debts -> a person and ways to keep an income; oranje -> options that keep an
    income and funding; groen -> orientation and training. debt_help comes first whenever
    there are debts or arrears.
    """
    reasons: List[str] = []
    colour = GROEN
    missing = _missing_fields(answers)
    small_arrears = bool(answers.has_arrears) and answers.arrears_small
    debts = bool(answers.has_debts) or (bool(answers.has_arrears) and not small_arrears)
    debts_named = False

    if answers.acute_debt:
        colour = ROOD
        reasons.append(texts.text("money.acute_debt"))
        reasons.append(texts.text("money.acute_debt_first"))

    # Costs: fixed costs plus the extra costs of the switch. Unknown fixed costs: we take the
    # whole net income as spending, the usual case; more cautious than guessing lower.
    costs: Optional[float] = answers.fixed_costs
    if costs is None and answers.net_income is not None:
        costs = answers.net_income
        reasons.append(texts.text("money.costs_from_income"))
    extra = (answers.travel_costs or 0.0) + (answers.childcare_costs or 0.0)
    income_known = answers.income_during is not None
    income_during = answers.income_during or 0.0
    other_income = answers.household_income or 0.0
    transition = answers.transition_payment or 0.0

    gap_result: Optional[GapResult] = None
    months: Optional[float] = None
    gap: Optional[float] = None
    if costs is not None:
        gap_result = income_gap(
            answers.net_income or 0.0, income_during, costs, extra, other_income=other_income
        )
        gap = gap_result.monthly_gap
        if answers.savings is not None:
            savings = answers.savings
        elif answers.savings_months is not None:
            # "I can pay my fixed costs for N months": turn that back into money.
            savings = answers.savings_months * costs
        else:
            savings = 0.0  # unknown savings: no buffer we can count on
        months = buffer_months(savings, gap, transition)

    if gap is not None and not income_known:
        # Not judged: the gap below is only what it would be with no income at all.
        reasons.append(missing_text("income_during"))
        reasons.append(texts.text("money.gap_unknown_income"))
        if gap:
            reasons.append(texts.text("money.gap_without_income", gap=format_euro(round(gap))))
            if months:
                reasons.append(texts.text("money.buffer_would_last", months=format_months(months)))
            else:
                reasons.append(texts.text("money.no_buffer_for_it"))
        gap = months = None
        colour = _raise(colour, ORANJE)
    elif gap is None:
        colour = _raise(colour, ORANJE)
        reasons.append(texts.text("money.gap_not_computed"))
    elif gap == 0:
        reasons.append(texts.text("money.no_gap"))
    else:
        reasons.append(texts.text("money.gap_during", gap=format_euro(round(gap))))
        if not months:
            colour = _raise(colour, ROOD)
            reasons.append(texts.text("money.no_buffer_for_gap"))
        else:
            reasons.append(texts.text("money.buffer_lasts", months=format_months(months)))
            if debts and months < BUFFER_RED_MONTHS:
                colour = _raise(colour, ROOD)
                debts_named = True
                reasons.append(texts.text("money.debts_short_buffer"))
            elif months < BUFFER_SAFE_MONTHS:
                colour = _raise(colour, ORANJE)
                reasons.append(texts.text("money.buffer_tight"))
            else:
                reasons.append(texts.text("money.buffer_enough"))
        if answers.dependants and not other_income:
            colour = _raise(colour, ORANJE)
            reasons.append(texts.text("money.dependants_no_other_income"))

    if small_arrears:
        reasons.append(small_arrear_text(answers.arrears_kind))
        reasons.append(texts.text("money.small_arrear_note"))
    elif answers.has_arrears:
        colour = _raise(colour, ORANJE)
        reasons.append(texts.text("money.arrears"))
    elif answers.has_debts and not debts_named:
        reasons.append(texts.text("money.debts"))

    if missing:
        for name in missing:
            explained = (name == "fixed_costs" and costs is not None) or (
                name == "income_during" and missing_text(name) in reasons
            )
            if not explained:  # already explained above
                reasons.append(missing_text(name))
        colour = _raise(colour, ORANJE)
        reasons.append(texts.text("money.more_cautious"))

    if colour == ROOD:
        if answers.acute_debt or debts:
            steps = ["debt_help", "request_human"]
        else:
            steps = ["request_human", "income_during_training", "funding_overview"]
    elif colour == ORANJE:
        steps = [
            "income_during_training",
            "funding_employer",
            "funding_benefits",
            "funding_overview",
        ]
    else:
        steps = ["orientation_start", "training_routes", "start_assessment"]
    if debts or small_arrears or answers.acute_debt:
        steps = ["debt_help", *steps]

    assumptions = [texts.text("money.assumption_estimate")]
    assumptions.extend(gap_assumptions()[1:])  # the first says "an estimate" again
    assumptions.extend(buffer_assumptions())
    if other_income:
        assumptions.append(texts.text("money.assumption_other_income"))
    if transition:
        assumptions.append(texts.text("money.assumption_transition"))

    return MoneyOutcome(
        colour=colour,
        reasons=reasons,
        monthly_gap=gap,
        buffer_months=months,
        next_steps=_unique(steps),
        priority_debt_help=answers.acute_debt,
        assumptions=assumptions,
        missing=missing,
    )


# ---------------------------------------------------------------------------------------------
# From slot values to answers, and the outcome in words
# ---------------------------------------------------------------------------------------------

# The buttons after the outcome: a next step's words, by intent.
# Every next step the check can give has its words (money.step_<intent>), so the list is one.
STEP_LABELS: Mapping[str, str] = _Words("money.step_", sorted(NEXT_STEP_INTENTS))
COLOUR_WORDS: Mapping[str, str] = _Words("money.colour_", (GROEN, ORANJE, ROOD))


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) else None


def answers_from_slots(values: Mapping[str, Any]) -> MoneyAnswers:
    """The check's answers from slot values as numbers; skipped ones stay None."""
    slot = values.get
    debts = slot("m_debts") if isinstance(slot("m_debts"), dict) else {}
    dependants = _number(slot("m_dependants"))
    return MoneyAnswers(
        net_income=_number(slot("m_net_income")),
        fixed_costs=_number(slot("m_fixed_costs")),
        savings=_number(slot("m_savings")),
        has_debts=debts.get("debts"),
        has_arrears=debts.get("arrears"),
        acute_debt=bool(debts.get("acute")),
        arrears_small=bool(debts.get("small")),
        arrears_kind=debts.get("kind"),
        dependants=int(dependants) if dependants is not None else None,
        household_income=_number(slot("m_household_income")),
        income_during=_number(slot("m_income_during")),
        transition_payment=_number(slot("m_transition")),
        travel_costs=_number(slot("m_travel")),
        childcare_costs=_number(slot("m_childcare")),
    )


def outcome_text(outcome: MoneyOutcome) -> str:
    """The traffic light in plain words. The reasons from assess() already name the monthly
    gap and how long the buffer lasts, so they are not repeated here."""
    lines = [texts.text("money.outcome_title", colour=COLOUR_WORDS[outcome.colour])]
    lines += outcome.reasons
    lines.append(texts.text("money.outcome_estimate"))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The debts question and its arrears follow-up
# ---------------------------------------------------------------------------------------------

ACUTE = {"debts": True, "arrears": True, "acute": True}
# Button payloads and their plain typed forms: (debts, arrears).
DEBT_CHOICES = {
    "nee": (False, False),
    "geen": (False, False),
    "ja, schulden": (True, False),
    "ja": (True, False),
    "schulden": (True, False),
    "ja, achterstanden": (False, True),
    "achterstanden": (False, True),
    "achterstand": (False, True),
}


def arrears_answer(signal: DebtSignal, debts: bool) -> Dict[str, Any]:
    """The m_debts value for arrears read from text (size known or not)."""
    answer = {"debts": debts, "arrears": True, "acute": False, "kind": signal.kind}
    if signal.amount is not None or signal.months is not None:
        answer["small"] = signal.small
    return answer


def read_debts(text: str) -> Optional[Dict[str, Any]]:
    """The m_debts value for a reply (a button or free text); None when not understood."""
    lowered = text.lower().strip(" .!")
    signal = debt_signal(text)
    if signal.acute:
        return dict(ACUTE)
    if parse_amount(text).unknown:  # the shared "weet ik niet" / skip words
        return SKIPPED
    if lowered in DEBT_CHOICES:
        debts, arrears = DEBT_CHOICES[lowered]
        return {"debts": debts, "arrears": arrears, "acute": False}
    if signal.arrears:
        return arrears_answer(signal, debts=False)
    return None


def read_arrears(text: str, debts: Mapping[str, Any]) -> Dict[str, Any]:
    """The slot updates for how much and what for; unknown size is never called small."""
    debts = dict(debts or {})
    signal = debt_signal(text if "achterstand" in text.lower() else f"achterstand {text}")
    if signal.acute:
        debts.update({"debts": True, "acute": True})
        return {ARREARS_SLOT: SKIPPED, "m_debts": debts}
    debts.update(arrears_answer(signal, debts=bool(debts.get("debts"))))
    return {ARREARS_SLOT: {"answered": True}, "m_debts": debts}


# ---------------------------------------------------------------------------------------------
# Changing one answer afterwards
# ---------------------------------------------------------------------------------------------

# What each answer is called when the person changes it ("Ik pas {what} aan").
CHANGE_NAMES: Mapping[str, str] = _Words("money.change_", MONEY_SLOTS)
# The words that name an answer (the first match wins, so "inkomen tijdens de overstap" is
# found before "inkomen").
CHANGE_WORDS = (
    ("m_childcare", r"kinderopvang|opvang|\bbso\b|gastouder"),
    ("m_travel", r"reis|benzine|\bov\b"),
    ("m_transition", r"transitie|ontslagvergoeding"),
    ("m_income_during", r"tijdens|overstap|leerwerk|\bbbl\b|opleiding|uitkering|\bww\b|bijstand"),
    ("m_household_income", r"partner|vriend|vrouw|\bman\b|in huis|huisgeno|ander inkomen"),
    ("m_dependants", r"kind|mensen|gezin|afhankelijk|personen"),
    ("m_savings", r"spaar|buffer|gespaard|reserve"),
    ("m_debts", r"schuld|achterstand|deurwaarder|aanmaning|incasso"),
    ("m_fixed_costs", r"vaste lasten|lasten|huur|hypotheek|kosten|uitgaven"),
    ("m_net_income", r"inkomen|salaris|loon|verdien|netto|krijg ik binnen"),
)


def changed_slot(text: str, entities: List[Dict[str, Any]]) -> Optional[str]:
    """Which answer the person wants to change: from a button's entity or from their words."""
    for entity in entities or []:
        if entity.get("entity") == "money_field" and entity.get("value") in MONEY_SLOTS:
            return entity["value"]
    lowered = text.lower()
    for slot, words in CHANGE_WORDS:
        if re.search(words, lowered):
            return slot
    return None


def changed_value(slot: str, text: str, previous: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The new answer when the message holds one ("mijn vaste lasten zijn 900"), as slot
    updates; None when it only names the answer to change."""
    if slot == "m_debts":
        signal = debt_signal(text)
        if signal.acute:
            return {"m_debts": dict(ACUTE)}
        if signal.arrears and (signal.amount is not None or signal.months is not None):
            return {"m_debts": arrears_answer(signal, debts=False), ARREARS_SLOT: SKIPPED}
        if re.search(r"\bgeen\b|\bniet meer\b|afbetaald|opgelost", text.lower()):
            return {"m_debts": {"debts": False, "arrears": False, "acute": False}}
        return None
    if slot == "m_income_during" and "zoveel als nu" in text.lower():
        return {slot: previous.get("m_net_income") or SKIPPED}
    parsed = registry.question(slot).parse(text)
    return {slot: parsed.value} if parsed.ok else None
