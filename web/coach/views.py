"""The inbox's pages: the ticket list, one ticket, and its transcript for coach.js.

A ticket of a team the coach is not in answers 404, exactly like a ticket that does not
exist. The transcript is the person's Rasa conversation, read through the relay
(loopbrug/handoff/relay.py); when Rasa cannot be reached the page still shows the ticket.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

from aiohttp import web

from loopbrug.handoff import canned, finder, service, store
from loopbrug.handoff.relay import RelayError
from loopbrug.handoff.routing import get_teams
from loopbrug.labels import contact_label, urgency_label
from loopbrug.texts import text
from web.coach.auth import Login, logged_in, page
from web.coach.base import RELAY, db, render, see_other, settings_of, ticket_url
from web.coach.present import (
    CHANNEL_LABELS,
    ERRORS,
    EVENT_LABELS,
    FLASHES,
    MAX_NOTE_CHARS,
    MAX_REPLY_CHARS,
    STATUS_LABELS,
    TOPIC_LABELS,
    iso,
    not_found_text,
    satisfaction_view,
    shown_time,
    summary_view,
    ticket_json,
    times_view,
    transcript_down,
    transcript_lines,
)

logger = logging.getLogger(__name__)


async def visible_ticket(request: web.Request, login: Login) -> Optional[store.Ticket]:
    """The ticket of the URL when it belongs to one of the coach's teams, else None."""
    ref = request.match_info["ref"]
    if len(ref) > 16:
        return None
    ticket = await db(request, store.get_ticket, ref)
    if ticket is None or ticket.team not in login.coach.teams:
        return None
    return ticket


def not_found(request: web.Request, login: Login) -> web.Response:
    """The same answer for a ticket that does not exist and one of another team."""
    return render(
        request,
        "coach/message.html",
        status=404,
        coach=login.coach,
        csrf=login.csrf,
        title=text("inbox.not_found_title"),
        text=not_found_text(),
    )


def page_number(raw: Optional[str]) -> int:
    """``?page=N`` as a page number (1 when missing or not a sensible number)."""
    if raw is None or not raw.isdigit() or len(raw) > 6:
        return 1
    return max(1, int(raw))


def list_filters(query: Any, coach: store.Coach, default_status: str) -> Dict[str, Any]:
    """The list's filters from the query string; values the coach may not use are dropped."""
    status = query.get("status", "")
    status = status if status in (*store.STATUSES, finder.OPEN, finder.ALL) else ""
    urgency_raw = query.get("urgency", "")
    return {
        "status": status,
        "status_used": status or default_status,
        "team": query.get("team") if query.get("team") in coach.teams else "",
        "urgency": urgency_raw if urgency_raw in ("1", "2", "3") else "",
        "mine": query.get("mine") == "1",
        "q": " ".join(finder.words(query.get("q"))) if query.get("q") else "",
        "q_shown": (query.get("q") or "")[: finder.MAX_QUERY_CHARS],
        "page": page_number(query.get("page")),
    }


async def find(request: web.Request, coach: store.Coach, filters: Dict[str, Any]) -> finder.Page:
    """The tickets of the filters, one page (the list page and the JSON API share it)."""
    return await db(
        request,
        finder.search,
        coach.teams,
        query=filters["q"],
        status=filters["status_used"],
        team=filters["team"] or None,
        urgency=int(filters["urgency"]) if filters["urgency"] else None,
        mine=coach.id if filters["mine"] else None,
        page=filters["page"],
    )


def page_link(filters: Dict[str, Any], number: Optional[int]) -> str:
    """The list's URL with the same filters on page ``number`` ("" for no such page)."""
    if not number:
        return ""
    wanted = {
        "q": filters["q_shown"],
        "status": filters["status"],
        "team": filters["team"],
        "urgency": filters["urgency"],
        "mine": "1" if filters["mine"] else "",
        "page": str(number) if number > 1 else "",
    }
    shown = {name: value for name, value in wanted.items() if value}
    return "/coach" + ("?" + urlencode(shown) if shown else "")


# Messages the list shows after an action: only a ticket that left the coach's teams (a
# transfer) sends the coach here instead of back to its page.
LIST_FLASHES = ("overgedragen",)


def list_flash(code: str) -> Optional[str]:
    return FLASHES[code] if code in LIST_FLASHES else None


