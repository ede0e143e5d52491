"""The Telegram channel without Rasa: the real bot talks to a fake Bot API on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any, AsyncIterator, Dict, List

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from telegram import Update

from connectors import reliability
from connectors.reliability import slow_reply, unavailable_reply
from connectors.telegram.bot import BotHandle, TelegramConfig, build_bot
from connectors.telegram.channel import SECRET_HEADER, RecentUpdates, TelegramInput
from connectors.telegram.cli import menu, poll
from connectors.telegram.input import command_intent, read_update
from connectors.telegram.output import TelegramOutput, inline_keyboard
from connectors.telegram.payloads import MAX_CALLBACK_DATA_BYTES, ButtonPayloads
from connectors.telegram.split import split_text, telegram_length
from loopbrug.conversation import telegram_sender
from loopbrug.texts import text
from tests.conftest import free_port
from tests.telegram_fake import (
    FakeBotApi,
    callback_update,
    non_text_update,
    text_update,
)

SECRET = "s3cret-" + uuid.uuid4().hex
CHAT = 1001
LONG_PAYLOAD = '/inform_location{"gemeente": "Súdwest-Fryslân", "regio": "Friesland"}'


# ---------------------------------------------------------------- pure helpers


def sentences(count: int, words: int = 12) -> str:
    return " ".join(
        f"Zin {n} " + " ".join(["woord"] * words) + ("?" if n % 3 else ".") for n in range(count)
    )


def test_short_text_is_one_message():
    assert split_text("  Hoi! Hoe gaat het?  ") == ["Hoi! Hoe gaat het?"]
    assert split_text("   ") == []


def test_long_text_is_split_at_sentence_ends_within_the_limit():
    text = sentences(200)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(telegram_length(p) <= 4096 for p in parts)
    assert all(p.endswith((".", "?")) for p in parts)
    assert " ".join(parts) == text  # nothing lost, nothing added


def test_paragraph_breaks_are_kept_inside_a_message():
    text = "Eerste alinea.\n\nTweede alinea."
    assert split_text(text) == [text]
    assert split_text(text, limit=20) == ["Eerste alinea.", "Tweede alinea."]


def test_a_sentence_longer_than_the_limit_is_split_between_words():
    text = " ".join(["lang"] * 2000)  # 9999 characters, no sentence end
    parts = split_text(text)
    assert all(telegram_length(p) <= 4096 for p in parts)
    assert all(p.split() and set(p.split()) == {"lang"} for p in parts)
    assert " ".join(parts) == text


def test_one_giant_word_is_cut_hard():
    parts = split_text("x" * 5000)
    assert [len(p) for p in parts] == [4096, 904]


def test_length_counts_like_telegram_so_emoji_count_double():
    assert telegram_length("😀") == 2
    parts = split_text("😀" * 3000)
    assert all(telegram_length(p) <= 4096 for p in parts) and len(parts) == 2


@pytest.mark.parametrize(
    "text, intent",
    [
        ("/start", "/greet"),
        ("/start campagne-zwolle", "/greet"),  # a deep link still greets
        ("/start@loopbrug_test_bot", "/greet"),  # commands in a group name the bot
        ("/help", "/capabilities"),
        ("/hulp", "/capabilities"),
        ("/opnieuw", "/start_over"),
        ("/stop", "/goodbye"),
        ("/wis", "/delete_data"),
        ("/WIS", "/delete_data"),
        ("/funding_overview", None),  # not a Telegram command: passed on as typed
        ("hoi", None),
        ("/", None),
    ],
)
def test_commands_map_to_intents(text, intent):
    assert command_intent(text) == intent


def test_short_payloads_are_callback_data_as_they_are():
    payloads = ButtonPayloads()
    assert payloads.callback_data("/funding_overview") == "/funding_overview"
    assert payloads.callback_data("ongeveer 2000") == "ongeveer 2000"
    assert payloads.payload("ongeveer 2000") == "ongeveer 2000"


def test_long_payloads_are_kept_under_a_short_key():
    payloads = ButtonPayloads()
    assert len(LONG_PAYLOAD.encode()) > MAX_CALLBACK_DATA_BYTES
    key = payloads.callback_data(LONG_PAYLOAD)
    assert len(key.encode()) <= MAX_CALLBACK_DATA_BYTES
    assert payloads.callback_data(LONG_PAYLOAD) == key  # the same button, the same key
    assert payloads.payload(key) == LONG_PAYLOAD
    assert ButtonPayloads().payload(key) is None  # another process does not know it


def test_multibyte_payloads_are_measured_in_bytes():
    payload = "é" * 40  # 40 characters, 80 bytes
    key = ButtonPayloads().callback_data(payload)
    assert key != payload and len(key.encode()) <= MAX_CALLBACK_DATA_BYTES


def test_the_payload_store_is_bounded():
    payloads = ButtonPayloads(max_entries=2)
    keys = [payloads.callback_data(f'/inform{{"n": "{n}"}}' + "x" * 70) for n in range(3)]
    assert payloads.payload(keys[0]) is None
    assert payloads.payload(keys[2]) is not None


def test_buttons_become_an_inline_keyboard_with_one_button_per_row():
    markup = inline_keyboard(
        [
            {"title": "Opleiding betalen", "payload": "/funding_overview"},
            {"title": "Zwolle", "payload": LONG_PAYLOAD},
            {"title": "Website", "url": "https://www.lerenenwerken.nl"},
        ],
        ButtonPayloads(),
    )
    rows = markup.inline_keyboard
    assert [len(row) for row in rows] == [1, 1, 1]
    assert (
        rows[0][0].text == "Opleiding betalen" and rows[0][0].callback_data == "/funding_overview"
    )
    assert rows[1][0].callback_data.startswith(ButtonPayloads.PREFIX)
    assert rows[2][0].url == "https://www.lerenenwerken.nl"


def test_recent_updates_remember_a_bounded_number_of_ids():
    recent = RecentUpdates(max_entries=2)
    assert not recent.seen(1) and recent.seen(1)
    assert not recent.seen(2) and not recent.seen(3)
    assert not recent.seen(1)  # forgotten: only the last two are kept


def test_a_group_chat_gets_a_clear_reply_and_no_shared_conversation():
    update = text_update(1, CHAT, "hoe kom ik aan een scholingsvoucher")
    update["message"]["chat"]["type"] = "group"
    incoming = read_update(Update.de_json(update), ButtonPayloads())
    assert incoming.reply == text("channel.telegram_group") and not incoming.text


def test_text_that_is_not_unicode_gets_a_clear_reply_and_reaches_nobody():
    incoming = read_update(Update.de_json(text_update(1, CHAT, "hoi \ud800")), ButtonPayloads())
    assert incoming.reply == text("channel.not_unicode") and not incoming.text


def test_a_location_gets_the_hint_to_type_the_place():
    incoming = read_update(Update.de_json(non_text_update(1, CHAT, "location")), ButtonPayloads())
    assert incoming.reply == (
        text("channel.telegram_non_text", what="een locatie")
        + " Zoek je een loket bij jou in de buurt? Typ dan je woonplaats of postcode."
    )


def test_the_command_menu_offers_every_command_with_a_dutch_description():
    commands = {command.command: command.description for command in menu()}
    assert commands == {
        "start": "Begin het gesprek",
        "help": "Waarmee kan ik helpen?",
        "opnieuw": "Opnieuw beginnen",
        "stop": "Gesprek afsluiten",
        "wis": "Mijn gegevens laten wissen",
    }
    assert all(command_intent(f"/{name}") for name in commands)


def test_read_update_turns_commands_buttons_and_photos_into_work():
    payloads = ButtonPayloads()
    key = payloads.callback_data(LONG_PAYLOAD)
    command = read_update(Update.de_json(text_update(1, CHAT, "/opnieuw")), payloads)
    assert (command.sender, command.text) == (telegram_sender(CHAT), "/start_over")
    button = read_update(Update.de_json(callback_update(2, CHAT, key)), payloads)
    assert (button.text, button.callback_query_id) == (LONG_PAYLOAD, "cq-2")
    expired = read_update(Update.de_json(callback_update(3, CHAT, "#b:0000")), payloads)
    assert expired.text is None and expired.reply == text("channel.telegram_expired_button")
    photo = read_update(Update.de_json(non_text_update(4, CHAT, "photo", "wat is dit?")), payloads)
    assert "foto" in photo.reply and photo.text == "wat is dit?"
    edited = Update.de_json(
        {"update_id": 5, "edited_message": text_update(5, CHAT, "x")["message"]}
    )
    assert read_update(edited, payloads) is None


def test_from_credentials_reads_the_entry_and_falls_back_to_the_environment(monkeypatch):
    channel = TelegramInput.from_credentials(
        {"token": "1:a", "secret": "s", "base_url": "http://127.0.0.1:9/bot"}
    )
    assert channel.config == TelegramConfig("1:a", "s", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "2:b")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "t")
    assert TelegramInput.from_credentials(None).config == TelegramConfig("2:b", "t", None)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    with pytest.raises(Exception, match="credentials"):
        TelegramInput.from_credentials({})


def test_build_bot_needs_a_token_and_uses_the_base_url():
    with pytest.raises(ValueError):
        build_bot(TelegramConfig(""))
    bot = build_bot(TelegramConfig("1:a", None, "http://127.0.0.1:9/bot"))
    assert bot.base_url == "http://127.0.0.1:9/bot1:a"
    assert bot.rate_limiter is not None


def test_the_token_never_reaches_the_log(caplog):
    build_bot(TelegramConfig("777:geheim"))
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info("HTTP Request: POST %s", "https://x/bot777:geheim/getMe")
    assert "geheim" not in caplog.text and "<token>" in caplog.text


# ---------------------------------------------------------------- against the fake Bot API


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several Sanic apps in one process (Sanic 21.12 patches its protocol once otherwise)."""
    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.fixture
