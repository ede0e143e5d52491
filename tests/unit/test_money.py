"""Money core (loopbrug/money/): Dutch amount parsing, calculators, traffic light and privacy
helpers. The rasa-sdk adapters are tested in tests/unit/test_money_check_actions.py."""

from __future__ import annotations

import dataclasses
import re
from typing import Iterable, List

import pytest

from loopbrug import texts
from loopbrug.money import amounts as money
from loopbrug.money import check
from loopbrug.money.amounts import (
    amount_range,
    format_euro,
    format_months,
    parse_amount,
    parse_count,
    parse_years,
)
from loopbrug.money.calculators import buffer, gap, transition
from loopbrug.money.calculators.buffer import buffer_months
from loopbrug.money.calculators.gap import income_gap
from loopbrug.money.calculators.transition import transitievergoeding
from loopbrug.money.check import MoneyAnswers, assess
from loopbrug.money.debts import acute_debt_signal, debt_signal
from loopbrug.plain_language import load_jargon, problems
from tests.conftest import ROOT

# ---------------------------------------------------------------------------------------------
# parse_amount
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2500", 2500),  # plain digits
        ("2.500", 2500),  # Dutch thousands dot
        ("2500,50", 2500.5),  # Dutch decimal comma
        ("2.500,50", 2500.5),  # both
        ("€ 2.500,50", 2500.5),  # euro sign with space
        ("€2.500,50", 2500.5),  # euro sign glued on
        ("1.800,-", 1800),  # ",-" means whole euros
        ("1800,--", 1800),  # also with two dashes
        ("2,5k", 2500),  # k with decimal comma
        ("2.5k", 2500),  # k with decimal point
        ("2K", 2000),  # capital K
        ("2 duizend", 2000),  # digits + word multiplier
        ("1,5 duizend", 1500),  # decimal + word multiplier
        ("ongeveer 1800 euro", 1800),  # filler words around the number
        ("1800 netto", 1800),  # netto after the number
        ("1800 euro per maand", 1800),  # unit words
        ("ca. 1800", 1800),  # abbreviation with a dot before the number
        ("1800.", 1800),  # sentence full stop is not a decimal point
        ("2500.50", 2500.5),  # phone keyboard: dot as decimal point
        ("2,500", 2500),  # English thousands comma: euros have at most 2 decimals
        ("12,500", 12_500),  # English thousands comma, larger amount
        ("1,250,000", 1_250_000),  # English grouping, more groups
        ("2,50", 2.5),  # comma with two decimals stays decimal
        ("1 800", 1800),  # space as thousands separator
        ("€ 20 000", 20_000),  # space groups after a euro sign
        ("2500,505", 2500.51),  # rounded to cents
        ("tweeduizend", 2000),  # number word
        ("drieduizend vijfhonderd", 3500),  # two number words
        ("drieduizendvijfhonderd", 3500),  # written as one word
        ("achttienhonderd per maand", 1800),  # "eighteen hundred"
        ("honderd euro", 100),  # word + euro
        ("twee ton", 200_000),  # "ton" = 100.000
        ("anderhalve ton", 150_000),  # anderhalve = 1,5
        ("ik heb een auto en 2000 spaargeld", 2000),  # article "een" is not a number
        ("0", 0),  # zero digit
        ("nul", 0),  # zero word
        ("niks", 0),  # nothing
        ("niets", 0),  # nothing
        ("geen", 0),  # none
        ("geen spaargeld", 0),  # none, with noun
    ],
)
def test_parse_amount_reads_dutch_formats(text: str, expected: float) -> None:
    result = parse_amount(text, maximum=2_000_000)
    assert result.error is None
    assert not result.unknown
    assert result.value == pytest.approx(expected)
    assert result.ok


@pytest.mark.parametrize(
    "text",
    [
        "weet ik niet",  # the standard skip
        "weet ik nog steeds niet",  # golden conversation: after the income help
        "Weet ik niet",  # capitals
        "weet niet",  # short chat form means the same
        "ik weet het niet",  # full sentence
        "weet ik nog niet",  # not yet known
        "geen idee",  # "geen" must not become 0 here
        "sla over",  # skip
        "wil ik niet zeggen",  # refuses: also skip
        "?",  # just a question mark
    ],
)
def test_parse_amount_unknown_lets_caller_skip(text: str) -> None:
    result = parse_amount(text)
    assert result.unknown
    assert result.value is None
    assert result.error is None
    assert not result.ok


def test_number_wins_over_unknown_phrase() -> None:
    # Someone who doubts but still gives a number has given an answer.
    assert parse_amount("weet ik niet precies, ongeveer 1800").value == 1800


