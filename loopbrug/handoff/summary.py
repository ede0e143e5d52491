"""The summary a coach or desk gets, so the person never has to start over.

Built by the action server from the Rasa tracker, the stored profile and the latest money
check, only after the person agreed. Structure (JSON in the ticket):

    reason       why the person is handed off, in words
    topic        werk | scholing | geld | algemeen | crisis (for routing)
    urgency      1 crisis, 2 acute debts, 3 normal (store.py)
    asked        what they asked about, as topic titles, oldest first
    messages     every message the person typed, oldest first, as
                 {"text": ..., "crisis": bool}: also what the bot did not understand ("ik
                 ben 34 en werk als buschauffeur"), so the coach reads it. Masked: BSN, IBAN,
                 phone numbers, e-mail addresses and addresses (loopbrug/privacy/masking.py).
                 Never what was typed inside a private form (self-test answers, amounts,
                 the place and contact details: ``private_form``) except a crisis message
                 (never an answer), nor button presses.
                 ``crisis`` is the crisis guard's mark. A long conversation keeps the first
                 MAX_FIRST and the last MAX_LAST messages with one entry between them,
                 {"text": "... N berichten weggelaten", "omitted": N}; the coach has the full
                 conversation on the ticket page
    facts        key facts in short lines (place and region, crisis, debts, contact wish)
    profile      {"lines": [...], "own_lines": [...]} from the Persoonlijk Profiel, or None:
                 ``lines`` about the person for the coach ("De persoon ...",
                 loopbrug/assessment/coach.py), ``own_lines`` as the person read it (as_text)
    money_check  {"colour": ..., "lines": [...]} from the latest money check, or None
    amounts      {"shared": bool, "lines": [...]} when the person typed amounts (money check
                 or a calculator) or has a money check, else None: with the person's yes to
                 the handoff question ``handoff_share_money`` the amounts as typed
                 (loopbrug/handoff/amounts.py), otherwise one line saying the coach must ask
                 them again

``as_text`` renders the same for a person to take to their desk themselves.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional

from loopbrug.assessment.coach import coach_lines
from loopbrug.assessment.profile import from_dict, step_button
from loopbrug.assessment.render import render_profile
from loopbrug.conversation import Event, read_events, user_messages
from loopbrug.handoff.amounts import amount_lines, typed_amounts
from loopbrug.handoff.store import ACUTE, CRISIS, NORMAL
from loopbrug.labels import contact_wish, topic_title
from loopbrug.money.check import STEP_LABELS
from loopbrug.money.registry import private_forms
from loopbrug.privacy.masking import mask
from loopbrug.region import the_region
from loopbrug.texts import Labels, text

# A long conversation keeps its start (why the person came) and its end (where they are now);
# the coach reads the rest in the full conversation on the ticket page.
MAX_FIRST = 5
MAX_LAST = 20
MAX_MESSAGE_CHARS = 500
# The slot of the handoff question "may the coach see your amounts?" (bot/domain/handoff.yml).
SHARE_MONEY_SLOT = "handoff_share_money"
# Forms whose answers are private details besides the money forms (self-test answers,
# contact details, the place): what is typed while they run never goes into the "own words"
# list. The money forms come from their registry, so a new calculator cannot be forgotten.
OTHER_PRIVATE_FORMS = frozenset({"assessment_form", "handoff_form", "location_form"})


def private_form(name: Optional[str]) -> bool:
    """Whether what is typed while form ``name`` runs is private (never in the summary)."""
    return name in OTHER_PRIVATE_FORMS or name in private_forms()


TOPIC_OF_INTENT = {
    **dict.fromkeys(
        [
            "orientation_start",
            "shortage_sectors",
            "sector_info",
            "experience_work",
            "orientation_programs",
            "orientation_time",
            "guidance_support",
            "start_assessment",
            "show_profile",
            "export_profile",
        ],
        "werk",
    ),
    **dict.fromkeys(
        [
            "funding_overview",
            "funding_voucher",
            "funding_employer",
            "funding_sector_fund",
            "funding_transition_payment",
            "funding_benefits",
            "funding_loan",
            "funding_stap",
            "career_advice_free",
            "training_routes",
            "skills_recognition",
        ],
        "scholing",
    ),
    **dict.fromkeys(
        [
            "finance_check",
            "income_during_training",
            "debt_help",
            "practical_costs",
            "calculate_transition",
            "calculate_gap",
            "calculate_buffer",
        ],
        "geld",
    ),
    "crisis": "crisis",
}


def topic_label(intent: str) -> Optional[str]:
    """The title of a question's topic, or None for talk that is not a question (hoi, ja)."""
    if intent not in TOPIC_OF_INTENT and intent != "find_loket":
        return None
    # One name per intent everywhere: the clarification buttons' titles, plus the topics that
    # are never offered as a guess (data/texts/nl/labels.yml).
    label = topic_title(intent)
    return label.rstrip("?") if label else None


