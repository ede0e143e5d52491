"""Office hours of the coaches: "are we open now?" and "when do we open next?".

``LOOPBRUG_OFFICE_HOURS`` lists days and times in ``LOOPBRUG_TIMEZONE``, for example
``ma-vr 09:00-17:00`` or ``ma-do 09:00-17:00; vr 09:00-12:00``. Public holidays are not
known here; the texts therefore say "meestal".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
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


def when_text(moment: datetime, now: datetime) -> str:
    """ "vandaag om 13:00", "morgen om 9:00" or "maandag om 9:00" (B1, local time)."""
    local_now = now.astimezone(moment.tzinfo)
    clock = f"{moment.hour}:{moment.minute:02d}"
    days = (moment.date() - local_now.date()).days
    if days == 0:
        return f"vandaag om {clock}"
    if days == 1:
        return f"morgen om {clock}"
    return f"{DAY_NAMES[moment.weekday()]} om {clock}"
