"""Money check core: Dutch amount parsing, calculators and the traffic light.

Pure Python, no Rasa imports, nothing runs at import time beyond compiling regexes. The
Rasa actions and forms call these functions; this module never logs and never stores.

Privacy: amounts are sensitive. Dataclass fields that hold money have ``repr=False`` so an
accidental ``logger.debug(answers)`` does not leak them. Store :func:`amount_range` or the
derived results (:meth:`MoneyOutcome.storable`) instead of raw amounts.

Facts come from shared/knowledge/funding-facts.md: section 10 (transitievergoeding),
section 21 (kinderopvangtoeslag) and section 23 (Nibud buffer, Geldfit, schuldhulp).

Libraries: Babel (``babel.numbers.parse_decimal`` / ``format_decimal`` with locale nl_NL) reads
and writes Dutch numbers; text2num (``text_to_num.alpha2digit``, language "nl") reads number
words such as "drieduizend vijfhonderd". text2num is imported lazily, inside the parser.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

__all__ = [
    "BUFFER_ASSUMPTIONS",
    "TRANSITION_MAXIMA",
    "GapResult",
    "LegalMaximum",
    "MoneyAnswers",
    "MoneyOutcome",
    "ParsedAmount",
    "TransitionEstimate",
    "acute_debt_signal",
    "amount_range",
    "assess",
    "buffer_months",
    "format_euro",
    "format_months",
    "DebtSignal",
    "HOLIDAY_PAY_RATE",
    "debt_signal",
    "income_gap",
    "parse_amount",
    "parse_count",
    "parse_years",
    "transitievergoeding",
]

LOCALE = "nl_NL"

# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

# Re-ask texts (B1, "je", short). They always show an example and, for amounts, the way out.
AMOUNT_EMPTY = "Ik zie geen bedrag. Typ een bedrag in euro's, bijvoorbeeld 1800."
AMOUNT_UNREADABLE = (
    "Ik kan dat bedrag niet lezen. Typ een bedrag in euro's, bijvoorbeeld 1800. "
    "Weet je het niet? Typ dan: weet ik niet."
)
AMOUNT_NEGATIVE = (
    "Een bedrag onder nul kan hier niet. Typ een bedrag van 0 of meer, bijvoorbeeld 200."
)
AMOUNT_MULTIPLE = (
    "Ik zie meer dan één bedrag. Typ één bedrag. Twijfel je? Kies dan het bedrag in het midden."
)
AMOUNT_PERCENT = "Typ een bedrag in euro's, geen percentage. Bijvoorbeeld 1800."
COUNT_EMPTY = "Ik zie geen getal. Typ een getal, bijvoorbeeld 3."
COUNT_UNREADABLE = "Ik kan dat getal niet lezen. Typ een getal, bijvoorbeeld 3. Weet je het niet? Typ dan: weet ik niet."
COUNT_NEGATIVE = "Een getal onder nul kan hier niet. Typ een getal van 0 of meer."
COUNT_MULTIPLE = "Ik zie meer dan één getal. Typ één getal, bijvoorbeeld 3."
COUNT_WHOLE = "Typ een heel getal, bijvoorbeeld 3."


def _amount_too_high(maximum: float) -> str:
    return f"Dat bedrag lijkt te hoog. Klopt het? Typ een bedrag tot {format_euro(maximum)}."


def _count_too_high(maximum: float) -> str:
    return f"Dat getal is te hoog. Typ een getal van 0 tot en met {_plain_number(maximum)}."


@dataclass(frozen=True)
class ParsedAmount:
    """Result of :func:`parse_amount`, :func:`parse_count` or :func:`parse_years`.

    Exactly one of three cases holds:
    - ``value`` is set (a number >= 0; ``error`` is None, ``unknown`` is False);
    - ``unknown`` is True: the person said "weet ik niet" or wants to skip (caller skips);
    - ``error`` is a short B1 re-ask text for the person (caller asks again).
    """

    value: Optional[float] = field(default=None, repr=False)  # private: never in logs
    error: Optional[str] = None
    unknown: bool = False
    # The yearly amount the person typed ("48000 per jaar"); ``value`` is then per month.
    per_year: Optional[float] = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.value is not None


_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")

# "Weet ik niet" and "skip" phrases. "weet niet" means the same in chat Dutch, so it counts
# too: re-asking someone who just said they do not know helps nobody.
_UNKNOWN = re.compile(
    r"\b(?:weet\s+(?:ik\s+)?(?:het\s+)?(?:echt\s+|nog\s+|nog\s+steeds\s+|nog\s+altijd\s+)?niet"
    r"|weetniet|geen\s+(?:flauw\s+)?idee"
    r"|idk|onbekend|sla\s+(?:dit\s+|deze\s+|die\s+)?over|overslaan|skip"
    r"|(?:wil|zeg)\s+ik\s+(?:liever\s+)?niet(?:\s+zeggen)?|liever\s+niet|niet\s+zeggen)\b"
    r"|^\?+$"
)
_ZERO_WORDS = re.compile(r"\b(?:geen|niks|niets|nul|noppes|nada|niemand)\b")
# Vague quantities: no number we could use, so we ask again.
_VAGUE = re.compile(
    r"\b(?:paar|aantal|beetje|tijdje|hoop|veel|weinig|meerdere|sommige|genoeg|heleboel)\b"
)
# "een paar honderd", "een aantal duizend": a number word follows, but the amount is vague.
_VAGUE_AMOUNT = re.compile(r"\b(?:paar|aantal|enkele|tientallen|honderden|duizenden)\b")
_PER_YEAR = re.compile(r"\b(?:per\s+jaar|jaarlijks|p/j|pj|jaarsalaris|jaarloon|jaarinkomen)\b")
# "1 800" or "20 000": a space as thousands separator (common in typed and pasted amounts).
_SPACE_GROUPS = re.compile(r"(?<![\d.,])(\d{1,3})((?: \d{3})+)(?![\d.,])")
_CURRENCY = re.compile(r"€|\beur(?:o'?s?|os)?\b")
# "1.800,-" and "1800,--" mean whole euros.
_WHOLE_EUROS = re.compile(r"(\d)[.,]-+")
_MINUS_WORD = re.compile(r"\bmin(?:us)?\s+(?=\d)")
_MULTIPLIERS: Mapping[str, int] = MappingProxyType(
    {"k": 1_000, "duizend": 1_000, "mille": 1_000, "ton": 100_000, "miljoen": 1_000_000}
)
# "2,5k", "2.5k", "2 duizend", "1,5 ton". One separator here is always a decimal mark.
_DIGIT_MULTIPLIER = re.compile(r"(\d+(?:[.,]\d+)?)\s*(k|duizend|mille|ton|miljoen)\b")
# text2num leaves a small number word before "ton" alone ("twee ton"), so map those here.
_SMALL_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "een": "1",
        "één": "1",
        "eén": "1",
        "anderhalf": "1,5",
        "anderhalve": "1,5",
        "twee": "2",
        "drie": "3",
        "vier": "4",
        "vijf": "5",
    }
)
_WORD_TON = re.compile(r"\b(" + "|".join(_SMALL_WORDS) + r")\s+ton\b")
_ANDERHALF = re.compile(r"\banderhal(?:f|ve)\b")
# A numeral: digits with . and , inside. A minus counts only when it does not follow a
# letter or digit, so "1800-2000" is two numbers (a range), not 1800 and -2000.
_NUMERAL = re.compile(r"(?P<minus>(?<!\w)-\s*)?(?P<num>\d(?:[\d.,]*\d)?)")
_ENGLISH_GROUPING = re.compile(r"\d{1,3}(?:,\d{3})+")
_DECIMAL_POINT = re.compile(r"\d+\.\d{1,2}")


def _normalise(text: str) -> str:
    text = text.lower()
    text = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return _SPACES.sub(" ", text).strip()


def _words_to_digits(text: str, threshold: int) -> str:
    """Number words to digits with text2num ("drieduizend vijfhonderd" -> "3500").

    ``threshold``: single number words up to this value stay words. For amounts we keep
    "een" (also the article "a") as a word; for counts we convert it ("een kind" -> 1).
    """
    from text_to_num import alpha2digit  # lazy: nothing heavy at import time

    return alpha2digit(text, "nl", threshold=threshold)


def _dutch_decimal(value: Decimal) -> str:
    """A plain numeral the rest of the parser reads back: 2500 or 2500,5."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _expand_multipliers(text: str) -> str:
    def digits(match: re.Match) -> str:
        number = Decimal(match.group(1).replace(",", "."))
        return _dutch_decimal(number * _MULTIPLIERS[match.group(2)])

    def words(match: re.Match) -> str:
        return _SMALL_WORDS[match.group(1)] + " ton"

    text = _WORD_TON.sub(words, text)
    return _DIGIT_MULTIPLIER.sub(digits, text)


