"""Which team gets a ticket: by region and topic, configured in data/handoff/teams.yml."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

from loopbrug.settings import ROOT

TEAMS_PATH = ROOT / "data" / "handoff" / "teams.yml"
TOPICS = ("werk", "scholing", "geld", "algemeen", "crisis")
ANY = "*"
# Minutes within which a team means to claim a new ticket, when teams.yml does not say.
DEFAULT_TARGET_MINUTES = 60


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    regions: Tuple[str, ...]
    topics: Tuple[str, ...]
    target_minutes: int = DEFAULT_TARGET_MINUTES

    def covers_region(self, region: Optional[str]) -> bool:
        return region is not None and region in self.regions

    def covers_topic(self, topic: str) -> bool:
        return ANY in self.topics or topic in self.topics


@dataclass(frozen=True)
class Teams:
    national: str
    by_id: Dict[str, Team]

    def name(self, team_id: str) -> str:
        team = self.by_id.get(team_id)
        return team.name if team else team_id

    def target(self, team_id: str) -> timedelta:
        """The team's target time for claiming a new ticket (the default for an unknown team)."""
        team = self.by_id.get(team_id)
        return timedelta(minutes=team.target_minutes if team else DEFAULT_TARGET_MINUTES)

    def route(self, region: Optional[str], topic: str) -> str:
        """The team id for a ticket (see the rules at the top of teams.yml)."""
        if topic == "crisis":
            return self.national
        teams = list(self.by_id.values())
        for team in teams:
            if team.covers_region(region) and team.covers_topic(topic):
                return team.id
        for team in teams:
            if ANY in team.regions and topic in team.topics:
                return team.id
        return self.national


def load_teams(path: Path = TEAMS_PATH) -> Teams:
    """Read and check the team configuration; ValueError says what is wrong."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_id: Dict[str, Team] = {}
    for entry in raw.get("teams") or []:
        team = Team(
            id=str(entry["id"]),
            name=str(entry["name"]),
            regions=tuple(str(r) for r in entry.get("regions") or []),
            topics=tuple(str(t) for t in entry.get("topics") or []),
            target_minutes=int(entry.get("target_minutes") or DEFAULT_TARGET_MINUTES),
        )
        if team.target_minutes <= 0:
            raise ValueError(f"team {team.id!r} has a target_minutes that is not positive")
        if team.id in by_id:
            raise ValueError(f"team {team.id!r} appears twice in {path}")
        unknown = [t for t in team.topics if t != ANY and t not in TOPICS]
        if unknown:
            raise ValueError(f"team {team.id!r} has unknown topics {unknown}")
        by_id[team.id] = team
    national = str(raw.get("national_team", ""))
    if national not in by_id:
        raise ValueError(f"national_team {national!r} is not one of the teams in {path}")
    return Teams(national=national, by_id=by_id)


@functools.lru_cache(maxsize=1)
def get_teams() -> Teams:
    return load_teams()
