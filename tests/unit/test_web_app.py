"""The widget's web server (web/app.py) against a fake Rasa: sessions, forwarding, errors."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List

import httpx
import pytest
from aiohttp import test_utils

from loopbrug.settings import Settings, load_settings
from tests.conftest import free_port
from web import messages
from web.app import MAX_MESSAGE_CHARS, PrivateAccessLogger, build_app, widget_text
from web.sessions import SESSION_PATTERN, key_hash

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
FORGED = "A" * 32  # the shape of a real id, but never issued


class FakeRasa:
    """Answers like Rasa's REST webhook and tracker endpoint; remembers every request."""

    def __init__(self) -> None:
        self.requests: List[httpx.Request] = []
        self.reply: List[Dict[str, Any]] = [{"recipient_id": "x", "text": "Hoi!"}]
        self.events: List[Dict[str, Any]] = []
        self.status = 200
        self.error = "kapot"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json={"error": self.error})
        if request.url.path == "/webhooks/rest/webhook":
            return httpx.Response(200, json=self.reply)
        if request.url.path.endswith("/tracker"):
            return httpx.Response(200, json={"sender_id": "x", "events": self.events})
        return httpx.Response(404)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        rasa_port=free_port(),
        web_port=free_port(),
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        rasa_api_token="secret-token",
    )


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
async def client(settings: Settings, rasa: FakeRasa):
    app = build_app(settings, rasa_transport=httpx.MockTransport(rasa))
    async with test_utils.TestClient(test_utils.TestServer(app)) as test_client:
        yield test_client


async def new_session(client) -> str:
    reply = await client.post("/api/session", json={})
    assert reply.status == 200
    return (await reply.json())["session"]


def assert_security_headers(headers) -> None:
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


# -- pages and files -------------------------------------------------------------------------


async def test_health(client):
    reply = await client.get("/health")
    assert reply.status == 200
    assert await reply.json() == {"status": "ok"}


async def test_demo_page_has_a_strict_csp_and_no_inline_script(client):
    reply = await client.get("/")
    assert reply.status == 200
    assert reply.content_type == "text/html"
    assert_security_headers(reply.headers)
    page = await reply.text()
    assert '<html lang="nl">' in page
    assert '<script src="/widget.js" defer></script>' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []  # every script is a file
    assert "style=" not in page and "<style" not in page


async def test_widget_files_are_served_with_their_types_and_headers(client):
    script = await client.get("/widget.js")
    assert script.status == 200 and script.content_type == "text/javascript"
    assert_security_headers(script.headers)
    css = await client.get("/widget.css")
    assert css.status == 200 and css.content_type == "text/css"


def test_the_widget_never_writes_html():
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source
    assert "textContent" in source


async def test_errors_carry_the_security_headers_too(client):
    reply = await client.get("/does-not-exist")
    assert reply.status == 404
    assert_security_headers(reply.headers)


# -- sessions --------------------------------------------------------------------------------


async def test_sessions_are_issued_unguessable_and_stored_only_as_a_hash(client, settings):
    first, second = await new_session(client), await new_session(client)
    assert first != second
    assert SESSION_PATTERN.match(first) and SESSION_PATTERN.match(second)
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as db:
        stored = {row[0] for row in db.execute("SELECT key_hash FROM loopbrug_web_sessions")}
    db.close()
    assert stored == {key_hash(first), key_hash(second)}
    assert first not in stored


@pytest.mark.parametrize("forged", [FORGED, "web-admin", "x" * 500, "../../etc"])
async def test_a_session_the_server_did_not_issue_is_refused(client, rasa, forged):
    reply = await client.post("/api/message", json={"session": forged, "message": "hoi"})
    assert reply.status == 403
    assert "gesprek" in (await reply.json())["error"]
    history = await client.get("/api/history", params={"session": forged})
    assert history.status == 403
    assert rasa.requests == []  # nothing reached Rasa


async def test_a_missing_session_is_a_bad_request(client):
    reply = await client.post("/api/message", json={"message": "hoi"})
    assert reply.status == 400
    assert (await client.get("/api/history")).status == 400


