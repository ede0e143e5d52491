"""Scoring the answers of the self-test into a :class:`~loopbrug.assessment.profile.Profile`.

Scoring (docs/assessment-scoring.md says the same for non-programmers)
    Every scored option has 0 (low or a barrier), 1 (middle) or 2 (strong). A group is one of
    the six building blocks or one of the three conditions for moving (Triad model, seed 000:
    motivatie, capaciteit, gelegenheid; if one is missing, people do not move).

    * ``onbekend`` when fewer than half of the group's scored questions were answered
      (``MIN_ANSWERED_SHARE``). Skips are never filled in with a guess.
    * Otherwise the mean of the answered scores: ``sterk`` from ``STRONG_MEAN`` (1.5),
      ``gemiddeld`` from ``MIDDLE_MEAN`` (0.75), ``aandacht`` below that.
    * One answer scored 0 keeps a group from ``sterk``: one clear low point deserves a look,
      even when the rest is strong.
    * Conditions only: a life-situation barrier keeps the condition from ``sterk``; a heavy
      barrier (an answer scored 0, e.g. often money worries, debts, much care work) makes it
      ``aandacht`` whatever the rest says, because one missing condition blocks a move. This
      holds even when other questions were skipped: a barrier someone named is a fact.

    Next steps follow ``_step_candidates``: each rule gives intents with a priority and the
    reason in plain Dutch; the 2-3 most urgent distinct ones are kept (``MAX_STEPS``).

The words (titles, reasons, barriers) are texts by key in ``data/texts/nl/assessment.yml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from loopbrug.assessment.interpret import clean_text
from loopbrug.assessment.profile import (
    BlockResult,
    ConditionResult,
    NextStep,
    Profile,
)
from loopbrug.assessment.questions import (
    BLOCKS,
    CONDITIONS,
    SITUATION,
    Option,
    Question,
    get_questions,
)
from loopbrug.texts import text as say

STRONG_MEAN = 1.5
MIDDLE_MEAN = 0.75
MIN_ANSWERED_SHARE = 0.5
MIN_STEPS = 2
MAX_STEPS = 3


@dataclass(frozen=True)
class _Answer:
    question: Question
    value: Optional[str]
    score: Optional[int]
    option: Optional[Option]

    @property
    def phrase(self) -> str:
        if self.option is not None:
            return self.option.phrase
        return self.value or ""


def _sentence(phrase: str) -> str:
    phrase = phrase.strip()
    if not phrase:
        return ""
    phrase = phrase[0].upper() + phrase[1:]
    return phrase if phrase[-1] in ".!?" else phrase + "."


def _resolve(
    answers: Dict[str, Any], questions: Sequence[Question]
) -> Tuple[Dict[str, _Answer], List[str]]:
    """Answers per question id, and the ids that were skipped (or never answered)."""
    resolved: Dict[str, _Answer] = {}
    skipped: List[str] = []
    for question in questions:
        raw = answers.get(question.id)
        if not isinstance(raw, dict) or raw.get("skipped") or raw.get("value") in (None, ""):
            skipped.append(question.id)
            continue
        value = str(raw["value"])
        option = question.option(value) if question.kind != "text" else None
        if question.kind == "text":
            value = clean_text(value)
        # The stored score is what the person answered then; fall back to today's option.
        score = raw["score"] if "score" in raw else (option.score if option else None)
        if score not in (0, 1, 2):
            score = None
        resolved[question.id] = _Answer(question, value, score, option)
    return resolved, skipped


def _judge(
    questions: Sequence[Question],
    answered: Dict[str, _Answer],
    barriers: Sequence[_Answer] = (),
) -> Tuple[str, List[str]]:
    """Level and reasons for one group of questions (a block or a condition)."""
    scored_questions = [q for q in questions if q.scored]
    scored = [answered[q.id] for q in scored_questions if q.id in answered]
    scored = [a for a in scored if a.score is not None]
    reasons = [
        f"{_sentence(a.phrase)[:-1]} ({say(f'assessment.score_{a.score}')})." for a in scored
    ]
    heavy = [b for b in barriers if b.score == 0]

    if heavy:
        reasons.append(say("assessment.reason_heavy_barrier"))
        return "aandacht", reasons
    needed = math.ceil(len(scored_questions) * MIN_ANSWERED_SHARE)
    if not scored or len(scored) < needed:
        reasons.append(say("assessment.reason_too_many_skipped"))
        return "onbekend", reasons

    mean = sum(a.score for a in scored) / len(scored)  # type: ignore[misc]
    mean_text = f"{mean:.1f}".replace(".", ",")  # Dutch decimal comma
    reasons.append(
        say(
            "assessment.reason_mean",
            answered=len(scored),
            total=len(scored_questions),
            mean=mean_text,
        )
    )
    level = "sterk" if mean >= STRONG_MEAN else "gemiddeld" if mean >= MIDDLE_MEAN else "aandacht"
    if level == "sterk" and any(a.score == 0 for a in scored):
        level = "gemiddeld"
        reasons.append(say("assessment.reason_one_low"))
    if level == "sterk" and barriers:
        level = "gemiddeld"
        reasons.append(say("assessment.reason_barrier"))
    return level, reasons


def _score(answered: Dict[str, _Answer], qid: str) -> Optional[int]:
    answer = answered.get(qid)
    return answer.score if answer else None


def _value(answered: Dict[str, _Answer], qid: str) -> Optional[str]:
    answer = answered.get(qid)
    return answer.value if answer else None


def _step_candidates(
    blocks: Dict[str, BlockResult],
    conditions: Dict[str, ConditionResult],
    kinds: Sequence[str],
    heavy_kinds: Sequence[str],
    answered: Dict[str, _Answer],
) -> List[Tuple[int, str, str]]:
    """(priority, intent, reason) for every rule that fires; lower priority comes first.

    Why these rules (seeds 000-004, conversation design):
    - Debts first: sensitive subjects get priority and a fast route to help, and no switch
      plan holds while debts press.
    - Money worries: an income drop, no buffer or extra costs block switches; a money check
      shows what a switch means before someone chooses.
    - Low confidence, hard time with change, or a heavy life situation: a coach. 1:1 coaching
      builds confidence, and life situation and capacity to change need a personal approach.
    - Little formal education but work experience: skills count, not only diplomas; skills
      recognition (EVC, praktijkverklaring) makes that experience visible.
    - Motivation and capacity both strong: try the work (70% of participants named
      assessments plus a meeloopdag as what helped most) and learn how to enter a sector.
    - Language or digital skills: guidance such as a buddy; in the seeds a buddy helped a
      colleague through the online assessments.
    - Wants to move, capacity not yet strong, open to learning: training routes, then how to
      pay for them; not while a heavy barrier leaves no time or money for weeks of learning.
    - Not sure what fits (motivation or drives unclear or unknown): an orientation programme;
      many people want to move but have no idea what fits them.
    - Capacity strong but motivation not: seeing where the work is makes options concrete.
    """
    found: List[Tuple[int, str, str]] = []
    motivation = conditions["motivatie"].level
    capacity = conditions["capaciteit"].level

    if "schulden" in kinds:
        found.append((10, "debt_help", say("assessment.why_debt_help")))
    if "geld" in kinds or "schulden" in kinds:
        found.append((20, "finance_check", say("assessment.why_finance_check")))
    low_confidence = _score(answered, "q_vertrouwen") == 0
    heavy_life = len(heavy_kinds) >= 2 or "gezondheid" in heavy_kinds
    if low_confidence or heavy_life or blocks["wendbaarheid"].level == "aandacht":
        why = "low_confidence" if low_confidence else "heavy_life" if heavy_life else "change_hard"
        found.append((30, "request_human", say(f"assessment.why_request_human_{why}")))
    diploma = _value(answered, "q_diploma")
    little_education = diploma in ("geen", "vmbo_mbo12", "buitenland")
    if little_education and (_score(answered, "q_ervaring") or 0) >= 1:
        found.append((45, "skills_recognition", say("assessment.why_skills_recognition")))
    if motivation == "sterk" and capacity == "sterk":
        found.append((40, "experience_work", say("assessment.why_experience_work")))
        found.append((41, "sector_info", say("assessment.why_sector_info")))
    if "taal" in kinds or "digitaal" in kinds:
        found.append((50, "guidance_support", say("assessment.why_guidance_support")))
    if (
        motivation == "sterk"
        and capacity in ("gemiddeld", "aandacht")
        and conditions["gelegenheid"].level != "aandacht"
    ):
        if (_score(answered, "q_leren") or 0) >= 1:
            found.append((55, "training_routes", say("assessment.why_training_routes")))
            found.append((70, "funding_overview", say("assessment.why_funding_overview")))
    if (
        motivation in ("gemiddeld", "aandacht", "onbekend")
        or blocks["drijfveren"].level in ("aandacht", "onbekend")
        or _score(answered, "q_drijfveer_helder") == 0
    ):
        found.append((60, "orientation_programs", say("assessment.why_orientation_programs")))
    if capacity == "sterk" and motivation != "sterk":
        found.append((65, "shortage_sectors", say("assessment.why_shortage_sectors")))
    return found


# Used when fewer than two rules fire: finding out what fits, a person, then where work is
# (for someone with strong motivation, how to start in a sector comes first). Each has its
# reason under assessment.fallback_<intent>.
FALLBACK_STEPS: Tuple[str, ...] = ("orientation_programs", "request_human", "shortage_sectors")


def score_profile(
    answers: Dict[str, Any], questions: Optional[Sequence[Question]] = None
) -> Profile:
    """Score a set of answers (question id -> {"value", "score"} or {"skipped": True})."""
    questions = tuple(questions if questions is not None else get_questions())
    answered, skipped = _resolve(answers or {}, questions)

    blocks: Dict[str, BlockResult] = {}
    for block in BLOCKS:
        group = [q for q in questions if q.block == block]
        level, reasons = _judge(group, answered)
        result = BlockResult(
            block=block, title=say(f"assessment.block_{block}"), level=level, reasons=reasons
        )
        for question in group:
            answer = answered.get(question.id)
            if answer is None:
                continue
            if question.kind == "text":
                result.own_words.append(answer.value or "")
            else:
                result.answers.append(answer.phrase)
        blocks[block] = result

    barrier_answers = [a for a in answered.values() if a.option is not None and a.option.barriers]
    kinds: List[str] = []
    heavy_kinds: List[str] = []
    for answer in barrier_answers:
        for kind in answer.option.barriers:  # type: ignore[union-attr]
            if kind not in kinds:
                kinds.append(kind)
            if answer.score == 0 and kind not in heavy_kinds:
                heavy_kinds.append(kind)

    conditions: Dict[str, ConditionResult] = {}
    for condition in CONDITIONS:
        group = [q for q in questions if condition in q.conditions]
        ids = {q.id for q in group}
        level, reasons = _judge(
            group, answered, [a for a in barrier_answers if a.question.id in ids]
        )
        conditions[condition] = ConditionResult(
            condition=condition,
            title=say(f"assessment.condition_{condition}"),
            level=level,
            reasons=reasons,
        )

    strengths = [
        _sentence(a.phrase)
        for q in questions
        if q.block != SITUATION and (a := answered.get(q.id)) is not None and a.score == 2
    ]
    situation = [
        _sentence(a.phrase)
        for q in questions
        if q.block == SITUATION and (a := answered.get(q.id)) is not None
    ]

    chosen: Dict[str, str] = {}
    for _, intent, reason in sorted(
        _step_candidates(blocks, conditions, kinds, heavy_kinds, answered)
    ):
        if intent not in chosen and len(chosen) < MAX_STEPS:
            chosen[intent] = reason
    fallbacks = FALLBACK_STEPS
    if conditions["motivatie"].level == "sterk":
        # Someone who knows what they want gains more from how to start than from orienting.
        fallbacks = ("sector_info",) + fallbacks
    for intent in fallbacks:
        if len(chosen) >= MIN_STEPS:
            break
        if intent not in chosen:
            chosen[intent] = say(f"assessment.fallback_{intent}")

    return Profile(
        blocks=blocks,
        conditions=conditions,
        barriers=[say(f"assessment.barrier_{k}") for k in kinds],
        barrier_kinds=kinds,
        situation=situation,
        strengths=strengths,
        next_steps=[NextStep(intent, reason) for intent, reason in chosen.items()],
        answered=len(answered),
        skipped=skipped,
    )
