"""The questionnaire's generated domain is current and complete."""

import yaml

from loopbrug.assessment.domain import OUTPUT, render
from loopbrug.assessment.questions import get_questions


def test_generated_domain_is_up_to_date():
    # Run `python -m loopbrug.assessment.domain` (make train does) after editing the questions.
    assert OUTPUT.read_text(encoding="utf-8") == render(list(get_questions()))


def test_every_question_has_a_slot_a_question_and_a_place_in_the_form():
    domain = yaml.safe_load(OUTPUT.read_text(encoding="utf-8"))
    ids = [q.id for q in get_questions()]
    assert domain["forms"]["assessment_form"]["required_slots"] == ids
    assert set(ids) == set(domain["slots"])
    for number, qid in enumerate(ids, start=1):
        (response,) = domain["responses"][f"utter_ask_{qid}"]
        assert response["text"].startswith(f"Vraag {number} van {len(ids)}.")
        assert response["buttons"][-1]["title"] == "Sla over"


def test_crisis_and_requests_for_a_person_are_never_taken_as_answers():
    domain = yaml.safe_load(OUTPUT.read_text(encoding="utf-8"))
    for slot in domain["slots"].values():
        excluded = slot["mappings"][0]["not_intent"]
        assert {"crisis", "request_human"} <= set(excluded)
        # Starting over is read from the words by the form itself (actions/form_validation.py),
        # so a word the classifier misreads ("blauw") cannot wipe the conversation.
        assert "start_over" not in excluded
