"""Telegram end to end: real Update JSON to the real helpline, replies at a fake Bot API.

The Rasa server (another process) runs the Telegram channel with ``base_url`` pointing at
``tests/telegram_fake.FakeBotApi`` on loopback, so every reply the real bot sends is recorded
there. Needs ``bot.serve.credentials_for(settings)`` (the channel is enabled when
``telegram_bot_token`` is set); until that exists, these tests skip.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Iterator, List

import pytest

import bot.serve
from bot.serve import Helpline
from loopbrug.settings import ROOT, Settings
from tests.conftest import free_port
from tests.e2e.conftest import TELEGRAM_SECRET, UPDATE_IDS, TelegramChat
from tests.telegram_fake import FakeBotApi, callback_update, non_text_update, text_update

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not hasattr(bot.serve, "credentials_for"),
        reason="bot.serve has no Telegram support yet (credentials_for(settings) is missing)",
    ),
]


@pytest.fixture(scope="module")
def telegram_helpline(api: FakeBotApi, tmp_path_factory) -> Iterator[Helpline]:
    """The helpline with the Telegram channel on, talking to the fake Bot API."""
    settings = Settings(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        database_url=f"sqlite:///{tmp_path_factory.mktemp('telegram') / 'loopbrug.db'}",
        telegram_bot_token=api.token,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_api_base_url=api.base_url,
    )
    running = Helpline(settings, log_dir=ROOT / "var" / "test-logs" / "telegram")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def person(telegram_helpline: Helpline, api: FakeBotApi) -> TelegramChat:
    return TelegramChat(telegram_helpline, api)


def callback_data(message: Dict[str, Any]) -> List[str]:
    return [row[0]["callback_data"] for row in message["reply_markup"]["inline_keyboard"]]


def test_hoi_gets_the_welcome_with_an_inline_keyboard(person: TelegramChat):
    person.say("hoi")
    [welcome] = person.wait_for_replies(1)
    assert "digitale assistent" in welcome["text"]
    assert "parse_mode" not in welcome
    rows = welcome["reply_markup"]["inline_keyboard"]
    assert all(len(row) == 1 for row in rows) and len(rows) >= 3
    assert "/request_human" in callback_data(welcome)


@pytest.mark.parametrize("secret, status", [(None, 401), ("fout", 403)])
def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_sent(
    person: TelegramChat, secret, status
):
    reply = person.post(text_update(next(UPDATE_IDS), person.chat_id, "hoi"), secret=secret)
    assert reply.status_code == status
    person.say("/start")  # a valid update afterwards: only its answer arrives
    person.wait_for_replies(1)
    time.sleep(1)
    assert len(person.replies()) == 1


def test_a_redelivered_update_is_processed_once(person: TelegramChat):
    update = text_update(next(UPDATE_IDS), person.chat_id, "hoi")
    person.send(update)
    person.send(update)
    person.wait_for_replies(1)
    person.say("/help")  # a later message is answered, and only after the first one
    replies = person.wait_for_replies(2)
    time.sleep(1)
    assert len(person.replies()) == 2
    assert "digitale assistent" in replies[0]["text"] and "vier dingen" in replies[1]["text"]


def test_a_button_press_is_answered_and_gets_the_buttons_answer(
    person: TelegramChat, api: FakeBotApi
):
    update = callback_update(next(UPDATE_IDS), person.chat_id, "/funding_stap")
    person.send(update)
    person.wait_for_replies(1)
    answered = [c.params["callback_query_id"] for c in api.called("answerCallbackQuery")]
    assert update["callback_query"]["id"] in answered
    assert "2023" in person.text()  # STAP ended, with its end date


def test_a_photo_gets_the_friendly_reply(person: TelegramChat):
    person.send(non_text_update(next(UPDATE_IDS), person.chat_id, "photo"))
    [reply] = person.wait_for_replies(1)
    assert "foto" in reply["text"] and "alleen tekst" in reply["text"]


def test_start_and_opnieuw_work(person: TelegramChat):
    person.say("/start")
    assert "digitale assistent" in person.wait_for_replies(1)[0]["text"]
    person.say("/opnieuw")
    assert "opnieuw" in person.wait_for_replies(2)[1]["text"]


def test_a_rate_limited_reply_is_retried_and_still_arrives(person: TelegramChat, api: FakeBotApi):
    api.fail_next("sendMessage", times=1, retry_after=1)
    person.say("hoi")
    [welcome] = person.wait_for_replies(1)
    assert "digitale assistent" in welcome["text"]
    refused = [c for c in api.called("sendMessage", ok_only=False) if c.status == 429]
    assert refused and refused[-1].params["chat_id"] == person.chat_id


def test_the_profile_arrives_as_a_short_summary_and_a_document(
    person: TelegramChat, api: FakeBotApi, telegram_helpline: Helpline
):
    from loopbrug import db
    from loopbrug.assessment import export
    from loopbrug.assessment.profile import to_dict
    from loopbrug.assessment.scoring import score_profile
    from tests.unit.test_assessment import CASES

    url = telegram_helpline.settings.database_url
    profile = score_profile(CASES["money and low confidence"])
    db.save_profile(person.sender, {}, to_dict(profile), url=url)
    made = db.load_profile(person.sender, url)["updated_at"]
    person.say("/export_profile")
    api.wait_for(lambda: len(api.documents(person.chat_id)) == 1 and len(person.texts()) == 2)
    time.sleep(1)  # nothing more comes
    assert person.texts() == [
        "Je profiel in het kort.\n"
        "Dit past bij je: je wilt heel graag ander werk.\n"
        "Let op: je maakt je zorgen over geld.\n"
        "Je volgende stap: doe de geldcheck: kun je een overstap betalen?",
        "Laat het bestand zien aan een coach of aan het loket. Dan weten ze meteen waar je staat.",
    ]
    # No SMTP server here: no button offers a mail that cannot be sent.
    assert callback_data(person.replies()[1]) == ["/request_human", "/capabilities"]
    [document] = api.documents(person.chat_id)
    assert document["caption"] == (
        "Je hele profiel staat in dit bestand. Tik erop om het te openen of te bewaren."
    )
    upload = document["document"]
    assert upload.filename == export.file_name(made)
    assert upload.text == export.profile_file(profile, made)
    # In order: summary, document, then the offer to mail it.
    order = [c.method for c in api.calls if c.params.get("chat_id") == person.chat_id]
    assert order == ["sendMessage", "sendDocument", "sendMessage"]