# -- messages --------------------------------------------------------------------------------


async def test_a_message_is_forwarded_as_web_sender_and_the_answer_returned(client, rasa):
    session = await new_session(client)
    rasa.reply = [
        {"recipient_id": "x", "text": "Hoi! Ik ben Loopbrug."},
        {
            "recipient_id": "x",
            "text": "Waar wil je mee beginnen?",
            "buttons": [
                {"title": "Opleiding betalen", "payload": "/funding_overview"},
                {"title": "Praten met een coach", "payload": "/request_human"},
            ],
        },
    ]
    reply = await client.post("/api/message", json={"session": session, "message": "hoi"})
    assert reply.status == 200
    assert reply.headers["Cache-Control"] == "no-store"
    assert await reply.json() == {
        "messages": [
            {"from": "bot", "text": "Hoi! Ik ben Loopbrug."},
            {"from": "bot", "text": "Waar wil je mee beginnen?"},
        ],
        "buttons": [
            {"title": "Opleiding betalen", "payload": "/funding_overview"},
            {"title": "Praten met een coach", "payload": "/request_human"},
        ],
    }
    (request,) = rasa.requests
    assert request.method == "POST" and request.url.path == "/webhooks/rest/webhook"
    assert json.loads(request.content) == {"sender": f"web-{session}", "message": "hoi"}


async def test_a_coach_message_is_marked_as_from_the_coach(client, rasa):
    session = await new_session(client)
    rasa.reply = [
        {"recipient_id": "x", "custom": {"from": "coach", "name": "Anna", "text": "Ik ben er."}},
        {"recipient_id": "x", "text": "<b>vet</b>", "custom": {"from": "coach"}},
    ]
    reply = await client.post("/api/message", json={"session": session, "message": "hallo"})
    assert (await reply.json())["messages"] == [
        {"from": "coach", "name": "Anna", "text": "Ik ben er."},
        {"from": "coach", "text": "<b>vet</b>"},  # passed on as text; the widget shows it so
    ]


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{not json", "geen geldige JSON"),
        (b"\xff\xfe", "geen geldige JSON"),
        (b'["hoi"]', "JSON-object"),
        (b'{"session": "SESSION", "message": 5}', "tekst"),
        (b'{"session": "SESSION", "message": "   "}', "leeg"),
        (
            json.dumps({"session": "SESSION", "message": "a" * (MAX_MESSAGE_CHARS + 1)}).encode(),
            "te lang",
        ),
    ],
)
async def test_bad_input_is_refused_with_a_reason(client, rasa, body, reason):
    session = await new_session(client)
    reply = await client.post(
        "/api/message",
        data=body.replace(b"SESSION", session.encode()),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 400
    assert reason in (await reply.json())["error"]
    assert rasa.requests == []


async def test_a_message_of_exactly_the_limit_is_accepted(client, rasa):
    session = await new_session(client)
    text = "a" * MAX_MESSAGE_CHARS
    reply = await client.post("/api/message", json={"session": session, "message": text})
    assert reply.status == 200


async def test_a_huge_body_is_refused_before_parsing(client):
    reply = await client.post(
        "/api/message", data=b"x" * 100_000, headers={"Content-Type": "application/json"}
    )
    assert reply.status == 413


async def test_rasa_down_gives_502_with_a_dutch_text(settings):
    # No transport: a real connection to a port where nothing listens.
    app = build_app(settings)
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        session = await new_session(client)
        reply = await client.post("/api/message", json={"session": session, "message": "hoi"})
        assert reply.status == 502
        body = await reply.json()
        assert body == {"error": widget_text("rasa_down")}
        assert "113" in body["error"]
        history = await client.get("/api/history", params={"session": session})
        assert history.status == 502
        assert "niet geladen" in (await history.json())["error"]


@pytest.mark.parametrize("status", [500, 503, 404])
async def test_a_rasa_error_gives_502(client, rasa, status):
    session = await new_session(client)
    rasa.status = status
    reply = await client.post("/api/message", json={"session": session, "message": "hoi"})
    assert reply.status == 502


async def test_an_answer_that_is_not_a_list_gives_502(client, rasa):
    session = await new_session(client)
    rasa.reply = {"text": "geen lijst"}  # type: ignore[assignment]
    reply = await client.post("/api/message", json={"session": session, "message": "hoi"})
    assert reply.status == 502


async def test_the_rest_channel_refusing_input_gives_its_reason(client, rasa):
    session = await new_session(client)
    rasa.status, rasa.error = 400, "'sender' bevat tekens die niet mogen."
    reply = await client.post("/api/message", json={"session": session, "message": "hoi"})
    assert reply.status == 400
    assert await reply.json() == {"error": rasa.error}


# -- history ---------------------------------------------------------------------------------


async def test_history_comes_from_the_tracker_with_the_api_token(client, rasa):
    session = await new_session(client)
    rasa.events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "user", "text": "hoi"},
        {
            "event": "bot",
            "text": "Waar wil je mee beginnen?",
            "data": {"buttons": [{"title": "Opleiding betalen", "payload": "/funding_overview"}]},
        },
        {"event": "user", "text": "/funding_overview"},
        {"event": "bot", "text": "Er zijn drie manieren.", "data": {}},
        {"event": "bot", "data": {"custom": {"from": "coach", "name": "Sam", "text": "Hoi!"}}},
        {"event": "bot", "text": "Wat wil je weten?", "data": {"buttons": [{"title": "BBL"}]}},
    ]
    reply = await client.get("/api/history", params={"session": session})
    assert reply.status == 200
    assert await reply.json() == {
        "messages": [
            {"from": "user", "text": "hoi"},
            {"from": "bot", "text": "Waar wil je mee beginnen?"},
            {"from": "user", "text": "Opleiding betalen"},  # the title, not the payload
            {"from": "bot", "text": "Er zijn drie manieren."},
            {"from": "coach", "name": "Sam", "text": "Hoi!"},
            {"from": "bot", "text": "Wat wil je weten?"},
        ],
        "buttons": [{"title": "BBL", "payload": "BBL"}],
    }
    (request,) = rasa.requests
    assert request.url.path == f"/conversations/web-{session}/tracker"
    assert request.url.params["token"] == "secret-token"


