"""Answers from the knowledge base: the rasa-sdk side of ``loopbrug/knowledge``.

``action_answer`` picks the question unit that answers the latest message (the specific
question, or a follow-up of the answer just given) and sends it with where to check it.
When the answer differs per region it adds the regional part for the place we know, or asks
once for the place. ``action_answer_more`` sends the depth behind "Meer weten?".
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.location import known_place, region_slots
from loopbrug.conversation import actions_run, before_this_turn, latest_user, this_turn
from loopbrug.knowledge import reply
from loopbrug.knowledge.retrieve import Pick, get_retriever
from loopbrug.knowledge.units import KnowledgeBase, Unit, get_knowledge_base
from loopbrug.region import get_region_model

# What follows action_answer_desk (bot/rules/referral.yml).
THEN_SLOT = "answer_then"
# "waar is het leerwerkloket" wants the desk itself: only a message this close to one
# question about the desk (or a definition) is answered instead of asking the place.
DESK_QUESTION_MIN = 0.55
# The close second question offered under the last answer (reply.OTHER_QUESTION).
ALTERNATIVE_SLOT = "offered_question"


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    """The first value of an entity in the latest message."""
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value else None


def _intent(tracker: Tracker) -> Tuple[str, List[Tuple[str, float]]]:
    message = tracker.latest_message or {}
    name = (message.get("intent") or {}).get("name") or ""
    ranking = [
        (str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in message.get("intent_ranking") or []
    ]
    return name, ranking


def pick_for(tracker: Tracker) -> Optional[Pick]:
    """The unit for the latest message, with the topic of the answer just given."""
    intent, ranking = _intent(tracker)
    text = str((tracker.latest_message or {}).get("text") or "")
    if text.startswith("/"):
        # A topic button. Tapped to answer "Bedoel je een van deze?", it says what the
        # question before was about: answer that question under the topic chosen.
        asked = question_before_clarification(tracker)
        if asked:
            return get_retriever().pick(asked, intent=intent)
        default = get_knowledge_base().default_for(intent)
        return Pick(default, 1.0, "default") if default else None
    return get_retriever().pick(
        text,
        intent=intent,
        ranking=ranking,
        sectors=tuple(str(v) for v in tracker.get_latest_entity_values("sector")),
        last_unit=tracker.get_slot("last_topic"),
        place_named=names_a_place(text),
    )


def question_before_clarification(tracker: Tracker) -> Optional[str]:
    """The person's message before this one when the helpline asked back on it."""
    earlier = before_this_turn(tracker.events)
    asked = latest_user(earlier)
    if asked is None or "action_clarify" not in actions_run(this_turn(earlier)):
        return None
    return None if asked.text.startswith("/") else asked.text


def names_a_place(text: str) -> bool:
    """True when the message names a place or the person's region ("in Leeuwarden",
    "bij mij in de regio"): a sign the person wants the answer for where they live."""
    if reply.asks_regional(text):
        return True
    match = get_region_model().resolve(text)
    return match is not None and match.status == "found" and match.gemeente is not None


def send(dispatcher: CollectingDispatcher, message: reply.Reply) -> None:
    """Send one reply."""
    dispatcher.utter_message(text=message.text, buttons=message.buttons)


def send_regional_part(
    dispatcher: CollectingDispatcher,
    kb: KnowledgeBase,
    unit: Unit,
    tracker: Tracker,
    alternative: Optional[Unit] = None,
) -> None:
    """After a national answer that differs per region: the regional part for the known
    place (and how to change it), or one question for the place."""
    place = known_place(tracker)
    steps = reply.buttons(kb, unit, alternative=alternative)
    if place is None:
        dispatcher.utter_message(response="utter_place_ask", buttons=steps)
        return
    variant = kb.regional_for(unit, tracker.get_slot("arbeidsmarktregio"))
    if variant is None:
        dispatcher.utter_message(response="utter_place_no_regional_fund", buttons=steps, **place)
        return
    dispatcher.utter_message(text=f"{variant.answer}\n{reply.check_line(kb, variant)}")
    dispatcher.utter_message(response="utter_place_used", buttons=steps, **place)


