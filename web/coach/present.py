"""How the inbox shows tickets, summaries and transcripts: labels and plain values.

No aiohttp here: these functions turn stored values into what the templates and coach.js
show, and are tested on their own. The coach's labels and messages are texts of
data/texts/nl/inbox.yml (loopbrug/texts.py), like everything a person reads.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loopbrug.handoff import store, times
from loopbrug.texts import Labels, text

MAX_REPLY_CHARS = 2000
MAX_NOTE_CHARS = 4000

# Every label and message is a text of data/texts/nl/inbox.yml, looked up when shown.
STATUS_LABELS = Labels(
    {
        store.NEW: "inbox.status_new",
        store.CLAIMED: "inbox.status_claimed",
        store.CLOSED: "inbox.status_closed",
    }
)
TOPIC_LABELS = Labels(
    {topic: f"inbox.topic_{topic}" for topic in ("werk", "scholing", "geld", "algemeen", "crisis")}
)
CHANNEL_LABELS = Labels({channel: f"inbox.channel_{channel}" for channel in ("rest", "telegram")})
EVENT_LABELS = Labels(
    {
        kind: f"inbox.event_{kind}"
        for kind in (
            "note",
            "claim",
            "takeover",
            "reply",
            "handback",
            "close",
            "followup",
            "erased",
            "crisis",
            "unclaim",
            "reassign",
            "transfer",
            "colleague",
            "auto_handback",
            "release",
            "satisfaction",
        )
    }
)
SYSTEM_LINES = Labels({line: f"inbox.system_{line}" for line in ("pause", "resume", "navraag")})

# Messages after an action, passed as a code in ``?melding=``: only known texts are shown.
# The key is the code with "_" for "-".
FLASHES = Labels(
    {
        code: "inbox.flash_" + code.replace("-", "_")
        for code in (
            "opgepakt",
            "notitie",
            "overgenomen",
            "verstuurd",
            "teruggegeven",
            "gesloten",
            "losgelaten",
            "doorgegeven",
            "overgedragen",
            "collega-overgenomen",
        )
    }
)
ERRORS = Labels(
    {
        code: "inbox.error_" + code.replace("-", "_")
        for code in (
            "leeg",
            "bericht-te-lang",
            "notitie-te-lang",
            "rasa",
            "al-gesloten",
            "andere-coach",
            "eerst-oppakken",
            "eerst-overnemen",
            "uitkomst",
            "kan-niet",
            "van-collega",
            "eerst-teruggeven",
            "geen-teamcoach",
            "geen-team",
            "notitie-verplicht",
            "bevestig",
            "veranderd",
        )
    },
    max_reply=MAX_REPLY_CHARS,
    max_note=MAX_NOTE_CHARS,
)


# The form field an error is about, so coach.js shows the error next to it (the others are
# about the ticket as a whole and are shown at the top of the page).
ERROR_FIELDS = {
    "leeg": "text",
    "bericht-te-lang": "text",
    "notitie-te-lang": "text",
    "notitie-verplicht": "text",
    "uitkomst": "outcome",
    "geen-teamcoach": "coach",
    "geen-team": "team",
    "bevestig": "confirm",
}


def transcript_down() -> str:
    return text("inbox.transcript_down")


def database_down() -> str:
    return text("inbox.database_down")


def not_found_text() -> str:
    return text("inbox.not_found")


def conflict_code(conflict: object) -> str:
    """The ``?melding=`` code of a store.TicketConflict (it carries one of the ERRORS texts)."""
    return str(ERRORS.code_of(str(conflict)) or "kan-niet")


@functools.lru_cache(maxsize=8)
def zone(name: str) -> Any:
    """The time zone of LOOPBRUG_TIMEZONE (UTC when it cannot be read)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def shown_time(moment: Optional[datetime], tz_name: str) -> str:
    """A moment as the coach reads it: "04-03-2026 12:00", local time."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone(tz_name)).strftime("%d-%m-%Y %H:%M")


def age(since: datetime, now: Optional[datetime] = None) -> str:
    """How long ago, short and in Dutch: "net binnen", "12 min", "3 uur", "2 dagen"."""
    now = now or datetime.now(timezone.utc)
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return text("inbox.age_new")
    if minutes < 60:
        return text("inbox.age_minutes", minutes=minutes)
    hours = minutes // 60
    if hours < 48:
        return text("inbox.age_hours", hours=hours)
    return text("inbox.age_days", days=hours // 24)


def text_list(value: Any) -> List[str]:
    """A list of non-empty strings from whatever the summary holds (else an empty list)."""
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, (str, int, float)) and str(item)]


def message_list(value: Any) -> List[Dict[str, Any]]:
    """The person's messages as ``{"text", "crisis", "omitted"}``: a ticket stored before the
    crisis guard's mark was kept holds plain strings."""
    if not isinstance(value, list):
        return []
    shown: List[Dict[str, Any]] = []
    for item in value:
        if isinstance(item, str) and item:
            shown.append({"text": item, "crisis": False, "omitted": False})
        elif isinstance(item, dict) and isinstance(item.get("text"), str) and item["text"]:
            shown.append(
                {
                    "text": item["text"],
                    "crisis": item.get("crisis") is True,
                    "omitted": bool(item.get("omitted")),
                }
            )
    return shown


