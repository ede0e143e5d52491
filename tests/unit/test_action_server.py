"""The action server answers only calls that carry Rasa's token (bot/action_server.py)."""

import json
import os
import subprocess
import sys
import time
from typing import Iterator

import httpx
import pytest

from loopbrug.settings import ROOT
from tests.conftest import free_port

TOKEN = "a-token-only-rasa-knows"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, LOOPBRUG_ACTION_TOKEN=TOKEN, SANIC_HOST="127.0.0.1")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=30)


def call(url: str, token=None) -> httpx.Response:
    body = {"next_action": "action_delete_data", "sender_id": "web-someone-else", "tracker": {}}
    params = {"token": token} if token is not None else {}
    return httpx.post(f"{url}/webhook", json=body, params=params, timeout=10)


def test_a_call_without_the_token_is_refused(server):
    assert call(server).status_code == 401
    assert call(server, "wrong").status_code == 401


def test_health_needs_no_token(server):
    assert httpx.get(f"{server}/health", timeout=5).status_code == 200


def test_a_call_with_the_token_reaches_rasa_sdk(server):
    # rasa-sdk itself answers now (here: a tracker it cannot read), not our 401.
    assert call(server, TOKEN).status_code != 401


def test_no_token_no_server():
    from bot.action_server import build_app

    with pytest.raises(SystemExit):
        build_app("")


def test_events_sent_as_a_chain_reach_the_action(server):
    """Rasa sends only new events (loopbrug/event_chain.py); the server adds the ones it holds."""
    from loopbrug.event_chain import KEY, delta

    listen = '{"event": "action", "name": "action_listen"}'
    said = '{"event": "user", "text": "wis alles", "parse_data": {}}'

    def chain(base: int, digest: str, texts: list) -> httpx.Response:
        body = {
            "next_action": "action_does_not_exist",
            "sender_id": "web-chain",
            "tracker": {"sender_id": "web-chain", "events": []},
            KEY: json.loads(delta(base, digest, texts, base + len(texts))),
        }
        return httpx.post(f"{server}/webhook", json=body, params={"token": TOKEN}, timeout=10)

    assert chain(1, "unknown", [said]).status_code == 409  # nothing held: Rasa sends all
    first = chain(0, "", [listen])
    assert first.status_code not in (401, 409)  # rasa-sdk answers (the action is unknown)
    from loopbrug.event_chain import extend, new_digest

    digest = extend(new_digest(), 0, [listen]).hexdigest()
    second = chain(1, digest, [said])
    assert second.status_code not in (401, 409)
    assert chain(1, "another digest", [said]).status_code == 409
