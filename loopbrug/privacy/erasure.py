"""Erasure on request: everything the helpline's own tables hold about one person.

``erase_person`` deletes the profile, money-check outcomes, relay messages and tickets (a
coach-facing tombstone keeps only that a ticket existed and was erased). The conversation
itself (Rasa's tracker events) is erased by the tracker store when the turn with
``action_delete_data`` is saved (bot/extensions/tracker_store.py). What is past its retention time goes
in the hourly sweep (retention.py).
"""

from __future__ import annotations

import json
from typing import Dict, Optional

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from loopbrug.db import MoneyCheckRecord, ProfileRecord, person_key
from loopbrug.handoff import store

ERASED = "gewist"


def delete_own_rows(session: Session, person: str) -> Dict[str, int]:
    """Delete a person's profile, money checks and relay messages; counts per kind.

    ``person`` is the pseudonymous key (``loopbrug.db.person_key``). Tickets are not touched:
    erasure leaves a tombstone, retention deletes only closed ones.
    """
    return {
        "profiles": session.execute(
            delete(ProfileRecord).where(ProfileRecord.person == person)
        ).rowcount,
        "money_checks": session.execute(
            delete(MoneyCheckRecord).where(MoneyCheckRecord.person == person)
        ).rowcount,
        "relay": session.execute(
            delete(store.RelayRecord).where(store.RelayRecord.person == person)
        ).rowcount,
    }


def erase_person(sender_id: str, url: Optional[str] = None) -> Dict[str, int]:
    """Delete what our tables hold about ``sender_id``; returns counts per kind."""
    person = person_key(sender_id)
    with store.factory(url).begin() as session:
        counts = delete_own_rows(session, person)
        tickets = (
            session.execute(
                select(store.TicketRecord.id).where(store.TicketRecord.person == person)
            )
            .scalars()
            .all()
        )
        if tickets:
            session.execute(
                delete(store.TicketEventRecord).where(
                    store.TicketEventRecord.ticket_id.in_(tickets)
                )
            )
            now = store.utcnow()
            session.execute(
                update(store.TicketRecord)
                .where(store.TicketRecord.id.in_(tickets))
                .values(
                    person=ERASED,
                    open_key=None,
                    conversation_id=ERASED,
                    status=store.CLOSED,
                    live=False,
                    region=None,
                    gemeente=None,
                    summary=json.dumps({}),
                    search_text=None,
                    contact_channel=ERASED,
                    contact_detail=None,
                    contact_time=None,
                    outcome=ERASED,
                    closed_at=now,
                    updated_at=now,
                    followup_due_at=None,
                    followup_answer=None,
                )
            )
            for ticket_id in tickets:
                session.add(
                    store.TicketEventRecord(
                        ticket_id=ticket_id, kind="erased", text="Gewist op verzoek"
                    )
                )
        counts["tickets"] = len(tickets)
    return counts