def _to_decimal(numeral: str) -> Optional[Decimal]:
    """Read one numeral the Dutch way, with two tolerant extras for phone keyboards."""
    if numeral.isdigit():
        return Decimal(numeral)
    if _ENGLISH_GROUPING.fullmatch(numeral):
        # "2,500" or "1,250,000": euro amounts have at most two decimals, so three digits
        # after a comma are a thousands group (English style), not decimals.
        return Decimal(numeral.replace(",", ""))
    try:
        return parse_decimal(numeral, locale=LOCALE, strict=True)
    except NumberFormatError:
        if _DECIMAL_POINT.fullmatch(numeral):
            # "2500.50" or "2.5": a dot with one or two digits after it is a decimal point.
            # Babel (nl_NL) rejects this in strict mode; non-strict it would read 250050.
            return Decimal(numeral)
        return None


@dataclass(frozen=True)
class _Texts:
    empty: str
    unreadable: str
    negative: str
    multiple: str


_AMOUNT_TEXTS = _Texts(AMOUNT_EMPTY, AMOUNT_UNREADABLE, AMOUNT_NEGATIVE, AMOUNT_MULTIPLE)
_COUNT_TEXTS = _Texts(COUNT_EMPTY, COUNT_UNREADABLE, COUNT_NEGATIVE, COUNT_MULTIPLE)


def _single_number(text: str, texts: _Texts) -> Tuple[Optional[Decimal], Optional[str]]:
    """Find exactly one numeral in prepared text. Returns (value, error); both None = none."""
    found = list(_NUMERAL.finditer(text))
    if not found:
        return None, None
    if len(found) > 1:
        return None, texts.multiple
    value = _to_decimal(found[0].group("num"))
    if value is None:
        return None, texts.unreadable
    if found[0].group("minus"):
        value = -value
    return value, None


def _no_number(text: str, texts: _Texts) -> ParsedAmount:
    """What to answer when the text holds no number at all."""
    if _UNKNOWN.search(text):
        return ParsedAmount(unknown=True)
    if _ZERO_WORDS.search(text) and not _VAGUE.search(text):
        return ParsedAmount(value=0.0)
    return ParsedAmount(error=texts.unreadable)


def parse_amount(text: str, *, maximum: float = 1_000_000, per_month: bool = False) -> ParsedAmount:
    """Read a money amount typed in Dutch.

    Accepts "2500", "2.500", "2500,50", "€ 2.500,50", "1.800,-", "2,5k", "2.5k", "2 duizend",
    "ongeveer 1800 euro", "1800 netto", "tweeduizend", "drieduizend vijfhonderd", and
    "nul" / "niks" / "geen" (= 0). "weet ik niet" or "sla over" gives ``unknown=True``.
    Negative amounts, amounts above ``maximum``, percentages, ranges ("1800-2000") and text
    without a number give an ``error`` with a short re-ask in B1 Dutch. Decimals are rounded
    to cents. With ``per_month=True`` a yearly amount ("per jaar", "jaarsalaris") is divided
    by 12; ``per_year`` then holds the yearly amount as typed, so the caller can say so.
    """
    if text is None or not str(text).strip():
        return ParsedAmount(error=AMOUNT_EMPTY)
    prepared = _normalise(str(text))
    if "%" in prepared or re.search(r"\bprocent\b", prepared):
        return ParsedAmount(error=AMOUNT_PERCENT)
    per_year = bool(_PER_YEAR.search(prepared))
    if _VAGUE_AMOUNT.search(prepared):
        return ParsedAmount(error=AMOUNT_UNREADABLE)
    prepared = _SPACE_GROUPS.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), prepared)
    prepared = _CURRENCY.sub(" ", prepared)
    prepared = _WHOLE_EUROS.sub(r"\1", prepared)
    prepared = _MINUS_WORD.sub("-", prepared)
    prepared = _ANDERHALF.sub("1,5", prepared)
    prepared = _expand_multipliers(prepared)
    prepared = _words_to_digits(prepared, threshold=2)
    prepared = _expand_multipliers(prepared)  # "twee ton" -> "2 ton" -> 200000

    value, error = _single_number(prepared, _AMOUNT_TEXTS)
    if error:
        return ParsedAmount(error=error)
    if value is None:
        return _no_number(prepared, _AMOUNT_TEXTS)
    if value < 0:
        return ParsedAmount(error=AMOUNT_NEGATIVE)
    if per_month and per_year:
        # "48000 per jaar", "jaarsalaris 48.000": the month is a twelfth of the year.
        yearly = float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        value = value / 12
        if value > Decimal(str(maximum)):
            return ParsedAmount(error=_amount_too_high(maximum))
        monthly = float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        return ParsedAmount(value=monthly, per_year=yearly)
    if value > Decimal(str(maximum)):
        return ParsedAmount(error=_amount_too_high(maximum))
    return ParsedAmount(value=float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)))


