"""The coach inbox at /coach: log in, see the team's tickets, take over a chat, close.

Routes (server-rendered HTML, Dutch; every page works without JavaScript)
  GET  /coach/login                  login form (CSRF: a ``loopbrug_login_csrf`` cookie that
                                     must match the form's hidden field)
  POST /coach/login                  username + password (Argon2); 5 failures in a row lock
                                     the account for 15 minutes
  POST /coach/logout                 ends the session
  GET  /coach                        tickets of the coach's own teams; filters ``status``,
                                     ``team``, ``urgency``, ``mine=1``
  GET  /coach/tickets/{ref}          one ticket: details, summary, transcript, history, forms
  GET  /coach/tickets/{ref}/transcript.json   ``{"lines": [...], "live": bool}`` (coach.js
                                     polls it every 3 s)
  POST /coach/tickets/{ref}/claim | notes | takeover | reply | handback | close

A session is a random token in the ``loopbrug_coach`` cookie (HttpOnly, SameSite=Strict,
Path=/coach, Secure behind https); the database keeps only its SHA-256 and the session's
CSRF token, which every POST must send back in the hidden ``csrf`` field. A ticket of a team
the coach is not in answers 404, exactly like a ticket that does not exist. Pages are sent
with ``Cache-Control: no-store``. Database calls block, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import jinja2
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from handoff import coaches, store, throttle
from handoff.relay import RasaRelay, RelayError
from handoff.routing import get_teams
from loopbrug.settings import Settings
from loopbrug.texts import text

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
COOKIE = "loopbrug_coach"
LOGIN_CSRF_COOKIE = "loopbrug_login_csrf"
SESSION_TTL = timedelta(hours=12)
MAX_REPLY_CHARS = 2000
MAX_NOTE_CHARS = 4000
MAX_PASSWORD_CHARS = 1024
MAX_TOKEN_CHARS = 128
WEB_PREFIX = "web-"

RELAY = web.AppKey("coach_relay", RasaRelay)
COACH_SETTINGS = web.AppKey("coach_settings", Settings)
TEMPLATES = web.AppKey("coach_templates", jinja2.Environment)

# -- Dutch texts -------------------------------------------------------------------------------

LOGIN_FAILED = "Gebruikersnaam of wachtwoord klopt niet."
LOGIN_EXPIRED = "Het inlogformulier was verlopen. Probeer het nog een keer."
TRANSCRIPT_DOWN = "Het gesprek kan nu niet geladen worden."
DATABASE_DOWN = (
    "De inbox kan de gegevens nu niet bereiken. Probeer het over een paar minuten opnieuw."
)

URGENCY_LABELS = {store.CRISIS: "Crisis", store.ACUTE: "Acute schulden", store.NORMAL: "Normaal"}
STATUS_LABELS = {store.NEW: "Nieuw", store.CLAIMED: "Opgepakt", store.CLOSED: "Gesloten"}
TOPIC_LABELS = {
    "werk": "Werk",
    "scholing": "Scholing",
    "geld": "Geld en schulden",
    "algemeen": "Algemeen",
    "crisis": "Crisis",
}
CHANNEL_LABELS = {"rest": "Chat op de website", "telegram": "Telegram"}
CONTACT_LABELS = {"chat": "Chat", "telefoon": "Telefoon", "email": "E-mail"}
EVENT_LABELS = {
    "note": "Notitie",
    "claim": "Opgepakt",
    "takeover": "Gesprek overgenomen",
    "reply": "Bericht aan de persoon",
    "handback": "Gesprek teruggegeven",
    "close": "Gesloten",
    "followup": "Navraag: is er contact geweest?",
    "erased": "Gewist op verzoek van de persoon",
    "crisis": "Zorgwekkend bericht: het ticket is nu dringend (crisis)",
}
SYSTEM_LINES = {
    "pause": "Een coach heeft het gesprek overgenomen. Loopbrug antwoordt niet.",
    "resume": "Het gesprek is teruggegeven aan Loopbrug.",
    "navraag": "Loopbrug heeft gevraagd of er contact is geweest.",
}

# Messages after an action, passed as a code in ``?melding=``: only known texts are shown.
FLASHES = {
    "opgepakt": "Je hebt het ticket opgepakt.",
    "notitie": "Je notitie is bewaard.",
    "overgenomen": "Je hebt het gesprek overgenomen. De persoon ziet dat nu.",
    "verstuurd": "Je bericht is verstuurd.",
    "teruggegeven": "Je hebt het gesprek teruggegeven aan Loopbrug.",
    "gesloten": "Het ticket is gesloten.",
}
ERRORS = {
    "leeg": "Typ eerst een tekst.",
    "bericht-te-lang": f"Je bericht is te lang. Gebruik maximaal {MAX_REPLY_CHARS} tekens.",
    "notitie-te-lang": f"Je notitie is te lang. Gebruik maximaal {MAX_NOTE_CHARS} tekens.",
    "rasa": (
        "Loopbrug is nu niet bereikbaar, dus het gesprek is niet veranderd. Probeer het zo opnieuw."
    ),
    "al-gesloten": "Dit ticket is al gesloten.",
    "andere-coach": "Een andere coach heeft dit ticket al opgepakt.",
    "eerst-oppakken": "Pak het ticket eerst op.",
    "eerst-overnemen": "Neem het gesprek eerst over.",
    "uitkomst": "Kies een uitkomst.",
    "kan-niet": "Dat kan nu niet.",
}
CONFLICT_CODES = {text: code for code, text in ERRORS.items()}

# -- helpers -----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a session token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(sent: Any, expected: Optional[str]) -> bool:
    """Constant-time comparison of a token from a form with the one we expect."""
    if not isinstance(sent, str) or not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def is_web(conversation_id: str) -> bool:
    return conversation_id.startswith(WEB_PREFIX)


@functools.lru_cache(maxsize=8)
def zone(name: str) -> Any:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def shown_time(moment: Optional[datetime], tz_name: str) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone(tz_name)).strftime("%d-%m-%Y %H:%M")


def age(since: datetime, now: Optional[datetime] = None) -> str:
    """How long ago, short and in Dutch: "net binnen", "12 min", "3 uur", "2 dagen"."""
    now = now or datetime.now(timezone.utc)
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return "net binnen"
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} uur"
    return f"{hours // 24} dagen"


def text_list(value: Any) -> List[str]:
    """A list of non-empty strings from whatever the summary holds (else an empty list)."""
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, (str, int, float)) and str(item)]


def summary_view(summary: Any) -> Dict[str, Any]:
    """The ticket's summary with every part present and of the expected type."""
    summary = summary if isinstance(summary, dict) else {}
    reason = summary.get("reason")
    profile = summary.get("profile")
    money = summary.get("money_check")
    return {
        "reason": reason if isinstance(reason, str) else "",
        "asked": text_list(summary.get("asked")),
        "messages": text_list(summary.get("messages")),
        "facts": text_list(summary.get("facts")),
        "profile": text_list(profile.get("lines")) if isinstance(profile, dict) else [],
        "money_colour": (str(money.get("colour") or "") if isinstance(money, dict) else ""),
        "money": text_list(money.get("lines")) if isinstance(money, dict) else [],
        "has_money": isinstance(money, dict),
    }


