"""Telegram end to end: real Update JSON to the real helpline, replies at a fake Bot API.

The Rasa server (another process) runs the Telegram channel with ``base_url`` pointing at
``tests/telegram_fake.FakeBotApi`` on loopback, so every reply the real bot sends is recorded
there. Needs ``bot.serve.credentials_for(settings)`` (the channel is enabled when
``telegram_bot_token`` is set); until that exists, these tests skip.
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any, Dict, Iterator, List

import httpx
import pytest

import bot.serve
from bot.serve import Helpline
from bot.settings import ROOT, Settings
from tests.conftest import free_port
from tests.telegram_fake import FakeBotApi, callback_update, non_text_update, text_update

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not hasattr(bot.serve, "credentials_for"),
        reason="bot.serve has no Telegram support yet (credentials_for(settings) is missing)",
    ),
]

SECRET = "e2e-" + uuid.uuid4().hex
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
update_ids = itertools.count(int(time.time()))
chat_ids = itertools.count(700_000_000 + uuid.uuid4().int % 10**8)  # fresh chats each run


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def telegram_helpline(api: FakeBotApi, tmp_path_factory) -> Iterator[Helpline]:
    """The helpline with the Telegram channel on, talking to the fake Bot API."""
    settings = Settings(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        database_url=f"sqlite:///{tmp_path_factory.mktemp('telegram') / 'loopbrug.db'}",
        telegram_bot_token=api.token,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=api.base_url,
    )
    running = Helpline(settings, log_dir=ROOT / "var" / "test-logs" / "telegram")
    running.start()
    yield running
    running.stop()


class Person:
    """One Telegram chat with the helpline."""

    def __init__(self, helpline: Helpline, api: FakeBotApi) -> None:
        self.url = f"{helpline.settings.rasa_url}/webhooks/telegram/webhook"
        self.api = api
        self.chat_id = next(chat_ids)

    def post(self, update: Dict[str, Any], secret: Any = SECRET) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return httpx.post(self.url, json=update, headers=headers, timeout=10)

    def send(self, update: Dict[str, Any]) -> None:
        reply = self.post(update)
        assert reply.status_code == 200, reply.text

    def say(self, text: str) -> None:
        self.send(text_update(next(update_ids), self.chat_id, text))

    def replies(self) -> List[Dict[str, Any]]:
        return self.api.sent(self.chat_id)

    def wait_for_replies(self, count: int, timeout: float = 60) -> List[Dict[str, Any]]:
        self.api.wait_for(lambda: len(self.replies()) >= count, timeout=timeout)
        return self.replies()

    def text(self) -> str:
        return " ".join(m["text"] for m in self.replies())


@pytest.fixture
def person(telegram_helpline: Helpline, api: FakeBotApi) -> Person:
    return Person(telegram_helpline, api)


def callback_data(message: Dict[str, Any]) -> List[str]:
    return [row[0]["callback_data"] for row in message["reply_markup"]["inline_keyboard"]]


def test_hoi_gets_the_welcome_with_an_inline_keyboard(person: Person):
    person.say("hoi")
    [welcome] = person.wait_for_replies(1)
    assert "digitale assistent" in welcome["text"]
    assert "parse_mode" not in welcome
    rows = welcome["reply_markup"]["inline_keyboard"]
    assert all(len(row) == 1 for row in rows) and len(rows) >= 3
    assert "/request_human" in callback_data(welcome)


@pytest.mark.parametrize("secret, status", [(None, 401), ("fout", 403)])
def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_sent(person: Person, secret, status):
    reply = person.post(text_update(next(update_ids), person.chat_id, "hoi"), secret=secret)
    assert reply.status_code == status
    person.say("/start")  # a valid update afterwards: only its answer arrives
    person.wait_for_replies(1)
    time.sleep(1)
    assert len(person.replies()) == 1


def test_a_redelivered_update_is_processed_once(person: Person):
    update = text_update(next(update_ids), person.chat_id, "hoi")
    person.send(update)
    person.send(update)
    person.wait_for_replies(1)
    person.say("/help")  # a later message is answered, and only after the first one
    replies = person.wait_for_replies(2)
    time.sleep(1)
    assert len(person.replies()) == 2
    assert "digitale assistent" in replies[0]["text"] and "vier dingen" in replies[1]["text"]


def test_a_button_press_is_answered_and_gets_the_buttons_answer(person: Person, api: FakeBotApi):
    update = callback_update(next(update_ids), person.chat_id, "/funding_stap")
    person.send(update)
    person.wait_for_replies(1)
    answered = [c.params["callback_query_id"] for c in api.called("answerCallbackQuery")]
    assert update["callback_query"]["id"] in answered
    assert "2023" in person.text()  # STAP ended, with its end date


def test_a_photo_gets_the_friendly_reply(person: Person):
    person.send(non_text_update(next(update_ids), person.chat_id, "photo"))
    [reply] = person.wait_for_replies(1)
    assert "foto" in reply["text"] and "alleen tekst" in reply["text"]


def test_start_and_opnieuw_work(person: Person):
    person.say("/start")
    assert "digitale assistent" in person.wait_for_replies(1)[0]["text"]
    person.say("/opnieuw")
    assert "opnieuw" in person.wait_for_replies(2)[1]["text"]


def test_a_rate_limited_reply_is_retried_and_still_arrives(person: Person, api: FakeBotApi):
    api.fail_next("sendMessage", times=1, retry_after=1)
    person.say("hoi")
    [welcome] = person.wait_for_replies(1)
    assert "digitale assistent" in welcome["text"]
    refused = [c for c in api.called("sendMessage", ok_only=False) if c.status == 429]
    assert refused and refused[-1].params["chat_id"] == person.chat_id
