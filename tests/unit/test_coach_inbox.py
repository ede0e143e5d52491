"""The coach inbox (web/coach/) and the widget's relay (/api/updates), against a fake Rasa
and a real SQLite database: login, CSRF, team isolation, claim, takeover, reply, close."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import httpx
import pytest
from aiohttp import test_utils
from argon2 import PasswordHasher

from loopbrug.handoff import coaches, finder, store, throttle
from loopbrug.settings import Settings
from loopbrug.texts import text
from tests.conftest import free_port
from tests.handoff_fixtures import make_ticket as shared_make_ticket
from web.app import build_app
from web.coach import auth, events, present

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
PASSWORD = "een-lang-wachtwoord"
SUMMARY = {
    "reason": "Wil met een mens praten over schulden",
    "asked": ["Hoe betaal ik mijn opleiding?"],
    "messages": ["ik weet het echt niet meer <script>alert(1)</script>"],
    "facts": ["Regio: Groningen"],
    "profile": None,
    "money_check": {"colour": "oranje", "lines": ["Tekort per maand: 100 tot 250 euro"]},
}


class FakeRasa:
    """Rasa's HTTP API: remembers appended events, answers the tracker with ``events``."""

    def __init__(self) -> None:
        self.appended: List[Dict[str, Any]] = []  # {"conversation", "events", "params"}
        self.events: List[Dict[str, Any]] = []
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.status != 200:
            return httpx.Response(self.status, json={"error": "kapot"})
        path = request.url.path
        match = re.fullmatch(r"/conversations/([^/]+)/tracker/events", path)
        if match and request.method == "POST":
            self.appended.append(
                {
                    "conversation": match.group(1),
                    "events": json.loads(request.content),
                    "params": dict(request.url.params),
                }
            )
            return httpx.Response(200, json={})
        if path.endswith("/tracker") and request.method == "GET":
            return httpx.Response(200, json={"sender_id": "x", "events": self.events})
        if path == "/webhooks/rest/webhook":
            return httpx.Response(200, json=[])
        return httpx.Response(404)

    def kinds(self) -> List[List[str]]:
        return [[e["event"] for e in call["events"]] for call in self.appended]


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Argon2 with small parameters: the same code path, a fraction of the time."""
    monkeypatch.setattr(
        coaches, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    monkeypatch.setattr(coaches, "_DUMMY_HASH", None)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        rasa_port=free_port(),
        web_port=free_port(),
        database_url=f"sqlite:///{tmp_path / 'coach.db'}",
    )


@pytest.fixture
def url(settings: Settings) -> str:
    return settings.database_url


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def team(url: str) -> Dict[str, store.Coach]:
    return {
        "anna": coaches.add_coach("anna", "Anna", ["landelijk"], PASSWORD, url),
        "bram": coaches.add_coach("bram", "Bram", ["landelijk", "geld"], PASSWORD, url),
        "cees": coaches.add_coach("cees", "Cees", ["groningen"], PASSWORD, url),
    }


@pytest.fixture
async def client(settings: Settings, rasa: FakeRasa, team):
    app = build_app(settings, rasa_transport=httpx.MockTransport(rasa))
    async with test_utils.TestClient(test_utils.TestServer(app)) as test_client:
        yield test_client


def make_ticket(url: str, conversation_id: str, **changes: Any) -> store.Ticket:
    changes.setdefault("summary", SUMMARY)
    return shared_make_ticket(
        url,
        conversation_id,
        **{
            "topic": "werk",
            "region": "Groningen",
            "gemeente": "Groningen",
            "contact_detail": "0612345678",
            **changes,
        },
    )


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


async def login(client, username: str, password: str = PASSWORD):
    """Log in through the form (fresh cookies), like a browser does."""
    client.session.cookie_jar.clear()
    form = await client.get("/coach/login")
    assert form.status == 200
    token = hidden(await form.text(), "login_csrf")
    return await client.post(
        "/coach/login",
        data={"login_csrf": token, "username": username, "password": password},
        allow_redirects=False,
    )


async def logged_in(client, username: str) -> str:
    """Log in and return the session's CSRF token."""
    reply = await login(client, username)
    assert reply.status == 303 and reply.headers["Location"] == "/coach"
    page = await client.get("/coach")
    assert page.status == 200
    return hidden(await page.text(), "csrf")


async def act(client, ticket: store.Ticket, what: str, csrf: str, **fields: str):
    return await client.post(
        f"/coach/tickets/{ticket.ref}/{what}",
        data={"csrf": csrf, **fields},
        allow_redirects=False,
    )


async def flash_of(client, reply) -> str:
    """The text shown after a POST: follow the redirect to the ticket page, or read the page
    shown at once (409) when a typed text could not be saved and is kept in its box."""
    if reply.status == 409:
        html = await reply.text()
    else:
        assert reply.status == 303
        html = await (await client.get(reply.headers["Location"])).text()
    match = re.search(r'<p class="cb-flash[^"]*" role="\w+">([^<]*)</p>', html)
    return match.group(1) if match else ""


def db_rows(url: str, query: str, *args: Any) -> List[tuple]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        rows = db.execute(query, args).fetchall()
    db.close()
    return rows


# -- access without login ----------------------------------------------------------------------


async def test_pages_need_a_login(client, url, rasa):
    ticket = make_ticket(url, "web-x")
    for path in (
        "/coach",
        f"/coach/tickets/{ticket.ref}",
        f"/coach/tickets/{ticket.ref}/transcript.json",
    ):
        reply = await client.get(path, allow_redirects=False)
        assert reply.status == 303, path
        assert reply.headers["Location"] == "/coach/login"
        assert reply.headers["Cache-Control"] == "no-store"
    for what in ("claim", "notes", "takeover", "reply", "handback", "close"):
        reply = await client.post(
            f"/coach/tickets/{ticket.ref}/{what}", data={"csrf": "x", "text": "hoi"}
        )
        assert reply.status == 403, what
    assert (await client.post("/coach/logout", data={"csrf": "x"})).status == 403
    assert store.get_ticket(ticket.ref, url).status == store.NEW
    assert rasa.appended == []


async def test_a_forged_session_cookie_is_no_login(client):
    client.session.cookie_jar.update_cookies({auth.COOKIE: "nep-token"})
    reply = await client.get("/coach", allow_redirects=False)
    assert reply.status == 303 and reply.headers["Location"] == "/coach/login"


# -- login -------------------------------------------------------------------------------------


async def test_the_login_page_has_a_csrf_cookie_and_no_inline_code(client):
    reply = await client.get("/coach/login")
    assert reply.status == 200
    assert reply.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    html = await reply.text()
    assert '<html lang="nl">' in html and "Inloggen" in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [] and "style=" not in html
    cookie = reply.cookies[auth.LOGIN_CSRF_COOKIE]
    assert cookie.value == hidden(html, "login_csrf") and len(cookie.value) >= 40
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/coach"


