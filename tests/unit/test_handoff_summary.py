"""The summary a coach or desk gets (loopbrug/handoff/summary.py)."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from actions.money_check import answers_from
from loopbrug.assessment.profile import to_dict
from loopbrug.assessment.questions import get_question
from loopbrug.assessment.render import render_profile
from loopbrug.assessment.scoring import score_profile
from loopbrug.handoff import amounts, summary
from loopbrug.handoff.store import ACUTE, CRISIS, NORMAL
from loopbrug.money.check import assess
from tests.conftest import make_tracker


def user(text: str, intent: Optional[str]) -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def loop(name: Optional[str]) -> Dict[str, Any]:
    return {"event": "active_loop", "name": name}


def bot(text: str) -> Dict[str, Any]:
    return {"event": "bot", "text": text}


def build(events, slots=None, profile=None, money=None, acute=False):
    return summary.build_summary(
        events, slots or {}, profile, money, "Vraagt zelf om een coach", acute_debt=acute
    )


# A real money check with amounts the person typed; only its storable outcome may travel on.
MONEY_SLOTS = {
    "m_net_income": 2537.0,
    "m_fixed_costs": 2011.0,
    "m_household_income": 0.0,
    "m_dependants": 0.0,
    "m_savings": 4123.0,
    "m_debts": {"debts": False, "arrears": False, "acute": False},
    "m_income_during": 1200.0,
    "m_transition": 0.0,
    "m_travel": 0.0,
    "m_childcare": 0.0,
}


def money_outcome(**changes: Any) -> Dict[str, Any]:
    return assess(answers_from(make_tracker(slots={**MONEY_SLOTS, **changes}))).storable()


def pick(question_id: str, value: str) -> Dict[str, Any]:
    option = get_question(question_id).option(value)
    assert option is not None, f"{question_id} has no option {value!r}"
    return {"value": value, "score": option.score}


PROFILE = score_profile(
    {
        "q_wil_anders": pick("q_wil_anders", "heel_graag"),
        "q_doel": {"value": "iets in de zorg", "score": None},
        "q_talent": {"value": "goed luisteren", "score": None},
        "q_ervaring": pick("q_ervaring", "vijf_of_meer"),
        "q_geld": pick("q_geld", "schulden"),
        "q_tijd": pick("q_tijd", "genoeg"),
    }
)


# --------------------------------------------------------------------------- own words


def said(*texts: str) -> list:
    """Messages as the summary keeps them, none with the crisis guard's mark."""
    return [{"text": text, "crisis": False} for text in texts]


def test_every_typed_message_is_kept_but_form_answers_never():
    events = [
        user("Hoe werkt de scholingsvoucher?", "funding_voucher"),
        user("ik wil een geldcheck doen", "finance_check"),
        loop("money_form"),
        user("2537", "finance_check"),  # an amount typed into the money check
        user("mijn vaste lasten zijn 2011", "debt_help"),
        loop(None),
        user("Kan ik een opleiding volgen met een uitkering?", "funding_benefits"),
        loop("assessment_form"),
        user("ik werk graag met mensen in de zorg", "orientation_start"),
        loop(None),
        user("ik wil een coach", "request_human"),
        loop("handoff_form"),
        user("bel me op 06 12345678", "funding_loan"),
        user("mail naar anna@example.nl", "debt_help"),
    ]
    messages = build(events)["messages"]
    assert messages == said(
        "Hoe werkt de scholingsvoucher?",
        "ik wil een geldcheck doen",
        "Kan ik een opleiding volgen met een uitkering?",
        "ik wil een coach",
    )
    joined = " ".join(summary.message_texts({"messages": messages}))
    for private in ("2537", "2011", "zorg", "06 12345678", "anna@example.nl"):
        assert private not in joined


def test_what_the_bot_did_not_understand_is_kept_too():
    # The tester's case: these had no known topic and were lost.
    events = [
        user("hoi", "greet"),
        user(
            "Ik ben 34, werk als buschauffeur en wil verpleegkundige worden",
            "nlu_fallback",
        ),
        user("Mijn werkgever wil niet meebetalen", "out_of_scope"),
        user("ik wil een coach", "request_human"),
    ]
    assert build(events)["messages"] == said(
        "hoi",
        "Ik ben 34, werk als buschauffeur en wil verpleegkundige worden",
        "Mijn werkgever wil niet meebetalen",
        "ik wil een coach",
    )


