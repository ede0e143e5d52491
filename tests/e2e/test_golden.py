"""Golden conversations: every message and button a person sees, against reviewed snapshots.

Each file in tests/golden/conversations/ is one whole conversation as people type it. It runs
against the real helpline (Rasa + action server), on the REST channel or on Telegram (the real
Telegram channel, with the fake Bot API on loopback). The transcript of what the person saw
(tests/golden/transcript.py) must equal tests/golden/snapshots/<name>.txt; on a difference the
test shows a unified diff. Every bot turn must also pass tests/golden/checks.py.

Regenerate the snapshots after an intended change, then review the diff:

    make golden          # LOOPBRUG_GOLDEN_UPDATE=1: writes snapshots instead of comparing

One conversation: ``make golden GOLDEN=money_check_start`` (a pytest -k expression).

The golden helpline is started here, not taken from the session fixture: it needs the
Telegram channel, and office hours that are always open (handoff texts say when coaches
work, which would otherwise depend on the clock).
"""

from __future__ import annotations

import difflib
import os
import time
import uuid
from datetime import date
from typing import Any, Dict, Iterator, List, Optional

import httpx
import pytest

from bot.serve import Helpline
from connectors.reliability import slow_reply
from loopbrug.settings import ROOT, Settings
from tests.conftest import free_port
from tests.e2e.conftest import TELEGRAM_SECRET, UPDATE_IDS, TelegramChat
from tests.golden import checks
from tests.golden.transcript import (
    SNAPSHOTS,
    Conversation,
    Message,
    Turn,
    conversation_files,
    from_rest,
    from_telegram,
    load,
    render,
)
from tests.telegram_fake import FakeBotApi, callback_update, text_update

pytestmark = pytest.mark.e2e

UPDATE = os.environ.get("LOOPBRUG_GOLDEN_UPDATE", "") not in ("", "0")
SHOWN_METHODS = ("sendMessage", "sendDocument", "sendPhoto", "sendAudio", "sendVideo")
TURN_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def golden_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def golden_helpline(golden_api: FakeBotApi, tmp_path_factory) -> Iterator[Helpline]:
    settings = Settings(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        database_url=f"sqlite:///{tmp_path_factory.mktemp('golden') / 'loopbrug.db'}",
        rasa_api_token="golden-" + uuid.uuid4().hex,
        telegram_bot_token=golden_api.token,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_api_base_url=golden_api.base_url,
        office_hours="ma-zo 00:00-24:00",
    )
    running = Helpline(settings, log_dir=ROOT / "var" / "test-logs" / "golden")
    running.start()
    yield running
    running.stop()


# ---------------------------------------------------------------- the two channels


def tracker_events(helpline: Helpline, sender: str) -> List[Dict[str, Any]]:
    reply = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": helpline.settings.rasa_api_token, "include_events": "ALL"},
        timeout=30,
    )
    reply.raise_for_status()
    return reply.json().get("events") or []


def turn_done(events: List[Dict[str, Any]], since: float) -> bool:
    """The tracker holds a person's message sent after ``since`` and the bot listens again."""
    users = [i for i, e in enumerate(events) if e["event"] == "user" and e["timestamp"] >= since]
    if not users:
        return False
    actions = [e for e in events[users[-1] :] if e["event"] == "action"]
    return bool(actions) and actions[-1].get("name") == "action_listen"


def bot_messages_since(events: List[Dict[str, Any]], since: float) -> List[Message]:
    """The bot messages of the latest turn, from the tracker (after a slow reply)."""
    users = [i for i, e in enumerate(events) if e["event"] == "user" and e["timestamp"] >= since]
    shown = []
    for event in events[users[-1] + 1 :] if users else []:
        if event["event"] == "bot":
            message = from_rest({"text": event.get("text"), **(event.get("data") or {})})
            if message is not None:
                shown.append(message)
    return shown


class RestPerson:
    """A person on the REST channel (as the web widget's server posts it)."""

    def __init__(self, helpline: Helpline) -> None:
        self.helpline = helpline
        self.sender = "golden-" + uuid.uuid4().hex[:12]

    def send(self, text: str) -> List[Message]:
        since = time.time() - 1
        reply = httpx.post(
            f"{self.helpline.settings.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            timeout=TURN_TIMEOUT_S,
        )
        assert reply.status_code == 200, reply.text
        raw = reply.json()
        if any(m.get("text") == slow_reply() for m in raw):
            # A slow turn (a loaded machine) finishes in the background: read it from the
            # tracker, so the snapshot does not depend on the machine's speed.
            deadline = time.monotonic() + TURN_TIMEOUT_S
            while not turn_done(events := tracker_events(self.helpline, self.sender), since):
                assert time.monotonic() < deadline, f"turn did not finish: {text!r}"
                time.sleep(0.3)
            print(f"golden: slow turn for {text!r}; its messages were read from the tracker")
            return bot_messages_since(events, since)
        return [m for m in (from_rest(r) for r in raw) if m is not None]