async def test_a_good_login_starts_a_session_stored_as_a_hash(client, url):
    reply = await login(client, "anna")
    assert reply.status == 303 and reply.headers["Location"] == "/coach"
    cookie = reply.cookies[auth.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/coach"
    assert not cookie["secure"]  # plain http on localhost
    token = cookie.value
    assert len(token) >= 40
    stored = db_rows(url, "SELECT token_hash, csrf_token, expires_at FROM loopbrug_coach_sessions")
    assert [row[0] for row in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in {row[1] for row in stored}
    expires = datetime.fromisoformat(stored[0][2]).replace(tzinfo=timezone.utc)
    left = expires - datetime.now(timezone.utc)
    assert timedelta(hours=11, minutes=59) < left <= timedelta(hours=12)
    page = await client.get("/coach")
    assert page.status == 200 and "Ingelogd als Anna" in await page.text()
    assert page.headers["Cache-Control"] == "no-store"


async def test_the_cookie_is_secure_behind_https(tmp_path, rasa):
    settings = Settings(
        rasa_port=free_port(),
        database_url=f"sqlite:///{tmp_path / 's.db'}",
        public_url="https://loopbrug.example.nl",
    )
    coaches.add_coach("anna", "Anna", ["landelijk"], PASSWORD, settings.database_url)
    app = build_app(settings, rasa_transport=httpx.MockTransport(rasa))
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        form = await client.get("/coach/login")
        assert form.cookies[auth.LOGIN_CSRF_COOKIE]["secure"]
        token = hidden(await form.text(), "login_csrf")
        # The test client speaks http, so it keeps a Secure cookie to itself: send it by hand.
        reply = await client.post(
            "/coach/login",
            data={"login_csrf": token, "username": "anna", "password": PASSWORD},
            headers={"Cookie": f"{auth.LOGIN_CSRF_COOKIE}={token}"},
            allow_redirects=False,
        )
        assert reply.status == 303
        assert reply.cookies[auth.COOKIE]["secure"]


@pytest.mark.parametrize(
    "username, password", [("anna", "fout-wachtwoord!!"), ("nobody", PASSWORD)]
)
async def test_a_wrong_password_or_unknown_user_gets_one_generic_answer(client, username, password):
    reply = await login(client, username, password)
    assert reply.status == 200
    html = await reply.text()
    assert text("inbox.login_failed") in html
    assert auth.COOKIE not in reply.cookies
    assert (await client.get("/coach", allow_redirects=False)).status == 303


async def test_five_failures_lock_the_account_for_15_minutes(client, url):
    for _ in range(5):
        assert (
            text("inbox.login_failed")
            in await (await login(client, "anna", "fout-wachtwoord")).text()
        )
    until = throttle.locked_until("anna", "127.0.0.1", url)
    assert timedelta(minutes=14) < until - datetime.now(timezone.utc) <= timedelta(minutes=15)
    # Locked: even the right password is refused, with the same text.
    refused = await login(client, "anna")
    assert refused.status == 200 and text("inbox.login_failed") in await refused.text()
    assert auth.COOKIE not in refused.cookies
    # Another coach is not affected.
    assert (await login(client, "bram")).status == 303
    # Once the lock has passed, the right password works and the count starts again.
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        db.execute(
            "UPDATE loopbrug_login_throttle SET locked_until='2000-01-01 00:00:00', "
            "window_start='2000-01-01 00:00:00'"
        )
    db.close()
    assert (await login(client, "anna")).status == 303
    assert throttle.locked_until("anna", "127.0.0.1", url) is None


async def test_thirty_parallel_wrong_passwords_cannot_open_the_way(client, url):
    """Issue 15: 30 wrong passwords at once, then the right one, used to log in."""

    async def attempt(token: str):
        return await client.post(
            "/coach/login",
            data={"login_csrf": token, "username": "anna", "password": "fout-wachtwoord"},
            allow_redirects=False,
        )

    # One login form (CSRF cookie and field) for all 30, as a script would do.
    client.session.cookie_jar.clear()
    form = await client.get("/coach/login")
    token = hidden(await form.text(), "login_csrf")
    replies = await asyncio.gather(*(attempt(token) for _ in range(30)))
    assert all(r.status == 200 for r in replies)
    assert (await login(client, "anna")).status == 200  # still refused
    rows = db_rows(url, "SELECT failures FROM loopbrug_login_throttle WHERE key LIKE 'pair:anna:%'")
    assert rows == [(5,)]


async def test_an_inactive_account_cannot_log_in_and_its_session_ends(client, url):
    csrf = await logged_in(client, "anna")
    assert csrf
    store.deactivate_coach("anna", url)
    assert (await client.get("/coach", allow_redirects=False)).status == 303
    reply = await login(client, "anna")
    assert reply.status == 200 and text("inbox.login_failed") in await reply.text()


async def test_an_old_hash_is_replaced_on_login(client, url, monkeypatch):
    (old,) = db_rows(url, "SELECT password_hash FROM loopbrug_coaches WHERE username='anna'")[0]
    monkeypatch.setattr(
        coaches, "_HASHER", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    )
    assert (await login(client, "anna")).status == 303
    (new,) = db_rows(url, "SELECT password_hash FROM loopbrug_coaches WHERE username='anna'")[0]
    assert new != old and "m=2048,t=2" in new


@pytest.mark.parametrize("case", ["no field", "no cookie", "other token"])
async def test_the_login_form_is_csrf_protected(client, case):
    client.session.cookie_jar.clear()
    form = await client.get("/coach/login")
    token = hidden(await form.text(), "login_csrf")
    data = {"username": "anna", "password": PASSWORD, "login_csrf": token}
    if case == "no field":
        del data["login_csrf"]
    elif case == "no cookie":
        client.session.cookie_jar.clear()
    else:
        data["login_csrf"] = "B" * len(token)
    reply = await client.post("/coach/login", data=data, allow_redirects=False)
    assert reply.status == 403
    assert auth.COOKIE not in reply.cookies
    assert (await client.get("/coach", allow_redirects=False)).status == 303


async def test_logout_ends_the_session(client, url):
    csrf = await logged_in(client, "anna")
    token = client.session.cookie_jar.filter_cookies(client.make_url("/coach"))[auth.COOKIE].value
    assert (await client.post("/coach/logout", data={"csrf": "fout"})).status == 403
    reply = await client.post("/coach/logout", data={"csrf": csrf}, allow_redirects=False)
    assert reply.status == 303 and reply.headers["Location"] == "/coach/login"
    assert db_rows(url, "SELECT * FROM loopbrug_coach_sessions") == []
    # The old token is worth nothing, also when a copy of it is sent again.
    client.session.cookie_jar.update_cookies({auth.COOKIE: token})
    assert (await client.get("/coach", allow_redirects=False)).status == 303


# -- CSRF on actions ---------------------------------------------------------------------------


@pytest.mark.parametrize("sent", [None, "", "verkeerd-token"])
async def test_a_post_without_the_session_csrf_token_is_refused(client, url, sent):
    ticket = make_ticket(url, "web-a")
    csrf = await logged_in(client, "anna")
    data = {} if sent is None else {"csrf": sent}
    reply = await client.post(f"/coach/tickets/{ticket.ref}/claim", data=data)
    assert reply.status == 403
    assert store.get_ticket(ticket.ref, url).coach_id is None
    # A token of the same length and alphabet that is not this session's is refused too.
    reply = await act(client, ticket, "claim", csrf[::-1])
    assert reply.status == 403
    assert store.get_ticket(ticket.ref, url).coach_id is None
    assert (await act(client, ticket, "claim", csrf)).status == 303


# -- teams -------------------------------------------------------------------------------------


async def test_a_coach_sees_only_the_tickets_of_their_own_teams(client, url, rasa):
    national = make_ticket(url, "web-landelijk", team="landelijk")
    local = make_ticket(url, "web-groningen", team="groningen")
    csrf = await logged_in(client, "cees")  # team groningen only
    for query in ("", "?team=landelijk", "?status=closed&team=landelijk"):
        html = await (await client.get("/coach" + query)).text()
        assert national.ref not in html
    html = await (await client.get("/coach?team=landelijk")).text()
    assert local.ref in html  # a team that is not theirs is ignored as a filter

    missing = await client.get("/coach/tickets/LB-NOPE99")
    other = await client.get(f"/coach/tickets/{national.ref}")
    assert missing.status == other.status == 404
    assert await missing.text() == await other.text()  # nothing tells the two apart
    assert (await client.get(f"/coach/tickets/{national.ref}/transcript.json")).status == 404
    for what in ("claim", "notes", "takeover", "reply", "handback", "close"):
        reply = await act(client, national, what, csrf, text="hoi", outcome="contact")
        assert reply.status == 404, what
    assert store.get_ticket(national.ref, url).coach_id is None
    assert store.events(national.id, url) == []
    assert rasa.appended == []
    assert (await client.get(f"/coach/tickets/{local.ref}")).status == 200


async def test_the_list_is_sorted_by_urgency_and_filters(client, url):
    normal = make_ticket(url, "web-1", urgency=store.NORMAL, topic="scholing")
    crisis = make_ticket(url, "web-2", urgency=store.CRISIS, topic="crisis")
    debts = make_ticket(url, "web-3", urgency=store.ACUTE, topic="geld")
    money_team = make_ticket(url, "web-4", team="geld", topic="geld")
    csrf = await logged_in(client, "bram")  # landelijk and geld
    html = await (await client.get("/coach")).text()
    positions = [html.index(t.ref) for t in (crisis, debts, normal)]
    assert positions == sorted(positions)
    for label in ("Crisis", "Acute schulden", "Normaal", "Scholing", "Groningen", "Nieuw"):
        assert label in html
    assert money_team.ref in html and "de geldcoaches van Loopbrug" in html

    assert (await act(client, normal, "claim", csrf)).status == 303
    only_crisis = await (await client.get("/coach?urgency=1")).text()
    assert crisis.ref in only_crisis and normal.ref not in only_crisis
    mine = await (await client.get("/coach?mine=1")).text()
    assert normal.ref in mine and crisis.ref not in mine
    claimed = await (await client.get("/coach?status=claimed")).text()
    assert normal.ref in claimed and debts.ref not in claimed
    assert "Bram" in claimed
    geld = await (await client.get("/coach?team=geld")).text()
    assert money_team.ref in geld and crisis.ref not in geld


# -- the ticket page ---------------------------------------------------------------------------


async def test_the_ticket_page_shows_details_summary_and_transcript(client, url, rasa):
    ticket = make_ticket(url, "web-page", urgency=store.ACUTE, topic="geld")
    rasa.events = [
        {
            "event": "user",
            "text": "ik wil dood",
            "timestamp": 1700000000.0,
            "parse_data": {"intent": {"name": "crisis"}},
        },
        {"event": "bot", "text": "Bel 113 of 0800-0113.", "timestamp": 1700000001.0},
        {"event": "pause", "timestamp": 1700000002.0},
        {
            "event": "bot",
            "timestamp": 1700000003.0,
            "data": {"custom": {"from": "coach", "name": "Anna", "text": "Ik ben er <b>nu</b>."}},
        },
    ]
    await logged_in(client, "anna")
    reply = await client.get(f"/coach/tickets/{ticket.ref}")
    assert reply.status == 200
    assert reply.headers["Cache-Control"] == "no-store"
    html = await reply.text()
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [] and "style=" not in html
    assert '<script src="/coach.js" defer></script>' in html
    for shown in ("Acute schulden", "0612345678", "ochtend", "v1-test", "Telefoon", "Loopbrug"):
        assert shown in html
    # The summary, each part as a list; the person's words escaped.
    assert "Wil met een mens praten over schulden" in html
    assert "<li>Hoe betaal ik mijn opleiding?</li>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Geldcheck: oranje" in html and "<li>Tekort per maand: 100 tot 250 euro</li>" in html
    # The transcript: the crisis line marked, coach text escaped.
    crisis_line = re.search(
        r'<li class="cb-line cb-line--person cb-line--crisis">(.*?)</li>', html, re.S
    )
    assert (
        crisis_line
        and "Crisissignaal" in crisis_line.group(1)
        and "ik wil dood" in crisis_line.group(1)
    )
    assert "Anna (coach)" in html and "Ik ben er &lt;b&gt;nu&lt;/b&gt;." in html
    assert present.SYSTEM_LINES["pause"] in html
    # Not claimed yet: a claim button, no takeover or reply.
    assert f"/coach/tickets/{ticket.ref}/claim" in html
    assert "/takeover" not in html and "/reply" not in html


async def test_the_summary_shows_every_message_the_crisis_mark_and_the_amounts(client, url):
    summary = {
        **SUMMARY,
        "messages": [
            {"text": "Ik ben 34 en werk als buschauffeur", "crisis": False},
            {"text": "ik zie het niet meer zitten", "crisis": True},
            {"text": "... 3 berichten weggelaten (lees het hele gesprek hieronder)", "omitted": 3},
            {"text": "ik wil een coach", "crisis": False},
        ],
        "amounts": {"shared": True, "lines": ["Netto inkomen nu: € 2.100 per maand"]},
    }
    ticket = make_ticket(url, "web-words", summary=summary)
    await logged_in(client, "anna")
    html = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    quotes = re.search(r'<ul class="cb-quotes">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li[^>]*>(.*?)</li>", quotes) == [
        "Ik ben 34 en werk als buschauffeur",
        '<strong class="cb-crisis">Crisissignaal</strong> ik zie het niet meer zitten',
        "... 3 berichten weggelaten (lees het hele gesprek hieronder)",
        "ik wil een coach",
    ]
    assert '<li class="cb-line--crisis">' in quotes
    assert '<li class="cb-quotes__omitted">' in quotes
    assert "<h3>Bedragen van de persoon</h3>" in html
    assert '<ul class="cb-amounts"><li>Netto inkomen nu: € 2.100 per maand</li></ul>' in html


def test_the_summary_view_reads_old_and_new_messages():
    view = present.summary_view({"messages": ["oud", {"text": "nieuw", "crisis": True}, {}, 3]})
    assert view["messages"] == [
        {"text": "oud", "crisis": False, "omitted": False},
        {"text": "nieuw", "crisis": True, "omitted": False},
    ]
    assert view["amounts"] == []


async def test_a_summary_with_missing_parts_still_shows(client, url):
    ticket = make_ticket(url, "web-bare", summary={"reason": "Vraag", "messages": "geen lijst"})
    await logged_in(client, "anna")
    reply = await client.get(f"/coach/tickets/{ticket.ref}")
    assert reply.status == 200
    html = await reply.text()
    assert "Vraag" in html and "Geldcheck" not in html and "geen lijst" not in html


async def test_the_page_works_when_rasa_is_down(client, url, rasa):
    ticket = make_ticket(url, "web-down")
    rasa.status = 500
    await logged_in(client, "anna")
    reply = await client.get(f"/coach/tickets/{ticket.ref}")
    assert reply.status == 200
    html = await reply.text()
    assert present.transcript_down() in html
    assert "Wil met een mens praten over schulden" in html
    json_reply = await client.get(f"/coach/tickets/{ticket.ref}/transcript.json")
    assert json_reply.status == 502


async def test_transcript_json(client, url, rasa):
    ticket = make_ticket(url, "web-json")
    rasa.events = [
        {
            "event": "user",
            "text": "help",
            "timestamp": 1700000000.0,
            "parse_data": {"intent": {"name": "crisis"}},
        },
        {"event": "bot", "text": "Hoi", "timestamp": 1700000001.0},
        # The follow-up question is triggered by the helpline, not typed by the person.
        {
            "event": "user",
            "text": "EXTERNAL: handoff_status",
            "timestamp": 1700000002.0,
            "metadata": {"is_external": True},
        },
    ]
    csrf = await logged_in(client, "anna")
    reply = await client.get(f"/coach/tickets/{ticket.ref}/transcript.json")
    assert reply.status == 200 and reply.headers["Cache-Control"] == "no-store"
    body = await reply.json()
    assert body["live"] is False
    first, second, followup = body["lines"]
    assert first["from"] == "person" and first["text"] == "help" and first["crisis"] is True
    assert first["at"] == "2023-11-14T22:13:20+00:00"
    assert second["from"] == "bot" and "crisis" not in second
    assert followup["from"] == "system" and followup["text"] == present.SYSTEM_LINES["navraag"]
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "takeover", csrf)
    body = await (await client.get(f"/coach/tickets/{ticket.ref}/transcript.json")).json()
    assert body["live"] is True


# -- claim and notes ---------------------------------------------------------------------------


async def test_claim_and_another_coach_cannot_take_it(client, url):
    ticket = make_ticket(url, "web-claim")
    csrf = await logged_in(client, "anna")
    reply = await act(client, ticket, "claim", csrf)
    assert reply.headers["Location"] == f"/coach/tickets/{ticket.ref}?melding=opgepakt"
    assert await flash_of(client, reply) == present.FLASHES["opgepakt"]
    claimed = store.get_ticket(ticket.ref, url)
    assert claimed.status == store.CLAIMED and claimed.coach_name == "Anna"

    csrf = await logged_in(client, "bram")
    reply = await act(client, ticket, "claim", csrf)
    assert await flash_of(client, reply) == "Een andere coach heeft dit ticket al opgepakt."
    assert store.get_ticket(ticket.ref, url).coach_name == "Anna"
    # Bram cannot take over, reply or close Anna's ticket either; he is pointed to the
    # explicit takeover from a colleague (issue 19), not to a claim that cannot be done.
    for what in ("takeover", "close"):
        reply = await act(client, ticket, what, csrf, outcome="contact")
        assert await flash_of(client, reply) == present.ERRORS["van-collega"]
    assert store.get_ticket(ticket.ref, url).status == store.CLAIMED


async def test_notes_are_kept_and_checked(client, url):
    ticket = make_ticket(url, "web-note")
    csrf = await logged_in(client, "bram")
    assert (
        await flash_of(client, await act(client, ticket, "notes", csrf, text="   "))
        == (present.ERRORS["leeg"])
    )
    too_long = "x" * (present.MAX_NOTE_CHARS + 1)
    assert (
        await flash_of(client, await act(client, ticket, "notes", csrf, text=too_long))
        == (present.ERRORS["notitie-te-lang"])
    )
    reply = await act(client, ticket, "notes", csrf, text="Gebeld, <i>geen</i> gehoor.")
    assert await flash_of(client, reply) == present.FLASHES["notitie"]
    (event,) = store.events(ticket.id, url)
    assert event["kind"] == "note" and event["coach"] == "Bram"
    assert event["text"] == "Gebeld, <i>geen</i> gehoor."
    html = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert "Gebeld, &lt;i&gt;geen&lt;/i&gt; gehoor." in html


async def test_a_flash_code_that_is_not_known_shows_nothing(client, url):
    ticket = make_ticket(url, "web-flash")
    await logged_in(client, "anna")
    html = await (
        await client.get(f"/coach/tickets/{ticket.ref}?melding=Bel+0900-oplichter")
    ).text()
    assert "oplichter" not in html and "cb-flash" not in html


# -- takeover, reply, hand back, close ---------------------------------------------------------


async def test_takeover_reply_and_handback_of_a_web_conversation(client, url, rasa):
    conversation = "web-" + "S" * 32
    ticket = make_ticket(url, conversation)
    csrf = await logged_in(client, "anna")

    # Not claimed: nothing reaches Rasa.
    reply = await act(client, ticket, "takeover", csrf)
    assert await flash_of(client, reply) == "Pak het ticket eerst op."
    await act(client, ticket, "claim", csrf)
    reply = await act(client, ticket, "reply", csrf, text="Hallo")
    assert await flash_of(client, reply) == "Neem het gesprek eerst over."
    assert rasa.appended == []
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert "/takeover" in page and "/reply" not in page

    reply = await act(client, ticket, "takeover", csrf)
    assert await flash_of(client, reply) == present.FLASHES["overgenomen"]
    assert store.get_ticket(ticket.ref, url).live is True
    (call,) = rasa.appended
    assert call["conversation"] == conversation
    assert call["params"]["execute_side_effects"] == "true"
    assert call["params"]["output_channel"] == "latest"
    assert [e["event"] for e in call["events"]] == ["active_loop", "slot", "pause", "bot"]
    notice = call["events"][-1]["text"]
    assert notice.startswith("Je praat nu met Anna, coach van Loopbrug.")
    assert store.relay_since(conversation, 0, url) == [
        {"id": 1, "from": "bot", "name": None, "text": notice}
    ]
    # A second takeover (double click) sends nothing more.
    await act(client, ticket, "takeover", csrf)
    assert len(rasa.appended) == 1

    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert "/reply" in page and "/handback" in page and "/takeover" not in page
    too_long = "x" * (present.MAX_REPLY_CHARS + 1)
    reply = await act(client, ticket, "reply", csrf, text=too_long)
    assert await flash_of(client, reply) == present.ERRORS["bericht-te-lang"]
    reply = await act(client, ticket, "reply", csrf, text="Ik lees mee. Wat is er gebeurd?")
    assert await flash_of(client, reply) == present.FLASHES["verstuurd"]
    assert rasa.appended[-1]["events"] == [
        {
            "event": "bot",
            "text": None,
            "data": {
                "custom": {
                    "from": "coach",
                    "name": "Anna",
                    "text": "Ik lees mee. Wat is er gebeurd?",
                }
            },
        }
    ]
    rows = store.relay_since(conversation, 1, url)
    assert rows == [
        {"id": 2, "from": "coach", "name": "Anna", "text": "Ik lees mee. Wat is er gebeurd?"}
    ]
    assert [e["kind"] for e in store.events(ticket.id, url)] == ["claim", "takeover", "reply"]

    reply = await act(client, ticket, "handback", csrf)
    assert await flash_of(client, reply) == present.FLASHES["teruggegeven"]
    assert [e["event"] for e in rasa.appended[-1]["events"]] == ["resume", "bot"]
    assert "Anna heeft het gesprek teruggegeven" in rasa.appended[-1]["events"][1]["text"]
    assert store.get_ticket(ticket.ref, url).live is False
    assert store.relay_since(conversation, 2, url)[0]["text"].startswith("Anna heeft het gesprek")
    reply = await act(client, ticket, "reply", csrf, text="Nog iets")
    assert await flash_of(client, reply) == "Neem het gesprek eerst over."
    assert len(rasa.appended) == 3


async def test_a_telegram_conversation_gets_no_relay_rows(client, url, rasa):
    ticket = make_ticket(url, "123456789", channel="telegram")
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "takeover", csrf)
    await act(client, ticket, "reply", csrf, text="Hoi")
    assert rasa.kinds() == [["active_loop", "slot", "pause", "bot"], ["bot"]]
    assert rasa.appended[0]["conversation"] == "123456789"
    assert db_rows(url, "SELECT COUNT(*) FROM loopbrug_relay") == [(0,)]


