"""The profile as a file a person takes to a coach or desk, and how each channel gets it.

The file is plain UTF-8 text that reads well when opened on a phone: no scores, no levels
as jargon, no Markdown. Its words are texts by key (``profile.*``, in
``data/texts/nl/profile.yml``). How a channel gets the file (a download link or the file
itself) is :mod:`loopbrug.assessment.files`; the mail is :mod:`loopbrug.assessment.mailing`.
"""

from __future__ import annotations

from datetime import datetime
from typing import List

from loopbrug.assessment.profile import Profile
from loopbrug.assessment.questions import BLOCKS, get_questions
from loopbrug.assessment.render import format_date, lower_first
from loopbrug.texts import text as say

LINK_HOURS = 24  # how long a download link of the web widget works
BULLET = "• "
# What to bring to a coach or desk, in this order (profile.file_take_<name>).
TAKE_ALONG = ("show", "cv", "diplomas", "questions")


def file_name(created: datetime) -> str:
    """The file's name, with the date it was made (ISO, so files sort by date)."""
    return say("profile.file_name", date=created.date().isoformat())


def caption(web: bool) -> str:
    """The line shown with the file: a link that expires in the widget, a file elsewhere."""
    return say("profile.caption_web", hours=LINK_HOURS) if web else say("profile.caption_other")


def _said(own_words: List[str], answers: List[str]) -> str:
    parts = [f"“{text}”" for text in own_words] + answers
    return "; ".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def profile_file(profile: Profile, created: datetime) -> str:
    """The whole profile as plain text, to save or take to a coach or desk."""
    out: List[str] = [
        say("profile.file_title"),
        say("profile.file_made", date=format_date(created)),
        "",
        say("profile.file_about"),
        "",
        "",
        say("profile.file_blocks_title"),
    ]
    for block in BLOCKS:
        result = profile.blocks[block]
        meaning = lower_first(say(f"profile.block_meaning_{block}"))
        out += ["", f"{result.title}: {meaning}"]
        if result.own_words or result.answers:
            out.append(say("profile.file_said", what=_said(result.own_words, result.answers)))
        else:
            out.append(say("profile.file_skipped"))
        out.append(say(f"profile.level_{result.level}"))

    out += [
        "",
        "",
        say("profile.file_conditions_title"),
        "",
        say("profile.file_conditions_about"),
    ]
    for condition, result in profile.conditions.items():
        name = say(f"assessment.condition_short_{condition}")
        level = lower_first(say(f"profile.level_{result.level}"))
        out.append(f"{BULLET}{name[:1].upper()}{name[1:]}: {level}")

    out += ["", "", say("profile.file_barriers_title"), ""]
    out += [BULLET + line for line in profile.barriers] or [say("profile.file_barriers_none")]
    if profile.situation:
        out += ["", "", say("profile.file_situation_title"), ""]
        out += [BULLET + _sentence(line) for line in profile.situation]

    if profile.strengths:
        out += ["", "", say("profile.file_strengths_title"), ""]
        out += [BULLET + line for line in profile.strengths]

    out += ["", "", say("profile.file_steps_title"), ""]
    for n, step in enumerate(profile.next_steps, 1):
        out.append(f"{n}. {step.text}")
        out.append("   " + say("profile.file_why", what=step.reason))

    out += ["", "", say("profile.file_take_title"), ""]
    out += [BULLET + say(f"profile.file_take_{name}") for name in TAKE_ALONG]
    out += [
        "",
        say("profile.file_answered", answered=profile.answered, total=len(get_questions())),
        say("profile.file_erase"),
    ]
    return "\n".join(out) + "\n"