_ABOUT = re.compile(r"\b(?:een\s+stuk\s+of|ongeveer|ongeveer\s+een|zo'n|circa|ca\.?|rond\s+de)\s+")


def _prepare_count(text: str) -> str:
    prepared = _normalise(text)
    prepared = _ABOUT.sub(" ", prepared)
    prepared = _ANDERHALF.sub("1,5", prepared)
    return _words_to_digits(prepared, threshold=0)


def _finish_count(
    value: Optional[Decimal], error: Optional[str], prepared: str, maximum: float, whole: bool
) -> ParsedAmount:
    if error:
        return ParsedAmount(error=error)
    if value is None:
        return _no_number(prepared, _COUNT_TEXTS)
    if value < 0:
        return ParsedAmount(error=COUNT_NEGATIVE)
    if whole and value != value.to_integral_value():
        return ParsedAmount(error=COUNT_WHOLE)
    if value > Decimal(str(maximum)):
        return ParsedAmount(error=_count_too_high(maximum))
    return ParsedAmount(value=float(value))


def parse_count(text: str, maximum: float = 100) -> ParsedAmount:
    """Read a small whole number: people, months, whole years. Words work too.

    "3", "drie", "twaalf", "een" (= 1), "geen" / "nul" / "niemand" (= 0), "3 kinderen",
    "een stuk of vijf". Vague answers ("een paar"), fractions, negative numbers and numbers
    above ``maximum`` give an ``error`` re-ask; "weet ik niet" gives ``unknown=True``.
    """
    if text is None or not str(text).strip():
        return ParsedAmount(error=COUNT_EMPTY)
    prepared = _prepare_count(str(text))
    if _VAGUE.search(prepared):
        return ParsedAmount(error=COUNT_UNREADABLE)
    value, error = _single_number(prepared, _COUNT_TEXTS)
    return _finish_count(value, error, prepared, maximum, whole=True)


_YEARS_AND_MONTHS = re.compile(
    r"(?P<years>\d+(?:[.,]\d+)?)\s*jaar\s*(?:en\s*)?(?P<months>\d+)\s*maand(?:en)?\b"
)
_MONTHS_ONLY = re.compile(r"^(?:\D*\s)?(?P<months>\d+)\s*maand(?:en)?\b")
# "7 en een half" and "7 jaar en een half" (the word "jaar" may come between).
_AND_A_HALF = re.compile(r"(\d+)\s+(?:jaar\s+)?en\s+(?:1|een|één|n)\s+half\b")
_A_HALF = re.compile(r"(?:\b(?:1|een|één)\s+)?\bhalf\b")


def parse_years(text: str, maximum: float = 60) -> ParsedAmount:
    """Read years of service, where part of a year counts (the transitievergoeding is pro rata).

    "5", "vijf", "2,5", "anderhalf jaar", "twee en een half jaar", "een half jaar",
    "5 jaar en 3 maanden" (5.25), "8 maanden" (0.67). Other rules as :func:`parse_count`.
    """
    if text is None or not str(text).strip():
        return ParsedAmount(error=COUNT_EMPTY)
    prepared = _prepare_count(str(text))
    if _VAGUE.search(prepared):
        return ParsedAmount(error=COUNT_UNREADABLE)
    prepared = _AND_A_HALF.sub(r"\1,5", prepared)
    prepared = _A_HALF.sub("0,5", prepared)

    both = _YEARS_AND_MONTHS.search(prepared)
    months_only = None if "jaar" in prepared else _MONTHS_ONLY.search(prepared)
    if both:
        years = _to_decimal(both.group("years"))
        rest = prepared[: both.start()] + prepared[both.end() :]
        if years is None or _NUMERAL.search(rest):
            return ParsedAmount(error=COUNT_MULTIPLE if years is not None else COUNT_UNREADABLE)
        value: Optional[Decimal] = years + Decimal(both.group("months")) / 12
        error = None
    elif months_only:
        value, error = _single_number(prepared, _COUNT_TEXTS)
        if value is not None:
            value = value / 12
    else:
        value, error = _single_number(prepared, _COUNT_TEXTS)
    return _finish_count(value, error, prepared, maximum, whole=False)


# ---------------------------------------------------------------------------------------------
# Formatting and privacy ranges
# ---------------------------------------------------------------------------------------------


def _check_number(name: str, value: float) -> float:
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return float(value)


def _plain_number(value: float) -> str:
    """Dutch number without currency: 1.000 or 2,5."""
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    pattern = "#,##0" if number == number.to_integral_value() else "#,##0.##"
    return format_decimal(number, format=pattern, locale=LOCALE)


def format_euro(value: float) -> str:
    """Dutch euro text: "€ 2.500", "€ 2.500,50", "€ 0", "€ -200". Cents only when needed."""
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        raise ValueError("format_euro needs a finite number")
    cents = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    pattern = "#,##0" if cents == cents.to_integral_value() else "#,##0.00"
    text = format_decimal(abs(cents), format=pattern, locale=LOCALE)
    return f"€ -{text}" if cents < 0 else f"€ {text}"


