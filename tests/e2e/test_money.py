"""The money check and calculators end to end."""

import sqlite3

import httpx
import pytest

from loopbrug.knowledge import reply as kb_reply
from loopbrug.knowledge.units import KnowledgeBase
from tests.e2e.conftest import API_TOKEN, Chat

pytestmark = pytest.mark.e2e


def run_check(chat: Chat, replies):
    messages = chat.say("/finance_check")
    assert "Vraag 1 van 10" in " ".join(m.get("text", "") for m in messages)
    for reply in replies:
        messages = chat.say(reply)
    return messages


def text(messages):
    return " ".join(m.get("text", "") for m in messages)


def payloads(messages):
    return [b["payload"] for m in messages for b in m.get("buttons", [])]


GREEN = ["3000", "1500", "0", "0", "12000", "nee", "net zoveel als nu", "0", "0", "0"]
RED_WITH_DEBTS = ["2000", "1800", "0", "2", "0", "ja, schulden", "0", "0", "100", "0"]
ORANGE = ["2500", "2000", "0", "0", "4000", "nee", "1200", "0", "0", "0"]


@pytest.mark.parametrize("start", ["ik wil de geldcheck doen", "/finance_check"])
def test_the_money_check_starts_with_its_intro_and_question_one_only(chat: Chat, start):
    """Issue 16: the start once came with nine "Ik zie geen bedrag" lines."""
    messages = chat.say(start)
    assert [m["text"] for m in messages] == [
        "Met de geldcheck kijken we of je een overstap kunt betalen. Er komen 10 korte vragen. "
        "Een schatting is genoeg. Je mag een vraag overslaan. Ik bewaar geen bedragen, "
        "alleen de uitkomst.",
        "Vraag 1 van 10. Hoeveel geld krijg je nu per maand netto binnen? Typ een bedrag of kies.",
    ]
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "Tot € 1.500",
        "€ 1.500 - 2.500",
        "€ 2.500 - 3.500",
        "Meer dan € 3.500",
        "Weet ik niet",
    ]


def test_green_continues_to_orientation(chat: Chat):
    outcome = run_check(chat, GREEN)
    assert "Groen" in text(outcome)
    assert "schatting" in text(outcome)


def test_red_with_debts_goes_to_free_help_and_a_coach(chat: Chat):
    outcome = run_check(chat, RED_WITH_DEBTS)
    assert "Rood" in text(outcome)
    assert "/debt_help" in payloads(outcome) and "/request_human" in payloads(outcome)


def test_orange_names_the_gap_and_the_buffer_months(chat: Chat):
    outcome = run_check(chat, ORANGE)
    assert "Oranje" in text(outcome)
    assert "€ 800 per maand tekort" in text(outcome)  # 2000 costs - 1200 income
    assert "5 maanden" in text(outcome)  # 4000 / 800


def test_dutch_amounts_are_read_and_nonsense_is_asked_again(chat: Chat, helpline):
    chat.say("/finance_check")
    assert "Vraag 2 van 10" in text(chat.say("€ 2.500,50"))
    again = chat.say("heel veel")
    assert "Vraag 2 van 10" in text(again) and "bedrag" in text(again).lower()
    assert "Vraag 2 van 10" in text(chat.say("-200"))
    assert "Vraag 3 van 10" in text(chat.say("tweeduizend"))
    assert "Vraag 4 van 10" in text(chat.say("2,5k"))
    slots = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()["slots"]
    # Nothing given earlier was lost by the re-asks.
    assert (slots["m_net_income"], slots["m_fixed_costs"], slots["m_household_income"]) == (
        2500.5,
        2000.0,
        2500.0,
    )


def test_amounts_are_cleared_and_only_the_outcome_is_stored(chat: Chat, helpline, e2e_dir):
    run_check(chat, ORANGE)
    slots = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()["slots"]
    assert slots["m_net_income"] is None and slots["money_colour"] == "oranje"
    with sqlite3.connect(e2e_dir / "loopbrug.db") as db:
        stored = [row[0] for row in db.execute("select outcome from loopbrug_money_checks")]
    assert stored and all("2500" not in row and "4000" not in row for row in stored)


def test_acute_debt_inside_the_check_gets_priority_help_at_once(chat: Chat):
    run_check(chat, ["2000", "1800", "0", "0", "0"])
    reply = chat.say("de deurwaarder komt volgende week")
    assert "0800-8115" in text(reply) and "3 dagen" in text(reply)
    assert "Vraag 7 van 10" in text(reply)  # and the check goes on


def test_acute_debt_outside_the_check_gets_priority_help(chat: Chat):
    reply = text(chat.say("ik heb schulden en morgen wordt mijn stroom afgesloten"))
    assert "3 dagen" in reply and "0800-8115" in reply


