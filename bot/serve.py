"""Start the whole helpline in the foreground: action server and Rasa server.

``make run`` calls this after set-up. It waits until every process answers its health URL,
prints where to reach them, and stops all of them on Ctrl-C (or when one of them dies, so a
half-running helpline never goes unnoticed). The end-to-end tests start the helpline the
same way, on their own ports.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import unquote, urlsplit

import httpx
import yaml

from bot.settings import ROOT, Settings, load_settings

READY_TIMEOUT_S = 180.0


def latest_model(model_dir: Path) -> Path:
    """Newest trained model archive; fails clearly when there is none."""
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"No trained model in {model_dir}. Run `make train` first.")
    return models[-1]


BASE_CREDENTIALS = ROOT / "bot" / "credentials.yml"
TELEGRAM_CREDENTIALS = ROOT / "var" / "credentials-telegram.yml"


def credentials_for(settings: Settings) -> Path:
    """The channels file for Rasa: REST always, Telegram only when a bot token is set.

    The file holds no secrets: the Telegram channel reads its token, webhook secret and API
    address from the environment that ``Settings.child_environment`` passes on.
    """
    if not settings.telegram_bot_token:
        return BASE_CREDENTIALS
    TELEGRAM_CREDENTIALS.parent.mkdir(parents=True, exist_ok=True)
    TELEGRAM_CREDENTIALS.write_text(
        BASE_CREDENTIALS.read_text(encoding="utf-8") + "connectors.telegram.TelegramInput:\n",
        encoding="utf-8",
    )
    return TELEGRAM_CREDENTIALS


BASE_ENDPOINTS = ROOT / "bot" / "endpoints.yml"
REDIS_ENDPOINTS = ROOT / "var" / "endpoints-redis.yml"
REDIS_SCHEMES = {"redis": False, "rediss": True}  # scheme -> use_ssl
# Rasa's RedisLockStore with atomic lock changes: Rasa's own loses messages that reach two
# processes at once (see bot/lock_store.py). It takes the same arguments.
REDIS_LOCK_STORE = "bot.lock_store.LoopbrugRedisLockStore"


def redis_lock_store(redis_url: str) -> Dict[str, Any]:
    """Rasa's ``lock_store`` section (RedisLockStore's arguments) for a ``redis://`` URL.

    ``redis[s]://[[user]:password@]host[:port][/db]``: port 6379 and database 0 when left out,
    as everywhere else Redis URLs are read; ``rediss://`` turns TLS on.
    """
    parts = urlsplit(redis_url)
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, got {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("REDIS_URL has no host")
    try:
        port = parts.port or 6379
        path = parts.path.strip("/")
        db = int(path) if path else 0
    except ValueError as exc:
        raise ValueError(f"REDIS_URL has a bad port or database number: {exc}") from exc
    section: Dict[str, Any] = {
        "type": REDIS_LOCK_STORE,
        "url": parts.hostname,
        "port": port,
        "db": db,
    }
    if parts.username:
        section["username"] = unquote(parts.username)
    if parts.password:
        section["password"] = unquote(parts.password)
    if REDIS_SCHEMES[parts.scheme]:
        section["use_ssl"] = True
    return section


def endpoints_for(settings: Settings, out: Optional[Path] = None) -> Path:
    """Rasa's endpoints file: bot/endpoints.yml, plus a Redis lock store when REDIS_URL is set.

    Without REDIS_URL, Rasa keeps its in-memory lock store, which serialises one person's
    messages only inside one process. With more than one Rasa process they must share a
    lock store (and a tracker store: DATABASE_URL on PostgreSQL); see README.md.

    A Redis password ends up in the written file, so it is only readable by its owner.
    """
    if not settings.redis_url:
        return BASE_ENDPOINTS
    section = redis_lock_store(settings.redis_url)
    base = BASE_ENDPOINTS.read_text(encoding="utf-8")
    if "lock_store" in (yaml.safe_load(base) or {}):
        raise ValueError(f"{BASE_ENDPOINTS} has its own lock_store; REDIS_URL would add another")
    # Strings as JSON (valid YAML) in double quotes: Rasa expands ${...} in plain scalars only,
    # so a password is taken as written.
    lines = ["", "", "lock_store:"]
    lines += [f"  {key}: {json.dumps(value)}" for key, value in section.items()]
    text = base.rstrip("\n") + "\n".join(lines) + "\n"
    out = out or REDIS_ENDPOINTS
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, out)  # a Rasa process starting now never reads half a file
    return out


def commands(settings: Settings, python: str = sys.executable) -> List[tuple]:
    """(name, argv, health URL) for every process of the helpline."""
    bin_dir = Path(python).parent
    rasa = [
        str(bin_dir / "rasa"),
        "run",
        "--enable-api",
        "--interface",
        settings.host,
        "--port",
        str(settings.rasa_port),
        "--model",
        str(latest_model(settings.model_dir)),
        "--endpoints",
        str(endpoints_for(settings)),
        "--credentials",
        str(credentials_for(settings)),
    ]
    if settings.rasa_api_token:
        rasa += ["--auth-token", settings.rasa_api_token]
    actions = [
        python,
        "-m",
        "rasa_sdk",
        "--actions",
        "actions",
        "--port",
        str(settings.actions_port),
    ]
    web_server = [python, "-m", "web"]
    return [
        ("actions", actions, f"http://{settings.host}:{settings.actions_port}/health"),
        ("rasa", rasa, f"{settings.rasa_url}/"),
        ("web", web_server, f"http://{settings.host}:{settings.web_port}/health"),
    ]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = READY_TIMEOUT_S) -> None:
    """Poll a health URL until it answers 200; fail early if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with code {process.returncode} before it was ready")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def check_settings(settings: Settings) -> None:
    """Stop the start on settings that would only fail later, in a person's conversation."""
    from handoff.hours import OfficeHours

    try:
        OfficeHours.parse(settings.office_hours, settings.timezone)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise SystemExit(
            f"LOOPBRUG_OFFICE_HOURS / LOOPBRUG_TIMEZONE cannot be read: {exc}"
        ) from exc