def api():
    with FakeBotApi() as fake:
        yield fake


def config_for(api: FakeBotApi, secret: str = SECRET) -> TelegramConfig:
    return TelegramConfig(api.token, secret, api.base_url)


def channel_for(api: FakeBotApi) -> TelegramInput:
    return TelegramInput(api.token, SECRET, api.base_url)


class Rasa:
    """A stand-in for Rasa's on_new_message: records messages and answers through the channel."""

    def __init__(self, delay_s: float = 0.0, fail: bool = False) -> None:
        self.messages: List[UserMessage] = []
        self.delay_s = delay_s
        self.fail = fail

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        await asyncio.sleep(self.delay_s)
        if self.fail:
            raise RuntimeError("the model fell over")
        await message.output_channel.send_response(
            message.sender_id,
            {
                "text": f"Je zei: {message.text}",
                "buttons": [{"title": "Opnieuw", "payload": "/start_over"}],
            },
        )

    @property
    def texts(self) -> List[str]:
        return [m.text for m in self.messages]


class Webhook:
    """The channel's blueprint in a real Sanic server on loopback, in the test's event loop."""

    def __init__(self, channel: TelegramInput, rasa: Rasa) -> None:
        self.channel = channel
        self.rasa = rasa
        self.app = Sanic(f"telegram_test_{uuid.uuid4().hex[:8]}")
        self.app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/telegram")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhooks/telegram/webhook"
        self.server: Any = None
        self.client = httpx.AsyncClient(timeout=10)

    async def __aenter__(self) -> Webhook:
        self.server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        try:
            await self.server.startup()
            await self.server.before_start()
            await self.server.after_start()
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.server.before_stop()  # the channel closes the bot here
        await self._close()
        await self.server.after_stop()

    async def _close(self) -> None:
        await self.client.aclose()
        self.server.close()
        await self.server.wait_closed()

    async def post(self, update: Dict[str, Any], secret: Any = SECRET) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return await self.client.post(self.url, json=update, headers=headers)