def test_crisis_during_the_check_wins(chat: Chat):
    chat.say("/finance_check")
    assert "113" in text(chat.say("ik wil er niet meer zijn"))


def test_transition_calculator(chat: Chat):
    chat.say("/calculate_transition")
    chat.say("3000")
    reply = text(chat.say("10"))
    assert "€ 10.800" in reply and "schatting" in reply  # 3000 + 8% holiday pay, a third x 10


def test_gap_and_buffer_calculators(chat: Chat):
    chat.say("/calculate_gap")
    chat.say("1200")
    assert "€ 500" in text(chat.say("1700"))
    chat.say("/calculate_buffer")
    chat.say("3000")
    assert "6 maanden" in text(chat.say("500"))


# -- issue 16: what a person reads, message by message ------------------------------------------


def said(messages):
    """Every message as (text, button titles): what the person sees."""
    return [(m.get("text", ""), [b["title"] for b in m.get("buttons", [])]) for m in messages]


def asked(chat: Chat, number: int):
    """Run the check up to question ``number`` with plain answers (net 1075, costs 1075,
    nobody else earns, 1 person, no savings, no debts)."""
    chat.say("/finance_check")
    for reply in ["1075", "1075", "0", "1", "0", "nee"][: number - 1]:
        chat.say(reply)


OUTCOME_END = "Dit is een schatting. Een coach kan het precies met je uitrekenen. Je kiest zelf of je je bedragen deelt."
ORANGE_STEPS = [
    "Leren met salaris",
    "Werkgever betaalt mee",
    "Leren met uitkering",
    "Opleiding betalen",
    "Een antwoord aanpassen",
]
GREEN_STEPS = [
    "Verder oriënteren",
    "Hoe werkt een opleiding?",
    "Zelftest doen",
    "Een antwoord aanpassen",
]
Q7 = (
    "Vraag 7 van 10. Hoeveel geld krijg je per maand tijdens de overstap? Bijvoorbeeld salaris "
    "van een leerwerkbaan of een uitkering."
)
Q7_BUTTONS = ["Niks", "Tot € 1.500", "€ 1.500 - 2.500", "Net zoveel als nu", "Weet ik niet"]
Q8 = (
    "Vraag 8 van 10. Krijg je een transitievergoeding? Dat is geld van je werkgever als je "
    "contract stopt. Hoeveel ongeveer?"
)
Q9 = "Vraag 9 van 10. Hoeveel extra reiskosten verwacht je per maand?"
Q9_BUTTONS = ["Geen", "Tot € 100", "€ 100 - 250", "Meer dan € 250", "Weet ik niet"]
Q10 = "Vraag 10 van 10. Hoeveel extra kosten voor kinderopvang verwacht je per maand?"
INCOME_HELP = (
    "Dat weten veel mensen nog niet. Dit hebben mensen vaak tijdens een overstap:\n"
    "- WW. Die houd je vaak, als UWV vooraf ja zegt tegen je opleiding.\n"
    "- Bijstand. Die mag je soms houden. Je gemeente beslist, dus vraag het vooraf.\n"
    "- Loon van een leerwerkbaan (BBL). Dan werk je en leer je tegelijk. Vraag de werkgever "
    "hoeveel je krijgt.\n"
    "Houd je je uitkering? Kies dan 'Net zoveel als nu'. Weet je het nog niet? Kies weer "
    "'Weet ik niet'."
)


def test_unknown_income_is_explained_not_counted_as_zero_and_one_answer_can_change(chat: Chat):
    """Issue 16: a single mother on bijstand got "Rood ... € 1.075 tekort" because unknown
    income during the switch counted as 0; typed "nee" was refused; and nothing could be
    changed without redoing all ten questions."""
    asked(chat, 7)
    # The form control's way-out line follows every re-ask (actions/form_validation.py).
    assert said(chat.say("weet ik niet")) == [(INCOME_HELP, []), (Q7, Q7_BUTTONS)]
    assert said(chat.say("weet ik niet")) == [(Q8, ["Nee", "Weet ik niet"])]
    assert said(chat.say("nee")) == [(Q9, Q9_BUTTONS)]  # a button's label, typed
    assert said(chat.say("geen"))[0][0] == Q10
    assert said(chat.say("Geen")) == [
        (
            "Uitkomst van je geldcheck: Oranje.\n"
            "Je inkomen tijdens de overstap weten we niet.\n"
            "Daarom kan ik niet zeggen of je tijdens de overstap geld tekort komt.\n"
            "Krijg je in die tijd geen inkomen? Dan kom je ongeveer € 1.075 per maand tekort.\n"
            "Je hebt geen buffer om dat op te vangen.\n"
            "Omdat we niet alles weten, is het advies voorzichtiger.\n" + OUTCOME_END,
            ORANGE_STEPS,
        )
    ]
    # She keeps her bijstand: one answer changes, the rest stays, the outcome is new.
    assert said(chat.say("mijn inkomen tijdens de overstap is 1075")) == [
        ("Ik pas je inkomen tijdens de overstap aan en reken opnieuw.", []),
        (
            "Uitkomst van je geldcheck: Groen.\n"
            "Tijdens de overstap kun je je vaste lasten en extra kosten betalen.\n" + OUTCOME_END,
            GREEN_STEPS,
        ),
    ]


