"""Where people can go in their region: desks, funds and the national sites.

``Desks.load()`` reads ``data/regions/desks.yml`` (sources and dates for every fact are in that
file); ``for_gemeente`` lists, for one gemeente, the regional desks and funds first, then the
national ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import yaml

from loopbrug.region.places import DATA_DIR, Gemeente

# The national site that finds every desk, named where the place is not known.
NATIONAL_FINDER = "lerenenwerken.nl"
FIELDS = ("kind", "name", "url", "note", "source", "checked", "status")


@dataclass(frozen=True)
class Desk:
    """One desk, fund or site, as desks.yml describes it."""

    kind: str  # leerwerkloket | werkcentrum | fonds | uwv | gemeente | geldhulp | finder
    name: str
    url: Optional[str]
    note: str
    source: str
    checked: str
    status: str  # active | unknown | ended


def _desk(entry: dict) -> Desk:
    return Desk(**{f: entry.get(f) if f == "url" else str(entry.get(f) or "") for f in FIELDS})


class Desks:
    """The regional and national desks, by arbeidsmarktregio."""

    def __init__(self, regional: dict[str, list[Desk]], national: list[Desk]):
        self._regional = regional
        self._national = national

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> Desks:
        """Read ``desks.yml`` from ``data_dir``."""
        desks = yaml.safe_load((data_dir / "desks.yml").read_text(encoding="utf-8"))
        regional = {  # entries without a name (unverified loket) fall back on the finder
            region: [_desk(d) for d in entries if d.get("name")]
            for region, entries in desks["regions"].items()
        }
        return cls(regional, [_desk(d) for d in desks["national"]])

    def for_region(self, region: str) -> list[Desk]:
        """The regional desks and funds of one arbeidsmarktregio (none for an unknown one)."""
        return list(self._regional.get(region, []))

    def for_gemeente(self, gemeente: Gemeente) -> list[Desk]:
        """Regional desks and funds first, then gemeente, UWV, werkcentrum.nl, finder, Geldfit.

        werkcentrum.nl is left out when the region has a Werkcentrum of its own. The national
        "Gemeente" desk gets the gemeente's name ("Gemeente Zwolle").
        """
        result = list(self._regional.get(gemeente.arbeidsmarktregio, []))
        has_werkcentrum = any(d.kind == "werkcentrum" for d in result)
        for d in self._national:
            if d.kind == "gemeente":
                d = replace(d, name=f"{d.name} {gemeente.display_name}")
            if not (d.kind == "werkcentrum" and has_werkcentrum):
                result.append(d)
        return result
