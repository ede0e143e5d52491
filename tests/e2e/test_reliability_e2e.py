"""Action server down or slow, end to end: the real Rasa, action and web servers.

The issue: "the person gets a friendly message within 5 seconds and the conversation
continues when it is back; no 500 reaches a channel". The tests stop the real action server
(down), put a fake one that answers late or hangs on its port (slow), and restart the real
one (back). See connectors/reliability.py for the design.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import httpx
import pytest

from bot.serve import Helpline, stop_process_group
from connectors.reliability import slow_reply, unavailable_reply
from loopbrug.settings import ROOT
from tests.e2e.conftest import (
    API_TOKEN,
    TELEGRAM_SECRET,
    Chat,
    TelegramChat,
    WebPerson,
    make_settings,
)
from tests.telegram_fake import FakeBotApi

pytestmark = pytest.mark.e2e

LIMIT_S = 5.0  # what the issue promises the person
QUESTION = "hoe kom ik aan een scholingsvoucher"  # answered by action_answer (custom action)
CRISIS = "ik wil er niet meer zijn"  # utter_crisis: a plain response, no custom action
LATE_ANSWER = "Het late antwoord over de scholingsvoucher."
LATE_DELAY_S = 6.0  # the fake action server answers action_answer after this long ...
ACTION_TIMEOUT_S = 10.0  # ... and Rasa gives up on an action after this long (shortened here)
LOG_DIR = ROOT / "var" / "test-logs" / "reliability"


@pytest.fixture(scope="module")
def helpline(tmp_path_factory, api: FakeBotApi) -> Iterator[Helpline]:
    """A helpline of its own (with Telegram): the tests stop and replace its action server."""
    db_path: Path = tmp_path_factory.mktemp("reliability") / "loopbrug.db"
    settings = dataclasses.replace(
        make_settings(db_path),
        telegram_bot_token=api.token,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_api_base_url=api.base_url,
        # Rasa's process applies it at its start (bot/extensions/action_timeout.py); the
        # default (20 s) works the same, a shorter one keeps this module quick.
        action_timeout_s=ACTION_TIMEOUT_S,
    )
    running = Helpline(settings, log_dir=LOG_DIR)
    running.start()
    try:
        yield running
    finally:
        running.stop()


# ---------------------------------------------------------------- the action server


def stop_action_server(helpline: Helpline) -> None:
    """Stop it the way Helpline.stop does: its whole process group."""
    stop_process_group(helpline.item("actions").process)


def start_action_server(helpline: Helpline) -> None:
    """Start the same command again and wait until it is healthy; Helpline.stop stops it."""
    helpline.start_again("actions")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hanging request must not hold up the shutdown


class FakeActionServer:
    """On the action server's port: healthy, but action_answer comes late or never.

    Other actions answer at once with nothing, so only action_answer is slow. For a sender
    in ``hanging`` it waits longer than Rasa's action timeout: Rasa gives up on it.
    """

    def __init__(self, port: int) -> None:
        self.hanging: Set[str] = set()
        self.calls: List[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # /health
                self.answer({"status": "ok"})

            def do_POST(self) -> None:  # /webhook
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                action, sender = body.get("next_action"), body.get("sender_id")
                fake.calls.append(action)
                if action != "action_answer":
                    self.answer({"events": [], "responses": []})
                    return
                time.sleep(ACTION_TIMEOUT_S + 5 if sender in fake.hanging else LATE_DELAY_S)
                self.answer({"events": [], "responses": [{"text": LATE_ANSWER}]})

            def answer(self, body: Dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # Rasa stopped waiting (its action timeout)
                    pass

            def log_message(self, *_: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeActionServer:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- the channels


def widget_updates(widget: WebPerson, count: int, timeout: float) -> List[str]:
    """Bot texts from /api/updates (what the widget polls) once ``count`` came."""
    seen = widget.wait_for_updates(
        lambda messages: sum(m["from"] == "bot" for m in messages) >= count, timeout
    )
    return [m["text"] for m in seen["messages"] if m["from"] == "bot"]


def timed(call, *args) -> tuple:
    started = time.monotonic()
    result = call(*args)
    return result, time.monotonic() - started


def texts_of(reply: httpx.Response) -> List[str]:
    assert reply.status_code == 200, reply.text  # never a 500, never a 502
    body = reply.json()
    messages = body["messages"] if isinstance(body, dict) else body
    return [m.get("text", "") for m in messages]


def assert_normal(texts: List[str]) -> None:
    """The real action_answer's answer, without any of the fault texts."""
    assert texts and unavailable_reply() not in texts and slow_reply() not in texts, texts
    assert LATE_ANSWER not in texts and "voucher" in " ".join(texts).lower(), texts


def said(helpline: Helpline, sender: str, who: str) -> List[str]:
    """Texts of ``who`` ("user" or "bot") in the conversation's tracker, in order."""
    tracker = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()
    return [e.get("text") for e in tracker["events"] if e["event"] == who]


def user_texts(helpline: Helpline, sender: str) -> List[str]:
    return said(helpline, sender, "user")