def transcript_line(line: Dict[str, Any], tz_name: str) -> Dict[str, Any]:
    """One transcript line as the page and coach.js show it (``at`` as an ISO string)."""
    kind = line.get("from") if line.get("from") in ("person", "bot", "coach", "system") else "bot"
    text = str(line.get("text") or "")
    name = line.get("name") if isinstance(line.get("name"), str) else None
    if kind == "person":
        who = "Persoon"
    elif kind == "coach":
        who = f"{name} (coach)" if name else "Coach"
    elif kind == "system":
        who = "Melding"
        text = SYSTEM_LINES.get(text, text)
    else:
        who = "Loopbrug"
    at = line.get("at")
    shown: Dict[str, Any] = {
        "from": kind,
        "who": who,
        "text": text,
        "at": at.isoformat() if isinstance(at, datetime) else None,
        "time": shown_time(at, tz_name) if isinstance(at, datetime) else "",
    }
    if name:
        shown["name"] = name
    if line.get("crisis"):
        shown["crisis"] = True
    return shown


def transcript_lines(raw: List[Dict[str, Any]], tz_name: str) -> List[Dict[str, Any]]:
    return [transcript_line(line, tz_name) for line in raw]


@dataclass(frozen=True)
class Login:
    coach: store.Coach
    csrf: str
    token_hash: str


def settings_of(request: web.Request) -> Settings:
    return request.app[COACH_SETTINGS]


