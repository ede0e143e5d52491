"""The handoff as a service: create, claim, take over, send, hand back, close, and pass a
ticket on (unclaim, reassign, transfer, take over from a colleague).

Every change of a ticket's state goes through here: the action server creates tickets after
consent (actions/handoff.py), a crisis makes one urgent (actions/crisis.py and, during a
takeover, connectors/reliability.py), and the coach inbox (web/coach/handlers.py) claims,
notes, takes over, sends, hands back and closes.

A step that changes the person's chat (take over, send, hand back) goes to Rasa through the
relay (relay.py). When Rasa cannot be reached the ticket's change is undone and
``RelayError`` is raised, so the inbox and the conversation never disagree. A step the
ticket's state does not allow raises ``store.TicketConflict`` (its message is Dutch, for the
coach). The web widget has no push channel: what the person must see is also written to the
relay log, which the widget polls (``GET /api/updates``).

The store blocks; every call here runs it in a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Dict, List, Optional, Tuple

from loopbrug import db
from loopbrug.conversation import is_web_sender
from loopbrug.handoff import notify, store, summary
from loopbrug.handoff.relay import RasaRelay, RelayError
from loopbrug.handoff.routing import get_teams
from loopbrug.settings import Settings
from loopbrug.texts import text

logger = logging.getLogger(__name__)

__all__ = [
    "Request",
    "RelayError",
    "TicketConflict",
    "answer_followup",
    "claim",
    "close",
    "create",
    "hand_back",
    "mark_crisis",
    "note",
    "reassign",
    "seen",
    "send",
    "summarise",
    "take_from_colleague",
    "take_over",
    "team_name",
    "transfer",
    "unclaim",
]

TicketConflict = store.TicketConflict


async def _db(function: Callable[..., Any], *args: Any, url: Optional[str], **kwargs: Any) -> Any:
    """A store call in a worker thread."""
    return await asyncio.to_thread(functools.partial(function, *args, url=url, **kwargs))


def team_name(team_id: str) -> str:
    """The name people and coaches read for a team id ("Leerwerkloket Twente")."""
    return get_teams().name(team_id)


# --- the person's side ----------------------------------------------------------------------


def summarise(
    conversation_id: str,
    events: List[Dict[str, Any]],
    slots: Dict[str, Any],
    acute_debt: bool = False,
    url: Optional[str] = None,
) -> Dict[str, Any]:
    """The summary a coach or desk gets (summary.py), with the stored profile and money check.

    Only after the person agreed. Without the profile or money check (database trouble) the
    summary is still made: a handoff without them is better than none.
    """
    try:
        profile = db.load_profile(conversation_id, url)
        money = db.latest_money_check(conversation_id, url)
    except Exception:
        logger.exception("handoff: could not read profile or money check")
        profile = money = None
    return summary.build_summary(
        events, slots, profile, money, summary.reason_for(events), acute_debt=acute_debt
    )


@dataclass(frozen=True)
class Request:
    """What the person agreed to share, under which version of the consent text."""

    conversation_id: str
    channel: str
    summary: Dict[str, Any]
    region: Optional[str]
    gemeente: Optional[str]
    contact_channel: str
    contact_detail: Optional[str]
    contact_time: Optional[str]
    consent_version: str


async def create(request: Request, settings: Settings) -> Tuple[store.Ticket, bool]:
    """Route and store the ticket; returns (ticket, created).

    A person has one open ticket: a retry or a second request gets the open one back
    (``created`` False). The coaches' Telegram group hears of a new ticket only.
    """
    teams = get_teams()
    topic = request.summary["topic"]
    new = store.NewTicket(
        conversation_id=request.conversation_id,
        channel=request.channel,
        team=teams.route(request.region, topic),
        topic=topic,
        urgency=request.summary["urgency"],
        region=request.region,
        gemeente=request.gemeente,
        summary=request.summary,
        contact_channel=request.contact_channel,
        contact_detail=request.contact_detail,
        contact_time=request.contact_time,
        consent_at=store.utcnow(),
        consent_version=request.consent_version,
    )
    followup_after = timedelta(days=settings.followup_days)
    ticket, created = await _db(store.create_ticket, new, followup_after, url=settings.database_url)
    if created:
        await notify.new_ticket(settings, ticket, teams.name(ticket.team))
    return ticket, created


async def mark_crisis(conversation_id: str, settings: Settings) -> Optional[store.Ticket]:
    """A crisis in the conversation makes the person's open ticket urgent.

    An unclaimed ticket moves to the national team; the coaches' group hears of it. Returns
    the ticket when it changed now, else None (no open ticket, or already a crisis).
    """
    teams = get_teams()
    ticket, changed = await _db(
        store.mark_crisis, conversation_id, teams.national, url=settings.database_url
    )
    if ticket is None or not changed:
        return None
    await notify.new_ticket(settings, ticket, teams.name(ticket.team), escalated=True)
    return ticket


async def answer_followup(
    conversation_id: str, contact: bool, settings: Settings
) -> Optional[store.Ticket]:
    """The person's answer to "heb je al contact gehad?", on their latest followed-up ticket
    (its history tells the coaches); returns that ticket, or None."""
    answer = "contact" if contact else "geen_contact"
    return await _db(
        store.record_followup_answer, conversation_id, answer, url=settings.database_url
    )


# --- the coach's side -----------------------------------------------------------------------


async def _tell_widget(conversation_id: str, notice: str, url: Optional[str]) -> None:
    """The widget has no push channel: it reads helpline notices from the relay log."""
    if is_web_sender(conversation_id):
        await _db(store.add_relay, conversation_id, "bot", notice, url=url)


async def claim(ref: str, coach: store.Coach, url: Optional[str] = None) -> store.Ticket:
    """The coach takes the ticket on; a ticket another coach has stays theirs."""
    return await _db(store.claim, ref, coach.id, url=url)


async def note(ref: str, coach: store.Coach, words: str, url: Optional[str] = None) -> None:
    """A note of the coach in the ticket's history (the person never sees it)."""
    await _db(store.add_event, ref, coach.id, "note", words, url=url)
    await seen(ref, coach, url)


