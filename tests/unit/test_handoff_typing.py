"""Typing state in a live chat (loopbrug/handoff/typing.py): expiry, isolation, rate limit,
throttle; and Telegram's "typing" action through the fake Bot API (telegram_typing.py)."""

from __future__ import annotations

import logging

import pytest

from loopbrug.handoff import typing as signals
from loopbrug.handoff.telegram_typing import TelegramTyping
from loopbrug.settings import Settings
from tests.telegram_fake import FakeBotApi


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def board(clock: Clock) -> signals.Board:
    return signals.Board(show_for=6.0, clock=clock)


def test_a_signal_shows_for_six_seconds_and_then_goes(board, clock):
    board.typing("web-a", signals.COACH, "Anna")
    assert board.current("web-a", signals.COACH) == signals.Signal(1000.0, "Anna")
    clock.now += 5.9
    assert board.current("web-a", signals.COACH).name == "Anna"
    clock.now += 0.1
    assert board.current("web-a", signals.COACH) is None
    assert len(board) == 0  # forgotten, not only hidden


def test_a_new_signal_keeps_it_showing(board, clock):
    board.typing("web-a", signals.PERSON)
    for _ in range(5):
        clock.now += 4
        board.typing("web-a", signals.PERSON)
        assert board.current("web-a", signals.PERSON) is not None
    clock.now += 6
    assert board.current("web-a", signals.PERSON) is None


def test_stopped_ends_it_at_once(board):
    board.typing("web-a", signals.PERSON)
    board.stopped("web-a", signals.PERSON)
    assert board.current("web-a", signals.PERSON) is None
    board.stopped("web-never", signals.COACH)  # nothing to stop: no error


def test_a_signal_that_arrives_just_after_the_message_is_ignored(board, clock):
    """The widget's last "typing" and the message itself are in flight together; the message
    may win. The indicator must not come back for six seconds after it."""
    board.typing("web-a", signals.PERSON)
    board.sent("web-a", signals.PERSON)
    assert board.current("web-a", signals.PERSON) is None
    clock.now += 0.3
    board.typing("web-a", signals.PERSON)  # late
    assert board.current("web-a", signals.PERSON) is None
    board.typing("web-a", signals.COACH, "Anna")  # the other side is not affected
    assert board.current("web-a", signals.COACH).name == "Anna"
    clock.now += signals.QUIET_AFTER_SEND_S
    board.typing("web-a", signals.PERSON)  # typing the next message
    assert board.current("web-a", signals.PERSON) is not None


def test_conversations_and_sides_are_kept_apart(board):
    board.typing("web-a", signals.PERSON)
    board.typing("web-b", signals.COACH, "Bram")
    assert board.current("web-a", signals.COACH) is None
    assert board.current("web-b", signals.PERSON) is None
    assert board.current("web-b", signals.COACH).name == "Bram"
    assert board.current("web-c", signals.PERSON) is None
    board.stopped("web-a", signals.PERSON)
    assert board.current("web-b", signals.COACH).name == "Bram"


def test_an_unknown_side_is_refused(board):
    with pytest.raises(ValueError):
        board.typing("web-a", "robot")


def test_memory_stays_bounded(clock):
    small = signals.Board(show_for=6.0, clock=clock, max_conversations=3)
    for n in range(10):
        small.typing(f"web-{n}", signals.PERSON)
    assert len(small) == 3
    assert small.current("web-9", signals.PERSON) is not None
    assert small.current("web-0", signals.PERSON) is None
    clock.now += 7
    small.typing("web-new", signals.PERSON)  # a write drops the expired ones
    assert len(small) == 1


def test_the_limiter_counts_per_key_in_a_sliding_window(clock):
    limiter = signals.Limiter(3, 10.0, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # another key has its own count
    clock.now += 9.9
    assert not limiter.allow("a")  # the refused one was not counted, the window still full
    clock.now += 0.1
    assert limiter.allow("a")


def test_the_throttle_lets_one_through_per_interval(clock):
    throttle = signals.Throttle(4.0, clock=clock)
    assert throttle.due("tg-1")
    clock.now += 3.9
    assert not throttle.due("tg-1")
    assert throttle.due("tg-2")
    clock.now += 0.1
    assert throttle.due("tg-1")
    throttle.reset("tg-1")
    assert throttle.due("tg-1")


# -- Telegram ----------------------------------------------------------------------------------


@pytest.fixture
def api():
    with FakeBotApi() as fake:
        yield fake


def telegram_settings(api: FakeBotApi) -> Settings:
    return Settings(telegram_bot_token=api.token, telegram_api_base_url=api.base_url)


async def test_telegram_gets_the_typing_action_for_its_chat(api, clock):
    typing = TelegramTyping(telegram_settings(api), signals.Throttle(4.0, clock=clock))
    try:
        assert typing.due("tg-777")
        assert await typing.send("tg-777")
        assert not typing.due("tg-777")  # throttled: Telegram shows it for ~5 s anyway
        clock.now += 4
        assert typing.due("tg-777")
        assert await typing.send("tg-777")
    finally:
        await typing.aclose()
    actions = [c.params for c in api.called("sendChatAction")]
    assert actions == [{"chat_id": 777, "action": "typing"}] * 2
    assert len(api.called("getMe")) == 1  # one bot for the process, not one per signal


async def test_no_typing_action_for_a_web_chat_or_without_a_token(api):
    typing = TelegramTyping(telegram_settings(api))
    assert not typing.due("web-abc")
    assert not await typing.send("web-abc")
    without = TelegramTyping(Settings(telegram_bot_token=None))
    assert not without.enabled and not without.due("tg-1")
    await typing.aclose()
    assert api.called("sendChatAction", ok_only=False) == []


async def test_a_telegram_failure_is_only_logged(api, caplog):
    caplog.set_level(logging.INFO, logger="loopbrug.handoff.telegram_typing")
    typing = TelegramTyping(telegram_settings(api))
    api.fail_next("sendChatAction", times=1, retry_after=1)
    try:
        assert not await typing.send("tg-5")
    finally:
        await typing.aclose()
    assert "RetryAfter" in caplog.text
    assert api.token not in caplog.text