async def test_history_without_token_sends_none(tmp_path, rasa):
    settings = Settings(rasa_port=free_port(), database_url=f"sqlite:///{tmp_path / 'w.db'}")
    app = build_app(settings, rasa_transport=httpx.MockTransport(rasa))
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        session = await new_session(client)
        assert (await client.get("/api/history", params={"session": session})).status == 200
    assert "token" not in rasa.requests[0].url.params


def test_history_offers_no_buttons_once_the_person_answered():
    events: List[Dict[str, Any]] = [
        {"event": "bot", "text": "Kies", "data": {"buttons": [{"title": "Ja", "payload": "/ja"}]}},
        {"event": "user", "text": "nee hoor"},
    ]
    assert messages.history(events)["buttons"] == []


def test_history_keeps_what_the_person_typed_even_with_the_trigger_prefix():
    events: List[Dict[str, Any]] = [
        {"event": "user", "text": "EXTERNAL: ik wil niet meer leven"},
        {"event": "user", "text": "EXTERNAL: handoff_status", "metadata": {"is_external": True}},
    ]
    shown = messages.history(events)["messages"]
    assert [m["text"] for m in shown] == ["EXTERNAL: ik wil niet meer leven"]


def test_history_skips_what_cannot_be_shown_and_keeps_html_as_text():
    events: List[Any] = [
        "rubbish",
        {"event": "user", "text": ""},
        {"event": "user"},
        {"event": "bot", "text": None, "data": {"image": "https://example.org/x.png"}},
        {"event": "bot", "text": "<img src=x onerror=alert(1)>", "data": None},
        {"event": "slot", "name": "x", "value": 1},
    ]
    assert messages.history(events) == {
        "messages": [{"from": "bot", "text": "<img src=x onerror=alert(1)>"}],
        "buttons": [],
    }


