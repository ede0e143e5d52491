"""What a person reads for a unit: the answer, where to check it, and the next steps.

Plain data (text and buttons), so the Rasa actions only send it and the benchmark reads the
very same text the helpline sends.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from loopbrug.knowledge.units import KnowledgeBase, Unit

# "en in mijn regio?", "hoe zit dat bij mij in de buurt": the regional side of the last answer.
REGIONAL_FOLLOW_UP = re.compile(
    r"\b(in|bij|voor) (mijn|onze|de) (regio|buurt|gemeente|omgeving|stad|provincie)\b"
    r"|\bbij (mij|ons) (in de buurt|in de regio)?\b|\bhier in de (buurt|regio)\b|\bregionaal\b"
)


@dataclass
class Reply:
    """One message: text and buttons as the channels send them."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


def check_line(kb: KnowledgeBase, unit: Unit) -> str:
    """Where to check the answer, and the month it was checked (or that we are not sure)."""
    values = {"name": unit.check.name, "url": unit.check.url, "month": unit.checked_month}
    key = "unverified_line" if unit.status == "unverified" else "check_line"
    return kb.text(key, **values)


OTHER_QUESTION = "other_question"  # the intent of the button that offers a close second unit
MAX_STEPS_WITH_ALTERNATIVE = 2  # so the buttons stay one screen on a phone


def buttons(
    kb: KnowledgeBase, unit: Unit, more: bool = True, alternative: Optional[Unit] = None
) -> List[Dict[str, str]]:
    """ "Meer weten?" when there is more, the close second question when there is one, the
    unit's next steps, and always "Andere vraag"."""
    found = []
    if more and unit.more:
        payload = "/more_info" + json.dumps({"kb_id": unit.id})
        found.append({"title": kb.text("more_label"), "payload": payload})
    steps = list(unit.next) or ["request_human"]
    if alternative is not None and alternative.title:
        payload = f"/{OTHER_QUESTION}" + json.dumps({"kb_id": alternative.id})
        found.append({"title": alternative.title, "payload": payload})
        steps = steps[:MAX_STEPS_WITH_ALTERNATIVE]
    if "capabilities" not in steps:
        steps.append("capabilities")
    found += [{"title": kb.label(step), "payload": f"/{step}"} for step in steps]
    return found


def answer(
    kb: KnowledgeBase, unit: Unit, with_buttons: bool = True, alternative: Optional[Unit] = None
) -> Reply:
    """The first reply for a unit: the answer first, then where to check it."""
    text = f"{unit.answer}\n{check_line(kb, unit)}"
    return Reply(text, buttons(kb, unit, alternative=alternative) if with_buttons else [])


def more(kb: KnowledgeBase, unit: Optional[Unit]) -> Reply:
    """The longer explanation behind "Meer weten?", or that there is no more."""
    if unit is None or not unit.more:
        return Reply(
            kb.text("no_more"),
            [
                {"title": kb.label("request_human"), "payload": "/request_human"},
                {"title": kb.label("capabilities"), "payload": "/capabilities"},
            ],
        )
    return Reply(unit.more, buttons(kb, unit, more=False))


def no_answer(kb: KnowledgeBase) -> Reply:
    """When nothing in the knowledge base fits."""
    return Reply(
        kb.text("no_answer"),
        [
            {"title": kb.label("request_human"), "payload": "/request_human"},
            {"title": kb.label("find_loket"), "payload": "/find_loket"},
        ],
    )


def asks_regional(text: str) -> bool:
    """True for "en in mijn regio?" and the like."""
    return bool(REGIONAL_FOLLOW_UP.search(text.lower()))
