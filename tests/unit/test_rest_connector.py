"""The REST channel: input validation, and answers when the action server is slow or down.

Rasa itself is faked here; tests/e2e/test_reliability_e2e.py runs the real servers.
"""

import asyncio
import json
import time
import uuid
from typing import Any, Dict, List, Sequence

import httpx
import pytest
from aiohttp import web
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, UserUttered
from sanic import Sanic

from connectors import reliability, rest
from connectors.reliability import slow_reply, unavailable_reply
from connectors.rest import (
    MAX_MESSAGE_CHARS,
    GuardedRestInput,
    InvalidRequest,
    clean_text,
    parse_body,
)
from loopbrug.conversation import web_sender
from loopbrug.safety.hotline import takeover_crisis
from loopbrug.texts import text as said
from tests.conftest import free_port

SLOW_REPLY = slow_reply()
UNAVAILABLE_REPLY = unavailable_reply()
ERROR_REPLY = said("channel.error_reply")
WEB_ABC = web_sender("abc")


class FakeRequest:
    """Just enough of a Sanic request: ``json`` parses the body like Sanic does."""

    def __init__(self, body: str):
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)


def test_a_client_cannot_mark_its_message_as_sent_by_the_helpline():
    body = '{"sender": "abc-1", "message": "hoi", "metadata": {"is_external": true, "x": 1}}'
    assert parse_body(FakeRequest(body))[2] == {"x": 1}


def test_valid_body_is_parsed():
    sender, text, metadata = parse_body(FakeRequest('{"sender": "abc-1", "message": "hoi"}'))
    assert (sender, text, metadata) == ("abc-1", "hoi", {})


@pytest.mark.parametrize(
    "body, reason",
    [
        ("{niet: json", "geen geldige JSON"),
        ('["sender", "message"]', "JSON-object"),
        ('{"message": "hoi"}', "'sender' ontbreekt"),
        ('{"sender": "", "message": "hoi"}', "'sender' ontbreekt"),
        ('{"sender": "a b", "message": "hoi"}', "tekens die niet mogen"),
        ('{"sender": "%s", "message": "hoi"}' % ("x" * 200), "'sender' ontbreekt"),
        ('{"sender": "abc", "message": 42}', "'message' moet tekst zijn"),
    ],
)
def test_invalid_bodies_are_refused_with_a_reason(body, reason):
    with pytest.raises(InvalidRequest, match=reason):
        parse_body(FakeRequest(body))


def test_missing_message_counts_as_empty():
    assert parse_body(FakeRequest('{"sender": "abc"}'))[1] == ""


def test_clean_text_strips_control_characters_and_whitespace():
    assert clean_text("  hoi\x00 daar\x07 \n") == ("hoi daar", False)


def test_clean_text_cuts_long_messages():
    text, cut = clean_text("a" * 10_000)
    assert cut and len(text) == MAX_MESSAGE_CHARS


def test_html_is_passed_on_as_text_not_interpreted():
    assert clean_text("<script>alert(1)</script>")[0] == "<script>alert(1)</script>"


# ---------------------------------------------------------------- action server slow or down


class Rasa:
    """A stand-in for Rasa's on_new_message: answers through the channel, maybe late."""

    def __init__(
        self,
        answers: Sequence[str] = ("Het antwoord",),
        delay_s: float = 0.0,
        early: Sequence[str] = (),
        fail: bool = False,
    ) -> None:
        self.answers, self.delay_s, self.early, self.fail = answers, delay_s, early, fail
        self.messages: List[UserMessage] = []
        self.finished = asyncio.Event()

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        for text in self.early:  # e.g. an utter_ response before a slow custom action
            await message.output_channel.send_response(message.sender_id, {"text": text})
        await asyncio.sleep(self.delay_s)
        try:
            if self.fail:
                raise RuntimeError("the model fell over")
            for text in self.answers:
                await message.output_channel.send_response(
                    message.sender_id,
                    {"text": text, "buttons": [{"title": "Ja", "payload": "/affirm"}]},
                )
        finally:
            self.finished.set()