@pytest.mark.parametrize(
    ("text", "expected_error"),
    [
        ("", money.AMOUNT_EMPTY),  # empty
        ("   ", money.AMOUNT_EMPTY),  # only spaces
        ("veel", money.AMOUNT_UNREADABLE),  # vague word
        ("niet veel", money.AMOUNT_UNREADABLE),  # "niet" is not "niets"
        ("een beetje", money.AMOUNT_UNREADABLE),  # vague
        ("asdfgh", money.AMOUNT_UNREADABLE),  # nonsense
        ("12.34.56", money.AMOUNT_UNREADABLE),  # broken grouping
        ("-200", money.AMOUNT_NEGATIVE),  # negative
        ("- 200", money.AMOUNT_NEGATIVE),  # negative with space
        ("€ -200", money.AMOUNT_NEGATIVE),  # negative after euro sign
        ("min 200", money.AMOUNT_NEGATIVE),  # negative in words
        ("\u2212200", money.AMOUNT_NEGATIVE),  # unicode minus sign
        ("1800-2000", money.AMOUNT_MULTIPLE),  # a range is two amounts, not a negative
        ("tussen 1800 en 2000", money.AMOUNT_MULTIPLE),  # range in words
        ("1800 en 200 toeslag", money.AMOUNT_MULTIPLE),  # two amounts
        ("80%", money.AMOUNT_PERCENT),  # percentage, not euros
        ("70 procent", money.AMOUNT_PERCENT),  # percentage in words
        ("een paar honderd", money.AMOUNT_UNREADABLE),  # vague, even with a number word
        ("duizenden", money.AMOUNT_UNREADABLE),  # vague plural
    ],
)
def test_parse_amount_errors_reask(text: str, expected_error: str) -> None:
    result = parse_amount(text)
    assert result.value is None
    assert not result.unknown
    assert result.error == expected_error


@pytest.mark.parametrize(
    ("text", "maximum"),
    [
        ("2000000", 1_000_000),  # above the default maximum
        ("twee miljoen", 1_000_000),  # words above the default maximum
        ("25.000", 20_000),  # above a caller's own maximum (monthly income)
    ],
)
def test_parse_amount_absurd_value_reasks_with_limit(text: str, maximum: float) -> None:
    result = parse_amount(text, maximum=maximum)
    assert result.value is None
    assert result.error is not None
    assert format_euro(maximum) in result.error_text()


@pytest.mark.parametrize(
    "text",
    ["30.000 per jaar", "mijn jaarsalaris is 40.000", "jaarlijks 30000"],  # yearly amounts
)
def test_parse_amount_per_month_turns_yearly_amounts_into_monthly(text: str) -> None:
    # Issue 16: "48000 per jaar" was 48.000 a month. Now it is divided by 12, and the yearly
    # amount is kept so the person can be told what was done.
    parsed = parse_amount(text, per_month=True)
    assert parsed.value == round(parsed.per_year / 12, 2)
    assert parsed.per_year in (30_000, 40_000)
    assert parse_amount(text).value == parsed.per_year  # without the flag: read as given


def test_parse_amount_48000_per_year_is_4000_a_month() -> None:
    for text in ("48000 per jaar", "48.000 bruto per jaar", "jaarsalaris 48000", "48k per jaar"):
        parsed = parse_amount(text, per_month=True)
        assert (parsed.value, parsed.per_year) == (4000.0, 48_000.0), text


def test_parse_amount_maximum_is_inclusive() -> None:
    assert parse_amount("20.000", maximum=20_000).value == 20_000


def test_parsed_amount_repr_hides_the_value() -> None:
    # Privacy: an accidental log of the result must not contain the amount.
    assert "2345" not in repr(parse_amount("2345"))


# ---------------------------------------------------------------------------------------------
# parse_count and parse_years
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),  # digit
        ("drie", 3),  # word
        ("twaalf", 12),  # word above ten
        ("eenentwintig", 21),  # compound word
        ("een", 1),  # "een" as a number
        ("één", 1),  # with accents
        ("twee kinderen", 2),  # word + noun ("twee" stays a word in amount parsing)
        ("3 kinderen", 3),  # digit + noun
        ("een stuk of vijf", 5),  # "about five"
        ("ongeveer 10", 10),  # about
        ("geen", 0),  # none
        ("nul", 0),  # zero word
        ("niemand", 0),  # nobody (dependants)
        ("60", 60),  # maximum is inclusive
    ],
)
def test_parse_count_reads_whole_numbers(text: str, expected: int) -> None:
    result = parse_count(text, 60)
    assert result.error is None
    assert result.value == expected


@pytest.mark.parametrize(
    ("text", "expected_error"),
    [
        ("", money.COUNT_EMPTY),  # empty
        ("een paar", money.COUNT_UNREADABLE),  # vague: "een" must not become 1
        ("veel", money.COUNT_UNREADABLE),  # vague
        ("blabla", money.COUNT_UNREADABLE),  # nonsense
        ("2,5", money.COUNT_WHOLE),  # not a whole number
        ("-1", money.COUNT_NEGATIVE),  # negative
        ("3 of 4", money.COUNT_MULTIPLE),  # two numbers
    ],
)
def test_parse_count_errors(text: str, expected_error: str) -> None:
    result = parse_count(text, 60)
    assert result.value is None
    assert result.error == expected_error


