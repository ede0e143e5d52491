"""`make run`'s process runner: starts everything, Ctrl-C stops everything it started."""

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from bot.serve import wait_ready
from loopbrug.settings import ROOT
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


def stop_runner(runner: subprocess.Popen) -> None:
    """After a failed test too: the runner and every process group it started."""
    if runner.poll() is None:
        for pid in children(runner.pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        runner.kill()
    runner.wait()


def start_runner(tmp_path) -> tuple:
    """`make run`'s runner (python -m bot.serve) on free ports: (process, ports)."""
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    env = dict(
        os.environ,
        RASA_PORT=str(ports["rasa"]),
        ACTIONS_PORT=str(ports["actions"]),
        WEB_PORT=str(ports["web"]),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
    )
    runner = subprocess.Popen(
        [sys.executable, "-m", "bot.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return runner, ports


def test_ctrl_c_stops_every_process(tmp_path):
    runner, ports = start_runner(tmp_path)
    try:
        wait_ready(f"http://127.0.0.1:{ports['rasa']}/", runner, 180)
        started = children(runner.pid)
        assert len(started) >= 2
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=60) == 0
        time.sleep(1)
        assert [p for p in started if alive(p)] == []
    finally:
        stop_runner(runner)


def command_of(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        return handle.read().replace(b"\0", b" ").decode()


def pid_of(runner: subprocess.Popen, needle: str) -> int:
    """The child of ``runner`` whose command line holds ``needle``."""
    return next(pid for pid in children(runner.pid) if needle in command_of(pid))


def port_taken(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_killed_process_comes_back_and_nothing_is_lost(tmp_path):
    """Issue 15: kill -9 of one process once stopped the whole helpline."""
    runner, ports = start_runner(tmp_path)
    rest = f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook"
    health = {
        "rasa": f"http://127.0.0.1:{ports['rasa']}/",
        "actions": f"http://127.0.0.1:{ports['actions']}/health",
        "web": f"http://127.0.0.1:{ports['web']}/health",
    }
    sent: list = []
    try:
        for url in health.values():
            wait_ready(url, runner, 180)

        def say(text: str) -> list:
            reply = httpx.post(rest, json={"sender": "load", "message": text}, timeout=30)
            assert reply.status_code == 200, reply.text
            sent.append(text)
            return reply.json()

        # Under load: messages keep coming while the action server is killed.
        stop = threading.Event()
        errors: list = []

        def load() -> None:
            n = 0
            while not stop.is_set() and n < 200:
                try:
                    assert say(f"hoe kom ik aan een scholingsvoucher {n}")
                except Exception as exc:  # noqa: BLE001 (reported below)
                    errors.append(repr(exc))
                n += 1
                time.sleep(0.05)

        worker = threading.Thread(target=load)
        worker.start()
        time.sleep(2)
        killed = pid_of(runner, "bot.action_server")
        os.kill(killed, signal.SIGKILL)
        time.sleep(1)
        wait_ready(health["actions"], runner, 60)
        time.sleep(2)
        stop.set()
        worker.join(timeout=60)
        assert errors == []
        assert pid_of(runner, "bot.action_server") != killed
        answer = say("hoe kom ik aan een scholingsvoucher")
        assert "voucher" in " ".join(m.get("text", "") for m in answer).lower()

        # The web server and Rasa itself come back too; the conversation goes on.
        os.kill(pid_of(runner, "-m web"), signal.SIGKILL)
        wait_ready(health["web"], runner, 60)
        os.kill(pid_of(runner, "bot.rasa_server"), signal.SIGKILL)
        time.sleep(1)
        wait_ready(health["rasa"], runner, 180)
        assert say("hoi")
        events = httpx.get(
            f"http://127.0.0.1:{ports['rasa']}/conversations/load/tracker", timeout=30
        ).json()["events"]
        stored = [e["text"] for e in events if e["event"] == "user"]
        assert stored == sent  # every message, in order

        # One SIGTERM, then a second one at once: everything stops, no port stays taken.
        started = children(runner.pid)
        runner.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=60) == 0
        time.sleep(1)
        assert [p for p in started if alive(p)] == []
        assert [name for name, port in ports.items() if port_taken(port)] == []
    finally:
        stop_runner(runner)


def test_no_secret_shows_on_a_command_line(helpline):
    """Issue 15: the Rasa API token was visible to every local user in `ps`."""
    from tests.e2e.conftest import API_TOKEN

    pids = [item.process.pid for item in helpline.supervised]
    pids += [child for pid in pids for child in children(pid)]
    lines = [command_of(pid) for pid in pids if alive(pid)]
    assert any("bot.rasa_server" in line for line in lines)
    assert [line for line in lines if API_TOKEN in line] == []
    assert [line for line in lines if helpline.settings.action_token in line] == []
    # The API still wants the token, and gets it.
    url = f"{helpline.settings.rasa_url}/conversations/nobody/tracker"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": API_TOKEN}, timeout=10).status_code == 200
