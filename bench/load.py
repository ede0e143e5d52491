"""Speed: per-turn latency and throughput over the REST channel, with asyncio and httpx.

``users`` virtual users each play the scripted conversations (bench/conversations.yml) one
after the other, every time as a new person (fresh sender id), and send their next message
as soon as the answer to the previous one is in (closed loop, no think time). A run stops by
itself after ``duration`` seconds or ``max_messages`` messages, whichever comes first;
requests already sent are waited for. Requests go to 127.0.0.1 only.

An error is a reply other than 200, a timeout, a broken connection or an empty answer (the
helpline answers every message); the conversation with the error is abandoned and the user
starts the next one. Latency percentiles are over the answered messages.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence
from urllib.parse import urlsplit

import httpx
import yaml

from bench.common import percentile

CONVERSATIONS = Path(__file__).with_name("conversations.yml")
LOOPBACK = "127.0.0.1"


@dataclass
class LoadResult:
    """One load level: what was sent, how fast it was answered and what failed."""

    users: int
    seconds: float
    sent: int
    answered: int
    errors: Dict[str, int] = field(default_factory=dict)
    throughput: float = 0.0  # answered messages per second
    p50_ms: float = float("nan")
    p95_ms: float = float("nan")
    p99_ms: float = float("nan")
    max_ms: float = float("nan")
    conversations: int = 0


def conversations(path: Path = CONVERSATIONS) -> List[List[str]]:
    """The scripted conversations, as lists of messages."""
    return [[str(m) for m in c["messages"]] for c in yaml.safe_load(path.read_text("utf-8"))]


def summarise(
    users: int, seconds: float, latencies: Sequence[float], errors: Sequence[str], started: int = 0
) -> LoadResult:
    """Turn raw observations (latencies in seconds, error kinds) into a LoadResult."""
    ms = [s * 1000 for s in latencies]
    return LoadResult(
        users=users,
        seconds=seconds,
        sent=len(latencies) + len(errors),
        answered=len(latencies),
        errors=dict(Counter(errors)),
        throughput=len(latencies) / seconds if seconds > 0 else 0.0,
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        max_ms=max(ms) if ms else float("nan"),
        conversations=started,
    )


def check_loopback(base_url: str) -> None:
    if urlsplit(base_url).hostname != LOOPBACK:
        raise ValueError(f"the load test only talks to {LOOPBACK}, not {base_url}")


class _Budget:
    """Shared stop condition: a deadline and a message count."""

    def __init__(self, duration: float, max_messages: int) -> None:
        self.deadline = time.monotonic() + duration
        self.left = max_messages

    def take(self) -> bool:
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True


def send_error(exc: Optional[httpx.HTTPError], reply: Optional[httpx.Response]) -> Optional[str]:
    """What went wrong with one message (a transport error or a bad answer), or None when it
    was answered. Shared with bench/long.py, which sends without asyncio."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if exc is not None:
        return type(exc).__name__
    if reply.status_code != 200:
        return f"HTTP {reply.status_code}"
    try:
        return None if reply.json() else "empty answer"
    except ValueError:
        return "not JSON"


async def _send(client: httpx.AsyncClient, url: str, sender: str, text: str) -> Optional[str]:
    """Send one message; None when answered, else the kind of error."""
    try:
        reply = await client.post(url, json={"sender": sender, "message": text})
    except httpx.HTTPError as exc:
        return send_error(exc, None)
    return send_error(None, reply)


async def _user(
    client: httpx.AsyncClient,
    url: str,
    scripts: List[List[str]],
    first: int,
    budget: _Budget,
    latencies: List[float],
    errors: List[str],
    started: List[int],
) -> None:
    number = first
    while True:
        script = scripts[number % len(scripts)]
        number += 1
        sender = f"bench-{uuid.uuid4().hex[:16]}"
        started.append(1)
        for text in script:
            if not budget.take():
                return
            begin = time.perf_counter()
            error = await _send(client, url, sender, text)
            if error:
                errors.append(error)
                break
            latencies.append(time.perf_counter() - begin)


async def _load(
    base_url: str, users: int, duration: float, max_messages: int, timeout: float, keepalive: bool
):
    check_loopback(base_url)
    scripts = conversations()
    url = f"{base_url}/webhooks/rest/webhook"
    latencies: List[float] = []
    errors: List[str] = []
    started: List[int] = []
    # Without keep-alive every message opens its own connection, so the kernel hands each
    # one to whichever Sanic worker accepts first; with it, a connection stays with a worker.
    limits = httpx.Limits(
        max_connections=users, max_keepalive_connections=users if keepalive else 0
    )
    async with httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False) as client:
        budget = _Budget(duration, max_messages)
        begin = time.monotonic()
        await asyncio.gather(
            *(
                _user(client, url, scripts, n, budget, latencies, errors, started)
                for n in range(users)
            )
        )
        seconds = time.monotonic() - begin
    return summarise(users, seconds, latencies, errors, len(started))


def run_load(
    base_url: str,
    users: int,
    duration: float,
    max_messages: int,
    timeout: float = 30.0,
    keepalive: bool = True,
) -> LoadResult:
    """Closed-loop load with ``users`` concurrent conversations."""
    return asyncio.run(_load(base_url, users, duration, max_messages, timeout, keepalive))


def warm_up(base_url: str) -> None:
    """Play every conversation once, unmeasured: the first turns of a fresh server are slow."""
    run_load(base_url, users=1, duration=120, max_messages=sum(map(len, conversations())))


def parse_latency(
    base_url: str, token: str, duration: float, max_requests: int, timeout: float = 30.0
) -> LoadResult:
    """One user calling /model/parse (NLU only, no dialogue, no tracker) back to back."""
    check_loopback(base_url)
    texts = [t for script in conversations() for t in script]
    latencies: List[float] = []
    errors: List[str] = []
    with httpx.Client(timeout=timeout, trust_env=False) as client:
        begin = time.monotonic()
        deadline = begin + duration
        while time.monotonic() < deadline and len(latencies) + len(errors) < max_requests:
            text = texts[(len(latencies) + len(errors)) % len(texts)]
            start = time.perf_counter()
            try:
                reply = client.post(
                    f"{base_url}/model/parse", params={"token": token}, json={"text": text}
                )
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
                continue
            if reply.status_code != 200:
                errors.append(f"HTTP {reply.status_code}")
            else:
                latencies.append(time.perf_counter() - start)
        seconds = time.monotonic() - begin
    return summarise(1, seconds, latencies, errors)
