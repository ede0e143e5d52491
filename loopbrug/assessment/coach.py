"""The Persoonlijk Profiel as a coach reads it: about the person, in the third person.

The person's own profile (:mod:`loopbrug.assessment.render`) speaks to them ("je wilt heel
graag ander werk"). The handoff summary needs the same profile for a coach ("De persoon wil
heel graag ander werk."), so the coach can start from it. Both come from the same stored
:class:`~loopbrug.assessment.profile.Profile`; only the words differ.

A stored profile holds each answer as the phrase the person read (the option's ``says``), so
the coach's words are found back through the question data: every option has a coach text
``coach_profile.answer_<question>_<value>`` (data/texts/nl/coach_profile.yml; a unit test
checks that none is missing). An answer that matches no option (words typed at a choice
question, or a profile stored before a question changed) is shown as stored.
"""

from __future__ import annotations

import functools
from typing import Dict, List, Sequence

from loopbrug.assessment.profile import BlockResult, Profile, step_button
from loopbrug.assessment.questions import BLOCKS, get_questions
from loopbrug.assessment.render import join, lower_first
from loopbrug.texts import has
from loopbrug.texts import text as say

MAX_OWN_WORDS = 20  # words per quote of the person's own words
MAX_BARRIERS = 3  # as in the person's own profile
MAX_STRENGTHS = 2


def _plain(phrase: str) -> str:
    """A phrase as compared: no capital at the start, no full stop at the end."""
    phrase = phrase.strip().rstrip(".!?").strip()
    return phrase[:1].lower() + phrase[1:]


@functools.lru_cache(maxsize=1)
def _coach_words() -> Dict[str, str]:
    """The person's phrase of every option -> the coach's words for it."""
    words: Dict[str, str] = {}
    for question in get_questions():
        for option in question.options:
            key = f"coach_profile.answer_{question.id}_{option.value}"
            if has(key):
                words.setdefault(_plain(option.phrase), say(key))
    return words


def about(phrase: str) -> str:
    """The coach's words for an answer ("wil heel graag ander werk"); else the phrase."""
    return _coach_words().get(_plain(phrase), _plain(phrase))


def _quote(words: str) -> str:
    parts = words.split()
    short = words if len(parts) <= MAX_OWN_WORDS else " ".join(parts[:MAX_OWN_WORDS]) + " …"
    return f"'{short.strip()}'"


def _block_line(result: BlockResult) -> str:
    parts: List[str] = []
    if result.answers:
        parts.append(say("coach_profile.said", what=join([about(a) for a in result.answers])))
    own = [_quote(words) for words in result.own_words if words.strip()]
    if own:
        parts.append(say("coach_profile.own_words", words=", ".join(own)))
    what = " ".join(parts) or say("coach_profile.skipped")
    level = say(f"assessment.level_{result.level}")
    return say("coach_profile.block", title=result.title, level=level, what=what)


def _conditions(profile: Profile, level: str) -> List[str]:
    return [
        say(f"coach_profile.condition_{condition}")
        for condition, result in profile.conditions.items()
        if result.level == level
    ]


def _barriers(profile: Profile) -> Sequence[str]:
    """The barriers in the coach's words; a kind without a coach text keeps its stored text."""
    if len(profile.barrier_kinds) == len(profile.barriers):
        return [
            say(f"coach_profile.barrier_{kind}") if has(f"coach_profile.barrier_{kind}") else said
            for kind, said in zip(profile.barrier_kinds, profile.barriers)
        ]
    return [_plain(said) for said in profile.barriers]


def coach_lines(profile: Profile) -> List[str]:
    """The profile as short lines for the coach, in the order of the person's own profile."""
    lines = [_block_line(profile.blocks[block]) for block in BLOCKS if block in profile.blocks]
    if profile.strengths:
        strong = [about(s) for s in profile.strengths[:MAX_STRENGTHS]]
        lines.append(say("coach_profile.strong", what=join(strong)))
    attention = _conditions(profile, "aandacht")
    unknown = _conditions(profile, "onbekend")
    if attention:
        lines.append(say("coach_profile.attention", what=join(attention)))
    lines.extend(
        say("coach_profile.watch", what=barrier) for barrier in _barriers(profile)[:MAX_BARRIERS]
    )
    if unknown:
        lines.append(say("coach_profile.unknown", what=join(unknown)))
    if not attention and not unknown and not profile.barriers:
        lines.append(say("coach_profile.no_barriers"))
    steps = [lower_first(step_button(step.intent) or step.intent) for step in profile.next_steps]
    if steps:
        lines.append(say("coach_profile.steps", what=join(steps)))
    return lines