@page
async def ticket_list(request: web.Request, login: Login) -> web.StreamResponse:
    """GET /coach: tickets of the coach's own teams; filters ``status``, ``team``,
    ``urgency``, ``mine=1``, search words ``q`` and ``page`` (50 a page)."""
    coach = login.coach
    # A search without a chosen status looks in closed tickets too: a reference read out on
    # the phone may be of a question that was already done.
    default = finder.ALL if request.query.get("q", "").strip() else finder.OPEN
    filters = list_filters(request.query, coach, default)
    read_at = datetime.now(timezone.utc)  # before the list is read: nothing falls between
    found = await find(request, coach, filters)
    teams = get_teams()
    now = datetime.now(timezone.utc)
    tz_name = settings_of(request).timezone
    rows = [
        {
            "ref": t.ref,
            "url": ticket_url(t.ref),
            "urgency": t.urgency,
            "urgency_label": urgency_label(t.urgency),
            "topic": TOPIC_LABELS.get(t.topic, t.topic),
            "team": teams.name(t.team),
            "place": " / ".join(p for p in (t.region, t.gemeente) if p)
            or text("inbox.unknown_place"),
            "status": STATUS_LABELS.get(t.status, t.status),
            "live": t.live,
            "coach": t.coach_name or "",
            "times": times_view(t, now, teams.target(t.team), tz_name),
        }
        for t in found.tickets
    ]
    closed_first = filters["status_used"] == store.CLOSED
    return render(
        request,
        "coach/list.html",
        coach=coach,
        csrf=login.csrf,
        rows=rows,
        filters=filters,
        caption=text("inbox.list_caption_closed" if closed_first else "inbox.list_caption_open"),
        page_number=found.page,
        previous_url=page_link(filters, found.page - 1),
        next_url=page_link(filters, found.next_page),
        statuses=[(s, STATUS_LABELS[s]) for s in store.STATUSES],
        teams=[(t, teams.name(t)) for t in coach.teams],
        urgencies=[(str(u), urgency_label(u)) for u in store.URGENCIES],
        # The live events start at the page's own time: nothing between is missed.
        events_url="/coach/events?" + urlencode({"since": read_at.isoformat()}),
        flash=list_flash(request.query.get("melding", "")),
    )


async def tickets_api(request: web.Request) -> web.StreamResponse:
    """GET /coach/api/tickets: ``{"tickets": [...], "page": N, "next_page": N or null}``.

    The same search as the list page (``q``, ``status``, ``team``, ``urgency``, ``mine``,
    ``page``), all statuses when none is given. Without a session: 401 JSON, no redirect.
    """
    login = await logged_in(request)
    if login is None:
        return web.json_response({"error": text("inbox.not_logged_in")}, status=401)
    filters = list_filters(request.query, login.coach, finder.ALL)
    found = await find(request, login.coach, filters)
    teams = get_teams()
    return web.json_response(
        {
            "tickets": [ticket_json(t, teams.name(t.team)) for t in found.tickets],
            "page": found.page,
            "next_page": found.next_page,
        }
    )


@page
async def ticket_page(request: web.Request, login: Login) -> web.StreamResponse:
    """GET /coach/tickets/{ref}: details, summary, transcript, history and the forms."""
    ticket = await visible_ticket(request, login)
    if ticket is None:
        return not_found(request, login)
    return await render_ticket(request, login, ticket, request.query.get("melding", ""))


async def render_ticket(
    request: web.Request,
    login: Login,
    ticket: store.Ticket,
    flash_code: str,
    drafts: Optional[Dict[str, str]] = None,
    status: int = 200,
) -> web.StreamResponse:
    """The ticket page; ``drafts`` refills the reply or note box after a failed POST."""
    drafts = drafts or {}
    tz_name = settings_of(request).timezone
    read_at = datetime.now(timezone.utc)  # the live events start here: nothing falls between
    try:
        raw = await request.app[RELAY].transcript(ticket.conversation_id)
        transcript: Optional[List[Dict[str, Any]]] = transcript_lines(raw, tz_name)
    except RelayError as exc:
        logger.warning("coach: transcript not available (%s)", exc)
        transcript = None
    history = await db(request, store.events, ticket.id)
    info = await ticket_info(request, login, ticket)
    mine = ticket.coach_id == login.coach.id and ticket.is_open
    if mine:  # the coach's own ticket on screen: its chat is not idle (presence.py)
        await service.seen(ticket.ref, login.coach, settings_of(request).database_url)
    # Passing it on: a ticket nobody has or the coach's own; a colleague's is taken over first.
    can_pass_on = ticket.is_open and ticket.coach_id in (None, login.coach.id)
    colleagues = (
        [c for c in await db(request, service.coaches_for, ticket.team) if c.id != ticket.coach_id]
        if can_pass_on
        else []
    )
    teams = get_teams()
    flash = FLASHES.get(flash_code) or ERRORS.get(flash_code)
    canned_replies = canned.replies_for(
        ticket.team, login.coach.first_name, ticket.gemeente, ticket.region
    )
    return render(
        request,
        "coach/ticket.html",
        status=status,
        draft_reply=drafts.get("post_reply") or chosen_canned(request, canned_replies),
        canned=canned_replies,
        draft_note=drafts.get("post_note", ""),
        coach=login.coach,
        csrf=login.csrf,
        t=ticket,
        team_name=get_teams().name(ticket.team),
        urgency_label=urgency_label(ticket.urgency),
        status_label=STATUS_LABELS.get(ticket.status, ticket.status),
        topic_label=TOPIC_LABELS.get(ticket.topic, ticket.topic),
        channel_label=CHANNEL_LABELS.get(ticket.channel, ticket.channel),
        contact_label=contact_label(ticket.contact_channel),
        outcome_label=store.OUTCOMES.get(ticket.outcome or "", ticket.outcome or ""),
        created=shown_time(ticket.created_at, tz_name),
        closed=shown_time(ticket.closed_at, tz_name),
        satisfaction=satisfaction_view(ticket, tz_name),
        consent=shown_time(ticket.consent_at, tz_name),
        summary=summary_view(ticket.summary),
        transcript=transcript,
        transcript_down=transcript_down(),
        events=[
            {
                "label": EVENT_LABELS.get(e["kind"], e["kind"]),
                "kind": e["kind"],
                "text": e["text"] or "",
                "coach": e["coach"] or "",
                "time": shown_time(e["at"], tz_name),
            }
            for e in history
        ],
        flash=flash,
        flash_is_error=flash_code in ERRORS,
        can_claim=ticket.is_open and ticket.coach_id is None,
        can_take_over=mine and not ticket.live,
        can_reply=mine and ticket.live,
        can_close=mine,
        can_unclaim=mine,
        can_pass_on=can_pass_on,
        colleagues=[(c.id, c.first_name) for c in colleagues],
        other_teams=[(t, teams.name(t)) for t in sorted(teams.by_id) if t != ticket.team],
        can_take_from_colleague=ticket.is_open and ticket.coach_id not in (None, login.coach.id),
        draft_transfer=drafts.get("post_transfer", ""),
        outcomes=list(store.OUTCOMES.items()),
        max_reply=MAX_REPLY_CHARS,
        max_note=MAX_NOTE_CHARS,
        base_url=ticket_url(ticket.ref),
        events_url="/coach/events?" + urlencode({"since": read_at.isoformat()}),
        **info,
    )


