"""The amounts a person typed into the money check and the calculators, for the coach.

The money check stores only its outcome (a colour and ranges: loopbrug/money/check.py), and
the forms clear their slots once they are done. What the person typed is still in the
conversation: the slot events the forms' validation set, already read as numbers (per month
where the question asks per month). This module reads them back from the tracker events.

They reach a ticket only when the person said yes to the extra handoff question
(``handoff_share_money``, asked only when :func:`has_amounts`); otherwise the summary says the
coach must ask them again. Which slots count comes from the money forms' registry
(loopbrug/money/registry.py), so a new calculator's amounts are listed without a new list.

When an answer was given twice (a correction, a second check) the latest one counts. Events
before a restart ("opnieuw": the person chose to start over) are not read.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from loopbrug.conversation import read_events
from loopbrug.money import registry
from loopbrug.money.amounts import format_euro, plain_number
from loopbrug.texts import text

RESTART = "restart"
# How each kind of answer is written (the question's reading rule decides the kind).
PER_MONTH_RULES = (registry.monthly_amount,)
COUNT_RULES = (registry.people,)
YEAR_RULES = (registry.years,)


def _answer_slots() -> Dict[str, registry.Question]:
    """Every question of every money form whose answer a coach may be shown, in form order."""
    return {
        question.slot: question
        for form in registry.FORMS
        for question in form.questions
        # A number, or the debts answer (read by the form itself). The check-back of a high
        # salary and the arrears follow-up hold no answer of their own.
        if question.read is not None or question.slot == "m_debts"
    }


def _is_skipped(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("skipped") is True


def _is_answer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or isinstance(value, Mapping)


def typed_amounts(events: Any) -> Dict[str, Any]:
    """The latest answer per money question in this conversation (since a restart), in the
    order the forms ask them; skipped questions hold ``{"skipped": True}``."""
    slots = _answer_slots()
    latest: Dict[str, Any] = {}
    for event in read_events(events):
        if event.kind == RESTART:
            latest = {}
        elif event.is_slot() and event.name in slots and _is_answer(event.value):
            latest[event.name] = event.value
    return {slot: latest[slot] for slot in slots if slot in latest}


def has_amounts(events: Any) -> bool:
    """True when the person typed at least one money answer (not only "weet ik niet")."""
    return any(not _is_skipped(value) for value in typed_amounts(events).values())


def _value_words(question: registry.Question, value: Any) -> Optional[str]:
    if _is_skipped(value):
        return text("summary.amount_skipped")
    if not isinstance(value, (int, float)):
        return None
    if question.read in COUNT_RULES:
        return plain_number(value)
    if question.read in YEAR_RULES:
        return text("summary.amount_years", years=plain_number(value))
    if question.read in PER_MONTH_RULES:
        return text("summary.amount_per_month", amount=format_euro(value))
    return format_euro(value)


def _debts_words(value: Any) -> Optional[str]:
    """The answer to "Heb je schulden of betalingsachterstanden?" in words for the coach."""
    if _is_skipped(value):
        return text("summary.amount_skipped")
    if not isinstance(value, Mapping):
        return None
    if value.get("acute"):
        return text("summary.debts_acute")
    parts: List[str] = []
    if value.get("debts"):
        parts.append(text("summary.debts_yes"))
    if value.get("arrears"):
        kind = value.get("kind")
        parts.append(
            text("summary.arrears_kind", kind=kind) if kind else text("summary.arrears_yes")
        )
    return ", ".join(parts) if parts else text("summary.debts_none")


def amount_lines(amounts: Mapping[str, Any]) -> List[str]:
    """One line per answer, "Netto inkomen nu: € 2.537 per maand", in the forms' order."""
    slots = _answer_slots()
    lines: List[str] = []
    for slot, question in slots.items():
        if slot not in amounts:
            continue
        value = amounts[slot]
        words = _debts_words(value) if slot == "m_debts" else _value_words(question, value)
        if words:
            lines.append(
                text("summary.amount_line", what=text(f"summary.amount_{slot}"), value=words)
            )
    return lines
