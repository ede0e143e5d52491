"""The one metadata of the helpline's own tables, complete.

Every table is declared on ``loopbrug.db.Base``; importing the modules that declare them
registers them. Only Alembic's autogenerate needs the whole set (to compare it with a
database), so this is a function, not import-time work.
"""

from __future__ import annotations

from sqlalchemy import MetaData


def metadata() -> MetaData:
    """``Base.metadata`` with every table of the product registered (loopbrug.db itself
    declares profiles, money checks and web sessions)."""
    import loopbrug.assessment.files  # noqa: F401  (loopbrug_profile_downloads)
    import loopbrug.handoff.store  # noqa: F401  (tickets, coaches, sessions, events, relay, throttle)
    from loopbrug.db import Base

    return Base.metadata
