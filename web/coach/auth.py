"""Who is the coach: login, sessions, login throttling, logout, and the guards on every page.

A session is a random token in the ``loopbrug_coach`` cookie (HttpOnly, SameSite=Strict,
Path=/coach, Secure behind https); the database keeps only its SHA-256 and the session's
CSRF token, which every POST must send back in the hidden ``csrf`` field. The login form
itself is protected by a double-submit token (``loopbrug_login_csrf`` cookie = hidden field).
Passwords are Argon2 hashes (loopbrug/handoff/coaches.py); every attempt first takes a place
in the login throttle (loopbrug/handoff/throttle.py).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Awaitable, Callable, Optional

from aiohttp import web

from loopbrug.handoff import coaches, presence, store, throttle
from loopbrug.texts import text
from web.coach.base import RELAY, db, render, secure_cookies, see_other, url_of, wants_json

logger = logging.getLogger(__name__)

COOKIE = "loopbrug_coach"
LOGIN_CSRF_COOKIE = "loopbrug_login_csrf"
SESSION_TTL = timedelta(hours=12)
MAX_PASSWORD_CHARS = 1024
MAX_TOKEN_CHARS = 128


def token_hash(token: str) -> str:
    """What is stored of a session token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(sent: Any, expected: Optional[str]) -> bool:
    """Constant-time comparison of a token from a form with the one we expect."""
    if not isinstance(sent, str) or not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def form_text(form: Any, name: str) -> str:
    """A form field as stripped text ("" when missing or not text)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class Login:
    """A logged-in coach with the session's CSRF token."""

    coach: store.Coach
    csrf: str
    token_hash: str


async def logged_in(request: web.Request) -> Optional[Login]:
    """The coach of the request's session cookie, or None."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    hashed = token_hash(token)
    found = await db(request, store.session_coach, hashed)
    if found is None:
        return None
    coach, csrf = found
    return Login(coach=coach, csrf=csrf, token_hash=hashed)


def forbidden(request: web.Request, message: str) -> web.Response:
    """A 403 page (or JSON, when asked for) for a POST without a session or with a wrong
    CSRF token."""
    if wants_json(request):
        return web.json_response({"ok": False, "error": message}, status=403)
    return render(
        request,
        "coach/message.html",
        status=403,
        coach=None,
        csrf="",
        title=text("inbox.forbidden_title"),
        text=message,
    )


Page = Callable[[web.Request, Login], Awaitable[web.StreamResponse]]
Action = Callable[[web.Request, Login, Any], Awaitable[web.StreamResponse]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page(handler: Page) -> Handler:
    """A GET page for logged-in coaches; others go to the login form."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        login = await logged_in(request)
        if login is None:
            return see_other("/coach/login")
        return await handler(request, login)

    return wrapped


def action(handler: Action) -> Handler:
    """A POST for logged-in coaches with the session's CSRF token; else 403."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        login = await logged_in(request)
        if login is None:
            return forbidden(request, text("inbox.not_logged_in"))
        form = await request.post()
        if not same(form.get("csrf"), login.csrf):
            return forbidden(request, text("inbox.form_expired"))
        return await handler(request, login, form)

    return wrapped


# -- login -------------------------------------------------------------------------------------


def login_form(request: web.Request, error: Optional[str] = None, status: int = 200):
    """The login page with a fresh double-submit CSRF token (cookie + hidden field)."""
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "coach/login.html",
        status=status,
        coach=None,
        csrf="",
        login_csrf=token,
        error=error,
        username=request.get("login_username", ""),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/coach",
        secure=secure_cookies(request) or None,
    )
    return response


async def get_login(request: web.Request) -> web.StreamResponse:
    """GET /coach/login: the form, or the inbox for a coach who is logged in."""
    if await logged_in(request) is not None:
        return see_other("/coach")
    return login_form(request)


async def check_password(request: web.Request, username: str, password: str) -> Optional[int]:
    """The coach id when the login is good; every failure takes about as long.

    The attempt first takes a place in the throttle's counters (loopbrug/handoff/throttle.py),
    in one atomic update each, so parallel attempts cannot slip past the limit; then the
    password is checked. Unknown names are throttled the same way, so they tell nothing.
    """
    if not coaches.USERNAME.match(username) or len(password) > MAX_PASSWORD_CHARS:
        await asyncio.to_thread(coaches.dummy_verify, password[:MAX_PASSWORD_CHARS])
        return None
    client = request.remote or "unknown"
    if not await db(request, throttle.reserve, username, client):
        await asyncio.to_thread(coaches.dummy_verify, password)
        return None
    record = await db(request, store.coach_login_record, username)
    if record is None:
        await asyncio.to_thread(coaches.dummy_verify, password)
        return None
    matches, rehash = await asyncio.to_thread(
        coaches.verify_password, record["password_hash"], password
    )
    if not record["active"] or not matches:
        return None  # the places stay taken: a failure counts
    await db(request, throttle.succeeded, username, client)
    await db(request, store.login_succeeded, record["id"], rehash)
    return record["id"]


async def post_login(request: web.Request) -> web.StreamResponse:
    """POST /coach/login: a new session (the old one ends), or the form with an error."""
    form = await request.post()
    username = form_text(form, "username").lower()
    request["login_username"] = username[:80]
    if not same(form.get("login_csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return login_form(request, text("inbox.login_expired"), status=403)
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    coach_id = await check_password(request, username, password)
    if coach_id is None:
        logger.info("coach login refused")
        return login_form(request, text("inbox.login_failed"))

    old = request.cookies.get(COOKIE)
    if old and len(old) <= MAX_TOKEN_CHARS:
        await db(request, store.end_session, token_hash(old))
    token = secrets.token_urlsafe(32)
    await db(
        request,
        store.start_session,
        coach_id,
        token_hash(token),
        secrets.token_urlsafe(32),
        SESSION_TTL,
    )
    response = see_other("/coach")
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/coach",
        secure=secure_cookies(request) or None,
        max_age=int(SESSION_TTL.total_seconds()),
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/coach")
    logger.info("coach %s logged in", coach_id)
    return response


@action
async def post_logout(request: web.Request, login: Login, form: Any) -> web.StreamResponse:
    """POST /coach/logout: the session ends. A chat the coach still has goes back to the bot
    (and the person is told) unless the coach is still logged in elsewhere."""
    await db(request, store.end_session, login.token_hash)
    await presence.logged_out(request.app[RELAY], login.coach, store.utcnow(), url_of(request))
    response = see_other("/coach/login")
    response.del_cookie(COOKIE, path="/coach")
    return response
