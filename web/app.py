"""The web server: demo page, widget files and the widget's JSON API (aiohttp).

Routes
  GET  /              demo page with the widget (Dutch)
  GET  /widget.js     the widget: one ``<script src="/widget.js" defer></script>`` adds it
  GET  /widget.css    its styles (the script links them itself)
  GET  /health        ``{"status": "ok"}``
  GET  /privacy       what is kept, why, how long, who sees it, how to erase (data/privacy.yml)
  GET  /api/privacy   the same as ``{"title", "lines"}`` for the widget's privacy panel
  POST /api/session   a new server-issued session id: ``{"session": ...}``
  POST /api/message   ``{"session", "message"}`` -> Rasa's REST webhook as ``web-<session>``;
                      answers ``{"messages": [...], "buttons": [...]}``
  GET  /api/history   ``?session=...`` -> the conversation so far, from Rasa's tracker
  GET  /api/file/<token>  ``?session=...`` -> the person's profile as a text file (a link the
                      bot gave this session; loopbrug/assessment/files.py): 404 when the token is
                      unknown, expired or another session's
  GET  /api/updates   ``?session=...&after=<id>`` -> coach replies and handoff notices after
                      that relay id: ``{"messages": [{"id", "from", "name"?, "text"}],
                      "cursor": <last id>, "live": bool, "coach"?, "typing"?}``; without ``after``
                      only the cursor (the widget polls it while a coach may join); ``typing``
                      is the first name of the coach who is typing in a live chat
  POST /api/typing    ``{"session", "typing": true | false}``: the person types in a live chat
                      (the coach's page shows it): 204; 409 ``{"live": false}`` when no coach
                      has the chat (nothing kept); 429 when sent too often (web/coach/typing.py)
  /coach...           the coach inbox, see web/coach/

Errors are JSON ``{"error": "<Dutch text the widget shows>"}``: 400 for bad input, 403 for
a session id this server did not issue, 502 when Rasa cannot be reached. Every response
carries a strict Content-Security-Policy, ``nosniff`` and ``Referrer-Policy: no-referrer``.
Message texts and session ids are never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional

import httpx
import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from sqlalchemy.exc import SQLAlchemyError

from loopbrug import texts
from loopbrug.assessment import files as profile_files
from loopbrug.conversation import is_unicode_text, web_sender
from loopbrug.handoff import followup
from loopbrug.handoff import store as handoff_store
from loopbrug.privacy import statement
from loopbrug.safety.hotline import hotline
from loopbrug.settings import Settings
from web import coach, messages
from web.coach import typing as typing_indicators
from web.sessions import SessionStore

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MAX_MESSAGE_CHARS = 2000  # the same limit as the REST channel (connectors/rest.py)
MAX_BODY_BYTES = 32 * 1024
RASA_TIMEOUT_S = 10.0

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def widget_text(name: str) -> str:
    """A text the widget shows (data/texts/nl/widget.yml). Crisis always wins, also when the
    bot is unreachable: the "down" text carries the crisis line."""
    return texts.text(f"widget.{name}", hotline=hotline(), limit=MAX_MESSAGE_CHARS)


SETTINGS = web.AppKey("settings", Settings)
RASA = web.AppKey("rasa", httpx.AsyncClient)
SESSIONS = web.AppKey("sessions", SessionStore)
ALLOWED_ORIGINS = web.AppKey("allowed_origins", frozenset)


def error(status: int, text: str) -> web.Response:
    """A JSON error the widget can show as it is."""
    return web.json_response({"error": text}, status=status)


@web.middleware
async def security_headers(request: web.Request, handler) -> web.StreamResponse:
    """CSP, nosniff and no-referrer on every response, errors included.

    An unexpected error becomes a 500 of our own (logged without the request's content), so it
    carries these headers too; aiohttp's own 500 page would not.
    """
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    except UnicodeError:  # a body or form that is not valid text
        response = error(400, texts.text("channel.not_unicode"))
    except Exception:
        logger.exception("web: %s %s failed", request.method, request.path)
        response = error(500, widget_text("internal"))
    response.headers.update(SECURITY_HEADERS)
    return response


@web.middleware
async def no_compressed_bodies(request: web.Request, handler) -> web.StreamResponse:
    """Refuse compressed request bodies: nothing here needs them, and aiohttp 3.9 (pinned by
    Rasa) inflates them before checking the size limit (CVE-2025-69223, docs/security.md)."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        return error(415, widget_text("compressed"))
    return await handler(request)


@web.middleware
async def cors(request: web.Request, handler) -> web.StreamResponse:
    """Let the sites listed in LOOPBRUG_WIDGET_ORIGINS (settings.widget_origins) call the API
    (none by default)."""
    origin = request.headers.get("Origin")
    allowed = origin is not None and origin in request.app[ALLOWED_ORIGINS]
    if not request.path.startswith("/api/") or not allowed:
        return await handler(request)
    if request.method == "OPTIONS":
        response: web.StreamResponse = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    else:
        response = await handler(request)
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    return response


def static_file(name: str, content_type: str):
    """A handler for one file of web/static (read per request: small, and edits show at once)."""
    path = STATIC_DIR / name

    async def handler(_: web.Request) -> web.Response:
        return web.Response(
            body=path.read_bytes(),
            content_type=content_type,
            charset="utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    return handler


async def no_icon(_: web.Request) -> web.Response:
    """Browsers ask for /favicon.ico; answer without content instead of a 404."""
    return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})