def summary_view(summary: Any) -> Dict[str, Any]:
    """The ticket's summary with every part present and of the expected type."""
    summary = summary if isinstance(summary, dict) else {}
    reason = summary.get("reason")
    profile = summary.get("profile")
    money = summary.get("money_check")
    amounts = summary.get("amounts")
    return {
        "reason": reason if isinstance(reason, str) else "",
        "asked": text_list(summary.get("asked")),
        "messages": message_list(summary.get("messages")),
        "facts": text_list(summary.get("facts")),
        "profile": text_list(profile.get("lines")) if isinstance(profile, dict) else [],
        "money_colour": (str(money.get("colour") or "") if isinstance(money, dict) else ""),
        "money": text_list(money.get("lines")) if isinstance(money, dict) else [],
        "has_money": isinstance(money, dict),
        "amounts": text_list(amounts.get("lines")) if isinstance(amounts, dict) else [],
    }


def transcript_line(line: Dict[str, Any], tz_name: str) -> Dict[str, Any]:
    """One transcript line as the page and coach.js show it (``at`` as an ISO string)."""
    kind = line.get("from") if line.get("from") in ("person", "bot", "coach", "system") else "bot"
    said = str(line.get("text") or "")
    name = line.get("name") if isinstance(line.get("name"), str) else None
    if kind == "coach" and name:
        who = text("inbox.from_named_coach", name=name)
    else:
        who = text(f"inbox.from_{kind}")
    if kind == "system":
        said = SYSTEM_LINES.get(said, said)
    at = line.get("at")
    shown: Dict[str, Any] = {
        "from": kind,
        "who": who,
        "text": said,
        "at": at.isoformat() if isinstance(at, datetime) else None,
        "time": shown_time(at, tz_name) if isinstance(at, datetime) else "",
    }
    if name:
        shown["name"] = name
    if line.get("crisis"):
        shown["crisis"] = True
    return shown


def transcript_lines(raw: List[Dict[str, Any]], tz_name: str) -> List[Dict[str, Any]]:
    """Every line of a transcript (loopbrug/handoff/relay.py) as the inbox shows it."""
    return [transcript_line(line, tz_name) for line in raw]


# -- honest times and the JSON of a ticket (issue 19) -----------------------------------------

WAITS_ON = Labels({way: f"inbox.waits_{way}" for way in ("chat", "telefoon", "email")})
TARGET_LABELS = Labels({times.NEAR: "inbox.target_near", times.OVER: "inbox.target_over"})
# The channel of the conversation as the JSON API names it.
CHANNEL_NAMES = {"rest": "web", "telegram": "telegram"}
URGENCY_NAMES = {store.CRISIS: "crisis", store.ACUTE: "acute", store.NORMAL: "normal"}