async def test_a_failed_takeover_is_undone(client, url, rasa):
    ticket = make_ticket(url, "web-fail")
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    rasa.status = 503
    reply = await act(client, ticket, "takeover", csrf)
    assert await flash_of(client, reply) == present.ERRORS["rasa"]
    assert store.get_ticket(ticket.ref, url).live is False
    assert db_rows(url, "SELECT COUNT(*) FROM loopbrug_relay") == [(0,)]


async def test_closing_a_live_ticket_hands_back_and_removes_it_from_the_open_list(
    client, url, rasa
):
    ticket = make_ticket(url, "web-close")
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "takeover", csrf)
    reply = await act(client, ticket, "close", csrf, outcome="niet-bestaand")
    assert await flash_of(client, reply) == "Kies een uitkomst."
    assert store.get_ticket(ticket.ref, url).is_open

    reply = await act(client, ticket, "close", csrf, outcome="doorverwezen")
    assert await flash_of(client, reply) == present.FLASHES["gesloten"]
    closed = store.get_ticket(ticket.ref, url)
    assert closed.status == store.CLOSED and closed.outcome == "doorverwezen" and not closed.live
    assert rasa.kinds() == [["active_loop", "slot", "pause", "bot"], ["resume", "bot"]]
    assert ticket.ref not in await (await client.get("/coach")).text()
    closed_list = await (await client.get("/coach?status=closed")).text()
    assert ticket.ref in closed_list and "Gesloten" in closed_list
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert store.OUTCOMES["doorverwezen"] in page
    assert "/close" not in page and "/takeover" not in page
    reply = await act(client, ticket, "claim", csrf)
    assert await flash_of(client, reply) == "Dit ticket is al gesloten."