def privacy_page(settings: Settings):
    """GET /privacy: the privacy statement, the same text as the bot's answer."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True
    )

    async def handler(_: web.Request) -> web.Response:
        html = environment.get_template("public/privacy.html").render(
            title=statement.title(), lines=statement.lines(settings)
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    return handler


def privacy_json(settings: Settings):
    """GET /api/privacy: the same statement for the widget's privacy panel."""

    async def handler(_: web.Request) -> web.Response:
        return web.json_response(
            {"title": statement.title(), "lines": statement.lines(settings)},
            headers={"Cache-Control": "no-cache"},
        )

    return handler


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def read_json(request: web.Request) -> Dict[str, Any]:
    """The request's JSON object, or a 400 with the reason."""
    try:
        body = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": widget_text("bad_json")}), content_type="application/json"
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": widget_text("not_an_object")}),
            content_type="application/json",
        )
    return body


async def refuse_session(request: web.Request, session_id: Any) -> Optional[web.Response]:
    """None for a session id this server issued, else the error response to send."""
    if not isinstance(session_id, str) or not session_id:
        return error(400, widget_text("no_session"))
    try:
        issued = await request.app[SESSIONS].is_issued(session_id)
    except SQLAlchemyError as exc:
        logger.error("sessions: database error (%s)", type(exc).__name__)
        return error(503, widget_text("rasa_down"))
    return None if issued else error(403, widget_text("unknown_session"))


async def new_session(request: web.Request) -> web.Response:
    try:
        session_id = await request.app[SESSIONS].issue()
    except SQLAlchemyError as exc:
        logger.error("sessions: database error (%s)", type(exc).__name__)
        return error(503, widget_text("rasa_down"))
    return web.json_response({"session": session_id}, headers={"Cache-Control": "no-store"})


async def post_message(request: web.Request) -> web.Response:
    body = await read_json(request)
    session_id, text = body.get("session"), body.get("message")
    if not isinstance(session_id, str) or not session_id:
        return error(400, widget_text("no_session"))
    if not isinstance(text, str):
        return error(400, widget_text("not_text"))
    if not is_unicode_text(text):
        return error(400, texts.text("channel.not_unicode"))
    if not text.strip():
        return error(400, widget_text("empty"))
    if len(text) > MAX_MESSAGE_CHARS:
        return error(400, widget_text("too_long"))
    refused = await refuse_session(request, session_id)
    if refused is not None:
        return refused
    typing_indicators.person_sent(request.app, web_sender(session_id))

    try:
        reply = await request.app[RASA].post(
            "/webhooks/rest/webhook",
            json={"sender": web_sender(session_id), "message": text},
        )
    except httpx.HTTPError as exc:
        logger.warning("message: Rasa not reachable (%s)", type(exc).__name__)
        return error(502, widget_text("rasa_down"))
    if reply.status_code == 400:  # the REST channel refused the input; its text is Dutch
        try:
            reason = reply.json().get("error") or widget_text("bad_json")
        except (ValueError, AttributeError):
            reason = widget_text("bad_json")
        return error(400, str(reason))
    if reply.status_code != 200:
        logger.warning("message: Rasa answered HTTP %s", reply.status_code)
        return error(502, widget_text("rasa_down"))
    try:
        shown = messages.webhook_reply(reply.json())
    except ValueError:
        logger.warning("message: Rasa's answer was not a list of messages")
        return error(502, widget_text("rasa_down"))
    return web.json_response(shown, headers={"Cache-Control": "no-store"})