async def db(request: web.Request, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A store call in a worker thread, on the app's database."""
    url = settings_of(request).database_url
    return await asyncio.to_thread(functools.partial(function, *args, url=url, **kwargs))


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    html = request.app[TEMPLATES].get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def ticket_url(ref: str, flash: Optional[str] = None) -> str:
    url = "/coach/tickets/" + quote(ref, safe="")
    return url + ("?" + urlencode({"melding": flash}) if flash else "")


def secure_cookies(request: web.Request) -> bool:
    return (settings_of(request).public_url or "").lower().startswith("https")


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


def not_found(request: web.Request, login: Login) -> web.Response:
    """The same answer for a ticket that does not exist and one of another team."""
    return render(
        request,
        "coach/message.html",
        status=404,
        coach=login.coach,
        csrf=login.csrf,
        title="Niet gevonden",
        text="Dit ticket is niet gevonden.",
    )


def forbidden(request: web.Request, text: str) -> web.Response:
    return render(
        request,
        "coach/message.html",
        status=403,
        coach=None,
        csrf="",
        title="Niet toegestaan",
        text=text,
    )


Page = Callable[[web.Request, Login], Awaitable[web.StreamResponse]]
Action = Callable[[web.Request, Login, Any], Awaitable[web.StreamResponse]]


def page(handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A GET page for logged-in coaches; others go to the login form."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        login = await logged_in(request)
        if login is None:
            return see_other("/coach/login")
        return await handler(request, login)

    return wrapped


def action(handler: Action) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A POST for logged-in coaches with the session's CSRF token; else 403."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        login = await logged_in(request)
        if login is None:
            return forbidden(request, "Je bent niet (meer) ingelogd. Log opnieuw in.")
        form = await request.post()
        if not same(form.get("csrf"), login.csrf):
            return forbidden(
                request, "Dit formulier is verlopen. Ga terug en laad de pagina opnieuw."
            )
        return await handler(request, login, form)

    return wrapped


async def visible_ticket(request: web.Request, login: Login) -> Optional[store.Ticket]:
    """The ticket of the URL when it belongs to one of the coach's teams, else None."""
    ref = request.match_info["ref"]
    if len(ref) > 16:
        return None
    ticket = await db(request, store.get_ticket, ref)
    if ticket is None or ticket.team not in login.coach.teams:
        return None
    return ticket


def ticket_action(
    handler: Callable[[web.Request, Login, store.Ticket, Any], Awaitable[str]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A POST on one ticket: session, CSRF and team checked; the handler returns a message
    code; the answer is a redirect back to the ticket page showing that message."""

    @action
    @functools.wraps(handler)
    async def wrapped(request: web.Request, login: Login, form: Any) -> web.StreamResponse:
        ticket = await visible_ticket(request, login)
        if ticket is None:
            return not_found(request, login)
        try:
            flash = await handler(request, login, ticket, form)
        except store.TicketConflict as conflict:
            flash = CONFLICT_CODES.get(str(conflict), "kan-niet")
        draft = form.get("text") if isinstance(form.get("text"), str) else ""
        if flash in ERRORS and draft.strip():
            # A reply or note that could not be saved or sent is shown again in its box, so
            # the coach does not lose what they typed (a redirect would drop it).
            fresh = await visible_ticket(request, login)
            drafts = {handler.__name__: draft}
            return await render_ticket(request, login, fresh or ticket, flash, drafts, 409)
        return see_other(ticket_url(ticket.ref, flash))

    return wrapped


def form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


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
    if await logged_in(request) is not None:
        return see_other("/coach")
    return login_form(request)


async def check_password(request: web.Request, username: str, password: str) -> Optional[int]:
    """The coach id when the login is good; every failure takes about as long.

    The attempt first takes a place in the throttle's counters (handoff/throttle.py), in one
    atomic update each, so parallel attempts cannot slip past the limit; then the password
    is checked. Unknown names are throttled the same way, so they tell nothing.
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
    form = await request.post()
    username = form_text(form, "username").lower()
    request["login_username"] = username[:80]
    if not same(form.get("login_csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return login_form(request, LOGIN_EXPIRED, status=403)
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    coach_id = await check_password(request, username, password)
    if coach_id is None:
        logger.info("coach login refused")
        return login_form(request, LOGIN_FAILED)

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
    await db(request, store.end_session, login.token_hash)
    response = see_other("/coach/login")
    response.del_cookie(COOKIE, path="/coach")
    return response


# -- pages -------------------------------------------------------------------------------------


@page
async def ticket_list(request: web.Request, login: Login) -> web.StreamResponse:
    coach = login.coach
    query = request.query
    status = query.get("status") if query.get("status") in store.STATUSES else None
    team = query.get("team") if query.get("team") in coach.teams else None
    urgency_raw = query.get("urgency", "")
    urgency = int(urgency_raw) if urgency_raw in ("1", "2", "3") else None
    mine = query.get("mine") == "1"
    tickets = await db(
        request,
        store.list_tickets,
        coach.teams,
        status=status,
        team=team,
        urgency=urgency,
        mine=coach.id if mine else None,
    )
    teams = get_teams()
    now = datetime.now(timezone.utc)
    rows = [
        {
            "ref": t.ref,
            "url": ticket_url(t.ref),
            "urgency": t.urgency,
            "urgency_label": URGENCY_LABELS.get(t.urgency, str(t.urgency)),
            "topic": TOPIC_LABELS.get(t.topic, t.topic),
            "team": teams.name(t.team),
            "place": " / ".join(p for p in (t.region, t.gemeente) if p) or "onbekend",
            "status": STATUS_LABELS.get(t.status, t.status),
            "live": t.live,
            "coach": t.coach_name or "",
            "age": age(t.created_at, now),
        }
        for t in tickets
    ]
    response = render(
        request,
        "coach/list.html",
        coach=coach,
        csrf=login.csrf,
        rows=rows,
        filters={
            "status": status or "",
            "team": team or "",
            "urgency": str(urgency or ""),
            "mine": mine,
        },
        statuses=[(s, STATUS_LABELS[s]) for s in store.STATUSES],
        teams=[(t, teams.name(t)) for t in coach.teams],
        urgencies=[(str(u), URGENCY_LABELS[u]) for u in store.URGENCIES],
    )
    return response


@page
async def ticket_page(request: web.Request, login: Login) -> web.StreamResponse:
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
    settings = settings_of(request)
    tz_name = settings.timezone
    try:
        raw = await request.app[RELAY].transcript(ticket.conversation_id)
        transcript: Optional[List[Dict[str, Any]]] = transcript_lines(raw, tz_name)
    except RelayError as exc:
        logger.warning("coach: transcript not available (%s)", exc)
        transcript = None
    history = await db(request, store.events, ticket.id)
    mine = ticket.coach_id == login.coach.id and ticket.is_open
    flash = FLASHES.get(flash_code) or ERRORS.get(flash_code)
    return render(
        request,
        "coach/ticket.html",
        status=status,
        draft_reply=drafts.get("post_reply", ""),
        draft_note=drafts.get("post_note", ""),
        coach=login.coach,
        csrf=login.csrf,
        t=ticket,
        team_name=get_teams().name(ticket.team),
        urgency_label=URGENCY_LABELS.get(ticket.urgency, str(ticket.urgency)),
        status_label=STATUS_LABELS.get(ticket.status, ticket.status),
        topic_label=TOPIC_LABELS.get(ticket.topic, ticket.topic),
        channel_label=CHANNEL_LABELS.get(ticket.channel, ticket.channel),
        contact_label=CONTACT_LABELS.get(ticket.contact_channel, ticket.contact_channel),
        outcome_label=store.OUTCOMES.get(ticket.outcome or "", ticket.outcome or ""),
        created=shown_time(ticket.created_at, tz_name),
        closed=shown_time(ticket.closed_at, tz_name),
        consent=shown_time(ticket.consent_at, tz_name),
        summary=summary_view(ticket.summary),
        transcript=transcript,
        transcript_down=TRANSCRIPT_DOWN,
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
        outcomes=list(store.OUTCOMES.items()),
        max_reply=MAX_REPLY_CHARS,
        max_note=MAX_NOTE_CHARS,
        base_url=ticket_url(ticket.ref),
    )


async def transcript_json(request: web.Request) -> web.StreamResponse:
    login = await logged_in(request)
    if login is None:
        return see_other("/coach/login")
    ticket = await visible_ticket(request, login)
    if ticket is None:
        return web.json_response({"error": "Dit ticket is niet gevonden."}, status=404)
    try:
        raw = await request.app[RELAY].transcript(ticket.conversation_id)
    except RelayError as exc:
        logger.warning("coach: transcript not available (%s)", exc)
        return web.json_response({"error": TRANSCRIPT_DOWN}, status=502)
    tz_name = settings_of(request).timezone
    return web.json_response({"lines": transcript_lines(raw, tz_name), "live": ticket.live})


# -- actions on a ticket -----------------------------------------------------------------------


async def relay_notice(request: web.Request, conversation_id: str, notice: str) -> None:
    """The widget has no push channel: it reads helpline notices from the relay log."""
    if is_web(conversation_id):
        await db(request, store.add_relay, conversation_id, "bot", notice)


async def hand_back(request: web.Request, login: Login, ticket: store.Ticket) -> bool:
    """Make the ticket not live and tell Rasa; undo when Rasa cannot be reached."""
    coach = login.coach
    _, changed = await db(request, store.set_live, ticket.ref, coach.id, False)
    if not changed:
        return True
    notice = text("handoff.handback", coach=coach.first_name)
    try:
        await request.app[RELAY].hand_back(ticket.conversation_id, notice)
    except RelayError as exc:
        logger.warning("coach: hand back failed (%s)", exc)
        await db(request, store.set_live, ticket.ref, coach.id, True)
        return False
    await relay_notice(request, ticket.conversation_id, notice)
    return True


@ticket_action
async def post_claim(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    await db(request, store.claim, ticket.ref, login.coach.id)
    return "opgepakt"


@ticket_action
async def post_note(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    text = form_text(form, "text")
    if not text:
        return "leeg"
    if len(text) > MAX_NOTE_CHARS:
        return "notitie-te-lang"
    await db(request, store.add_event, ticket.ref, login.coach.id, "note", text)
    return "notitie"


@ticket_action
async def post_takeover(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    coach = login.coach
    ticket, changed = await db(request, store.set_live, ticket.ref, coach.id, True)
    if not changed:
        return "overgenomen"
    notice = text("handoff.takeover", coach=coach.first_name, team=get_teams().name(ticket.team))
    try:
        await request.app[RELAY].take_over(ticket.conversation_id, notice)
    except RelayError as exc:
        logger.warning("coach: take over failed (%s)", exc)
        await db(request, store.set_live, ticket.ref, coach.id, False)
        return "rasa"
    await relay_notice(request, ticket.conversation_id, notice)
    return "overgenomen"


@ticket_action
async def post_reply(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    coach = login.coach
    text = form_text(form, "text")
    if not text:
        return "leeg"
    if len(text) > MAX_REPLY_CHARS:
        return "bericht-te-lang"
    ticket = await db(request, store.require_live, ticket.ref, coach.id)
    try:
        await request.app[RELAY].send(ticket.conversation_id, coach.first_name, text)
    except RelayError as exc:
        logger.warning("coach: reply not sent (%s)", exc)
        return "rasa"
    await db(request, store.add_event, ticket.ref, coach.id, "reply", text)
    if is_web(ticket.conversation_id):
        await db(
            request, store.add_relay, ticket.conversation_id, "coach", text, name=coach.first_name
        )
    return "verstuurd"


@ticket_action
async def post_handback(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    return "teruggegeven" if await hand_back(request, login, ticket) else "rasa"


@ticket_action
async def post_close(request: web.Request, login: Login, ticket: store.Ticket, form: Any) -> str:
    outcome = form_text(form, "outcome")
    if outcome not in store.OUTCOMES:
        return "uitkomst"
    # Hand the chat back first: a closed ticket can no longer be handed back, and a paused
    # conversation would leave the person without an answer.
    if ticket.live and not await hand_back(request, login, ticket):
        return "rasa"
    closed, was_live = await db(request, store.close, ticket.ref, login.coach.id, outcome)
    if was_live:  # taken over again in the meantime
        notice = text("handoff.handback", coach=login.coach.first_name)
        try:
            await request.app[RELAY].hand_back(closed.conversation_id, notice)
            await relay_notice(request, closed.conversation_id, notice)
        except RelayError as exc:
            logger.warning("coach: hand back after close failed (%s)", exc)
    return "gesloten"


# -- wiring ------------------------------------------------------------------------------------


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
            title="Even niet bereikbaar",
            text=DATABASE_DOWN,
        )
    response.headers["Cache-Control"] = "no-store"
    return response


async def to_inbox(_: web.Request) -> web.Response:
    return see_other("/coach")


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
    app.router.add_get("/coach", ticket_list)
    app.router.add_get("/coach/", to_inbox)
    app.router.add_get("/coach/login", get_login)
    app.router.add_post("/coach/login", post_login)
    app.router.add_post("/coach/logout", post_logout)
    app.router.add_get("/coach/tickets/{ref}", ticket_page)
    app.router.add_get("/coach/tickets/{ref}/transcript.json", transcript_json)
    app.router.add_post("/coach/tickets/{ref}/claim", post_claim)
    app.router.add_post("/coach/tickets/{ref}/notes", post_note)
    app.router.add_post("/coach/tickets/{ref}/takeover", post_takeover)
    app.router.add_post("/coach/tickets/{ref}/reply", post_reply)
    app.router.add_post("/coach/tickets/{ref}/handback", post_handback)
    app.router.add_post("/coach/tickets/{ref}/close", post_close)