async def test_closing_a_ticket_that_is_not_live_sends_nothing(client, url, rasa):
    ticket = make_ticket(url, "web-quiet")
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "close", csrf, outcome="contact")
    assert store.get_ticket(ticket.ref, url).status == store.CLOSED
    assert rasa.appended == []


# -- the widget's relay: /api/updates ----------------------------------------------------------


async def new_session(client) -> str:
    reply = await client.post("/api/session", json={})
    assert reply.status == 200
    return (await reply.json())["session"]


async def test_updates_give_relay_rows_after_the_cursor_and_the_live_flag(client, url):
    session = await new_session(client)
    conversation = "web-" + session
    store.add_relay("web-someone-else", "coach", "Niet voor jou", name="Bram", url=url)

    start = await client.get("/api/updates", params={"session": session})
    assert start.status == 200 and start.headers["Cache-Control"] == "no-store"
    assert await start.json() == {"messages": [], "cursor": 0, "live": False}

    ticket = make_ticket(url, conversation)
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "takeover", csrf)
    await act(client, ticket, "reply", csrf, text="Hoi, ik ben Anna.")

    body = await (
        await client.get("/api/updates", params={"session": session, "after": "0"})
    ).json()
    notice, message = body["messages"]
    assert notice["from"] == "bot" and notice["text"].startswith("Je praat nu met Anna")
    assert "name" not in notice
    assert message == {
        "id": body["cursor"],
        "from": "coach",
        "name": "Anna",
        "text": "Hoi, ik ben Anna.",
    }
    assert body["live"] is True

    cursor = body["cursor"]
    again = await (
        await client.get("/api/updates", params={"session": session, "after": str(cursor)})
    ).json()
    assert again == {"messages": [], "cursor": cursor, "live": True, "coach": "Anna"}
    without = await (await client.get("/api/updates", params={"session": session})).json()
    assert without == {"messages": [], "cursor": cursor, "live": True, "coach": "Anna"}
    bad = await (
        await client.get("/api/updates", params={"session": session, "after": "-1 OR 1=1"})
    ).json()
    assert bad == {"messages": [], "cursor": cursor, "live": True, "coach": "Anna"}

    await act(client, ticket, "handback", csrf)
    body = await (
        await client.get("/api/updates", params={"session": session, "after": str(cursor)})
    ).json()
    assert body["live"] is False and "coach" not in body
    assert [m["from"] for m in body["messages"]] == ["bot"]
    assert "teruggegeven" in body["messages"][0]["text"]