def test_parse_count_too_high_names_the_limit() -> None:
    result = parse_count("200", 60)
    assert result.value is None
    assert "60" in (result.error_text() or "")


def test_parse_count_unknown() -> None:
    assert parse_count("weet ik niet", 10).unknown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5),  # whole years
        ("vijf jaar", 5),  # word + unit
        ("2,5", 2.5),  # decimal comma
        ("2.5 jaar", 2.5),  # decimal point
        ("anderhalf jaar", 1.5),  # anderhalf
        ("7 jaar en een half", 7.5),  # golden conversation: refused before
        ("zeven jaar en een half", 7.5),
        ("twee en een half jaar", 2.5),  # "and a half"
        ("een half jaar", 0.5),  # half a year
        ("5 jaar en 3 maanden", 5.25),  # years and months
        ("vijf jaar en drie maanden", 5.25),  # in words
        ("6 maanden", 0.5),  # months only
        ("geen", 0),  # zero
    ],
)
def test_parse_years_allows_parts_of_a_year(text: str, expected: float) -> None:
    result = parse_years(text)
    assert result.error is None
    assert result.value == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "70",  # above the default maximum of 60
        "-2",  # negative
        "een paar jaar",  # vague
        "5 jaar en 3 maanden en 2 weken",  # extra number we cannot place
    ],
)
def test_parse_years_errors(text: str) -> None:
    result = parse_years(text)
    assert result.value is None
    assert result.error


# ---------------------------------------------------------------------------------------------
# transitievergoeding
# ---------------------------------------------------------------------------------------------


def test_transition_zero_years_is_zero() -> None:
    estimate = transitievergoeding(3000, 0, 2025)
    assert estimate.amount == 0
    assert not estimate.capped
    assert estimate.estimate


@pytest.mark.parametrize(
    ("monthly", "years", "expected"),
    [
        (3000, 10, 10_800),  # 3000 + 8% holiday pay = 3240; a third = 1080 per year
        (3000, 2.5, 2_700),  # part of a year pro rata
        (3000, 0.25, 270),  # three months
        (2400, 1, 864),  # one year: 2592 / 3
    ],
)
def test_transition_one_third_per_year(monthly: float, years: float, expected: float) -> None:
    assert transitievergoeding(monthly, years, 2025).amount == pytest.approx(expected)


def test_transition_adds_the_holiday_pay_it_promises() -> None:
    # Issue 16: the question said "dat reken ik zelf" and then left the holiday pay out.
    with_pay = transitievergoeding(3000, 10, 2025)
    without = transitievergoeding(3000, 10, 2025, holiday_pay_rate=0)
    assert without.amount == pytest.approx(10_000)
    assert with_pay.amount == pytest.approx(10_000 * 1.08)
    assert with_pay.assumptions[0] == (
        "Zo reken ik: je maandloon is € 3.240. Een derde daarvan, keer 10 jaar. "
        "In dat maandloon zit 8% vakantiegeld."
    )


@pytest.mark.parametrize(
    ("year", "maximum"),
    [(2021, 84_000), (2022, 86_000), (2024, 94_000), (2025, 98_000)],
)
def test_transition_capped_by_legal_maximum_of_the_year(year: int, maximum: float) -> None:
    # 6000 a month for 60 years = 120.000; one annual salary (72.000) is lower than the maximum.
    estimate = transitievergoeding(6000, 60, year)
    assert estimate.capped
    assert estimate.maximum_known
    assert estimate.maximum_year == year
    assert estimate.legal_maximum == maximum
    assert estimate.amount == maximum
    assert estimate.source_url.startswith("https://")
    assert any(format_euro(maximum) in line for line in estimate.assumptions)


def test_transition_annual_salary_cap_when_higher() -> None:
    # 10.000 a month plus 8% holiday pay: one annual salary is 12 x 10.800 = 129.600, higher
    # than the 2025 maximum of 98.000. The holiday pay counts in that cap too (issue 16).
    estimate = transitievergoeding(10_000, 40, 2025)
    assert estimate.capped
    assert estimate.cap == 129_600
    assert estimate.amount == 129_600
    assert "Dat is meer dan mag. Daarom reken ik met één jaarloon: € 129.600." in (
        estimate.assumptions
    )


def test_transition_below_cap_is_not_capped() -> None:
    estimate = transitievergoeding(4000, 20, 2025)
    assert not estimate.capped
    assert estimate.amount == pytest.approx(4000 * 1.08 / 3 * 20)