async def get_history(request: web.Request) -> web.Response:
    session_id = request.query.get("session", "")
    refused = await refuse_session(request, session_id)
    if refused is not None:
        return refused
    token = request.app[SETTINGS].rasa_api_token
    try:
        reply = await request.app[RASA].get(
            f"/conversations/{web_sender(session_id)}/tracker",
            params={"token": token} if token else None,
        )
    except httpx.HTTPError as exc:
        logger.warning("history: Rasa not reachable (%s)", type(exc).__name__)
        return error(502, widget_text("history_down"))
    if reply.status_code != 200:
        logger.warning("history: Rasa answered HTTP %s", reply.status_code)
        return error(502, widget_text("history_down"))
    try:
        shown = messages.history(reply.json().get("events"))
    except (ValueError, AttributeError):
        logger.warning("history: Rasa's tracker could not be read")
        return error(502, widget_text("history_down"))
    return web.json_response(shown, headers={"Cache-Control": "no-store"})


def parse_cursor(raw: Optional[str]) -> Optional[int]:
    """The widget's ``after``: a relay id it has seen, or None when missing or not a number."""
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


def relay_updates(conversation_id: str, after: Optional[int], url: str) -> Dict[str, Any]:
    """The relay messages after ``after`` and whether a coach has the conversation (blocking)."""
    shown: List[Dict[str, Any]] = []
    if after is None:
        cursor = handoff_store.last_relay_id(conversation_id, url)
    else:
        for row in handoff_store.relay_since(conversation_id, after, url):
            message = {"id": row["id"], "from": "coach" if row["from"] == "coach" else "bot"}
            if row.get("name"):
                message["name"] = str(row["name"])[: messages.MAX_NAME_CHARS]
            message["text"] = row["text"]
            buttons = messages.clean_buttons(row.get("buttons"))
            if buttons:  # "Ja" / "Nee" under the satisfaction and follow-up questions
                message["buttons"] = buttons
            shown.append(message)
        cursor = shown[-1]["id"] if shown else after
    ticket = handoff_store.open_ticket_for(conversation_id, url)
    live = bool(ticket is not None and ticket.live)
    result: Dict[str, Any] = {"messages": shown, "cursor": cursor, "live": live}
    if live and ticket.coach_name:
        result["coach"] = ticket.coach_name[: messages.MAX_NAME_CHARS]  # "Je praat met Anna"
    return result


async def get_updates(request: web.Request) -> web.Response:
    session_id = request.query.get("session", "")
    refused = await refuse_session(request, session_id)
    if refused is not None:
        return refused
    after = parse_cursor(request.query.get("after"))
    try:
        shown = await asyncio.to_thread(
            relay_updates,
            web_sender(session_id),
            after,
            request.app[SETTINGS].database_url,
        )
    except SQLAlchemyError as exc:
        logger.error("updates: database error (%s)", type(exc).__name__)
        return error(503, widget_text("rasa_down"))
    if shown["live"]:  # only this conversation's coach, only while they have the chat
        typing = typing_indicators.coach_typing(request.app, web_sender(session_id))
        if typing:
            shown["typing"] = typing[: messages.MAX_NAME_CHARS]
    return web.json_response(shown, headers={"Cache-Control": "no-store"})


async def post_typing(request: web.Request) -> web.Response:
    """The person types (``"typing": true``) or stopped, while a coach has the chat."""
    body = await read_json(request)
    session_id, typing = body.get("session"), body.get("typing")
    if not isinstance(session_id, str) or not session_id:
        return error(400, widget_text("no_session"))
    if not isinstance(typing, bool):
        return error(400, widget_text("not_typing"))
    # Counted before the database is asked, so a flood costs no queries.
    if not request.app[typing_indicators.PERSON_LIMIT].allow(web_sender(session_id)[:64]):
        return error(429, widget_text("too_fast"))
    refused = await refuse_session(request, session_id)
    if refused is not None:
        return refused
    conversation = web_sender(session_id)
    try:
        ticket = await asyncio.to_thread(
            handoff_store.open_ticket_for, conversation, request.app[SETTINGS].database_url
        )
    except SQLAlchemyError as exc:
        logger.error("typing: database error (%s)", type(exc).__name__)
        return error(503, widget_text("rasa_down"))
    if ticket is None or not ticket.live:
        return web.json_response({"live": False}, status=409)  # nobody to show it to
    typing_indicators.person_typing(request.app, conversation, typing)
    return web.Response(status=204, headers={"Cache-Control": "no-store"})


