"""Who is typing in a live chat (a coach has taken over): a hint, kept in memory only.

The widget tells the server while the person types (``POST /api/typing``), the coach's ticket
page while the coach types (``POST /coach/tickets/{ref}/typing``). A signal shows for
``SHOW_FOR_S`` seconds and is gone after that unless a new one comes; a "stopped" signal or
the message itself ends it at once. Nothing is written to the database: typing is ephemeral,
and a lost signal costs nothing (the message still arrives).

The state lives in the memory of one web process. With several web processes behind a load
balancer without sticky sessions a signal may land in another process than the one the
other side asks, and then the indicator does not show. That is acceptable for a hint.

``Board`` holds the signals per conversation (the Rasa sender id), so one conversation never
sees another's. ``Limiter`` counts signals per key (a rate limit for the endpoints) and
``Throttle`` lets a repeated action through at most once per interval (Telegram's
"typing" action). All three take a clock, so tests need not sleep.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, Optional

PERSON = "person"
COACH = "coach"
SIDES = (PERSON, COACH)

SHOW_FOR_S = 6.0  # a signal shows this long; the widget and the page signal every 3 s
# A typing signal sent just before the message can arrive just after it (two requests in
# flight at once): for this long after a message, that side's signals are ignored, so the
# indicator does not come back for SHOW_FOR_S after the message is already there.
QUIET_AFTER_SEND_S = 1.5
MAX_CONVERSATIONS = 10_000  # a bound on memory; the oldest signals go first

Clock = Callable[[], float]


@dataclass(frozen=True)
class Signal:
    """One side is typing: since ``at`` (clock time), with the coach's first name."""

    at: float
    name: str = ""


class Board:
    """The typing signals of live chats, per conversation and side, with expiry."""

    def __init__(
        self,
        show_for: float = SHOW_FOR_S,
        clock: Clock = time.monotonic,
        max_conversations: int = MAX_CONVERSATIONS,
    ) -> None:
        self._show_for = show_for
        self._clock = clock
        self._max = max_conversations
        self._signals: OrderedDict[tuple, Signal] = OrderedDict()
        self._sent: OrderedDict[tuple, float] = OrderedDict()  # when each side last sent
        self._lock = threading.Lock()

    def typing(self, conversation_id: str, side: str, name: str = "") -> None:
        """``side`` of ``conversation_id`` is typing now (the coach with their first name)."""
        if side not in SIDES:
            raise ValueError(f"unknown side {side!r}")
        key = (conversation_id, side)
        with self._lock:
            now = self._clock()
            if now - self._sent.get(key, float("-inf")) < QUIET_AFTER_SEND_S:
                return  # a late signal of the message that just arrived
            self._signals.pop(key, None)
            self._signals[key] = Signal(now, name)  # newest last
            self._forget_old()

    def stopped(self, conversation_id: str, side: str) -> None:
        """``side`` stopped typing: the indicator goes at once."""
        with self._lock:
            self._signals.pop((conversation_id, side), None)

    def sent(self, conversation_id: str, side: str) -> None:
        """``side`` sent their message: the indicator goes at once, and a typing signal that
        was on its way with the message is ignored (QUIET_AFTER_SEND_S)."""
        key = (conversation_id, side)
        with self._lock:
            self._signals.pop(key, None)
            self._sent.pop(key, None)
            self._sent[key] = self._clock()
            while len(self._sent) > self._max:
                self._sent.popitem(last=False)

    def current(self, conversation_id: str, side: str) -> Optional[Signal]:
        """The signal of ``side`` in ``conversation_id`` when it is still fresh, else None."""
        with self._lock:
            signal = self._signals.get((conversation_id, side))
            if signal is None:
                return None
            if self._clock() - signal.at >= self._show_for:
                del self._signals[(conversation_id, side)]
                return None
            return signal

    def __len__(self) -> int:
        with self._lock:
            return len(self._signals)

    def _forget_old(self) -> None:
        # The oldest signals are first: drop them while expired, or while there are too many.
        now = self._clock()
        while self._signals:
            key, signal = next(iter(self._signals.items()))
            if now - signal.at < self._show_for and len(self._signals) <= self._max:
                break
            del self._signals[key]


class Limiter:
    """At most ``count`` signals per ``window`` seconds per key (a sliding window)."""

    def __init__(
        self, count: int, window: float, clock: Clock = time.monotonic, max_keys: int = 10_000
    ) -> None:
        self._count = count
        self._window = window
        self._clock = clock
        self._max = max_keys
        self._seen: OrderedDict[str, Deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one signal for ``key``; False (and not counted) when the limit is reached."""
        now = self._clock()
        with self._lock:
            times = self._seen.pop(key, None) or deque()
            while times and now - times[0] >= self._window:
                times.popleft()
            allowed = len(times) < self._count
            if allowed:
                times.append(now)
            self._seen[key] = times  # most recently used last
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)
            return allowed


class Throttle:
    """Lets an action for a key through at most once per ``interval`` seconds."""

    def __init__(self, interval: float, clock: Clock = time.monotonic, max_keys: int = 10_000):
        self._interval = interval
        self._clock = clock
        self._max = max_keys
        self._last: Dict[str, float] = {}
        self._lock = threading.Lock()

    def due(self, key: str) -> bool:
        """True (and remembered) when the last time for ``key`` is ``interval`` or longer ago."""
        now = self._clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self._interval:
                return False
            self._last.pop(key, None)
            self._last[key] = now  # dicts keep insertion order: the oldest first
            while len(self._last) > self._max:
                del self._last[next(iter(self._last))]
            return True

    def reset(self, key: str) -> None:
        """The next action for ``key`` may go at once (the message was sent)."""
        with self._lock:
            self._last.pop(key, None)
