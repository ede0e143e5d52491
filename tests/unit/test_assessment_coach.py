"""The Persoonlijk Profiel for the coach (loopbrug/assessment/coach.py): third person."""

from __future__ import annotations

import pytest

from loopbrug.assessment.coach import about, coach_lines
from loopbrug.assessment.profile import BlockResult, ConditionResult, NextStep, Profile
from loopbrug.assessment.questions import BLOCKS, get_questions
from loopbrug.texts import has, text

OPTIONS = [(question, option) for question in get_questions() for option in question.options]


@pytest.mark.parametrize("question, option", OPTIONS, ids=[f"{q.id}-{o.value}" for q, o in OPTIONS])
def test_every_answer_has_words_for_the_coach(question, option):
    key = f"coach_profile.answer_{question.id}_{option.value}"
    assert has(key), f"add {key} to data/texts/nl/coach_profile.yml"
    # The person's phrase, as stored in the profile, finds the coach's words.
    assert about(option.phrase) == text(key)
    assert about(option.phrase[:1].upper() + option.phrase[1:] + ".") == text(key)
    words = text(key).lower().split()
    assert not {"je", "jij", "jou", "jouw"} & set(words)


def test_every_barrier_has_words_for_the_coach():
    from loopbrug.assessment.questions import BARRIER_KINDS

    for kind in BARRIER_KINDS:
        assert has(f"coach_profile.barrier_{kind}")


def test_an_answer_without_an_option_is_shown_as_stored():
    assert about("ik typte iets anders") == "ik typte iets anders"


def profile(**changes) -> Profile:
    blocks = {
        block: BlockResult(block=block, title=text(f"assessment.block_{block}"), level="onbekend")
        for block in BLOCKS
    }
    conditions = {
        name: ConditionResult(condition=name, title=name, level="sterk")
        for name in ("motivatie", "capaciteit", "gelegenheid")
    }
    return Profile(blocks=blocks, conditions=conditions, **changes)


def test_a_profile_without_barriers_says_so_and_lists_the_tips():
    lines = coach_lines(profile(next_steps=[NextStep("experience_work", "x")]))
    assert lines[len(BLOCKS) :] == [
        "Willen, kunnen en ruimte in het leven: geen grote drempels gezien.",
        "Tips die de persoon kreeg: een dag meelopen.",
    ]
    assert lines[0] == "Talenten (nog onbekend): Overgeslagen."


def test_barriers_are_about_the_person():
    lines = coach_lines(profile(barriers=["Je zorgt veel voor anderen."], barrier_kinds=["zorg"]))
    assert lines[len(BLOCKS) :] == ["Let op: de persoon zorgt veel voor anderen."]
