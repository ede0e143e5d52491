"""The validator shared by the data-driven forms (actions/form_validation.py)."""

from rasa_sdk.executor import CollectingDispatcher

from actions.form_validation import OneValidatorForAllSlots


class Form(OneValidatorForAllSlots):
    def handles(self, slot: str) -> bool:
        return slot.startswith("m_")

    def validate_slot(self, slot, value, dispatcher, tracker, domain) -> dict:
        dispatcher.utter_message(text="Ik zie geen bedrag.")
        return {slot: None}


def test_a_slot_cleared_by_the_start_action_is_not_validated_and_says_nothing():
    dispatcher = CollectingDispatcher()
    assert Form().validate_m_net_income(None, dispatcher, None, {}) == {"m_net_income": None}
    assert dispatcher.messages == []


def test_a_button_payload_of_another_flow_is_not_an_answer():
    dispatcher = CollectingDispatcher()
    assert Form().validate_m_net_income("/start_assessment", dispatcher, None, {}) == {
        "m_net_income": None
    }
    assert dispatcher.messages == []


def test_a_real_answer_is_validated():
    dispatcher = CollectingDispatcher()
    Form().validate_m_net_income("veel", dispatcher, None, {})
    assert [m["text"] for m in dispatcher.messages] == ["Ik zie geen bedrag."]