async def test_updates_refuse_an_unknown_or_missing_session(client, url):
    store.add_relay("web-" + "A" * 32, "coach", "geheim", name="Anna", url=url)
    reply = await client.get("/api/updates", params={"session": "A" * 32, "after": "0"})
    assert reply.status == 403
    assert "geheim" not in await reply.text()
    assert (await client.get("/api/updates")).status == 400


# -- static files ------------------------------------------------------------------------------


async def test_coach_files_are_served_and_never_write_html(client):
    script = await client.get("/coach.js")
    assert script.status == 200 and script.content_type == "text/javascript"
    css = await client.get("/coach.css")
    assert css.status == 200 and css.content_type == "text/css"
    for name in ("coach.js", "widget.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (name, sink)
    widget = (STATIC / "widget.js").read_text(encoding="utf-8")
    assert "/api/updates" in widget and "visibilityState" in widget and "Je praat met " in widget
    coach_js = (STATIC / "coach.js").read_text(encoding="utf-8")
    assert 'getAttribute("data-src")' in coach_js and "textContent" in coach_js
    assert "INTERVAL_MS = 3000" in coach_js and "visibilityState" in coach_js


def test_claims_at_the_same_time_give_the_ticket_to_one_coach(url, team):
    """SQLite ignores FOR UPDATE; the store still lets only one of two racing claims win."""
    import threading

    ticket = make_ticket(url, "web-race")
    barrier = threading.Barrier(2)
    results: Dict[str, str] = {}

    def claim(name: str) -> None:
        barrier.wait()
        try:
            store.claim(ticket.ref, team[name].id, url)
            results[name] = "won"
        except store.TicketConflict:
            results[name] = "lost"

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("anna", "bram")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["lost", "won"]
    winner = next(n for n, r in results.items() if r == "won")
    assert store.get_ticket(ticket.ref, url).coach_id == team[winner].id
    assert [e["kind"] for e in store.events(ticket.id, url)] == ["claim"]


async def test_a_reply_that_could_not_be_sent_stays_in_its_box(client, url, rasa):
    ticket = make_ticket(url, "web-draft")
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "takeover", csrf)
    rasa.status = 503
    reply = await act(client, ticket, "reply", csrf, text="Ik bel je morgen <b>om tien</b>.")
    assert reply.status == 409
    html = await reply.text()
    assert present.ERRORS["rasa"] in html
    assert "Ik bel je morgen &lt;b&gt;om tien&lt;/b&gt;.</textarea>" in html
    assert db_rows(url, "SELECT COUNT(*) FROM loopbrug_relay WHERE sender='coach'") == [(0,)]


# -- finding tickets, honest times, a person's history (issue 19) --------------------------------


async def test_the_json_api_needs_a_session_and_answers_401_json(client, url):
    make_ticket(url, "web-x")
    reply = await client.get("/coach/api/tickets", allow_redirects=False)
    assert reply.status == 401
    assert reply.content_type == "application/json"
    assert "error" in await reply.json()
    assert reply.headers["Cache-Control"] == "no-store"


async def test_the_json_api_lists_the_coachs_teams_with_every_field(client, url):
    national = make_ticket(url, "web-landelijk", team="landelijk", contact_channel="chat")
    make_ticket(url, "tg-groningen", team="groningen", channel="telegram")
    crisis = make_ticket(url, "web-crisis", urgency=store.CRISIS, topic="crisis")
    await logged_in(client, "anna")  # landelijk only
    body = await (await client.get("/coach/api/tickets")).json()
    assert {t["reference"] for t in body["tickets"]} == {national.ref, crisis.ref}
    assert body["next_page"] is None
    first = body["tickets"][0]
    assert first["reference"] == crisis.ref and first["urgency"] == "crisis"
    shown = next(t for t in body["tickets"] if t["reference"] == national.ref)
    assert shown["team"] == "landelijk" and shown["status"] == "new"
    assert shown["urgency"] == "normal" and shown["topic"] == "werk"
    assert shown["topic_label"] == text("inbox.topic_werk")
    assert shown["region"] == "Groningen" and shown["channel"] == "web"
    assert shown["waits_on"] == "chat"
    assert shown["claimed_at"] is None and shown["closed_at"] is None
    assert datetime.fromisoformat(shown["created_at"]).tzinfo is not None
    assert datetime.fromisoformat(shown["last_person_message_at"]).tzinfo is not None
    assert "0612345678" not in json.dumps(body)  # contact details stay on the ticket page