@pytest.mark.parametrize(
    ("year", "used_year"),
    [
        (2026, 2025),  # future year: latest known
        (2030, 2025),  # far future
        (2023, 2022),  # gap year (not in funding-facts): latest known earlier year
        (2019, 2021),  # before the table: earliest known
    ],
)
def test_transition_unknown_year_uses_known_maximum_and_says_so(year: int, used_year: int) -> None:
    # 6000 a month for 60 years is above every maximum: the maximum used is named, and that
    # the asked year's is unknown. Below the maximum it does not matter and is not said.
    estimate = transitievergoeding(6000, 60, year)
    assert not estimate.maximum_known
    assert estimate.maximum_year == used_year
    assert f"Het maximum voor {year} kennen wij nog niet." in estimate.assumptions
    assert any(f"het maximum van {used_year}" in line for line in estimate.assumptions)
    below = transitievergoeding(3000, 5, year)
    assert not any("maximum" in line for line in below.assumptions)


def test_transition_before_2020_mentions_other_rules() -> None:
    assert any("vóór 2020" in line for line in transitievergoeding(3000, 5, 2019).assumptions)


def test_transition_assumptions_cover_salary_parts_estimate_and_where_to_check() -> None:
    # Short: how it was computed with the person's numbers, then only what may change it.
    assert transitievergoeding(3000, 5, 2025).assumptions == [
        "Zo reken ik: je maandloon is € 3.240. Een derde daarvan, keer 5 jaar. "
        "In dat maandloon zit 8% vakantiegeld.",
        "Krijg je ook een dertiende maand, overwerk, toeslagen of bonus? Dan wordt het meer.",
        "Je krijgt het alleen als je werkgever je contract stopt of niet verlengt. "
        "Er gaat nog belasting af. Reken het na op magontslag.nl.",
    ]
    # The source of the maximum stays with the fact, in the code.
    estimate = transitievergoeding(3000, 5, 2025)
    assert "omnyacc.nl" in estimate.source_url and estimate.source_date == "2024-12-23"


def test_transition_table_only_has_facts_years() -> None:
    # Amounts come only from funding-facts section 10; 2023 and 2026 are not there.
    assert {year: m.amount for year, m in transition.TRANSITION_MAXIMA.items()} == {
        2021: 84_000,
        2022: 86_000,
        2024: 94_000,
        2025: 98_000,
    }


@pytest.mark.parametrize(("monthly", "years"), [(-1, 5), (3000, -1), (float("nan"), 5)])
def test_transition_rejects_bad_input(monthly: float, years: float) -> None:
    with pytest.raises(ValueError):
        transitievergoeding(monthly, years, 2025)


# ---------------------------------------------------------------------------------------------
# income gap and buffer
# ---------------------------------------------------------------------------------------------


def test_income_gap_basic() -> None:
    result = income_gap(current_net=2500, income_during=1200, fixed_costs=1500, extra_costs=200)
    assert result.monthly_gap == 500  # 1500 + 200 - 1200
    assert result.monthly_surplus == 0
    assert result.income_change == -1300  # 1200 - 2500
    assert result.has_gap
    assert result.estimate
    assert result.assumptions


def test_income_gap_never_negative() -> None:
    result = income_gap(current_net=2500, income_during=2500, fixed_costs=1500)
    assert result.monthly_gap == 0
    assert result.monthly_surplus == 1000
    assert not result.has_gap


def test_income_gap_other_income_lowers_gap_not_own_change() -> None:
    result = income_gap(2500, 1000, 1500, other_income=300)
    assert result.monthly_gap == 200
    assert result.income_change == -1500


def test_income_gap_rejects_negative() -> None:
    with pytest.raises(ValueError):
        income_gap(2500, -1, 1500)


@pytest.mark.parametrize(
    ("savings", "gap", "transition", "expected"),
    [
        (6000, 500, 0, 12.0),  # plain
        (0, 500, 0, 0.0),  # zero savings: no buffer
        (0, 500, 3000, 6.0),  # transitievergoeding counts
        (1000, 0, 0, None),  # no gap: lasts indefinitely
        (0, 0, 0, None),  # no gap and no savings: still fine
    ],
)
def test_buffer_months(savings: float, gap: float, transition: float, expected) -> None:
    result = buffer_months(savings, gap, transition)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------
# traffic light
# ---------------------------------------------------------------------------------------------

# Everyone answered; income during the switch covers all costs: no gap.
FULL = MoneyAnswers(
    net_income=2500,
    fixed_costs=1500,
    savings=12_000,
    has_debts=False,
    has_arrears=False,
    dependants=0,
    household_income=0,
    income_during=2500,
    transition_payment=0,
    travel_costs=0,
    childcare_costs=0,
)


def answers(**changes) -> MoneyAnswers:
    return dataclasses.replace(FULL, **changes)


def test_groen_without_gap() -> None:
    outcome = assess(FULL)
    assert outcome.colour == "groen"
    assert outcome.monthly_gap == 0
    assert outcome.buffer_months is None
    assert outcome.next_steps == ["orientation_start", "training_routes", "start_assessment"]
    assert not outcome.priority_debt_help
    assert outcome.missing == []
    assert outcome.estimate


def test_groen_with_gap_and_six_months_buffer() -> None:
    outcome = assess(answers(income_during=1000, savings=3000))  # gap 500, exactly 6 months
    assert outcome.colour == "groen"
    assert outcome.monthly_gap == 500
    assert outcome.buffer_months == pytest.approx(6)


