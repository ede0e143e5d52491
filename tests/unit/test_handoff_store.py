"""Tickets, coaches, sessions and the relay log (loopbrug/handoff/store.py), on a real SQLite
file."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select

from loopbrug.db import person_key
from loopbrug.handoff import finder, store
from tests.handoff_fixtures import make_ticket, ticket_wish

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)  # a Wednesday
REF = re.compile(rf"^LB-[{store.REF_ALPHABET}]{{{store.REF_LENGTH}}}$")


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'handoff.db'}"


def new_ticket(conversation_id: str = "web-person-1", **changes: Any) -> store.NewTicket:
    return ticket_wish(conversation_id, **{"consent_at": T0, **changes})


def make(url: str, conversation_id: str = "web-person-1", **changes: Any) -> store.Ticket:
    return make_ticket(url, conversation_id, **changes)


def coach(url: str, username: str = "anna", name: str = "Anna", teams=("landelijk",)):
    return store.save_coach(username, name, teams, password_hash="x", url=url)


def count_open(url: str) -> int:
    with store.factory(url).begin() as session:
        return session.execute(
            select(func.count())
            .select_from(store.TicketRecord)
            .where(store.TicketRecord.status != store.CLOSED)
        ).scalar_one()


# --------------------------------------------------------------------------- creating tickets


def test_a_new_ticket_keeps_what_the_action_server_knew(url):
    ticket, created = store.create_ticket(new_ticket(), timedelta(days=3), url=url)
    assert created is True
    assert REF.match(ticket.ref), ticket.ref
    assert ticket.status == store.NEW and ticket.is_open and not ticket.live
    assert ticket.conversation_id == "web-person-1"  # needed for the relay (intended)
    assert ticket.person == person_key("web-person-1")
    assert ticket.summary == {"reason": "Vraagt zelf om een coach", "asked": ["Scholingsvoucher"]}
    assert (ticket.team, ticket.topic, ticket.region, ticket.gemeente) == (
        "landelijk",
        "scholing",
        "Twente",
        "Enschede",
    )
    assert ticket.contact_detail == "+31 6 12345678"
    assert ticket.consent_at == T0 and ticket.consent_version == "v1-test"
    assert ticket.followup_due_at - ticket.created_at == timedelta(days=3)
    stored = store.get_ticket(ticket.ref, url=url)
    assert stored == ticket
    assert stored.created_at.tzinfo is not None  # SQLite's naive datetimes come back as UTC


def test_a_retry_for_the_same_person_returns_the_open_ticket(url):
    first, created_first = store.create_ticket(new_ticket(), timedelta(days=3), url=url)
    again, created_again = store.create_ticket(
        new_ticket(topic="geld", team="geld"), timedelta(days=3), url=url
    )
    assert (created_first, created_again) == (True, False)
    assert again.ref == first.ref and again.id == first.id
    assert again.topic == "scholing"  # the retry changes nothing
    assert count_open(url) == 1
    assert store.open_ticket_for("web-person-1", url=url).ref == first.ref


def test_other_people_get_their_own_ticket_and_ref(url):
    one = make(url, "web-a")
    two = make(url, "web-b")
    assert one.ref != two.ref
    assert store.open_ticket_for("web-c", url=url) is None
    assert count_open(url) == 2


def test_two_racing_requests_make_one_ticket(url, monkeypatch):
    """Both requests see "no open ticket" before either inserts; the unique index decides."""
    store.factory(url)  # tables exist before the race (the race is about the ticket)
    barrier = threading.Barrier(2, timeout=10)
    real_lookup = store.open_ticket_for
    first_lookup_done = threading.local()

    def lookup_then_wait(conversation_id, url=None):
        found = real_lookup(conversation_id, url)
        if not getattr(first_lookup_done, "value", False):
            first_lookup_done.value = True
            barrier.wait()  # both threads have seen "nothing yet" before anyone inserts
        return found

    monkeypatch.setattr(store, "open_ticket_for", lookup_then_wait)
    results, errors = [], []

    def request():
        try:
            results.append(store.create_ticket(new_ticket(), timedelta(days=3), url=url))
        except Exception as error:  # pragma: no cover - shown by the assert below
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(created for _, created in results) == [False, True]
    assert len({ticket.ref for ticket, _ in results}) == 1
    assert count_open(url) == 1


def test_many_simultaneous_requests_make_one_ticket(url):
    store.factory(url)
    barrier = threading.Barrier(6, timeout=10)
    results, errors = [], []

    def request():
        barrier.wait()
        try:
            results.append(store.create_ticket(new_ticket(), timedelta(days=3), url=url))
        except Exception as error:  # pragma: no cover - shown by the assert below
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == 6
    assert [created for _, created in results].count(True) == 1
    assert len({ticket.ref for ticket, _ in results}) == 1
    assert count_open(url) == 1


def test_after_closing_a_new_ticket_can_be_made(url):
    anna = coach(url)
    first = make(url)
    store.claim(first.ref, anna.id, url=url)
    store.close(first.ref, anna.id, "doorverwezen", url=url)
    assert store.open_ticket_for("web-person-1", url=url) is None
    second, created = store.create_ticket(new_ticket(), timedelta(days=3), url=url)
    assert created and second.ref != first.ref
    assert store.open_ticket_for("web-person-1", url=url).ref == second.ref
    assert store.latest_ticket_for("web-person-1", url=url).ref == second.ref
    assert store.get_ticket(first.ref, url=url).status == store.CLOSED


def test_refs_use_the_readable_alphabet_only():
    refs = {store.new_ref() for _ in range(300)}
    assert all(REF.match(ref) for ref in refs)
    assert len(refs) > 290  # random, not a counter
    letters = set("".join(ref[3:] for ref in refs))
    assert not letters & set("01ILO")  # no look-alikes on the phone


# --------------------------------------------------------------------------- claim, live, close


def test_claim_gives_the_ticket_to_the_coach_and_is_repeatable(url):
    anna = coach(url)
    ticket = make(url)
    claimed = store.claim(ticket.ref, anna.id, url=url)
    assert claimed.status == store.CLAIMED
    assert claimed.coach_id == anna.id and claimed.coach_name == "Anna"
    again = store.claim(ticket.ref, anna.id, url=url)  # double click
    assert again.status == store.CLAIMED
    kinds = [e["kind"] for e in store.events(ticket.id, url=url)]
    assert kinds == ["claim"]  # the second click records nothing


def test_another_coach_cannot_claim_a_claimed_ticket(url):
    anna, bram = coach(url), coach(url, "bram", "Bram")
    ticket = make(url)
    store.claim(ticket.ref, anna.id, url=url)
    with pytest.raises(store.TicketConflict, match="andere coach"):
        store.claim(ticket.ref, bram.id, url=url)
    assert store.get_ticket(ticket.ref, url=url).coach_name == "Anna"


def test_a_closed_or_unknown_ticket_cannot_be_claimed(url):
    anna, bram = coach(url), coach(url, "bram", "Bram")
    ticket = make(url)
    store.claim(ticket.ref, anna.id, url=url)
    store.close(ticket.ref, anna.id, "contact", url=url)
    with pytest.raises(store.TicketConflict, match="gesloten"):
        store.claim(ticket.ref, bram.id, url=url)
    with pytest.raises(store.TicketConflict, match="gesloten"):
        store.claim(ticket.ref, anna.id, url=url)
    with pytest.raises(store.TicketConflict, match="bestaat niet"):
        store.claim("LB-ZZZZZZ", anna.id, url=url)


def test_live_needs_the_claim_and_reports_changes(url):
    anna, bram = coach(url), coach(url, "bram", "Bram")
    ticket = make(url)
    with pytest.raises(store.TicketConflict, match="eerst op"):
        store.set_live(ticket.ref, anna.id, True, url=url)
    store.claim(ticket.ref, anna.id, url=url)
    with pytest.raises(store.TicketConflict, match="Neem het gesprek eerst over"):
        store.require_live(ticket.ref, anna.id, url=url)
    live, changed = store.set_live(ticket.ref, anna.id, True, url=url)
    assert live.live and changed
    _, changed_again = store.set_live(ticket.ref, anna.id, True, url=url)
    assert changed_again is False  # a second takeover click sends no second notice
    assert store.require_live(ticket.ref, anna.id, url=url).live
    with pytest.raises(store.TicketConflict):
        store.require_live(ticket.ref, bram.id, url=url)
    back, changed = store.set_live(ticket.ref, anna.id, False, url=url)
    assert not back.live and changed
    kinds = [e["kind"] for e in store.events(ticket.id, url=url)]
    assert kinds == ["claim", "takeover", "handback"]


def test_close_needs_a_known_outcome_and_ends_the_live_chat(url):
    anna = coach(url)
    ticket = make(url)
    store.claim(ticket.ref, anna.id, url=url)
    store.set_live(ticket.ref, anna.id, True, url=url)
    with pytest.raises(store.TicketConflict, match="uitkomst"):
        store.close(ticket.ref, anna.id, "klaar", url=url)
    assert store.get_ticket(ticket.ref, url=url).is_open  # a bad outcome changes nothing
    closed, was_live = store.close(ticket.ref, anna.id, "doorverwezen", url=url)
    assert was_live is True
    assert closed.status == store.CLOSED and not closed.is_open and not closed.live
    assert closed.outcome == "doorverwezen" and closed.closed_at is not None
    last = store.events(ticket.id, url=url)[-1]
    assert last["kind"] == "close" and last["text"] == store.OUTCOMES["doorverwezen"]
    with pytest.raises(store.TicketConflict, match="gesloten"):
        store.close(ticket.ref, anna.id, "contact", url=url)


def test_only_the_claiming_coach_can_close(url):
    anna, bram = coach(url), coach(url, "bram", "Bram")
    ticket = make(url)
    with pytest.raises(store.TicketConflict, match="eerst op"):
        store.close(ticket.ref, anna.id, "contact", url=url)
    store.claim(ticket.ref, anna.id, url=url)
    with pytest.raises(store.TicketConflict):
        store.close(ticket.ref, bram.id, "contact", url=url)
    assert store.get_ticket(ticket.ref, url=url).status == store.CLAIMED


def test_events_are_kept_in_order_with_the_coach_name(url):
    anna = coach(url)
    ticket = make(url)
    store.add_event(ticket.ref, None, "note", "Systeem", url=url)
    store.claim(ticket.ref, anna.id, url=url)
    store.add_event(ticket.ref, anna.id, "note", "Gebeld, geen gehoor", url=url)
    history = store.events(ticket.id, url=url)
    assert [(e["kind"], e["text"], e["coach"]) for e in history] == [
        ("note", "Systeem", None),
        ("claim", None, "Anna"),
        ("note", "Gebeld, geen gehoor", "Anna"),
    ]
    assert all(e["at"].tzinfo is not None for e in history)
    assert store.events(ticket.id + 1000, url=url) == []


# --------------------------------------------------------------------------- the inbox list


def test_list_filters_by_team_status_urgency_and_coach(url):
    anna = coach(url)
    normal = make(url, "web-1", team="twente")
    crisis = make(url, "web-2", team="landelijk", urgency=store.CRISIS, topic="crisis")
    acute = make(url, "web-3", team="geld", urgency=store.ACUTE, topic="geld")
    other_team = make(url, "web-4", team="rijnmond")
    closed = make(url, "web-5", team="twente")
    store.claim(closed.ref, anna.id, url=url)
    store.close(closed.ref, anna.id, "geen_reactie", url=url)
    store.claim(normal.ref, anna.id, url=url)

    def refs(*teams, **filters):
        return [t.ref for t in finder.search(list(teams), url=url, **filters).tickets]

    mine = ("twente", "landelijk", "geld")
    # Urgent first; closed tickets and other teams' tickets are not in the default list.
    assert refs(*mine) == [crisis.ref, acute.ref, normal.ref]
    assert other_team.ref not in refs(*mine)
    assert refs() == []
    assert refs(*mine, status=store.CLOSED) == [closed.ref]
    assert refs(*mine, status=store.CLAIMED) == [normal.ref]
    assert refs(*mine, status=store.NEW) == [crisis.ref, acute.ref]
    assert refs(*mine, team="geld") == [acute.ref]
    assert refs(*mine, team="rijnmond") == []  # a filter never widens past the coach's teams
    assert refs(*mine, urgency=store.CRISIS) == [crisis.ref]
    assert refs(*mine, mine=anna.id) == [normal.ref]
    listed = finder.search(["twente"], url=url).tickets
    assert [t.coach_name for t in listed] == ["Anna"]


def test_list_orders_oldest_first_within_one_urgency(url):
    first = make(url, "web-1")
    second = make(url, "web-2")
    urgent = make(url, "web-3", urgency=store.ACUTE)
    assert [t.ref for t in finder.search(["landelijk"], url=url).tickets] == [
        urgent.ref,
        first.ref,
        second.ref,
    ]


# --------------------------------------------------------------------------- follow-up


def test_followups_are_due_after_their_moment_and_sent_once(url):
    ticket = make(url)
    due_at = ticket.followup_due_at
    assert store.due_followups(due_at - timedelta(seconds=1), url=url) == []
    assert [t.ref for t in store.due_followups(due_at, url=url)] == [ticket.ref]
    assert store.mark_followup_sent(ticket.id, due_at, url=url) is True
    assert store.mark_followup_sent(ticket.id, due_at, url=url) is False  # another process
    assert store.due_followups(due_at + timedelta(days=30), url=url) == []
    assert store.get_ticket(ticket.ref, url=url).followup_sent_at == due_at


def test_a_reset_followup_is_due_again(url):
    ticket = make(url)
    later = ticket.followup_due_at + timedelta(hours=1)
    store.mark_followup_sent(ticket.id, later, url=url)
    store.reset_followup(ticket.id, url=url)
    assert store.get_ticket(ticket.ref, url=url).followup_sent_at is None
    assert [t.ref for t in store.due_followups(later, url=url)] == [ticket.ref]


def test_no_followup_while_live_or_after_closing_with_contact(url):
    anna = coach(url)
    live = make(url, "web-live")
    contact = make(url, "web-contact")
    referred = make(url, "web-referred")
    for ticket in (live, contact, referred):
        store.claim(ticket.ref, anna.id, url=url)
    store.set_live(live.ref, anna.id, True, url=url)
    store.close(contact.ref, anna.id, "contact", url=url)
    store.close(referred.ref, anna.id, "doorverwezen", url=url)
    later = max(t.followup_due_at for t in (live, contact, referred)) + timedelta(minutes=1)
    # "doorverwezen" is still asked: did the desk get in touch?
    assert [t.ref for t in store.due_followups(later, url=url)] == [referred.ref]
    store.set_live(live.ref, anna.id, False, url=url)
    assert {t.ref for t in store.due_followups(later, url=url)} == {referred.ref, live.ref}


def test_followups_come_oldest_first(url):
    first = make(url, "web-1")
    second = make(url, "web-2")
    later = second.followup_due_at + timedelta(minutes=1)
    assert [t.ref for t in store.due_followups(later, url=url)] == [first.ref, second.ref]


def test_the_followup_answer_goes_on_the_followed_up_ticket(url):
    assert store.record_followup_answer("web-person-1", "contact", url=url) is None
    ticket = make(url)
    # Not asked yet: nothing to answer.
    assert store.record_followup_answer("web-person-1", "contact", url=url) is None
    store.mark_followup_sent(ticket.id, ticket.followup_due_at, url=url)
    answered = store.record_followup_answer("web-person-1", "geen_contact", url=url)
    assert answered.ref == ticket.ref and answered.followup_answer == "geen_contact"
    assert store.get_ticket(ticket.ref, url=url).followup_answer == "geen_contact"
    assert store.events(ticket.id, url=url)[-1] == {
        "kind": "followup",
        "text": "Antwoord: nog geen contact",
        "coach": None,
        "at": store.events(ticket.id, url=url)[-1]["at"],
    }
    assert store.record_followup_answer("web-someone-else", "contact", url=url) is None


# --------------------------------------------------------------------------- relay log


def test_relay_messages_are_kept_per_person_in_order(url):
    assert store.last_relay_id("web-a", url=url) == 0
    first = store.add_relay("web-a", "coach", "Hoi, ik ben Anna.", "Anna", url=url)
    other = store.add_relay("web-b", "bot", "Iets voor B", url=url)
    second = store.add_relay("web-a", "bot", "Anna heeft het gesprek teruggegeven.", url=url)
    assert first < other < second
    assert store.relay_since("web-a", 0, url=url) == [
        {"id": first, "from": "coach", "name": "Anna", "text": "Hoi, ik ben Anna."},
        {"id": second, "from": "bot", "name": None, "text": "Anna heeft het gesprek teruggegeven."},
    ]
    with_buttons = store.add_relay(
        "web-a", "bot", "Vraag?", url=url, buttons=[{"title": "Ja", "payload": "/affirm"}]
    )
    assert store.relay_since("web-a", second, url=url)[0]["buttons"] == [
        {"title": "Ja", "payload": "/affirm"}
    ]
    assert [m["id"] for m in store.relay_since("web-a", first, url=url)] == [second, with_buttons]
    second = with_buttons
    assert store.relay_since("web-a", second, url=url) == []
    assert store.last_relay_id("web-a", url=url) == second
    assert store.last_relay_id("web-b", url=url) == other
    assert store.relay_since("web-c", 0, url=url) == []


def test_the_relay_log_stores_the_person_under_the_pseudonymous_key(url, tmp_path):
    store.add_relay("web-secret-sender-42", "coach", "Hallo", "Anna", url=url)
    raw = (tmp_path / "handoff.db").read_bytes()
    assert b"web-secret-sender-42" not in raw
    assert person_key("web-secret-sender-42").encode() in raw


# --------------------------------------------------------------------------- coaches


def test_save_coach_creates_then_updates(url):
    created = store.save_coach("anna", "Anna", ["landelijk", "geld"], "hash-1", url=url)
    assert created.teams == ("landelijk", "geld") and created.active
    store.deactivate_coach("anna", url=url)
    updated = store.save_coach("anna", "Anna B", ["twente"], "hash-2", url=url)
    assert updated.id == created.id
    assert (updated.first_name, updated.teams, updated.active) == ("Anna B", ("twente",), True)
    assert store.coach_login_record("anna", url=url)["password_hash"] == "hash-2"
    assert [c.username for c in store.list_coaches(url=url)] == ["anna"]
    assert store.coach_login_record("nobody", url=url) is None


def test_a_session_belongs_to_an_active_coach_until_it_expires(url):
    anna = coach(url)
    store.start_session(anna.id, "token-hash-1", "csrf-1", timedelta(hours=8), url=url)
    found = store.session_coach("token-hash-1", url=url)
    assert found is not None
    who, csrf = found
    assert (who.id, who.username, csrf) == (anna.id, "anna", "csrf-1")
    assert store.session_coach("other-hash", url=url) is None
    store.end_session("token-hash-1", url=url)
    assert store.session_coach("token-hash-1", url=url) is None


def test_an_expired_session_is_gone(url):
    anna = coach(url)
    store.start_session(anna.id, "old", "csrf", timedelta(seconds=-1), url=url)
    assert store.session_coach("old", url=url) is None
    with store.factory(url).begin() as session:
        assert session.get(store.CoachSessionRecord, "old") is None  # and removed


def test_deactivating_a_coach_ends_their_sessions(url):
    anna, bram = coach(url), coach(url, "bram", "Bram")
    store.start_session(anna.id, "anna-token", "c1", timedelta(hours=8), url=url)
    store.start_session(bram.id, "bram-token", "c2", timedelta(hours=8), url=url)
    assert store.deactivate_coach("anna", url=url) is True
    assert store.session_coach("anna-token", url=url) is None
    assert store.session_coach("bram-token", url=url) is not None  # others stay logged in
    assert store.coach_login_record("anna", url=url)["active"] is False
    assert store.deactivate_coach("nobody", url=url) is False


def test_a_good_login_stores_a_rehashed_password(url):
    anna = coach(url)
    store.login_succeeded(anna.id, "new-hash", url=url)
    assert store.coach_login_record("anna", url=url)["password_hash"] == "new-hash"
    store.login_succeeded(9999, "x", url=url)  # removed coach: no error


# --------------------------------------------------------------------------- retention


def test_purge_deletes_only_tickets_closed_before_the_limit(url):
    anna = coach(url)
    old = make(url, "web-old")
    recent = make(url, "web-recent")
    still_open = make(url, "web-open")
    for ticket in (old, recent):
        store.claim(ticket.ref, anna.id, url=url)
    store.add_event(old.ref, anna.id, "note", "Gebeld", url=url)
    old_closed, _ = store.close(old.ref, anna.id, "contact", url=url)
    store.add_relay("web-old", "coach", "Hoi", "Anna", url=url)
    store.add_relay("web-open", "coach", "Hoi", "Anna", url=url)
    limit = store.utcnow() + timedelta(seconds=1)
    # "recent" is closed after the limit: it stays, as do open tickets.
    store.close(recent.ref, anna.id, "doorverwezen", url=url)
    with store.factory(url).begin() as session:
        session.get(store.TicketRecord, recent.id).closed_at = limit + timedelta(days=1)

    assert store.purge_closed(limit, url=url) == 1
    assert store.get_ticket(old.ref, url=url) is None
    assert store.events(old_closed.id, url=url) == []
    assert store.relay_since("web-old", 0, url=url) == []
    assert store.get_ticket(recent.ref, url=url) is not None
    assert store.get_ticket(still_open.ref, url=url) is not None
    assert len(store.relay_since("web-open", 0, url=url)) == 1  # other people keep theirs
    assert store.purge_closed(limit, url=url) == 0


def test_purge_with_nothing_closed_deletes_nothing(url):
    make(url)
    assert store.purge_closed(store.utcnow() + timedelta(days=365), url=url) == 0
    assert count_open(url) == 1
