"""Finding tickets for the coach inbox (loopbrug/handoff/finder.py), their honest times
(loopbrug/handoff/times.py) and a team's target (routing.py), on a real SQLite file."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import update

from loopbrug.handoff import finder, store, times
from loopbrug.handoff.routing import DEFAULT_TARGET_MINUTES, get_teams, load_teams
from tests.handoff_fixtures import make_ticket, ticket_wish

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'finder.db'}"


def make(url: str, conversation_id: str, **changes: Any) -> store.Ticket:
    return make_ticket(url, conversation_id, **changes)


def coach(url: str, username: str = "anna", teams=("landelijk",)) -> store.Coach:
    return store.save_coach(username, username.title(), teams, password_hash="x", url=url)


def set_columns(url: str, ticket: store.Ticket, **values: Any) -> None:
    with store.factory(url).begin() as session:
        session.execute(
            update(store.TicketRecord).where(store.TicketRecord.id == ticket.id).values(**values)
        )


def refs(page: finder.Page) -> list:
    return [t.ref for t in page.tickets]


# -- search --------------------------------------------------------------------------------------


def test_a_reference_read_out_on_the_phone_finds_its_ticket(url):
    wanted = make(url, "web-1")
    make(url, "web-2")
    code = wanted.ref.removeprefix("LB-").lower()  # "k7m2pq", as said on the phone
    assert refs(finder.search(["landelijk"], code, url=url)) == [wanted.ref]
    assert refs(finder.search(["landelijk"], wanted.ref.lower(), url=url)) == [wanted.ref]
    assert refs(finder.search(["landelijk"], f"  {code.upper()} ", url=url)) == [wanted.ref]


def test_place_region_topic_label_and_summary_words_match(url):
    zwolle = make(url, "web-1", gemeente="Zwolle", region="IJsselvechtstreek", topic="werk")
    money = make(
        url,
        "web-2",
        gemeente="Enschede",
        region="Twente",
        topic="geld",
        summary={"reason": "Vraagt om een coach", "asked": ["Huurachterstand oplossen"]},
    )
    teams = ["landelijk"]
    assert refs(finder.search(teams, "zwolle", url=url)) == [zwolle.ref]
    assert refs(finder.search(teams, "ijsselvecht", url=url)) == [zwolle.ref]
    assert refs(finder.search(teams, "TWENTE", url=url)) == [money.ref]
    assert refs(finder.search(teams, "schulden", url=url)) == [money.ref]  # "Geld en schulden"
    assert refs(finder.search(teams, "geld", url=url)) == [money.ref]
    assert refs(finder.search(teams, "huurachterstand", url=url)) == [money.ref]
    assert refs(finder.search(teams, "twente huur", url=url)) == [money.ref]  # every word
    assert refs(finder.search(teams, "twente zwolle", url=url)) == []
    assert len(finder.search(teams, "", url=url).tickets) == 2
    assert refs(finder.search(teams, "100%_", url=url)) == []  # no LIKE wildcards


def test_the_summarys_field_names_match_nothing_and_case_folds_beyond_ascii(url):
    """Only the summary's words are searched: "reason" or "messages" (its field names) found
    every ticket before. Upper case outside ASCII folds too (SQLite's lower() does not)."""
    ticket = make(
        url,
        "web-1",
        gemeente="'s-Hertogenbosch",
        summary={"reason": "Vraagt om een coach", "messages": ["ÉÉN VRAAG OVER ÖMSCHOLING"]},
    )
    teams = ["landelijk"]
    assert refs(finder.search(teams, "reason", url=url)) == []
    assert refs(finder.search(teams, "messages", url=url)) == []
    assert refs(finder.search(teams, "één", url=url)) == [ticket.ref]
    assert refs(finder.search(teams, "Ömscholing", url=url)) == [ticket.ref]
    assert refs(finder.search(teams, "'S-HERTOGENBOSCH", url=url)) == [ticket.ref]


def test_search_sees_only_the_coachs_teams(url):
    make(url, "web-1", team="groningen", gemeente="Groningen")
    national = make(url, "web-2", team="landelijk", gemeente="Groningen")
    assert refs(finder.search(["landelijk"], "groningen", url=url)) == [national.ref]
    assert finder.search([], "groningen", url=url).tickets == []


def test_closed_tickets_come_newest_first_fifty_a_page(url):
    anna = coach(url)
    closed = []
    for number in range(finder.PAGE_SIZE + 3):
        ticket = make(url, f"web-{number}")
        store.claim(ticket.ref, anna.id, url=url)
        store.close(ticket.ref, anna.id, "contact", url=url)
        closed.append(ticket.ref)
    still_open = make(url, "web-open")
    first = finder.search(["landelijk"], status=store.CLOSED, url=url)
    assert refs(first) == closed[::-1][: finder.PAGE_SIZE]
    assert first.next_page == 2
    second = finder.search(["landelijk"], status=store.CLOSED, page=2, url=url)
    assert refs(second) == closed[::-1][finder.PAGE_SIZE :]
    assert second.next_page is None
    everything = finder.search(["landelijk"], status=finder.ALL, url=url)
    assert refs(everything)[0] == still_open.ref  # open first, then closed newest first
    assert refs(everything)[1] == closed[-1]
    assert refs(finder.search(["landelijk"], url=url)) == [still_open.ref]


def test_open_tickets_are_most_urgent_then_oldest_first(url):
    old = make(url, "web-1", urgency=store.NORMAL)
    young = make(url, "web-2", urgency=store.NORMAL)
    crisis = make(url, "web-3", urgency=store.CRISIS)
    set_columns(url, old, created_at=NOW - timedelta(hours=2))
    set_columns(url, young, created_at=NOW - timedelta(hours=1))
    assert refs(finder.search(["landelijk"], url=url)) == [crisis.ref, old.ref, young.ref]


# -- times ---------------------------------------------------------------------------------------


def test_claim_and_first_response_come_from_the_events(url):
    anna = coach(url)
    ticket = make(url, "web-1")
    assert finder.with_times(ticket, url=url).claimed_at is None
    store.claim(ticket.ref, anna.id, url=url)
    store.add_event(ticket.ref, anna.id, "reply", "Hoi", url=url)
    timed = finder.with_times(ticket, url=url)
    assert timed.claimed_at is not None
    assert timed.first_response_at == timed.claimed_at  # the claim came first
    listed = finder.search(["landelijk"], url=url).tickets[0]
    assert listed.claimed_at == timed.claimed_at and listed.coach_name == "Anna"


def test_a_message_before_the_claim_is_the_first_response(url):
    ticket = make(url, "web-1")
    store.add_event(ticket.ref, None, "reply", "Hoi", url=url)
    timed = finder.with_times(ticket, url=url)
    assert timed.claimed_at is None and timed.first_response_at is not None


def ticket_at(status: str, **changes: Any) -> store.Ticket:
    base = ticket_wish("web-x")
    values = {name: getattr(base, name) for name in base.__dataclass_fields__}
    values.update(
        id=1,
        ref="LB-AAAAAA",
        person="p",
        status=status,
        live=False,
        coach_id=None,
        coach_name=None,
        created_at=NOW,
        updated_at=NOW,
        closed_at=None,
        outcome=None,
        followup_due_at=None,
        followup_sent_at=None,
        followup_answer=None,
    )
    values.update(changes)
    return store.Ticket(**values)


def test_a_ticket_waits_only_until_it_is_claimed_and_never_when_closed():
    waiting = ticket_at(store.NEW)
    assert times.waiting(waiting, NOW + timedelta(minutes=12)) == timedelta(minutes=12)
    claimed = ticket_at(store.CLAIMED, claimed_at=NOW + timedelta(minutes=5))
    assert times.waiting(claimed, NOW + timedelta(hours=3)) is None
    assert times.claimed_after(claimed) == timedelta(minutes=5)
    closed = ticket_at(store.CLOSED, closed_at=NOW + timedelta(hours=1))
    assert times.waiting(closed, NOW + timedelta(days=3)) is None
    assert times.since_person(closed, NOW + timedelta(days=3)) is None


def test_the_target_is_near_from_80_percent_and_over_after_it():
    target = timedelta(minutes=60)
    ticket = ticket_at(store.NEW)
    assert times.target_state(ticket, NOW + timedelta(minutes=47), target) == times.OK
    assert times.target_state(ticket, NOW + timedelta(minutes=48), target) == times.NEAR
    assert times.target_state(ticket, NOW + timedelta(minutes=60), target) == times.OVER
    claimed = ticket_at(store.CLAIMED, claimed_at=NOW + timedelta(minutes=90))
    assert times.target_state(claimed, NOW + timedelta(hours=5), target) is None


def test_time_since_the_persons_last_message():
    ticket = ticket_at(store.CLAIMED, last_person_message_at=NOW)
    assert times.since_person(ticket, NOW + timedelta(minutes=7)) == timedelta(minutes=7)
    assert times.since_person(ticket_at(store.NEW), NOW) is None


def test_the_persons_newest_message_is_noted_on_the_open_ticket_only(url):
    ticket = make(url, "web-1")
    assert store.get_ticket(ticket.ref, url).last_person_message_at is not None  # at creation
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    assert finder.person_spoke("web-1", later, url=url)
    assert store.get_ticket(ticket.ref, url).last_person_message_at == later
    assert not finder.person_spoke("web-1", later - timedelta(minutes=1), url=url)  # no going back
    assert not finder.person_spoke("web-nobody", later, url=url)


def test_team_targets_come_from_teams_yml_with_a_default(tmp_path):
    teams = get_teams()
    assert teams.target("landelijk") == timedelta(minutes=30)
    assert teams.target("no-such-team") == timedelta(minutes=DEFAULT_TARGET_MINUTES)
    path = tmp_path / "teams.yml"
    path.write_text(
        "national_team: a\nteams:\n  - {id: a, name: A, regions: ['*'], topics: ['*']}\n"
    )
    assert load_teams(path).target("a") == timedelta(minutes=DEFAULT_TARGET_MINUTES)
    path.write_text(
        "national_team: a\nteams:\n"
        "  - {id: a, name: A, regions: ['*'], topics: ['*'], target_minutes: -5}\n"
    )
    with pytest.raises(ValueError):
        load_teams(path)


# -- a person's history --------------------------------------------------------------------------


def test_earlier_tickets_of_the_person_with_notes_and_outcome_only_in_own_teams(url):
    anna = coach(url)
    first = make(url, "web-same", team="landelijk")
    store.claim(first.ref, anna.id, url=url)
    store.add_event(first.ref, anna.id, "note", "Belt maandag terug", url=url)
    store.close(first.ref, anna.id, "doorverwezen", url=url)
    other_team = make(url, "web-same", team="groningen")
    set_columns(url, other_team, status=store.CLOSED, open_key=None)
    stranger = make(url, "web-other")
    current = make(url, "web-same")

    history = finder.person_history(current, ["landelijk"], url=url)
    assert [e.ticket.ref for e in history.visible] == [first.ref]
    assert history.visible[0].ticket.outcome == "doorverwezen"
    assert [e["text"] for e in history.visible[0].events if e["kind"] == "note"] == [
        "Belt maandag terug"
    ]
    assert history.elsewhere == 1
    assert stranger.ref not in [e.ticket.ref for e in history.visible]
    alone = finder.person_history(stranger, ["landelijk"], url=url)
    assert alone.visible == [] and alone.elsewhere == 0


# -- live changes (GET /coach/events) -------------------------------------------------------------


def test_changes_since_names_new_tickets_of_the_teams_only(url):
    before = store.utcnow() - timedelta(seconds=1)
    mine = make(url, "web-1", urgency=store.CRISIS)
    make(url, "web-2", team="groningen")
    changes, cursor = finder.changes_since(["landelijk"], before, url=url)
    assert changes == [finder.Change(mine.ref, finder.NEW, "crisis")]
    assert cursor >= mine.created_at
    assert finder.changes_since(["landelijk"], cursor, url=url) == ([], cursor)
    assert finder.changes_since([], before, url=url) == ([], before)


def test_a_message_of_the_person_and_other_changes_are_told_apart(url):
    ticket = make(url, "web-1", urgency=store.ACUTE)
    _, cursor = finder.changes_since(["landelijk"], ticket.created_at - timedelta(seconds=1), url)
    assert finder.person_spoke("web-1", cursor + timedelta(seconds=5), url=url)
    changes, cursor = finder.changes_since(["landelijk"], cursor, url=url)
    assert changes == [finder.Change(ticket.ref, finder.MESSAGE, "acute")]
    set_columns(url, ticket, updated_at=cursor + timedelta(seconds=5))
    changes, later = finder.changes_since(["landelijk"], cursor, url=url)
    assert changes == [finder.Change(ticket.ref, finder.UPDATE, "acute")]
    assert later == cursor + timedelta(seconds=5)


def test_a_ticket_transferred_in_or_let_go_is_new_work_a_claim_is_not(url):
    """The list marks only new work unread: a ticket that arrives from another team or is let
    go by its coach is new again for the team; a claim or a note only changes the row."""
    anna = coach(url, teams=("landelijk", "twente"))
    ticket = make(url, "web-1", team="landelijk")

    def after(step):
        before = store.utcnow()
        time.sleep(0.01)  # the step's times come after ``before``
        step()
        return finder.changes_since(["twente"], before, url=url)[0]

    assert after(lambda: store.claim(ticket.ref, anna.id, url=url)) == []  # not Twente's yet
    moved = after(
        lambda: store.transfer(ticket.ref, anna.id, "twente", "Twente", "Zie notitie", url=url)
    )
    assert moved == [finder.Change(ticket.ref, finder.NEW, "normal")]
    claimed = after(lambda: store.claim(ticket.ref, anna.id, url=url))
    assert claimed == [finder.Change(ticket.ref, finder.UPDATE, "normal")]
    let_go = after(lambda: store.unclaim(ticket.ref, anna.id, url=url))
    assert let_go == [finder.Change(ticket.ref, finder.NEW, "normal")]
