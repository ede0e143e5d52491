"""Region routing end to end: ask, remember, change, and the unhappy paths."""

import pytest

from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e


def buttons(messages):
    return [b for m in messages for b in m.get("buttons", [])]


def test_find_loket_asks_the_place_then_names_the_regional_desks(chat: Chat):
    assert "postcode" in chat.text("waar is het leerwerkloket")
    answer = chat.text("Doetinchem")
    assert "regio Achterhoek" in answer
    assert "Opijver" in answer and "Leerwerkloket Achterhoek" in answer


def test_postcode_works_with_or_without_letters(chat: Chat):
    chat.text("is er een loket bij mij in de buurt")
    assert "regio Midden-Utrecht" in chat.text("3511 ab")


def test_the_region_is_remembered_for_later_questions(chat: Chat):
    chat.text("waar is het leerwerkloket")
    chat.text("Zwolle")
    # Asked again later: no second place question, the answer comes at once.
    assert "in Regio Zwolle" in chat.text("waar is het leerwerkloket")


def test_moving_house_updates_the_region(chat: Chat):
    chat.text("waar is het leerwerkloket")
    chat.text("Zwolle")
    assert "Achterhoek" in chat.text("ik ben verhuisd naar Doetinchem")
    assert "regio Achterhoek" in chat.text("waar is het leerwerkloket")


def test_a_typo_gets_a_confirmation_question_and_the_button_resolves_it(chat: Chat):
    chat.text("waar is het leerwerkloket")
    messages = chat.say("Zwole")
    assert "Bedoel je Zwolle" in messages[0]["text"]
    payload = buttons(messages)[0]["payload"]
    assert "in Regio Zwolle" in chat.text(payload)


def test_an_ambiguous_name_asks_which_one(chat: Chat):
    chat.text("waar is het leerwerkloket")
    messages = chat.say("Bergen")
    titles = [b["title"] for b in buttons(messages)]
    assert "Bergen (Noord-Holland)" in titles and "Bergen (Limburg)" in titles
    chosen = next(b for b in buttons(messages) if b["title"] == "Bergen (Limburg)")
    assert "regio Noord-Limburg" in chat.text(chosen["payload"])


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("Antwerpen", "ken ik niet in Nederland"),  # a foreign place
        ("1009", "postcode ken ik niet"),  # four digits, but no Dutch PC4 in the table
        ("12", "geen postcode"),  # a number that cannot be a postcode
    ],
)
def test_bad_places_are_asked_again_never_guessed(chat: Chat, answer, expected):
    chat.text("waar is het leerwerkloket")
    reply = chat.text(answer)
    assert expected in reply
    assert "regio" not in reply  # no region stated as fact


def test_saying_no_to_the_place_question_gives_the_national_finder(chat: Chat):
    chat.text("waar is het leerwerkloket")
    assert "lerenenwerken.nl" in chat.text("nee liever niet")