@pytest.fixture
async def webhook(api: FakeBotApi) -> AsyncIterator[Webhook]:
    async with Webhook(channel_for(api), Rasa()) as running:
        yield running


@pytest.mark.parametrize(
    "secret, status", [(None, 401), ("", 401), ("wrong", 403), ("é".encode(), 403)]
)
async def test_a_missing_or_wrong_secret_is_refused_without_processing(
    webhook, api, secret, status
):
    reply = await webhook.post(text_update(1, CHAT, "hoi"), secret=secret)
    assert reply.status_code == status
    await webhook.channel.drain()
    assert webhook.rasa.messages == [] and api.calls == []


async def test_without_a_configured_secret_every_update_is_refused(api):
    async with Webhook(TelegramInput(api.token, None, api.base_url), Rasa()) as running:
        assert (
            await running.post(text_update(1, CHAT, "hoi"), secret="anything")
        ).status_code == 403
        assert running.rasa.messages == []


async def test_bodies_that_are_not_updates_are_refused(webhook):
    reply = await webhook.client.post(
        webhook.url, content=b"{niet", headers={SECRET_HEADER: SECRET}
    )
    assert reply.status_code == 400
    assert (await webhook.post({"message": {}})).status_code == 400


async def test_a_text_reaches_rasa_and_the_answer_gets_an_inline_keyboard(webhook, api):
    reply = await webhook.post(text_update(10, CHAT, "hoi"))
    assert reply.status_code == 200
    await webhook.channel.drain()
    assert webhook.rasa.texts == ["hoi"]
    message = webhook.rasa.messages[0]
    assert message.sender_id == telegram_sender(CHAT) and message.input_channel == "telegram"
    [sent] = api.sent(CHAT)
    assert sent["text"] == "Je zei: hoi"
    assert "parse_mode" not in sent  # shown as text, never as HTML
    assert sent["reply_markup"] == {
        "inline_keyboard": [[{"text": "Opnieuw", "callback_data": "/start_over"}]]
    }
    assert api.called("getMe"), "the bot was initialized"


