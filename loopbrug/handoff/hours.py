"""Office hours of the coaches: "are we open now?", "when do we open next?", said honestly.

``LOOPBRUG_OFFICE_HOURS`` lists days and times in ``LOOPBRUG_TIMEZONE``, for example
``ma-vr 09:00-17:00`` or ``ma-do 09:00-17:00; vr 09:00-12:00``. Public holidays are not
known here; the texts therefore say "meestal". The sentences are in data/texts/ (handoff.*);
day and month names come from Babel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

from babel.dates import format_date

from loopbrug.settings import Settings
from loopbrug.texts import DEFAULT_LANGUAGE, text

# Day abbreviations of the LOOPBRUG_OFFICE_HOURS format (a setting, not text for a person).
DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
_PART = re.compile(
    r"^\s*(?P<first>ma|di|wo|do|vr|za|zo)(?:\s*-\s*(?P<last>ma|di|wo|do|vr|za|zo))?\s+"
    r"(?P<start>\d{1,2}[:.]\d{2})\s*-\s*(?P<end>\d{1,2}[:.]\d{2})\s*$"
)


def _time(raw: str) -> time:
    hours, minutes = (int(p) for p in re.split(r"[:.]", raw))
    if hours == 24 and minutes == 0:
        return time(23, 59, 59)
    return time(hours, minutes)


@dataclass(frozen=True)
class OfficeHours:
    """Opening times per weekday (0 = Monday) in one time zone."""

    slots: Dict[int, Tuple[Tuple[time, time], ...]]
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, zone: str = "Europe/Amsterdam") -> OfficeHours:
        """Read a spec such as ``ma-vr 09:00-17:00; za 10:00-12:00``; ValueError when wrong."""
        slots: Dict[int, List[Tuple[time, time]]] = {}
        for part in spec.lower().split(";"):
            if not part.strip():
                continue
            match = _PART.match(part)
            if match is None:
                raise ValueError(f"office hours: cannot read {part.strip()!r}")
            first = DAYS.index(match["first"])
            last = DAYS.index(match["last"] or match["first"])
            start, end = _time(match["start"]), _time(match["end"])
            if end <= start or last < first:
                raise ValueError(f"office hours: {part.strip()!r} ends before it starts")
            for day in range(first, last + 1):
                slots.setdefault(day, []).append((start, end))
        if not slots:
            raise ValueError("office hours: no opening times given")
        return cls({d: tuple(sorted(s)) for d, s in slots.items()}, ZoneInfo(zone))

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        return any(
            start <= local.time() < end for start, end in self.slots.get(local.weekday(), ())
        )

    def next_opening(self, now: datetime) -> Optional[datetime]:
        """The next moment the coaches start, in local time (None if never within a week)."""
        local = now.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for start, _ in self.slots.get(day.weekday(), ()):
                moment = datetime.combine(day, start, tzinfo=self.zone)
                if moment > local:
                    return moment
        return None


def office_hours(settings: Settings) -> OfficeHours:
    """The coaches' opening times from the settings (ValueError or KeyError when unreadable)."""
    return OfficeHours.parse(settings.office_hours, settings.timezone)


def when_text(moment: datetime, now: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """ "vandaag om 13:00", "morgen om 9:00" or "maandag om 9:00" (B1, local time)."""
    local_now = now.astimezone(moment.tzinfo)
    clock = f"{moment.hour}:{moment.minute:02d}"
    days = (moment.date() - local_now.date()).days
    if days == 0:
        return text("handoff.when_today", language, clock=clock)
    if days == 1:
        return text("handoff.when_tomorrow", language, clock=clock)
    day = format_date(moment.date(), "EEEE", locale=language)
    return text("handoff.when_day", language, day=day, clock=clock)


def next_opening_text(hours: OfficeHours, now: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """When the coaches are back, in words ("maandag om 9:00")."""
    opening = hours.next_opening(now)
    if opening is None:
        return text("handoff.when_next_workday", language)
    return when_text(opening, now, language)


def response_text(
    hours: OfficeHours, now: datetime, finder: str, language: str = DEFAULT_LANGUAGE
) -> str:
    """When a coach will respond, honest about office hours (``finder``: the desk finder)."""
    if hours.is_open(now):
        return text("handoff.hours_open", language)
    when = next_opening_text(hours, now, language)
    return text("handoff.hours_closed", language, when=when, finder=finder)


def crisis_response_text(
    hours: OfficeHours, now: datetime, language: str = DEFAULT_LANGUAGE
) -> str:
    """For a crisis ticket: it goes first, and 113 stays the fastest help.

    Never "binnen een werkdag": 113 is the fastest help, day and night.
    """
    if hours.is_open(now):
        first = text("handoff.crisis_open", language)
    else:
        first = text(
            "handoff.crisis_closed", language, when=next_opening_text(hours, now, language)
        )
    return f"{first} {text('handoff.crisis_first', language)}"


def date_text(moment: datetime, hours: OfficeHours, language: str = DEFAULT_LANGUAGE) -> str:
    """A date in words in the coaches' time zone, e.g. "4 maart 2026"."""
    return format_date(moment.astimezone(hours.zone).date(), "d MMMM y", locale=language)
