"""Typing indicators in a live chat, the inbox's side (the logic is loopbrug/handoff/typing.py).

Routes
  GET  /coach/tickets/{ref}/typing.json  ``{"live", "open", "typing": "<text>" or ""}``: is the
                                     person typing? (coach-typing.js asks every 2 s while the
                                     chat is live). Any coach of the ticket's team may ask;
                                     401 JSON without a session, 404 for another team's ticket.
  POST /coach/tickets/{ref}/typing   ``typing=1`` (the coach types) or ``typing=0`` (stopped),
                                     with the session's ``csrf``; only the coach who has the
                                     live chat: 204, else 409 ``{"live": false}``; 429 when
                                     sent too often. For a Telegram chat it also sends the Bot
                                     API's "typing" action (loopbrug/handoff/telegram_typing.py).
  GET  /coach-typing.js              the script (served by web.app's static_file)

The widget's side is ``POST /api/typing`` and the ``typing`` field of ``/api/updates``
(web/app.py). The state is in this process's memory; see loopbrug/handoff/typing.py for why
that is enough.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator

from aiohttp import web

from loopbrug.handoff import typing as signals
from loopbrug.handoff.telegram_typing import TelegramTyping
from loopbrug.settings import Settings
from loopbrug.texts import text
from web.coach.auth import Login, action, form_text, logged_in
from web.coach.present import not_found_text
from web.coach.views import visible_ticket

logger = logging.getLogger(__name__)

BOARD = web.AppKey("typing_board", signals.Board)
TELEGRAM = web.AppKey("typing_telegram", TelegramTyping)
COACH_LIMIT = web.AppKey("typing_coach_limit", signals.Limiter)
PERSON_LIMIT = web.AppKey("typing_person_limit", signals.Limiter)
TASKS = web.AppKey("typing_tasks", set)

# The pages signal at most every 3 s, plus a "stopped"; this leaves room and stops a flood.
LIMIT_COUNT = 6
LIMIT_WINDOW_S = 10.0


def setup(app: web.Application, settings: Settings) -> None:
    """Add the typing state and the inbox's typing routes to ``app``."""
    app[BOARD] = signals.Board()
    app[COACH_LIMIT] = signals.Limiter(LIMIT_COUNT, LIMIT_WINDOW_S)
    app[PERSON_LIMIT] = signals.Limiter(LIMIT_COUNT, LIMIT_WINDOW_S)
    app[TASKS] = set()

    async def telegram(app: web.Application) -> AsyncIterator[None]:
        app[TELEGRAM] = TelegramTyping(settings)
        try:
            yield
        finally:
            for task in list(app[TASKS]):
                task.cancel()
            await asyncio.gather(*app[TASKS], return_exceptions=True)
            await app[TELEGRAM].aclose()

    app.cleanup_ctx.append(telegram)
    app.router.add_get("/coach/tickets/{ref}/typing.json", typing_json)
    app.router.add_post("/coach/tickets/{ref}/typing", post_typing)


def coach_sent(app: web.Application, conversation_id: str) -> None:
    """The coach's message went out: their indicator goes at once (web/coach/handlers.py)."""
    app[BOARD].sent(conversation_id, signals.COACH)
    app[TELEGRAM].sent_message(conversation_id)


def person_sent(app: web.Application, conversation_id: str) -> None:
    """The person's message came in: their indicator goes at once (web/app.py)."""
    app[BOARD].sent(conversation_id, signals.PERSON)


def person_typing(app: web.Application, conversation_id: str, typing: bool) -> None:
    """The person types (``typing``) or stopped, in a live chat (web/app.py checked that)."""
    if typing:
        app[BOARD].typing(conversation_id, signals.PERSON)
    else:
        app[BOARD].stopped(conversation_id, signals.PERSON)


def coach_typing(app: web.Application, conversation_id: str) -> str:
    """The first name of the coach who is typing in this conversation, or ""."""
    signal = app[BOARD].current(conversation_id, signals.COACH)
    return signal.name if signal is not None else ""


def _send_telegram(app: web.Application, conversation_id: str) -> None:
    # In the background: the coach's page does not wait for Telegram.
    task = asyncio.create_task(app[TELEGRAM].send(conversation_id))
    app[TASKS].add(task)
    task.add_done_callback(app[TASKS].discard)


async def typing_json(request: web.Request) -> web.StreamResponse:
    """GET typing.json: whether the person of this ticket is typing (live chats only)."""
    login = await logged_in(request)
    if login is None:
        return web.json_response({"error": text("inbox.not_logged_in")}, status=401)
    ticket = await visible_ticket(request, login)
    if ticket is None:
        return web.json_response({"error": not_found_text()}, status=404)
    live = ticket.live and ticket.is_open
    typing = live and request.app[BOARD].current(ticket.conversation_id, signals.PERSON)
    return web.json_response(
        {
            "live": live,
            "open": ticket.is_open,  # a closed ticket's chat never becomes live: the page stops
            "typing": text("inbox.person_typing") if typing else "",
        },
        headers={"Cache-Control": "no-store"},
    )


@action
async def post_typing(request: web.Request, login: Login, form: Any) -> web.StreamResponse:
    """POST typing: the coach who has the live chat types (``typing=1``) or stopped."""
    ticket = await visible_ticket(request, login)
    if ticket is None:
        return web.json_response({"error": not_found_text()}, status=404)
    if not (ticket.is_open and ticket.live and ticket.coach_id == login.coach.id):
        return web.json_response({"live": False}, status=409)
    if not request.app[COACH_LIMIT].allow(f"{login.coach.id}:{ticket.ref}"):
        return web.json_response({"error": text("inbox.typing_too_fast")}, status=429)
    conversation = ticket.conversation_id
    if form_text(form, "typing") == "1":
        request.app[BOARD].typing(conversation, signals.COACH, login.coach.first_name)
        if request.app[TELEGRAM].due(conversation):
            _send_telegram(request.app, conversation)
    else:
        request.app[BOARD].stopped(conversation, signals.COACH)
    return web.Response(status=204)