async def test_a_redelivered_update_is_processed_once(webhook, api):
    update = text_update(11, CHAT, "hoi")
    first, second = await webhook.post(update), await webhook.post(update)
    assert (first.status_code, second.status_code) == (200, 200)
    await webhook.channel.drain()
    assert webhook.rasa.texts == ["hoi"] and len(api.sent(CHAT)) == 1


async def test_the_webhook_answers_at_once_when_the_bot_is_slow(api):
    rasa = Rasa(delay_s=2.0)
    async with Webhook(channel_for(api), rasa) as running:
        started = time.monotonic()
        reply = await running.post(text_update(12, CHAT, "hoi"))
        assert reply.status_code == 200 and time.monotonic() - started < 1.0
        await running.channel.drain()
        assert api.texts(CHAT) == ["Je zei: hoi"]


async def test_messages_of_one_chat_are_answered_in_order(api):
    rasa = Rasa(delay_s=0.2)
    async with Webhook(channel_for(api), rasa) as running:
        for n in range(3):
            await running.post(text_update(20 + n, CHAT, f"bericht {n}"))
        await running.channel.drain()
    assert api.texts(CHAT) == [f"Je zei: bericht {n}" for n in range(3)]


@pytest.mark.parametrize(
    "command, intent",
    [("/start", "/greet"), ("/help", "/capabilities"), ("/opnieuw", "/start_over"),
     ("/stop", "/goodbye"), ("/wis", "/delete_data")],
)  # fmt: skip
async def test_commands_reach_rasa_as_intents(webhook, command, intent):
    await webhook.post(text_update(30, CHAT, command))
    await webhook.channel.drain()
    assert webhook.rasa.texts == [intent]


async def test_a_button_press_is_answered_and_its_payload_sent_as_the_message(webhook, api):
    key = webhook.channel.payloads.callback_data(LONG_PAYLOAD)
    await webhook.post(callback_update(40, CHAT, "/funding_overview"))
    await webhook.post(callback_update(41, CHAT, key))
    await webhook.channel.drain()
    assert [c.params["callback_query_id"] for c in api.called("answerCallbackQuery")] == [
        "cq-40",
        "cq-41",
    ]
    assert webhook.rasa.texts == ["/funding_overview", LONG_PAYLOAD]
    assert webhook.rasa.messages[0].sender_id == telegram_sender(CHAT)


async def test_an_expired_long_button_gets_a_friendly_reply(webhook, api):
    await webhook.post(callback_update(42, CHAT, ButtonPayloads.PREFIX + "0" * 24))
    await webhook.channel.drain()
    assert webhook.rasa.messages == []
    assert len(api.called("answerCallbackQuery")) == 1
    assert api.texts(CHAT) == [text("channel.telegram_expired_button")]