def test_oranje_when_buffer_under_six_months() -> None:
    outcome = assess(answers(income_during=1000, savings=2000))  # 4 months
    assert outcome.colour == "oranje"
    assert outcome.buffer_months == pytest.approx(4)
    assert outcome.next_steps == [
        "income_during_training",
        "funding_employer",
        "funding_benefits",
        "funding_overview",
    ]
    assert any("korter dan 6 maanden" in r for r in outcome.reasons)


def test_oranje_when_dependants_and_no_other_income() -> None:
    outcome = assess(answers(income_during=1000, dependants=2))  # 24 months buffer
    assert outcome.colour == "oranje"
    assert any("Anderen hangen af" in r for r in outcome.reasons)


def test_dependants_with_other_income_can_be_groen() -> None:
    outcome = assess(answers(income_during=1000, dependants=2, household_income=200))
    assert outcome.colour == "groen"
    assert outcome.monthly_gap == 300  # other income lowers the gap


def test_rood_when_gap_and_no_buffer() -> None:
    outcome = assess(answers(income_during=1000, savings=0))
    assert outcome.colour == "rood"
    assert outcome.buffer_months == 0
    assert outcome.next_steps[0] == "request_human"  # a person, and ways to keep an income
    assert "income_during_training" in outcome.next_steps
    assert "debt_help" not in outcome.next_steps


def test_rood_when_debts_and_buffer_under_three_months() -> None:
    outcome = assess(answers(income_during=1000, savings=1000, has_debts=True))  # 2 months
    assert outcome.colour == "rood"
    assert outcome.next_steps == ["debt_help", "request_human"]
    assert not outcome.priority_debt_help


def test_arrears_count_like_debts_for_rood() -> None:
    outcome = assess(answers(income_during=1000, savings=1000, has_arrears=True))
    assert outcome.colour == "rood"
    assert outcome.next_steps[0] == "debt_help"


def test_debts_with_three_to_six_months_is_oranje_with_debt_help_first() -> None:
    outcome = assess(answers(income_during=1000, savings=2000, has_debts=True))  # 4 months
    assert outcome.colour == "oranje"
    assert outcome.next_steps[0] == "debt_help"


def test_debts_without_gap_stay_groen_but_offer_debt_help() -> None:
    outcome = assess(answers(has_debts=True))
    assert outcome.colour == "groen"
    assert outcome.next_steps[0] == "debt_help"
    assert any("schulden" in r for r in outcome.reasons)


def test_arrears_without_gap_are_oranje() -> None:
    assert assess(answers(has_arrears=True)).colour == "oranje"


def test_acute_signal_is_rood_with_priority_even_when_money_is_fine() -> None:
    outcome = assess(answers(acute_debt=True))
    assert outcome.colour == "rood"
    assert outcome.priority_debt_help
    assert outcome.next_steps[:2] == ["debt_help", "request_human"]
    assert "3 dagen" in " ".join(outcome.reasons)


def test_extra_costs_count_in_the_gap() -> None:
    outcome = assess(answers(income_during=1500, travel_costs=200, childcare_costs=300))
    assert outcome.monthly_gap == 500


def test_transition_payment_counts_as_buffer() -> None:
    outcome = assess(answers(income_during=1000, savings=0, transition_payment=6000))
    assert outcome.colour == "groen"  # 12 months
    assert outcome.buffer_months == pytest.approx(12)
    assert any("belasting" in a for a in outcome.assumptions)


def test_buffer_in_months_of_fixed_costs() -> None:
    # "I can pay my fixed costs 4 months": 4 x 1500 = 6000, gap 500 -> 12 months.
    outcome = assess(answers(savings=None, savings_months=4, income_during=1000))
    assert outcome.buffer_months == pytest.approx(12)
    assert "savings" not in outcome.missing


ALL_FIELDS = [
    "net_income",
    "fixed_costs",
    "savings",
    "has_debts",
    "has_arrears",
    "dependants",
    "household_income",
    "income_during",
    "transition_payment",
    "travel_costs",
    "childcare_costs",
]


@pytest.mark.parametrize("name", ALL_FIELDS)
def test_any_missing_answer_is_never_groen_and_is_named(name: str) -> None:
    outcome = assess(answers(**{name: None}))
    assert outcome.colour in ("oranje", "rood")
    assert name in outcome.missing
    assert check.missing_text(name) in outcome.reasons or name == "fixed_costs"
    assert "Omdat we niet alles weten, is het advies voorzichtiger." in outcome.reasons


