"""Moved: the region model is a service of the core, ``loopbrug.region`` (``fold`` and
``dutch_words`` are in ``loopbrug.words``).

Only a bridge for the two modules that other work on issue 18 still changes:
actions/handoff.py and handoff/summary.py. Delete this file once they import
``loopbrug.region`` (tests/unit/test_region.py lists who still imports it).
"""

from loopbrug.region import Desk, Gemeente, Match, RegionModel, get_region_model, the_region
from loopbrug.words import dutch_words, fold

__all__ = [
    "Desk",
    "Gemeente",
    "Match",
    "RegionModel",
    "dutch_words",
    "fold",
    "get_region_model",
    "the_region",
]