# A request for a person that also says what it is about ("ik wil iemand spreken over een
# opleiding tot doktersassistent") keeps its words for the ticket, so the person does not have
# to repeat them; its topic routes the ticket. Words of the request itself do not count.
REQUEST_WORDS = frozenset(
    """ik wil wil graag kan mag kun kunt zou je jij u mij me mijn een n nu echt echte echter
    iemand mens persoon coach medewerker adviseur loopbaancoach loopbaanadviseur spreken
    spreeken praten bellen chatten whatsappen gesprek met aub alsjeblieft alstublieft liever
    even dan die de het om over ivm vanwege want omdat voor bij nodig hebben heb zoek hoi
    hallo dag doorverbinden terugbellen iemand""".split()
)
REQUEST_TOPIC_WORDS = {
    "scholing": re.compile(
        r"opleid|opleidng|cursus|school|scholing|omscho|diploma|\bbbl\b|\bbol\b|\bmbo\b|"
        r"\bhbo\b|studie|studeren|\bleren\b|leerwerk|voucher|transitievergoeding"
    ),
    "geld": re.compile(r"schuld|geldzorg|rondkomen|achterstand|inkomen|\bgeld\b|uitkering|\bww\b"),
    "werk": re.compile(
        r"\bwerk|\bbaan|beroep|\bvak\b|ontslag|sollicit|\bcv\b|overstap|sector|worden\b"
    ),
}


def request_topic(text: str) -> Optional[str]:
    """The topic a request for a person names (scholing, geld, werk), "algemeen" when it
    names something else, or None for a bare request ("ik wil een coach")."""
    low = text.lower()
    words = re.findall(r"[a-zà-ÿ]+", low)
    if not [w for w in words if w not in REQUEST_WORDS]:
        return None
    for topic, pattern in REQUEST_TOPIC_WORDS.items():
        if pattern.search(low):
            return topic
    return "algemeen" if re.search(r"\b(over|ivm|vanwege|want|omdat)\b", low) else None


def _request_topic_of(message: Event) -> Optional[str]:
    text = message.text
    if message.intent != "request_human" or not text or text.startswith("/"):
        return None
    return request_topic(text)


def request_question(events: Iterable[Dict[str, Any]]) -> Optional[str]:
    """The person's latest request for a person that names a topic, masked, or None."""
    for message in reversed(user_messages(events)):
        if _request_topic_of(message):
            return mask(message.text)[:MAX_MESSAGE_CHARS]
    return None


# The money check's colour and the contact time, as words in a line (data/texts/nl/summary.yml).
COLOUR_WORDS = Labels(
    {colour: f"summary.colour_{colour}" for colour in ("groen", "oranje", "rood")}
)
TIME_WORDS = Labels(
    {time: f"summary.time_{time}" for time in ("ochtend", "middag", "avond", "maakt_niet_uit")}
)


def _cut(said: str) -> str:
    """A message, masked and at most MAX_MESSAGE_CHARS long (an ellipsis says it was cut)."""
    # BSN, IBAN, phone numbers, e-mail addresses and addresses never reach a ticket.
    masked = mask(said)
    if len(masked) <= MAX_MESSAGE_CHARS:
        return masked
    return masked[: MAX_MESSAGE_CHARS - 1].rstrip() + "…"


def _since_restart(events: Iterable[Dict[str, Any]]) -> List[Event]:
    """The events after the latest restart: "opnieuw" means the person chose to start over."""
    read = read_events(events)
    restarts = [i for i, event in enumerate(read) if event.kind == "restart"]
    return read[restarts[-1] + 1 :] if restarts else read


