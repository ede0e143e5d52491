"""The handoff's service API (loopbrug/handoff/service.py): every step on a real SQLite file,
with Rasa's HTTP API replaced by httpx.MockTransport and the coaches' group by a fake Bot API."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Dict, List

import httpx
import pytest

from loopbrug.handoff import finder, service, store
from loopbrug.handoff.relay import RasaRelay
from loopbrug.settings import Settings
from loopbrug.texts import text
from tests.handoff_fixtures import make_ticket
from tests.telegram_fake import FakeBotApi

GROUP = "-100123"


class FakeRasa:
    """Records the events appended to conversations; ``down`` answers like a dead server."""

    # What the bot says to a triggered give_feedback (actions/feedback.py asks the question).
    QUESTION = {
        "recipient_id": "x",
        "text": "Heeft de coach je geholpen?",
        "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}],
    }

    def __init__(self) -> None:
        self.appended: List[Dict[str, Any]] = []
        self.triggered: List[Dict[str, Any]] = []
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        body = json.loads(request.content.decode())
        if request.url.path.endswith("/trigger_intent"):
            self.triggered.append({"path": request.url.path, "intent": body["name"]})
            return httpx.Response(200, json={"messages": [self.QUESTION]})
        self.appended.append({"path": request.url.path, "events": body})
        return httpx.Response(200, json={})

    def kinds(self) -> List[List[str]]:
        return [[e["event"] for e in call["events"]] for call in self.appended]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'service.db'}")


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
    return store.save_coach("anna", "Anna", ["landelijk"], password_hash="x", url=url)


def claimed(url: str, coach: store.Coach, conversation_id: str = "web-person-1") -> store.Ticket:
    ticket = make_ticket(url, conversation_id)
    return store.claim(ticket.ref, coach.id, url=url)


def request(conversation_id: str = "web-person-1", **changes: Any) -> service.Request:
    fields: Dict[str, Any] = {
        "conversation_id": conversation_id,
        "channel": "rest",
        "summary": {"topic": "geld", "urgency": store.ACUTE, "messages": []},
        "region": "Twente",
        "gemeente": "Enschede",
        "contact_channel": "chat",
        "contact_detail": None,
        "contact_time": None,
        "consent_version": "v1-test",
    }
    fields.update(changes)
    return service.Request(**fields)


# --------------------------------------------------------------------------- the person's side


async def test_create_routes_stores_once_and_tells_the_coaches_once(settings, url):
    with FakeBotApi() as api:
        told = Settings(
            database_url=url,
            telegram_bot_token=api.token,
            telegram_api_base_url=api.base_url,
            coach_telegram_chat_id=GROUP,
        )
        ticket, created = await service.create(request(), told)
        again, created_again = await service.create(request(), told)  # a retried action
        sent = api.texts(int(GROUP))
    assert created and not created_again and again.ref == ticket.ref
    # Money questions go to the national geldcoaches, whatever the region.
    assert (ticket.team, ticket.topic, ticket.urgency) == ("geld", "geld", store.ACUTE)
    assert ticket.followup_due_at == ticket.created_at + timedelta(days=3)
    assert len(sent) == 1 and ticket.ref in sent[0]


async def test_create_without_telegram_still_makes_the_ticket(settings, url):
    ticket, created = await service.create(request(), settings)
    assert created and store.open_ticket_for("web-person-1", url).ref == ticket.ref


async def test_a_crisis_makes_the_open_ticket_urgent_once(settings, url):
    ticket = make_ticket(url, "web-person-1", team="twente")
    urgent = await service.mark_crisis("web-person-1", settings)
    assert urgent is not None and urgent.ref == ticket.ref
    assert (urgent.urgency, urgent.topic, urgent.team) == (store.CRISIS, "crisis", "landelijk")
    assert await service.mark_crisis("web-person-1", settings) is None  # already a crisis
    assert await service.mark_crisis("web-nobody", settings) is None  # no open ticket


async def test_the_followup_answer_goes_on_the_followed_up_ticket(settings, url):
    ticket = make_ticket(url)
    assert store.mark_followup_sent(ticket.id, ticket.followup_due_at, url=url)
    answered = await service.answer_followup("web-person-1", False, settings)
    assert answered.ref == ticket.ref and answered.followup_answer == "geen_contact"


# --------------------------------------------------------------------------- the coach's side


async def test_take_over_pauses_rasa_and_tells_the_widget(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    assert await service.take_over(relay, ticket.ref, anna, url) is True
    assert store.get_ticket(ticket.ref, url).live is True
    assert rasa.kinds() == [["active_loop", "slot", "pause", "bot"]]
    notice = text("handoff.takeover", coach="Anna", team="Loopbrug")
    assert rasa.appended[0]["events"][-1]["text"] == notice
    assert [row["text"] for row in store.relay_since(ticket.conversation_id, 0, url)] == [notice]
    # A second click changes nothing and tells nobody again.
    assert await service.take_over(relay, ticket.ref, anna, url) is False
    assert len(rasa.appended) == 1


async def test_telegram_people_get_no_relay_log(relay, rasa, url, anna):
    ticket = claimed(url, anna, "tg-12345")
    await service.take_over(relay, ticket.ref, anna, url)
    await service.send(relay, ticket.ref, anna, "Hoi, ik ben Anna.", url)
    assert len(rasa.appended) == 2  # Rasa pushes both to Telegram
    assert store.relay_since("tg-12345", 0, url) == []


async def test_take_over_is_undone_when_rasa_is_down(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    rasa.down = True
    with pytest.raises(service.RelayError):
        await service.take_over(relay, ticket.ref, anna, url)
    assert store.get_ticket(ticket.ref, url).live is False
    assert store.relay_since(ticket.conversation_id, 0, url) == []


async def test_send_needs_the_chat_and_lands_in_rasa_history_and_widget(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    with pytest.raises(service.TicketConflict, match="Neem het gesprek eerst over"):
        await service.send(relay, ticket.ref, anna, "Hoi", url)
    await service.take_over(relay, ticket.ref, anna, url)
    await service.send(relay, ticket.ref, anna, "Hoi, ik ben Anna.", url)
    assert rasa.appended[-1]["events"][0]["data"]["custom"] == {
        "from": "coach",
        "name": "Anna",
        "text": "Hoi, ik ben Anna.",
    }
    assert store.events(ticket.id, url)[-1]["kind"] == "reply"
    last = store.relay_since(ticket.conversation_id, 0, url)[-1]
    assert (last["from"], last["name"], last["text"]) == ("coach", "Anna", "Hoi, ik ben Anna.")


async def test_a_reply_rasa_did_not_take_is_not_recorded(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    rasa.down = True
    with pytest.raises(service.RelayError):
        await service.send(relay, ticket.ref, anna, "Hoi", url)
    assert [e["kind"] for e in store.events(ticket.id, url)] == ["claim", "takeover"]


async def test_hand_back_resumes_rasa_or_stays_live(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    rasa.down = True
    with pytest.raises(service.RelayError):
        await service.hand_back(relay, ticket.ref, anna, url)
    assert store.get_ticket(ticket.ref, url).live is True  # the person is not left alone
    rasa.down = False
    assert await service.hand_back(relay, ticket.ref, anna, url) is True
    assert rasa.kinds()[-1] == ["resume", "bot"]
    assert store.get_ticket(ticket.ref, url).live is False
    assert await service.hand_back(relay, ticket.ref, anna, url) is False


async def test_close_hands_the_chat_back_first(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    closed = await service.close(relay, ticket.ref, anna, "contact", url)
    assert closed.status == store.CLOSED and not closed.live
    assert rasa.kinds()[-1] == ["resume", "bot"]


async def test_a_close_rasa_cannot_follow_leaves_the_ticket_open(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    rasa.down = True
    with pytest.raises(service.RelayError):
        await service.close(relay, ticket.ref, anna, "contact", url)
    still = store.get_ticket(ticket.ref, url)
    assert still.is_open and still.live


@pytest.mark.parametrize(
    "outcome, asked", [("contact", True), ("doorverwezen", True), ("geen_reactie", False)]
)
async def test_after_a_close_with_contact_the_person_is_asked_once(
    relay, rasa, url, anna, outcome, asked
):
    ticket = claimed(url, anna)
    await service.close(relay, ticket.ref, anna, outcome, url)
    if not asked:  # after "geen reactie" the person never talked with the coach
        assert rasa.triggered == []
        assert store.get_ticket(ticket.ref, url).satisfaction_asked_at is None
        return
    assert rasa.triggered == [
        {"path": "/conversations/web-person-1/trigger_intent", "intent": "give_feedback"}
    ]
    # The widget fetches the question with its buttons from the relay log.
    assert store.relay_since("web-person-1", 0, url=url) == [
        {
            "id": 1,
            "from": "bot",
            "name": None,
            "text": "Heeft de coach je geholpen?",
            "buttons": FakeRasa.QUESTION["buttons"],
        }
    ]
    closed = store.get_ticket(ticket.ref, url)
    assert closed.satisfaction_asked_at is not None and closed.satisfaction is None
    assert [(e["kind"], e["text"]) for e in store.events(ticket.id, url)][-1] == (
        "satisfaction",
        "Vraag aan de persoon: heeft de coach je geholpen?",
    )
    # Asked once: a second attempt (another process) sends nothing.
    assert await service.ask_satisfaction(relay, closed, url) is False
    assert len(rasa.triggered) == 1


async def test_the_answer_is_stored_on_the_asked_ticket_and_may_change(relay, url, anna, settings):
    ticket = claimed(url, anna)
    assert await service.answer_satisfaction("web-person-1", True, settings) is None  # not asked
    await service.close(relay, ticket.ref, anna, "contact", url)
    later = make_ticket(url, "web-person-1")  # a new question, not asked about yet
    answered = await service.answer_satisfaction("web-person-1", False, settings)
    assert answered.ref == ticket.ref and answered.satisfaction == "nee"
    answered = await service.answer_satisfaction("web-person-1", True, settings)
    assert answered.satisfaction == "ja" and answered.satisfaction_at is not None
    assert store.get_ticket(later.ref, url).satisfaction is None
    assert [e["text"] for e in store.events(ticket.id, url) if e["kind"] == "satisfaction"] == [
        "Vraag aan de persoon: heeft de coach je geholpen?",
        "Antwoord: nee, de coach heeft niet geholpen",
        "Antwoord: ja, de coach heeft geholpen",
    ]


async def test_when_rasa_cannot_ask_the_ticket_is_closed_and_says_it_was_not_asked(
    relay, rasa, url, anna
):
    ticket = claimed(url, anna)

    def refuse_triggers(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/trigger_intent"):
            raise httpx.ConnectError("refused", request=request)
        return FakeRasa.__call__(rasa, request)

    relay._client._transport = httpx.MockTransport(refuse_triggers)
    closed = await service.close(relay, ticket.ref, anna, "contact", url)
    assert closed.status == store.CLOSED
    assert store.get_ticket(ticket.ref, url).satisfaction_asked_at is None
    assert store.relay_since("web-person-1", 0, url=url) == []


@pytest.mark.parametrize(
    "outcome, message",
    [
        ("onbekend", "Kies een uitkomst."),  # not one of store.OUTCOMES
        ("contact", "Pak het ticket eerst op."),  # nobody claimed it
    ],
)
async def test_close_refuses_what_the_ticket_does_not_allow(relay, url, anna, outcome, message):
    ticket = make_ticket(url)
    with pytest.raises(service.TicketConflict, match=message):
        await service.close(relay, ticket.ref, anna, outcome, url)
    assert store.get_ticket(ticket.ref, url).is_open


async def test_claim_and_note(url, anna):
    ticket = make_ticket(url)
    assert (await service.claim(ticket.ref, anna, url)).coach_name == "Anna"
    await service.note(ticket.ref, anna, "Belt morgen terug", url)
    assert [(e["kind"], e["text"]) for e in store.events(ticket.id, url)][-1] == (
        "note",
        "Belt morgen terug",
    )


# --------------------------------------------------------------------------- passing it on


@pytest.fixture
def bram(url: str) -> store.Coach:
    return store.save_coach("bram", "Bram", ["landelijk", "geld"], password_hash="x", url=url)


@pytest.fixture
def cees(url: str) -> store.Coach:
    return store.save_coach("cees", "Cees", ["groningen"], password_hash="x", url=url)


def kinds_of(ticket: store.Ticket, url: str) -> List[str]:
    return [e["kind"] for e in store.events(ticket.id, url)]


async def test_unclaim_puts_the_ticket_back_in_the_team_list(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    free = await service.unclaim(relay, ticket.ref, anna, url)
    assert (free.status, free.coach_id, free.live) == (store.NEW, None, False)
    assert kinds_of(ticket, url) == ["claim", "unclaim"]
    assert rasa.appended == []  # not live: the person's chat does not change


async def test_unclaim_of_a_live_chat_hands_it_back_first(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    await service.unclaim(relay, ticket.ref, anna, url)
    assert rasa.kinds()[-1] == ["resume", "bot"]
    notice = text("handoff.handback", coach="Anna")
    assert rasa.appended[-1]["events"][-1]["text"] == notice
    assert store.relay_since(ticket.conversation_id, 0, url)[-1]["text"] == notice
    assert kinds_of(ticket, url) == ["claim", "takeover", "handback", "unclaim"]
    assert store.get_ticket(ticket.ref, url).coach_id is None


async def test_unclaim_rasa_cannot_follow_changes_nothing(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    rasa.down = True
    with pytest.raises(service.RelayError):
        await service.unclaim(relay, ticket.ref, anna, url)
    still = store.get_ticket(ticket.ref, url)
    assert still.live and still.coach_id == anna.id


async def test_a_colleague_cannot_unclaim_or_pass_on_someone_elses_ticket(relay, url, anna, bram):
    ticket = claimed(url, anna)
    colleague = text("inbox.error_van_collega")
    with pytest.raises(service.TicketConflict, match=colleague[:20]):
        await service.unclaim(relay, ticket.ref, bram, url)
    with pytest.raises(service.TicketConflict, match=colleague[:20]):
        await service.reassign(relay, ticket.ref, bram, bram.id, url)
    with pytest.raises(service.TicketConflict, match=colleague[:20]):
        await service.transfer(relay, ticket.ref, bram, "geld", "Geldvraag", url)
    assert store.get_ticket(ticket.ref, url).coach_id == anna.id


async def test_reassign_goes_to_an_active_coach_of_the_team_only(
    relay, rasa, url, anna, bram, cees
):
    ticket = claimed(url, anna)
    with pytest.raises(service.TicketConflict, match="Kies een coach van het team"):
        await service.reassign(relay, ticket.ref, anna, cees.id, url)  # team groningen
    store.deactivate_coach("bram", url)
    with pytest.raises(service.TicketConflict, match="Kies een coach van het team"):
        await service.reassign(relay, ticket.ref, anna, bram.id, url)  # account off
    with pytest.raises(service.TicketConflict, match="Kies een coach van het team"):
        await service.reassign(relay, ticket.ref, anna, 9999, url)  # no such coach
    assert [c.username for c in service.coaches_for("landelijk", url)] == ["anna"]
    store.save_coach("bram", "Bram", ["landelijk", "geld"], password_hash="x", url=url)
    moved = await service.reassign(relay, ticket.ref, anna, bram.id, url)
    assert (moved.coach_id, moved.coach_name, moved.status) == (bram.id, "Bram", store.CLAIMED)
    assert store.events(ticket.id, url)[-1]["kind"] == "reassign"
    assert store.events(ticket.id, url)[-1]["text"] == "Naar Bram"
    assert rasa.appended == []


async def test_a_live_chat_reassigned_stays_paused_and_the_person_reads_who_has_it(
    relay, rasa, url, anna, bram
):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    moved = await service.reassign(relay, ticket.ref, anna, bram.id, url)
    assert moved.live and moved.coach_id == bram.id
    assert rasa.kinds()[-1] == ["bot"]  # no resume: the bot stays silent
    notice = text("handoff.takeover", coach="Bram", team="Loopbrug")
    assert rasa.appended[-1]["events"][0]["text"] == notice
    assert store.relay_since(ticket.conversation_id, 0, url)[-1]["text"] == notice
    # Bram has the chat now: he can write, Anna cannot.
    await service.send(relay, ticket.ref, bram, "Hoi, ik ben Bram.", url)
    with pytest.raises(service.TicketConflict):
        await service.send(relay, ticket.ref, anna, "Hoi", url)


async def test_an_unclaimed_ticket_can_be_given_to_a_colleague(relay, url, anna, bram):
    ticket = make_ticket(url)
    moved = await service.reassign(relay, ticket.ref, anna, bram.id, url)
    assert moved.coach_id == bram.id and moved.status == store.CLAIMED


async def test_transfer_needs_a_note_and_another_known_team(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    for team, note, message in (
        ("geld", "   ", "Schrijf een notitie"),
        ("bestaat-niet", "Zie notitie", "Kies een ander team"),
        ("landelijk", "Zie notitie", "Kies een ander team"),  # its own team
    ):
        with pytest.raises(service.TicketConflict, match=message):
            await service.transfer(relay, ticket.ref, anna, team, note, url)
    still = store.get_ticket(ticket.ref, url)
    assert (still.team, still.coach_id) == ("landelijk", anna.id)
    assert kinds_of(ticket, url) == ["claim"]


async def test_transfer_of_a_live_chat_hands_back_and_leaves_the_old_team(relay, rasa, url, anna):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    moved = await service.transfer(relay, ticket.ref, anna, "geld", "Vraag over schulden.", url)
    assert (moved.team, moved.status, moved.coach_id, moved.live) == (
        "geld",
        store.NEW,
        None,
        False,
    )
    assert rasa.kinds()[-1] == ["resume", "bot"]
    assert text("handoff.handback", coach="Anna") in rasa.appended[-1]["events"][-1]["text"]
    last = store.events(ticket.id, url)[-1]
    assert last["kind"] == "transfer" and last["coach"] == "Anna"
    assert "Vraag over schulden." in last["text"] and team_label("geld") in last["text"]
    assert ticket.ref not in [t.ref for t in finder.search(["landelijk"], url=url).tickets]
    assert ticket.ref in [t.ref for t in finder.search(["geld"], url=url).tickets]


def team_label(team: str) -> str:
    return service.team_name(team)


async def test_take_over_from_a_colleague_with_a_live_chat(relay, rasa, url, anna, bram):
    ticket = claimed(url, anna)
    await service.take_over(relay, ticket.ref, anna, url)
    taken = await service.take_from_colleague(relay, ticket.ref, bram, anna.id, url)
    assert (taken.coach_id, taken.live) == (bram.id, True)
    assert rasa.kinds()[-1] == ["bot"]
    assert rasa.appended[-1]["events"][0]["text"].startswith("Je praat nu met Bram")
    last = store.events(ticket.id, url)[-1]
    assert (last["kind"], last["coach"], last["text"]) == ("colleague", "Bram", "Van Anna")
    await service.send(relay, ticket.ref, bram, "Ik neem het over van Anna.", url)
    await service.hand_back(relay, ticket.ref, bram, url)
    assert rasa.kinds()[-1] == ["resume", "bot"]


async def test_take_over_from_a_colleague_without_a_live_chat_changes_only_the_owner(
    relay, rasa, url, anna, bram
):
    ticket = claimed(url, anna)
    taken = await service.take_from_colleague(relay, ticket.ref, bram, anna.id, url)
    assert (taken.coach_id, taken.live) == (bram.id, False)
    assert rasa.appended == []
    # Bram can now take the chat over the usual way.
    assert await service.take_over(relay, ticket.ref, bram, url) is True


async def test_take_over_from_a_colleague_checks_who_had_it(relay, url, anna, bram, cees):
    ticket = make_ticket(url)
    with pytest.raises(service.TicketConflict, match="Pak het ticket eerst op"):
        await service.take_from_colleague(relay, ticket.ref, bram, None, url)
    store.claim(ticket.ref, anna.id, url=url)
    # The page showed another owner (the ticket changed since): nothing happens.
    with pytest.raises(service.TicketConflict, match="net veranderd"):
        await service.take_from_colleague(relay, ticket.ref, bram, cees.id, url)
    assert store.get_ticket(ticket.ref, url).coach_id == anna.id
