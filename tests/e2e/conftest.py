"""Start the real helpline (action server + Rasa server) once for the e2e tests."""

from __future__ import annotations

import itertools
import re
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import httpx
import pytest

from bot.serve import Helpline
from loopbrug.conversation import telegram_sender, web_sender
from loopbrug.handoff.coaches import add_coach
from loopbrug.settings import ROOT, Settings
from tests.conftest import free_port
from tests.telegram_fake import FakeBotApi, text_update

API_TOKEN = "e2e-" + uuid.uuid4().hex


def make_settings(db_path: Path) -> Settings:
    return Settings(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        database_url=f"sqlite:///{db_path}",
        rasa_api_token=API_TOKEN,
    )


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def helpline(e2e_dir: Path) -> Iterator[Helpline]:
    """The running helpline; logs go to var/test-logs for inspection after a failure."""
    running = Helpline(make_settings(e2e_dir / "loopbrug.db"), log_dir=ROOT / "var" / "test-logs")
    running.start()
    yield running
    running.stop()


class Chat:
    """One person talking to the helpline over the REST channel."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.sender = "e2e-" + uuid.uuid4().hex[:12]

    def post(self, body, **kwargs) -> httpx.Response:
        return httpx.post(
            f"{self.base_url}/webhooks/rest/webhook",
            timeout=30,
            **kwargs,
            **({"json": body} if not isinstance(body, (str, bytes)) else {"content": body}),
        )

    def say(self, text: str) -> list:
        reply = self.post({"sender": self.sender, "message": text})
        assert reply.status_code == 200, reply.text
        return reply.json()

    def text(self, message: str) -> str:
        return " ".join(m.get("text", "") for m in self.say(message))


@pytest.fixture
def chat(helpline: Helpline) -> Chat:
    return Chat(helpline.settings.rasa_url)


def parse(helpline: Helpline, text: str) -> dict:
    """Rasa's /model/parse for ``text`` (the helpline's own API token)."""
    reply = httpx.post(
        f"{helpline.settings.rasa_url}/model/parse",
        params={"token": helpline.settings.rasa_api_token or API_TOKEN},
        json={"text": text},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


# -- Telegram ------------------------------------------------------------------------------
# One webhook secret for every helpline with Telegram that the e2e tests start, and fresh
# update and chat ids every run (the channel drops an update id it has seen).
TELEGRAM_SECRET = "e2e-" + uuid.uuid4().hex
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATE_IDS = itertools.count(int(time.time()))
CHAT_IDS = itertools.count(700_000_000 + uuid.uuid4().int % 10**8)


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    """The fake Telegram Bot API on loopback, one per test module."""
    with FakeBotApi() as fake:
        yield fake


class TelegramChat:
    """One Telegram chat: real Update JSON to Rasa's webhook, answers at the fake Bot API."""

    def __init__(self, helpline: Helpline, api: FakeBotApi) -> None:
        self.url = f"{helpline.settings.rasa_url}/webhooks/telegram/webhook"
        self.api = api
        self.chat_id = next(CHAT_IDS)
        self.sender = telegram_sender(self.chat_id)  # the Rasa conversation id

    def post(self, update: Dict[str, Any], secret: Any = TELEGRAM_SECRET) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return httpx.post(self.url, json=update, headers=headers, timeout=10)

    def send(self, update: Dict[str, Any]) -> None:
        reply = self.post(update)
        assert reply.status_code == 200, reply.text

    def say(self, text: str) -> float:
        """Send ``text``; returns when it was sent (time.monotonic)."""
        sent = time.monotonic()
        self.send(text_update(next(UPDATE_IDS), self.chat_id, text))
        return sent

    def replies(self) -> List[Dict[str, Any]]:
        return self.api.sent(self.chat_id)

    def texts(self) -> List[str]:
        return self.api.texts(self.chat_id)

    def text(self) -> str:
        return " ".join(self.texts())

    def wait_for_replies(self, count: int, timeout: float = 60) -> List[Dict[str, Any]]:
        self.api.wait_for(lambda: len(self.replies()) >= count, timeout=timeout)
        return self.replies()

    def wait_for(self, count: int, timeout: float = 60) -> List[str]:
        self.wait_for_replies(count, timeout)
        return self.texts()

    def say_and_wait(self, text: str, timeout: float = 60) -> str:
        """Send ``text`` and return the answer (all messages of the turn)."""
        before = len(self.texts())
        self.say(text)
        self.api.wait_for(lambda: len(self.texts()) > before, timeout=timeout)
        time.sleep(0.5)  # a turn may send more than one message
        return " ".join(self.texts()[before:])


# -- a helpline with Telegram and coaches --------------------------------------------------


