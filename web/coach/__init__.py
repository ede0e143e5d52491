"""The coach inbox at /coach: log in, see the team's tickets, take over a chat, close.

Routes (server-rendered HTML, Dutch; every page works without JavaScript)
  GET  /coach/login                  login form (CSRF: a ``loopbrug_login_csrf`` cookie that
                                     must match the form's hidden field)
  POST /coach/login                  username + password (Argon2); throttled per account,
                                     address and both (loopbrug/handoff/throttle.py)
  POST /coach/logout                 ends the session
  GET  /coach                        tickets of the coach's own teams; filters ``status``,
                                     ``team``, ``urgency``, ``mine=1``, search ``q``, ``page``
  GET  /coach/api/tickets            the same search as JSON: ``{"tickets": [...],
                                     "next_page": N or null}``; 401 JSON without a session
  GET  /coach/events                 server-sent events for the list: ``event: ticket`` with
                                     ``{"reference", "kind", "urgency"}`` (events.py); 401
                                     without a session
  GET  /coach/tickets/{ref}          one ticket: details, summary, transcript, history, forms,
                                     canned replies (``?standaardtekst=N`` puts one in the
                                     reply box without JavaScript); coach.js listens to
                                     /coach/events and reads the page again when its ticket
                                     changed
  GET  /coach/tickets/{ref}/transcript.json   ``{"lines": [...], "live": bool, "state": str}``
                                     (coach.js reads it on an event of the ticket and every
                                     3 s, also in a background tab; ``state`` changes with the
                                     ticket)
  POST /coach/tickets/{ref}/claim | notes | takeover | reply | handback | close
  POST /coach/tickets/{ref}/unclaim | reassign | transfer | colleague-takeover
                                     pass a ticket on (a live chat goes back to the bot first,
                                     except to a colleague: then the colleague has it)
                                     Every POST answers a redirect, or with ``Accept:
                                     application/json`` JSON: ``{"ok": true, "code",
                                     "message"}`` or ``{"ok": false, "code", "error", "field"}``
                                     (422 a field, 409 the ticket, 502 Rasa, 403 CSRF/session,
                                     404 not the coach's ticket); handlers.answer_json
  GET  /coach/tickets/{ref}/typing.json, POST /coach/tickets/{ref}/typing
                                     typing indicators in a live chat (typing.py)

The parts: ``auth`` (login, sessions, logout, the guards every page and POST goes through),
``views`` (the pages), ``handlers`` (the POSTs on a ticket, which call the handoff service,
loopbrug/handoff/service.py), ``present`` (labels and formatting), ``base`` (app keys,
templates, database). Pages are sent with ``Cache-Control: no-store``; a database failure is
a Dutch 503 page.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

import httpx
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from loopbrug.handoff.relay import RasaRelay
from loopbrug.settings import Settings
from loopbrug.texts import text
from web.coach import auth, events, handlers, views
from web.coach import typing as typing_indicators
from web.coach.base import COACH_SETTINGS, RELAY, TEMPLATES, render, see_other, templates
from web.coach.present import database_down

logger = logging.getLogger(__name__)

__all__ = ["RELAY", "setup"]


@web.middleware
async def coach_pages(request: web.Request, handler) -> web.StreamResponse:
    """No coach page is cached; a database failure is a Dutch 503 page, not a traceback."""
    if request.path != "/coach" and not request.path.startswith("/coach/"):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers["Cache-Control"] = "no-store"
        raise
    except SQLAlchemyError as exc:
        logger.error("coach: database error (%s)", type(exc).__name__)
        response = render(
            request,
            "coach/message.html",
            status=503,
            coach=None,
            csrf="",
            title=text("inbox.down_title"),
            text=database_down(),
        )
    response.headers["Cache-Control"] = "no-store"
    return response


async def to_inbox(_: web.Request) -> web.Response:
    """/coach/ is /coach."""
    return see_other("/coach")


def setup(
    app: web.Application,
    settings: Settings,
    rasa_transport: Optional[httpx.AsyncBaseTransport] = None,
    static_file: Optional[Callable[[str, str], Any]] = None,
) -> None:
    """Add the inbox to ``app``; the Rasa client opens on startup and closes on cleanup.

    ``rasa_transport`` replaces the network for tests, as in ``web.app.build_app``.
    ``static_file`` serves ``coach.css`` and ``coach.js`` from web/static (web.app's helper).
    """
    app[COACH_SETTINGS] = settings
    app[TEMPLATES] = templates()
    app.middlewares.append(coach_pages)

    async def relay(app: web.Application):
        client = RasaRelay(settings, transport=rasa_transport)
        app[RELAY] = client
        try:
            yield
        finally:
            await client.aclose()

    app.cleanup_ctx.append(relay)
    if static_file is not None:
        app.router.add_get("/coach.css", static_file("coach.css", "text/css"))
        app.router.add_get("/coach.js", static_file("coach.js", "text/javascript"))
        app.router.add_get("/coach-typing.js", static_file("coach-typing.js", "text/javascript"))
    app.router.add_get("/coach", views.ticket_list)
    app.router.add_get("/coach/", to_inbox)
    app.router.add_get("/coach/login", auth.get_login)
    app.router.add_post("/coach/login", auth.post_login)
    app.router.add_post("/coach/logout", auth.post_logout)
    app.router.add_get("/coach/api/tickets", views.tickets_api)
    events.setup(app, events.Timing())
    app.router.add_get("/coach/tickets/{ref}", views.ticket_page)
    app.router.add_get("/coach/tickets/{ref}/transcript.json", views.transcript_json)
    app.router.add_post("/coach/tickets/{ref}/claim", handlers.post_claim)
    app.router.add_post("/coach/tickets/{ref}/notes", handlers.post_note)
    app.router.add_post("/coach/tickets/{ref}/takeover", handlers.post_takeover)
    app.router.add_post("/coach/tickets/{ref}/reply", handlers.post_reply)
    app.router.add_post("/coach/tickets/{ref}/handback", handlers.post_handback)
    app.router.add_post("/coach/tickets/{ref}/close", handlers.post_close)
    app.router.add_post("/coach/tickets/{ref}/unclaim", handlers.post_unclaim)
    app.router.add_post("/coach/tickets/{ref}/reassign", handlers.post_reassign)
    app.router.add_post("/coach/tickets/{ref}/transfer", handlers.post_transfer)
    app.router.add_post("/coach/tickets/{ref}/colleague-takeover", handlers.post_colleague_takeover)
    typing_indicators.setup(app, settings)  # typing indicators in a live chat (typing.py)