def format_months(months: Optional[float]) -> str:
    """Buffer length in words: "minder dan 1 maand", "1 maand", "2,5 maanden"."""
    if months is None:
        return "onbeperkt"
    if months < 1:
        return "minder dan 1 maand"
    rounded = Decimal(str(months)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = format_decimal(rounded, format="#,##0.#", locale=LOCALE)
    return "1 maand" if rounded == 1 else f"{text} maanden"


DEFAULT_RANGE_BOUNDS: Tuple[int, ...] = (1_000, 2_000, 3_000, 4_000, 5_000)


def amount_range(value: float, bounds: Sequence[float] = DEFAULT_RANGE_BOUNDS) -> str:
    """The coarse range we may store instead of an amount (privacy).

    Ranges include their lower bound: 999 -> "< 1.000", 1000 -> "1.000-2.000",
    4999 -> "4.000-5.000", 5000 -> "5.000 of meer". Pass other ``bounds`` for savings.
    """
    value = _check_number("value", value)
    ordered = sorted(bounds)
    if not ordered:
        raise ValueError("bounds must not be empty")
    if value < ordered[0]:
        return f"< {_plain_number(ordered[0])}"
    for low, high in zip(ordered, ordered[1:]):
        if low <= value < high:
            return f"{_plain_number(low)}-{_plain_number(high)}"
    return f"{_plain_number(ordered[-1])} of meer"


# ---------------------------------------------------------------------------------------------
# Transitievergoeding (funding-facts section 10)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegalMaximum:
    """The legal maximum transitievergoeding for one year, with where we found it."""

    year: int
    amount: float
    source_url: str
    source_date: Optional[str]  # ISO date of the source page; None = no date on the page

    @property
    def source_site(self) -> str:
        return re.sub(r"^https?://(?:www\.)?([^/]+).*$", r"\1", self.source_url)


_OMNYACC_2025 = "https://omnyacc.nl/nieuws/maximale-transitievergoeding-stijgt-naar-98-000-in-2025"

# Only amounts that are in funding-facts section 10. 2023 is not there, so it is missing on
# purpose: a missing year falls back to the latest known earlier year, with a note.
TRANSITION_MAXIMA: Mapping[int, LegalMaximum] = MappingProxyType(
    {
        2021: LegalMaximum(
            2021,
            84_000.0,
            "https://www.uwv.nl/particulieren/ontslag/belangrijke-rechten-bij-ontslag/detail/"
            "transitievergoeding/hoe-hoog-is-de-transitievergoeding",
            None,
        ),
        2022: LegalMaximum(
            2022,
            86_000.0,
            "https://www.rendement.nl/transitievergoeding/nieuws/"
            "maximale-transitievergoeding-is-in-2022--86000.html",
            "2021-12-22",
        ),
        # The omnyacc article (23-12-2024) names both the 2024 and the 2025 maximum.
        2024: LegalMaximum(2024, 94_000.0, _OMNYACC_2025, "2024-12-23"),
        2025: LegalMaximum(2025, 98_000.0, _OMNYACC_2025, "2024-12-23"),
    }
)

# Since 1 January 2020 (WAB): from day one, one third of a monthly salary per year.
_RULES_SINCE = 2020


@dataclass(frozen=True)
class TransitionEstimate:
    """Estimated transitievergoeding (gross). All money fields are hidden from repr."""

    amount: float = field(repr=False)  # the estimate, after the cap
    uncapped_amount: float = field(repr=False)  # one third x monthly x years
    cap: float = field(repr=False)  # legal maximum, or 12 x monthly if that is higher
    legal_maximum: float
    maximum_year: int  # the year whose legal maximum we used
    maximum_known: bool  # False: no maximum known for the asked year, we used maximum_year
    capped: bool
    source_url: str
    source_date: Optional[str]
    assumptions: List[str] = field(repr=False)
    estimate: bool = True


def _maximum_for(year: int) -> LegalMaximum:
    if year in TRANSITION_MAXIMA:
        return TRANSITION_MAXIMA[year]
    earlier = [known for known in TRANSITION_MAXIMA if known <= year]
    # A later year (2026) or a gap (2023) uses the latest known earlier year; the earlier
    # maximum is the lower one, so the estimate errs on the low side. Before 2021 we use 2021.
    chosen = max(earlier) if earlier else min(TRANSITION_MAXIMA)
    return TRANSITION_MAXIMA[chosen]


# Holiday pay counts in the salary for the transitievergoeding (funding-facts 10: "Holiday
# pay, 13th month, overtime, shift and bonus pay count in the salary"; Besluit loonbegrip, as
# explained by hrpraktijk.nl, 30-10-2023). The fact sheet gives no rate; "in de regel is dit
# 8%" is from https://www.baaszadvocaten.nl/transitievergoeding-berekenen/ (n.d.). The person
# types the monthly salary without it, and we add it, as the question promises.
HOLIDAY_PAY_RATE = 0.08


def transitievergoeding(
    monthly_gross: float,
    years_of_service: float,
    year: int,
    holiday_pay_rate: float = HOLIDAY_PAY_RATE,
) -> TransitionEstimate:
    """Estimate the transitievergoeding: 1/3 gross monthly salary per year of service.

    ``monthly_gross`` is the salary without holiday pay; the holiday pay (``holiday_pay_rate``,
    8% by default) is added, because it counts in the salary (funding-facts 10). Part of a
    year counts pro rata. The result is capped at the legal maximum for ``year``, or at one
    gross annual salary if that is higher; the annual salary is 12 months of salary with
    holiday pay (the fact sheet's salary, a simplification said in the assumptions). Raises
    ValueError on negative or non-finite input: parse the person's answer first.
    """
    base = _check_number("monthly_gross", monthly_gross)
    years = _check_number("years_of_service", years_of_service)
    rate = _check_number("holiday_pay_rate", holiday_pay_rate)
    monthly = base * (1 + rate)
    maximum = _maximum_for(int(year))
    uncapped = monthly / 3 * years
    annual = 12 * monthly
    cap = max(maximum.amount, annual)
    amount = min(uncapped, cap)
    capped = uncapped > cap
    known = maximum.year == year

    # What the person reads under the amount: how it was computed with their numbers, then
    # only what may change it. The rule comes earlier (utter_transition_rule_short, and the knowledge base); sources
    # and dates stay here in the code (TRANSITION_MAXIMA), not in the chat.
    how = (
        f"Zo reken ik: je maandloon is {format_euro(round(monthly, 2))}. Een derde daarvan, "
        f"keer {_plain_number(years)} jaar."
    )
    if rate:
        how += f" In dat maandloon zit {_plain_number(rate * 100)}% vakantiegeld."
    assumptions = [how]
    if capped:
        limit = (
            f"het maximum van {maximum.year}: {format_euro(maximum.amount)}"
            if cap == maximum.amount
            else f"één jaarloon: {format_euro(round(cap, 2))}"
        )
        assumptions.append(f"Dat is meer dan mag. Daarom reken ik met {limit}.")
        if not known:
            assumptions.append(f"Het maximum voor {year} kennen wij nog niet.")
    if year < _RULES_SINCE:
        assumptions.append(
            "Voor ontslag vóór 2020 golden andere regels. Ik reken met de regels van nu."
        )
    assumptions.append(
        "Krijg je ook een dertiende maand, overwerk, toeslagen of bonus? Dan wordt het meer."
    )
    assumptions.append(
        "Je krijgt het alleen als je werkgever je contract stopt of niet verlengt. "
        "Er gaat nog belasting af. Reken het na op magontslag.nl."
    )

    return TransitionEstimate(
        amount=round(amount, 2),
        uncapped_amount=round(uncapped, 2),
        cap=round(cap, 2),
        legal_maximum=maximum.amount,
        maximum_year=maximum.year,
        maximum_known=known,
        capped=capped,
        source_url=maximum.source_url,
        source_date=maximum.source_date,
        assumptions=assumptions,
    )


def _dutch_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}-{month}-{year}"