def duration(span: Optional[timedelta]) -> str:
    """A span of time, short: "minder dan 1 min", "12 min", "3 uur", "2 dagen"."""
    if span is None:
        return ""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 1:
        return text("inbox.duration_less_than_minute")
    if minutes < 60:
        return text("inbox.age_minutes", minutes=minutes)
    hours = minutes // 60
    if hours < 48:
        return text("inbox.age_hours", hours=hours)
    return text("inbox.age_days", days=hours // 24)


def ago(span: Optional[timedelta]) -> str:
    """ "12 min geleden" (empty when not known)."""
    return text("inbox.ago", duration=duration(span)) if span is not None else ""


def times_view(ticket: store.Ticket, now: datetime, target: timedelta, tz_name: str) -> Dict:
    """What the list and the ticket page show of a ticket's times.

    ``wait``: the running wait of an unclaimed open ticket, else "opgepakt na ..." once
    claimed, else nothing (a closed ticket that was never claimed waits for nothing).
    """
    waited = times.waiting(ticket, now)
    claimed = times.claimed_after(ticket)
    state = times.target_state(ticket, now, target)
    if waited is not None:
        wait = duration(waited)
    elif claimed is not None:
        wait = text("inbox.claimed_after", duration=duration(claimed))
    else:
        wait = ""
    return {
        "wait": wait,
        "waiting": waited is not None,
        "target_state": state or "",
        "target_label": TARGET_LABELS.get(state or "", ""),
        "target_minutes": int(target.total_seconds() // 60),
        "since_person": ago(times.since_person(ticket, now)),
        "claimed": shown_time(ticket.claimed_at, tz_name),
        "claimed_after": duration(claimed),
        "first_response": shown_time(ticket.first_response_at, tz_name),
        "first_response_after": duration(times.first_response_after(ticket)),
        "last_person_message": shown_time(ticket.last_person_message_at, tz_name),
        "created": shown_time(ticket.created_at, tz_name),
        "closed": shown_time(ticket.closed_at, tz_name),
        "waits_on": WAITS_ON.get(ticket.contact_channel, ticket.contact_channel),
    }


def iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment is not None else None


def satisfaction_view(ticket: store.Ticket, tz_name: str) -> str:
    """The person's answer to "Heeft de coach je geholpen?" for the ticket page."""
    if ticket.satisfaction in ("ja", "nee"):
        moment = shown_time(ticket.satisfaction_at, tz_name) if ticket.satisfaction_at else ""
        return text(f"inbox.satisfaction_shown_{ticket.satisfaction}", time=moment)
    if ticket.satisfaction_asked_at is not None:
        return text("inbox.satisfaction_waiting")
    return text("inbox.satisfaction_not_asked")


def ticket_json(ticket: store.Ticket, team_name: str) -> Dict[str, Any]:
    """A ticket in the inbox's JSON API (GET /coach/api/tickets): no contact details."""
    return {
        "reference": ticket.ref,
        "url": "/coach/tickets/" + ticket.ref,
        "team": ticket.team,
        "team_name": team_name,
        "status": ticket.status,
        "live": ticket.live,
        "urgency": URGENCY_NAMES.get(ticket.urgency, "normal"),
        "topic": ticket.topic,
        "topic_label": TOPIC_LABELS.get(ticket.topic, ticket.topic),
        "region": ticket.region,
        "gemeente": ticket.gemeente,
        "coach": ticket.coach_name,
        "created_at": iso(ticket.created_at),
        "claimed_at": iso(ticket.claimed_at),
        "first_response_at": iso(ticket.first_response_at),
        "closed_at": iso(ticket.closed_at),
        "last_person_message_at": iso(ticket.last_person_message_at),
        "outcome": ticket.outcome,
        "satisfaction": ticket.satisfaction,
        "channel": CHANNEL_NAMES.get(ticket.channel, ticket.channel),
        "waits_on": ticket.contact_channel,
    }