class FakeTracker:
    def __init__(self, paused: bool, latest: Any = None, events: Any = ()) -> None:
        self.paused = paused
        self.latest_message = latest
        self.events = list(events)

    def is_paused(self) -> bool:
        return self.paused


class FakeTrackerStore:
    def __init__(self, paused: bool, latest: Any = None, events: Any = ()) -> None:
        self.paused = paused
        self.latest = latest
        self.events = events
        self.asked: List[str] = []

    async def retrieve(self, sender_id: str) -> FakeTracker:
        self.asked.append(sender_id)
        return FakeTracker(self.paused, self.latest, self.events)


class FakeEndpoint:
    """Rasa's EndpointConfig of the action server: its URL."""

    def __init__(self, url: str) -> None:
        self.url = url


class FakeAgent:
    """Just the parts of Rasa's Agent the channel uses: the tracker store, the action endpoint.

    Without ``action_url`` there is no action endpoint to ask: never "down".
    """

    def __init__(self, paused: bool = False, action_url: Any = None) -> None:
        self.tracker_store = FakeTrackerStore(paused)
        self.action_endpoint = FakeEndpoint(action_url) if action_url else None


def down_url() -> str:
    """An action endpoint on a port nothing listens on."""
    return f"http://127.0.0.1:{free_port()}/webhook"


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short waits."""
    monkeypatch.setattr(reliability, "SLOW_REPLY_AFTER_S", 0.2)


@pytest.fixture
def relayed(monkeypatch: pytest.MonkeyPatch) -> List[tuple]:
    """What the channel writes to the widget's relay log."""
    rows: List[tuple] = []
    monkeypatch.setattr(rest, "relay_to_widget", lambda sender, texts: rows.append((sender, texts)))
    return rows


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m.get("text") for m in messages]


async def handle(channel: GuardedRestInput, rasa: Rasa, sender=WEB_ABC, agent=None) -> list:
    return await channel.handle(rasa, "hoe kom ik aan een scholingsvoucher", sender, {}, agent)


async def settle(channel: GuardedRestInput) -> None:
    """Wait until every late delivery is done."""
    if channel._late_tasks:
        await asyncio.wait(set(channel._late_tasks), timeout=5)


@pytest.mark.parametrize(
    "endpoint, health",
    [
        ("http://127.0.0.1:5055/webhook", "http://127.0.0.1:5055/health"),
        ("https://acties.example:8443/rasa/webhook?x=1", "https://acties.example:8443/health"),
        (" http://actions:5055/webhook ", "http://actions:5055/health"),
        ("", None),
        (None, None),
        ("niet-een-url", None),
    ],
)
def test_the_health_url_is_derived_from_the_action_endpoint(endpoint, health):
    assert reliability.health_url(endpoint) == health


