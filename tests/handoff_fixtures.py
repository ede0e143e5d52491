"""Tickets for tests: one place that knows every field a new ticket needs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Dict

from loopbrug.handoff import store


def ticket_wish(conversation_id: str = "web-person-1", **changes: Any) -> store.NewTicket:
    """A new ticket as the action server makes it after consent; ``changes`` override."""
    fields: Dict[str, Any] = {
        "conversation_id": conversation_id,
        "channel": "rest",
        "team": "landelijk",
        "topic": "scholing",
        "urgency": store.NORMAL,
        "region": "Twente",
        "gemeente": "Enschede",
        "summary": {"reason": "Vraagt zelf om een coach", "asked": ["Scholingsvoucher"]},
        "contact_channel": "telefoon",
        "contact_detail": "+31 6 12345678",
        "contact_time": "ochtend",
        "consent_at": store.utcnow(),
        "consent_version": "v1-test",
    }
    fields.update(changes)
    return store.NewTicket(**fields)


def make_ticket(
    url: str,
    conversation_id: str = "web-person-1",
    followup_after: timedelta = timedelta(days=3),
    **changes: Any,
) -> store.Ticket:
    """A stored ticket; fails the test when the person already had an open one."""
    ticket, created = store.create_ticket(
        ticket_wish(conversation_id, **changes), followup_after, url=url
    )
    assert created, f"{conversation_id} already had an open ticket"
    return ticket
