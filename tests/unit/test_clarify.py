"""The clarification flow: guesses, then topics, then a person; off-topic and gibberish
get their own answer and never count toward a person; never a random answer."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import (
    GIBBERISH,
    IN_SCOPE,
    OFF_TOPIC,
    ActionClarify,
    asked_back_last_turn,
    best_guesses,
    earlier_misses,
    is_gibberish,
    miss_kind,
    topic_buttons,
)
from tests.conftest import make_tracker


def ranking(*pairs):
    return [{"name": name, "confidence": conf} for name, conf in pairs]


def test_best_guesses_skips_intents_that_make_no_sense_as_a_button():
    guesses = best_guesses(
        ranking(
            ("nlu_fallback", 0.5),
            ("affirm", 0.3),
            ("funding_voucher", 0.2),
            ("funding_overview", 0.15),
            ("debt_help", 0.1),
        )
    )
    assert guesses == ["funding_voucher", "funding_overview"]


def test_best_guesses_ignores_very_unlikely_intents():
    assert best_guesses(ranking(("funding_loan", 0.01))) == []


def user(text, intent="nlu_fallback"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def action(name):
    return {"event": "action", "name": name}


def test_asked_back_last_turn_looks_only_at_the_previous_bot_turn():
    events = [
        action("action_listen"),
        user("eh"),
        action("action_clarify"),
        action("action_listen"),
        user("hmm"),
    ]
    assert asked_back_last_turn(make_tracker(events=events))
    events = [
        user("eh"),
        action("action_clarify"),
        action("action_listen"),
        user("hoi", "greet"),
        action("utter_greet"),
        action("action_listen"),
        user("hmm"),
    ]
    assert not asked_back_last_turn(make_tracker(events=events))


async def run(tracker):
    dispatcher = CollectingDispatcher()
    events = await ActionClarify().run(dispatcher, tracker, {})
    assert events == []
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]


async def test_low_confidence_offers_the_two_best_guesses_as_buttons():
    tracker = make_tracker(
        "geld voor cursus?",
        "nlu_fallback",
        ranking(("nlu_fallback", 0.55), ("funding_overview", 0.4), ("funding_voucher", 0.3)),
        events=[user("geld voor cursus?")],
    )
    message = await run(tracker)
    assert message["response"] == "utter_clarify_guess"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == ["/funding_overview", "/funding_voucher", "/capabilities"]


async def test_out_of_scope_gets_topics_not_guesses():
    tracker = make_tracker(
        "wat voor weer wordt het",
        "out_of_scope",
        ranking(("out_of_scope", 0.9), ("funding_loan", 0.05)),
        events=[user("wat voor weer wordt het", "out_of_scope")],
    )
    message = await run(tracker)
    assert message["response"] == "utter_clarify_out_of_scope"
    assert message["buttons"] == topic_buttons()
    assert "/request_human" not in [b["payload"] for b in message["buttons"]]


def test_erasure_is_never_a_guess():
    # "ik denk erover om van beroep te wisselen" ranked delete_data among the guesses.
    guesses = best_guesses(
        ranking(("nlu_fallback", 0.55), ("delete_data", 0.44), ("orientation_start", 0.35))
    )
    assert guesses == ["orientation_start"]
    assert best_guesses(ranking(("start_over", 0.5), ("crisis", 0.4))) == []


@pytest.mark.parametrize(
    "text", ["qwzx vlorp", "asdfghjkl", "sdkjfh sdfkj", "😀😀😀", "🙈", "???", "kjhkjh", "zxcv"]
)
def test_gibberish(text):
    assert is_gibberish(text)


@pytest.mark.parametrize(
    "text",
    ["hoi", "ok", "geld voor cursus?", "opleidnig betalne", "wie wint het wk", "bbl", "ww"],
)
def test_words_even_misspelt_are_no_gibberish(text):
    assert not is_gibberish(text)


def parsed(text, intent, *pairs):
    return {"text": text, "intent": {"name": intent}, "intent_ranking": ranking(*pairs)}


def test_miss_kinds():
    assert miss_kind(parsed("wie wint het wk", "out_of_scope", ("out_of_scope", 0.8))) == OFF_TOPIC
    # Below the threshold, but off-topic is still the best reading.
    weather = parsed("weer?", "nlu_fallback", ("nlu_fallback", 0.55), ("out_of_scope", 0.4))
    assert miss_kind(weather) == OFF_TOPIC
    mash = parsed("sdkjfh sdfkj", "nlu_fallback", ("nlu_fallback", 0.55), ("thank", 0.3))
    assert miss_kind(mash) == GIBBERISH
    unsure = parsed("geld cursus?", "nlu_fallback", ("nlu_fallback", 0.55), ("funding_loan", 0.3))
    assert miss_kind(unsure) == IN_SCOPE


def turn(text, intent="nlu_fallback", answer="action_clarify"):
    return [user(text, intent), action(answer), action("action_listen")]


def tracker_after(previous, text="nog steeds niet", intent="nlu_fallback"):
    events = [e for t in previous for e in turn(*t)] + [user(text, intent)]
    pairs = (("nlu_fallback", 0.55), ("funding_overview", 0.3), ("funding_loan", 0.2))
    return make_tracker(text, intent, ranking(*pairs), events)


async def test_second_miss_on_our_topics_gets_the_topics_not_a_person():
    message = await run(tracker_after([("geld voor cursus?",)]))
    assert message["response"] == "utter_clarify_topics"
    assert message["buttons"] == topic_buttons()


async def test_third_miss_on_our_topics_offers_a_person():
    message = await run(tracker_after([("geld voor cursus?",), ("cursus geld ofzo",)]))
    assert message["response"] == "utter_clarify_offer_human"
    assert message["buttons"][0]["payload"] == "/request_human"


async def test_off_topic_and_gibberish_never_count_toward_a_person():
    previous = [
        ("wie wint het wk", "out_of_scope"),
        ("qwzx vlorp",),
        ("hoe laat is het", "out_of_scope"),
        ("sdkjfh sdfkj",),
    ]
    assert earlier_misses(tracker_after(previous)) == 0
    message = await run(tracker_after(previous, "geld voor cursus?"))
    assert message["response"] == "utter_clarify_guess"  # a first miss: the guesses
    # Between two real misses they do not break the run either.
    between = [("cursus geld ofzo",), ("wie wint het wk", "out_of_scope"), ("qwzx vlorp",)]
    assert (await run(tracker_after(between)))["response"] == "utter_clarify_topics"


async def test_a_real_answer_starts_the_count_again():
    previous = [("geld voor cursus?",), ("hoi", "greet", "utter_greet"), ("cursus geld ofzo",)]
    assert earlier_misses(tracker_after(previous)) == 1


async def test_gibberish_asks_to_say_it_differently():
    tracker = make_tracker("asdfghjkl", "nlu_fallback", ranking(("nlu_fallback", 0.5)), [])
    message = await run(tracker)
    assert message["response"] == "utter_clarify_gibberish" and not message.get("buttons")
