"""Sender ids and the tracker-event reader (loopbrug/conversation.py), the one place for both."""

import ast
import re
from datetime import datetime, timezone

import pytest
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

from loopbrug.conversation import (
    Event,
    actions_run,
    active_loop,
    before_this_turn,
    is_telegram_sender,
    is_web_sender,
    last_slot,
    latest_user,
    read_event,
    read_events,
    requested_slots,
    since_session_start,
    telegram_chat_id,
    telegram_sender,
    this_turn,
    user_messages,
    web_sender,
    web_senders_like,
    web_session_of,
)
from tests.conftest import ROOT

# ---------------------------------------------------------------- sender ids


def test_web_sender_ids_round_trip():
    sender = web_sender("abc123")
    assert is_web_sender(sender) and not is_telegram_sender(sender)
    assert web_session_of(sender) == "abc123"
    assert web_session_of(telegram_sender(7)) is None
    assert not is_web_sender(None) and not is_web_sender(42)


def test_telegram_sender_ids_round_trip():
    assert telegram_chat_id(telegram_sender(1001)) == 1001
    assert telegram_chat_id(telegram_sender(-100123)) == -100123  # a group's id is negative
    assert is_telegram_sender(telegram_sender(5)) and not is_web_sender(telegram_sender(5))
    with pytest.raises(ValueError):
        telegram_chat_id(web_sender("abc"))


def test_the_sql_pattern_matches_web_senders_only():
    pattern = web_senders_like()
    as_regex = "^" + re.escape(pattern).replace("%", ".*") + "$"
    assert re.match(as_regex, web_sender("x")) and not re.match(as_regex, telegram_sender(1))


PREFIX = re.compile(r"(^|')(web|tg)-")


def prefix_literals(path) -> list:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and PREFIX.search(node.value)
    ]


def test_only_loopbrug_conversation_writes_the_sender_prefixes():
    found = {}
    for package in ("loopbrug", "bot", "connectors", "actions", "web"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name == "loopbrug/conversation.py":
                continue
            if lines := prefix_literals(path):
                found[name] = lines
    assert found == {}


# ---------------------------------------------------------------- the tracker-event reader

EVENTS = [
    {"event": "session_started"},
    {"event": "user", "text": " hoi ", "parse_data": {"intent": {"name": "greet"}}},
    {"event": "action", "name": "utter_greet"},
    {
        "event": "bot",
        "text": None,
        "data": {
            "custom": {"text": "Hoi, ik ben Anna.", "from": "coach", "name": "Anna"},
            "buttons": [{"title": "Ja", "payload": "/affirm"}, "geen knop"],
        },
        "timestamp": 0,
    },
    {"event": "active_loop", "name": "money_form"},
    {"event": "slot", "name": "requested_slot", "value": "income"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "3000", "metadata": {"is_external": True}},
    {"event": "action", "name": "money_form"},
    {"event": "slot", "name": "income", "value": 3000},
]


def test_an_event_reads_every_field_the_same_way():
    user, bot = Event(EVENTS[1]), Event(EVENTS[3])
    assert (user.kind, user.text, user.intent, user.by_helpline) == ("user", "hoi", "greet", False)
    assert bot.is_bot() and bot.text == "" and bot.bot_text == "Hoi, ik ben Anna."
    assert bot.custom["name"] == "Anna" and [b["payload"] for b in bot.buttons] == ["/affirm"]
    assert bot.at == datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert Event(EVENTS[7]).by_helpline
    empty = Event({})
    assert (empty.kind, empty.name, empty.text, empty.intent, empty.at) == (
        "",
        None,
        "",
        None,
        None,
    )
    assert empty.custom == {} and empty.buttons == [] and empty.parse_data == {}


def test_turns_are_read_around_the_latest_message():
    assert [e.kind for e in this_turn(EVENTS)] == ["action", "slot"]
    assert [e.data for e in before_this_turn(EVENTS)] == EVENTS[:7]
    assert latest_user(EVENTS).text == "3000"
    earlier = this_turn(before_this_turn(EVENTS))  # what answered the message before
    assert [e.name for e in earlier if e.is_action()] == ["utter_greet", "action_listen"]
    assert [e.text for e in user_messages(EVENTS)] == ["hoi", "3000"]
    assert this_turn([{"event": "action", "name": "x"}])[0].name == "x"  # no message: all
    assert before_this_turn([{"event": "action", "name": "x"}]) == []
    assert latest_user([]) is None


def test_sessions_forms_and_requested_slots():
    assert len(since_session_start(EVENTS)) == len(EVENTS) - 1
    assert active_loop(EVENTS) == "money_form"
    assert active_loop([*EVENTS, {"event": "restart"}]) is None
    assert active_loop(before_this_turn(EVENTS[:2])) is None
    assert requested_slots(EVENTS) == ["income"]


@pytest.mark.parametrize("events", [None, "events", {"event": "user"}, 42])
def test_anything_that_is_not_a_list_of_events_reads_as_none(events):
    assert read_events(events) == []


def test_rasas_own_event_objects_read_like_their_json():
    events = [
        SessionStarted(),
        UserUttered("hoi", parse_data={"intent": {"name": "greet"}, "crisis": {"lang": "en"}}),
        ActionExecuted("action_answer"),
        SlotSet("requested_slot", "income"),
    ]
    read = read_events([*events, "geen event"])
    assert [e.kind for e in read] == ["session_started", "user", "action", "slot"]
    assert read[1].intent == "greet" and read[1].parse_data["crisis"] == {"lang": "en"}
    assert [e.name for e in this_turn(events)] == ["action_answer", "requested_slot"]
    assert read_event(events[1]).text == "hoi" and read_event(None) is None


def test_the_last_slot_event_of_a_name_before_or_in_this_turn():
    events = [
        {"event": "slot", "name": "location_input", "value": "Zwolle"},
        {"event": "slot", "name": "location_input", "value": "Assen"},
        {"event": "user", "text": "3000"},
        {"event": "slot", "name": "location_input", "value": "3000"},
        {"event": "slot", "name": "handoff_consent", "value": "ja"},
    ]
    assert last_slot(before_this_turn(events), "location_input").value == "Assen"
    assert last_slot(this_turn(events), "location_input").value == "3000"
    assert last_slot(this_turn(events), "handoff_consent").value == "ja"
    assert last_slot(before_this_turn(events), "handoff_consent") is None
    assert last_slot(events[:2], "location_input").value == "Assen"  # no message: all events
    assert last_slot([], "location_input") is None and last_slot(None, "x") is None


def test_the_actions_that_answered_the_message_before_the_latest_one():
    assert actions_run(this_turn(before_this_turn(EVENTS))) == ["utter_greet"]
    assert actions_run(this_turn(EVENTS)) == ["money_form"]
    unnamed = [{"event": "user", "text": "a"}, {"event": "action"}, {"event": "user", "text": "b"}]
    assert actions_run(this_turn(before_this_turn(unnamed))) == [None]  # kept, as None
    # Before the first message there is no earlier message: everything before it counts.
    first = [{"event": "action", "name": "action_session_start"}, {"event": "user", "text": "a"}]
    assert actions_run(this_turn(before_this_turn(first))) == ["action_session_start"]
    assert (
        actions_run([]) == [] and actions_run([{"event": "action", "name": "action_listen"}]) == []
    )


@pytest.mark.parametrize(
    "text, custom, says",
    [
        (None, {"text": " Hoi "}, "Hoi"),  # a coach's message: its text is in the payload
        ("", {"text": "Hoi"}, "Hoi"),
        ("Dag\n", {"text": "Hoi"}, "Dag"),
        ("  ", {"text": "Hoi"}, ""),  # a text of white space says nothing, payload unread
        (None, {"text": 5}, ""),
        (None, None, ""),
    ],
)
def test_what_a_bot_event_says(text, custom, says):
    data = {"custom": custom} if custom is not None else {}
    assert Event({"event": "bot", "text": text, "data": data}).bot_text == says


# ---------------------------------------------------------------- one reader, no raw parses

# Where tracker events are read: every module of these packages, except the reader itself.
READ_ONLY_THROUGH_THE_READER = ("actions", "loopbrug", "web", "connectors")
THE_READER = "loopbrug/conversation.py"


def raw_event_kind_reads(source: str) -> list:
    """Lines that read an event's kind from the raw dict (``e.get("event")``, ``e["event"]``,
    ``e.pop("event")``) instead of through loopbrug.conversation's reader."""
    found = []
    for node in ast.walk(ast.parse(source)):
        key = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            if node.func.attr in ("get", "pop", "setdefault"):
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Store):
            key = node.slice
        if isinstance(key, ast.Constant) and key.value == "event":
            found.append(node.lineno)
    return sorted(found)


