"""Input validation of the REST channel (HTTP behaviour is tested end to end)."""

import json

import pytest

from connectors.rest import MAX_MESSAGE_CHARS, InvalidRequest, clean_text, parse_body


class FakeRequest:
    """Just enough of a Sanic request: ``json`` parses the body like Sanic does."""

    def __init__(self, body: str):
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)


def test_valid_body_is_parsed():
    sender, text, metadata = parse_body(FakeRequest('{"sender": "abc-1", "message": "hoi"}'))
    assert (sender, text, metadata) == ("abc-1", "hoi", {})


@pytest.mark.parametrize(
    "body, reason",
    [
        ("{niet: json", "geen geldige JSON"),
        ('["sender", "message"]', "JSON-object"),
        ('{"message": "hoi"}', "'sender' ontbreekt"),
        ('{"sender": "", "message": "hoi"}', "'sender' ontbreekt"),
        ('{"sender": "a b", "message": "hoi"}', "tekens die niet mogen"),
        ('{"sender": "%s", "message": "hoi"}' % ("x" * 200), "'sender' ontbreekt"),
        ('{"sender": "abc", "message": 42}', "'message' moet tekst zijn"),
    ],
)
def test_invalid_bodies_are_refused_with_a_reason(body, reason):
    with pytest.raises(InvalidRequest, match=reason):
        parse_body(FakeRequest(body))


def test_missing_message_counts_as_empty():
    assert parse_body(FakeRequest('{"sender": "abc"}'))[1] == ""


def test_clean_text_strips_control_characters_and_whitespace():
    assert clean_text("  hoi\x00 daar\x07 \n") == ("hoi daar", False)


def test_clean_text_cuts_long_messages():
    text, cut = clean_text("a" * 10_000)
    assert cut and len(text) == MAX_MESSAGE_CHARS


def test_html_is_passed_on_as_text_not_interpreted():
    assert clean_text("<script>alert(1)</script>")[0] == "<script>alert(1)</script>"
