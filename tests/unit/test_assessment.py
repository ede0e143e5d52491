"""Persoonlijk Profiel: the questions file, reading replies, scoring, the profile and export."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Dict

import pytest

from loopbrug import texts
from loopbrug.assessment.export import profile_file
from loopbrug.assessment.interpret import interpret, normalize, reask_text
from loopbrug.assessment.profile import (
    NEXT_STEP_INTENTS,
    from_dict,
    step_button,
    step_text,
    to_dict,
)
from loopbrug.assessment.questions import (
    BLOCKS,
    CONDITIONS,
    QUESTIONS_PATH,
    get_question,
    get_questions,
    load_questions,
)
from loopbrug.assessment.render import render_profile
from loopbrug.assessment.scoring import score_profile
from loopbrug.plain_language import sentences, word_count

QUESTIONS = get_questions()
CREATED = datetime(2026, 3, 5, 14, 30)


def pick(question_id: str, value: str) -> Dict[str, Any]:
    """An answer as the form stores it: the option value and its score."""
    option = get_question(question_id).option(value)
    assert option is not None, f"{question_id} has no option {value!r}"
    return {"value": value, "score": option.score}


def said(text: str) -> Dict[str, Any]:
    return {"value": text, "score": None}


SKIP = {"skipped": True}

# Someone who wants to move, can, and has room: the baseline every case changes a little.
STRONG: Dict[str, Dict[str, Any]] = {
    "q_wil_anders": pick("q_wil_anders", "heel_graag"),
    "q_doel": said("iets in de zorg"),
    "q_drijfveer": pick("q_drijfveer", "helpen"),
    "q_drijfveer_helder": pick("q_drijfveer_helder", "helder"),
    "q_plezier": said("koken en wandelen"),
    "q_talent": said("goed luisteren"),
    "q_talent_zicht": pick("q_talent_zicht", "goed"),
    "q_skills": said("kassa en plannen"),
    "q_ervaring": pick("q_ervaring", "vijf_of_meer"),
    "q_diploma": pick("q_diploma", "mbo34_havo_vwo"),
    "q_werkniveau": pick("q_werkniveau", "zelf_regelen"),
    "q_verandering": pick("q_verandering", "makkelijk"),
    "q_leren": pick("q_leren", "leuk"),
    "q_vertrouwen": pick("q_vertrouwen", "veel"),
    "q_tijd": pick("q_tijd", "genoeg"),
    "q_geld": pick("q_geld", "nee"),
    "q_zorg": pick("q_zorg", "nee"),
    "q_gezondheid": pick("q_gezondheid", "nee"),
    "q_taal_digitaal": pick("q_taal_digitaal", "geen"),
}


def answers(**changes: Any) -> Dict[str, Dict[str, Any]]:
    """The strong baseline with some answers changed: a value, SKIP, or a said() dict."""
    result = dict(STRONG)
    for question_id, change in changes.items():
        result[question_id] = pick(question_id, change) if isinstance(change, str) else change
    return result


ALL_SKIPPED = {q.id: SKIP for q in QUESTIONS}


# --------------------------------------------------------------------------- questions file


def test_questions_file_has_16_to_20_questions_with_unique_slot_safe_ids():
    ids = [q.id for q in QUESTIONS]
    assert 16 <= len(ids) <= 20
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"q_[a-z0-9_]+", qid) for qid in ids)


def test_every_block_and_condition_is_covered_by_a_scored_question():
    for block in BLOCKS + ("situatie",):
        assert any(q.block == block and q.scored for q in QUESTIONS), block
    for condition in CONDITIONS:
        assert any(condition in q.conditions and q.scored for q in QUESTIONS), condition


def test_three_to_five_free_text_questions_about_talents_skills_enjoyment_goal():
    text_blocks = {q.block for q in QUESTIONS if q.kind == "text"}
    assert 3 <= sum(q.kind == "text" for q in QUESTIONS) <= 5
    assert {"talenten", "skills", "doel_motivatie"} <= text_blocks


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_question_is_short_and_its_buttons_fit(question):
    assert len(question.text.split()) <= 20
    for option in question.options:
        assert len(option.label) <= 25, option.label
        assert option.score in (None, 0, 1, 2)
    if question.kind != "text":
        assert 2 <= len(question.options) <= 5


def test_life_situation_covers_time_money_care_health_language_and_digital():
    kinds = {b for q in QUESTIONS for o in q.options for b in o.barriers}
    assert kinds >= {"tijd", "geld", "schulden", "zorg", "gezondheid", "taal", "digitaal"}
    assert all(q.block == "situatie" for q in QUESTIONS if any(o.barriers for o in q.options))


def test_no_alias_names_two_options_of_one_question():
    for question in QUESTIONS:
        seen: Dict[str, str] = {}
        for option in question.options:
            for name in (option.label, *option.aliases):
                key = normalize(name)
                assert seen.setdefault(key, option.value) == option.value, (question.id, name)


@pytest.mark.parametrize(
    "broken, message",
    [
        # An id with a capital cannot be a slot name.
        ({"id": "q_Bad", "block": "skills", "kind": "text", "text": "Vraag?"}, "slot-safe"),
        # Blocks are a closed list.
        ({"id": "q_x", "block": "hobby", "kind": "text", "text": "Vraag?"}, "unknown block"),
        # A scale needs a score on every option.
        (
            {
                "id": "q_x",
                "block": "skills",
                "kind": "scale",
                "text": "Vraag?",
                "options": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
            },
            "needs a score",
        ),
    ],
)
def test_a_broken_questions_file_is_refused(tmp_path, broken, message):
    path = tmp_path / "questions.yml"
    path.write_text(json.dumps({"version": 1, "questions": [broken]}), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_questions(path)


def test_questions_load_lazily_from_the_data_folder():
    assert QUESTIONS_PATH.name == "questions.yml"
    assert get_questions() is get_questions()  # cached after the first read


# --------------------------------------------------------------------------- interpret


@pytest.mark.parametrize(
    "question_id, reply, value",
    [
        ("q_wil_anders", "Heel graag", "heel_graag"),  # the button label
        ("q_wil_anders", "HEEL GRAAG!!", "heel_graag"),  # case and punctuation do not matter
        ("q_wil_anders", "heel graaf", "heel_graag"),  # typo
        ("q_wil_anders", "ik wil heeel graag", "heel_graag"),  # typo inside a sentence
        ("q_wil_anders", "ja graag hoor", "heel_graag"),  # alias inside a longer reply
        ("q_wil_anders", "misschien", "beetje"),  # alias
        ("q_wil_anders", "nee", "nog_niet"),  # alias
        ("q_wil_anders", "3", "nog_niet"),  # the option number
        ("q_wil_anders", "optie 2", "beetje"),  # the option number with a word
        ("q_drijfveer", "collega's", "collegas"),  # apostrophe
        ("q_drijfveer", "anderen helpn", "helpen"),  # typo
        ("q_drijfveer", "geld", "zekerheid"),  # alias for a different label
        ("q_diploma", "ik heb mbo niveau 2", "vmbo_mbo12"),  # the longest name wins over "mbo"
        ("q_diploma", "Universitiet", "hbo_wo"),  # typo
        ("q_diploma", "ik heb een diploma uit syrië", "buitenland"),  # diacritics, alias
        ("q_ervaring", "12 jaar", "vijf_of_meer"),  # a number of years, not option 12
        ("q_ervaring", "3", "twee_tot_vijf"),  # years, not the third option
        ("q_ervaring", "0", "minder_dan_2"),  # years
        ("q_geld", "ik heb schulden", "schulden"),  # the label itself
        ("q_zorg", "mantelzorger", "veel"),  # alias
        ("q_leren", "niet leuk", "niet_fijn"),  # negation alias, not "Leuk"
        ("q_taal_digitaal", "beide", "allebei"),  # alias
        ("q_taal_digitaal", "Nëderlandse taal", "taal"),  # diacritics
    ],
)
def test_interpret_finds_the_option(question_id, reply, value):
    result = interpret(get_question(question_id), reply)
    assert (result.status, result.value) == ("answer", value)
    assert result.score == get_question(question_id).option(value).score


@pytest.mark.parametrize(
    "reply",
    [
        "weet ik niet",
        "Weet niet",
        "geen idee",
        "sla over",
        "overslaan",
        "skip",
        "volgende",
        "weet ik nit",  # typo
        "nee weet ik niet",  # skip phrase in a short reply
    ],
)
@pytest.mark.parametrize("question_id", ["q_wil_anders", "q_geld", "q_talent"])
def test_skip_words_skip_every_kind_of_question(question_id, reply):
    result = interpret(get_question(question_id), reply)
    assert result.status == "skip"
    assert result.as_answer() == {"skipped": True}


@pytest.mark.parametrize(
    "question_id, reply",
    [
        ("q_wil_anders", "banaan"),  # nonsense
        ("q_wil_anders", "7"),  # a number without an option
        ("q_wil_anders", "niet heel graag"),  # close in letters, opposite in meaning
        ("q_zorg", "ja"),  # two options start with "ja": ask which one
        ("q_geld", ""),  # nothing typed
        ("q_talent", " "),  # empty free text
        ("q_talent", "x"),  # one character is not an answer
    ],
)
def test_replies_that_fit_no_option_are_asked_again(question_id, reply):
    result = interpret(get_question(question_id), reply)
    assert result.status == "unknown_option"
    assert result.as_answer() is None


@pytest.mark.parametrize(
    "reply, kept",
    [
        ("zorg", "zorg"),  # short is fine
        ("  iets   met\tkinderen ", "iets met kinderen"),  # spaces cleaned
        ("ik weet niet goed, iets met zorg", "ik weet niet goed, iets met zorg"),  # not a skip
        ("volgende week begin ik", "volgende week begin ik"),  # "volgende" alone skips, this not
        ("a" * 400, "a" * 300),  # cut at 300 characters
    ],
)
def test_free_text_is_kept_as_the_answer(reply, kept):
    result = interpret(get_question("q_doel"), reply)
    assert (result.status, result.value, result.score) == ("answer", kept, None)


def test_reask_names_every_option_and_the_way_out():
    question = get_question("q_geld")
    text = reask_text(question)
    assert text.startswith("Ik snap je antwoord niet helemaal.")
    for option in question.options:
        assert option.label in text
    assert "sla over" in text
    assert question.hint in text


def test_reask_for_free_text_asks_for_a_few_words():
    assert "paar woorden" in reask_text(get_question("q_talent"))


# --------------------------------------------------------------------------- scoring


@pytest.mark.parametrize(
    "changes, block, level",
    [
        ({}, "wendbaarheid", "sterk"),  # all three scales strong
        ({"q_verandering": "moeite"}, "wendbaarheid", "sterk"),  # mean 1.67, no zero
        ({"q_verandering": "lastig"}, "wendbaarheid", "gemiddeld"),  # one zero blocks "sterk"
        (
            {"q_verandering": "lastig", "q_leren": "niet_fijn", "q_vertrouwen": "beetje"},
            "wendbaarheid",
            "aandacht",
        ),  # mean 0.33
        ({"q_verandering": SKIP, "q_leren": SKIP}, "wendbaarheid", "onbekend"),  # 1 of 3 answered
        ({"q_verandering": SKIP}, "wendbaarheid", "sterk"),  # 2 of 3 answered is enough
        ({"q_talent_zicht": "beetje"}, "talenten", "gemiddeld"),  # middle
        ({"q_talent_zicht": SKIP}, "talenten", "onbekend"),  # own words alone are not scored
        ({"q_ervaring": "minder_dan_2"}, "skills", "aandacht"),  # little experience
        ({"q_diploma": "geen", "q_werkniveau": "vaste_taken"}, "niveau", "aandacht"),  # 0.5
        ({"q_diploma": "buitenland"}, "niveau", "sterk"),  # unscored diploma: work level counts
        ({"q_drijfveer_helder": "nog_niet"}, "drijfveren", "aandacht"),  # drives not clear
        ({"q_wil_anders": "beetje"}, "doel_motivatie", "gemiddeld"),  # doubts
    ],
)
def test_block_levels(changes, block, level):
    assert score_profile(answers(**changes)).blocks[block].level == level


@pytest.mark.parametrize(
    "changes, condition, level",
    [
        ({}, "motivatie", "sterk"),  # baseline
        ({}, "gelegenheid", "sterk"),  # baseline: time, no worries, no care work
        ({"q_wil_anders": "nog_niet", "q_drijfveer_helder": "nog_niet"}, "motivatie", "aandacht"),
        ({"q_wil_anders": "beetje"}, "motivatie", "sterk"),  # mean 1.67
        ({"q_wil_anders": "nog_niet"}, "motivatie", "gemiddeld"),  # a zero blocks "sterk"
        ({"q_geld": "soms"}, "gelegenheid", "gemiddeld"),  # a light barrier blocks "sterk"
        ({"q_geld": "vaak"}, "gelegenheid", "aandacht"),  # one heavy barrier is enough
        ({"q_zorg": "veel", "q_tijd": SKIP, "q_geld": SKIP}, "gelegenheid", "aandacht"),  # fact
        ({"q_tijd": SKIP, "q_geld": SKIP}, "gelegenheid", "onbekend"),  # 1 of 3 answered
        ({"q_gezondheid": "vaak"}, "capaciteit", "aandacht"),  # health is a capacity factor
        ({"q_taal_digitaal": "taal"}, "capaciteit", "gemiddeld"),  # light barrier
        ({"q_diploma": "geen"}, "capaciteit", "sterk"),  # a diploma does not count here
        (
            {"q_verandering": "lastig", "q_vertrouwen": "weinig", "q_talent_zicht": "nee"},
            "capaciteit",
            "gemiddeld",
        ),  # three zeros of eight: mean 1.25
    ],
)
def test_condition_levels(changes, condition, level):
    assert score_profile(answers(**changes)).conditions[condition].level == level


def test_everything_skipped_is_unknown_and_never_guessed():
    profile = score_profile(ALL_SKIPPED)
    assert {r.level for r in profile.blocks.values()} == {"onbekend"}
    assert {r.level for r in profile.conditions.values()} == {"onbekend"}
    assert profile.barriers == [] and profile.strengths == []
    assert len(profile.skipped) == len(QUESTIONS) and profile.answered == 0


def test_unanswered_questions_count_as_skipped():
    profile = score_profile({"q_wil_anders": pick("q_wil_anders", "heel_graag")})
    assert profile.blocks["doel_motivatie"].level == "sterk"
    assert profile.blocks["talenten"].level == "onbekend"


def test_levels_come_with_reasons():
    profile = score_profile(answers(q_verandering="lastig"))
    assert "Veranderen vind je lastig (laag)." in profile.blocks["wendbaarheid"].reasons
    # Capacity has a mean of 1.75 but one zero: the reason says why it is not "sterk".
    assert profile.conditions["capaciteit"].level == "gemiddeld"
    assert "Eén antwoord was laag. Daarom niet sterk." in profile.conditions["capaciteit"].reasons
    assert any("gemiddeld 2,0 van 2 punten" in r for r in profile.conditions["motivatie"].reasons)


def test_what_the_person_said_is_kept_per_block():
    profile = score_profile(answers())
    assert profile.blocks["talenten"].own_words == ["goed luisteren"]
    assert "je vindt anderen helpen belangrijk" in profile.blocks["drijfveren"].answers
    assert "Je wilt heel graag ander werk." in profile.strengths


# --------------------------------------------------------------------------- barriers


@pytest.mark.parametrize(
    "changes, kinds",
    [
        ({}, []),  # none
        ({"q_geld": "soms"}, ["geld"]),  # light money worry still counts
        ({"q_geld": "schulden"}, ["schulden"]),  # debts
        ({"q_tijd": "weinig", "q_zorg": "veel"}, ["tijd", "zorg"]),  # time and care
        ({"q_zorg": "beetje"}, []),  # some care work is not a barrier
        ({"q_gezondheid": "vaak"}, ["gezondheid"]),  # health
        ({"q_taal_digitaal": "allebei"}, ["taal", "digitaal"]),  # both from one answer
        ({"q_geld": SKIP}, []),  # a skip is not a barrier
    ],
)
def test_barriers(changes, kinds):
    profile = score_profile(answers(**changes))
    assert profile.barrier_kinds == kinds
    assert len(profile.barriers) == len(kinds)
    assert all(b.endswith(".") for b in profile.barriers)


# --------------------------------------------------------------------------- next steps


@pytest.mark.parametrize(
    "changes, expected",
    [
        # Wants, can, has room: try the work and learn how to enter a sector.
        ({}, ["experience_work", "sector_info"]),
        # Money worries come first, then the work itself.
        ({"q_geld": "vaak"}, ["finance_check", "experience_work", "sector_info"]),
        # A little money worry is still worth a money check.
        ({"q_geld": "soms"}, ["finance_check", "experience_work", "sector_info"]),
        # Debts: help with debts, then the money check.
        ({"q_geld": "schulden"}, ["debt_help", "finance_check", "experience_work"]),
        # Low confidence: a coach; capacity is not strong, so learning routes next.
        ({"q_vertrouwen": "weinig"}, ["request_human", "training_routes", "funding_overview"]),
        # Heavy life situation (two heavy barriers): a coach first.
        (
            {"q_tijd": "weinig", "q_zorg": "veel"},
            ["request_human", "experience_work", "sector_info"],
        ),
        # Money worries and low confidence: money check and a coach; no training advice while
        # money blocks (gelegenheid "aandacht").
        ({"q_geld": "vaak", "q_vertrouwen": "weinig"}, ["finance_check", "request_human"]),
        # Very heavy life: a coach; motivation is strong, so how to start fills the second step.
        (
            {"q_tijd": "weinig", "q_zorg": "veel", "q_gezondheid": "vaak"},
            ["request_human", "sector_info"],
        ),
        # Health problems: a coach first.
        ({"q_gezondheid": "vaak"}, ["request_human", "training_routes", "funding_overview"]),
        # No diploma but years of work: make the experience visible.
        (
            {"q_diploma": "geen", "q_ervaring": "twee_tot_vijf"},
            ["experience_work", "sector_info", "skills_recognition"],
        ),
        # Computer hard: guidance such as a buddy.
        (
            {"q_taal_digitaal": "digitaal"},
            ["guidance_support", "training_routes", "funding_overview"],
        ),
        # Not sure what to look for: an orientation programme.
        (
            {"q_drijfveer_helder": "nog_niet", "q_wil_anders": "beetje"},
            ["orientation_programs", "shortage_sectors"],
        ),
        # Can a lot but does not want to move yet: find out what fits, see where work is.
        ({"q_wil_anders": "nog_niet"}, ["orientation_programs", "shortage_sectors"]),
        # Wants to, capacity middling, likes learning: training routes and how to pay.
        (
            {
                "q_ervaring": "minder_dan_2",
                "q_talent_zicht": "beetje",
                "q_werkniveau": "vaste_taken",
            },
            ["training_routes", "funding_overview"],
        ),
        # Everything skipped: find out what fits, and a person.
        ({q.id: SKIP for q in QUESTIONS}, ["orientation_programs", "request_human"]),
    ],
)
def test_next_steps_for_typical_cases(changes, expected):
    steps = score_profile(answers(**changes)).next_step_intents
    assert steps == expected
    assert 2 <= len(steps) <= 3 and set(steps) <= set(NEXT_STEP_INTENTS)


def test_most_urgent_step_comes_first():
    steps = score_profile(answers(q_geld="schulden", q_vertrouwen="weinig")).next_step_intents
    assert steps == ["debt_help", "finance_check", "request_human"]


def test_no_experience_work_when_capacity_is_not_strong():
    steps = score_profile(answers(q_gezondheid="vaak")).next_step_intents
    assert "experience_work" not in steps


def test_every_step_has_words_a_button_and_a_reason():
    for intent in NEXT_STEP_INTENTS:
        assert step_text(intent) and len(step_button(intent)) <= 25
    for step in score_profile(answers(q_geld="schulden")).next_steps:
        assert step.reason and step.text == step_text(step.intent)
    assert step_text("no_such_step") is None and step_button("no_such_step") is None


# --------------------------------------------------------------------------- render, export

CASES = {
    "strong": answers(),
    "money and low confidence": answers(q_geld="vaak", q_vertrouwen="weinig"),
    "heavy life": answers(q_tijd="weinig", q_zorg="veel", q_gezondheid="vaak"),
    "many skips": answers(q_verandering=SKIP, q_leren=SKIP, q_talent=SKIP, q_geld=SKIP),
    "all skipped": ALL_SKIPPED,
    "long own words": answers(
        q_talent=said("ik ben heel goed in luisteren naar mensen en in het oplossen van ruzies")
    ),
}


def longest_sentence(text: str) -> int:
    return max(word_count(s) for s in sentences(text))


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_profile_message_names_six_blocks_in_short_sentences(case):
    text = render_profile(score_profile(case))
    for block in BLOCKS:
        assert texts.text(f"assessment.block_{block}") in text
    assert longest_sentence(text) <= 25
    assert 60 <= word_count(text) <= 200  # fits a phone


def test_profile_message_names_attention_barriers_and_steps():
    profile = score_profile(answers(q_geld="vaak", q_vertrouwen="weinig"))
    text = render_profile(profile)
    assert "Aandacht nodig bij: ruimte in je leven." in text
    assert "zorgen over geld" in text
    assert "Sterk aan jou:" in text
    for step in profile.next_steps:
        assert step.text in text


def test_profile_message_without_answers_says_what_is_unknown():
    text = render_profile(score_profile(ALL_SKIPPED))
    assert "weet ik nog te weinig" in text
    assert "overgeslagen" in text


# --------------------------------------------------------------------------- storage


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_profile_survives_a_json_round_trip(case):
    profile = score_profile(case)
    stored = json.loads(json.dumps(to_dict(profile)))
    restored = from_dict(stored)
    assert restored == profile
    assert render_profile(restored) == render_profile(profile)
    assert profile_file(restored, CREATED) == profile_file(profile, CREATED)


def test_a_long_reply_is_read_by_its_first_clause():
    # Issue 16 golden conversation: refused three times before.
    question = get_question("q_wil_anders")
    reading = interpret(
        question, "ja heel graag want ik werk al 20 jaar in het magazijn en ik ben het zat"
    )
    assert reading.value == "heel_graag"
    negated = interpret(question, "niet heel graag maar ik moet wel want mijn werk stopt ermee")
    assert negated.value != "heel_graag"  # "niet heel graag" is not "heel graag"