def chosen_canned(request: web.Request, replies: List[canned.Canned]) -> str:
    """The canned reply picked without JavaScript (``?standaardtekst=N``), else ""."""
    raw = request.query.get("standaardtekst", "")
    if not raw.isdigit() or len(raw) > 4 or int(raw) >= len(replies):
        return ""
    return replies[int(raw)].text


async def ticket_info(request: web.Request, login: Login, ticket: store.Ticket) -> Dict[str, Any]:
    """The ticket page's times and the person's earlier tickets (issue 19)."""
    tz_name = settings_of(request).timezone
    teams = get_teams()
    timed = await db(request, finder.with_times, ticket)
    earlier = await db(request, finder.person_history, ticket, login.coach.teams)
    now = datetime.now(timezone.utc)
    return {
        "times": times_view(timed, now, teams.target(ticket.team), tz_name),
        "earlier": [
            {
                "ref": e.ticket.ref,
                "url": ticket_url(e.ticket.ref),
                "team": teams.name(e.ticket.team),
                "topic": TOPIC_LABELS.get(e.ticket.topic, e.ticket.topic),
                "created": shown_time(e.ticket.created_at, tz_name),
                "closed": shown_time(e.ticket.closed_at, tz_name),
                "outcome": store.OUTCOMES.get(e.ticket.outcome or "", e.ticket.outcome or ""),
                "events": [
                    {
                        "label": EVENT_LABELS.get(ev["kind"], ev["kind"]),
                        "kind": ev["kind"],
                        "text": ev["text"] or "",
                        "coach": ev["coach"] or "",
                        "time": shown_time(ev["at"], tz_name),
                    }
                    for ev in e.events
                    if ev["kind"] in ("note", "close", "followup", "crisis")
                ],
            }
            for e in earlier.visible
        ],
        "earlier_elsewhere": earlier.elsewhere,
    }


async def transcript_json(request: web.Request) -> web.StreamResponse:
    """GET /coach/tickets/{ref}/transcript.json: ``{"lines": [...], "live": bool, "state"}``
    (coach.js reads it on every live event of the ticket and every 3 s as a fallback)."""
    login = await logged_in(request)
    if login is None:
        return see_other("/coach/login")
    ticket = await visible_ticket(request, login)
    if ticket is None:
        return web.json_response({"error": not_found_text()}, status=404)
    try:
        raw = await request.app[RELAY].transcript(ticket.conversation_id)
    except RelayError as exc:
        logger.warning("coach: transcript not available (%s)", exc)
        return web.json_response({"error": transcript_down()}, status=502)
    tz_name = settings_of(request).timezone
    if ticket.coach_id == login.coach.id:  # coach.js polls while the page is open
        await service.seen(ticket.ref, login.coach, settings_of(request).database_url)
    return web.json_response(
        {
            "lines": transcript_lines(raw, tz_name),
            "live": ticket.live,
            # Changes when anything about the ticket changes (a claim by a colleague, a
            # transfer): without the live events, coach.js reads the page's state again then.
            "state": state_stamp(ticket),
        }
    )


def state_stamp(ticket: store.Ticket) -> str:
    """The ticket's status, coach, live flag and last change as one string."""
    parts = (ticket.status, str(ticket.coach_id or ""), str(ticket.live), iso(ticket.updated_at))
    return "|".join(str(part) for part in parts)
