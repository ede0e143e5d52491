"""Finding tickets for the coach inbox: search, pages, times from the events, a person's history.

Every query is limited to the coach's teams. Search words match a ticket's reference, place
(gemeente), region, topic (its code or the label the coach reads) or the words of its
summary, case-insensitively; with several words, each must match somewhere. Open tickets come
first (most urgent, then oldest), closed ones after them, newest first.

When a ticket was claimed and when a coach first answered are read from the ticket's events
(the claim and the coach's messages are already stored there), not kept twice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from loopbrug.handoff import store
from loopbrug.handoff.routing import TOPICS
from loopbrug.handoff.store import CLOSED, TicketEventRecord, TicketRecord, aware, factory
from loopbrug.texts import text

PAGE_SIZE = 50
MAX_QUERY_CHARS = 100
MAX_WORDS = 8
OPEN, ALL = "open", "all"
# Events that show a coach took the ticket on: the claim, and a message to the person.
RESPONSE_KINDS = ("claim", "reply")


@dataclass(frozen=True)
class Page:
    """One page of tickets; ``next_page`` is None on the last one."""

    tickets: List[store.Ticket]
    page: int
    next_page: Optional[int]


def words(query: Optional[str]) -> List[str]:
    """The search words of ``query``, lower case (a pasted text is cut, not refused)."""
    return (query or "")[:MAX_QUERY_CHARS].casefold().split()[:MAX_WORDS]


def topics_named(word: str) -> List[str]:
    """Topic codes whose code or label (as the coach reads it) contains ``word``."""
    return [
        topic for topic in TOPICS if word in topic or word in text(f"inbox.topic_{topic}").lower()
    ]


def _matches(word: str):
    """A ticket matches one search word in any of its searchable fields (``search_text``:
    reference, place, region and the summary's words, case-folded) or its topic."""
    found = [TicketRecord.search_text.contains(word, autoescape=True)]
    named = topics_named(word)  # by code or by the label the coach reads
    if named:
        found.append(TicketRecord.topic.in_(named))
    return or_(*found)


def _order():
    """Open first (most urgent, oldest first), then closed (newest first)."""
    closed = TicketRecord.status == CLOSED
    return (
        case((closed, 1), else_=0),
        case((closed, 0), else_=TicketRecord.urgency),
        case((closed, None), else_=TicketRecord.created_at),
        TicketRecord.closed_at.desc(),
        TicketRecord.id.desc(),
    )


def search(
    teams: Sequence[str],
    query: Optional[str] = None,
    status: str = OPEN,
    team: Optional[str] = None,
    urgency: Optional[int] = None,
    mine: Optional[int] = None,
    page: int = 1,
    url: Optional[str] = None,
) -> Page:
    """Tickets of ``teams`` matching ``query``; ``status`` is a status, "open" or "all"."""
    page = max(1, page)
    if not teams:
        return Page([], page, None)
    select_ = select(TicketRecord).where(TicketRecord.team.in_(list(teams)))
    if status == OPEN:
        select_ = select_.where(TicketRecord.status != CLOSED)
    elif status != ALL:
        select_ = select_.where(TicketRecord.status == status)
    if team:
        select_ = select_.where(TicketRecord.team == team)
    if urgency:
        select_ = select_.where(TicketRecord.urgency == urgency)
    if mine is not None:
        select_ = select_.where(TicketRecord.coach_id == mine)
    for word in words(query):
        select_ = select_.where(_matches(word))
    select_ = select_.order_by(*_order()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    with factory(url).begin() as session:
        records = session.execute(select_).scalars().all()
        more = len(records) > PAGE_SIZE
        records = records[:PAGE_SIZE]
        names = _coach_names(session, [r.coach_id for r in records])
        tickets = [store._ticket(r, names.get(r.coach_id)) for r in records]
        tickets = _with_times(session, tickets)
    return Page(tickets, page, page + 1 if more else None)


def _coach_names(session: Session, ids: Sequence[Optional[int]]) -> Dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(store.CoachRecord.id, store.CoachRecord.first_name).where(
            store.CoachRecord.id.in_(wanted)
        )
    ).all()
    return {row.id: row.first_name for row in rows}


def _times(session: Session, ids: Sequence[int]) -> Dict[int, Tuple[Optional[datetime], ...]]:
    """Per ticket id: (first claim, first claim or coach message), from the events."""
    if not ids:
        return {}
    first = func.min(TicketEventRecord.created_at)
    rows = session.execute(
        select(TicketEventRecord.ticket_id, TicketEventRecord.kind, first)
        .where(TicketEventRecord.ticket_id.in_(list(ids)))
        .where(TicketEventRecord.kind.in_(RESPONSE_KINDS))
        .group_by(TicketEventRecord.ticket_id, TicketEventRecord.kind)
    ).all()
    found: Dict[int, Dict[str, datetime]] = {}
    for ticket_id, kind, at in rows:
        found.setdefault(ticket_id, {})[kind] = aware(at)
    result = {}
    for ticket_id, kinds in found.items():
        result[ticket_id] = (kinds.get("claim"), min(kinds.values()))
    return result


def _with_times(session: Session, tickets: List[store.Ticket]) -> List[store.Ticket]:
    times = _times(session, [t.id for t in tickets])
    return [
        dataclasses.replace(t, claimed_at=times[t.id][0], first_response_at=times[t.id][1])
        if t.id in times
        else t
        for t in tickets
    ]


def with_times(ticket: store.Ticket, url: Optional[str] = None) -> store.Ticket:
    """The ticket with its claim and first response times."""
    with factory(url).begin() as session:
        return _with_times(session, [ticket])[0]


@dataclass(frozen=True)
class Earlier:
    """An earlier ticket of the same person, with its history (notes, outcome)."""

    ticket: store.Ticket
    events: List[Dict[str, object]]


@dataclass(frozen=True)
class History:
    """A person's other tickets: those the coach may see, and how many others exist."""

    visible: List[Earlier]
    elsewhere: int


def person_history(
    ticket: store.Ticket, teams: Sequence[str], url: Optional[str] = None
) -> History:
    """The person's other tickets (same pseudonymous key), newest first.

    Only tickets of ``teams`` are given with their details and events; of the others only
    their number, so a coach learns that the person was helped elsewhere, not how.
    """
    with factory(url).begin() as session:
        records = (
            session.execute(
                select(TicketRecord)
                .where(TicketRecord.person == ticket.person)
                .where(TicketRecord.id != ticket.id)
                .order_by(TicketRecord.created_at.desc(), TicketRecord.id.desc())
            )
            .scalars()
            .all()
        )
        mine = [r for r in records if r.team in teams]
        names = _coach_names(session, [r.coach_id for r in mine])
        tickets = _with_times(session, [store._ticket(r, names.get(r.coach_id)) for r in mine])
    visible = [Earlier(t, store.events(t.id, url)) for t in tickets]
    return History(visible, len(records) - len(mine))


def person_spoke(conversation_id: str, at: datetime, url: Optional[str] = None) -> bool:
    """Note the person's newest message on their open ticket; False when they have none."""
    key = store.person_key(conversation_id)
    with factory(url).begin() as session:
        result = session.execute(
            update(TicketRecord)
            .where(TicketRecord.open_key == key)
            .where(
                or_(
                    TicketRecord.last_person_message_at.is_(None),
                    TicketRecord.last_person_message_at < at,
                )
            )
            .values(last_person_message_at=at)
        )
        return result.rowcount == 1


# What changed on a ticket, for the inbox's live events (GET /coach/events).
NEW, MESSAGE, UPDATE = "new", "message", "update"
URGENCY_NAMES = {store.CRISIS: "crisis", store.ACUTE: "acute", store.NORMAL: "normal"}


@dataclass(frozen=True)
class Change:
    """A ticket that is new, has a new message of the person, or changed otherwise."""

    reference: str
    kind: str
    urgency: str


# Events after which a ticket is new work for its team again: it arrived from another team,
# or its coach let it go.
NEW_AGAIN_KINDS = ("transfer", "unclaim")


def _back_in_list(session: Session, ticket_ids: List[int], since: datetime) -> set:
    """Ids among ``ticket_ids`` that came (back) into their team's list after ``since``."""
    if not ticket_ids:
        return set()
    rows = session.execute(
        select(TicketEventRecord.ticket_id)
        .where(TicketEventRecord.ticket_id.in_(ticket_ids))
        .where(TicketEventRecord.kind.in_(NEW_AGAIN_KINDS))
        .where(TicketEventRecord.created_at > since)
    )
    return {ticket_id for (ticket_id,) in rows}


def changes_since(
    teams: Sequence[str], since: datetime, url: Optional[str] = None
) -> Tuple[List[Change], datetime]:
    """Tickets of ``teams`` created, written to by the person or changed after ``since``,
    in ticket order, and the moment to ask from next time (the newest change seen).

    The database is the only shared state, so every web process can answer this for its own
    coaches (no message bus).
    """
    if not teams:
        return [], since
    select_ = (
        select(TicketRecord)
        .where(TicketRecord.team.in_(list(teams)))
        .where(
            or_(
                TicketRecord.created_at > since,
                TicketRecord.updated_at > since,
                TicketRecord.last_person_message_at > since,
            )
        )
        .order_by(TicketRecord.id)
    )
    with factory(url).begin() as session:
        records = session.execute(select_).scalars().all()
        back_in_list = _back_in_list(session, [r.id for r in records], since)
        found = []
        newest = since
        for record in records:
            created = aware(record.created_at)
            updated = aware(record.updated_at)
            spoke = aware(record.last_person_message_at)
            if created > since or record.id in back_in_list:
                kind = NEW
            elif spoke is not None and spoke > since:
                kind = MESSAGE
            else:
                kind = UPDATE
            stamps = [moment for moment in (created, updated, spoke) if moment is not None]
            newest = max(newest, *stamps)
            found.append(Change(record.ref, kind, URGENCY_NAMES.get(record.urgency, "normal")))
    return found, newest
