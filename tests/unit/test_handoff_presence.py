"""A live chat never stays paused without its coach (loopbrug/handoff/presence.py): logout,
deactivation and idle time hand it back to the bot, the person is told, the history says why.
A real SQLite file, Rasa's HTTP API replaced by httpx.MockTransport, a set clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from loopbrug.handoff import coaches, followup, presence, service, store
from loopbrug.handoff.relay import RasaRelay
from loopbrug.settings import Settings
from loopbrug.texts import text
from tests.handoff_fixtures import make_ticket
from tests.unit.test_handoff_service import FakeRasa

IDLE = timedelta(minutes=15)
AWAY = text("handoff.handback_away")


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'presence.db'}", coach_idle_minutes=15)


@pytest.fixture
def url(settings: Settings) -> str:
    return settings.database_url


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
async def relay(settings: Settings, rasa: FakeRasa):
    client = RasaRelay(settings, transport=httpx.MockTransport(rasa))
    yield client
    await client.aclose()


@pytest.fixture
def anna(url: str) -> store.Coach:
    coach = store.save_coach("anna", "Anna", ["landelijk"], password_hash="x", url=url)
    store.start_session(coach.id, "hash-anna", "csrf", timedelta(hours=12), url=url)
    return coach


async def live(relay, url: str, coach: store.Coach, conversation_id: str = "web-person-1"):
    ticket = make_ticket(url, conversation_id)
    store.claim(ticket.ref, coach.id, url=url)
    await service.take_over(relay, ticket.ref, coach, url)
    return store.get_ticket(ticket.ref, url)


def seen_ago(url: str, ref: str, ago: timedelta) -> None:
    """Move the coach's last action on the ticket into the past (the controllable clock)."""
    with store.factory(url).begin() as session:
        session.execute(
            update(store.TicketRecord)
            .where(store.TicketRecord.ref == ref)
            .values(coach_seen_at=store.utcnow() - ago)
        )


def last_event(url: str, ticket: store.Ticket):
    return store.events(ticket.id, url)[-1]


async def test_a_coach_who_is_there_keeps_the_chat(relay, rasa, url, anna):
    ticket = await live(relay, url, anna)
    seen_ago(url, ticket.ref, IDLE - timedelta(minutes=1))
    assert await presence.release_gone(relay, store.utcnow(), IDLE, url) == 0
    assert store.get_ticket(ticket.ref, url).live
    assert len(rasa.appended) == 1  # only the takeover


async def test_an_idle_coach_loses_the_chat_and_the_person_is_told(relay, rasa, url, anna):
    ticket = await live(relay, url, anna)
    seen_ago(url, ticket.ref, IDLE + timedelta(seconds=1))
    assert await presence.release_gone(relay, store.utcnow(), IDLE, url) == 1
    after = store.get_ticket(ticket.ref, url)
    assert not after.live and after.coach_id == anna.id  # the ticket stays Anna's
    assert rasa.kinds()[-1] == ["resume", "bot"]
    assert rasa.appended[-1]["events"][-1]["text"] == AWAY
    assert store.relay_since(ticket.conversation_id, 0, url)[-1]["text"] == AWAY
    event = last_event(url, ticket)
    assert event["kind"] == "auto_handback" and event["coach"] is None
    assert event["text"] == text("inbox.away_idle", coach="Anna", minutes=15)
    # Once is enough: the next run finds nothing.
    assert await presence.release_gone(relay, store.utcnow(), IDLE, url) == 0
    assert len(rasa.appended) == 2


async def test_every_action_of_the_coach_resets_the_idle_time(relay, url, anna, monkeypatch):
    ticket = await live(relay, url, anna)
    monkeypatch.setattr(store, "SEEN_EVERY", timedelta(0))
    for act in (
        lambda: service.note(ticket.ref, anna, "Belt terug", url),
        lambda: service.send(relay, ticket.ref, anna, "Hoi", url),
        lambda: service.seen(ticket.ref, anna, url),  # a page view or a poll
    ):
        seen_ago(url, ticket.ref, IDLE * 2)
        await act()
        assert await presence.release_gone(relay, store.utcnow(), IDLE, url) == 0
    # A colleague looking at the ticket is not its coach being there.
    bram = store.save_coach("bram", "Bram", ["landelijk"], password_hash="x", url=url)
    seen_ago(url, ticket.ref, IDLE * 2)
    await service.seen(ticket.ref, bram, url)
    assert await presence.release_gone(relay, store.utcnow(), IDLE, url) == 1


async def test_no_session_left_means_logged_out(relay, rasa, url, anna):
    ticket = await live(relay, url, anna)
    store.end_session("hash-anna", url)
    assert await presence.release_gone(relay, store.utcnow(), IDLE, url) == 1
    assert last_event(url, ticket)["text"] == text("inbox.away_logout", coach="Anna")
    assert rasa.appended[-1]["events"][-1]["text"] == AWAY