async def seen(ref: str, coach: store.Coach, url: Optional[str] = None) -> None:
    """The coach did something with their own ticket (a page, a poll, a message, a note):
    the idle time of its live chat starts again (presence.py)."""
    await _db(store.seen, ref, coach.id, url=url)


async def take_over(
    relay: RasaRelay, ref: str, coach: store.Coach, url: Optional[str] = None
) -> bool:
    """The coach has the chat: the bot goes silent and the person is told who joined.

    Returns False when the coach had the chat already. Undone when Rasa cannot be reached
    (``RelayError``).
    """
    ticket, changed = await _db(store.set_live, ref, coach.id, True, url=url)
    if not changed:
        return False
    notice = text("handoff.takeover", coach=coach.first_name, team=team_name(ticket.team))
    try:
        await relay.take_over(ticket.conversation_id, notice)
    except RelayError:
        await _db(store.set_live, ref, coach.id, False, url=url)
        raise
    await _tell_widget(ticket.conversation_id, notice, url)
    return True


async def send(
    relay: RasaRelay, ref: str, coach: store.Coach, words: str, url: Optional[str] = None
) -> None:
    """One message of the coach to the person (only while the coach has the chat)."""
    ticket = await _db(store.require_live, ref, coach.id, url=url)
    await relay.send(ticket.conversation_id, coach.first_name, words)
    await _db(store.add_event, ref, coach.id, "reply", words, url=url)
    await seen(ref, coach, url)
    if is_web_sender(ticket.conversation_id):
        await _db(
            store.add_relay, ticket.conversation_id, "coach", words, name=coach.first_name, url=url
        )


async def hand_back(
    relay: RasaRelay, ref: str, coach: store.Coach, url: Optional[str] = None
) -> bool:
    """The bot answers again, and the person is told. Returns False when it already did.

    Undone when Rasa cannot be reached (``RelayError``).
    """
    ticket, changed = await _db(store.set_live, ref, coach.id, False, url=url)
    if not changed:
        return False
    notice = text("handoff.handback", coach=coach.first_name)
    try:
        await relay.hand_back(ticket.conversation_id, notice)
    except RelayError:
        await _db(store.set_live, ref, coach.id, True, url=url)
        raise
    await _tell_widget(ticket.conversation_id, notice, url)
    return True


async def close(
    relay: RasaRelay, ref: str, coach: store.Coach, outcome: str, url: Optional[str] = None
) -> store.Ticket:
    """Close with an outcome (one of ``store.OUTCOMES``); a chat the coach has goes back first.

    A closed ticket can no longer be handed back, and a paused conversation would leave the
    person without an answer: when Rasa cannot take the chat back (``RelayError``) the ticket
    stays open.
    """
    if outcome not in store.OUTCOMES:
        raise TicketConflict(text("inbox.error_uitkomst"))
    await hand_back(relay, ref, coach, url)
    closed, was_live = await _db(store.close, ref, coach.id, outcome, url=url)
    if was_live:  # taken over again in the meantime (another tab): the ticket is closed now
        notice = text("handoff.handback", coach=coach.first_name)
        try:
            await relay.hand_back(closed.conversation_id, notice)
            await _tell_widget(closed.conversation_id, notice, url)
        except RelayError as error:
            logger.warning("handoff: hand back after close failed (%s)", error)
    if outcome in ASK_SATISFACTION_AFTER:
        await ask_satisfaction(relay, closed, url)
    return closed


# Outcomes after which the person talked with a coach, so "Heeft de coach je geholpen?" has
# an answer (after "geen reactie" or "anders" the question would puzzle them).
ASK_SATISFACTION_AFTER = frozenset({"contact", "doorverwezen"})