async def test_the_json_api_searches_reference_place_topic_and_words(client, url):
    werk = make_ticket(
        url,
        "web-1",
        gemeente="Zwolle",
        region="IJsselvechtstreek",
        summary={"reason": "Zoekt ander werk", "asked": ["Hoe betaal ik mijn opleiding?"]},
    )
    geld = make_ticket(url, "web-2", topic="geld", gemeente="Emmen", region="Drenthe")
    await logged_in(client, "anna")

    async def found(query: str) -> set:
        reply = await client.get("/coach/api/tickets", params={"q": query})
        assert reply.status == 200
        return {t["reference"] for t in (await reply.json())["tickets"]}

    assert await found(werk.ref.removeprefix("LB-").lower()) == {werk.ref}
    assert await found("ZWOLLE") == {werk.ref}
    assert await found("drenthe") == {geld.ref}
    assert await found("schulden") == {geld.ref}  # the topic's label
    assert await found("opleiding") == {werk.ref, geld.ref}  # words of the summary
    assert await found("emmen opleiding") == {geld.ref}
    assert await found("nergens") == set()


async def test_the_json_api_pages_closed_tickets_newest_first(client, url, team):
    anna = team["anna"]
    refs = []
    for number in range(53):
        ticket = make_ticket(url, f"web-{number}")
        store.claim(ticket.ref, anna.id, url)
        store.close(ticket.ref, anna.id, "contact", url)
        refs.append(ticket.ref)
    await logged_in(client, "anna")
    first = await (await client.get("/coach/api/tickets?status=closed")).json()
    assert [t["reference"] for t in first["tickets"]] == refs[::-1][:50]
    assert first["next_page"] == 2
    assert first["tickets"][0]["closed_at"] and first["tickets"][0]["claimed_at"]
    second = await (await client.get("/coach/api/tickets?status=closed&page=2")).json()
    assert [t["reference"] for t in second["tickets"]] == refs[::-1][50:]
    assert second["next_page"] is None

    html = await (await client.get("/coach?status=closed")).text()
    assert html.index(refs[-1]) < html.index(refs[-2])  # newest first
    assert refs[0] not in html and 'href="/coach?status=closed&amp;page=2"' in html
    html = await (await client.get("/coach?status=closed&page=2")).text()
    assert refs[0] in html and refs[-1] not in html and 'rel="prev"' in html


async def test_the_list_page_searches_with_the_same_function(client, url, team):
    wanted = make_ticket(url, "web-1", gemeente="Zwolle")
    other = make_ticket(url, "web-2", gemeente="Emmen")
    hidden_team = make_ticket(url, "web-3", team="groningen", gemeente="Zwolle")
    await logged_in(client, "anna")
    html = await (await client.get("/coach")).text()
    assert 'name="q"' in html and text("inbox.search_label") in html
    code = wanted.ref.removeprefix("LB-").lower()
    html = await (await client.get("/coach", params={"q": code})).text()
    assert wanted.ref in html and other.ref not in html
    assert f'value="{code}"' in html  # the search stays in its box
    html = await (await client.get("/coach", params={"q": "zwolle"})).text()
    assert wanted.ref in html and other.ref not in html and hidden_team.ref not in html
    html = await (await client.get("/coach", params={"q": "nergens"})).text()
    assert text("inbox.search_none") in html

    store.claim(wanted.ref, team["anna"].id, url)
    store.close(wanted.ref, team["anna"].id, "contact", url)
    html = await (await client.get("/coach", params={"q": code})).text()
    assert wanted.ref in html  # a search looks in closed tickets too
    assert '<option value="all" selected>' in html
    html = await (await client.get("/coach", params={"q": code, "status": "new"})).text()
    assert wanted.ref not in html


async def test_waiting_stops_at_the_claim_and_the_target_shows(client, url, team):
    late = make_ticket(url, "web-late")
    near = make_ticket(url, "web-near")
    claimed = make_ticket(url, "web-claimed")
    now = datetime.now(timezone.utc)
    with store.factory(url).begin() as session:  # landelijk's target is 30 minutes
        for ticket, minutes in ((late, 45), (near, 25), (claimed, 90)):
            session.get(store.TicketRecord, ticket.id).created_at = now - timedelta(minutes=minutes)
    store.claim(claimed.ref, team["anna"].id, url)
    await logged_in(client, "anna")
    html = await (await client.get("/coach")).text()
    row = {t.ref: html[html.index(t.ref) :].split("</tr>")[0] for t in (late, near, claimed)}
    assert text("inbox.target_over") in row[late.ref]
    assert text("inbox.target_near") in row[near.ref]
    assert text("inbox.claimed_after", duration="1 uur") in row[claimed.ref]
    assert text("inbox.target_over") not in row[claimed.ref]
    assert text("inbox.waits_telefoon") in row[late.ref]

    page = await (await client.get(f"/coach/tickets/{claimed.ref}")).text()
    assert text("inbox.time_claimed") in page and text("inbox.time_first_response") in page
    assert text("inbox.time_waiting") not in page  # no running wait once claimed
    page = await (await client.get(f"/coach/tickets/{late.ref}")).text()
    assert text("inbox.time_waiting") in page and text("inbox.target_over") in page


async def test_the_ticket_page_shows_the_persons_earlier_tickets(client, url, team):
    anna = team["anna"]
    first = make_ticket(url, "web-same")
    store.claim(first.ref, anna.id, url)
    store.add_event(first.ref, anna.id, "note", "Zoekt avondopleiding", url)
    store.close(first.ref, anna.id, "doorverwezen", url)
    elsewhere = make_ticket(url, "web-same", team="groningen")
    with store.factory(url).begin() as session:
        record = session.get(store.TicketRecord, elsewhere.id)
        record.status, record.open_key = store.CLOSED, None
    current = make_ticket(url, "web-same")
    await logged_in(client, "anna")
    page = await (await client.get(f"/coach/tickets/{current.ref}")).text()
    assert text("inbox.history_title") in page
    assert f'href="/coach/tickets/{first.ref}"' in page
    assert "Zoekt avondopleiding" in page
    assert store.OUTCOMES["doorverwezen"] in page
    assert elsewhere.ref not in page
    assert text("inbox.history_elsewhere", count=1) in page
    lonely = await (await client.get(f"/coach/tickets/{make_ticket(url, 'web-new').ref}")).text()
    assert text("inbox.history_none") in lonely


# -- passing a ticket on (issue 19) -------------------------------------------------------------


async def test_unclaim_of_a_live_chat_hands_back_and_frees_the_ticket(client, url, rasa):
    ticket = make_ticket(url, "web-unclaim", team="landelijk")
    csrf = await logged_in(client, "anna")
    assert "/unclaim" not in await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "takeover", csrf)
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert "Ticket loslaten" in page
    reply = await act(client, ticket, "unclaim", csrf)
    assert await flash_of(client, reply) == present.FLASHES["losgelaten"]
    free = store.get_ticket(ticket.ref, url)
    assert (free.status, free.coach_id, free.live) == (store.NEW, None, False)
    assert rasa.kinds()[-1] == ["resume", "bot"]
    assert "Anna heeft het gesprek teruggegeven" in rasa.appended[-1]["events"][-1]["text"]
    history = [e["kind"] for e in store.events(ticket.id, url)]
    assert history == ["claim", "takeover", "handback", "unclaim"]
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert present.EVENT_LABELS["unclaim"] in page and "Ticket oppakken" in page


