"""A person's finished profile on :mod:`loopbrug.db`, under their pseudonymous key.

Blocking (database I/O): async callers run these in a thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Optional, Tuple

from loopbrug import db
from loopbrug.assessment.profile import Profile, from_dict, to_dict


def save(
    sender_id: str, answers: Dict[str, Any], profile: Profile, url: Optional[str] = None
) -> None:
    """Store (or replace) the profile with the answers it was scored from."""
    db.save_profile(sender_id, answers, to_dict(profile), url)


def load(sender_id: str, url: Optional[str] = None) -> Tuple[Optional[Profile], Optional[datetime]]:
    """(profile, when it was made) of the person, or (None, None)."""
    stored = db.load_profile(sender_id, url)
    if stored is None:
        return None, None
    return from_dict(stored["profile"]), stored["updated_at"]
