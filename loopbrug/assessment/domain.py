"""Build tool: generate bot/domain/assessment_questions.yml from data/assessment/questions.yml.

Rasa needs the form's slots and questions in a static domain; the questions themselves are
data. This script keeps one source of truth: run ``python -m loopbrug.assessment.domain`` after
editing the questions (``make train`` does), and a unit test fails when the generated file is
out of date. It writes YAML only and imports nothing of Rasa.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List

import yaml

from loopbrug.assessment.questions import QUESTIONS_PATH, Question, load_questions
from loopbrug.settings import ROOT
from loopbrug.texts import text as say

OUTPUT = ROOT / "bot" / "domain" / "assessment_questions.yml"
# The skip button sends words the form reads as a skip (loopbrug/assessment/interpret.py).
SKIP_PAYLOAD = "sla over"

# Messages the form must never take as an answer: they have their own flow (crisis, a person,
# restart, privacy). The form rejects them and the matching rule answers them. Stop and back
# are not here: the form reads them itself (actions/form_validation.py).
NOT_AN_ANSWER = [
    "crisis",
    "request_human",
    "privacy_info",
    "delete_data",
    "restart_assessment",
    "change_answer",
    # Starting another flow is changing one's mind ("laat maar, ik wil eerst de geldcheck"):
    # the other flow starts, and this form's answers stay for later.
    "finance_check",
    "calculate_transition",
    "calculate_gap",
    "calculate_buffer",
]

HEADER = """\
# GENERATED from data/assessment/questions.yml by `python -m loopbrug.assessment.domain`.
# Do not edit by hand: edit the questions and run the script (make train does).
"""


def question_response(question: Question, number: int, total: int) -> Dict[str, Any]:
    """The form's question: text with its number, answer buttons and a skip button."""
    said = say("assessment.question_number", number=number, total=total, question=question.text)
    if question.kind == "text":
        said += " " + say("assessment.question_own_words")
    buttons: List[Dict[str, str]] = [
        {"title": option.label, "payload": option.label} for option in question.options
    ]
    skip = {"title": say("assessment.button_skip"), "payload": SKIP_PAYLOAD}
    response: Dict[str, Any] = {"text": said, "buttons": buttons + [skip]}
    return response


def build(questions: List[Question]) -> Dict[str, Any]:
    """The domain fragment for the questionnaire."""
    total = len(questions)
    slots = {
        q.id: {
            "type": "any",
            "influence_conversation": False,
            "mappings": [
                {
                    "type": "from_text",
                    "not_intent": NOT_AN_ANSWER,
                    "conditions": [{"active_loop": "assessment_form", "requested_slot": q.id}],
                }
            ],
        }
        for q in questions
    }
    responses = {
        f"utter_ask_{q.id}": [question_response(q, i, total)]
        for i, q in enumerate(questions, start=1)
    }
    # "wat bedoel je?" inside the test gets the question's explanation (form_validation.py).
    responses.update(
        {f"utter_explain_{q.id}": [{"text": q.explain}] for q in questions if q.explain}
    )
    return {
        "version": "3.1",
        "slots": slots,
        "responses": responses,
        "forms": {"assessment_form": {"required_slots": [q.id for q in questions]}},
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes repeated values out in full: no YAML anchors in a file people read."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(questions: List[Question]) -> str:
    """The generated file's text."""
    body = yaml.dump(
        build(questions), Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=100
    )
    return HEADER + body


def main() -> int:
    """Write the domain file; ``--check`` only reports whether it is current."""
    text = render(load_questions(QUESTIONS_PATH))
    if "--check" in sys.argv[1:]:
        current = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text
        print("current" if current else f"{OUTPUT} is out of date")
        return 0 if current else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"written {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