def test_change_one_answer_with_the_button_asks_only_that_question(chat: Chat):
    asked(chat, 7)
    for reply in ["1075", "0", "0", "0"]:
        outcome = chat.say(reply)
    assert said(outcome)[0][0].startswith("Uitkomst van je geldcheck: Groen.")
    which = chat.say("/money_change")
    assert said(which) == [
        (
            "Welk antwoord wil je aanpassen? Kies hieronder. De andere antwoorden blijven staan.",
            [
                "Inkomen nu",
                "Vaste lasten",
                "Inkomen van anderen in huis",
                "Mensen die je inkomen nodig hebben",
                "Spaargeld",
                "Schulden",
                "Inkomen tijdens de overstap",
                "Transitievergoeding",
                "Reiskosten",
                "Kinderopvang",
            ],
        )
    ]
    question = chat.say('/money_change{"money_field": "m_fixed_costs"}')
    assert [text for text, _ in said(question)] == [
        "Vraag 2 van 10. Hoeveel betaal je per maand aan vaste lasten? Denk aan huur, energie "
        "en verzekeringen."
    ]
    assert said(chat.say("1275")) == [
        (
            "Uitkomst van je geldcheck: Rood.\n"
            "Tijdens de overstap kom je ongeveer € 200 per maand tekort.\n"
            "Je hebt geen buffer om dat tekort op te vangen.\n"
            "Anderen hangen af van jouw inkomen. Er is geen ander inkomen in huis.\n" + OUTCOME_END,
            [
                "Praten met een coach",
                "Leren met salaris",
                "Opleiding betalen",
                "Een antwoord aanpassen",
            ],
        )
    ]


def test_a_small_energy_arrear_is_a_point_of_attention_not_urgent(chat: Chat):
    """Issue 16: 200 euro energy arrears became "dringend ... uitzetting ... deurwaarder"."""
    asked(chat, 6)
    assert said(chat.say("ja, 200 euro achterstand bij de energie")) == [(Q7, Q7_BUTTONS)]
    for reply in ["net zoveel als nu", "0", "0", "0"]:
        outcome = chat.say(reply)
    assert said(outcome) == [
        (
            "Uitkomst van je geldcheck: Groen.\n"
            "Tijdens de overstap kun je je vaste lasten en extra kosten betalen.\n"
            "Je hebt een kleine achterstand bij energie of water. Bel je leverancier en spreek "
            "af hoe je die betaalt.\n"
            "Dat is een aandachtspunt, geen nood. Hulp nodig? Bel gratis met Geldfit: 0800-8115.\n"
            + OUTCOME_END,
            ["Hulp bij schulden"] + GREEN_STEPS,
        )
    ]


def test_arrears_button_asks_how_much_and_typed_labels_are_answers(chat: Chat):
    chat.say("/finance_check")
    assert said(chat.say("Tot € 1.500"))[0][0].startswith("Vraag 2 van 10.")  # typed label
    assert said(chat.say("€ 1.000 - 1.500"))[0][0].startswith("Vraag 3 van 10.")
    assert said(chat.say("Nee, niemand"))[0][0].startswith("Vraag 4 van 10.")
    assert said(chat.say("3 of meer"))[0][0].startswith("Vraag 5 van 10.")
    assert said(chat.say("Geen"))[0][0].startswith("Vraag 6 van 10.")
    assert said(chat.say("Ja, achterstanden")) == [
        (
            "Waarvoor heb je een achterstand, en hoeveel is het ongeveer? Bijvoorbeeld 200 euro "
            "voor energie.",
            ["Minder dan € 500", "€ 500 - 1.000", "Meer dan € 1.000", "Weet ik niet"],
        )
    ]
    assert said(chat.say("minder dan € 500")) == [(Q7, Q7_BUTTONS)]