async def get_file(request: web.Request) -> web.Response:
    """The profile file behind a link the bot gave this session (and no other)."""
    session_id = request.query.get("session", "")
    refused = await refuse_session(request, session_id)
    if refused is not None:
        return refused
    try:
        found = await asyncio.to_thread(
            profile_files.download,
            request.match_info["token"],
            web_sender(session_id),
            request.app[SETTINGS].database_url,
        )
    except SQLAlchemyError as exc:
        logger.error("file: database error (%s)", type(exc).__name__)
        return error(503, widget_text("rasa_down"))
    if found is None:
        return error(404, widget_text("file_gone"))
    name, text = found
    return web.Response(
        body=text.encode("utf-8"),
        content_type="text/plain",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


class PrivateAccessLogger(AbstractAccessLogger):
    """Access log without query strings, so no session id ends up in a log file."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = request.path
        if path.startswith(profile_files.LINK_PATH):  # a download token is a key: not logged
            path = profile_files.LINK_PATH + "<token>"
        self.logger.info("%s %s %s %.1f ms", request.method, path, response.status, time * 1000)


def build_app(
    settings: Settings,
    *,
    rasa_transport: Optional[httpx.AsyncBaseTransport] = None,
    background_jobs: bool = True,
) -> web.Application:
    """The web application for ``settings`` (widget API and coach inbox); connections open on
    startup, close on cleanup.

    ``rasa_transport`` replaces the network for tests (``httpx.MockTransport``).
    Other sites that embed the widget are ``settings.widget_origins``
    (``LOOPBRUG_WIDGET_ORIGINS``; the demo page on this server never needs it).
    ``background_jobs=False`` leaves out the follow-up job (tests that drive it themselves).
    """
    app = web.Application(
        middlewares=[security_headers, no_compressed_bodies, cors], client_max_size=MAX_BODY_BYTES
    )
    app[SETTINGS] = settings
    app[ALLOWED_ORIGINS] = settings.widget_origins

    async def connections(app: web.Application) -> AsyncIterator[None]:
        store = SessionStore(settings.database_url)
        store.open()
        app[SESSIONS] = store
        client = httpx.AsyncClient(
            base_url=settings.rasa_url,
            timeout=RASA_TIMEOUT_S,
            transport=rasa_transport,
            trust_env=False,  # Rasa is on loopback: never through a proxy from the environment
        )
        app[RASA] = client
        try:
            yield
        finally:
            await client.aclose()
            store.close()

    app.cleanup_ctx.append(connections)
    app.router.add_get("/", static_file("index.html", "text/html"))
    app.router.add_get("/widget.js", static_file("widget.js", "text/javascript"))
    app.router.add_get("/widget.css", static_file("widget.css", "text/css"))
    app.router.add_get("/favicon.ico", no_icon)
    app.router.add_get("/health", health)
    app.router.add_get("/privacy", privacy_page(settings))
    app.router.add_get("/api/privacy", privacy_json(settings))
    app.router.add_post("/api/session", new_session)
    app.router.add_post("/api/message", post_message)
    app.router.add_get("/api/history", get_history)
    app.router.add_get("/api/updates", get_updates)
    app.router.add_post("/api/typing", post_typing)
    app.router.add_get("/api/file/{token}", get_file)
    coach.setup(app, settings, rasa_transport, static_file=static_file)
    if background_jobs:
        app.cleanup_ctx.append(followup_job)
    return app


async def followup_job(app: web.Application) -> AsyncIterator[None]:
    """Run the follow-up and retention job (loopbrug/handoff/followup.py) while the server runs."""
    settings = app[SETTINGS]
    task = asyncio.create_task(
        followup.run_forever(
            app[coach.RELAY],
            settings.followup_check_s,
            settings.conversation_retention_days,
            settings.ticket_retention_days,
            url=settings.database_url,
            coach_idle=timedelta(minutes=settings.coach_idle_minutes),
        )
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
