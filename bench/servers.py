"""The benchmark's own helpline processes: action server, Rasa servers and a Redis.

Command lines come from bot.serve.commands (the ones `make run` uses), on free ports of
127.0.0.1, with a tracker database under var/bench. Every process is started in its own
process group and stopped by that group's id.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Dict, List, Optional

import httpx
import yaml

from bench.common import bench_environment, free_port
from bot.serve import commands, endpoints_for, wait_ready
from loopbrug.settings import ROOT, Settings

READY_TIMEOUT_S = 300.0


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: IO[bytes]
    lock_store: str = "in_memory"  # Rasa's lock store type, from the endpoints file

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.close()


def bench_settings(model_dir: Path, database: Path, token: str, actions_port: int) -> Settings:
    """Settings for one Rasa server of the benchmark (its model is the newest in model_dir)."""
    return Settings(
        rasa_port=free_port(),
        actions_port=actions_port,
        web_port=free_port(),
        database_url=f"sqlite:///{database}",
        rasa_api_token=token,
        model_dir=model_dir,
    )


def _spawn(name: str, argv: List[str], env: Dict[str, str], log_dir: Path) -> Process:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 (closed in Process.stop)
    popen = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Process(name, popen, log)


def start_actions(settings: Settings, log_dir: Path) -> Process:
    argv = dict((name, argv) for name, argv, _ in commands(settings))["actions"]
    return _spawn("actions", argv, settings.child_environment(bench_environment()), log_dir)


def start_rasa(
    name: str,
    settings: Settings,
    log_dir: Path,
    workers: int = 1,
    redis_url: Optional[str] = None,
) -> Process:
    """A Rasa server as `make run` starts it; with Redis, more Sanic workers are allowed.

    The endpoints file with the lock store is written to var/bench, not to the path
    bot.serve uses by default, so a test starting its own Redis meanwhile is not disturbed.
    """
    plain = replace(settings, redis_url=None)
    argv = dict((n, a) for n, a, _ in commands(plain))["rasa"]
    env = settings.child_environment(bench_environment())
    lock_store = "in_memory"
    if redis_url:
        with_redis = replace(settings, redis_url=redis_url)
        endpoints = endpoints_for(with_redis, log_dir / f"endpoints-{name}.yml")
        argv[argv.index("--endpoints") + 1] = str(endpoints)
        lock_store = yaml.safe_load(endpoints.read_text(encoding="utf-8"))["lock_store"]["type"]
    env["SANIC_WORKERS"] = str(workers)
    process = _spawn(name, argv, env, log_dir)
    process.lock_store = lock_store
    return process


def first_answer(base_url: str, process: Process, timeout: float = READY_TIMEOUT_S) -> None:
    """Wait until the REST channel gives a non-empty answer to a greeting."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=10, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} stopped with code {process.popen.returncode}")
            try:
                reply = client.post(
                    f"{base_url}/webhooks/rest/webhook",
                    json={"sender": f"bench-start-{uuid.uuid4().hex[:8]}", "message": "hallo"},
                )
                if reply.status_code == 200 and reply.json():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise TimeoutError(f"{process.name} gave no answer within {timeout:.0f} s")


def wait_healthy(url: str, process: Process) -> None:
    wait_ready(url, process.popen, timeout=READY_TIMEOUT_S)


class RedisServer:
    """A throw-away redis-server on 127.0.0.1 and a free port; nothing written to disk."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.password = secrets.token_urlsafe(12)
        self.process: Optional[subprocess.Popen] = None

    @staticmethod
    def program() -> Optional[str]:
        return shutil.which("redis-server") or shutil.which(
            "redis-server", path="/usr/sbin:/usr/bin:/sbin"
        )

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        program = self.program()
        if not program:
            raise RuntimeError("redis-server is not installed (`make services-deps`)")
        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [program, "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--requirepass", self.password]
        argv += ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server stopped with code {self.process.returncode}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not answer within 15 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