STOP_GRACE_S = 15.0


def ask_to_stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's whole group (it was started with start_new_session)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)


def wait_or_kill(process: subprocess.Popen, grace: float = STOP_GRACE_S) -> None:
    """Wait for the process to end; SIGKILL its group after ``grace`` seconds."""
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop one process and its children: SIGTERM, then SIGKILL after a grace period."""
    ask_to_stop(process)
    wait_or_kill(process)


class Helpline:
    """The running processes, started in order and stopped together."""

    def __init__(self, settings: Settings, log_dir: Optional[Path] = None) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self.processes: List[tuple] = []
        self.log_files: list = []

    def start(self) -> None:
        """Start every process and wait until each is healthy."""
        check_settings(self.settings)
        env = self.settings.child_environment(os.environ)
        (ROOT / "var").mkdir(exist_ok=True)
        for name, argv, health in commands(self.settings):
            out = None
            if self.log_dir is not None:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                out = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (closed in stop)
                self.log_files.append(out)
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT if out else None,
                start_new_session=True,  # own process group: we stop its children too
            )
            self.processes.append((name, process, health))
            try:
                wait_ready(health, process)
            except Exception:
                self.stop()
                raise
            print(f"[loopbrug] {name} ready: {health}", flush=True)

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL after a grace period)."""
        for _, process, _ in reversed(self.processes):
            ask_to_stop(process)
        for _, process, _ in reversed(self.processes):
            wait_or_kill(process)
        self.processes.clear()
        for handle in self.log_files:
            handle.close()
        self.log_files.clear()

    def watch(self) -> int:
        """Block until a process dies; return its exit code."""
        while True:
            for name, process, _ in self.processes:
                code = process.poll()
                if code is not None:
                    print(
                        f"[loopbrug] {name} stopped with code {code}; stopping the rest", flush=True
                    )
                    return code or 1
            time.sleep(0.5)


def main() -> None:
    """Command line entry point used by `make run`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    settings = load_settings()
    helpline = Helpline(settings)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    # Ctrl-C (SIGINT) and SIGTERM both stop everything. SIGINT is set explicitly because a
    # shell that starts us in the background leaves it ignored, and Python then keeps it so.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        helpline.start()
        print(
            f"[loopbrug] the helpline runs: chat widget http://{settings.host}:{settings.web_port}/, "
            f"REST {settings.rasa_url}/webhooks/rest/webhook (Ctrl-C stops everything)",
            flush=True,
        )
        code = helpline.watch()
    except KeyboardInterrupt:
        code = 0
    finally:
        helpline.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()