async def test_the_health_check_asks_the_action_server_with_a_short_timeout():
    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def hanging(_: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/slow/health", hanging)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        assert await reliability.action_server_up(f"http://127.0.0.1:{port}/health")
        started = time.monotonic()
        assert not await reliability.action_server_up(
            f"http://127.0.0.1:{port}/slow/health", timeout=0.3
        )
        assert time.monotonic() - started < 1.0
        assert not await reliability.action_server_up(f"http://127.0.0.1:{port}/nothing")
        agent = FakeAgent(action_url=f"http://127.0.0.1:{port}/webhook")
        assert await reliability.action_server_up(reliability.action_health_url(agent))
    finally:
        await runner.cleanup()
    assert not await reliability.action_server_up(f"http://127.0.0.1:{free_port()}/health")
    assert await reliability.action_server_up("")  # nothing configured: never claim "down"
    assert await reliability.action_server_up(reliability.action_health_url(None))


async def test_a_quick_turn_is_answered_as_before(relayed):
    channel = GuardedRestInput()
    messages = await handle(channel, Rasa())
    assert texts(messages) == ["Het antwoord"]
    assert messages[0]["buttons"] == [{"title": "Ja", "payload": "/affirm"}]
    assert not channel._late_tasks and relayed == []


async def test_a_failing_turn_gets_an_apology():
    assert texts(await handle(GuardedRestInput(), Rasa(fail=True))) == [ERROR_REPLY]


async def test_silence_while_the_action_server_is_down_becomes_a_friendly_text():
    agent = FakeAgent(action_url=down_url())
    started = time.monotonic()
    messages = await handle(GuardedRestInput(), Rasa(answers=()), agent=agent)
    assert texts(messages) == [UNAVAILABLE_REPLY]
    assert time.monotonic() - started < 2.0
    assert agent.tracker_store.asked == [WEB_ABC]
    assert "bewaard" in UNAVAILABLE_REPLY and "0800-0113" in UNAVAILABLE_REPLY


async def test_silence_with_the_action_server_up_stays_silence():
    assert await handle(GuardedRestInput(), Rasa(answers=()), agent=FakeAgent()) == []


async def test_a_paused_conversation_stays_silent_also_when_the_server_is_down():
    agent = FakeAgent(paused=True, action_url=down_url())  # the coach answers, not the bot
    assert await handle(GuardedRestInput(), Rasa(answers=()), agent=agent) == []


def crisis_message(lang: str) -> UserUttered:
    """A person's message that the crisis guard heard as a crisis (as Rasa stores it)."""
    parse = {"intent": {"name": "crisis", "confidence": 1.0}, "crisis": {"lang": lang}}
    return UserUttered("ik wil niet meer leven", parse_data=parse)


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_a_crisis_during_a_takeover_gets_the_113_line_at_once(monkeypatch, lang):
    marked: List[str] = []

    async def mark(sender: str) -> None:
        marked.append(sender)

    monkeypatch.setattr(reliability, "mark_ticket_crisis", mark)
    agent = FakeAgent(paused=True)
    agent.tracker_store = FakeTrackerStore(paused=True, latest=crisis_message(lang))
    messages = await handle(GuardedRestInput(), Rasa(answers=()), agent=agent)
    assert texts(messages) == [takeover_crisis(lang)]
    assert marked == [WEB_ABC]


async def test_a_custom_action_that_said_nothing_gets_the_friendly_text_with_the_server_up():
    """The action server was away during the action and back before the health check."""
    agent = FakeAgent()
    turn = [UserUttered("hoi"), ActionExecuted("action_answer"), ActionExecuted("action_listen")]
    agent.tracker_store = FakeTrackerStore(paused=False, events=turn)
    assert texts(await handle(GuardedRestInput(), Rasa(answers=()), agent=agent)) == [
        UNAVAILABLE_REPLY
    ]


async def test_ordinary_talk_during_a_takeover_stays_silent(monkeypatch):
    agent = FakeAgent(paused=True)
    ordinary = UserUttered("hoi", parse_data={"intent": {"name": "greet", "confidence": 1.0}})
    agent.tracker_store = FakeTrackerStore(paused=True, latest=ordinary)
    assert await handle(GuardedRestInput(), Rasa(answers=()), agent=agent) == []


async def test_a_slow_turn_is_answered_at_once_and_its_answer_relayed_later(relayed):
    channel = GuardedRestInput()
    rasa = Rasa(delay_s=0.6, early=["Even kijken."])
    started = time.monotonic()
    messages = await handle(channel, rasa)
    assert time.monotonic() - started < 0.5
    assert texts(messages) == ["Even kijken.", SLOW_REPLY]
    assert relayed == [] and not rasa.finished.is_set()
    await settle(channel)
    # The turn was not cancelled; only what came after the HTTP answer is relayed.
    assert rasa.finished.is_set()
    assert relayed == [(WEB_ABC, ["Het antwoord"])]
    assert "duurt wat langer" in SLOW_REPLY and "komt zo" in SLOW_REPLY


async def test_a_slow_turn_without_an_answer_gets_the_friendly_text_later(relayed):
    channel = GuardedRestInput()  # the action server is up, but the person was promised an answer
    assert texts(await handle(channel, Rasa(answers=(), delay_s=0.4))) == [SLOW_REPLY]
    await settle(channel)
    assert relayed == [(WEB_ABC, [UNAVAILABLE_REPLY])]


async def test_a_slow_turn_in_a_paused_conversation_relays_nothing(relayed):
    channel = GuardedRestInput()
    await handle(channel, Rasa(answers=(), delay_s=0.4), agent=FakeAgent(paused=True))
    await settle(channel)
    assert relayed == []


async def test_a_slow_failing_turn_relays_the_apology(relayed):
    channel = GuardedRestInput()
    await handle(channel, Rasa(fail=True, delay_s=0.4))
    await settle(channel)
    assert relayed == [(WEB_ABC, [ERROR_REPLY])]


async def test_late_answers_of_other_rest_senders_stay_in_the_tracker(relayed):
    channel = GuardedRestInput()
    assert texts(await handle(channel, Rasa(delay_s=0.4), sender="e2e-1")) == [SLOW_REPLY]
    await settle(channel)
    assert relayed == []


async def test_a_client_that_hangs_up_does_not_cancel_the_turn(relayed):
    channel = GuardedRestInput()
    rasa = Rasa(delay_s=0.4, early=["Even kijken."])
    waiting = asyncio.ensure_future(handle(channel, rasa))
    await asyncio.sleep(0.05)
    waiting.cancel()  # what Sanic does when the client goes away
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await settle(channel)
    assert rasa.finished.is_set()
    assert relayed == [(WEB_ABC, ["Even kijken.", "Het antwoord"])]  # nothing was shown yet


def test_late_messages_reach_the_relay_log_the_widget_polls(monkeypatch, tmp_path):
    from loopbrug.handoff import store

    url = f"sqlite:///{tmp_path / 'relay.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    rest.relay_to_widget(WEB_ABC, ["Het antwoord", "Nog iets"])
    rows = store.relay_since(WEB_ABC, 0, url=url)
    assert [(r["from"], r["text"]) for r in rows] == [("bot", "Het antwoord"), ("bot", "Nog iets")]


def test_message_text_takes_text_or_the_custom_payloads_text():
    assert rest.message_text({"text": " Hoi "}) == "Hoi"
    assert rest.message_text({"custom": {"text": "Van Anna"}}) == "Van Anna"
    assert rest.message_text({"buttons": [{"title": "Ja"}]}) == ""
    assert rest.message_text({"image": "https://example.org/a.png"}) == ""


async def test_over_http_both_faults_answer_200_within_the_limit(monkeypatch):
    """The real webhook route in a Sanic server: slow and down both give 200 and a text."""
    monkeypatch.setattr(Sanic, "test_mode", True)
    monkeypatch.setattr(rest, "relay_to_widget", lambda *_: None)
    channel = GuardedRestInput()
    rasa = Rasa(answers=(), delay_s=0.0)

    async def on_new_message(message: UserMessage) -> None:
        if message.text == "traag":
            await asyncio.sleep(0.6)
        await rasa(message)

    app = Sanic(f"rest_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/rest")
    app.ctx.agent = FakeAgent(action_url=down_url())  # how Rasa's server makes its agent known
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.after_start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            for text, expected in (("snel", UNAVAILABLE_REPLY), ("traag", SLOW_REPLY)):
                started = time.monotonic()
                reply = await client.post(url, json={"sender": web_sender("x"), "message": text})
                assert time.monotonic() - started < 2.0
                assert reply.status_code == 200
                assert texts(reply.json()) == [expected]
        await settle(channel)
    finally:
        server.close()
        await server.wait_closed()
