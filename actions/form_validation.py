"""One validator for all slots of a form, and one way for every form to be steered.

rasa-sdk's FormValidationAction looks up a ``validate_<slot>`` method for every slot. The
self-test, the money check and the calculators ask many questions that are read the same
way, so instead of one method per question they share this mixin: any ``validate_<slot>``
the form handles goes to ``validate_slot(slot, value, dispatcher, tracker, domain)``.

Before a reply is read as an answer, the mixin asks :func:`loopbrug.form_reply.read_reply`
whether the person wants to steer the form instead, the same way in every form:

- stop ("stop met die vragen", "laat maar", "doei"): the form ends, the answers stay, and the
  form's own "we stoppen" text says how to go on later;
- back ("terug", "vorige vraag"): the question before this one is asked again;
- a correction ("nee wacht, toch niet timmerman, ik bedoel kok"): the answer before this one
  (or the earlier one it names: "ik bedoel 1200 vaste lasten") is replaced, and the question
  asked now comes again;
- a question about the question ("wat bedoel je precies?", "wat zijn vaste lasten"): it is
  explained (``utter_explain_<slot>``) and asked again;
- starting over ("opnieuw", also the /opnieuw command): asked first, with what would be
  forgotten (actions/start_over.py);
- coming back ("hoi ik ben er weer") or "verder": the question again;
- a question on another topic ("wat is een cao?"): it is answered, and the form goes on.

None of these is ever stored as an answer. When a reply is not understood, the re-ask also
says how to stop or go back, and the third miss on one question skips it where the form
allows that, so nobody is trapped in a form. Intents alone steer only a reply the question
cannot take as an answer: the classifier read "15 euro bus" as a goodbye.

It is a mixin, not an Action, because rasa-sdk registers every Action subclass by name.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from loopbrug.conversation import REQUESTED_SLOT, replies_to, requested_slots
from loopbrug.form_reply import Move, Reading, last_asked_before, normalise, read_reply
from loopbrug.knowledge import reply
from loopbrug.knowledge.retrieve import get_retriever
from loopbrug.knowledge.units import get_knowledge_base

# A reply is taken as a question on another topic when it looks like a question and the NLU
# is at least this sure which topic it is about; below that it is read as an answer.
SIDE_QUESTION_CONFIDENCE = 0.6
# "wat zijn vaste lasten", "wat is een transitievergoeding", "wat bedoel je met netto"
WHAT_IS = re.compile(
    r"^(wat|wat zijn|wat is) ?(is|zijn|betekent|betekenen|bedoel je met)? ?(een |de |het )?"
    r"(?P<term>[a-z ]+?)$"
)
# Buttons and Telegram commands that steer a form (their payload is "/<intent>").
PAYLOAD_MOVES = {
    "start_over": Move.RESTART,
    "stop_form": Move.STOP,
    "goodbye": Move.STOP,
    "go_back": Move.BACK,
    "resume_form": Move.RESUME,
}
# After this many replies to one question that were not understood, a question that may be
# skipped is skipped (and can be changed later), so nobody is stuck on one question.
MAX_MISSES = 3
QUESTION_START = re.compile(
    r"^(wat|hoe|waar|wie|wanneer|waarom|welke|welk|kan|kun|mag|moet|is|zijn|heb|krijg)\b"
)


class OneValidatorForAllSlots:
    """Mixin for FormValidationAction; subclasses define ``handles`` and ``validate_slot``.

    Per form: ``stopped_response`` (what the person reads when they stop), ``free_text``
    (questions answered in one's own words, where a question on another topic must not be
    stored) and ``options`` (the answers a question offers, never read as steering).
    """

    stopped_response = "utter_form_stopped"
    # Whole replies that stop this form besides the ones every form knows
    # (loopbrug/form_reply.py): a calculator asks numbers only, so there "nee" means stop.
    stop_words: frozenset = frozenset()
    # Responses that are help, not a refusal ("weet ik niet" at the money check's income
    # question): the person did nothing wrong, so no "Wil je stoppen?" line after them.
    help_responses: frozenset = frozenset()
    # What a skipped question holds, or None when this form cannot do without an answer.
    skipped_value: Optional[Dict[str, Any]] = None

    def handles(self, slot: str) -> bool:
        """True for the slots that ``validate_slot`` reads."""
        raise NotImplementedError

    def validate_slot(self, slot: str, value: Any, dispatcher, tracker, domain) -> dict:
        """The slot update for one reply (see FormValidationAction's validate_<slot>)."""
        raise NotImplementedError

    def free_text(self, slot: str) -> bool:
        """True when the question takes any words as its answer."""
        return False

    def options(self, slot: str, domain: Dict[str, Any]) -> List[str]:
        """The answers the question offers: the titles and payloads of its buttons."""
        found: List[str] = []
        for variant in (domain.get("responses") or {}).get(f"utter_ask_{slot}") or []:
            for button in variant.get("buttons") or []:
                found += [str(button.get("title") or ""), str(button.get("payload") or "")]
        return [option for option in found if option and not option.startswith("/")]

    def __getattr__(self, attribute: str) -> Callable[..., dict]:
        slot = attribute.removeprefix("validate_")
        if attribute.startswith("validate_") and self.handles(slot):
            return partial(self._validate, slot)
        raise AttributeError(attribute)

    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        """Steer the form when the reply asks for it; otherwise validate as usual."""
        asked = tracker.get_slot(REQUESTED_SLOT)
        said = str((tracker.latest_message or {}).get("text") or "")
        if (
            asked
            and self.handles(asked)
            and asked not in tracker.slots_to_validate()
            and normalise(said) in {normalise(option) for option in self.options(asked, domain)}
        ):
            # The words of one of the question's own buttons are its answer, whatever the
            # classifier read in them: "vooral vaste taken" was read as the money check
            # ("vaste lasten"), the slot mapping refused it, and the self-test was left.
            update = self._validate(asked, said, dispatcher, tracker, domain)
            return [SlotSet(slot, value) for slot, value in update.items()]
        if asked and self.handles(asked) and asked in tracker.slots_to_validate():
            value = tracker.get_slot(asked)
            if isinstance(value, str):
                events = self._steer(asked, value, dispatcher, tracker, domain)
                if events is not None:
                    return events
        return await super().run(dispatcher, tracker, domain)

    def _steer(self, asked: str, text: str, dispatcher, tracker, domain) -> Optional[list]:
        """Events for a reply that steers the form; None for an answer."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
        if text.strip().startswith("/"):
            # A button or a Telegram command ("/opnieuw" is /start_over): only the steering
            # ones steer; any other button is handled by _validate (never an answer).
            move = PAYLOAD_MOVES.get(text.strip()[1:].split("{")[0])
            if move is None:
                return None
            reading = Reading(move)
        else:
            reading = read_reply(text, intent, self.options(asked, domain))
        by_words = reading.move is Move.STOP and not reading.by_intent
        maybe = (reading.move is Move.STOP and reading.by_intent) or (
            reading.move is Move.ANSWER and normalise(text) in self.stop_words
        )
        # An intent, or a form's own stop word, stops only a reply the question cannot take:
        # "15 euro bus" was read as a goodbye in the money check, and "nee" answers "Bedoel je
        # € 48.000 per jaar?".
        if by_words or (maybe and not self._takes(asked, text, tracker, domain)):
            return self.stop(asked, dispatcher)
        if reading.move is Move.RESUME:
            # "verder" while the form is asking: it already goes on; just the question again.
            return self._ask_again(asked)
        if reading.move is Move.GREETING:
            # "hoi ik ben er weer" after a break is not an answer: welcome, and ask again.
            dispatcher.utter_message(response="utter_form_welcome_back")
            return self._ask_again(asked)
        if reading.move is Move.RESTART:
            # Asked first (actions/start_over.py); meanwhile the form waits in paused_form and
            # goes on where it was when the person says no.
            return [
                SlotSet(asked, None),
                SlotSet("paused_form", self.form_name()),
                ActiveLoop(None),
                SlotSet(REQUESTED_SLOT, None),
                FollowupAction("action_confirm_start_over"),
            ]
        if reading.move is Move.BACK:
            before = self._question_before(asked, tracker)
            if before is None:
                dispatcher.utter_message(response="utter_form_first_question")
                return self._ask_again(asked)
            dispatcher.utter_message(response="utter_form_back")
            return [SlotSet(asked, None), SlotSet(before, None), SlotSet(REQUESTED_SLOT, before)]
        if reading.move is Move.ANSWER and self._asks_about_its_words(asked, text, domain):
            reading = Reading(Move.EXPLAIN)
        if reading.move is Move.EXPLAIN:
            self._explain(asked, dispatcher, domain)
            return self._ask_again(asked)
        if reading.move is Move.CORRECT:
            return self._correct(asked, reading.corrected, dispatcher, tracker, domain)
        side = self._side_answer(asked, text, tracker, domain)
        if side:
            dispatcher.utter_message(text=side)
            dispatcher.utter_message(response="utter_form_go_on")
            return self._ask_again(asked)
        return None

    def stop(self, asked: str, dispatcher) -> list:
        """What stopping does: by default the form ends and its answers stay in their slots,
        and "verder" starts it again at this question (paused_form, as after a crisis answer:
        actions/crisis.py). action_listen as the next action keeps the form's "all answered"
        rule from showing an outcome."""
        dispatcher.utter_message(response=self.stopped_response)
        return [
            SlotSet(asked, None),
            SlotSet("paused_form", self.form_name()),
            ActiveLoop(None),
            SlotSet(REQUESTED_SLOT, None),
            FollowupAction("action_listen"),
        ]

    @staticmethod
    def _ask_again(asked: str) -> list:
        return [SlotSet(asked, None), SlotSet(REQUESTED_SLOT, asked)]

    def _question_before(self, asked: str, tracker) -> Optional[str]:
        mine = [slot for slot in requested_slots(tracker.events) if self.handles(slot)]
        answered = [slot for slot in mine if tracker.get_slot(slot) is not None]
        return last_asked_before(mine, asked, answered)

    @staticmethod
    def _question_words(slot: str, domain) -> set:
        """The longer words of the question ``slot`` (its utter_ask text)."""
        variants = (domain.get("responses") or {}).get(f"utter_ask_{slot}") or [{}]
        return {w for w in normalise(str(variants[0].get("text") or "")).split() if len(w) >= 5}

    def _asks_about_its_words(self, asked: str, text: str, domain) -> bool:
        """ "wat zijn vaste lasten?" at the question about vaste lasten: asks what it means."""
        found = WHAT_IS.match(normalise(text))
        if not found:
            return False
        words = {w for w in found.group("term").split() if len(w) >= 5}
        return bool(words) and words <= self._question_words(asked, domain)

    def _named_question(self, asked: str, meant: str, tracker, domain) -> Optional[str]:
        """The earlier, answered question of this form whose words the correction names."""
        said = {w for w in normalise(meant).split() if len(w) >= 5 and not w.isdigit()}
        if not said:
            return None
        mine = [slot for slot in requested_slots(tracker.events) if self.handles(slot)]
        for slot in reversed(mine):
            if slot != asked and tracker.get_slot(slot) is not None:
                if said & self._question_words(slot, domain):
                    return slot
        return None

    def _explain(self, asked: str, dispatcher, domain) -> None:
        own = f"utter_explain_{asked}"
        if own in (domain.get("responses") or {}):
            dispatcher.utter_message(response=own)
        else:
            dispatcher.utter_message(response="utter_form_explain")

    def _correct(self, asked: str, meant: str, dispatcher, tracker, domain) -> list:
        """Replace the answer before this one, or the earlier one the correction names ("ik
        bedoel 1200 vaste lasten"); at the first question ``meant`` answers it."""
        before = self._question_before(asked, tracker)
        named = self._named_question(asked, meant, tracker, domain)
        target = named or before or asked
        update = self._validate(target, meant, dispatcher, tracker, domain)
        if target == asked:
            return [SlotSet(slot, value) for slot, value in update.items()]
        if update.get(target) is None:
            # Not understood as an answer to that question: ask it again, so the person can
            # give the answer they meant in full.
            return [SlotSet(asked, None), SlotSet(target, None), SlotSet(REQUESTED_SLOT, target)]
        dispatcher.utter_message(response="utter_form_corrected")
        events = [SlotSet(slot, value) for slot, value in update.items()]
        return events + self._ask_again(asked)

    def _side_answer(self, asked: str, text: str, tracker, domain) -> Optional[str]:
        """The knowledge-base answer when the reply is a question on another topic."""
        lowered = text.strip().lower()
        if not (lowered.endswith("?") or QUESTION_START.match(lowered)):
            return None
        intent = (tracker.latest_message or {}).get("intent") or {}
        if (intent.get("confidence") or 0.0) < SIDE_QUESTION_CONFIDENCE:
            return None
        found = get_retriever().pick(text, intent=intent.get("name") or "")
        if found is None:
            return None
        if not self.free_text(asked) and self._takes(asked, text, tracker, domain):
            # "Kan ik 1500 zeggen?" may still be an answer: only a reply the question cannot
            # take as one is a side question.
            return None
        return reply.answer(get_knowledge_base(), found.unit, with_buttons=False).text

    def _takes(self, asked: str, text: str, tracker, domain) -> bool:
        """True when the question accepts ``text`` as its answer (the probe's messages are
        thrown away)."""
        probe = self.validate_slot(asked, text, CollectingDispatcher(), tracker, domain)
        return probe.get(asked) is not None

    def _validate(self, slot: str, value: Any, dispatcher, tracker, domain) -> dict:
        if value is None:
            # A slot the form's start action cleared, not something the person said: without
            # this, starting the money check answered nine "Ik zie geen bedrag" lines at once.
            return {slot: None}
        if isinstance(value, str) and value.strip().startswith("/"):
            # A button of another flow ("Verder met de test") is not an answer: leave the slot
            # empty, so the form asks its question again.
            return {slot: None}
        update = self.validate_slot(slot, value, dispatcher, tracker, domain)
        explained = any(m.get("response") in self.help_responses for m in dispatcher.messages)
        # A follow-up question instead ("Bedoel je € 48.000 per jaar?") is no refusal either.
        moved_on = any(value is not None for key, value in update.items() if key != slot)
        refused = update.get(slot) is None and not (explained or moved_on)
        if refused and slot == tracker.get_slot(REQUESTED_SLOT):
            if (
                self.skipped_value is not None
                and replies_to(tracker.events or [], slot) >= MAX_MISSES
            ):
                dispatcher.utter_message(response="utter_form_skipped_for_now")
                return {**update, slot: self.skipped_value}
            # Not understood: the re-ask also says how to leave, so nobody is trapped here.
            dispatcher.utter_message(response="utter_form_way_out")
        return update