@pytest.mark.parametrize(
    "kind, word",
    [
        ("photo", "foto"),
        ("voice", "spraakbericht"),
        ("sticker", "sticker"),
        ("location", "locatie"),
        ("contact", "contact"),
        ("document", "bestand"),
    ],
)
async def test_non_text_updates_get_a_friendly_reply(webhook, api, kind, word):
    await webhook.post(non_text_update(50, CHAT, kind))
    await webhook.channel.drain()
    assert webhook.rasa.messages == []
    [text] = api.texts(CHAT)
    assert word in text and "alleen tekst en de knoppen" in text and "Typ je vraag" in text


async def test_a_failing_turn_gets_an_apology(api):
    async with Webhook(channel_for(api), Rasa(fail=True)) as running:
        await running.post(text_update(60, CHAT, "hoi"))
        await running.channel.drain()
    assert api.texts(CHAT) == [text("channel.error_reply")]


async def test_a_very_long_message_is_cut_and_the_person_told(webhook, api):
    await webhook.post(text_update(61, CHAT, "a" * 3000))
    await webhook.channel.drain()
    assert len(webhook.rasa.texts[0]) == 2000
    assert api.texts(CHAT)[0] == text("channel.too_long_note")


# ---------------------------------------------------------------- sending


@pytest.fixture
async def output(api: FakeBotApi) -> AsyncIterator[TelegramOutput]:
    handle = BotHandle(lambda: build_bot(config_for(api)))
    yield TelegramOutput(handle, ButtonPayloads())
    await handle.close()


async def test_long_answers_are_split_and_the_keyboard_goes_under_the_last_part(output, api):
    text = sentences(150)
    await output.send_text_with_buttons(
        telegram_sender(CHAT), text, [{"title": "Ja", "payload": "/affirm"}]
    )
    sent = api.sent(CHAT)
    assert len(sent) == len(split_text(text)) > 1
    assert all(len(m["text"]) <= 4096 for m in sent)
    assert [("reply_markup" in m) for m in sent] == [False] * (len(sent) - 1) + [True]


