"""A bounded map that forgets the least recently used entry first, each entry with a fingerprint.

Used by the Rasa process to keep the last conversations it served in memory
(bot/extensions/tracker_store.py). An entry is only handed out when the caller's fingerprint of
the source (for a conversation: what the database holds now) is the one stored with it;
otherwise it is dropped, so a stale entry is never used twice.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, Hashable, Optional, TypeVar

V = TypeVar("V")


@dataclass
class Entry(Generic[V]):
    """One value with the fingerprint of its source when it was stored, and its size then."""

    value: V
    fingerprint: Any
    size: int


class FingerprintLRU(Generic[V]):
    """At most ``capacity`` entries; reading or storing one makes it the most recent."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must be 0 or more, got {capacity}")
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Entry[V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def peek(self, key: Hashable) -> Optional[Entry[V]]:
        """The entry as stored, without checking it or making it recent."""
        return self._entries.get(key)

    def get(self, key: Hashable, fingerprint: Any, size: Optional[int] = None) -> Optional[V]:
        """The value if its fingerprint (and, when given, its size) still match; else None.

        A mismatch drops the entry: its source changed, or its value was changed and not stored.
        """
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.fingerprint != fingerprint or (size is not None and entry.size != size):
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(self, key: Hashable, value: V, fingerprint: Any, size: int) -> None:
        """Store ``value``; the least recently used entry goes when there are too many."""
        if self.capacity == 0:
            return
        self._entries[key] = Entry(value, fingerprint, size)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def drop(self, key: Hashable) -> None:
        """Forget ``key`` (nothing happens when it is not there)."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()
