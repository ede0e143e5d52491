"""GET /coach/events: server-sent events that tell a coach's open list about new work.

Each stream asks the database every ``check`` seconds (finder.changes_since) which tickets of
the coach's teams are new, have a new message of the person, or changed, and sends one
``event: ticket`` per ticket with ``{"reference", "kind", "urgency"}``. The database is the
only shared state, so this works with any number of web processes. A comment line every
``heartbeat`` seconds keeps proxies from closing a quiet stream and notices a coach who logged
out. A stream ends when the client goes away, the session ends, or the server shuts down
(``on_shutdown`` wakes every stream, so a graceful shutdown does not wait for them).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from loopbrug.handoff import finder, store
from loopbrug.texts import text
from web.coach.auth import logged_in
from web.coach.base import db

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timing:
    """Seconds between database checks and between heartbeats (tests make them short)."""

    check: float = 2.0
    heartbeat: float = 15.0


TIMING = web.AppKey("coach_events_timing", Timing)
STOPPING = web.AppKey("coach_events_stopping", asyncio.Event)
# The browser reconnects this many milliseconds after a stream ended (EventSource ``retry``).
RETRY_MS = 3000
# How far back a stream may start: the list page's own time (``?since=``) or the last event
# the browser saw (``Last-Event-ID`` on a reconnect), so nothing between them is missed.
MAX_BACK = timedelta(minutes=10)


def setup(app: web.Application, timing: Timing) -> None:
    """Add the route; streams end when the app shuts down."""
    app[TIMING] = timing
    app[STOPPING] = asyncio.Event()

    async def wake_streams(app: web.Application) -> None:
        app[STOPPING].set()

    app.on_shutdown.append(wake_streams)
    app.router.add_get("/coach/events", events)


def gone(request: web.Request) -> bool:
    """The client closed the connection (aiohttp does not cancel the handler for it)."""
    transport = request.transport
    return transport is None or transport.is_closing()


def ticket_event(change: finder.Change, cursor: datetime) -> bytes:
    """One event; its id is the moment to go on from after a reconnect."""
    data = {"reference": change.reference, "kind": change.kind, "urgency": change.urgency}
    return f"id: {cursor.isoformat()}\nevent: ticket\ndata: {json.dumps(data)}\n\n".encode()


def start(request: web.Request, now: datetime) -> datetime:
    """Where the stream begins: the last event's id or the page's ``since``, else now."""
    for raw in (request.headers.get("Last-Event-ID"), request.query.get("since")):
        moment = moment_of(raw)
        if moment is not None:
            return min(now, max(now - MAX_BACK, moment))
    return now


def moment_of(raw: Optional[str]) -> Optional[datetime]:
    if not raw or len(raw) > 40:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


async def events(request: web.Request) -> web.StreamResponse:
    """The stream of one coach; 401 JSON without a session."""
    login = await logged_in(request)
    if login is None:
        return web.json_response({"error": text("inbox.not_logged_in")}, status=401)
    timing = request.app[TIMING]
    stopping = request.app[STOPPING]
    teams = login.coach.teams
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # a proxy must pass each event on at once
        }
    )
    await response.prepare(request)
    since = start(request, store.utcnow())
    beat = time.monotonic()
    try:
        await response.write(f"retry: {RETRY_MS}\n\n".encode())
        while not stopping.is_set() and not gone(request):
            try:
                await asyncio.wait_for(stopping.wait(), timeout=timing.check)
                break
            except asyncio.TimeoutError:
                pass
            if gone(request):
                break
            changes, since = await db(request, finder.changes_since, teams, since)
            for change in changes:
                await response.write(ticket_event(change, since))
            if time.monotonic() - beat >= timing.heartbeat:
                beat = time.monotonic()
                if await logged_in(request) is None:
                    break
                await response.write(b": ping\n\n")
    except ConnectionResetError:
        logger.debug("coach events: the client went away")
    except SQLAlchemyError as exc:
        # The page's EventSource comes back after RETRY_MS; the stream cannot show an error.
        logger.error("coach events: database error (%s)", type(exc).__name__)
    return response