def test_every_message_is_masked():
    events = [
        user("mijn bsn is 123456782 en mijn iban NL91ABNA0417164300", "nlu_fallback"),
        user("bel 0612345678 of mail piet@example.nl", "nlu_fallback"),
        user("ik woon op 7511 JK 4 in Enschede", "inform_location"),
    ]
    assert build(events)["messages"] == said(
        "mijn bsn is [BSN] en mijn iban [IBAN]",
        "bel [telefoonnummer] of mail [e-mail]",
        "ik woon op [adres] in Enschede",
    )


def test_the_crisis_guards_mark_is_kept():
    events = [
        user("ik zie het niet meer zitten", "crisis"),
        user("ik wil iemand spreken", "request_human"),
    ]
    assert build(events)["messages"] == [
        {"text": "ik zie het niet meer zitten", "crisis": True},
        {"text": "ik wil iemand spreken", "crisis": False},
    ]


def test_a_crisis_message_inside_a_form_is_kept_for_the_coach():
    events = [
        loop("money_form"),
        user("2500", "inform"),
        user("ik wil niet meer leven", "crisis"),
        loop(None),
    ]
    assert build(events)["messages"] == [{"text": "ik wil niet meer leven", "crisis": True}]


@pytest.mark.parametrize(
    "form",
    [
        "money_form",
        "transition_form",
        "gap_form",
        "buffer_form",
        "assessment_form",
        "location_form",
        "handoff_form",
    ],
)
def test_every_private_form_keeps_its_answers_out(form):
    events = [loop(form), user("geheim antwoord", "funding_voucher"), loop(None)]
    assert build(events)["messages"] == []


def test_button_presses_and_the_helplines_own_follow_up_are_not_typed():
    followup = {**user("EXTERNAL: followup", "handoff_followup"), "metadata": {"is_external": True}}
    events = [
        user("/funding_voucher", "funding_voucher"),
        followup,
        user("Wat kost een opleiding tot verpleegkundige?", "funding_overview"),
    ]
    result = build(events)
    assert result["messages"] == said("Wat kost een opleiding tot verpleegkundige?")
    # The button press still counts as a question asked.
    assert result["asked"] == ["Scholingsvoucher", "Opleiding betalen"]


def test_a_restart_forgets_the_messages_before_it():
    events = [
        user("mijn oude vraag", "nlu_fallback"),
        {"event": "restart"},
        user("mijn nieuwe vraag", "nlu_fallback"),
    ]
    assert build(events)["messages"] == said("mijn nieuwe vraag")


def test_a_long_conversation_keeps_its_first_and_last_messages():
    events = [user(f"bericht {n}", "nlu_fallback") for n in range(1, 41)]
    messages = build(events)["messages"]
    first = [f"bericht {n}" for n in range(1, summary.MAX_FIRST + 1)]
    last = [f"bericht {n}" for n in range(41 - summary.MAX_LAST, 41)]
    left_out = 40 - summary.MAX_FIRST - summary.MAX_LAST
    assert messages == [
        *said(*first),
        {
            "text": f"... {left_out} berichten weggelaten (lees het hele gesprek hieronder)",
            "omitted": left_out,
        },
        *said(*last),
    ]


def test_a_conversation_at_the_bound_keeps_every_message():
    count = summary.MAX_FIRST + summary.MAX_LAST
    events = [user(f"bericht {n}", "nlu_fallback") for n in range(count)]
    assert build(events)["messages"] == said(*[f"bericht {n}" for n in range(count)])


def test_a_very_long_message_is_cut_with_an_ellipsis():
    long = "Wat kan ik doen " + "x" * 600
    [kept] = build([user(long, "sector_info")])["messages"]
    assert kept["text"] == long[: summary.MAX_MESSAGE_CHARS - 1] + "…"


def test_message_texts_reads_old_and_new_tickets():
    assert summary.message_texts({"messages": ["oud", {"text": "nieuw", "crisis": True}]}) == [
        "oud",
        "nieuw",
    ]


def test_asked_lists_topic_titles_oldest_first_without_repeats():
    events = [
        user("voucher?", "funding_voucher"),
        user("schulden", "debt_help"),
        user("voucher nog eens", "funding_voucher"),
        user("profiel", "show_profile"),
        user("profiel als tekst", "export_profile"),  # the same title as show_profile
        user("hallo", "greet"),
    ]
    assert build(events)["asked"] == [
        "Scholingsvoucher",
        "Hulp bij schulden",
        "Mijn profiel bekijken",
    ]


