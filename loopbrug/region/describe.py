"""How a region and its desks are put to a person (texts in data/texts/<language>/region.yml).

Used by the place and desk answers (actions/location.py), the handoff (actions/handoff.py)
and the coach's summary (loopbrug/handoff/summary.py).
"""

from __future__ import annotations

from typing import Optional

from loopbrug.region.desks import NATIONAL_FINDER, Desk
from loopbrug.region.model import get_region_model
from loopbrug.texts import text

# Desk kinds named in the desks answer, each with what it is for in a few plain words
# (region.purpose.<kind>); desks.yml keeps the sources and fuller notes.
NAMED_KINDS = ("leerwerkloket", "werkcentrum", "fonds", "finder", "uwv", "gemeente")


def the_region(name: str, article: bool = True) -> str:
    """A labour-market region as a sentence names it: "de regio Twente" (or "regio Twente"
    without the article), but "Regio Zwolle": some official names start with "Regio", and
    "de regio Regio Zwolle" said it twice."""
    if name.lower().startswith("regio "):
        return name
    return text("region.named" if article else "region.named_bare", name=name)


def desk_line(desk: Desk) -> Optional[str]:
    """One desk as a short line, or None for kinds that do not belong in this answer."""
    if desk.kind not in NAMED_KINDS or not desk.name:
        return None
    where = f" ({desk.url.removeprefix('https://').removeprefix('www.')})" if desk.url else ""
    line = f"- {desk.name}{where}: {text(f'region.purpose.{desk.kind}')}."
    if desk.kind == "fonds" and desk.status != "active":
        line += " " + text("region.unsure")
    return line


def desks_text(gemeente_code: Optional[str]) -> str:
    """The desks of the person's region as short lines, or the national finder when the
    place is not known."""
    model = get_region_model()
    place = model.gemeente(gemeente_code or "")
    if place is None:
        return text("region.finder", finder=NATIONAL_FINDER)
    lines = [line for line in map(desk_line, model.desks_for(place)) if line]
    intro = text(
        "region.desks", place=place.display_name, region=the_region(place.arbeidsmarktregio)
    )
    return intro + "\n" + "\n".join(lines)
