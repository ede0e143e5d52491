"""The profile in the chat: the profile message and the short summary, in plain Dutch.

Neither shows scores or Markdown. The words are texts by key: ``assessment.*`` for the
profile message (``data/texts/nl/assessment.yml``), ``profile.*`` for the summary
(``data/texts/nl/profile.yml``).
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Sequence

from babel.dates import format_date as babel_date

from loopbrug.assessment.profile import BlockResult, Profile
from loopbrug.assessment.questions import BLOCKS
from loopbrug.texts import DEFAULT_LANGUAGE
from loopbrug.texts import text as say


def lower_first(text: str) -> str:
    """Lowercase the first letter, so a sentence can follow "Let op: "."""
    return text[:1].lower() + text[1:]


def join(items: Sequence[str]) -> str:
    """Items as words: "a", "a en b", "a, b en c"; empty items are left out."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return say("assessment.list_last", rest=", ".join(items[:-1]), last=items[-1])


def format_date(created: datetime) -> str:
    """A date in words, e.g. "3 maart 2026" (Babel's month names: no system locale needed)."""
    return babel_date(created, "d MMMM y", locale=DEFAULT_LANGUAGE)


def condition_words(profile: Profile, level: str) -> List[str]:
    """The conditions at ``level``, as words inside a sentence ("ruimte in je leven")."""
    return [
        say(f"assessment.condition_short_{condition}")
        for condition, result in profile.conditions.items()
        if result.level == level
    ]


def _short(text: str, max_words: int) -> str:
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def _said(result: BlockResult, max_words: int = 12) -> str:
    """What the person said for one block, in at most ``max_words`` words."""
    parts: List[str] = []
    used = 0
    items = [f"'{_short(t, 7)}'" for t in result.own_words] + result.answers
    for item in items:
        size = len(item.split())
        if parts and used + size > max_words:
            break
        parts.append(item)
        used += size
    return ", ".join(parts) if parts else say("assessment.skipped")


def render_profile(profile: Profile) -> str:
    """The profile as one chat message in plain Dutch (fits a phone screen)."""
    lines = [say("assessment.profile_intro")]
    for block in BLOCKS:
        result = profile.blocks[block]
        level = say(f"assessment.level_{result.level}")
        lines.append(f"{result.title} ({level}): {_said(result)}.")

    if profile.strengths:
        lines.append(say("assessment.profile_strong", what=lower_first(profile.strengths[0])))
        lines.extend(profile.strengths[1:2])

    attention = condition_words(profile, "aandacht")
    unknown = condition_words(profile, "onbekend")
    if attention:
        lines.append(say("assessment.profile_attention", what=join(attention)))
    if profile.barriers:
        lines.append(say("assessment.profile_watch", what=lower_first(profile.barriers[0])))
        lines.extend(profile.barriers[1:3])
    if unknown:
        lines.append(say("assessment.profile_unknown", what=join(unknown)))
    if not attention and not unknown and not profile.barriers:
        lines.append(say("assessment.profile_no_barriers"))

    lines.append(say("assessment.profile_steps"))
    lines.extend(f"{n}. {step.text}" for n, step in enumerate(profile.next_steps, 1))
    lines.append(say("assessment.profile_choose"))
    return "\n".join(lines)


def chat_summary(profile: Profile) -> str:
    """A few plain lines: what fits, what to watch, the next step."""
    lines = [say("profile.summary_intro")]
    strong_blocks = [b for b in BLOCKS if profile.blocks[b].level == "sterk"]
    if profile.strengths:
        lines.append(say("profile.summary_fits", what=lower_first(profile.strengths[0])))
    elif strong_blocks:
        names = [say(f"profile.block_name_{b}") for b in strong_blocks]
        lines.append(say("profile.summary_fits_blocks", what=join(names)))
    else:
        lines.append(say("profile.summary_fits_none"))

    attention = condition_words(profile, "aandacht")
    unknown = condition_words(profile, "onbekend")
    if profile.barriers:
        lines.append(say("profile.summary_watch", what=lower_first(profile.barriers[0])))
    elif attention:
        lines.append(say("profile.summary_watch_conditions", what=join(attention)))
    elif unknown:
        lines.append(say("profile.summary_watch_unknown", what=join(unknown)))
    else:
        lines.append(say("profile.summary_watch_none"))

    if profile.next_steps:
        lines.append(say("profile.summary_step", what=lower_first(profile.next_steps[0].text)))
    return "\n".join(lines)