async def test_logout_hands_back_unless_the_coach_is_logged_in_elsewhere(relay, rasa, url, anna):
    ticket = await live(relay, url, anna)
    store.start_session(anna.id, "hash-anna-phone", "csrf2", timedelta(hours=12), url=url)
    store.end_session("hash-anna", url)
    assert await presence.logged_out(relay, anna, store.utcnow(), url) == 0
    assert store.get_ticket(ticket.ref, url).live
    store.end_session("hash-anna-phone", url)
    assert await presence.logged_out(relay, anna, store.utcnow(), url) == 1
    assert not store.get_ticket(ticket.ref, url).live
    assert rasa.appended[-1]["events"][-1]["text"] == AWAY


async def test_deactivation_hands_back_and_returns_the_tickets_to_the_team(relay, rasa, url, anna):
    chat = await live(relay, url, anna)
    quiet = make_ticket(url, "web-person-2")
    store.claim(quiet.ref, anna.id, url=url)
    store.deactivate_coach("anna", url)
    assert await presence.deactivated(relay, anna, url) == 2
    for ticket in (chat, quiet):
        after = store.get_ticket(ticket.ref, url)
        assert (after.live, after.coach_id, after.status) == (False, None, store.NEW)
    assert rasa.kinds()[-1] == ["resume", "bot"] and len(rasa.appended) == 2
    kinds = [e["kind"] for e in store.events(chat.id, url)]
    assert kinds == ["claim", "takeover", "auto_handback", "release"]
    assert store.events(chat.id, url)[2]["text"] == text("inbox.away_deactivated", coach="Anna")


async def test_the_command_deactivates_and_hands_back(settings, rasa, url, anna, monkeypatch):
    ticket = await live_with_fresh_relay(settings, rasa, url, anna)
    monkeypatch.setattr(
        coaches, "RasaRelay", lambda s: RasaRelay(s, transport=httpx.MockTransport(rasa))
    )
    assert await asyncio.to_thread(coaches.deactivate, "anna", settings) == 1
    after = store.get_ticket(ticket.ref, url)
    assert (after.live, after.coach_id) == (False, None)
    assert rasa.appended[-1]["events"][-1]["text"] == AWAY
    with pytest.raises(ValueError):
        await asyncio.to_thread(coaches.deactivate, "niemand", settings)


async def live_with_fresh_relay(settings, rasa, url, coach):
    client = RasaRelay(settings, transport=httpx.MockTransport(rasa))
    try:
        return await live(client, url, coach)
    finally:
        await client.aclose()


async def test_when_rasa_is_down_the_chat_stays_live_and_the_next_run_retries(
    relay, rasa, url, anna
):
    ticket = await live(relay, url, anna)
    store.deactivate_coach("anna", url)
    rasa.down = True
    assert await presence.deactivated(relay, anna, url) == 0
    after = store.get_ticket(ticket.ref, url)
    assert after.live and after.coach_id == anna.id  # not told: not handed back
    assert [e["kind"] for e in store.events(ticket.id, url)] == ["claim", "takeover"]
    rasa.down = False
    # The job (a later run, also after a restart: all it needs is in the database).
    assert await presence.release_gone(relay, store.utcnow(), IDLE, url) == 1
    after = store.get_ticket(ticket.ref, url)
    assert (after.live, after.coach_id, after.status) == (False, None, store.NEW)


async def test_the_web_servers_job_runs_the_check(relay, rasa, url, anna):
    ticket = await live(relay, url, anna)
    seen_ago(url, ticket.ref, IDLE * 2)
    task = asyncio.create_task(followup.run_forever(relay, 0.01, 90, 180, url=url, coach_idle=IDLE))
    try:
        for _ in range(200):
            if last_event(url, ticket)["kind"] == "auto_handback":
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not store.get_ticket(ticket.ref, url).live
    assert rasa.appended[-1]["events"][-1]["text"] == AWAY


async def test_a_coach_who_acts_while_the_job_runs_keeps_the_chat(relay, rasa, url, anna):
    ticket = await live(relay, url, anna)
    seen_ago(url, ticket.ref, IDLE * 2)
    ((found, reason),) = store.live_without_coach(store.utcnow(), IDLE, url)
    assert reason == "idle"
    seen_ago(url, ticket.ref, timedelta(0))  # Anna sends a message just now
    done = await presence.hand_back_away(
        relay, found, reason, IDLE, url, seen_before=store.utcnow() - IDLE
    )
    assert done is False and store.get_ticket(ticket.ref, url).live
    assert len(rasa.appended) == 1
