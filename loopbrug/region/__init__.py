"""Place -> gemeente -> arbeidsmarktregio -> desks.

``get_region_model().resolve("ik woon in zwole")`` returns a :class:`Match`; ``desks_for``
lists the desks for a gemeente. The parts:

* places.py: how a postcode, a place name or a near miss is read, and when the bot asks back
  instead of stating a place;
* desks.py: the desks, funds and national sites per arbeidsmarktregio;
* model.py: both together, loaded once from ``data/regions`` (see SOURCES.md there) on first
  use; nothing is read on import;
* describe.py: how a region and its desks are put to a person (``the_region``,
  ``desks_text``).

Comparing names and knowing Dutch words (``fold``, ``dutch_words``) is loopbrug/words.py.
"""

from loopbrug.region.describe import desk_line, desks_text, the_region
from loopbrug.region.desks import NATIONAL_FINDER, Desk, Desks
from loopbrug.region.model import RegionModel, get_region_model
from loopbrug.region.places import DATA_DIR, Gemeente, Match, Places

__all__ = [
    "DATA_DIR",
    "NATIONAL_FINDER",
    "Desk",
    "Desks",
    "Gemeente",
    "Match",
    "Places",
    "RegionModel",
    "desk_line",
    "desks_text",
    "get_region_model",
    "the_region",
]
