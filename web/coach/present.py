"""How the inbox shows tickets, summaries and transcripts: Dutch labels and plain values.

No aiohttp here: these functions turn stored values into what the templates and coach.js
show, and are tested on their own. Texts for the coach only; what the person reads is in
data/texts/.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loopbrug.handoff import store

MAX_REPLY_CHARS = 2000
MAX_NOTE_CHARS = 4000

TRANSCRIPT_DOWN = "Het gesprek kan nu niet geladen worden."
DATABASE_DOWN = (
    "De inbox kan de gegevens nu niet bereiken. Probeer het over een paar minuten opnieuw."
)
NOT_FOUND = "Dit ticket is niet gevonden."

URGENCY_LABELS = {store.CRISIS: "Crisis", store.ACUTE: "Acute schulden", store.NORMAL: "Normaal"}
STATUS_LABELS = {store.NEW: "Nieuw", store.CLAIMED: "Opgepakt", store.CLOSED: "Gesloten"}
TOPIC_LABELS = {
    "werk": "Werk",
    "scholing": "Scholing",
    "geld": "Geld en schulden",
    "algemeen": "Algemeen",
    "crisis": "Crisis",
}
CHANNEL_LABELS = {"rest": "Chat op de website", "telegram": "Telegram"}
CONTACT_LABELS = {"chat": "Chat", "telefoon": "Telefoon", "email": "E-mail"}
EVENT_LABELS = {
    "note": "Notitie",
    "claim": "Opgepakt",
    "takeover": "Gesprek overgenomen",
    "reply": "Bericht aan de persoon",
    "handback": "Gesprek teruggegeven",
    "close": "Gesloten",
    "followup": "Navraag: is er contact geweest?",
    "erased": "Gewist op verzoek van de persoon",
    "crisis": "Zorgwekkend bericht: het ticket is nu dringend (crisis)",
}
SYSTEM_LINES = {
    "pause": "Een coach heeft het gesprek overgenomen. Loopbrug antwoordt niet.",
    "resume": "Het gesprek is teruggegeven aan Loopbrug.",
    "navraag": "Loopbrug heeft gevraagd of er contact is geweest.",
}

# Messages after an action, passed as a code in ``?melding=``: only known texts are shown.
FLASHES = {
    "opgepakt": "Je hebt het ticket opgepakt.",
    "notitie": "Je notitie is bewaard.",
    "overgenomen": "Je hebt het gesprek overgenomen. De persoon ziet dat nu.",
    "verstuurd": "Je bericht is verstuurd.",
    "teruggegeven": "Je hebt het gesprek teruggegeven aan Loopbrug.",
    "gesloten": "Het ticket is gesloten.",
}
ERRORS = {
    "leeg": "Typ eerst een tekst.",
    "bericht-te-lang": f"Je bericht is te lang. Gebruik maximaal {MAX_REPLY_CHARS} tekens.",
    "notitie-te-lang": f"Je notitie is te lang. Gebruik maximaal {MAX_NOTE_CHARS} tekens.",
    "rasa": (
        "Loopbrug is nu niet bereikbaar, dus het gesprek is niet veranderd. Probeer het zo opnieuw."
    ),
    "al-gesloten": "Dit ticket is al gesloten.",
    "andere-coach": "Een andere coach heeft dit ticket al opgepakt.",
    "eerst-oppakken": "Pak het ticket eerst op.",
    "eerst-overnemen": "Neem het gesprek eerst over.",
    "uitkomst": "Kies een uitkomst.",
    "kan-niet": "Dat kan nu niet.",
}
# store.TicketConflict carries one of these texts; the redirect carries its code.
CONFLICT_CODES = {text: code for code, text in ERRORS.items()}


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
        return "net binnen"
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} uur"
    return f"{hours // 24} dagen"


def text_list(value: Any) -> List[str]:
    """A list of non-empty strings from whatever the summary holds (else an empty list)."""
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, (str, int, float)) and str(item)]


def summary_view(summary: Any) -> Dict[str, Any]:
    """The ticket's summary with every part present and of the expected type."""
    summary = summary if isinstance(summary, dict) else {}
    reason = summary.get("reason")
    profile = summary.get("profile")
    money = summary.get("money_check")
    return {
        "reason": reason if isinstance(reason, str) else "",
        "asked": text_list(summary.get("asked")),
        "messages": text_list(summary.get("messages")),
        "facts": text_list(summary.get("facts")),
        "profile": text_list(profile.get("lines")) if isinstance(profile, dict) else [],
        "money_colour": (str(money.get("colour") or "") if isinstance(money, dict) else ""),
        "money": text_list(money.get("lines")) if isinstance(money, dict) else [],
        "has_money": isinstance(money, dict),
    }


def transcript_line(line: Dict[str, Any], tz_name: str) -> Dict[str, Any]:
    """One transcript line as the page and coach.js show it (``at`` as an ISO string)."""
    kind = line.get("from") if line.get("from") in ("person", "bot", "coach", "system") else "bot"
    text = str(line.get("text") or "")
    name = line.get("name") if isinstance(line.get("name"), str) else None
    if kind == "person":
        who = "Persoon"
    elif kind == "coach":
        who = f"{name} (coach)" if name else "Coach"
    elif kind == "system":
        who = "Melding"
        text = SYSTEM_LINES.get(text, text)
    else:
        who = "Loopbrug"
    at = line.get("at")
    shown: Dict[str, Any] = {
        "from": kind,
        "who": who,
        "text": text,
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