def bounded(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The first MAX_FIRST and last MAX_LAST messages, with one "N weggelaten" entry between."""
    if len(messages) <= MAX_FIRST + MAX_LAST:
        return messages
    left_out = len(messages) - MAX_FIRST - MAX_LAST
    gap = {"text": text("summary.messages_omitted", count=left_out), "omitted": left_out}
    return messages[:MAX_FIRST] + [gap] + messages[-MAX_LAST:]


def _intents_and_messages(events: Iterable[Dict[str, Any]]):
    """Intents in order (no repeats) and every message the person typed outside the private
    forms, oldest first, with the crisis guard's mark."""
    intents: List[str] = []
    messages: List[Dict[str, Any]] = []
    active_loop: Optional[str] = None
    for event in _since_restart(events):
        if event.is_active_loop():
            active_loop = event.name
        elif event.is_user():
            intent = event.intent
            if intent and intent not in intents:
                intents.append(intent)
            said = event.text
            crisis = intent == "crisis"
            if (
                said
                and not said.startswith("/")  # a button press, not typed
                and not event.by_helpline  # the follow-up question, not the person
                # A crisis message inside a form is never taken as an answer (the forms' slot
                # mappings refuse it): the coach must read it.
                and (crisis or not private_form(active_loop))
            ):
                messages.append({"text": _cut(said), "crisis": crisis})
    return intents, bounded(messages)


def message_texts(summary: Dict[str, Any]) -> List[str]:
    """The texts of a summary's messages (also of a ticket stored when they were strings)."""
    found: List[str] = []
    for item in summary.get("messages") or []:
        said = item.get("text") if isinstance(item, dict) else item
        if isinstance(said, str) and said:
            found.append(said)
    return found


REQUEST_MARK = "request_human:"


def _lives_in_prefix() -> str:
    """The words before the place in the place fact ("Woont in "): ``as_text`` finds it by them."""
    return text("summary.fact_lives_in", place="\0", region="").split("\0")[0]


def topic_for(intents: List[str], money_check: Optional[Dict[str, Any]]) -> str:
    """Crisis wins; otherwise the topic of the latest substantive question."""
    if "crisis" in intents:
        return "crisis"
    for intent in reversed(intents):
        if intent in TOPIC_OF_INTENT:
            return TOPIC_OF_INTENT[intent]
        if intent.startswith(REQUEST_MARK):  # a request for a person that names its topic
            return intent.removeprefix(REQUEST_MARK)
    return "geld" if money_check else "algemeen"


def urgency_for(intents: List[str], money_check: Optional[Dict[str, Any]], acute: bool) -> int:
    if "crisis" in intents:
        return CRISIS
    if acute or (money_check or {}).get("priority_debt_help"):
        return ACUTE
    return NORMAL


def profile_lines(stored: Optional[Dict[str, Any]]) -> Optional[Dict[str, List[str]]]:
    """The stored Persoonlijk Profiel in short lines: about the person for the coach
    (``lines``), and as the person read it (``own_lines``: render_profile minus its framing)."""
    if not stored:
        return None
    profile = from_dict(stored["profile"])
    own = render_profile(profile).splitlines()
    # The first line introduces the profile to the person, the last invites them to choose.
    return {
        "lines": coach_lines(profile),
        "own_lines": [line for line in own[1:-1] if line.strip()],
    }


def amounts_part(
    events: List[Dict[str, Any]], slots: Dict[str, Any], money_check: Optional[Dict[str, Any]]
) -> Optional[Dict[str, Any]]:
    """The amounts the person typed, when they agreed to share them; else the honest line that
    the coach must ask them again. None when there are no amounts and no money check."""
    typed = typed_amounts(_since_restart(events))
    if not typed and not money_check:
        return None
    lines = amount_lines(typed) if slots.get(SHARE_MONEY_SLOT) == "ja" else []
    if not lines:
        return {"shared": False, "lines": [text("summary.amounts_not_shared")]}
    return {"shared": True, "lines": lines}


def money_lines(outcome: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if not outcome:
        return None
    colour = COLOUR_WORDS.get(outcome.get("colour"), outcome.get("colour"))
    lines = [text("summary.money_outcome", colour=colour)]
    if outcome.get("gap_range"):
        lines.append(text("summary.money_gap", gap=outcome["gap_range"]))
    if outcome.get("buffer_months") is not None:
        lines.append(text("summary.money_buffer", months=outcome["buffer_months"]))
    if outcome.get("priority_debt_help"):
        lines.append(text("summary.money_debt_first"))
    for step in outcome.get("next_steps") or []:
        # The step's short name ("Hulp bij schulden"), not the sentence the person read ("Vraag
        # hulp bij schulden. Je gemeente ..."): the coach reads about the person. The money
        # check's steps are not all profile steps; never show a bare intent name.
        words = STEP_LABELS.get(step) or step_button(step)
        if words:
            lines.append(text("summary.money_tip", step=words))
    return {"colour": outcome.get("colour"), "lines": lines}


def reason_for(events: List[Dict[str, Any]]) -> str:
    """Why the person is handed off, from what happened just before (for the coach)."""
    recent = [e for e in read_events(events[-40:]) if e.is_user() or e.is_action()]
    names = [e.name for e in recent if e.is_action()]
    intents = [e.intent for e in recent]
    if "crisis" in intents or "utter_crisis" in names:
        return text("summary.reason_crisis")
    if names.count("action_clarify") >= 2:
        return text("summary.reason_unclear")
    if "debt_help" in intents or "action_debt_help" in names:
        return text("summary.reason_money")
    return text("summary.reason_asked")


def build_summary(
    events: List[Dict[str, Any]],
    slots: Dict[str, Any],
    profile: Optional[Dict[str, Any]],
    money_check: Optional[Dict[str, Any]],
    reason: str,
    acute_debt: bool = False,
) -> Dict[str, Any]:
    """The structured summary (see the module docstring)."""
    intents, messages = _intents_and_messages(events)
    # The topic follows the latest question, also when it repeats an earlier one (``intents``
    # keeps first occurrences only).
    sequence = [
        REQUEST_MARK + topic if (topic := _request_topic_of(message)) else message.intent
        for message in user_messages(events)
        if message.intent
    ]
    asked: List[str] = []
    for intent in intents:
        label = topic_label(intent)
        if label and label not in asked:
            asked.append(label)
    facts: List[str] = []
    if slots.get("gemeente_naam"):
        region = the_region(slots.get("arbeidsmarktregio") or "?", article=False)
        facts.append(text("summary.fact_lives_in", place=slots["gemeente_naam"], region=region))
    else:
        facts.append(text("summary.fact_no_place"))
    if "crisis" in intents:
        facts.append(text("summary.fact_crisis"))
    if acute_debt or (money_check or {}).get("priority_debt_help"):
        facts.append(text("summary.fact_acute_debt"))
    channel = slots.get("handoff_contact")
    if channel:
        wish = contact_wish(channel)
        when = TIME_WORDS.get(slots.get("handoff_time") or "")
        if when:
            facts.append(text("summary.fact_contact_when", wish=wish, when=when))
        else:
            facts.append(text("summary.fact_contact", wish=wish))
    return {
        "reason": reason,
        "topic": topic_for(sequence, money_check),
        "urgency": urgency_for(intents, money_check, acute_debt),
        "asked": asked,
        "messages": messages,
        "facts": facts,
        "profile": profile_lines(profile),
        "money_check": money_lines(money_check),
        "amounts": amounts_part(events, slots, money_check),
    }


def as_text(summary: Dict[str, Any]) -> str:
    """The summary as plain text for the person to take along (B1, no jargon)."""
    out: List[str] = [text("handoff.summary_title")]
    if summary.get("asked"):
        out.append(text("handoff.summary_asked", topics=", ".join(summary["asked"]).lower()))
    lives_in = _lives_in_prefix()
    for fact in summary.get("facts") or []:
        # The facts are written for a coach; the person reads them in their own voice.
        if fact.startswith(lives_in):
            out.append(text("handoff.summary_lives_in", place=fact.removeprefix(lives_in).strip()))
        elif fact == text("summary.fact_acute_debt"):
            out.append(text("handoff.summary_money_worries"))
    profile = summary.get("profile")
    if profile:
        # The person's own words of the profile; a summary stored before it had them (only
        # ``lines``) is shown as it was.
        out.append(text("handoff.summary_profile"))
        out.extend((profile.get("own_lines") or profile.get("lines") or [])[:8])
    if summary.get("money_check"):
        out.append(text("handoff.summary_money_check"))
        out.extend(summary["money_check"]["lines"])
    return "\n".join(out)