async def test_reassign_offers_and_accepts_only_coaches_of_the_ticket_team(client, url, rasa, team):
    ticket = make_ticket(url, "web-reassign", team="landelijk")
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    options = re.search(r'<select id="reassign-coach".*?</select>', page, re.S).group(0)
    assert f'value="{team["bram"].id}">Bram<' in options
    assert "Cees" not in options and ">Anna<" not in options
    # Cees is not in team landelijk: a forged form cannot give him the ticket.
    reply = await act(client, ticket, "reassign", csrf, coach=str(team["cees"].id))
    assert await flash_of(client, reply) == present.ERRORS["geen-teamcoach"]
    for bad in ("", "bram", "999"):
        reply = await act(client, ticket, "reassign", csrf, coach=bad)
        assert await flash_of(client, reply) == present.ERRORS["geen-teamcoach"]
    assert store.get_ticket(ticket.ref, url).coach_id == team["anna"].id

    await act(client, ticket, "takeover", csrf)
    reply = await act(client, ticket, "reassign", csrf, coach=str(team["bram"].id))
    assert await flash_of(client, reply) == present.FLASHES["doorgegeven"]
    moved = store.get_ticket(ticket.ref, url)
    assert (moved.coach_name, moved.live) == ("Bram", True)  # still paused, now Bram's
    assert rasa.kinds()[-1] == ["bot"]
    assert rasa.appended[-1]["events"][0]["text"].startswith("Je praat nu met Bram")
    event = store.events(ticket.id, url)[-1]
    assert (event["kind"], event["coach"], event["text"]) == ("reassign", "Anna", "Naar Bram")
    # Anna no longer has the chat; Bram does.
    reply = await act(client, ticket, "reply", csrf, text="Hoi")
    assert await flash_of(client, reply) == present.ERRORS["van-collega"]
    bram = await logged_in(client, "bram")
    reply = await act(client, ticket, "reply", bram, text="Hoi, ik ben Bram.")
    assert await flash_of(client, reply) == present.FLASHES["verstuurd"]


async def test_transfer_needs_a_note_and_moves_the_ticket_to_the_other_team(client, url, rasa):
    ticket = make_ticket(url, "web-transfer", team="landelijk")
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "takeover", csrf)
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    teams_offered = re.search(r'<select id="transfer-team".*?</select>', page, re.S).group(0)
    assert 'value="groningen"' in teams_offered and 'value="landelijk"' not in teams_offered

    reply = await act(client, ticket, "transfer", csrf, team="groningen", text="  ")
    assert await flash_of(client, reply) == present.ERRORS["notitie-verplicht"]
    reply = await act(client, ticket, "transfer", csrf, team="nergens", text="Zie gesprek")
    assert await flash_of(client, reply) == present.ERRORS["geen-team"]
    assert store.get_ticket(ticket.ref, url).team == "landelijk"
    assert store.get_ticket(ticket.ref, url).live

    note = "Woont in Groningen, wil daar naar het loket."
    reply = await act(client, ticket, "transfer", csrf, team="groningen", text=note)
    # Anna is not in team Groningen: she lands on her list, where the ticket is gone.
    assert reply.status == 303 and reply.headers["Location"] == "/coach?melding=overgedragen"
    listed = await (await client.get(reply.headers["Location"])).text()
    assert (
        '<p class="cb-flash" role="status">Het ticket is overgedragen aan het andere team.</p>'
        in listed
    )
    # Only that message: any other code on the list shows nothing.
    assert "cb-flash" not in await (await client.get("/coach?melding=gesloten")).text()
    moved = store.get_ticket(ticket.ref, url)
    assert (moved.team, moved.status, moved.coach_id, moved.live) == (
        "groningen",
        store.NEW,
        None,
        False,
    )
    assert rasa.kinds()[-1] == ["resume", "bot"]  # handed back first, the person is told
    event = store.events(ticket.id, url)[-1]
    assert event["kind"] == "transfer" and note in event["text"]
    assert ticket.ref not in await (await client.get("/coach")).text()
    assert (await client.get(f"/coach/tickets/{ticket.ref}")).status == 404
    await logged_in(client, "cees")
    assert ticket.ref in await (await client.get("/coach")).text()
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert present.EVENT_LABELS["transfer"] in page and note in page


async def test_a_colleague_takes_over_a_live_chat_after_confirming(client, url, rasa, team):
    ticket = make_ticket(url, "web-colleague", team="landelijk")
    anna = await logged_in(client, "anna")
    await act(client, ticket, "claim", anna)
    await act(client, ticket, "takeover", anna)

    bram = await logged_in(client, "bram")
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert "Overnemen van collega" in page and "/unclaim" not in page
    assert f'name="owner" value="{team["anna"].id}"' in page
    assert "Pak het ticket eerst op" not in await flash_of(
        client, await act(client, ticket, "takeover", bram)
    )
    reply = await act(client, ticket, "colleague-takeover", bram, owner=str(team["anna"].id))
    assert await flash_of(client, reply) == present.ERRORS["bevestig"]
    assert store.get_ticket(ticket.ref, url).coach_name == "Anna"

    reply = await act(
        client, ticket, "colleague-takeover", bram, owner=str(team["anna"].id), confirm="ja"
    )
    assert await flash_of(client, reply) == present.FLASHES["collega-overgenomen"]
    taken = store.get_ticket(ticket.ref, url)
    assert (taken.coach_name, taken.live) == ("Bram", True)
    assert rasa.appended[-1]["events"][0]["text"].startswith("Je praat nu met Bram")
    event = store.events(ticket.id, url)[-1]
    assert (event["kind"], event["coach"], event["text"]) == ("colleague", "Bram", "Van Anna")
    page = await (await client.get(f"/coach/tickets/{ticket.ref}")).text()
    assert present.EVENT_LABELS["colleague"] in page and "/reply" in page
    # A stale page (it showed Anna as the owner; Bram has it now) changes nothing.
    anna = await logged_in(client, "anna")
    reply = await act(
        client, ticket, "colleague-takeover", anna, owner=str(team["anna"].id), confirm="ja"
    )
    assert await flash_of(client, reply) == present.ERRORS["veranderd"]
    assert store.get_ticket(ticket.ref, url).coach_name == "Bram"


async def test_logout_hands_a_live_chat_back_and_the_person_is_told(client, url, rasa):
    conversation = "web-" + "L" * 32
    ticket = make_ticket(url, conversation)
    csrf = await logged_in(client, "anna")
    await act(client, ticket, "claim", csrf)
    await act(client, ticket, "takeover", csrf)
    reply = await client.post("/coach/logout", data={"csrf": csrf}, allow_redirects=False)
    assert reply.status == 303
    after = store.get_ticket(ticket.ref, url)
    assert not after.live and after.coach_name == "Anna"  # the ticket stays hers
    away = text("handoff.handback_away")
    assert rasa.kinds()[-1] == ["resume", "bot"]
    assert rasa.appended[-1]["events"][-1]["text"] == away
    assert store.relay_since(conversation, 0, url)[-1]["text"] == away
    event = store.events(ticket.id, url)[-1]
    assert event["kind"] == "auto_handback"
    assert event["text"] == text("inbox.away_logout", coach="Anna")