# ---------------------------------------------------------------------------------------------
# Income gap and buffer
# ---------------------------------------------------------------------------------------------

GAP_ASSUMPTIONS: Tuple[str, ...] = (
    "Dit is een schatting per maand.",
    "We rekenen met je vaste lasten plus de extra kosten van de overstap.",
    "Boodschappen tellen alleen mee als je ze bij je vaste lasten rekende.",
    "Met minder inkomen krijg je soms meer toeslag. Dat rekenen we niet mee.",
)

# The 3-6 months rule is attributed to Nibud only by third-party sites (funding-facts 23),
# so we call it a rule of thumb and point to Nibud's own personal tool.
BUFFER_ASSUMPTIONS: Tuple[str, ...] = (
    "We delen je spaargeld door je tekort per maand.",
    "Een buffer van 3 tot 6 maanden is een vuistregel, geen officieel advies.",
    "De BufferBerekenaar van het Nibud geeft een persoonlijk advies.",
)


@dataclass(frozen=True)
class GapResult:
    """Monthly money during the switch. Money fields are hidden from repr."""

    monthly_gap: float = field(repr=False)  # costs minus income, 0 when income covers costs
    monthly_surplus: float = field(repr=False)  # income minus costs, 0 when there is a gap
    total_costs: float = field(repr=False)
    total_income: float = field(repr=False)
    income_change: float = field(repr=False)  # income during minus now; negative = less
    assumptions: List[str] = field(repr=False)
    estimate: bool = True

    @property
    def has_gap(self) -> bool:
        return self.monthly_gap > 0


def income_gap(
    current_net: float,
    income_during: float,
    fixed_costs: float,
    extra_costs: float = 0,
    *,
    other_income: float = 0,
) -> GapResult:
    """Monthly gap during the switch: (fixed + extra costs) - income, never below 0.

    ``other_income`` is other household income that helps pay these costs (a partner's
    salary); it lowers the gap but not ``income_change``, which compares the person's own
    income during the switch with their net income now.
    """
    now = _check_number("current_net", current_net)
    during = _check_number("income_during", income_during)
    costs = _check_number("fixed_costs", fixed_costs) + _check_number("extra_costs", extra_costs)
    income = during + _check_number("other_income", other_income)
    return GapResult(
        monthly_gap=round(max(0.0, costs - income), 2),
        monthly_surplus=round(max(0.0, income - costs), 2),
        total_costs=round(costs, 2),
        total_income=round(income, 2),
        income_change=round(during - now, 2),
        assumptions=list(GAP_ASSUMPTIONS),
    )


def buffer_months(
    savings: float, monthly_gap: float, transition_payment: float = 0
) -> Optional[float]:
    """How many months savings (plus a transitievergoeding) cover the monthly gap.

    None means it lasts indefinitely: there is no gap. 0.0 means no buffer at all.
    """
    money = _check_number("savings", savings) + _check_number(
        "transition_payment", transition_payment
    )
    gap = _check_number("monthly_gap", monthly_gap)
    if gap == 0:
        return None
    return money / gap


# ---------------------------------------------------------------------------------------------
# Acute debt signals
# ---------------------------------------------------------------------------------------------

_UTILITY = r"\b(?:gas|stroom|water|energie|elektra|elektriciteit|stadsverwarming)\w*"
_CUT_OFF = (
    r"(?:\baf\s*(?:te\s*)?slu?i?t\w*|\baf\s*ge\s*slo?te?n?\b|dicht\s*(?:ge)?draai\w*"
    r"|afgeknepen|eraf\s+(?:ge)?haal\w*)"
)
_HOUSING = r"(?:huur|hypotheek)"

