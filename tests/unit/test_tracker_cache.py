"""The tracker store keeps the last conversations in memory (bot/extensions/tracker_store.py).

Every test runs on SQLite and on a real PostgreSQL (tests/services.py). "Another process" is a
second store on the same database, as a second Rasa process behind the same port would be.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.extensions.tracker_store import LoopbrugTrackerStore
from loopbrug.lru import FingerprintLRU

DOMAIN = Domain.empty()  # any slot can be set


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'loopbrug.db'}"
    server = request.getfixturevalue("postgres")
    return server.new_database(f"c_{tmp_path.name.lower().replace('-', '_')}"[:60])


def store(url: str, **kwargs) -> LoopbrugTrackerStore:
    return LoopbrugTrackerStore(domain=DOMAIN, host=url, **kwargs)


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"antwoord op {text}"))
    tracker.update(ActionExecuted("action_listen"))


async def conversation(tracker_store: LoopbrugTrackerStore, sender: str, *texts: str):
    tracker = await tracker_store.get_or_create_tracker(sender, append_action_listen=False)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    for text in texts:
        turn(tracker, text)
    await tracker_store.save(tracker)
    return tracker


def said(tracker: DialogueStateTracker) -> list:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def stored(url: str, sender: str) -> list:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).fetchall()
    engine.dispose()
    return [json.loads(row[0]) for row in rows]


async def as_rasa_loads_it(url: str, sender: str) -> DialogueStateTracker:
    rasa_store = SQLTrackerStore(domain=DOMAIN, host=url)
    try:
        return await rasa_store.retrieve(sender)
    finally:
        rasa_store.engine.dispose()


async def test_the_next_message_gets_the_same_tracker_and_saves_only_what_is_new(url):
    tracker_store = store(url)
    await conversation(tracker_store, "p1", "hoi")  # a new session: loaded once more
    first = await tracker_store.retrieve("p1")
    turn(first, "ik heb schulden")
    first.update(SlotSet("gemeente_code", "GM0153"))
    await tracker_store.save(first)

    again = await tracker_store.retrieve("p1")
    assert again is first  # no reload, no replay
    rasa_view = await as_rasa_loads_it(url, "p1")
    assert list(rasa_view.events) == list(again.events)
    assert rasa_view.current_slot_values() == again.current_slot_values()
    texts = [e.get("text") for e in stored(url, "p1") if e["event"] == "user"]
    assert texts == ["hoi", "ik heb schulden"]  # each event stored once


async def test_another_process_writing_the_conversation_makes_it_load_again(url):
    mine, other = store(url), store(url)
    await conversation(mine, "p1", "hoi")
    cached = await mine.retrieve("p1")
    theirs = await other.retrieve("p1")
    turn(theirs, "van het andere proces")
    await other.save(theirs)

    fresh = await mine.retrieve("p1")
    assert fresh is not cached
    assert said(fresh) == ["hoi", "van het andere proces"]
    turn(fresh, "weer hier")
    await mine.save(fresh)
    assert said(await as_rasa_loads_it(url, "p1")) == ["hoi", "van het andere proces", "weer hier"]


async def test_a_turn_that_failed_leaves_nothing_in_memory(url):
    tracker_store = store(url)
    await conversation(tracker_store, "p1", "hoi")
    tracker = await tracker_store.retrieve("p1")
    turn(tracker, "dit wordt nooit opgeslagen")  # the turn fails before save

    again = await tracker_store.retrieve("p1")
    assert again is not tracker
    assert said(again) == ["hoi"]


async def test_the_retention_sweep_deleting_events_is_seen(url):
    tracker_store = store(url)
    await conversation(tracker_store, "p1", "hoi", "nog iets")
    assert said(await tracker_store.retrieve("p1")) == ["hoi", "nog iets"]
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # what loopbrug/privacy/retention.py does
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'p1'"))
    engine.dispose()

    assert await tracker_store.retrieve("p1") is None
    fresh = await tracker_store.get_or_create_tracker("p1", append_action_listen=False)
    assert said(fresh) == []


async def test_an_erasure_in_this_or_another_process_is_seen(url):
    mine, other = store(url), store(url)
    await conversation(mine, "p1", "mijn bsn is 111222333")
    await mine.retrieve("p1")
    theirs = await other.retrieve("p1")
    theirs.update(UserUttered("ja", {"name": "affirm", "confidence": 1.0}))
    theirs.update(ActionExecuted("action_delete_data"))
    theirs.update(BotUttered("Klaar. Ik heb alles over jou gewist."))
    theirs.update(ActionExecuted("action_listen"))
    await other.save(theirs)

    after = await mine.retrieve("p1")
    assert said(after) == []
    assert "111222333" not in json.dumps(stored(url, "p1"))

    # The erasure through the cached tracker of this process.
    await conversation(mine, "p2", "ik heb schulden")
    tracker = await mine.retrieve("p2")
    assert await mine.retrieve("p2") is tracker
    tracker.update(UserUttered("ja", {"name": "affirm", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_delete_data"))
    tracker.update(BotUttered("Klaar. Ik heb alles over jou gewist."))
    await mine.save(tracker)
    assert [e["event"] for e in stored(url, "p2")] == ["bot"]
    assert said(await mine.retrieve("p2")) == []


async def test_a_new_session_is_cut_as_rasa_cuts_it(url):
    tracker_store = store(url)
    await conversation(tracker_store, "p1", "gisteren")
    tracker = await tracker_store.retrieve("p1")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "vandaag")
    await tracker_store.save(tracker)

    again = await tracker_store.retrieve("p1")
    assert said(again) == ["vandaag"]
    assert list(again.events) == list((await as_rasa_loads_it(url, "p1")).events)
    full = await tracker_store.retrieve_full_tracker("p1")  # the coach's transcript
    assert said(full) == ["gisteren", "vandaag"]


async def test_only_the_most_recent_conversations_stay_in_memory(url):
    tracker_store = store(url, cache_size=2)
    for sender in ("p1", "p2", "p3"):
        await conversation(tracker_store, sender, f"hoi van {sender}")
        await tracker_store.retrieve(sender)
    assert "p1" not in tracker_store.cache
    assert "p2" in tracker_store.cache and "p3" in tracker_store.cache
    assert said(await tracker_store.retrieve("p1")) == ["hoi van p1"]
    assert "p2" not in tracker_store.cache  # p1 came back, the least recent went


async def test_a_new_model_empties_the_memory(url):
    tracker_store = store(url)
    await conversation(tracker_store, "p1", "hoi")
    await tracker_store.retrieve("p1")
    tracker_store.domain = DOMAIN
    assert len(tracker_store.cache) == 0


def test_the_lru_checks_fingerprint_and_size():
    lru: FingerprintLRU[str] = FingerprintLRU(2)
    lru.put("a", "A", (3, 10), 3)
    assert lru.get("a", (3, 10), 3) == "A"
    assert lru.get("a", (3, 10), 4) is None and "a" not in lru  # changed and not stored
    lru.put("a", "A", (3, 10), 3)
    assert lru.get("a", (4, 11)) is None and "a" not in lru  # the source changed
    lru.put("a", "A", (1, 1), 1)
    lru.put("b", "B", (1, 2), 1)
    lru.get("a", (1, 1))
    lru.put("c", "C", (1, 3), 1)
    assert "b" not in lru and "a" in lru and "c" in lru
    with pytest.raises(ValueError):
        FingerprintLRU(-1)