def start_coach_helpline(
    api: FakeBotApi, db_path: Path, log_name: str, coaches: List[tuple], **extra: Any
) -> Helpline:
    """A helpline with the fake Bot API, office hours always open, and these coach accounts
    ((username, first name, team)); the caller stops it."""
    settings = Settings(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        database_url=f"sqlite:///{db_path}",
        rasa_api_token="e2e-" + uuid.uuid4().hex,
        telegram_bot_token=api.token,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_api_base_url=api.base_url,
        office_hours="ma-zo 00:00-24:00",  # always open: the texts do not depend on the hour
        **extra,
    )
    running = Helpline(settings, log_dir=ROOT / "var" / "test-logs" / log_name)
    running.start()
    for username, name, team in coaches:
        add_coach(username, name, [team], PASSWORD, url=settings.database_url)
    return running


# -- the coach inbox -----------------------------------------------------------------------
# One password for every coach account the e2e tests make; a ticket reference as people see it.
PASSWORD = "een-lang-wachtwoord-" + uuid.uuid4().hex[:8]
REF = re.compile(r"LB-[A-Z0-9]{6}")


class Coach:
    """A coach in the inbox, through plain HTTP (forms and redirects, as a browser does)."""

    def __init__(self, helpline: Helpline, username: str) -> None:
        self.client = client_for(helpline)
        page = self.client.get("/coach/login")
        login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
        reply = self.client.post(
            "/coach/login",
            data={"username": username, "password": PASSWORD, "login_csrf": login_csrf},
        )
        assert reply.status_code == 303, reply.text

    def page(self, ref: str) -> httpx.Response:
        return self.client.get(f"/coach/tickets/{ref}")

    def post(self, ref: str, action: str, **fields: str) -> httpx.Response:
        page = self.page(ref)
        assert page.status_code == 200, page.status_code
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        reply = self.client.post(f"/coach/tickets/{ref}/{action}", data={"csrf": csrf, **fields})
        assert reply.status_code == 303, reply.text
        return reply

    def transcript(self, ref: str) -> Dict[str, Any]:
        reply = self.client.get(f"/coach/tickets/{ref}/transcript.json")
        assert reply.status_code == 200, reply.text
        return reply.json()


# -- the web widget's API ---------------------------------------------------------------------
_clients: List[httpx.Client] = []


def client_for(helpline: Helpline) -> httpx.Client:
    """An HTTP client to the web server, closed after the test (see close_clients)."""
    client = httpx.Client(base_url=f"http://127.0.0.1:{helpline.settings.web_port}", timeout=30)
    _clients.append(client)
    return client


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while _clients:
        _clients.pop().close()


class WebPerson:
    """A person in the web widget, through the web server's API (as widget.js calls it)."""

    def __init__(self, helpline: Helpline) -> None:
        self.client = client_for(helpline)
        reply = self.client.post("/api/session")
        assert reply.status_code == 200, reply.text
        self.session = reply.json()["session"]
        self.sender = web_sender(self.session)  # the Rasa conversation id
        self.cursor = self.client.get("/api/updates", params={"session": self.session}).json()[
            "cursor"
        ]

    def post(self, text: str) -> httpx.Response:
        return self.client.post("/api/message", json={"session": self.session, "message": text})

    def say(self, text: str) -> List[Dict[str, Any]]:
        reply = self.post(text)
        assert reply.status_code == 200, reply.text
        return reply.json()["messages"]

    def text(self, message: str) -> str:
        return "\n".join(m["text"] for m in self.say(message))

    def gets_a_ticket(self, place: str = "sla over", contact: str = "hier in de chat") -> str:
        """Asks for a coach, agrees, answers the place and the contact question; returns the
        ticket's reference (the steps themselves are tested in test_handoff_e2e.py)."""
        assert "Vind je dat goed?" in self.text("ik wil een coach spreken")
        self.text("ja")
        self.text(place)
        return REF.search(self.text(contact)).group(0)

    def updates(self) -> Dict[str, Any]:
        """New relay messages (coach replies, notices, late answers) since the last call."""
        reply = self.client.get(
            "/api/updates", params={"session": self.session, "after": self.cursor}
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        self.cursor = body["cursor"]
        return body

    def wait_for_updates(
        self, done: Callable[[List[Dict[str, Any]]], bool], timeout: float = 20
    ) -> Dict[str, Any]:
        """Poll /api/updates, as the widget does, until ``done(messages so far)``."""
        deadline = time.monotonic() + timeout
        seen: List[Dict[str, Any]] = []
        while time.monotonic() < deadline:
            body = self.updates()
            seen += body["messages"]
            if done(seen):
                return {"messages": seen, "live": body["live"]}
            time.sleep(0.5)
        raise AssertionError(f"updates did not come within {timeout:.0f} s; saw {seen}")

    def wait_for_update(self, needle: str, timeout: float = 20) -> Dict[str, Any]:
        return self.wait_for_updates(lambda seen: any(needle in m["text"] for m in seen), timeout)
