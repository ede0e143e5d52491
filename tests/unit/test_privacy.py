"""Erasure on request, retention, masking and the privacy statement, on real SQLite files."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.extensions.tracker_store import LoopbrugTrackerStore
from loopbrug import db
from loopbrug.handoff import store, throttle
from loopbrug.privacy import erasure, masking, retention, statement
from loopbrug.settings import Settings
from tests.handoff_fixtures import make_ticket

DOMAIN = Domain.empty()


def slots():
    return [TextSlot("gemeente_code", mappings=[{"type": "custom"}])]


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'loopbrug.db'}"


def rows(url: str, sql: str, *args):
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return connection.execute(sql, args).fetchall()


def new_ticket(conversation_id: str, url: str) -> store.Ticket:
    return make_ticket(
        url,
        conversation_id,
        summary={"messages": ["ik heb schulden"], "facts": ["Woont in Enschede"]},
        contact_time="middag",
    )


# -- the tracker store ---------------------------------------------------------------------


def tracker_with(sender: str, *texts: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, slots())
    for text in texts:
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
        tracker.update(BotUttered(f"antwoord op {text}"))
    tracker.update(SlotSet("gemeente_code", "GM0153"))
    return tracker


async def test_saving_a_turn_notes_the_persons_last_message_on_the_open_ticket(url):
    """The coach inbox's "laatste bericht" (loopbrug/handoff/finder.py), for every channel."""
    ticket = new_ticket("p1", url)
    tracker_store = LoopbrugTrackerStore(domain=DOMAIN, host=url)
    tracker = tracker_with("p1", "hoi", "ben je er nog?")
    await tracker_store.save(tracker)
    said = [e for e in tracker.events if isinstance(e, UserUttered)][-1].timestamp
    noted = store.get_ticket(ticket.ref, url).last_person_message_at
    assert abs(noted.timestamp() - said) < 0.001
    await tracker_store.save(tracker_with("p2", "hoi"))  # no ticket: nothing happens


async def test_is_er_al_iemand_counts_but_the_follow_up_job_does_not(url):
    """A person asking "is er al iemand?" (handoff_status) is a new message for the inbox; the
    same intent triggered by the follow-up job (``is_external``) was not typed by them."""
    ticket = new_ticket("p1", url)
    tracker_store = LoopbrugTrackerStore(domain=DOMAIN, host=url)
    tracker = tracker_with("p1", "hoi")
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("is er al iemand?", {"name": "handoff_status", "confidence": 1.0}))
    asked = [e for e in tracker.events if isinstance(e, UserUttered)][-1].timestamp
    await tracker_store.save(tracker)
    noted = store.get_ticket(ticket.ref, url).last_person_message_at
    assert abs(noted.timestamp() - asked) < 0.001

    tracker = await tracker_store.retrieve("p1")
    tracker.update(
        UserUttered(
            "EXTERNAL: handoff_status",
            {"name": "handoff_status", "confidence": 1.0},
            metadata={"is_external": True},
        )
    )
    tracker.update(BotUttered("Heeft de coach al contact met je gehad?"))
    await tracker_store.save(tracker)
    again = store.get_ticket(ticket.ref, url).last_person_message_at
    assert abs(again.timestamp() - asked) < 0.001


async def test_a_normal_turn_is_saved_as_rasa_does(url):
    tracker_store = LoopbrugTrackerStore(domain=DOMAIN, host=url)
    await tracker_store.save(tracker_with("p1", "hoi", "mijn bsn is 111222333"))
    back = await tracker_store.retrieve("p1")
    assert [e.text for e in back.events if isinstance(e, UserUttered)] == [
        "hoi",
        "mijn bsn is 111222333",
    ]


