"""One long conversation: does a message cost more when much was said before it?

One person sends ``messages`` messages in one conversation over the REST channel, each as soon
as the answer to the previous one is in: the scripted conversations (bench/conversations.yml)
one after another, again from the start when they run out, all with the same sender id. The
result is the median reply time over messages 1-20, 181-200 and 381-400 (the windows that fit
in ``messages``), and the last window's median divided by the first's (issue 20: at most 1.5).
Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import httpx

from bench.load import check_loopback, conversations, send_error

WINDOWS: Tuple[Tuple[int, int], ...] = ((1, 20), (181, 200), (381, 400))


@dataclass
class LongResult:
    """Median reply time per window of one long conversation."""

    messages: int
    medians_ms: Dict[str, float] = field(default_factory=dict)
    growth: float = float("nan")  # the last window's median over the first's
    errors: Dict[str, int] = field(default_factory=dict)


def window_medians(
    latencies_ms: Sequence[float], windows: Sequence[Tuple[int, int]] = WINDOWS
) -> Dict[str, float]:
    """Median of messages ``first``-``last`` (1-based, inclusive) for each window that fits."""
    medians = {}
    for first, last in windows:
        if last <= len(latencies_ms):
            medians[f"{first}-{last}"] = statistics.median(latencies_ms[first - 1 : last])
    return medians


def summarise_long(latencies_ms: Sequence[float], errors: Sequence[str]) -> LongResult:
    """The medians and their growth from raw reply times (ms) and error kinds."""
    medians = window_medians(latencies_ms)
    growth = float("nan")
    if len(medians) >= 2:
        values = list(medians.values())
        growth = values[-1] / values[0] if values[0] else float("nan")
    counted: Dict[str, int] = {}
    for error in errors:
        counted[error] = counted.get(error, 0) + 1
    return LongResult(len(latencies_ms) + len(errors), medians, growth, counted)


def _send(client: httpx.Client, url: str, sender: str, text: str) -> Optional[str]:
    """Send one message; None when answered, else the kind of error."""
    try:
        reply = client.post(url, json={"sender": sender, "message": text})
    except httpx.HTTPError as exc:
        return send_error(exc, None)
    return send_error(None, reply)


def long_conversation(url: str, messages: int = 400, timeout: float = 60.0) -> LongResult:
    """Send ``messages`` messages in one conversation to the Rasa server at ``url``.

    An error stops the run (the conversation is no longer the one measured).
    """
    check_loopback(url)
    lines = [text for script in conversations() for text in script]
    sender = f"bench-long-{uuid.uuid4().hex[:12]}"
    webhook = f"{url}/webhooks/rest/webhook"
    latencies: List[float] = []
    errors: List[str] = []
    with httpx.Client(timeout=timeout, trust_env=False) as client:
        for number in range(messages):
            begin = time.perf_counter()
            error = _send(client, webhook, sender, lines[number % len(lines)])
            if error:
                errors.append(error)
                break
            latencies.append((time.perf_counter() - begin) * 1000)
    return summarise_long(latencies, errors)
