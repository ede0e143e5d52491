"""Throw-away PostgreSQL and Redis servers from Debian's packages, for the tests that need the
real thing (tests/e2e/test_multiprocess_e2e.py, tests/unit/test_migrations.py).

PostgreSQL refuses to run as root. As root the helpers run initdb, postgres and pg_ctl as the
``postgres`` user that Debian's package creates (``runuser -u postgres``), with the data
directory in a temporary directory owned by that user; as any other user they run them as
that user. Missing programs fail the test: it is never skipped.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

import pytest
import redis

from tests.conftest import free_port

INSTALL_HINT = "run `make services-deps` (Debian's postgresql and redis-server packages)"


def postgres_bin_dir() -> Path:
    """/usr/lib/postgresql/<version>/bin of the newest installed server."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        pytest.fail(f"PostgreSQL's server programs are missing: {INSTALL_HINT}", pytrace=False)
    return Path(max(found, key=lambda p: int(Path(p).parts[-3].split(".")[0]))).parent


def redis_server_program() -> str:
    program = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/sbin")
    if not program:
        pytest.fail(f"redis-server is missing: {INSTALL_HINT}", pytrace=False)
    return program


class Postgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1, trust authentication, no fsync."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.owner: Optional[str] = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail(
                    f"running as root, but there is no postgres user: {INSTALL_HINT}",
                    pytrace=False,
                )
            self.owner = "postgres"
        # Not under pytest's tmp_path: that is private to root, and postgres must reach it.
        self.base = Path(tempfile.mkdtemp(prefix="loopbrug-postgres-"))
        if self.owner:
            shutil.chown(self.base, user=self.owner, group=self.owner)
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://loopbrug@127.0.0.1:{self.port}/loopbrug"

    def new_database(self, name: str) -> str:
        """Create an empty database ``name`` on this server; returns its URL."""
        import sqlalchemy as sa

        admin = sa.create_engine(self.url, future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def run(self, program: str, *args: str) -> None:
        argv = [str(self.bin_dir / program), *args]
        if self.owner:
            argv = ["runuser", "-u", self.owner, "--", *argv]
        done = subprocess.run(argv, cwd=self.base, capture_output=True, text=True, timeout=90)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}\n{log}")

    def pg_ctl(self, action: str) -> None:
        self.run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60")

    def start(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "loopbrug", "--auth=trust", "-E", "UTF8")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.base}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        self.pg_ctl("start")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "loopbrug", "loopbrug")

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again, as an upgrade would."""
        self.run("pg_ctl", "restart", "-D", str(self.data), "-l", str(self.log), "-w", "-m", "fast")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.run("pg_ctl", "stop", "-D", str(self.data), "-w", "-m", "fast")
            except (RuntimeError, subprocess.TimeoutExpired):
                self.run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate")
        shutil.rmtree(self.base, ignore_errors=True)


class Redis:
    """A throw-away redis-server on 127.0.0.1 with a password, nothing written to disk."""

    def __init__(self, program: str, base: Path) -> None:
        self.program = program
        self.base = base
        self.port = free_port()
        self.password = secrets.token_urlsafe(12)
        self.db = 2
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/{self.db}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, db=self.db)

    def start(self) -> None:
        argv = [self.program, "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--requirepass", self.password]
        argv += ["--dir", str(self.base), "--logfile", str(self.base / "redis.log")]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server stopped with code {self.process.returncode}")
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not answer within 10 s")

    def lock_calls(self) -> int:
        """How often a lock was written (Rasa's RedisLockStore saves locks with SET)."""
        return int(self.client().info("commandstats").get("cmdstat_set", {}).get("calls", 0))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