@pytest.mark.parametrize("name", ["savings", "household_income", "transition_payment"])
@pytest.mark.parametrize(
    "base",
    [
        {},  # no gap
        {"income_during": 1000},  # gap 500, big buffer
        {"income_during": 1000, "savings": 2000},  # 4 months
        {"income_during": 1000, "savings": 1000, "has_debts": True},  # rood
        {"income_during": 1000, "dependants": 1, "household_income": 100, "savings": 6000},
    ],
)
def test_missing_money_in_is_never_greener_than_any_answer(name: str, base: dict) -> None:
    # Unknown money coming in counts as 0, so the outcome is at least as cautious as with the
    # real answer, whatever it was.
    rank = {"groen": 0, "oranje": 1, "rood": 2}
    known = assess(answers(**base))
    unknown = assess(answers(**{**base, name: None}))
    assert rank[unknown.colour] >= rank[known.colour]


def test_missing_savings_with_gap_is_rood() -> None:
    outcome = assess(answers(income_during=1000, savings=None))
    assert outcome.colour == "rood"
    assert "Je spaargeld weten we niet. We rekenen daarom zonder buffer." in outcome.reasons


def test_missing_income_during_is_not_counted_as_zero() -> None:
    # Issue 16: a person on bijstand who keeps it got "Rood ... € 1.075 tekort". Unknown
    # income during the switch is not judged; the gap with no income is said as an "if".
    outcome = assess(
        answers(net_income=1075, fixed_costs=1075, savings=0, dependants=1, income_during=None)
    )
    assert outcome.colour == "oranje"
    assert outcome.monthly_gap is None and outcome.buffer_months is None
    assert outcome.reasons == [
        "Je inkomen tijdens de overstap weten we niet.",
        "Daarom kan ik niet zeggen of je tijdens de overstap geld tekort komt.",
        "Krijg je in die tijd geen inkomen? Dan kom je ongeveer € 1.075 per maand tekort.",
        "Je hebt geen buffer om dat op te vangen.",
        "Omdat we niet alles weten, is het advies voorzichtiger.",
    ]
    assert "income_during" in outcome.missing


def test_missing_income_during_with_a_buffer_says_how_long_it_would_last() -> None:
    outcome = assess(answers(income_during=None))  # 1500 costs, 12.000 savings
    assert outcome.colour == "oranje"
    assert "Je buffer is dan genoeg voor 8 maanden." in outcome.reasons
    assert not any("Rood" in reason for reason in outcome.reasons)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "energie",
            "Je hebt een kleine achterstand bij energie of water. Bel je leverancier en spreek af hoe je die betaalt.",
        ),
        (
            "huur",
            "Je hebt een kleine achterstand met de huur. Bel je verhuurder en spreek af hoe je die betaalt.",
        ),
        (
            None,
            "Je hebt een kleine betalingsachterstand. Spreek af met wie je het geld geeft hoe je die betaalt.",
        ),
    ],
)
def test_small_arrears_are_a_point_of_attention_not_urgent(kind, text) -> None:
    # Issue 16: a 200 euro energy arrear became "dringend ... deurwaarder".
    outcome = assess(answers(has_arrears=True, arrears_small=True, arrears_kind=kind))
    assert outcome.colour == "groen"
    assert not outcome.priority_debt_help
    assert outcome.reasons == [
        "Tijdens de overstap kun je je vaste lasten en extra kosten betalen.",
        text,
        "Dat is een aandachtspunt, geen nood. Hulp nodig? Bel gratis met Geldfit: 0800-8115.",
    ]
    assert outcome.next_steps[0] == "debt_help"


def test_large_arrears_still_count_like_debts() -> None:
    outcome = assess(answers(income_during=1000, savings=1000, has_arrears=True))
    assert outcome.colour == "rood"
    small = assess(answers(income_during=1000, savings=1000, has_arrears=True, arrears_small=True))
    assert small.colour == "oranje"  # 2 months buffer, but a small arrear is no debt


def test_missing_fixed_costs_uses_net_income() -> None:
    outcome = assess(answers(fixed_costs=None, income_during=2000))
    assert outcome.monthly_gap == 500  # 2500 net as costs - 2000
    assert any("hele netto inkomen" in r for r in outcome.reasons)


def test_missing_costs_and_income_gap_unknown() -> None:
    outcome = assess(answers(fixed_costs=None, net_income=None))
    assert outcome.monthly_gap is None
    assert outcome.buffer_months is None
    assert outcome.colour == "oranje"
    assert any("te weinig" in r for r in outcome.reasons)


def test_nothing_answered() -> None:
    outcome = assess(MoneyAnswers())
    assert outcome.colour == "oranje"
    assert set(outcome.missing) == set(ALL_FIELDS)
    assert outcome.next_steps[0] == "income_during_training"


def test_outcome_assumptions_say_rule_of_thumb_and_estimate() -> None:
    text = " ".join(assess(FULL).assumptions)
    assert "vuistregel" in text
    assert "schatting" in text
    assert "Nibud" in text


def test_next_steps_are_known_intents() -> None:
    cases = [
        FULL,
        answers(acute_debt=True),
        answers(income_during=1000, savings=0),
        answers(income_during=1000, savings=2000, has_debts=True),
        MoneyAnswers(),
    ]
    for case in cases:
        steps = assess(case).next_steps
        assert set(steps) <= check.NEXT_STEP_INTENTS
        assert len(steps) == len(set(steps))


