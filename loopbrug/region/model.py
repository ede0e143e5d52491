"""The region model: the places and the desks together, loaded once on first use."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

from loopbrug.region.desks import Desk, Desks
from loopbrug.region.places import DATA_DIR, Gemeente, Match, Places


class RegionModel:
    """What the actions and the handoff ask of a region: read a place, find its desks."""

    def __init__(self, places: Places, desks: Desks):
        self.places = places
        self.desks = desks

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> RegionModel:
        """Read the region tables, aliases and desks from ``data_dir``."""
        return cls(Places.load(data_dir), Desks.load(data_dir))

    def resolve(self, text: str) -> Match:
        """Find where someone lives in free text: a postcode, a place name, or a near miss."""
        return self.places.resolve(text)

    def gemeente(self, code_or_official_name: str) -> Optional[Gemeente]:
        """A gemeente by CBS code ("GM0363") or official name (case/diacritics-insensitive)."""
        return self.places.gemeente(code_or_official_name)

    def regions(self) -> list[str]:
        """The 35 arbeidsmarktregio names, sorted."""
        return self.places.regions()

    def desks_for(self, gemeente: Gemeente) -> list[Desk]:
        """The desks for a gemeente, regional ones first (:meth:`Desks.for_gemeente`)."""
        return self.desks.for_gemeente(gemeente)


@functools.lru_cache(maxsize=1)
def get_region_model() -> RegionModel:
    """The region model, loaded on first use and shared afterwards."""
    return RegionModel.load()