# Calculators say their rule in one line, then ask (issue 17).
TRANSITION_RULE_SHORT = (
    "De regel: per jaar dat je er werkte, krijg je een derde van je bruto maandloon. "
    "Ik reken het met je uit."
)
SALARY_QUESTION = (
    "Wat is je bruto maandsalaris, zonder vakantiegeld? Het vakantiegeld tel ik er zelf bij. "
    "Heb je alleen je jaarsalaris? Typ dan bijvoorbeeld 48000 per jaar. Wil je niet rekenen? "
    "Typ dan 'nee'."
)
YEARS_QUESTION = "Hoeveel jaar werk je bij deze werkgever? Bijvoorbeeld 12 of 3,5."


def estimate_text(amount: str, monthly: str, years: str = "10") -> str:
    return (
        f"Je transitievergoeding is ongeveer {amount} bruto. Dit is een schatting.\n"
        f"Zo reken ik: je maandloon is {monthly}. Een derde daarvan, keer {years} jaar. "
        "In dat maandloon zit 8% vakantiegeld.\n"
        "Krijg je ook een dertiende maand, overwerk, toeslagen of bonus? Dan wordt het meer.\n"
        "Je krijgt het alleen als je werkgever je contract stopt of niet verlengt. "
        "Er gaat nog belasting af. Reken het na op magontslag.nl."
    )


def test_how_is_it_calculated_gets_the_rule_first_and_a_salary_is_never_a_postcode(
    chat: Chat, helpline
):
    """Issue 16: the question got the salary question, and the salary became a postcode.
    Issue 17: the rule is the knowledge base's answer, with the calculator one tap away."""
    from loopbrug.knowledge.retrieve import get_retriever

    kb = KnowledgeBase.load()
    question = "hoe wordt mijn transitievergoeding berekend?"
    unit = kb.by_id["funding_transition_payment/hoe_hoog"]
    # With the close second question the engine offers for these words, if any.
    found = get_retriever(kb).pick(question, intent=unit.intent)
    assert found.unit == unit
    answer = kb_reply.answer(kb, unit, alternative=found.alternative)
    assert said(chat.say(question)) == [(answer.text, [b["title"] for b in answer.buttons])]
    assert said(chat.say("/calculate_transition")) == [
        (TRANSITION_RULE_SHORT, []),
        (SALARY_QUESTION, []),
    ]
    assert said(chat.say("3000")) == [(YEARS_QUESTION, [])]
    assert said(chat.say("10")) == [
        (estimate_text("€ 10.800", "€ 3.240"), ["Geldcheck doen", "Praten met een coach"])
    ]
    slots = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()["slots"]
    assert slots["location_input"] is None  # "3000" was a salary, not a place


def test_a_yearly_salary_is_turned_into_a_monthly_one(chat: Chat, helpline):
    assert said(chat.say("/calculate_transition")) == [
        (TRANSITION_RULE_SHORT, []),
        (SALARY_QUESTION, []),
    ]
    assert said(chat.say("48000 per jaar")) == [
        ("Ik reken € 48.000 per jaar om naar € 4.000 per maand.", []),
        (YEARS_QUESTION, []),
    ]
    assert said(chat.say("10")) == [
        (estimate_text("€ 14.400", "€ 4.320"), ["Geldcheck doen", "Praten met een coach"])
    ]


def test_a_very_high_monthly_salary_is_checked_back(chat: Chat, helpline):
    chat.say("/calculate_transition")
    assert said(chat.say("48000")) == [
        (
            "Bedoel je € 48.000 per jaar? Dat is € 4.000 per maand.",
            ["Ja, per jaar", "Nee, per maand"],
        ),
    ]
    assert said(chat.say("ja")) == [(YEARS_QUESTION, [])]
    assert said(chat.say("10"))[0][0] == estimate_text("€ 14.400", "€ 4.320")
    slots = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{chat.sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).json()["slots"]
    assert slots["location_input"] is None


def test_after_the_rule_a_no_leaves_the_calculator(chat: Chat):
    """The rule is an answer with the calculator one tap away (issue 17); after "/reken" has
    started it, "nee hoeft niet" leaves it."""
    chat.say("hoe wordt mijn transitievergoeding berekend?")
    chat.say("/calculate_transition")
    assert said(chat.say("nee hoeft niet")) == [
        (
            "Prima, we stoppen met de berekening. Wil je later rekenen? Typ dan 'reken'. "
            "Waar kan ik je nog mee helpen?",
            [],
        )
    ]


def test_years_with_a_half_in_words(chat: Chat):
    chat.say("/calculate_transition")
    chat.say("2750 per maand")
    assert said(chat.say("7 jaar en een half"))[0][0] == estimate_text(
        "€ 7.425", "€ 2.970", years="7,5"
    )
