""" "Niet loslaten": the follow-up job (loopbrug/handoff/followup.py), with a fake Rasa and a
set clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Dict, List, Optional

import pytest

from loopbrug.handoff import followup, store
from loopbrug.handoff.relay import RelayError
from tests.handoff_fixtures import make_ticket

FOLLOWUP_AFTER = timedelta(days=3)
QUESTION = "Hoi, ik kom even terug op je vraag om een coach. Heb je al contact gehad?"


class FakeRelay:
    """Stands in for RasaRelay.followup: records the calls, answers or fails on request."""

    def __init__(self, messages: Optional[List[Dict[str, Any]]] = None, fail: int = 0) -> None:
        self.messages = messages if messages is not None else [{"text": QUESTION}]
        self.fail = fail  # how many calls raise RelayError first
        self.calls: List[str] = []

    async def followup(self, conversation_id: str) -> List[Dict[str, Any]]:
        self.calls.append(conversation_id)
        if self.fail:
            self.fail -= 1
            raise RelayError("Rasa answered HTTP 502")
        return self.messages


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'followup.db'}"


def make(url: str, conversation_id: str) -> store.Ticket:
    return make_ticket(url, conversation_id, followup_after=FOLLOWUP_AFTER, contact_channel="chat")


def followup_events(url: str, ticket: store.Ticket) -> List[Dict[str, Any]]:
    return [e for e in store.events(ticket.id, url=url) if e["kind"] == "followup"]


async def test_nothing_is_due_before_the_followup_moment(url):
    ticket = make(url, "web-a")
    relay = FakeRelay()
    assert ticket.followup_due_at == ticket.created_at + FOLLOWUP_AFTER
    for now in (ticket.created_at, ticket.followup_due_at - timedelta(seconds=1)):
        assert await followup.run_due(relay, now, url=url) == 0
    assert relay.calls == []
    assert store.get_ticket(ticket.ref, url=url).followup_sent_at is None


async def test_a_due_followup_is_sent_once_across_runs(url):
    ticket = make(url, "web-a")
    relay = FakeRelay()
    now = ticket.followup_due_at + timedelta(minutes=1)
    assert await followup.run_due(relay, now, url=url) == 1
    assert relay.calls == ["web-a"]
    assert store.get_ticket(ticket.ref, url=url).followup_sent_at == now
    assert [e["text"] for e in followup_events(url, ticket)] == ["navraag verstuurd"]
    # The next run, a minute or a week later, sends nothing again.
    assert await followup.run_due(relay, now + timedelta(minutes=1), url=url) == 0
    assert await followup.run_due(relay, now + timedelta(days=7), url=url) == 0
    assert relay.calls == ["web-a"]
    assert len(followup_events(url, ticket)) == 1


async def test_only_the_due_tickets_are_followed_up(url):
    early = make(url, "web-early")
    late = make(url, "tg-late")
    relay = FakeRelay()
    between = early.followup_due_at + (late.followup_due_at - early.followup_due_at) / 2
    assert await followup.run_due(relay, between, url=url) == 1
    assert relay.calls == ["web-early"]
    assert await followup.run_due(relay, late.followup_due_at, url=url) == 1
    assert relay.calls == ["web-early", "tg-late"]


async def test_when_rasa_fails_the_followup_is_retried_on_the_next_run(url):
    ticket = make(url, "web-a")
    relay = FakeRelay(fail=1)
    now = ticket.followup_due_at + timedelta(minutes=1)
    assert await followup.run_due(relay, now, url=url) == 0
    assert store.get_ticket(ticket.ref, url=url).followup_sent_at is None  # mark taken back
    assert followup_events(url, ticket) == []
    assert store.relay_since("web-a", 0, url=url) == []
    later = now + timedelta(minutes=1)
    assert await followup.run_due(relay, later, url=url) == 1
    assert relay.calls == ["web-a", "web-a"]
    assert store.get_ticket(ticket.ref, url=url).followup_sent_at == later
    assert [m["text"] for m in store.relay_since("web-a", 0, url=url)] == [QUESTION]


async def test_one_failing_conversation_does_not_stop_the_others(url):
    first = make(url, "web-a")
    make(url, "web-b")
    relay = FakeRelay(fail=1)  # the first call (the oldest ticket) fails
    now = store.get_ticket(first.ref, url=url).followup_due_at + timedelta(days=1)
    assert await followup.run_due(relay, now, url=url) == 1
    assert relay.calls == ["web-a", "web-b"]
    assert store.relay_since("web-a", 0, url=url) == []
    assert [m["text"] for m in store.relay_since("web-b", 0, url=url)] == [QUESTION]


async def test_web_conversations_get_the_question_in_the_relay_log_telegram_not(url):
    web = make(url, "web-widget-1")
    telegram = make(url, "tg-12345")
    relay = FakeRelay(
        messages=[
            {"text": "  " + QUESTION + "  ", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
            {"text": "   "},  # empty texts are not relayed
            {"image": "https://example.org/x.png"},
            "not a message",
        ]
    )
    now = telegram.followup_due_at + timedelta(minutes=1)
    assert await followup.run_due(relay, now, url=url) == 2
    assert sorted(relay.calls) == ["tg-12345", "web-widget-1"]
    relayed = store.relay_since("web-widget-1", 0, url=url)
    assert [(m["from"], m["name"], m["text"]) for m in relayed] == [("bot", None, QUESTION)]
    # Telegram gets the message pushed by Rasa itself; nothing is copied for it.
    assert store.relay_since("tg-12345", 0, url=url) == []
    assert store.last_relay_id("tg-12345", url=url) == 0
    assert len(followup_events(url, web)) == len(followup_events(url, telegram)) == 1


async def test_the_due_state_survives_a_restart(url):
    """Everything the job needs is in the database: a new process with a new relay goes on."""
    sent = make(url, "web-sent")
    pending = make(url, "web-pending")
    first_process = FakeRelay()
    now = sent.followup_due_at + timedelta(minutes=1)
    # The first process only got to the first ticket: pretend the second became due later.
    assert await followup.run_due(first_process, sent.followup_due_at, url=url) == 1
    assert first_process.calls == ["web-sent"]

    restarted = FakeRelay()  # a fresh object, as after a restart: no memory of its own
    assert await followup.run_due(restarted, now + timedelta(days=1), url=url) == 1
    assert restarted.calls == ["web-pending"]  # not "web-sent" again
    assert store.get_ticket(pending.ref, url=url).followup_sent_at is not None


async def test_no_followup_for_a_live_chat_or_contact_already_confirmed(url):
    anna = store.save_coach("anna", "Anna", ["landelijk"], password_hash="x", url=url)
    live = make(url, "web-live")
    done = make(url, "web-done")
    for ticket in (live, done):
        store.claim(ticket.ref, anna.id, url=url)
    store.set_live(live.ref, anna.id, True, url=url)
    store.close(done.ref, anna.id, "contact", url=url)
    relay = FakeRelay()
    later = done.followup_due_at + timedelta(days=1)
    assert await followup.run_due(relay, later, url=url) == 0
    assert relay.calls == []
    store.set_live(live.ref, anna.id, False, url=url)
    assert await followup.run_due(relay, later, url=url) == 1
    assert relay.calls == ["web-live"]


async def test_the_job_loop_sends_due_followups_and_purges_old_tickets(url):
    anna = store.save_coach("anna", "Anna", ["landelijk"], password_hash="x", url=url)
    old = make(url, "web-old")
    store.claim(old.ref, anna.id, url=url)
    store.close(old.ref, anna.id, "contact", url=url)
    store.add_relay("web-old", "coach", "Hoi", "Anna", url=url)
    due = make(url, "web-due")
    relay = FakeRelay()
    now = due.followup_due_at + timedelta(days=40)
    task = asyncio.create_task(
        followup.run_forever(relay, 0.01, 90, 30, clock=lambda: now, url=url)
    )
    try:
        for _ in range(500):
            if relay.calls and store.get_ticket(old.ref, url=url) is None:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert relay.calls == ["web-due"]  # once, although the loop ran many times
    assert store.get_ticket(old.ref, url=url) is None  # closed > 30 days before "now"
    assert store.relay_since("web-old", 0, url=url) == []
    assert store.get_ticket(due.ref, url=url) is not None  # open tickets are kept


async def test_the_job_loop_survives_a_failing_run(url, caplog):
    make(url, "web-a")
    calls = []

    def clock():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return store.utcnow() + FOLLOWUP_AFTER + timedelta(minutes=1)

    relay = FakeRelay()
    task = asyncio.create_task(followup.run_forever(relay, 0.01, 90, 30, clock=clock, url=url))
    try:
        for _ in range(500):
            if relay.calls:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert relay.calls == ["web-a"]
    assert "follow-up run failed" in caplog.text