def send_regional_part_for_new_place(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """The person just said where they live after an answer that differs per region: the
    regional part of that answer. False when the last answer was not regional."""
    kb = get_knowledge_base()
    unit = kb.by_id.get(tracker.get_slot("last_topic") or "")
    if unit is None or not kb.has_regional(unit):
        return False
    send_regional_part(dispatcher, kb, unit, tracker)
    return True


def place_in_message(tracker: Tracker) -> List[Dict[str, Any]]:
    """A place named in the question itself ("kan ik in Leeuwaarden een voucher krijgen"),
    also misspelt, counts for this answer and is remembered."""
    said = str((tracker.latest_message or {}).get("text") or "")
    if said.startswith("/"):
        return []
    match = get_region_model().resolve(said)
    if match is None or match.status != "found" or not match.gemeente:
        return []
    moved = region_slots(match.gemeente, said)
    tracker.slots.update({e["name"]: e["value"] for e in moved})
    return moved


def answer_unit(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    unit: Unit,
    alternative: Optional[Unit] = None,
) -> List[Dict]:
    """Send a unit's answer (with the regional part when it differs per region), with the
    close second question as a button when the message sat between two."""
    kb = get_knowledge_base()
    moved = place_in_message(tracker) if kb.has_regional(unit) else []
    if kb.has_regional(unit):
        send(dispatcher, reply.answer(kb, unit, with_buttons=False))
        send_regional_part(dispatcher, kb, unit, tracker, alternative)
    else:
        send(dispatcher, reply.answer(kb, unit, alternative=alternative))
    offered = alternative.id if alternative is not None else None
    return [*moved, SlotSet("last_topic", unit.id), SlotSet(ALTERNATIVE_SLOT, offered)]


def offered_unit(tracker: Tracker) -> Optional[Unit]:
    """The close second question the person chose: its button, or "nee, die andere vraag"
    typed after an answer that offered one."""
    kb = get_knowledge_base()
    chosen = latest_entity(tracker, "kb_id") or tracker.get_slot(ALTERNATIVE_SLOT)
    return kb.by_id.get(chosen or "")


def unit_without_intent(tracker: Tracker) -> Optional[Unit]:
    """For a message the NLU could not place: a follow-up of the answer just given, or a
    question so close to one unit's phrasings that answering it is no guess."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if not text or text.startswith("/"):
        return None
    retriever = get_retriever()
    found = retriever.follow_up(text, tracker.get_slot("last_topic"))
    if found is None:
        _, ranking = _intent(tracker)
        # Rasa's FallbackClassifier puts its own name first; the topics it hesitated
        # between come after it.
        ranking = [(name, value) for name, value in ranking if name != "nlu_fallback"]
        found = retriever.confident(text, ranking)
    return found.unit if found else None


def regional_follow_up(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> Optional[List[Dict[str, Any]]]:
    """ "en in mijn regio?" right after an answer that differs per region: its regional part
    (events to return), or None when the message is not that."""
    kb = get_knowledge_base()
    text = str((tracker.latest_message or {}).get("text") or "")
    last = kb.by_id.get(tracker.get_slot("last_topic") or "")
    if last is None or not kb.has_regional(last) or not reply.asks_regional(text):
        return None
    moved = place_in_message(tracker)
    send_regional_part(dispatcher, kb, last, tracker)
    return moved


class ActionAnswer(Action):
    """Answer the latest question from the knowledge base."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Pick the unit and send it."""
        kb = get_knowledge_base()
        regional = regional_follow_up(dispatcher, tracker)
        if regional is not None:
            return regional
        if (tracker.latest_message or {}).get("intent", {}).get("name") == reply.OTHER_QUESTION:
            chosen = offered_unit(tracker)
            if chosen is None:
                send(dispatcher, reply.no_answer(kb))
                return []
            return answer_unit(dispatcher, tracker, chosen)
        found = pick_for(tracker)
        if found is None:
            send(dispatcher, reply.no_answer(kb))
            return []
        return answer_unit(dispatcher, tracker, found.unit, found.alternative)


class ActionAnswerDesk(Action):
    """find_loket: a question about the desk ("is het leerwerkloket gratis?") gets its answer;
    asking for the desk itself gets one line on what it does, and ``answer_then`` tells the
    rules to ask where the person lives (bot/rules/referral.yml)."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_answer_desk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """The answer, or the line before the place question."""
        regional = regional_follow_up(dispatcher, tracker)
        if regional is not None:
            return [*regional, SlotSet(THEN_SLOT, None)]
        found = pick_for(tracker)
        specific = (
            found is not None
            and not found.unit.default  # the default unit is the desk itself
            and (found.reason == "term" or found.score >= DESK_QUESTION_MIN)
        )
        said = str((tracker.latest_message or {}).get("text") or "")
        if not specific and not said.startswith("/"):
            match = get_region_model().resolve(said)
            if match is not None and match.status in ("found", "confirm", "choose"):
                # "waar is het leerwerkloket in Arnhm": straight to that place, which the
                # place question's validation reads (and checks back when misspelt).
                return [SlotSet("location_input", said), SlotSet(THEN_SLOT, "location_form")]
        if not specific:
            default = get_knowledge_base().default_for("find_loket")
            if default is not None and known_place(tracker) is None:
                # One line on what the desk does before "waar woon je?"; with the place
                # known the desks come at once and say it themselves.
                dispatcher.utter_message(text=default.answer)
            topic = [SlotSet("last_topic", default.id)] if default else []
            return [*topic, SlotSet(THEN_SLOT, "location_form")]
        events = answer_unit(dispatcher, tracker, found.unit, found.alternative)
        return [*events, SlotSet(THEN_SLOT, None)]


class ActionAnswerMore(Action):
    """The longer explanation of the unit just answered ("Meer weten?")."""

    def name(self) -> str:
        """Action name as in the domain."""
        return "action_answer_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Send the unit's ``more`` text, or say there is nothing more."""
        kb = get_knowledge_base()
        topic = latest_entity(tracker, "kb_id") or tracker.get_slot("last_topic")
        unit = kb.by_id.get(topic or "")
        send(dispatcher, reply.more(kb, unit))
        return [SlotSet("last_topic", unit.id)] if unit else []