def raw_event_parses(root) -> dict:
    """``{file: [lines]}`` of raw event parses under ``root`` outside the reader."""
    found = {}
    for package in READ_ONLY_THROUGH_THE_READER:
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if name == THE_READER:
                continue
            if lines := raw_event_kind_reads(path.read_text(encoding="utf-8")):
                found[name] = lines
    return found


def test_tracker_events_are_read_only_through_the_reader():
    assert raw_event_parses(ROOT) == {}


@pytest.mark.parametrize(
    "source",
    [
        'if event.get("event") == "user": pass',
        'kind = event.get("event")\nif kind in ("user", "action"): pass',
        'users = [e for e in events if e["event"] == "user"]',
        'kind = e.get("event", "")',
        'kind = e.pop("event")',
    ],
)
def test_the_checker_finds_a_raw_parse(source):
    assert raw_event_kind_reads(source) != []


@pytest.mark.parametrize(
    "source",
    [
        'notice = {"event": "bot", "text": "Hoi"}',  # writing an event is no parse
        'event["event"] = "bot"',
        'events = reply.get("events")',
        "if event.kind == USER: pass",
        'name = event.get("name")',
    ],
)
def test_the_checker_leaves_other_code_alone(source):
    assert raw_event_kind_reads(source) == []


def test_the_checker_walks_every_package_but_the_reader(tmp_path):
    for package in READ_ONLY_THROUGH_THE_READER:
        (tmp_path / package / "sub").mkdir(parents=True)
    planted = 'def f(events):\n    return [e for e in events if e.get("event") == "user"]\n'
    (tmp_path / "connectors" / "sub" / "planted.py").write_text(planted, encoding="utf-8")
    (tmp_path / "web" / "fine.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / THE_READER).write_text(planted, encoding="utf-8")  # the reader may
    assert raw_event_parses(tmp_path) == {"connectors/sub/planted.py": [2]}
