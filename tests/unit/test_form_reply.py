"""The reader that tells steering from answers inside a form (loopbrug/form_reply.py)."""

from __future__ import annotations

import pytest

from loopbrug.conversation import requested_slots
from loopbrug.form_reply import Move, last_asked_before, load_replies, read_reply


@pytest.mark.parametrize(
    "text",
    [
        "stop",
        "stoppen!!",
        "STOPPEN",
        "stooooop",
        "stop met die vragen",
        "stoppen met de test",
        "ik wil uit die test",
        "ik wil uit de geldcheck",
        "laat maar",
        "nee laat maar zitten",
        "geen zin meer in die vragen",
        "ik wil niet verder",
        "annuleren",
        "stopen",
    ],
)
def test_stop_is_heard_in_many_words(text):
    assert read_reply(text).move is Move.STOP


@pytest.mark.parametrize("text", ["doei", "tot later", "ik moet gaan"])
def test_goodbye_inside_a_form_stops_it(text):
    reading = read_reply(text, intent="goodbye")
    assert reading.move is Move.STOP and reading.by_intent  # the form checks it is no answer


@pytest.mark.parametrize(
    "text",
    [
        "terug",
        "vorige vraag",
        "Vorige vraag!",
        "oeps terug",
        "kan ik een vraag terug",
        "vorge vraag",
    ],
)
def test_back(text):
    assert read_reply(text).move is Move.BACK


@pytest.mark.parametrize(
    "text",
    [
        "wat bedoel je precies met deze vraag?",
        "wat bedoel je met vaste lasten",
        "ik snap die vraag niet",
        "huh?",
        "waarom wil je dat weten",
        "wat moet ik hier invullen",
        "geen idee wat dat is",
    ],
)
def test_a_question_about_the_question(text):
    assert read_reply(text).move is Move.EXPLAIN


@pytest.mark.parametrize(
    "text, meant",
    [
        ("nee wacht, toch niet timmerman, ik bedoel kok", "kok"),
        ("sorry ik bedoel 1500", "1500"),
        ("oeps, moet zijn € 2.300", "€ 2.300"),
        ("toch niet de zorg maar de techniek", "de techniek"),
        ("ik bedoelde 3 jaar", "3 jaar"),
    ],
)
def test_a_correction_names_the_answer_meant(text, meant):
    reading = read_reply(text)
    assert reading.move is Move.CORRECT
    assert reading.corrected == meant


@pytest.mark.parametrize(
    "text",
    [
        "kok",
        "1500",
        "iets met mensen, ik bedoel dat ik graag help",  # answers the question asked now
        "de stad",
        "top",
        "ik wil graag terug naar school",  # not "terug" as steering
        "ik werk graag buiten en stop niet snel",
        "nee",
        "weet ik niet",
    ],
)
def test_answers_stay_answers(text):
    assert read_reply(text).move is Move.ANSWER


def test_an_option_of_the_question_is_an_answer_even_when_it_sounds_like_steering():
    assert read_reply("genoeg").move is Move.STOP
    assert read_reply("genoeg", options=["Ja", "genoeg"]).move is Move.ANSWER
    assert read_reply("Nee", intent="stop_form", options=["Nee", "Ja"]).move is Move.ANSWER


def test_the_question_before_is_the_last_answered_one_asked():
    asked = ["q1", "q2", "q3"]
    assert last_asked_before(asked, "q3", ["q1", "q2"]) == "q2"
    assert last_asked_before(asked, "q1", []) is None
    # After "terug" from q3 to q2, q3 is empty again; the question before q2 is q1.
    assert last_asked_before(asked + ["q2"], "q2", ["q1"]) == "q1"


def test_requested_slots_reads_the_tracker_events_in_order():
    events = [
        {"event": "user", "text": "test"},
        {"event": "slot", "name": "requested_slot", "value": "q1"},
        {"event": "slot", "name": "q1", "value": "ja"},
        {"event": "slot", "name": "requested_slot", "value": "q2"},
        {"event": "slot", "name": "requested_slot", "value": None},
    ]
    assert requested_slots(events) == ["q1", "q2"]


def test_every_pattern_in_the_data_file_compiles_and_says_why():
    import yaml

    from loopbrug.form_reply import REPLIES_PATH

    data = yaml.safe_load(REPLIES_PATH.read_text(encoding="utf-8"))
    for group in ("stop", "back", "explain"):
        for item in data[group]["patterns"]:
            assert item["why"].strip()
    for item in data["correct"]["markers"] + data["correct"]["signals"]:
        assert item["why"].strip()
    load_replies()


def test_replies_to_counts_only_messages_after_the_question_was_first_asked():
    from loopbrug.conversation import replies_to

    ask = {"event": "slot", "name": "requested_slot", "value": "q2"}
    user = {"event": "user", "text": "x"}
    before = [{"event": "slot", "name": "requested_slot", "value": "q1"}, user]
    assert replies_to(before + [user, ask, user], "q2") == 1
    assert replies_to(before + [ask, user, ask, user, ask, user], "q2") == 3
    assert (
        replies_to([user, ask, user], "q2") == 1
    )  # the message that opened the form is not a reply


@pytest.mark.parametrize(
    "text", ["opnieuw", "begin opnieuw", "kunnen we helemaal opnieuw beginnen", "reset"]
)
def test_starting_over_is_heard(text):
    assert read_reply(text).move is Move.RESTART


def test_the_classifier_alone_never_starts_over():
    # "blauw" was read as start_over (0.72) inside the money check.
    assert read_reply("blauw", intent="start_over").move is Move.ANSWER


@pytest.mark.parametrize("text", ["hoi ik ben er weer", "hallo", "Hoi! daar ben ik weer"])
def test_coming_back_is_a_greeting(text):
    assert read_reply(text).move is Move.GREETING


@pytest.mark.parametrize("text", ["blablaplaats", "middag", "hoi ik zoek werk in de zorg"])
def test_the_classifiers_greet_alone_is_no_greeting(text):
    # "blablaplaats" and "middag" were read as greetings inside a form.
    assert read_reply(text, intent="greet").move is Move.ANSWER