async def test_the_erasure_turn_deletes_every_stored_event_of_the_person(url):
    tracker_store = LoopbrugTrackerStore(domain=DOMAIN, host=url)
    await tracker_store.save(tracker_with("p1", "ik heb schulden", "mijn bsn is 111222333"))
    await tracker_store.save(tracker_with("p2", "hoi"))  # someone else: untouched

    tracker = await tracker_store.retrieve("p1")
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("ja", {"name": "affirm", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_delete_data"))
    tracker.update(BotUttered("Klaar. Ik heb alles over jou gewist."))
    tracker.update(ActionExecuted("action_listen"))
    await tracker_store.save(tracker)

    stored = [json.loads(r[0]) for r in rows(url, "SELECT data FROM events WHERE sender_id='p1'")]
    assert [e["event"] for e in stored] == ["bot", "action"]
    assert "schulden" not in json.dumps(stored) and "111222333" not in json.dumps(stored)
    assert rows(url, "SELECT COUNT(*) FROM events WHERE sender_id='p2'") != [(0,)]
    again = await tracker_store.retrieve("p1")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == []

    # The next turn is saved normally, after the erasure.
    again.update(UserUttered("hoi", {"name": "greet", "confidence": 1.0}))
    await tracker_store.save(again)
    assert rows(url, "SELECT COUNT(*) FROM events WHERE sender_id='p1'") == [(3,)]


async def test_the_store_checks_connections_before_use(url):
    # The reconnect itself, after a real PostgreSQL restart: tests/e2e/test_multiprocess_e2e.py.
    tracker_store = LoopbrugTrackerStore(domain=DOMAIN, host=url)
    assert tracker_store.engine.pool._pre_ping is True


# -- erasure of our own tables ---------------------------------------------------------------


def test_erase_person_removes_profile_money_relay_and_leaves_a_tombstone(url):
    db.save_profile("web-a", {"q": 1}, {"blocks": {}}, url=url)
    db.save_money_check("web-a", {"colour": "oranje"}, url=url)
    store.add_relay("web-a", "coach", "Hoi", "Anna", url=url)
    ticket = new_ticket("web-a", url)
    store.add_event(ticket.ref, None, "note", "Gebeld over de schulden", url=url)
    db.save_profile("web-b", {"q": 2}, {"blocks": {}}, url=url)

    counts = erasure.erase_person("web-a", url=url)

    assert counts == {"profiles": 1, "money_checks": 1, "relay": 1, "tickets": 1}
    assert db.load_profile("web-a", url=url) is None
    assert db.latest_money_check("web-a", url=url) is None
    assert store.relay_since("web-a", 0, url=url) == []
    assert store.latest_ticket_for("web-a", url=url) is None
    tombstone = store.get_ticket(ticket.ref, url=url)
    assert tombstone.outcome == erasure.ERASED and tombstone.status == store.CLOSED
    assert tombstone.summary == {} and tombstone.contact_detail is None
    assert tombstone.gemeente is None and tombstone.conversation_id == erasure.ERASED
    assert [e["kind"] for e in store.events(ticket.id, url=url)] == ["erased"]
    raw = json.dumps(rows(url, "SELECT * FROM loopbrug_tickets"), default=str)
    assert "schulden" not in raw and "12345678" not in raw and "Enschede" not in raw
    assert db.load_profile("web-b", url=url) is not None  # nobody else is touched


# -- retention -------------------------------------------------------------------------------


def seed_events(url: str, sender: str, timestamp: float) -> None:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT, "
            "type_name TEXT, timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
            (sender, timestamp),
        )


def test_the_sweep_deletes_old_conversations_but_not_active_ones(url):
    now = store.utcnow()
    old = (now - timedelta(days=100)).timestamp()
    seed_events(url, "web-old", old)
    seed_events(url, "web-old-with-ticket", old)
    seed_events(url, "web-recent", old)
    seed_events(url, "web-recent", (now - timedelta(days=2)).timestamp())
    db.save_profile("web-old", {"q": 1}, {"blocks": {}}, url=url)
    db.save_profile("web-recent", {"q": 1}, {"blocks": {}}, url=url)
    new_ticket("web-old-with-ticket", url)

    assert retention.sweep(now, 90, 180, url=url, dry_run=True).conversations == 1
    assert rows(url, "SELECT COUNT(*) FROM events WHERE sender_id='web-old'") == [(1,)]

    result = retention.sweep(now, 90, 180, url=url)
    assert result.conversations == 1 and result.kept_active == 1
    assert rows(url, "SELECT COUNT(*) FROM events WHERE sender_id='web-old'") == [(0,)]
    assert db.load_profile("web-old", url=url) is None
    assert rows(url, "SELECT COUNT(*) FROM events WHERE sender_id='web-recent'") == [(2,)]
    assert db.load_profile("web-recent", url=url) is not None
    assert store.open_ticket_for("web-old-with-ticket", url=url) is not None


def test_the_sweep_deletes_widget_sessions_nobody_wrote_in_and_old_login_counters(url):
    from web.sessions import SessionStore

    sessions = SessionStore(url)
    sessions.open()
    used, unused, fresh = (sessions.issue_sync() for _ in range(3))
    seed_events(url, f"web-{used}", store.utcnow().timestamp())
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute(
            "UPDATE loopbrug_web_sessions SET created_at='2000-01-01 00:00:00' "
            "WHERE key_hash IN (?, ?)",
            (
                retention._web_session_hash(f"web-{used}"),
                retention._web_session_hash(f"web-{unused}"),
            ),
        )
    throttle.reserve("anna", "10.0.0.1", url)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute("UPDATE loopbrug_login_throttle SET window_start='2000-01-01 00:00:00'")

    result = retention.sweep(store.utcnow(), 90, 180, url=url)
    assert result.erased["unused_web_sessions"] == 1 and result.erased["login_counters"] == 3
    assert sessions.is_issued_sync(used) and sessions.is_issued_sync(fresh)
    assert not sessions.is_issued_sync(unused)
    sessions.close()


def test_the_sweep_works_before_rasa_made_its_table(url):
    assert retention.sweep(store.utcnow(), 90, 180, url=url).conversations == 0


def test_the_retention_command_prints_what_it_did(url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LOOPBRUG_CONVERSATION_RETENTION_DAYS", "30")
    seed_events(url, "web-old", (store.utcnow() - timedelta(days=31)).timestamp())
    assert retention.main([]) == 0
    assert "deleted 1 conversations older than 30 days" in capsys.readouterr().out


# -- masking -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, masked",
    [
        ("mijn bsn is 111222333", "mijn bsn is [BSN]"),
        ("bsn 1112.22.333 graag", "bsn [BSN] graag"),
        ("iban NL91 ABNA 0417 1643 00 klopt", "iban [IBAN] klopt"),
        ("NL91ABNA0417164300", "[IBAN]"),
        ("bel me op 06-12345678", "bel me op [telefoonnummer]"),
        ("of +31 20 123 4567", "of [telefoonnummer]"),
        ("mail: piet.jansen@example.nl", "mail: [e-mail]"),
    ],
)
def test_personal_numbers_are_masked(text, masked):
    assert masking.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    ["ik verdien 2400 per maand", "123456789 is geen bsn", "postcode 3511 AB", "in 2026 stop ik"],
)
def test_ordinary_numbers_stay(text):
    assert masking.mask(text) == text


# -- the privacy statement ---------------------------------------------------------------------


def test_the_statement_names_what_why_how_long_who_and_how_to_erase():
    text = " ".join(
        statement.lines(Settings(conversation_retention_days=45, ticket_retention_days=120))
    )
    for needed in ("Wat bewaren we", "Waarom", "Wie kan het zien", "Hoe lang", "wissen"):
        assert needed in text
    assert "45 dagen" in text and "120 dagen" in text
    assert "{" not in text
