"""Start the real helpline (action server + Rasa server) once for the e2e tests."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from bot.serve import Helpline
from bot.settings import ROOT, Settings
from tests.conftest import free_port

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
    reply = httpx.post(
        f"{helpline.settings.rasa_url}/model/parse",
        params={"token": API_TOKEN},
        json={"text": text},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()