# --------------------------------------------------------------------------- topic and urgency


def test_crisis_wins_the_topic_and_the_urgency():
    events = [
        user("Hoe werkt de scholingsvoucher?", "funding_voucher"),
        user("ik zie het niet meer zitten", "crisis"),
        user("en het STAP-budget?", "funding_stap"),
    ]
    result = build(events, money=money_outcome())
    assert result["topic"] == "crisis"
    assert result["urgency"] == CRISIS
    assert any("zorgwekkend" in fact and "113" in fact for fact in result["facts"])


@pytest.mark.parametrize(
    "intents, topic",
    [
        (["funding_voucher"], "scholing"),
        (["funding_voucher", "debt_help"], "geld"),
        (["debt_help", "sector_info"], "werk"),
        (["sector_info", "greet", "request_human"], "werk"),  # small talk is not a topic
        (["greet"], "algemeen"),
        ([], "algemeen"),
    ],
)
def test_topic_is_the_latest_substantive_question(intents, topic):
    assert build([user(f"vraag {i}", i) for i in intents])["topic"] == topic


def test_a_repeated_question_counts_as_the_latest():
    events = [
        user("Hoe werkt de scholingsvoucher?", "funding_voucher"),
        user("Ik heb schulden", "debt_help"),
        user("En die voucher, hoe vraag ik die aan?", "funding_voucher"),
    ]
    assert build(events)["topic"] == "scholing"


def test_only_a_money_check_makes_the_topic_money():
    assert build([user("hoi", "greet")], money=money_outcome())["topic"] == "geld"


def test_urgency_acute_for_debts_normal_otherwise():
    plain = [user("Hoe werkt de scholingsvoucher?", "funding_voucher")]
    assert build(plain)["urgency"] == NORMAL
    assert build(plain, acute=True)["urgency"] == ACUTE
    priority = money_outcome(m_debts={"debts": True, "arrears": True, "acute": True})
    assert priority["priority_debt_help"] is True
    assert build(plain, money=priority)["urgency"] == ACUTE
    assert build(plain, money=money_outcome())["urgency"] == NORMAL
    facts = build(plain, acute=True)["facts"]
    assert "Noemt acute geldproblemen of schulden" in facts
    assert "Noemt acute geldproblemen of schulden" not in build(plain)["facts"]


# --------------------------------------------------------------------------- facts


def test_facts_name_the_place_and_the_contact_wish():
    slots = {
        "gemeente_naam": "Enschede",
        "arbeidsmarktregio": "Twente",
        "handoff_contact": "telefoon",
        "handoff_time": "ochtend",
        "handoff_phone": "+31 6 12345678",
    }
    facts = build([], slots=slots)["facts"]
    assert facts[0] == "Woont in Enschede (regio Twente)"
    assert "Wil contact: bellen, 's ochtends" in facts
    assert not any("12345678" in fact for fact in facts)  # the number is a ticket field


def test_facts_say_when_the_place_is_unknown():
    facts = build([], slots={"handoff_contact": "chat"})["facts"]
    assert facts == ["Woonplaats niet genoemd", "Wil contact: in de chat"]


def test_the_reason_is_passed_on():
    assert build([])["reason"] == "Vraagt zelf om een coach"


# --------------------------------------------------------------------------- money check


def test_money_check_lines_show_colour_and_ranges_never_amounts():
    outcome = money_outcome()
    lines = summary.money_lines(outcome)
    assert lines["colour"] == outcome["colour"]
    assert lines["lines"][0] == f"Uitkomst: {outcome['colour']}"
    text = "\n".join(lines["lines"])
    assert "Verschil per maand: € " + outcome["gap_range"] in text
    for amount in ("2537", "2.537", "2011", "2.011", "4123", "4.123", "1200", "1.200"):
        assert amount not in text
    assert build([], money=outcome)["money_check"] == lines
    assert summary.money_lines(None) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"m_debts": {"debts": True, "arrears": True, "acute": True}},  # rood, debts first
        {},  # oranje: steps the profile does not have (income_during_training, ...)
        {"m_income_during": 2600.0},  # groen
    ],
)
def test_money_check_tips_are_words_never_intent_names(changes):
    outcome = money_outcome(**changes)
    lines = summary.money_lines(outcome)["lines"]
    tips = [line for line in lines if line.startswith("Tip: ")]
    assert len(tips) == len(outcome["next_steps"]) >= 1
    for step in outcome["next_steps"]:
        assert step not in "\n".join(lines)
    assert all(" " in tip.removeprefix("Tip: ") for tip in tips)


