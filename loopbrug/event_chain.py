"""A conversation's events as JSON texts in a chain both Rasa and the action server can check.

Rasa sends the action server the whole conversation with every call of a custom action; at
message 400 that is about 1 MB of JSON to decode per call, the part of a message's cost that
still grew with the conversation (issue 20). Both ends keep, per conversation, the JSON texts
of the events up to a point ("settled": before the person's latest message) and a digest of
them: ``blake2b`` over the texts joined with ", ", exactly as they sit in Rasa's request. Rasa
then sends only the digest of what it sent before and the texts that came after; the action
server, when its digest of the first ``base`` events is the same, adds its kept events in front.
When it is not (a restart, another Rasa process, a lost call) it refuses with 409 and Rasa sends
every text from the start (bot/extensions/action_payload.py, bot/action_server.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from loopbrug.lru import FingerprintLRU

KEY = "loopbrug_events"  # the request's key for the chain (beside Rasa's own keys)
UNKNOWN_BASE = 409  # the action server's answer when it does not hold the base
SEPARATOR = ", "


def new_digest() -> Any:
    return hashlib.blake2b(digest_size=20)


def extend(digest: Any, count: int, texts: Sequence[str]) -> Any:
    """A copy of ``digest`` (of ``count`` texts) with ``texts`` added after them."""
    extended = digest.copy()
    for index, text in enumerate(texts):
        if count + index:
            extended.update(SEPARATOR.encode())
        extended.update(text.encode("utf-8"))
    return extended


def delta(base: int, digest: str, texts: Sequence[str], settled: int) -> str:
    """The JSON of the chain part of a request: the base it builds on and the new texts."""
    return json.dumps({"base": base, "digest": digest, "texts": list(texts), "settled": settled})


@dataclass
class Chain:
    """What the action server holds of one conversation."""

    count: int = 0
    digest: Any = field(default_factory=new_digest)
    events: List[Any] = field(default_factory=list)


class UnknownBase(Exception):
    """The request builds on events this action server does not hold."""


class Chains:
    """The action server's chains, the least recently used conversation first out.

    Kept in a FingerprintLRU (loopbrug/lru.py) whose fingerprint is the chain's length and
    digest: a request that builds on another base finds nothing and gets UnknownBase.
    """

    def __init__(self, capacity: int = 500) -> None:
        self.capacity = capacity
        self._chains: FingerprintLRU[Chain] = FingerprintLRU(capacity)

    def __len__(self) -> int:
        return len(self._chains)

    def events(self, sender_id: str, part: Dict[str, Any]) -> List[Any]:
        """All events of the request (decoded), from the kept ones and the new texts.

        Raises UnknownBase when the kept chain is not the one the request builds on. Remembers
        the settled events for the next request.
        """
        base, texts, settled = int(part["base"]), list(part["texts"]), int(part["settled"])
        if base == 0:  # from the start
            chain: Optional[Chain] = Chain()
        else:
            chain = self._chains.get(sender_id, (base, part["digest"]))
        if chain is None or not base <= settled <= base + len(texts):
            self._chains.drop(sender_id)
            raise UnknownBase(sender_id)
        events = chain.events + [json.loads(text) for text in texts]
        kept = Chain(settled, extend(chain.digest, base, texts[: settled - base]), events[:settled])
        self._chains.put(sender_id, kept, (settled, kept.digest.hexdigest()), size=0)
        return events

    def get(self, sender_id: str) -> Optional[Chain]:
        entry = self._chains.peek(sender_id)
        return entry.value if entry is not None else None