async def test_a_rate_limited_message_is_retried_and_still_arrives(output, api):
    api.fail_next("sendMessage", times=1, retry_after=1)
    started = time.monotonic()
    await output.send_text_message(telegram_sender(CHAT), "Hallo")
    assert time.monotonic() - started >= 1.0  # it waited as Telegram asked
    attempts = api.called("sendMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]
    assert api.texts(CHAT) == ["Hallo"]


async def test_a_message_that_stays_rate_limited_is_dropped_without_an_error(api):
    handle = BotHandle(lambda: build_bot(config_for(api), max_retries=1))
    api.fail_next("sendMessage", times=2, retry_after=1)
    await TelegramOutput(handle, ButtonPayloads()).send_text_message(telegram_sender(CHAT), "Hallo")
    await handle.close()
    assert [c.status for c in api.called("sendMessage", ok_only=False)] == [429, 429]


async def test_custom_payloads_are_never_shown_as_json(output, api):
    await output.send_custom_json(telegram_sender(CHAT), {"handoff": True})
    await output.send_custom_json(telegram_sender(CHAT), {"text": "Een coach kijkt mee."})
    assert api.texts(CHAT) == ["Een coach kijkt mee."]


async def test_a_sender_of_another_channel_is_not_sent_to(output, api):
    await output.send_text_message("web-abc", "Hallo")
    assert api.calls == []


# ---------------------------------------------------------------- polling for local development


async def test_polling_forwards_updates_to_the_rest_channel(api):
    asked: List[Dict[str, Any]] = []

    def rest(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        asked.append(body)
        return httpx.Response(
            200,
            json=[
                {
                    "recipient_id": body["sender"],
                    "text": "Welkom",
                    "buttons": [{"title": "Coach", "payload": "/request_human"}],
                }
            ],
        )

    api.queue_update(text_update(70, CHAT, "/start"))
    api.queue_update(callback_update(71, CHAT, "/request_human"))
    api.queue_update(non_text_update(72, CHAT, "voice"))
    stop = asyncio.Event()
    async with httpx.AsyncClient(transport=httpx.MockTransport(rest)) as client:
        polling = asyncio.create_task(
            poll(config_for(api), "http://rasa/webhooks/rest/webhook", stop, client, poll_timeout=0)
        )
        await api.wait_for_async(lambda: len(api.sent(CHAT)) >= 3)
        stop.set()
        await asyncio.wait_for(polling, timeout=5)
    assert asked == [
        {"sender": telegram_sender(CHAT), "message": "/greet"},
        {"sender": telegram_sender(CHAT), "message": "/request_human"},
    ]
    texts = api.texts(CHAT)
    assert texts[:2] == ["Welkom", "Welkom"] and "spraakbericht" in texts[2]
    assert api.called("deleteWebhook") and api.called("answerCallbackQuery")


# ---------------------------------------------------------------- action server slow or down


class SilentRasa(Rasa):
    """A turn in which no bot message comes (what Rasa does when a custom action fails)."""

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        await asyncio.sleep(self.delay_s)


class DownAgent:
    """Enough of Rasa's Agent: its action endpoint (nothing listens there) and no tracker store."""

    tracker_store = None

    def __init__(self) -> None:
        url = f"http://127.0.0.1:{free_port()}/webhook"
        self.action_endpoint = type("EndpointConfig", (), {"url": url})()


class PausedAgent(DownAgent):
    """And a coach has every conversation."""

    class tracker_store:  # noqa: N801 (stands in for an attribute)
        @staticmethod
        async def retrieve(sender_id: str) -> Any:
            return type("Tracker", (), {"is_paused": lambda self: True, "latest_message": None})()


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short wait for the "slow" text."""
    monkeypatch.setattr(reliability, "SLOW_REPLY_AFTER_S", 0.2)


async def test_a_slow_turn_gets_the_slow_text_once_and_then_its_answer(api, quick):
    rasa = Rasa(delay_s=0.6)
    async with Webhook(channel_for(api), rasa) as running:
        await running.post(text_update(80, CHAT, "hoi"))
        await api.wait_for_async(lambda: len(api.sent(CHAT)) >= 1)
        assert api.texts(CHAT) == [slow_reply()]  # before the answer, which is still coming
        await running.channel.drain()
    assert api.texts(CHAT) == [slow_reply(), "Je zei: hoi"]


async def test_a_quick_turn_gets_no_slow_text(webhook, api, quick):
    await webhook.post(text_update(81, CHAT, "hoi"))
    await webhook.channel.drain()
    assert api.texts(CHAT) == ["Je zei: hoi"]


async def test_silence_while_the_action_server_is_down_becomes_a_friendly_text(api, quick):
    async with Webhook(channel_for(api), SilentRasa()) as running:
        running.app.ctx.agent = DownAgent()  # how Rasa's server makes its agent known
        started = time.monotonic()
        await running.post(text_update(82, CHAT, "hoe kom ik aan een scholingsvoucher"))
        await running.channel.drain()
        assert time.monotonic() - started < 2.0
    assert api.texts(CHAT) == [unavailable_reply()]


async def test_silence_with_the_action_server_up_stays_silence(api, quick):
    async with Webhook(channel_for(api), SilentRasa()) as running:
        await running.post(text_update(83, CHAT, "hoi"))
        await running.channel.drain()
    assert api.texts(CHAT) == []


async def test_a_slow_turn_without_an_answer_is_not_left_silent(api, quick):
    async with Webhook(channel_for(api), SilentRasa(delay_s=0.4)) as running:
        await running.post(text_update(84, CHAT, "hoi"))
        await running.channel.drain()
    assert api.texts(CHAT) == [slow_reply(), unavailable_reply()]


async def test_a_paused_conversation_stays_silent_when_the_server_is_down(api, quick):
    async with Webhook(channel_for(api), SilentRasa()) as running:
        running.app.ctx.agent = PausedAgent()  # how Rasa's server makes its agent known
        await running.post(text_update(85, CHAT, "hoi"))
        await running.channel.drain()
    assert api.texts(CHAT) == []


async def test_a_slow_failing_turn_gets_the_slow_text_and_an_apology(api, quick):
    async with Webhook(channel_for(api), Rasa(delay_s=0.4, fail=True)) as running:
        await running.post(text_update(86, CHAT, "hoi"))
        await running.channel.drain()
    assert api.texts(CHAT) == [slow_reply(), text("channel.error_reply")]