def test_money_check_lines_put_debt_help_first():
    outcome = money_outcome(m_debts={"debts": True, "arrears": True, "acute": True})
    lines = summary.money_lines(outcome)["lines"]
    assert "Schulden of achterstanden: eerst hulp bij schulden" in lines
    assert lines[lines.index("Schulden of achterstanden: eerst hulp bij schulden") + 1] == (
        "Tip: Hulp bij schulden"
    )


# --------------------------------------------------------------------------- amounts


def slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


# What the money check's validation set while the person typed (the raw text first, then the
# number it read), and how the outcome cleared the slots afterwards.
MONEY_EVENTS = [
    user("ik wil een geldcheck doen", "finance_check"),
    loop("money_form"),
    user("2537 netto", "inform"),
    slot("m_net_income", "2537 netto"),
    slot("m_net_income", 2537.0),
    user("2011", "inform"),
    slot("m_fixed_costs", 2011.0),
    slot("m_household_income", 0.0),
    slot("m_dependants", 2.0),
    slot("m_savings", 4123.0),
    slot("m_debts", {"debts": False, "arrears": True, "acute": False, "kind": "huur"}),
    slot("m_income_during", {"skipped": True}),
    slot("m_transition", 0.0),
    slot("m_travel", 85.0),
    slot("m_childcare", 0.0),
    loop(None),
    *[slot(name, None) for name in MONEY_SLOTS],
    user("ik wil een coach", "request_human"),
]
AMOUNT_LINES = [
    "Netto inkomen nu: € 2.537 per maand",
    "Vaste lasten van het huishouden: € 2.011 per maand",
    "Inkomen van anderen in huis: € 0 per maand",
    "Mensen die dit inkomen nodig hebben: 2",
    "Spaargeld om te gebruiken: € 4.123",
    "Schulden of betalingsachterstanden: betalingsachterstanden (huur)",
    "Inkomen tijdens de overstap: weet de persoon niet",
    "Transitievergoeding (bruto): € 0",
    "Extra reiskosten: € 85 per maand",
    "Kosten voor kinderopvang: € 0 per maand",
]
NOT_SHARED = {
    "shared": False,
    "lines": ["De persoon deelt de bedragen niet; vraag ze zelf opnieuw."],
}


def test_shared_amounts_are_listed_for_the_coach():
    built = build(MONEY_EVENTS, slots={"handoff_share_money": "ja"}, money=money_outcome())
    assert built["amounts"] == {"shared": True, "lines": AMOUNT_LINES}


@pytest.mark.parametrize("answer", ["nee", None])
def test_without_a_yes_the_summary_says_the_coach_must_ask_again(answer):
    built = build(MONEY_EVENTS, slots={"handoff_share_money": answer}, money=money_outcome())
    assert built["amounts"] == NOT_SHARED
    everything = repr(built)
    for amount in ("2537", "2.537", "2011", "2.011", "4123", "4.123", "€ 85"):
        assert amount not in everything


def test_a_money_check_from_before_without_amounts_now_says_so_too():
    built = build([], slots={"handoff_share_money": "ja"}, money=money_outcome())
    assert built["amounts"] == NOT_SHARED


def test_no_money_check_no_amounts_part():
    assert build([user("hoi", "greet")])["amounts"] is None


def test_calculator_amounts_count_and_the_latest_answer_wins():
    events = [
        loop("transition_form"),
        slot("tc_salary", 3000.0),
        slot("tc_salary", 3200.0),  # corrected
        slot("tc_years", 12.5),
        loop(None),
    ]
    assert amounts.has_amounts(events)
    assert build(events, slots={"handoff_share_money": "ja"})["amounts"] == {
        "shared": True,
        "lines": [
            "Bruto maandsalaris (rekenhulp transitievergoeding): € 3.200 per maand",
            "Jaren bij deze werkgever (rekenhulp transitievergoeding): 12,5 jaar",
        ],
    }


def test_only_skipped_answers_are_nothing_to_share():
    events = [slot("m_net_income", {"skipped": True}), slot("m_fixed_costs", None)]
    assert not amounts.has_amounts(events)
    assert not amounts.has_amounts([user("ik verdien 2400", "inform")])
    assert amounts.has_amounts(MONEY_EVENTS)


