"""Start the whole helpline in the foreground and keep it up: action, Rasa and web servers.

``make run`` calls this after set-up. It waits until every process answers its health URL,
prints where to reach them, and then supervises them:

* a process that exits (a crash, ``kill -9``) is started again, after a back-off that doubles
  with every restart in a row (1 s up to 30 s) and starts over once a process has run well for
  a minute; the others keep serving meanwhile (the channels give the friendly "not reachable"
  answer while the action server is away, the widget says Rasa is not reachable);
* a process that stops answering its health URL (hung) for ``HUNG_AFTER`` checks in a row is
  killed and started again;
* what every process is doing (up, restarting, its restarts and last exit code) is written to
  ``var/helpline-status.json`` and printed;
* Ctrl-C or one SIGTERM stops everything, always: from the first signal on, further signals
  are ignored, so they cannot interrupt the clean-up, and a process that does not stop within
  its grace period is killed with its whole process group. No process stays on a port.

Why our own supervisor and not supervisord or honcho: honcho stops everything when one
process dies (what this module did before); supervisord is a daemon with its own config,
control socket and stop semantics, and it cannot tell a hung Rasa from a busy one by its
health URL. The end-to-end tests also start ``Helpline`` in-process. The loop below is small
and each rule of it is tested (tests/e2e/test_serve.py).
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
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import unquote, urlsplit

import httpx
import yaml

from loopbrug.settings import ROOT, Settings, load_settings

READY_TIMEOUT_S = 180.0


def latest_model(model_dir: Path) -> Path:
    """Newest trained model archive; fails clearly when there is none."""
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"No trained model in {model_dir}. Run `make train` first.")
    return models[-1]


BASE_CREDENTIALS = ROOT / "bot" / "credentials.yml"
TELEGRAM_CREDENTIALS = ROOT / "var" / "credentials-telegram.yml"
TELEGRAM_CHANNEL = "connectors.telegram.channel.TelegramInput"


def credentials_for(settings: Settings) -> Path:
    """The channels file for Rasa: REST always, Telegram only when a bot token is set.

    The file holds no secrets: the Telegram channel reads its token, webhook secret and API
    address from the settings (the environment that ``Settings.child_environment`` passes on).
    """
    if not settings.telegram_bot_token:
        return BASE_CREDENTIALS
    TELEGRAM_CREDENTIALS.parent.mkdir(parents=True, exist_ok=True)
    TELEGRAM_CREDENTIALS.write_text(
        BASE_CREDENTIALS.read_text(encoding="utf-8") + f"{TELEGRAM_CHANNEL}:\n",
        encoding="utf-8",
    )
    return TELEGRAM_CREDENTIALS


BASE_ENDPOINTS = ROOT / "bot" / "endpoints.yml"
REDIS_ENDPOINTS = ROOT / "var" / "endpoints-redis.yml"
REDIS_SCHEMES = {"redis": False, "rediss": True}  # scheme -> use_ssl
# Rasa's RedisLockStore with atomic lock changes: Rasa's own loses messages that reach two
# processes at once (see bot/extensions/lock_store.py). It takes the same arguments.
REDIS_LOCK_STORE = "bot.extensions.lock_store.LoopbrugRedisLockStore"


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
    # Rasa's command line through bot/rasa_server.py: it applies our Rasa extensions
    # (bot/extensions/) and adds the API token (RASA_API_TOKEN), so it never shows in `ps`.
    rasa = [
        python,
        "-m",
        "bot.rasa_server",
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
    # rasa-sdk's server, answering only calls that carry Rasa's token (bot/action_server.py).
    actions = [python, "-m", "bot.action_server", "--port", str(settings.actions_port)]
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
    from loopbrug.handoff.hours import office_hours

    try:
        office_hours(settings)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise SystemExit(
            f"LOOPBRUG_OFFICE_HOURS / LOOPBRUG_TIMEZONE cannot be read: {exc}"
        ) from exc


STOP_GRACE_S = 15.0


def ask_to_stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's whole group (it was started with start_new_session)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)


def wait_or_kill(process: subprocess.Popen, grace: Optional[float] = None) -> None:
    """Wait for the process to end; SIGKILL its group after ``grace`` seconds."""
    try:
        process.wait(timeout=STOP_GRACE_S if grace is None else grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def stop_process_group(process: subprocess.Popen, grace: Optional[float] = None) -> None:
    """Stop one process and its children: SIGTERM, then SIGKILL after a grace period."""
    ask_to_stop(process)
    wait_or_kill(process, grace)


# Restart back-off: 1, 2, 4, ... seconds, at most RESTART_MAX_S; a process that ran well for
# STABLE_AFTER_S starts again at 1 s.
RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
STABLE_AFTER_S = 60.0
# Health: checked every HEALTH_EVERY_S; HUNG_AFTER failures in a row while the process lives
# mean it hangs (Rasa answers its health URL within milliseconds even when busy).
HEALTH_EVERY_S = 5.0
HEALTH_TIMEOUT_S = 3.0
HUNG_AFTER = 3
STATUS_FILE = ROOT / "var" / "helpline-status.json"
# Files the processes create (the SQLite database, logs) are readable by their owner only:
# they hold conversations.
PRIVATE_UMASK = 0o077


def make_database_private(database_url: str) -> None:
    """An SQLite database made earlier with looser rights is closed to other users."""
    if not database_url.startswith("sqlite:///"):
        return
    path = Path(database_url.removeprefix("sqlite:///"))
    for file in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
        if file.exists():
            file.chmod(0o600)


class Supervised:
    """One process of the helpline and what the supervisor knows about it."""

    def __init__(self, name: str, argv: List[str], health: str) -> None:
        self.name = name
        self.argv = argv
        self.health = health
        self.process: Optional[subprocess.Popen] = None
        self.state = "starting"
        self.restarts = 0
        self.in_a_row = 0  # restarts since the process last ran well
        self.started_at = 0.0
        self.restart_at: Optional[float] = None
        self.failed_checks = 0
        self.next_check = 0.0
        self.last_exit: Optional[int] = None

    def status(self) -> Dict[str, Any]:
        return {
            "state": self.state,
            "pid": self.process.pid if self.process else None,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
            "health": self.health,
        }


class Helpline:
    """The running processes: started in order, kept up, stopped together."""

    def __init__(
        self, settings: Settings, log_dir: Optional[Path] = None, status_file: Optional[Path] = None
    ) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self.status_file = status_file
        self.supervised: List[Supervised] = []
        self.log_files: list = []
        self.env: Dict[str, str] = {}

    @property
    def processes(self) -> List[tuple]:
        """(name, process, health URL) of every running process."""
        return [(s.name, s.process, s.health) for s in self.supervised if s.process is not None]

    def _spawn(self, item: Supervised) -> None:
        out = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{item.name}.log", "ab")  # noqa: SIM115 (closed in stop)
            self.log_files.append(out)
        item.process = subprocess.Popen(
            item.argv,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,  # own process group: we stop its children too
            umask=PRIVATE_UMASK,
        )
        item.started_at = time.monotonic()
        item.failed_checks = 0
        item.next_check = item.started_at + HEALTH_EVERY_S

    def start(self) -> None:
        """Start every process and wait until each is healthy."""
        check_settings(self.settings)
        self.env = self.settings.child_environment(os.environ)
        (ROOT / "var").mkdir(exist_ok=True)
        make_database_private(self.settings.database_url)
        for name, argv, health in commands(self.settings):
            item = Supervised(name, argv, health)
            self.supervised.append(item)
            self._spawn(item)
            try:
                wait_ready(health, item.process)
            except Exception:
                self.stop()
                raise
            item.state = "up"
            print(f"[loopbrug] {name} ready: {health}", flush=True)
        self.write_status()

    def item(self, name: str) -> Supervised:
        """The supervised process called ``name`` (actions, rasa, web)."""
        return next(item for item in self.supervised if item.name == name)

    def start_again(self, name: str) -> None:
        """Start a stopped process again now and wait until it is healthy (tests use this)."""
        item = self.item(name)
        self._spawn(item)
        wait_ready(item.health, item.process)
        item.state = "up"

    def stop(self) -> None:
        """Stop every process (SIGTERM to its group, then SIGKILL after a grace period)."""
        for item in reversed(self.supervised):
            if item.process is not None:
                ask_to_stop(item.process)
        for item in reversed(self.supervised):
            if item.process is not None:
                wait_or_kill(item.process)
                item.state = "stopped"
        self.supervised.clear()
        for handle in self.log_files:
            handle.close()
        self.log_files.clear()

    def write_status(self) -> None:
        """What every process is doing, for operators (``var/helpline-status.json``)."""
        if self.status_file is None:
            return
        status = {item.name: item.status() for item in self.supervised}
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.status_file.with_name(f".{self.status_file.name}.{os.getpid()}")
        temporary.write_text(json.dumps(status, indent=2), encoding="utf-8")
        os.replace(temporary, self.status_file)

    def _healthy(self, item: Supervised) -> bool:
        try:
            return httpx.get(item.health, timeout=HEALTH_TIMEOUT_S).status_code == 200
        except httpx.HTTPError:
            return False

    def _schedule_restart(self, item: Supervised, why: str, now: float) -> None:
        if now - item.started_at >= STABLE_AFTER_S:
            item.in_a_row = 0
        delay = min(RESTART_FIRST_S * 2**item.in_a_row, RESTART_MAX_S)
        item.in_a_row += 1
        item.state = "restarting"
        item.restart_at = now + delay
        print(f"[loopbrug] {item.name} {why}; starting it again in {delay:.0f} s", flush=True)

    def check_once(self, now: Optional[float] = None) -> None:
        """One round of supervision: restart what died, kill what hangs, start what is due."""
        now = time.monotonic() if now is None else now
        for item in self.supervised:
            if item.state == "restarting":
                if item.restart_at is not None and now >= item.restart_at:
                    item.restarts += 1
                    item.restart_at = None
                    self._spawn(item)
                    item.state = "starting"
                continue
            code = item.process.poll() if item.process else None
            if item.process is not None and code is not None:
                item.last_exit = code
                self._schedule_restart(item, f"stopped with code {code}", now)
                continue
            if now < item.next_check:
                continue
            item.next_check = now + HEALTH_EVERY_S
            if self._healthy(item):
                item.failed_checks = 0
                if item.state != "up":
                    item.state = "up"
                    print(f"[loopbrug] {item.name} is up again", flush=True)
                continue
            if item.state == "starting" and now - item.started_at < READY_TIMEOUT_S:
                continue  # still loading (Rasa needs a while for its model)
            item.failed_checks += 1
            if item.failed_checks >= HUNG_AFTER:
                print(f"[loopbrug] {item.name} does not answer; stopping it", flush=True)
                stop_process_group(item.process, grace=0)
                item.last_exit = item.process.returncode
                self._schedule_restart(item, "hung", now)
        self.write_status()

    def watch(self, stop_requested: Callable[[], bool]) -> None:
        """Supervise until ``stop_requested()``."""
        while not stop_requested():
            self.check_once()
            time.sleep(0.5)


def main() -> None:
    """Command line entry point used by `make run`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    settings = load_settings()
    helpline = Helpline(settings, status_file=STATUS_FILE)
    stopping = []

    def on_signal(signum, _frame):
        # The first signal asks to stop; from then on signals are ignored, so a second Ctrl-C
        # or SIGTERM cannot interrupt the clean-up and leave a process on its port.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stopping.append(signum)

    # Ctrl-C (SIGINT) and SIGTERM both stop everything. SIGINT is set explicitly because a
    # shell that starts us in the background leaves it ignored, and Python then keeps it so.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    code = 0
    try:
        helpline.start()
        print(
            f"[loopbrug] the helpline runs: chat widget http://{settings.host}:{settings.web_port}/, "
            f"REST {settings.rasa_url}/webhooks/rest/webhook (Ctrl-C stops everything)",
            flush=True,
        )
        helpline.watch(lambda: bool(stopping))
    except Exception as exc:  # a start that failed: say why, stop what did start
        print(f"[loopbrug] {exc}", flush=True)
        code = 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        helpline.stop()
        print("[loopbrug] stopped", flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
