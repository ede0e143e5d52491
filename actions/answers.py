"""Answers from the knowledge base (actions/knowledge_base.py, data/knowledge/).

``action_answer`` answers orientation and funding questions with the entry that fits the
message best: sector, keyword, the person's region, or the national default. It always ends
with next-step buttons, plus "Meer weten?" when the entry has a longer explanation, which
``action_answer_more`` gives.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import NEXT_STEPS, Entry, get_knowledge_base
from actions.location import known_place, region_slots
from actions.region import get_region_model

MORE_LABEL = "Meer weten?"
NO_ENTRY_TEXT = (
    "Daar heb ik nog geen goed antwoord op. Een coach of het leerwerkloket kan je verder helpen."
)


def buttons_for(entry: Entry) -> List[Dict[str, str]]:
    """Next-step buttons of an entry, with "Meer weten?" first when there is more to say."""
    buttons = []
    if entry.more:
        payload = "/more_info" + json.dumps({"kb_id": entry.id})
        buttons.append({"title": MORE_LABEL, "payload": payload})
    steps = list(entry.next) or ["request_human"]
    if "capabilities" not in steps:
        steps.append("capabilities")
    buttons += [{"title": NEXT_STEPS[s], "payload": f"/{s}"} for s in steps]
    return buttons


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    """The first value of an entity in the latest message."""
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value else None


class ActionAnswer(Action):
    """Answer the latest question from the knowledge base."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Pick the entry and send it."""
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        kb = get_knowledge_base()
        # A place named in the question itself, also misspelt ("kan ik in Leeuwaarden een
        # voucher krijgen"), counts for this answer and is remembered.
        moved: List[Dict[str, Any]] = []
        if kb.regional(intent):
            said = str(message.get("text") or "")
            match = get_region_model().resolve(said) if not said.startswith("/") else None
            if match is not None and match.status == "found" and match.gemeente:
                moved = region_slots(match.gemeente, said)
                tracker.slots.update({e["name"]: e["value"] for e in moved})
        entry = kb.select(
            intent,
            sector=latest_entity(tracker, "sector"),
            text=message.get("text") or "",
            region=tracker.get_slot("arbeidsmarktregio"),
        )
        if entry is None:
            dispatcher.utter_message(
                text=NO_ENTRY_TEXT,
                buttons=[
                    {"title": NEXT_STEPS["request_human"], "payload": "/request_human"},
                    {"title": NEXT_STEPS["find_loket"], "payload": "/find_loket"},
                ],
            )
            return []
        if not kb.regional(intent) or entry.when:  # the same wherever the person lives
            dispatcher.utter_message(text=entry.answer, buttons=buttons_for(entry))
            return [*moved, SlotSet("last_topic", entry.id)]
        # The answer depends on the region: use the place we know and say so, with the way
        # to change it; ask for it only when it is not known (issue 16).
        dispatcher.utter_message(text=entry.answer)
        place = known_place(tracker)
        if place is None:
            dispatcher.utter_message(response="utter_place_ask", buttons=buttons_for(entry))
        elif entry.national:
            dispatcher.utter_message(
                response="utter_place_no_regional_fund", buttons=buttons_for(entry), **place
            )
        else:
            dispatcher.utter_message(
                response="utter_place_used", buttons=buttons_for(entry), **place
            )
        return [*moved, SlotSet("last_topic", entry.id)]


class ActionAnswerMore(Action):
    """The longer explanation of the topic just answered ("Meer weten?")."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_answer_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Send the entry's ``more`` text, or say there is nothing more."""
        kb = get_knowledge_base()
        topic = latest_entity(tracker, "kb_id") or tracker.get_slot("last_topic")
        entry = kb.by_id.get(topic or "")
        if entry is None or not entry.more:
            dispatcher.utter_message(
                text="Meer heb ik hier niet over. Wil je iets anders vragen, of met een coach praten?",
                buttons=[
                    {"title": NEXT_STEPS["request_human"], "payload": "/request_human"},
                    {"title": NEXT_STEPS["capabilities"], "payload": "/capabilities"},
                ],
            )
            return []
        steps = [s for s in entry.next if s] or ["request_human"]
        dispatcher.utter_message(
            text=entry.more,
            buttons=[{"title": NEXT_STEPS[s], "payload": f"/{s}"} for s in steps]
            + [{"title": NEXT_STEPS["capabilities"], "payload": "/capabilities"}],
        )
        return [SlotSet("last_topic", entry.id)]
