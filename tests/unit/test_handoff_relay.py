"""The live takeover through Rasa's HTTP API (loopbrug/handoff/relay.py), with
httpx.MockTransport."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List

import httpx
import pytest
import yaml

from loopbrug.handoff.relay import (
    FOLLOWUP_INTENT,
    RasaRelay,
    RelayError,
    coach_event,
    notice_event,
    transcript_from_events,
)
from loopbrug.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
STAMP = 1772622000.0  # 2026-03-04 11:00 UTC


def user(text: str, intent: str = "inform", **extra: Any) -> Dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent}},
        "timestamp": STAMP,
        **extra,
    }


def bot(text: Any, buttons=None, custom=None) -> Dict[str, Any]:
    data: Dict[str, Any] = {}
    if buttons is not None:
        data["buttons"] = buttons
    if custom is not None:
        data["custom"] = custom
    return {"event": "bot", "text": text, "data": data, "timestamp": STAMP}


# --------------------------------------------------------------------------- transcript


def test_the_transcript_shows_person_bot_and_coach_lines():
    lines = transcript_from_events(
        [
            {"event": "action", "name": "action_listen"},
            user("Hoe werkt de scholingsvoucher?", "funding_voucher"),
            bot("De scholingsvoucher is ..."),
            {"event": "pause", "timestamp": STAMP},
            bot(None, custom={"from": "coach", "name": "Anna", "text": "  Hoi, ik ben Anna.  "}),
            {"event": "resume", "timestamp": STAMP},
            {"event": "slot", "name": "x", "value": 1},
        ]
    )
    at = datetime.fromtimestamp(STAMP, tz=timezone.utc)
    assert lines == [
        {"from": "person", "text": "Hoe werkt de scholingsvoucher?", "at": at},
        {"from": "bot", "text": "De scholingsvoucher is ...", "at": at},
        {"from": "system", "text": "pause", "at": at},
        {"from": "coach", "name": "Anna", "text": "Hoi, ik ben Anna.", "at": at},
        {"from": "system", "text": "resume", "at": at},
    ]


def test_a_button_press_shows_the_button_title():
    lines = transcript_from_events(
        [
            bot(
                "Vind je dat goed?",
                buttons=[
                    {"title": "Ja, dat is goed", "payload": "/affirm"},
                    {"title": "Nee, liever niet", "payload": "/deny"},
                ],
            ),
            user("/deny", "deny"),
            user("/affirm", "affirm"),  # a later, typed-looking payload: no button under it now
        ]
    )
    assert [line["text"] for line in lines] == ["Vind je dat goed?", "Nee, liever niet", "/affirm"]


def test_a_crisis_message_is_flagged_for_the_coach():
    lines = transcript_from_events([user("ik wil niet meer", "crisis"), user("hoi", "greet")])
    assert lines[0]["crisis"] is True
    assert "crisis" not in lines[1]


def test_the_followup_trigger_is_a_system_line_not_the_person():
    triggered = user("EXTERNAL: handoff_status", "handoff_status", metadata={"is_external": True})
    lines = transcript_from_events([triggered])
    assert [(line["from"], line["text"]) for line in lines] == [("system", "navraag")]


def test_a_person_typing_the_prefix_stays_the_person_crisis_flag_included():
    """Issue 15: "EXTERNAL: ik wil niet meer leven" once showed as a system notice."""
    lines = transcript_from_events([user("EXTERNAL: ik wil niet meer leven", "crisis")])
    assert lines[0]["from"] == "person" and lines[0]["crisis"] is True
    assert lines[0]["text"] == "EXTERNAL: ik wil niet meer leven"


def test_the_marker_is_rasas_own():
    from rasa.shared.core.constants import IS_EXTERNAL

    from loopbrug.conversation import IS_EXTERNAL as OURS

    assert OURS == IS_EXTERNAL


def test_empty_and_odd_events_are_skipped():
    lines = transcript_from_events(
        [
            "not an event",
            None,
            user("   "),
            {"event": "user", "text": None},
            bot(""),
            bot(None),
            {"event": "bot", "text": "zonder tijd"},
        ]
    )
    assert lines == [{"from": "bot", "text": "zonder tijd", "at": None}]


# --------------------------------------------------------------------------- RasaRelay


class FakeRasa:
    """Records requests; answers with ``answer(request)``."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] = None) -> None:
        self.requests: List[httpx.Request] = []
        self.answer = answer or (lambda request: httpx.Response(200, json={}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


@pytest.fixture
async def relay_and_rasa():
    rasa = FakeRasa()
    relay = RasaRelay(Settings(rasa_port=5999), transport=httpx.MockTransport(rasa))
    yield relay, rasa
    await relay.aclose()


async def test_take_over_pauses_ends_the_form_and_tells_the_person(relay_and_rasa):
    relay, rasa = relay_and_rasa
    await relay.take_over("web-abc", "Je praat nu met Anna.")
    [request] = rasa.requests
    assert request.method == "POST"
    assert str(request.url).startswith(
        "http://127.0.0.1:5999/conversations/web-abc/tracker/events?"
    )
    assert dict(request.url.params) == {
        "execute_side_effects": "true",
        "output_channel": "latest",
        "include_events": "NONE",
    }
    assert rasa.body() == [
        {"event": "active_loop", "name": None},
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "pause"},
        {"event": "bot", "text": "Je praat nu met Anna."},
    ]


async def test_the_api_token_is_sent_when_set():
    rasa = FakeRasa()
    relay = RasaRelay(Settings(rasa_api_token="s3cret"), transport=httpx.MockTransport(rasa))
    try:
        await relay.take_over("web-abc", "notice")
        await relay.followup("web-abc")
        await relay.transcript("web-abc")
    finally:
        await relay.aclose()
    assert [r.url.params.get("token") for r in rasa.requests] == ["s3cret"] * 3
    assert rasa.requests[0].url.params["execute_side_effects"] == "true"


async def test_no_token_param_without_a_token(relay_and_rasa):
    relay, rasa = relay_and_rasa
    await relay.send("web-abc", "Anna", "Hoi")
    assert "token" not in rasa.requests[0].url.params


async def test_send_appends_one_coach_event(relay_and_rasa):
    relay, rasa = relay_and_rasa
    await relay.send("tg-42", "Anna", "Zal ik je morgen bellen?")
    [request] = rasa.requests
    assert request.url.path == "/conversations/tg-42/tracker/events"
    assert request.url.params["output_channel"] == "latest"
    assert rasa.body() == [
        {
            "event": "bot",
            "text": None,
            "data": {
                "custom": {"from": "coach", "name": "Anna", "text": "Zal ik je morgen bellen?"}
            },
        }
    ]
    assert rasa.body() == [coach_event("Anna", "Zal ik je morgen bellen?")]


async def test_hand_back_resumes_the_bot_with_a_notice(relay_and_rasa):
    relay, rasa = relay_and_rasa
    await relay.hand_back("web-abc", "Anna heeft het gesprek teruggegeven.")
    assert rasa.body() == [
        {"event": "resume"},
        notice_event("Anna heeft het gesprek teruggegeven."),
    ]
    assert rasa.requests[0].url.params["execute_side_effects"] == "true"


async def test_conversation_ids_are_escaped_in_the_path(relay_and_rasa):
    relay, rasa = relay_and_rasa
    await relay.send("web-a/b?c", "Anna", "Hoi")
    assert rasa.requests[0].url.raw_path.startswith(b"/conversations/web-a%2Fb%3Fc/tracker/events?")


async def test_followup_triggers_an_intent_the_domain_knows():
    answer = {"messages": [{"recipient_id": "web-abc", "text": "Heb je al contact gehad?"}]}
    rasa = FakeRasa(lambda request: httpx.Response(200, json=answer))
    relay = RasaRelay(Settings(), transport=httpx.MockTransport(rasa))
    try:
        messages = await relay.followup("web-abc")
    finally:
        await relay.aclose()
    [request] = rasa.requests
    assert request.url.path == "/conversations/web-abc/trigger_intent"
    assert request.url.params["output_channel"] == "latest"
    assert rasa.body() == {"name": FOLLOWUP_INTENT, "entities": {}}
    assert messages == answer["messages"]
    # Rasa refuses (404) an intent that is not in the domain; the action recognises the
    # trigger by its metadata, so it must be the status intent the rules handle.
    intents = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        for intent in yaml.safe_load(path.read_text(encoding="utf-8")).get("intents") or []:
            intents.add(next(iter(intent)) if isinstance(intent, dict) else intent)
    assert FOLLOWUP_INTENT in intents
    assert FOLLOWUP_INTENT == "handoff_status"


async def test_followup_without_messages_gives_an_empty_list():
    rasa = FakeRasa(lambda request: httpx.Response(200, json={"messages": None}))
    relay = RasaRelay(Settings(), transport=httpx.MockTransport(rasa))
    try:
        assert await relay.followup("tg-1") == []
    finally:
        await relay.aclose()


async def test_transcript_reads_all_events():
    events = [user("Hallo", "greet"), bot("Hoi!")]
    rasa = FakeRasa(lambda request: httpx.Response(200, json={"events": events}))
    relay = RasaRelay(Settings(), transport=httpx.MockTransport(rasa))
    try:
        lines = await relay.transcript("web-abc")
    finally:
        await relay.aclose()
    assert rasa.requests[0].method == "GET"
    assert rasa.requests[0].url.path == "/conversations/web-abc/tracker"
    assert rasa.requests[0].url.params["include_events"] == "ALL"
    assert [(line["from"], line["text"]) for line in lines] == [
        ("person", "Hallo"),
        ("bot", "Hoi!"),
    ]


def _fail(status: int):
    return lambda request: httpx.Response(status, json={"message": "nope"})


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize(
    "answer, message",
    [(_fail(500), "HTTP 500"), (_fail(404), "HTTP 404"), (_unreachable, "not reachable")],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda relay: relay.take_over("web-abc", "notice"),
        lambda relay: relay.send("web-abc", "Anna", "Hoi"),
        lambda relay: relay.hand_back("web-abc", "notice"),
        lambda relay: relay.followup("web-abc"),
        lambda relay: relay.transcript("web-abc"),
    ],
    ids=["take_over", "send", "hand_back", "followup", "transcript"],
)
async def test_rasa_errors_become_relay_errors(answer, message, call):
    relay = RasaRelay(Settings(), transport=httpx.MockTransport(FakeRasa(answer)))
    try:
        with pytest.raises(RelayError, match=message):
            await call(relay)
    finally:
        await relay.aclose()


def test_answers_typed_in_the_money_check_are_hidden_from_the_coach():
    from loopbrug.handoff.relay import hidden_amount, transcript_from_events

    lines = transcript_from_events(
        [
            {"event": "user", "text": "kan ik een overstap betalen", "timestamp": 1.0},
            {"event": "active_loop", "name": "money_form"},
            {"event": "user", "text": "2450 netto", "timestamp": 2.0},
            {"event": "active_loop", "name": None},
            {"event": "user", "text": "dank je", "timestamp": 3.0},
        ]
    )
    assert [line["text"] for line in lines] == [
        "kan ik een overstap betalen",
        hidden_amount(),
        "dank je",
    ]
    assert "2450" not in str(lines)
