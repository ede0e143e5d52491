"""`make run`'s process runner: starts everything, Ctrl-C stops everything it started."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from bot.settings import ROOT
from tests.conftest import free_port

pytestmark = pytest.mark.e2e


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); treat it as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def children(pid: int) -> list:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_ctrl_c_stops_every_process(tmp_path):
    rasa_port, actions_port = free_port(), free_port()
    env = dict(
        os.environ,
        RASA_PORT=str(rasa_port),
        ACTIONS_PORT=str(actions_port),
        WEB_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
    )
    runner = subprocess.Popen(
        [sys.executable, "-m", "bot.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{rasa_port}/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        started = children(runner.pid)
        assert len(started) >= 2
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=60) == 0
        time.sleep(1)
        assert [p for p in started if alive(p)] == []
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