class TelegramPerson:
    """A person on Telegram: real updates to the real channel, answers at the fake Bot API."""

    def __init__(self, helpline: Helpline, api: FakeBotApi) -> None:
        self.helpline = helpline
        self.api = api
        self.chat = TelegramChat(helpline, api)
        self.sender = self.chat.sender

    def _calls(self) -> List[Any]:
        with self.api._changed:
            calls = list(self.api.calls)
        return [
            c
            for c in calls
            if c.ok and c.method in SHOWN_METHODS and c.params.get("chat_id") == self.chat.chat_id
        ]

    def _exchange(self, update: Dict[str, Any]) -> List[Message]:
        before = len(self._calls())
        since = time.time() - 1
        self.chat.send(update)
        deadline = time.monotonic() + TURN_TIMEOUT_S
        last_count, quiet_since = before, time.monotonic()
        while True:
            count = len(self._calls())
            if count != last_count:
                last_count, quiet_since = count, time.monotonic()
            events = tracker_events(self.helpline, self.sender)
            # Rasa may be done before the channel has sent anything (a document is slow under
            # load): a turn whose tracker shows bot messages waits for the first one to arrive.
            answered = count > before or not bot_messages_since(events, since)
            if turn_done(events, since) and answered and time.monotonic() - quiet_since > 1.0:
                break
            # An erased conversation leaves no tracker to wait for: wait for quiet instead.
            if not events and count > before and time.monotonic() - quiet_since > 3:
                break
            assert time.monotonic() < deadline, "the Telegram turn did not finish"
            time.sleep(0.2)
        shown = [from_telegram(c.method, c.params) for c in self._calls()[before:]]
        return [m for m in shown if m is not None and m.text != slow_reply()]

    def send(self, text: str) -> List[Message]:
        return self._exchange(text_update_for(self.chat.chat_id, text))

    def press(self, button: Dict[str, str]) -> List[Message]:
        data = button.get("payload") or button["title"]
        return self._exchange(callback_update(next(UPDATE_IDS), self.chat.chat_id, data))


def text_update_for(chat_id: int, text: str) -> Dict[str, Any]:
    return text_update(next(UPDATE_IDS), chat_id, text)


# ---------------------------------------------------------------- running a conversation


def find_button(turns: List[Turn], title: str) -> Optional[Dict[str, str]]:
    """The button with ``title`` (case and spaces ignored) shown in the last bot turn."""
    wanted = " ".join(title.lower().split())
    for message in reversed(turns[-1].messages if turns else []):
        for button in message.buttons:
            if " ".join(button["title"].lower().split()) == wanted and not button.get("url"):
                return button
    return None


def run(conversation: Conversation, helpline: Helpline, api: FakeBotApi) -> tuple:
    person = (
        TelegramPerson(helpline, api)
        if conversation.channel == "telegram"
        else RestPerson(helpline)
    )
    turns: List[Turn] = []
    for step in conversation.steps:
        if "restart" in step:
            helpline.stop()
            helpline.start()
            turns.append(Turn("", "restart"))
            continue
        if "press" in step:
            button = find_button(turns, step["press"])
            if button is None:
                # Not shown (the product changed): type the title, and say so in the snapshot.
                turns.append(Turn(step["press"], "missing", person.send(step["press"])))
                continue
            if isinstance(person, TelegramPerson):
                messages = person.press(button)
            else:
                messages = person.send(button["payload"])
            turns.append(Turn(button["title"], "press", messages))
            continue
        turns.append(Turn(step["say"], "say", person.send(step["say"])))
    return turns, person.sender


@pytest.mark.parametrize("path", conversation_files(), ids=lambda p: p.stem)
def test_golden_conversation(path, golden_helpline: Helpline, golden_api: FakeBotApi):
    conversation = load(path)
    turns, sender = run(conversation, golden_helpline, golden_api)
    transcript = render(conversation, turns, date.today(), sender)
    snapshot = SNAPSHOTS / f"{conversation.name}.txt"

    problems = [
        f"turn {number} ({turn.person!r}): {problem}"
        for number, turn in enumerate(turns, 1)
        for problem in checks.turn_problems(turn.messages)
    ]
    if UPDATE:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(transcript, encoding="utf-8")
    else:
        assert snapshot.exists(), f"no snapshot yet: run `make golden GOLDEN={conversation.name}`"
        expected = snapshot.read_text(encoding="utf-8")
        if transcript != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    transcript.splitlines(keepends=True),
                    f"snapshots/{snapshot.name} (reviewed)",
                    "what the person reads now",
                )
            )
            pytest.fail(f"the conversation changed:\n{diff}", pytrace=False)
    assert not problems, "what the person reads breaks the rules:\n" + "\n".join(problems)