def test_gap_amount_in_reason_is_rounded_euro() -> None:
    outcome = assess(answers(income_during=1000.4, savings=0))
    assert any("€ 500 per maand tekort" in r for r in outcome.reasons)


def test_storable_holds_ranges_and_derived_results_only() -> None:
    outcome = assess(answers(income_during=1234, savings=2345))
    stored = outcome.storable()
    assert stored["colour"] == "groen"  # gap 266, buffer 8.8 months
    assert stored["gap_range"] == "< 1.000"
    assert stored["buffer_months"] == pytest.approx(8.8)
    for raw in ("1234", "2345", "2500", "1500", "266"):
        assert raw not in str(stored)


def test_reprs_hide_amounts() -> None:
    # Privacy: logging an answers or outcome object must not write amounts to the log.
    case = answers(net_income=2345, fixed_costs=1789, savings=4567, income_during=1111)
    text = repr(case) + repr(assess(case)) + repr(income_gap(2345, 1111, 1789))
    text += repr(transitievergoeding(2345, 3, 2025))
    for raw in ("2345", "1789", "4567", "1111", "678", "2 345"):
        assert raw not in text


# ---------------------------------------------------------------------------------------------
# changing one answer afterwards
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("mijn vaste lasten zijn 900", "m_fixed_costs"),
        ("verander mijn inkomen", "m_net_income"),
        ("mijn inkomen tijdens de overstap is 1075", "m_income_during"),
        ("ik heb toch 3000 spaargeld", "m_savings"),
        ("mijn reiskosten zijn 120", "m_travel"),
        ("ik heb 2 kinderen", "m_dependants"),
    ],
)
def test_the_answer_to_change_is_found_in_the_words(text, slot):
    assert check.changed_slot(text, []) == slot


def test_texts_composed_for_the_change_are_plain():
    jargon = load_jargon(ROOT / "data" / "plain_language.yml")
    for what in check.CHANGE_NAMES.values():
        assert problems(f"Ik pas {what} aan en reken opnieuw.", jargon) == []


# ---------------------------------------------------------------------------------------------
# acute debt signals
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "De deurwaarder komt morgen",  # plain
        "deurwaader",  # typo: missing r
        "deurwarder",  # typo: single a
        "deur waarder",  # split word
        "er ligt beslag op mijn loon",  # beslag
        "loonbeslag",  # compound
        "ze sluiten mijn gas af",  # split verb
        "de stroom wordt afgesloten",  # passive
        "energiebedrijf dreigt af te sluiten",  # threat
        "afsluiting van het water",  # noun first
        "we worden uit huis gezet",  # eviction
        "huisuitzetting",  # noun
        "huisuitzeting",  # typo
        "ik sta op straat",  # homeless
        "ontruiming van mijn woning",  # eviction order
        "mijn zorgverzekering is opgezegd",  # cancelled health insurance (3-day rule)
        "de energie wordt volgende week afgesloten",  # cut-off announced
        "brief gekregen: afsluiting van gas aangekondigd",  # announced, noun first
        "DEURWAARDER!!",  # capitals and punctuation
    ],
)
def test_acute_debt_signal_positive(text: str) -> None:
    assert acute_debt_signal(text)


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty
        "Ik wil ander werk",  # unrelated
        "Mijn werk neemt veel tijd in beslag",  # idiom
        "wat is de beslagvrije voet",  # a question about the protected income
        "Ik wil mijn opleiding afsluiten",  # finish a course
        "De afsluiting van het project",  # end of a project
        "Mijn huur betaal ik via automatische incasso",  # ordinary direct debit
        "Ik heb geen deurwaarder",  # negated
        "geen schulden, geen aanmaningen",  # negated
        "Ik zet de wekker uit",  # uitzetten = switch off
        "de verwarming wordt uitgezet",  # switch off
        "ik drink veel water",  # utility word alone
        "de auto staat op straat",  # parked car
        "mijn bril is beslagen",  # fogged glasses
        "ik wil een huis kopen",  # house, no eviction
    ],
)
def test_acute_debt_signal_negative(text: str) -> None:
    assert not acute_debt_signal(text)


@pytest.mark.parametrize(
    ("text", "kind", "amount", "months", "small"),
    [
        ("200 euro achterstand bij de energie", "energie", 200, None, True),  # issue 16
        ("ik heb een energieachterstand van 150", "energie", 150, None, True),
        ("incassobureau belt steeds", None, None, None, False),  # size unknown: not small
        ("inkasso", None, None, None, False),  # typo
        ("aanmaning gekregen", None, None, None, False),
        ("aanmaaning", None, None, None, False),  # typo
        ("huurachterstand", "huur", None, None, False),
        ("achterstand met de huur van 3 maanden", "huur", None, 3, False),
        ("ik kan de huur deze maand niet betalen", "huur", None, None, False),
        ("betalingsachterstanden", None, None, None, False),
        ("1200 euro achterstand zorgverzekering", "zorgverzekering", 1200, None, False),
    ],
)
def test_arrears_are_weighed_by_kind_and_size_not_acute(text, kind, amount, months, small):
    signal = debt_signal(text)
    assert not signal.acute and not acute_debt_signal(text)
    assert (signal.arrears, signal.kind, signal.amount, signal.months) == (
        True,
        kind,
        amount,
        months,
    )
    assert signal.small is small


