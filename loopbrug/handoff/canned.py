"""Canned replies: short texts a coach puts in the reply box, per team, filled in per ticket.

``data/handoff/canned_replies.yml`` holds a shared list (``default``) and a list per team id of
data/handoff/teams.yml (``teams``); each reply has a short ``title`` and a ``text``. The
placeholders ``{voornaam_coach}``, ``{regio}``, ``{gemeente}`` and ``{loket}`` (the regional
desk of the person, loopbrug/region/) are filled here, on the server, from the ticket and the
coach. A value that is not known becomes a plain fallback (``inbox.canned_unknown_<name>`` in
data/texts/nl/inbox.yml), so a person never reads a raw "{regio}". The file is read on first
use; a unit test checks it (teams, placeholders, plain Dutch).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from loopbrug.region import get_region_model, the_region
from loopbrug.settings import ROOT
from loopbrug.texts import placeholders, text

CANNED_PATH = ROOT / "data" / "handoff" / "canned_replies.yml"
PLACEHOLDERS = ("voornaam_coach", "regio", "gemeente", "loket")
# Desk kinds that are "the loket" of a region, most fitting first.
LOKET_KINDS = ("leerwerkloket", "werkcentrum")


@dataclass(frozen=True)
class Canned:
    """One canned reply as the file has it (placeholders not filled in)."""

    title: str
    text: str


@dataclass(frozen=True)
class CannedReplies:
    """The shared list and the lists per team."""

    default: Tuple[Canned, ...]
    teams: Mapping[str, Tuple[Canned, ...]]

    def for_team(self, team: str) -> List[Canned]:
        """The team's own replies first, then the shared ones."""
        return [*self.teams.get(team, ()), *self.default]


def _replies(raw: object, where: str) -> Tuple[Canned, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"{where}: a list of replies is needed")
    found = []
    for number, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not entry.get("title") or not entry.get("text"):
            raise ValueError(f"{where} #{number}: every reply needs a title and a text")
        found.append(Canned(str(entry["title"]).strip(), str(entry["text"]).strip()))
    return tuple(found)


def load_canned(path: Path = CANNED_PATH) -> CannedReplies:
    """Read the file; ValueError when its shape is wrong."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    teams = data.get("teams") or {}
    if not isinstance(teams, dict):
        raise ValueError(f"{path.name}: teams must map team ids to lists")
    return CannedReplies(
        _replies(data.get("default") or [], "default"),
        {str(team): _replies(replies, str(team)) for team, replies in teams.items()},
    )


@functools.lru_cache(maxsize=1)
def get_canned() -> CannedReplies:
    """The canned replies, read on first use."""
    return load_canned()


def unknown_placeholders(template: str) -> List[str]:
    """Placeholders in ``template`` that ``fill`` does not know."""
    return sorted(name for name in placeholders(template) if name not in PLACEHOLDERS)


def loket(gemeente: Optional[str], region: Optional[str]) -> Optional[str]:
    """The name of the person's regional desk (leerwerkloket or werkcentrum), if the region
    has one; national sites do not count (the fallback text names the kind of desk)."""
    model = get_region_model()
    place = model.gemeente(gemeente) if gemeente else None
    where = place.arbeidsmarktregio if place is not None else region
    desks = model.desks.for_region(where) if where else []
    for kind in LOKET_KINDS:
        for desk in desks:
            if desk.kind == kind and desk.name:
                return desk.name
    return None


def values(
    coach_first_name: Optional[str], gemeente: Optional[str], region: Optional[str]
) -> Dict[str, str]:
    """Every placeholder's value for one ticket; a fallback text where it is not known."""
    known = {
        "voornaam_coach": (coach_first_name or "").strip() or None,
        "regio": the_region(region) if region else None,
        "gemeente": (gemeente or "").strip() or None,
        "loket": loket(gemeente, region),
    }
    return {
        name: value if value else text(f"inbox.canned_unknown_{name}")
        for name, value in known.items()
    }


def fill(template: str, filled: Mapping[str, str]) -> str:
    """``template`` with its placeholders filled in; one that is not known stays out."""
    wanted = {name: filled.get(name, "") for name in placeholders(template)}
    return template.format(**wanted)


def replies_for(
    team: str, coach_first_name: Optional[str], gemeente: Optional[str], region: Optional[str]
) -> List[Canned]:
    """The canned replies of ``team`` as the coach inserts them: filled in for this ticket."""
    filled = values(coach_first_name, gemeente, region)
    return [Canned(c.title, fill(c.text, filled)) for c in get_canned().for_team(team)]