def test_history_keeps_the_latest_messages_only():
    events = [{"event": "user", "text": f"bericht {i}"} for i in range(10)]
    shown = messages.history(events, limit=3)["messages"]
    assert [m["text"] for m in shown] == ["bericht 7", "bericht 8", "bericht 9"]


def test_buttons_with_bad_fields_are_dropped():
    raw = [
        {"title": "Goed", "payload": "/goed"},
        {"title": 5, "payload": "/x"},
        {"title": "", "payload": "/x"},
        "knop",
        {"title": "x" * 1000, "payload": "/x"},
    ] + [{"title": f"k{i}", "payload": f"/k{i}"} for i in range(20)]
    buttons = messages.clean_buttons(raw)
    assert buttons[0] == {"title": "Goed", "payload": "/goed"}
    assert len(buttons) == messages.MAX_BUTTONS


@pytest.mark.parametrize("bad", [None, {"events": 1}])
def test_history_refuses_a_tracker_without_events(bad):
    with pytest.raises(ValueError):
        messages.history(bad)


# -- embedding on other sites ----------------------------------------------------------------


async def test_cors_only_for_listed_origins(settings, rasa):
    app = build_app(
        replace(settings, widget_origins=frozenset({"https://werk.example"})),
        rasa_transport=httpx.MockTransport(rasa),
    )
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        allowed = await client.post(
            "/api/session", json={}, headers={"Origin": "https://werk.example"}
        )
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://werk.example"
        other = await client.post(
            "/api/session", json={}, headers={"Origin": "https://evil.example"}
        )
        assert "Access-Control-Allow-Origin" not in other.headers
        preflight = await client.options(
            "/api/message",
            headers={
                "Origin": "https://werk.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status == 204
        assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
        refused = await client.options("/api/message", headers={"Origin": "https://evil.example"})
        assert refused.status == 405


def test_the_origins_come_from_the_settings(monkeypatch, settings):
    from web.app import ALLOWED_ORIGINS

    monkeypatch.setenv("LOOPBRUG_WIDGET_ORIGINS", " https://a.example/, https://b.example ,")
    origins = load_settings().widget_origins
    assert origins == {"https://a.example", "https://b.example"}
    app = build_app(replace(settings, widget_origins=origins))
    assert app[ALLOWED_ORIGINS] == {"https://a.example", "https://b.example"}
    assert build_app(settings)[ALLOWED_ORIGINS] == frozenset()  # none unless listed


# -- no work at import or build time; private logs -------------------------------------------


def test_building_the_app_opens_nothing(tmp_path):
    database = tmp_path / "not-yet.db"
    build_app(Settings(database_url=f"sqlite:///{database}"))
    assert not database.exists()


def test_the_access_log_has_no_query_string(caplog):
    class Request:
        method = "GET"
        path = "/api/history"
        path_qs = "/api/history?session=SECRET"

    class Response:
        status = 200

    access = PrivateAccessLogger(logging.getLogger("test.access"), "")
    with caplog.at_level(logging.INFO, logger="test.access"):
        access.log(Request(), Response(), 0.002)  # type: ignore[arg-type]
    assert "/api/history" in caplog.text and "SECRET" not in caplog.text


async def test_the_privacy_page_and_api_show_the_statement_the_bot_gives(client, settings):
    from loopbrug.privacy import statement

    lines = statement.lines(settings)
    page = await client.get("/privacy")
    assert page.status == 200
    assert_security_headers(page.headers)
    html = await page.text()
    assert statement.title() in html
    for line in lines:
        assert line.replace("'", "&#39;") in html
    api = await client.get("/api/privacy")
    assert (await api.json()) == {"title": statement.title(), "lines": lines}


async def test_a_compressed_request_body_is_refused(client):
    import gzip

    body = gzip.compress(b'{"session": "x", "message": "hoi"}' + b" " * 100_000)
    reply = await client.post(
        "/api/message",
        data=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert reply.status == 415
    assert "compressie" in (await reply.json())["error"]
    assert_security_headers(reply.headers)