async def ask_satisfaction(relay: RasaRelay, ticket: store.Ticket, url: Optional[str]) -> bool:
    """Ask the person once whether the coach helped (the bot asks, action_feedback); the
    closed ticket shows the answer to its team. Returns whether the question went out.

    A failure does not undo the close: the coach's work is done, and a question that could
    not be sent is no reason to keep a ticket open. The ticket's history says it.
    """
    if not await _db(store.mark_satisfaction_asked, ticket.ref, store.utcnow(), url=url):
        return False
    try:
        messages = await relay.ask_satisfaction(ticket.conversation_id)
    except RelayError as error:
        logger.warning("handoff: satisfaction question of %s not sent (%s)", ticket.ref, error)
        await _db(store.unmark_satisfaction_asked, ticket.ref, url=url)
        return False
    if is_web_sender(ticket.conversation_id):
        await _db(store.add_bot_messages, ticket.conversation_id, messages, url=url)
    await _db(
        store.add_event, ticket.ref, None, "satisfaction", text("inbox.satisfaction_asked"), url=url
    )
    return True


async def answer_satisfaction(
    conversation_id: str, helped: bool, settings: Settings
) -> Optional[store.Ticket]:
    """The person's answer to "Heeft de coach je geholpen?", on their latest asked ticket."""
    answer = "ja" if helped else "nee"
    return await _db(store.record_satisfaction, conversation_id, answer, url=settings.database_url)


# --- passing a ticket on -------------------------------------------------------------------


async def _hand_back_first(relay: RasaRelay, ref: str, coach: store.Coach, url) -> None:
    """A chat the coach has goes back to the bot (the person is told) before the ticket leaves
    them; when Rasa cannot take it (``RelayError``) nothing changes."""
    ticket = await _db(store.get_ticket, ref, url=url)
    if ticket is not None and ticket.live and ticket.coach_id == coach.id:
        await hand_back(relay, ref, coach, url)


async def _tell_new_coach(relay: RasaRelay, ticket: store.Ticket, coach_name: str, url) -> None:
    """The person of a live chat reads who has it now (the chat stays paused)."""
    notice = text("handoff.takeover", coach=coach_name, team=team_name(ticket.team))
    try:
        await relay.notice(ticket.conversation_id, notice)
    except RelayError as error:  # the new coach has the chat; they can introduce themselves
        logger.warning("handoff: new coach of %s not announced (%s)", ticket.ref, error)
        return
    await _tell_widget(ticket.conversation_id, notice, url)


async def unclaim(
    relay: RasaRelay, ref: str, coach: store.Coach, url: Optional[str] = None
) -> store.Ticket:
    """The coach lets go: the ticket is new again in the team's list; a chat the coach has goes
    back to the bot first."""
    await _hand_back_first(relay, ref, coach, url)
    return await _db(store.unclaim, ref, coach.id, url=url)


def coaches_for(team: str, url: Optional[str] = None) -> List[store.Coach]:
    """Who a ticket of ``team`` can be given to (blocking; the inbox runs it in a thread)."""
    return store.team_coaches(team, url=url)


async def reassign(
    relay: RasaRelay, ref: str, coach: store.Coach, to_coach_id: int, url: Optional[str] = None
) -> store.Ticket:
    """Give the ticket to another active coach of its team. A live chat stays paused and is
    the new coach's now; the person reads who has it."""
    ticket, live = await _db(store.reassign, ref, coach.id, to_coach_id, url=url)
    if live:
        await _tell_new_coach(relay, ticket, ticket.coach_name or "", url)
    return ticket


async def transfer(
    relay: RasaRelay, ref: str, coach: store.Coach, team: str, note: str, url: Optional[str] = None
) -> store.Ticket:
    """Move the ticket to another team's list, with a note (required) in its history. A chat
    the coach has goes back to the bot first."""
    teams = get_teams()
    if team not in teams.by_id:
        raise TicketConflict(text("inbox.error_geen_team"))
    if not note.strip():
        raise TicketConflict(text("inbox.error_notitie_verplicht"))
    await _hand_back_first(relay, ref, coach, url)
    return await _db(store.transfer, ref, coach.id, team, teams.name(team), note, url=url)


async def take_from_colleague(
    relay: RasaRelay,
    ref: str,
    coach: store.Coach,
    owner_id: Optional[int],
    url: Optional[str] = None,
) -> store.Ticket:
    """The coach takes a colleague's ticket, confirmed on the page for ``owner_id``. A live
    chat comes along: it stays paused and the person reads who has it now. A ticket that is
    not live is just the coach's now (taking the chat over is the usual next step)."""
    ticket, live = await _db(store.take_from_colleague, ref, coach.id, owner_id, url=url)
    if live:
        await _tell_new_coach(relay, ticket, coach.first_name, url)
    return ticket