def test_a_restart_forgets_the_amounts():
    assert not amounts.has_amounts([*MONEY_EVENTS, {"event": "restart"}])


# --------------------------------------------------------------------------- profile


def test_the_coach_reads_the_profile_in_the_third_person():
    stored = {"profile": to_dict(PROFILE), "answers": {}}
    assert summary.profile_lines(stored)["lines"] == [
        "Talenten (nog onbekend): In eigen woorden: 'goed luisteren'.",
        "Skills (sterk): De persoon heeft veel werkervaring.",
        "Drijfveren (nog onbekend): Overgeslagen.",
        "Wendbaarheid (nog onbekend): Overgeslagen.",
        "Werk- en denkniveau (nog onbekend): Overgeslagen.",
        "Doel en motivatie (sterk): De persoon wil heel graag ander werk. "
        "In eigen woorden: 'iets in de zorg'.",
        "Sterk: de persoon wil heel graag ander werk en heeft veel werkervaring.",
        "Aandacht nodig bij: ruimte in het leven.",
        "Let op: de persoon heeft schulden.",
        "Over willen en kunnen weet de assistent nog te weinig.",
        "Tips die de persoon kreeg: hulp bij schulden, geldcheck doen en uitzoeken wat past.",
    ]


def test_the_coachs_profile_never_speaks_to_the_person():
    stored = {"profile": to_dict(PROFILE)}
    words = " ".join(summary.profile_lines(stored)["lines"]).lower().split()
    for second_person in ("je", "jij", "jou", "jouw", "jezelf", "mijn", "ik"):
        assert second_person not in words


def test_the_persons_own_profile_stays_as_it_is():
    stored = {"profile": to_dict(PROFILE), "answers": {}}
    own = summary.profile_lines(stored)["own_lines"]
    rendered = render_profile(PROFILE).splitlines()
    assert own == [line for line in rendered[1:-1] if line.strip()]
    assert "Skills (sterk): je hebt veel werkervaring." in own
    assert build([], profile=stored)["profile"] == summary.profile_lines(stored)


def test_no_profile_means_no_profile_lines():
    assert summary.profile_lines(None) is None
    assert summary.profile_lines({}) is None
    assert build([])["profile"] is None


# --------------------------------------------------------------------------- as text


def test_as_text_is_plain_text_for_the_person_to_take_along():
    events = [
        user("Hoe werkt de scholingsvoucher?", "funding_voucher"),
        user("ik zie het niet meer zitten", "crisis"),
        user("Ik heb schulden", "debt_help"),
    ]
    slots = {"gemeente_naam": "Enschede", "arbeidsmarktregio": "Twente"}
    stored = {"profile": to_dict(PROFILE)}
    text = summary.as_text(build(events, slots=slots, profile=stored, money=money_outcome()))
    lines = text.splitlines()
    assert lines[0] == "Samenvatting van mijn gesprek met Loopbrug"
    assert (
        "Mijn vragen gingen over: scholingsvoucher, zorgwekkend bericht (crisis), "
        "hulp bij schulden." in lines
    )
    assert "Ik woon in Enschede (regio Twente)." in lines
    assert "Mijn profiel uit de zelftest:" in lines
    assert "Mijn geldcheck:" in lines
    assert any(line.startswith("Uitkomst: ") for line in lines)
    assert "zorgwekkend bericht gestuurd" not in text  # the crisis note is for the coach only
    assert "113" not in text
    for markup in ("{", "}", "[", "]", "**", "#", "\t"):
        assert markup not in text
    assert "Ik heb schulden" not in text  # own messages stay with the coach


def test_as_text_speaks_in_the_first_person_about_acute_money_trouble():
    slots = {"handoff_contact": "telefoon", "handoff_time": "avond"}
    text = summary.as_text(build([user("help", "debt_help")], slots=slots, acute=True))
    assert text.splitlines() == [
        "Samenvatting van mijn gesprek met Loopbrug",
        "Mijn vragen gingen over: hulp bij schulden.",
        "Ik heb dringende geldzorgen of schulden.",
    ]  # the contact wish is for the coach; the person goes to the desk themselves


def test_as_text_of_an_almost_empty_summary():
    assert summary.as_text(build([])) == "Samenvatting van mijn gesprek met Loopbrug"