# ---------------------------------------------------------------------------------------------
# amount_range and format_euro
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "< 1.000"),  # lowest
        (999.99, "< 1.000"),  # just under the first bound
        (1000, "1.000-2.000"),  # lower bound is inclusive
        (1999.99, "1.000-2.000"),  # just under the next bound
        (2000, "2.000-3.000"),  # next band
        (4999, "4.000-5.000"),  # last closed band
        (5000, "5.000 of meer"),  # top band includes 5000
        (250_000, "5.000 of meer"),  # far above
    ],
)
def test_amount_range_boundaries(value: float, expected: str) -> None:
    assert amount_range(value) == expected


def test_amount_range_custom_bounds_for_savings() -> None:
    assert amount_range(15_000, bounds=(5_000, 10_000, 25_000)) == "10.000-25.000"
    assert amount_range(30_000, bounds=(5_000, 10_000, 25_000)) == "25.000 of meer"


def test_amount_range_rejects_negative() -> None:
    with pytest.raises(ValueError):
        amount_range(-1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2500, "€ 2.500"),  # no decimals when whole
        (2500.0, "€ 2.500"),  # float that is whole
        (2500.5, "€ 2.500,50"),  # cents when needed
        (0, "€ 0"),  # zero
        (999, "€ 999"),  # no separator below 1000
        (1_234_567.891, "€ 1.234.567,89"),  # rounded to cents
        (-200, "€ -200"),  # negative, Dutch style
        (98_000, "€ 98.000"),  # the 2025 maximum
    ],
)
def test_format_euro(value: float, expected: str) -> None:
    assert format_euro(value) == expected


def test_format_euro_rejects_nan() -> None:
    with pytest.raises(ValueError):
        format_euro(float("nan"))


@pytest.mark.parametrize(
    ("months", "expected"),
    [(None, "onbeperkt"), (0.4, "minder dan 1 maand"), (1, "1 maand"), (2.54, "2,5 maanden")],
)
def test_format_months(months, expected: str) -> None:
    assert format_months(months) == expected


# ---------------------------------------------------------------------------------------------
# plain language: every user-facing sentence is short and uses "je"
# ---------------------------------------------------------------------------------------------


def _user_texts() -> Iterable[str]:
    for key in (
        money.AMOUNT_EMPTY,
        money.AMOUNT_UNREADABLE,
        money.AMOUNT_NEGATIVE,
        money.AMOUNT_MULTIPLE,
        money.AMOUNT_PERCENT,
        money.COUNT_EMPTY,
        money.COUNT_UNREADABLE,
        money.COUNT_NEGATIVE,
        money.COUNT_MULTIPLE,
        money.COUNT_WHOLE,
    ):
        yield texts.text(key)
    yield parse_amount("9999999").error_text() or ""
    yield parse_count("99", 10).error_text() or ""
    yield from (check.missing_text(name) for name in check.MISSING_FIELDS)
    yield from (check.small_arrear_text(kind) for kind in (*check.SMALL_ARREAR_KINDS, None))
    yield texts.text("money.small_arrear_note")
    yield texts.text("money.gap_unknown_income")
    yield from gap.assumptions()
    yield from buffer.assumptions()
    for year, monthly, years in [(2025, 3000, 5), (2026, 10_000, 40), (2019, 3000, 2)]:
        yield from transitievergoeding(monthly, years, year).assumptions
    for case in [
        FULL,
        MoneyAnswers(),
        answers(acute_debt=True, has_debts=True, has_arrears=True),
        answers(income_during=1000, savings=0, dependants=2),
        answers(income_during=1000, savings=1000, has_debts=True, transition_payment=500),
        answers(income_during=1000, savings=2000, household_income=100, has_debts=True),
        answers(fixed_costs=None),
        answers(income_during=None),
        answers(income_during=None, savings=0),
    ]:
        outcome = assess(case)
        yield from outcome.reasons
        yield from outcome.assumptions


def _sentences(text: str) -> List[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def test_user_texts_are_short_sentences_with_je() -> None:
    jargon = load_jargon(ROOT / "data" / "plain_language.yml")
    for text in _user_texts():
        assert text, "empty user text"
        assert not re.search(r"\b(?:u|uw)\b", text), text  # "je", never "u"
        for sentence in _sentences(text):
            assert len(sentence.split()) <= 20, sentence  # brief: at most 20 words
        assert problems(text, jargon) == [], text  # the project's own B1 check
