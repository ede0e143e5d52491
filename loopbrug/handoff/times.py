"""Honest times of a ticket: how long it waited, how long until a coach came, the team's target.

A ticket waits from its creation until it is claimed; after that the wait is over ("opgepakt
na ..."), and a closed ticket waits for nothing. Each team has a target time for the first
claim (``target_minutes`` in data/handoff/teams.yml); an open ticket that nobody claimed yet is
"near" the target from 80 % of it on and "over" once it has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from loopbrug.handoff.store import CLOSED, NEW, Ticket

NEAR_SHARE = 0.8
OK, NEAR, OVER = "ok", "near", "over"


def waiting(ticket: Ticket, now: datetime) -> Optional[timedelta]:
    """How long the ticket has waited for a coach so far; None once claimed or closed."""
    if ticket.status != NEW:
        return None
    return max(timedelta(0), now - ticket.created_at)


def claimed_after(ticket: Ticket) -> Optional[timedelta]:
    """How long the person waited until the ticket was claimed (None: not claimed yet)."""
    if ticket.claimed_at is None:
        return None
    return max(timedelta(0), ticket.claimed_at - ticket.created_at)


def first_response_after(ticket: Ticket) -> Optional[timedelta]:
    """How long until a coach first claimed or wrote (None: no coach yet)."""
    if ticket.first_response_at is None:
        return None
    return max(timedelta(0), ticket.first_response_at - ticket.created_at)


def since_person(ticket: Ticket, now: datetime) -> Optional[timedelta]:
    """Time since the person's last message (None: not known, or the ticket is closed)."""
    if ticket.status == CLOSED or ticket.last_person_message_at is None:
        return None
    return max(timedelta(0), now - ticket.last_person_message_at)


def target_state(ticket: Ticket, now: datetime, target: timedelta) -> Optional[str]:
    """ "ok", "near" or "over" for a ticket still waiting for its first coach; else None."""
    waited = waiting(ticket, now)
    if waited is None or target <= timedelta(0):
        return None
    if waited >= target:
        return OVER
    if waited >= target * NEAR_SHARE:
        return NEAR
    return OK
