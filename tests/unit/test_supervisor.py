"""The supervisor in bot/serve.py: restart with back-off, kill what hangs, write the status."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from bot import serve
from bot.serve import Helpline, Supervised
from loopbrug.settings import Settings
from tests.conftest import free_port

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


class Health:
    """A health URL whose answer the test sets."""

    def __init__(self) -> None:
        self.status = 200
        health = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                self.send_response(health.status)
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/health"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def health() -> Iterator[Health]:
    server = Health()
    yield server
    server.close()


@pytest.fixture
def helpline(tmp_path, health: Health) -> Iterator[Helpline]:
    running = Helpline(Settings(), status_file=tmp_path / "status.json")
    item = Supervised("actions", SLEEPER, health.url)
    running.supervised.append(item)
    running._spawn(item)
    item.state = "up"
    yield running
    running.stop()


def test_a_process_that_dies_is_started_again_after_a_doubling_back_off(helpline):
    item = helpline.item("actions")
    first = item.process.pid
    item.process.send_signal(signal.SIGKILL)
    item.process.wait()
    now = time.monotonic()
    helpline.check_once(now)
    assert item.state == "restarting" and item.last_exit == -signal.SIGKILL
    helpline.check_once(now + 0.5)
    assert item.state == "restarting"  # the first back-off is a second
    helpline.check_once(now + 1.1)
    assert item.state == "starting" and item.process.pid != first and item.restarts == 1
    # Dying again at once doubles the wait.
    item.process.send_signal(signal.SIGKILL)
    item.process.wait()
    later = time.monotonic()
    helpline.check_once(later)
    assert item.restart_at - later == pytest.approx(2.0, abs=0.01)


def test_the_back_off_starts_over_after_a_stable_minute(helpline):
    item = helpline.item("actions")
    item.in_a_row = 4
    item.started_at -= serve.STABLE_AFTER_S + 1
    item.process.send_signal(signal.SIGKILL)
    item.process.wait()
    now = time.monotonic()
    helpline.check_once(now)
    assert item.restart_at - now == pytest.approx(serve.RESTART_FIRST_S, abs=0.01)


def test_the_back_off_never_exceeds_its_maximum(helpline):
    item = helpline.item("actions")
    item.in_a_row = 20
    item.process.send_signal(signal.SIGKILL)
    item.process.wait()
    now = time.monotonic()
    helpline.check_once(now)
    assert item.restart_at - now == pytest.approx(serve.RESTART_MAX_S, abs=0.01)


def test_a_process_that_stops_answering_is_killed_and_started_again(helpline, health):
    item = helpline.item("actions")
    hung = item.process
    health.status = 500
    now = time.monotonic()
    for check in range(serve.HUNG_AFTER):
        assert hung.poll() is None
        helpline.check_once(now + (check + 1) * serve.HEALTH_EVERY_S)
    assert hung.poll() is not None and item.state == "restarting"


def test_a_healthy_process_is_left_alone_and_the_status_is_written(helpline, tmp_path):
    item = helpline.item("actions")
    pid = item.process.pid
    helpline.check_once(time.monotonic() + serve.HEALTH_EVERY_S)
    assert item.process.pid == pid and item.state == "up"
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["actions"]["state"] == "up" and status["actions"]["pid"] == pid


def test_stop_ends_a_process_that_ignores_sigterm(tmp_path, health, monkeypatch):
    monkeypatch.setattr(serve, "STOP_GRACE_S", 1.0)
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)",
    ]
    running = Helpline(Settings())
    item = Supervised("web", stubborn, health.url)
    running.supervised.append(item)
    running._spawn(item)
    time.sleep(0.5)  # let it install its handler
    process = item.process
    started = time.monotonic()
    running.stop()
    assert process.poll() is not None
    assert time.monotonic() - started < serve.STOP_GRACE_S + 3


def test_processes_create_files_for_their_owner_only(tmp_path, health):
    running = Helpline(Settings())
    target = tmp_path / "made-by-child.db"
    item = Supervised(
        "web", [sys.executable, "-c", f"open({str(target)!r}, 'w').close()"], health.url
    )
    running.supervised.append(item)
    running._spawn(item)
    item.process.wait(timeout=30)
    running.stop()
    assert target.stat().st_mode & 0o777 == 0o600


def test_an_existing_sqlite_database_is_made_private(tmp_path):
    database = tmp_path / "loopbrug.db"
    database.write_text("")
    database.chmod(0o644)
    serve.make_database_private(f"sqlite:///{database}")
    assert database.stat().st_mode & 0o777 == 0o600