def bot_texts(helpline: Helpline, sender: str) -> List[str]:
    return said(helpline, sender, "bot")


# ---------------------------------------------------------------- the tests


def test_down_gets_a_friendly_text_fast_and_the_conversation_goes_on_when_it_is_back(
    helpline: Helpline, api: FakeBotApi
):
    chat = Chat(helpline.settings.rasa_url)
    widget = WebPerson(helpline)
    telegram = TelegramChat(helpline, api)
    assert chat.text("hoi")  # a conversation that was going well
    stop_action_server(helpline)
    try:
        # Telegram (the webhook answers 200 at once; the bot's message follows)
        sent = telegram.say(QUESTION)
        assert telegram.wait_for(1, timeout=LIMIT_S) == [unavailable_reply()]
        elapsed = time.monotonic() - sent
        print(f"down, Telegram: {elapsed:.2f} s")
        assert elapsed < LIMIT_S
        # REST webhook (the Telegram poller and other clients)
        reply, elapsed = timed(chat.post, {"sender": chat.sender, "message": QUESTION})
        print(f"down, REST webhook: {elapsed:.2f} s")
        assert texts_of(reply) == [unavailable_reply()] and elapsed < LIMIT_S
        # the web server's /api/message (the widget)
        reply, elapsed = timed(widget.post, QUESTION)
        print(f"down, /api/message: {elapsed:.2f} s")
        assert texts_of(reply) == [unavailable_reply()] and elapsed < LIMIT_S
        # the crisis answer needs no action server and still comes, without the notice
        crisis = " ".join(texts_of(widget.post(CRISIS)))
        assert "113" in crisis and "0800-0113" in crisis and unavailable_reply() not in crisis
    finally:
        start_action_server(helpline)

    # Back: the next message gets a normal answer, and nothing said before was lost.
    assert_normal(texts_of(chat.post({"sender": chat.sender, "message": QUESTION})))
    assert_normal(texts_of(widget.post(QUESTION)))
    telegram.say(QUESTION)
    assert_normal(telegram.wait_for(2, timeout=30)[1:])
    assert user_texts(helpline, chat.sender) == ["hoi", QUESTION, QUESTION]
    assert user_texts(helpline, widget.sender) == [QUESTION, CRISIS, QUESTION]
    assert user_texts(helpline, telegram.sender) == [QUESTION, QUESTION]


def test_slow_gets_a_friendly_text_fast_and_the_late_answer_reaches_the_widget(
    helpline: Helpline, api: FakeBotApi
):
    stop_action_server(helpline)
    try:
        with FakeActionServer(helpline.settings.actions_port) as fake:
            chat = Chat(helpline.settings.rasa_url)
            late, hanging = WebPerson(helpline), WebPerson(helpline)
            telegram = TelegramChat(helpline, api)
            fake.hanging.add(hanging.sender)
            # Four people wait for action_answer at the same time (one turn each).
            sent = telegram.say(QUESTION)
            assert telegram.wait_for(1, timeout=LIMIT_S) == [slow_reply()]
            elapsed = time.monotonic() - sent
            print(f"slow, Telegram: {elapsed:.2f} s")
            assert elapsed < LIMIT_S
            reply, elapsed = timed(chat.post, {"sender": chat.sender, "message": QUESTION})
            print(f"slow, REST webhook: {elapsed:.2f} s")
            assert texts_of(reply) == [slow_reply()] and elapsed < LIMIT_S
            started = time.monotonic()
            for person in (late, hanging):
                reply, elapsed = timed(person.post, QUESTION)
                print(f"slow, /api/message: {elapsed:.2f} s")
                assert texts_of(reply) == [slow_reply()] and elapsed < LIMIT_S

            # The late answer reaches the widget through /api/updates when it is ready ...
            assert widget_updates(late, 1, timeout=LATE_DELAY_S + 10) == [LATE_ANSWER]
            print(f"slow, late answer in /api/updates after {time.monotonic() - started:.1f} s")
            # ... and an action that hangs is given up after the action timeout, with a
            # friendly text instead of the answer that was promised.
            assert widget_updates(hanging, 1, timeout=ACTION_TIMEOUT_S + 10) == [
                unavailable_reply()
            ]
            print(f"hanging, notice in /api/updates after {time.monotonic() - started:.1f} s")
            assert "action_answer" in fake.calls
            # ... and on Telegram it simply follows the slow text.
            assert telegram.wait_for(2, timeout=10) == [slow_reply(), LATE_ANSWER]
    finally:
        start_action_server(helpline)

    # The turns finished in the background: the messages and the late answers are kept,
    # also for a REST sender that is not the widget (it got the slow text only).
    assert user_texts(helpline, chat.sender) == [QUESTION]
    assert LATE_ANSWER in bot_texts(helpline, chat.sender)
    assert user_texts(helpline, late.sender) == [QUESTION]
    assert_normal(texts_of(late.post(QUESTION)))  # back to normal
    history = late.client.get("/api/history", params={"session": late.session}).json()
    assert LATE_ANSWER in [m["text"] for m in history["messages"]]
