"""Every kind of bad input gets a clear answer or a clear HTTP error, and the chat goes on."""

import httpx
import pytest

from loopbrug.texts import text
from tests.e2e.conftest import API_TOKEN, Chat, WebPerson

pytestmark = pytest.mark.e2e


def still_talking(chat: Chat) -> None:
    assert "digitale assistent" in chat.text("hoi")


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_empty_message_gets_a_friendly_reply(chat: Chat, message):
    messages = chat.say(message)
    assert "leeg bericht" in messages[0]["text"]
    still_talking(chat)


def test_ten_thousand_characters_are_read_in_part_and_said_so(chat: Chat):
    messages = chat.say("ik wil een opleiding betalen " * 400)
    assert "erg lang" in messages[0]["text"]
    assert len(messages) >= 2  # and the start of the message was answered
    still_talking(chat)


def test_emoji_only_asks_back(chat: Chat):
    # A message without words is gibberish to the helpline: it asks to say it differently
    # (issue 16), and never counts toward offering a coach.
    messages = chat.say("😀😀🙏")
    assert [m.get("text") for m in messages] == ["Dat begrijp ik niet. Kun je het anders zeggen?"]
    still_talking(chat)


def test_html_and_script_are_treated_as_text(chat: Chat):
    messages = chat.say("<script>alert('x')</script><b>hoi</b>")
    assert messages
    assert all("<script>" not in m.get("text", "") for m in messages)
    still_talking(chat)


def test_unknown_button_payload_asks_back(chat: Chat):
    messages = chat.say("/bestaat_niet")
    assert messages and messages[0].get("buttons")
    still_talking(chat)


def test_unknown_payload_with_broken_entities_asks_back(chat: Chat):
    messages = chat.say('/inform_location{"gemeente": ')
    assert messages
    still_talking(chat)


@pytest.mark.parametrize(
    "body",
    [
        '{"sender": "x", "message": ',
        "niet eens json",
        '["lijst"]',
        '{"message": "hoi"}',
        '{"sender": "x y", "message": "hoi"}',
        '{"sender": "x", "message": 12}',
    ],
)
def test_malformed_requests_get_400_with_a_reason(chat: Chat, body):
    reply = chat.post(body, headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]
    still_talking(chat)


LONE_SURROGATE = '"hoi \\ud800 daar"'  # valid JSON, not valid Unicode text


def test_text_that_is_not_unicode_gets_400_on_rest_and_nothing_is_stored(chat: Chat, helpline):
    reply = chat.post(
        f'{{"sender": "{chat.sender}", "message": {LONE_SURROGATE}}}',
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == text("channel.not_unicode")
    tracker = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()
    assert [e for e in tracker["events"] if e["event"] == "user"] == []
    still_talking(chat)


def test_text_that_is_not_unicode_gets_400_on_the_widget_with_security_headers(helpline):
    person = WebPerson(helpline)
    reply = person.client.post(
        "/api/message",
        content=f'{{"session": "{person.session}", "message": {LONE_SURROGATE}}}',
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 400
    assert reply.json() == {"error": text("channel.not_unicode")}
    assert "default-src" in reply.headers["Content-Security-Policy"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert "digitale assistent" in person.text("hoi")


def test_a_coach_form_that_is_not_text_gets_400_with_security_headers(helpline):
    client = WebPerson(helpline).client
    reply = client.post(
        "/coach/login",
        content=b"username=\xff\xfe&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert reply.status_code in (400, 403)
    assert "default-src" in reply.headers["Content-Security-Policy"]
