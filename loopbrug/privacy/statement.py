"""The privacy statement (data/privacy.yml) with the configured retention times filled in.

One source for the bot's answer (actions/privacy.py), the page /privacy and the widget's
privacy panel (web/app.py, ``GET /api/privacy``), so all three always say the same. The
text is read on first use and kept for the life of the process.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional

import yaml

from loopbrug.settings import ROOT, Settings, load_settings

PRIVACY_PATH = ROOT / "data" / "privacy.yml"


@functools.lru_cache(maxsize=1)
def _data() -> Dict[str, Any]:
    return yaml.safe_load(PRIVACY_PATH.read_text(encoding="utf-8"))


def title() -> str:
    """The statement's heading."""
    return str(_data()["title"])


def lines(settings: Optional[Settings] = None) -> List[str]:
    """One line per idea, with LOOPBRUG_*_RETENTION_DAYS filled in."""
    settings = settings or load_settings()
    return [
        str(line).format(
            conversation_days=settings.conversation_retention_days,
            ticket_days=settings.ticket_retention_days,
        )
        for line in _data()["lines"]
    ]
