"""What a coach does with a ticket: claim, note, take over, reply, hand back, close, and pass
it on: unclaim, reassign to a colleague of the team, transfer to another team, take it over
from a colleague.

Each POST is checked (session, CSRF token, the coach's team) and then calls the handoff
service (loopbrug/handoff/service.py), which changes the ticket and, where the person's chat
changes, tells Rasa. The answer is a redirect back to the ticket page with a message code;
a reply or note that could not be saved or sent is shown again in its box instead. coach.js
posts the same forms with ``Accept: application/json`` and gets the same texts as JSON, so a
coach works on a ticket without a page reload (``answer_json``).
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from aiohttp import web

from loopbrug.handoff import service, store
from web.coach.auth import Login, action, form_text
from web.coach.base import RELAY, see_other, ticket_url, url_of, wants_json
from web.coach.present import (
    ERROR_FIELDS,
    ERRORS,
    FLASHES,
    MAX_NOTE_CHARS,
    MAX_REPLY_CHARS,
    conflict_code,
    not_found_text,
)
from web.coach.typing import coach_sent
from web.coach.views import not_found, render_ticket, visible_ticket

logger = logging.getLogger(__name__)

# A handler returns a message code for the ticket page, or a response of its own (a ticket
# transferred to a team the coach is not in is no longer theirs to see).
TicketHandler = Callable[[web.Request, Login, store.Ticket, Any], Awaitable[Any]]


def ticket_action(handler: TicketHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A POST on one ticket: session, CSRF and team checked; the handler returns a message
    code; the answer is a redirect back to the ticket page showing that message, or JSON when
    the request asks for it (``answer_json``)."""

    @action
    @functools.wraps(handler)
    async def wrapped(request: web.Request, login: Login, form: Any) -> web.StreamResponse:
        ticket = await visible_ticket(request, login)
        if ticket is None:
            if wants_json(request):
                return web.json_response({"ok": False, "error": not_found_text()}, status=404)
            return not_found(request, login)
        try:
            flash = await handler(request, login, ticket, form)
        except service.TicketConflict as conflict:
            flash = conflict_code(conflict)
        except service.RelayError as exc:
            logger.warning("coach: %s failed, Rasa did not take it (%s)", handler.__name__, exc)
            flash = "rasa"
        if wants_json(request):
            return answer_json(ticket, flash)
        if isinstance(flash, web.StreamResponse):
            return flash
        draft = form.get("text") if isinstance(form.get("text"), str) else ""
        if flash in ERRORS and draft.strip():
            # A reply or note that could not be saved or sent is shown again in its box, so
            # the coach does not lose what they typed (a redirect would drop it).
            fresh = await visible_ticket(request, login)
            drafts = {handler.__name__: draft}
            return await render_ticket(request, login, fresh or ticket, flash, drafts, 409)
        return see_other(ticket_url(ticket.ref, flash))

    return wrapped


def answer_json(ticket: store.Ticket, flash: Any) -> web.Response:
    """The JSON answer to coach.js, with the texts the page would show after the redirect.

    Done: ``{"ok": true, "code", "message"}`` plus ``"redirect"`` when the ticket is no longer
    the coach's to see. Refused: ``{"ok": false, "code", "error", "field"}`` (``field`` is the
    form field the error is about, or null), 422 for a field, 502 when Rasa did not take it,
    409 when the ticket does not allow it (now).
    """
    if isinstance(flash, web.StreamResponse):  # transfer to a team that is not the coach's
        location = flash.headers.get("Location", "/coach")
        code = "overgedragen"
        return web.json_response(
            {"ok": True, "code": code, "message": FLASHES[code], "redirect": location}
        )
    if flash in ERRORS:
        field = ERROR_FIELDS.get(flash)
        status = 422 if field else 502 if flash == "rasa" else 409
        body = {"ok": False, "code": flash, "error": ERRORS[flash], "field": field}
        return web.json_response(body, status=status)
    return web.json_response(
        {
            "ok": True,
            "code": flash,
            "message": FLASHES.get(flash, ""),
            "url": ticket_url(ticket.ref),
        }
    )


@ticket_action
async def post_claim(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    """The coach takes the ticket on."""
    await service.claim(ticket.ref, login.coach, url_of(request))
    return "opgepakt"


@ticket_action
async def post_note(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    """A note in the ticket's history."""
    words = form_text(form, "text")
    if not words:
        return "leeg"
    if len(words) > MAX_NOTE_CHARS:
        return "notitie-te-lang"
    await service.note(ticket.ref, login.coach, words, url_of(request))
    return "notitie"


@ticket_action
async def post_takeover(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    """The coach has the chat; the bot goes silent for this person."""
    await service.take_over(request.app[RELAY], ticket.ref, login.coach, url_of(request))
    return "overgenomen"


@ticket_action
async def post_reply(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    """One message of the coach to the person."""
    words = form_text(form, "text")
    if not words:
        return "leeg"
    if len(words) > MAX_REPLY_CHARS:
        return "bericht-te-lang"
    await service.send(request.app[RELAY], ticket.ref, login.coach, words, url_of(request))
    coach_sent(request.app, ticket.conversation_id)  # their "typt..." goes at once
    return "verstuurd"


@ticket_action
async def post_handback(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    """The bot answers the person again."""
    await service.hand_back(request.app[RELAY], ticket.ref, login.coach, url_of(request))
    return "teruggegeven"


@ticket_action
async def post_close(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    """Close with an outcome; a chat the coach still has goes back to the bot first."""
    outcome = form_text(form, "outcome")
    if outcome not in store.OUTCOMES:
        return "uitkomst"
    await service.close(request.app[RELAY], ticket.ref, login.coach, outcome, url_of(request))
    return "gesloten"


@ticket_action
async def post_unclaim(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    """The coach lets go: back to the team's list (a chat they have goes back to the bot)."""
    await service.unclaim(request.app[RELAY], ticket.ref, login.coach, url_of(request))
    return "losgelaten"


@ticket_action
async def post_reassign(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    """Give the ticket to another coach of its team (the store checks team and account)."""
    chosen = form_text(form, "coach")
    if not chosen.isdigit():
        return "geen-teamcoach"
    await service.reassign(
        request.app[RELAY], ticket.ref, login.coach, int(chosen), url_of(request)
    )
    return "doorgegeven"


@ticket_action
async def post_transfer(request: web.Request, login: Login, ticket: store.Ticket, form: Any):
    """Move the ticket to another team with a note; the coach lands on the list when the new
    team is not one of theirs."""
    team = form_text(form, "team")
    words = form_text(form, "text")
    if not words:
        return "notitie-verplicht"
    if len(words) > MAX_NOTE_CHARS:
        return "notitie-te-lang"
    await service.transfer(
        request.app[RELAY], ticket.ref, login.coach, team, words, url_of(request)
    )
    if team not in login.coach.teams:
        # The ticket is no longer theirs to see: the list says where it went.
        return see_other("/coach?" + urlencode({"melding": "overgedragen"}))
    return "overgedragen"


@ticket_action
async def post_colleague_takeover(
    request: web.Request, login: Login, ticket: store.Ticket, form: Any
) -> str:
    """Take a colleague's ticket (and live chat), after an explicit confirmation for the
    colleague shown on the page."""
    if form_text(form, "confirm") != "ja":
        return "bevestig"
    owner = form_text(form, "owner")
    await service.take_from_colleague(
        request.app[RELAY],
        ticket.ref,
        login.coach,
        int(owner) if owner.isdigit() else None,
        url_of(request),
    )
    return "collega-overgenomen"
