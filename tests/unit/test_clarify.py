"""The clarification flow: two best guesses, then a person; never a random answer."""

from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarify, asked_back_last_turn, best_guesses
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
    assert "/request_human" in [b["payload"] for b in message["buttons"]]


async def test_second_miss_in_a_row_offers_a_person():
    events = [user("blabla"), action("action_clarify"), action("action_listen"), user("nog steeds")]
    tracker = make_tracker("nog steeds", "nlu_fallback", ranking(("nlu_fallback", 0.5)), events)
    message = await run(tracker)
    assert message["response"] == "utter_clarify_offer_human"
    assert message["buttons"][0]["payload"] == "/request_human"
