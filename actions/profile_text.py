"""The profile in words a person reads: a short summary for the chat and a plain-text file.

Pure Python (no Rasa), like :mod:`actions.assessment`, whose scored ``Profile`` it renders.
The texts are data (``data/profile_export.yml``), loaded on first use. Neither output shows
scores, levels as jargon or Markdown: the chat summary is a few plain sentences, the file is
plain UTF-8 text that reads well when opened on a phone.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Sequence

import yaml

from actions.assessment import (
    BLOCK_MEANING,
    BLOCKS,
    CONDITION_SHORT,
    Profile,
    format_date,
    get_questions,
)

TEXTS_PATH = Path(__file__).resolve().parent.parent / "data" / "profile_export.yml"
LINK_HOURS = 24  # how long a download link of the web widget works
BULLET = "• "


@functools.lru_cache(maxsize=1)
def texts() -> Dict[str, Any]:
    """The texts of data/profile_export.yml (read once)."""
    return yaml.safe_load(TEXTS_PATH.read_text(encoding="utf-8"))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def _block_name(block: str) -> str:
    """A block as words inside a sentence ("je talenten", "werk- en denkniveau")."""
    return {
        "talenten": "je talenten",
        "skills": "wat je kunt",
        "drijfveren": "wat je belangrijk vindt",
        "wendbaarheid": "omgaan met verandering",
        "niveau": "je werk- en denkniveau",
        "doel_motivatie": "weten wat je wilt",
    }[block]


def chat_summary(profile: Profile) -> str:
    """A few plain lines: what fits, what to watch, the next step."""
    t = texts()["summary"]
    lines = [t["intro"]]
    strong_blocks = [b for b in BLOCKS if profile.blocks[b].level == "sterk"]
    if profile.strengths:
        lines.append(t["fits"].format(what=_lower_first(profile.strengths[0])))
    elif strong_blocks:
        lines.append(t["fits_blocks"].format(what=_join([_block_name(b) for b in strong_blocks])))
    else:
        lines.append(t["fits_none"])

    attention = [CONDITION_SHORT[c] for c, r in profile.conditions.items() if r.level == "aandacht"]
    unknown = [CONDITION_SHORT[c] for c, r in profile.conditions.items() if r.level == "onbekend"]
    if profile.barriers:
        lines.append(t["watch"].format(what=_lower_first(profile.barriers[0])))
    elif attention:
        lines.append(t["watch_conditions"].format(what=_join(attention)))
    elif unknown:
        lines.append(t["watch_unknown"].format(what=_join(unknown)))
    else:
        lines.append(t["watch_none"])

    if profile.next_steps:
        lines.append(t["step"].format(what=_lower_first(profile.next_steps[0].text)))
    return "\n".join(lines)


def file_name(created: datetime) -> str:
    """The file's name, with the date it was made (ISO, so files sort by date)."""
    return texts()["file"]["name"].format(date=created.date().isoformat())


def caption(web: bool) -> str:
    """The line shown with the file: a link that expires in the widget, a file elsewhere."""
    t = texts()["caption"]
    return t["web"].format(hours=LINK_HOURS) if web else t["other"]


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
    t = texts()["file"]
    levels = texts()["levels"]
    out: List[str] = [
        t["title"],
        t["made"].format(date=format_date(created)),
        "",
        t["about"].strip(),
        "",
        "",
        t["blocks_title"],
    ]
    for block in BLOCKS:
        result = profile.blocks[block]
        out += ["", f"{result.title}: {_lower_first(BLOCK_MEANING[block])}"]
        if result.own_words or result.answers:
            out.append(t["said"].format(what=_said(result.own_words, result.answers)))
        else:
            out.append(t["skipped"])
        out.append(levels[result.level])

    out += ["", "", t["conditions_title"], "", t["conditions_about"]]
    for condition, result in profile.conditions.items():
        name = CONDITION_SHORT[condition]
        out.append(f"{BULLET}{name[:1].upper()}{name[1:]}: {_lower_first(levels[result.level])}")

    out += ["", "", t["barriers_title"], ""]
    out += [BULLET + line for line in profile.barriers] or [t["barriers_none"]]
    if profile.situation:
        out += ["", "", t["situation_title"], ""]
        out += [BULLET + _sentence(line) for line in profile.situation]

    if profile.strengths:
        out += ["", "", t["strengths_title"], ""]
        out += [BULLET + line for line in profile.strengths]

    out += ["", "", t["steps_title"], ""]
    for n, step in enumerate(profile.next_steps, 1):
        out.append(f"{n}. {step.text}")
        out.append("   " + t["why"].format(what=step.reason))

    out += ["", "", t["take_title"], ""]
    out += [BULLET + line for line in t["take"]]
    out += [
        "",
        t["answered"].format(answered=profile.answered, total=len(get_questions())),
        t["erase"],
    ]
    return "\n".join(out) + "\n"