async def test_deactivation_and_idle_time_hand_the_chat_back(client, url, rasa, settings):
    from loopbrug.handoff import presence
    from loopbrug.handoff.relay import RasaRelay

    idle_ticket = make_ticket(url, "web-idle")
    gone_ticket = make_ticket(url, "web-gone")
    anna = await logged_in(client, "anna")
    await act(client, idle_ticket, "claim", anna)
    await act(client, idle_ticket, "takeover", anna)
    bram = await logged_in(client, "bram")
    await act(client, gone_ticket, "claim", bram)
    await act(client, gone_ticket, "takeover", bram)
    # Bram keeps his page open (coach.js polls); Anna has done nothing for 20 minutes.
    db_rows(
        url,
        "UPDATE loopbrug_tickets SET coach_seen_at = ? WHERE ref IN (?, ?)",
        (datetime.now(timezone.utc) - timedelta(minutes=20)).isoformat(" "),
        idle_ticket.ref,
        gone_ticket.ref,
    )
    assert (await client.get(f"/coach/tickets/{gone_ticket.ref}/transcript.json")).status == 200
    relay = RasaRelay(settings, transport=httpx.MockTransport(rasa))
    try:
        done = await presence.release_gone(relay, store.utcnow(), timedelta(minutes=15), url)
        assert done == 1
        assert not store.get_ticket(idle_ticket.ref, url).live
        assert store.get_ticket(gone_ticket.ref, url).live  # the poll counted
        assert store.events(idle_ticket.id, url)[-1]["text"] == text(
            "inbox.away_idle", coach="Anna", minutes=15
        )
        # Bram's account is turned off during the chat: the job hands it back at once.
        store.deactivate_coach("bram", url)
        assert await presence.release_gone(relay, store.utcnow(), timedelta(minutes=15), url) == 1
    finally:
        await relay.aclose()
    gone = store.get_ticket(gone_ticket.ref, url)
    assert (gone.live, gone.coach_id, gone.status) == (False, None, store.NEW)
    assert rasa.appended[-1]["conversation"] == "web-gone"
    assert rasa.appended[-1]["events"][-1]["text"] == text("handoff.handback_away")
    kinds = [e["kind"] for e in store.events(gone_ticket.id, url)]
    assert kinds[-2:] == ["auto_handback", "release"]
    assert (await client.get("/coach", allow_redirects=False)).status == 303  # Bram is out
    await logged_in(client, "anna")
    page = await (await client.get(f"/coach/tickets/{gone_ticket.ref}")).text()
    assert present.EVENT_LABELS["auto_handback"] in page


# -- live events (GET /coach/events) ------------------------------------------------------------

QUICK = events.Timing(check=0.05, heartbeat=0.3)


@pytest.fixture
async def live_client(settings: Settings, rasa: FakeRasa, team):
    """The inbox with events checked every 50 ms and a heartbeat every 300 ms."""
    app = build_app(settings, rasa_transport=httpx.MockTransport(rasa))
    app[events.TIMING] = QUICK
    test_client = test_utils.TestClient(test_utils.TestServer(app))
    await test_client.start_server()
    yield test_client
    await asyncio.wait_for(test_client.close(), 10)


async def next_block(reply, timeout: float = 5.0) -> str:
    """The next server-sent event or comment (its lines up to the blank line); "" at the end."""
    lines: List[str] = []
    while True:
        raw = await asyncio.wait_for(reply.content.readline(), timeout)
        if not raw:
            return "\n".join(lines)
        line = raw.decode().rstrip("\n")
        if line:
            lines.append(line)
        elif lines:
            return "\n".join(lines)


async def next_ticket_event(reply, timeout: float = 5.0) -> Dict[str, Any]:
    """The data of the next ``event: ticket`` within ``timeout`` (heartbeats are skipped)."""

    async def first() -> Dict[str, Any]:
        while True:
            block = await next_block(reply, timeout)
            assert block, "the stream ended"
            if "event: ticket\n" in block:
                return json.loads(block.split("data: ", 1)[1])

    return await asyncio.wait_for(first(), timeout)


async def test_events_need_a_session(live_client):
    reply = await live_client.get("/coach/events")
    assert reply.status == 401
    assert (await reply.json())["error"] == text("inbox.not_logged_in")


async def test_a_new_ticket_of_the_team_is_an_event_another_teams_is_not(live_client, url):
    await logged_in(live_client, "anna")  # team landelijk
    reply = await live_client.get("/coach/events")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/event-stream")
    assert reply.headers["Cache-Control"] == "no-store"
    assert await next_block(reply) == "retry: 3000"
    make_ticket(url, "web-other", team="groningen")
    mine = make_ticket(url, "web-mine", urgency=store.CRISIS)
    event = await next_ticket_event(reply)
    assert event == {"reference": mine.ref, "kind": "new", "urgency": "crisis"}
    # The other team's ticket came first but was never sent; nothing else follows.
    with pytest.raises(asyncio.TimeoutError):
        await next_ticket_event(reply, timeout=0.5)
    reply.close()


async def test_a_message_of_the_person_is_an_event(live_client, url):
    ticket = make_ticket(url, "web-mine")
    await logged_in(live_client, "anna")
    reply = await live_client.get("/coach/events")
    await next_block(reply)
    assert finder.person_spoke("web-mine", store.utcnow() + timedelta(seconds=1), url=url)
    event = await next_ticket_event(reply)
    assert event == {"reference": ticket.ref, "kind": "message", "urgency": "normal"}
    reply.close()


async def test_a_quiet_stream_has_heartbeats_and_ends_at_logout(live_client, url):
    csrf = await logged_in(live_client, "anna")
    reply = await live_client.get("/coach/events")
    assert await next_block(reply) == "retry: 3000"
    assert await next_block(reply) == ": ping"
    out = await live_client.post("/coach/logout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 303
    # At the next heartbeat the session is gone: the stream ends.
    while True:
        block = await next_block(reply)
        if not block:
            break
        assert block == ": ping"


async def test_a_stream_stops_asking_the_database_when_the_client_goes_away(
    live_client, monkeypatch
):
    calls = []
    real = finder.changes_since

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(finder, "changes_since", counted)
    await logged_in(live_client, "anna")
    reply = await live_client.get("/coach/events")
    await next_block(reply)
    while not calls:
        await asyncio.sleep(0.05)
    reply.close()
    await asyncio.sleep(0.3)
    stopped_at = len(calls)
    await asyncio.sleep(0.5)
    assert len(calls) == stopped_at


async def test_an_open_stream_does_not_hold_up_the_servers_shutdown(settings, rasa, team):
    app = build_app(settings, rasa_transport=httpx.MockTransport(rasa))
    app[events.TIMING] = events.Timing(check=30, heartbeat=60)  # it would wait long
    test_client = test_utils.TestClient(test_utils.TestServer(app))
    await test_client.start_server()
    await logged_in(test_client, "anna")
    reply = await test_client.get("/coach/events")
    assert await next_block(reply) == "retry: 3000"
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(test_client.close(), 10)
    assert asyncio.get_running_loop().time() - started < 5


async def test_a_stream_starts_at_the_lists_own_time_and_goes_on_after_a_reconnect(
    live_client, url
):
    await logged_in(live_client, "anna")
    page = await (await live_client.get("/coach")).text()
    events_url = re.search(r'data-events="([^"]+)"', page).group(1).replace("&amp;", "&")
    early = make_ticket(url, "web-early")  # after the page, before the stream: not missed
    reply = await live_client.get(events_url)
    event_id = None
    while event_id is None:
        block = await next_block(reply)
        assert block
        if block.startswith("id: "):
            event_id = block.split("\n", 1)[0][4:]
            assert json.loads(block.split("data: ", 1)[1])["reference"] == early.ref
    reply.close()
    later = make_ticket(url, "web-later")
    # EventSource sends the last id again: only what came after it.
    reply = await live_client.get("/coach/events", headers={"Last-Event-ID": event_id})
    assert (await next_ticket_event(reply))["reference"] == later.ref
    reply.close()