# Acute signals: a threat the gemeente must act on within 3 days (eviction, cut-off of energy
# or water, cancelled health insurance; funding-facts 23), or a bailiff's step (deurwaarder,
# beslag, dwangbevel, sommatie). Small, readable list; typos are tolerated where people often
# make them.
_ACUTE_PATTERNS: Tuple[re.Pattern, ...] = tuple(
    re.compile(pattern)
    for pattern in (
        # deurwaarder, deurwarder, deurwaader, deur waarder, deurwaardersbrief
        r"\bdeur\s*-?\s*wa{1,2}r?d",
        # beslag, loonbeslag, beslaglegging, beslag gelegd
        r"\b(?:loon|bank|inboedel|derden|auto)?beslag(?!en\b)",
        r"\bdwangbevel",
        r"\bsommatie",
        # gas, stroom or water cut off or announced (both word orders, "sluiten ... af")
        _UTILITY + r"[^.!?]{0,40}?" + _CUT_OFF,
        _CUT_OFF + r"[^.!?]{0,40}?" + _UTILITY,
        r"\bsluit\w*\s+(?:\w+\s+){0,4}?" + _UTILITY + r"\s+af\b",
        # eviction: huisuitzetting, uitzetting, uit huis gezet, ontruiming, op straat
        r"huis\s*uit\s*zet",
        r"\buitzet+ing",
        r"\buit\s+(?:het\s+|mijn\s+|m'n\s+|ons\s+|onze\s+|de\s+)?(?:huis|woning)\s+(?:ge)?zet",
        r"\b(?:ik|we|wij)\s+(?:word|worden|werd|werden)\s+(?:\w+\s+)?uitgezet",
        r"\bontruim",
        r"\bop\s+straat\s+(?:ge)?(?:zet|komen|kom|komt|staan|sta)\b",
        r"\b(?:sta|staan|kom|komen)\s+(?:\w+\s+)?op\s+straat",
        r"zorgverzekering\w*[^.!?]{0,30}?(?:opgezegd|stopgezet|geschorst|beëindigd|beeindigd)",
    )
)
# Arrears: money is owed, but nothing is threatened yet. A point of attention, weighed by its
# size and kind (see debt_signal), not "dringend".
_ARREARS_PATTERNS: Tuple[re.Pattern, ...] = tuple(
    re.compile(pattern)
    for pattern in (
        # incasso (an incassobureau; "automatische incasso" is removed first, see below)
        r"\bin[ck]ass?o",
        # aanmaning, aanmaaning, aanmanig
        r"\baan\s*ma{1,2}n(?:ing|ig|in)",
        # arrears: rent, mortgage, energy, water, health insurance
        r"achter?\s*stand",
        r"achterstallig",
        r"\bachter\s+(?:met|op|in)\s+(?:de\s+|mijn\s+|m'n\s+|onze\s+)?" + _HOUSING,
        r"\b" + _HOUSING + r"\s+(?:\w+\s+){0,2}niet\s+(?:meer\s+)?(?:betalen|betaald|betaal)",
        r"\bniet\s+(?:meer\s+)?(?:de\s+|mijn\s+|m'n\s+)?" + _HOUSING + r"\s+(?:betalen|betaald)",
        r"\brekening\w*\s+(?:\w+\s+){0,3}(?:niet|nog\s+niet)\s+(?:betaald|betalen)",
        r"\bopen\s*staande\s+rekening",
    )
)
# Phrases that look like a signal but are not: idioms, everyday direct debit, and the name of
# the protected part of an income ("wat is de beslagvrije voet?" is a question, not a seizure).
_NOT_ACUTE = re.compile(
    r"automatische?\s+in[ck]ass?o\w*"
    r"|\bbeslagvrije\s+voet\b"
    r"|(?:neemt|nemen|nam|namen|tijd)\b[^.!?]{0,40}?\bin\s+beslag"
    r"|in\s+beslag\s+(?:neemt|nemen|nam|namen)"
)
_NEGATION_BEFORE = re.compile(r"\b(?:geen|nooit)\s+(?:een\s+)?$")
# What the arrear is for: the help differs (funding-facts 23 names energy, water, rent and
# health insurance among the threats the gemeente must act on quickly).
_ARREAR_KINDS: Tuple[Tuple[str, re.Pattern], ...] = (
    ("huur", re.compile(r"\bhuur|\bhypotheek|\bverhuurder|woningcorporatie")),
    ("energie", re.compile(_UTILITY + r"|\benergie|\beneco|\bvattenfall|\bessent")),
    ("zorgverzekering", re.compile(r"zorgverzeker|\bzorgpremie|\bverzekering")),
)
_MONTHS_BEHIND = re.compile(r"\b(\d+|twee|drie|vier|vijf|zes)\s+maand(?:en)?\b")
_MONTH_WORDS = MappingProxyType({"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6})
# An arrear below this, and under two months, is small: a point of attention. Our own rule of
# thumb (the fact sheet gives no threshold); an arrear of unknown size is never called small.
SMALL_ARREAR = 500.0


@dataclass(frozen=True)
class DebtSignal:
    """What a message says about debts: acute threat, arrears (kind, size) or nothing."""

    acute: bool = False
    arrears: bool = False
    kind: Optional[str] = None  # "huur", "energie", "zorgverzekering" or None (other/unknown)
    amount: Optional[float] = field(default=None, repr=False)
    months: Optional[int] = None

    @property
    def small(self) -> bool:
        """A known amount below SMALL_ARREAR and less than two months behind."""
        return (
            self.arrears
            and not self.acute
            and self.amount is not None
            and self.amount < SMALL_ARREAR
            and (self.months is None or self.months < 2)
        )


def _any_match(patterns: Iterable[re.Pattern], normal: str) -> bool:
    for pattern in patterns:
        for match in pattern.finditer(normal):
            if not _NEGATION_BEFORE.search(normal[max(0, match.start() - 15) : match.start()]):
                return True
    return False


def arrear_kind(text: str) -> Optional[str]:
    """What an arrear is for: "huur" (rent or mortgage), "energie" (also water), "zorgverzekering"."""
    normal = _normalise(str(text or ""))
    for kind, pattern in _ARREAR_KINDS:
        if pattern.search(normal):
            return kind
    return None


def debt_signal(text: str) -> DebtSignal:
    """Read a message about debts: an acute threat, arrears with their kind and size, or none.

    Acute: deurwaarder, beslag, dwangbevel, sommatie, cut-off of energy or water (done or
    announced), eviction, cancelled health insurance. Arrears: achterstand, aanmaning,
    incasso(bureau), rent or mortgage not paid. "200 euro achterstand bij de energie" is
    arrears of kind "energie" and amount 200, not acute.
    """
    if not text:
        return DebtSignal()
    normal = _NOT_ACUTE.sub(" ", _normalise(str(text)))
    acute = _any_match(_ACUTE_PATTERNS, normal)
    arrears = _any_match(_ARREARS_PATTERNS, normal)
    if not (acute or arrears):
        return DebtSignal()
    months = None
    found = _MONTHS_BEHIND.search(normal)
    if found:
        word = found.group(1)
        months = int(word) if word.isdigit() else _MONTH_WORDS[word]
    without_months = _MONTHS_BEHIND.sub(" ", normal)
    amount = parse_amount(without_months)
    return DebtSignal(
        acute=acute,
        arrears=arrears,
        kind=arrear_kind(normal),
        amount=amount.value if amount.ok else None,
        months=months,
    )


def acute_debt_signal(text: str) -> bool:
    """True when the text mentions an acute debt problem that needs help first.

    Deurwaarder, beslag, dwangbevel, sommatie, cut-off of gas / stroom / water (also when
    announced), eviction (huisuitzetting, uit huis gezet), cancelled health insurance. The
    gemeente must act within 3 days on such threats (funding-facts 23). Arrears alone (a
    huurachterstand, an aanmaning, an incassobureau) are not acute: see :func:`debt_signal`.
    "geen deurwaarder" and idioms such as "neemt veel tijd in beslag" do not count.
    """
    return debt_signal(text).acute


# ---------------------------------------------------------------------------------------------
# Traffic light
# ---------------------------------------------------------------------------------------------

GROEN, ORANJE, ROOD = "groen", "oranje", "rood"
_RANK = {GROEN: 0, ORANJE: 1, ROOD: 2}

BUFFER_RED_MONTHS = 3  # with debts, a buffer under 3 months is rood
BUFFER_SAFE_MONTHS = 6  # rule of thumb (UNVERIFIED as official Nibud advice)

NEXT_STEP_INTENTS = frozenset(
    {
        "debt_help",
        "request_human",
        "funding_overview",
        "funding_employer",
        "funding_benefits",
        "income_during_training",
        "orientation_start",
        "training_routes",
        "start_assessment",
    }
)


@dataclass(frozen=True)
class MoneyAnswers:
    """Answers of the money check, all per month and net unless said otherwise.

    None means skipped or "weet ik niet". Use 0 (or False) for a question that does not apply
    (no children: ``childcare_costs=0``); None makes the outcome more cautious.
    Money fields are hidden from repr so they never end up in a log line.
    """

    net_income: Optional[float] = field(default=None, repr=False)  # own net income now
    fixed_costs: Optional[float] = field(default=None, repr=False)  # household fixed costs
    savings: Optional[float] = field(default=None, repr=False)  # money you can use
    savings_months: Optional[float] = None  # alternative: buffer in months of fixed costs
    has_debts: Optional[bool] = None
    has_arrears: Optional[bool] = None  # betalingsachterstanden
    acute_debt: bool = False  # from acute_debt_signal(): deurwaarder, afsluiting, uitzetting
    arrears_small: bool = False  # DebtSignal.small: a known arrear under SMALL_ARREAR
    arrears_kind: Optional[str] = None  # DebtSignal.kind: "huur", "energie", "zorgverzekering"
    dependants: Optional[int] = None  # people who depend on this income
    household_income: Optional[float] = field(default=None, repr=False)  # others, for costs
    income_during: Optional[float] = field(default=None, repr=False)  # own income in switch
    transition_payment: Optional[float] = field(default=None, repr=False)  # gross, 0 if none
    travel_costs: Optional[float] = field(default=None, repr=False)  # extra, per month
    childcare_costs: Optional[float] = field(default=None, repr=False)  # extra, per month


@dataclass(frozen=True)
class MoneyOutcome:
    """Result of :func:`assess`.

    ``monthly_gap`` None = we could not compute it. ``buffer_months`` None = no gap (the
    buffer lasts) or the gap is unknown; check ``monthly_gap`` to tell them apart.
    """

    colour: str
    reasons: List[str] = field(repr=False)
    monthly_gap: Optional[float] = field(repr=False)
    buffer_months: Optional[float]
    next_steps: List[str]
    priority_debt_help: bool
    assumptions: List[str] = field(default_factory=list, repr=False)
    missing: List[str] = field(default_factory=list)  # MoneyAnswers field names left open
    estimate: bool = True

    def storable(self) -> dict:
        """What may be kept: the colour, a range for the gap and rounded derived results."""
        return {
            "colour": self.colour,
            "gap_range": None if self.monthly_gap is None else amount_range(self.monthly_gap),
            "buffer_months": None if self.buffer_months is None else round(self.buffer_months, 1),
            "priority_debt_help": self.priority_debt_help,
            "next_steps": list(self.next_steps),
        }


# Why a missing answer matters and how we treat it. Money in: unknown savings, other household
# income and transitievergoeding count as 0 (we only count money we know about). Unknown
# income during the switch is not 0: the gap is then not judged, and we say what it would be
# with no income at all (issue 16: bijstand kept, or a BBL wage, once gave "Rood"). Money out:
# unknown extras cannot be guessed, so they are left out, and the missing answer alone already
# keeps the outcome away from groen.
_MISSING_TEXT: Mapping[str, str] = MappingProxyType(
    {
        "net_income": "Je netto inkomen van nu weten we niet.",
        "fixed_costs": "Je vaste lasten weten we niet.",
        "savings": "Je spaargeld weten we niet. We rekenen daarom zonder buffer.",
        "has_debts": "We weten niet of je schulden hebt.",
        "has_arrears": "We weten niet of je betalingsachterstanden hebt.",
        "dependants": "We weten niet of er mensen van jouw inkomen afhangen.",
        "household_income": "Ander inkomen in huis weten we niet. We rekenen met € 0.",
        "income_during": "Je inkomen tijdens de overstap weten we niet.",
        "transition_payment": "We weten niet of je een transitievergoeding krijgt bij ontslag. We tellen die niet mee.",
        "travel_costs": "Je extra reiskosten weten we niet. Die tellen we niet mee.",
        "childcare_costs": "Je kosten voor kinderopvang weten we niet. Die tellen we niet mee.",
    }
)


# A small arrear is a point of attention with the help that fits its kind. Geldfit's free line
# 0800-8115 (funding-facts 23, nederlandseschuldhulproute.nl n.d.).
_SMALL_ARREAR_TEXT: Mapping[Optional[str], str] = MappingProxyType(
    {
        "energie": "Je hebt een kleine achterstand bij energie of water. Bel je leverancier en spreek af hoe je die betaalt.",
        "huur": "Je hebt een kleine achterstand met de huur. Bel je verhuurder en spreek af hoe je die betaalt.",
        "zorgverzekering": "Je hebt een kleine achterstand bij je zorgverzekering. Bel je verzekeraar en spreek af hoe je die betaalt.",
        None: "Je hebt een kleine betalingsachterstand. Spreek af met wie je het geld geeft hoe je die betaalt.",
    }
)
SMALL_ARREAR_NOTE = (
    "Dat is een aandachtspunt, geen nood. Hulp nodig? Bel gratis met Geldfit: 0800-8115."
)
GAP_UNKNOWN_INCOME = "Daarom kan ik niet zeggen of je tijdens de overstap geld tekort komt."


def _missing_fields(answers: MoneyAnswers) -> List[str]:
    missing = []
    for name in _MISSING_TEXT:
        if name == "savings":
            if answers.savings is None and answers.savings_months is None:
                missing.append(name)
        elif getattr(answers, name) is None:
            missing.append(name)
    return missing


def _raise(current: str, colour: str) -> str:
    """The more cautious of two colours. Colours only ever move towards rood."""
    return colour if _RANK[colour] > _RANK[current] else current


def _unique(items: Iterable[str]) -> List[str]:
    seen: List[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def assess(answers: MoneyAnswers) -> MoneyOutcome:
    """Traffic light for a job switch: groen, oranje or rood, with plain reasons.

    Rules, applied together; the most cautious colour wins:

    - rood when there is an acute debt signal (deurwaarder, afsluiting, uitzetting). Crisis
      about money goes first; ``priority_debt_help`` is True.
    - rood when there is a monthly gap and no buffer at all: the first month already goes wrong.
    - rood when there are debts or arrears and the buffer covers less than 3 months: a gap
      on top of debts quickly makes them worse.
    - oranje when there is a gap and the buffer covers less than 6 months.
    - oranje when there is a gap, someone depends on this income and there is no other
      household income: the risk falls on more people.
    - oranje when there are payment arrears, even without a gap: they show money is tight now.
    - oranje when the gap cannot be computed (costs and income both unknown).
    - oranje at least when any answer is missing: a missing answer never makes it greener.
    - groen otherwise: no gap, or a buffer of 6 months or more.

    3 and 6 months are a rule of thumb, not official Nibud advice (funding-facts 23).
    Missing money coming in (savings, income, other household income, transitievergoeding)
    counts as 0, so the outcome is never greener than with any real answer. Unknown debts,
    dependants and extra costs cannot be assumed: they are named and keep it from groen.
    Next steps: rood with debts -> debt_help and request_human (free help and a coach);
    rood without debts -> a person and ways to keep an income; oranje -> options that keep an
    income and funding; groen -> orientation and training. debt_help comes first whenever
    there are debts or arrears.
    """
    reasons: List[str] = []
    colour = GROEN
    missing = _missing_fields(answers)
    small_arrears = bool(answers.has_arrears) and answers.arrears_small
    debts = bool(answers.has_debts) or (bool(answers.has_arrears) and not small_arrears)
    debts_named = False

    if answers.acute_debt:
        colour = ROOD
        reasons.append("Je noemt een dringend geldprobleem, zoals een deurwaarder of afsluiting.")
        reasons.append(
            "Dat gaat nu voor. De gemeente moet bij zo'n dreiging binnen 3 dagen reageren."
        )

    # Costs: fixed costs plus the extra costs of the switch. Unknown fixed costs: we take the
    # whole net income as spending, the usual case; more cautious than guessing lower.
    costs: Optional[float] = answers.fixed_costs
    if costs is None and answers.net_income is not None:
        costs = answers.net_income
        reasons.append(
            "Je vaste lasten weten we niet. We rekenen met je hele netto inkomen als kosten."
        )
    extra = (answers.travel_costs or 0.0) + (answers.childcare_costs or 0.0)
    income_known = answers.income_during is not None
    income_during = answers.income_during or 0.0
    other_income = answers.household_income or 0.0
    transition = answers.transition_payment or 0.0

    gap_result: Optional[GapResult] = None
    months: Optional[float] = None
    gap: Optional[float] = None
    if costs is not None:
        gap_result = income_gap(
            answers.net_income or 0.0, income_during, costs, extra, other_income=other_income
        )
        gap = gap_result.monthly_gap
        if answers.savings is not None:
            savings = answers.savings
        elif answers.savings_months is not None:
            # "I can pay my fixed costs for N months": turn that back into money.
            savings = answers.savings_months * costs
        else:
            savings = 0.0  # unknown savings: no buffer we can count on
        months = buffer_months(savings, gap, transition)

    if gap is not None and not income_known:
        # Not judged: the gap below is only what it would be with no income at all.
        reasons.append(_MISSING_TEXT["income_during"])
        reasons.append(GAP_UNKNOWN_INCOME)
        if gap:
            reasons.append(
                f"Krijg je in die tijd geen inkomen? Dan kom je ongeveer {format_euro(round(gap))} per maand tekort."
            )
            if months:
                reasons.append(f"Je buffer is dan genoeg voor {format_months(months)}.")
            else:
                reasons.append("Je hebt geen buffer om dat op te vangen.")
        gap = months = None
        colour = _raise(colour, ORANJE)
    elif gap is None:
        colour = _raise(colour, ORANJE)
        reasons.append("We weten te weinig om je tekort per maand te berekenen.")
    elif gap == 0:
        reasons.append("Tijdens de overstap kun je je vaste lasten en extra kosten betalen.")
    else:
        reasons.append(
            f"Tijdens de overstap kom je ongeveer {format_euro(round(gap))} per maand tekort."
        )
        if not months:
            colour = _raise(colour, ROOD)
            reasons.append("Je hebt geen buffer om dat tekort op te vangen.")
        else:
            reasons.append(f"Je buffer is genoeg voor {format_months(months)}.")
            if debts and months < BUFFER_RED_MONTHS:
                colour = _raise(colour, ROOD)
                debts_named = True
                reasons.append(
                    "Je hebt schulden of achterstanden. Je buffer is korter dan 3 maanden."
                )
            elif months < BUFFER_SAFE_MONTHS:
                colour = _raise(colour, ORANJE)
                reasons.append("Je buffer is korter dan 6 maanden. Dat is krap.")
            else:
                reasons.append("Je buffer is genoeg voor 6 maanden of meer.")
        if answers.dependants and not other_income:
            colour = _raise(colour, ORANJE)
            reasons.append("Anderen hangen af van jouw inkomen. Er is geen ander inkomen in huis.")

    if small_arrears:
        reasons.append(_SMALL_ARREAR_TEXT.get(answers.arrears_kind, _SMALL_ARREAR_TEXT[None]))
        reasons.append(SMALL_ARREAR_NOTE)
    elif answers.has_arrears:
        colour = _raise(colour, ORANJE)
        reasons.append("Je hebt betalingsachterstanden. Dat laat zien dat het nu al krap is.")
    elif answers.has_debts and not debts_named:
        reasons.append("Je hebt schulden. Hulp daarbij geeft rust tijdens een overstap.")

    if missing:
        for name in missing:
            explained = (name == "fixed_costs" and costs is not None) or (
                name == "income_during" and _MISSING_TEXT[name] in reasons
            )
            if not explained:  # already explained above
                reasons.append(_MISSING_TEXT[name])
        colour = _raise(colour, ORANJE)
        reasons.append("Omdat we niet alles weten, is het advies voorzichtiger.")

    if colour == ROOD:
        if answers.acute_debt or debts:
            steps = ["debt_help", "request_human"]
        else:
            steps = ["request_human", "income_during_training", "funding_overview"]
    elif colour == ORANJE:
        steps = [
            "income_during_training",
            "funding_employer",
            "funding_benefits",
            "funding_overview",
        ]
    else:
        steps = ["orientation_start", "training_routes", "start_assessment"]
    if debts or small_arrears or answers.acute_debt:
        steps = ["debt_help", *steps]

    assumptions = ["Dit is een schatting. Het is geen financieel advies."]
    assumptions.extend(GAP_ASSUMPTIONS[1:])
    assumptions.extend(BUFFER_ASSUMPTIONS)
    if other_income:
        assumptions.append("We tellen ander inkomen in huis mee, zoals het loon van je partner.")
    if transition:
        assumptions.append(
            "We tellen je transitievergoeding bij ontslag mee als buffer. Er gaat nog belasting af."
        )

    return MoneyOutcome(
        colour=colour,
        reasons=reasons,
        monthly_gap=gap,
        buffer_months=months,
        next_steps=_unique(steps),
        priority_debt_help=answers.acute_debt,
        assumptions=assumptions,
        missing=missing,
    )
