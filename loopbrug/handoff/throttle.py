"""Login throttling that parallel attempts cannot pass and strangers cannot abuse.

Every login attempt first *reserves* a place in three counters, each in one atomic UPDATE
(compare-and-set on the stored count, so two requests can never both take the last place):

* the account from this client address: 5 failures in 15 minutes lock this pair for 15
  minutes. A stranger guessing from their own address locks out only themselves;
* the client address over all accounts: 20 failures in 15 minutes (password spraying);
* the account over all addresses: 50 failures in an hour, so guessing from many addresses
  stays slow. Reaching that takes a distributed attack; it locks the account for 15 minutes,
  the price of not letting such an attack guess on.

Only with all three places taken is the password checked. A wrong password leaves the places
counted; a right one gives them back (and clears the pair's count). So 30 wrong passwords at
once take the 5 places of the pair, the other 25 are refused unchecked, and the right
password after them is refused too, until the lock ends.

Why our own code: the usual rate limiters for aiohttp count requests in memory, per process;
this must hold across processes and restarts, and the reservation must be atomic in the same
database the accounts live in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from loopbrug.db import utcnow
from loopbrug.handoff.store import ThrottleRecord, aware, factory


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` within ``window``; then locked for ``lock_for``."""

    kind: str
    failures: int
    window: timedelta
    lock_for: timedelta


PAIR = Limit("pair", 5, timedelta(minutes=15), timedelta(minutes=15))
ADDRESS = Limit("address", 20, timedelta(minutes=15), timedelta(minutes=15))
ACCOUNT = Limit("account", 50, timedelta(hours=1), timedelta(minutes=15))


def _address(client: str) -> str:
    # Addresses are personal data: only a hash is stored.
    return hashlib.sha256(client.encode("utf-8")).hexdigest()[:32]


def keys_for(username: str, client: str) -> List[tuple]:
    """(key, limit) of the three counters a login attempt needs a place in."""
    address = _address(client or "unknown")
    name = username.lower()[:80]
    return [
        (f"pair:{name}:{address}", PAIR),
        (f"address:{address}", ADDRESS),
        (f"account:{name}", ACCOUNT),
    ]


def _insert(dialect: str):
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def _reserve_one(session, key: str, limit: Limit, now: datetime) -> bool:
    table = ThrottleRecord.__table__
    insert = _insert(session.get_bind().dialect.name)
    session.execute(
        insert(table)
        .values(key=key, failures=0, window_start=now, locked_until=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    expired = table.c.window_start <= now - limit.window
    counted = case((expired, 1), else_=table.c.failures + 1)
    result = session.execute(
        update(table)
        .where(table.c.key == key)
        .where((table.c.locked_until.is_(None)) | (table.c.locked_until <= now))
        .where(expired | (table.c.failures < limit.failures))
        .values(
            failures=counted,
            window_start=case((expired, now), else_=table.c.window_start),
            locked_until=case((counted >= limit.failures, now + limit.lock_for), else_=None),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def reserve(username: str, client: str, url: Optional[str] = None) -> bool:
    """Take a place in every counter for one attempt; False (and nothing taken) when full."""
    now = utcnow()
    with factory(url).begin() as session:
        for key, limit in keys_for(username, client):
            if not _reserve_one(session, key, limit, now):
                session.rollback()
                return False
        return True


def succeeded(username: str, client: str, url: Optional[str] = None) -> None:
    """A right password: the pair starts again, the other counters get their place back."""
    table = ThrottleRecord.__table__
    with factory(url).begin() as session:
        for key, limit in keys_for(username, client):
            fewer = case((table.c.failures > 0, table.c.failures - 1), else_=0)
            values = {"failures": 0, "locked_until": None} if limit is PAIR else {"failures": fewer}
            session.execute(
                update(table)
                .where(table.c.key == key)
                .values(**values)
                .execution_options(synchronize_session=False)
            )


def locked_until(username: str, client: str, url: Optional[str] = None) -> Optional[datetime]:
    """When the latest lock on this attempt's counters ends (for tests and the message)."""
    keys = [key for key, _ in keys_for(username, client)]
    with factory(url).begin() as session:
        times = session.execute(
            select(ThrottleRecord.locked_until).where(ThrottleRecord.key.in_(keys))
        ).scalars()
        ends = [aware(t) for t in times if t is not None and aware(t) > utcnow()]
    return max(ends) if ends else None


def purge(before: datetime, url: Optional[str] = None) -> int:
    """Forget counters whose window and lock both ended before ``before``."""
    table = ThrottleRecord.__table__
    with factory(url).begin() as session:
        result = session.execute(
            table.delete()
            .where(table.c.window_start < before)
            .where((table.c.locked_until.is_(None)) | (table.c.locked_until < before))
        )
        return result.rowcount
