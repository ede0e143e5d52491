"""Reading and writing Dutch amounts: the parser of what a person types, and money in words.

``parse_amount`` reads a money amount ("2.500", "2,5k", "drieduizend vijfhonderd"),
``parse_count`` a small whole number (people), ``parse_years`` years of service, where part of
a year counts. None of them ever guesses: a reply they cannot read gives the key of a short
re-ask (``data/texts/nl/money.yml``) with its values, which the form turns into text with
:meth:`ParsedAmount.error_text`. ``format_euro`` and ``format_months`` write amounts and
months the Dutch way; ``amount_range`` is the coarse range stored instead of an amount.

Privacy: amounts are sensitive. Fields that hold money have ``repr=False`` so an accidental
``logger.debug(parsed)`` does not leak them.

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
from typing import Mapping, Optional, Sequence, Tuple

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from loopbrug import texts

__all__ = [
    "DEFAULT_RANGE_BOUNDS",
    "ParsedAmount",
    "amount_range",
    "check_number",
    "format_euro",
    "format_months",
    "normalise",
    "parse_amount",
    "parse_count",
    "parse_years",
    "plain_number",
]

LOCALE = "nl_NL"

# Keys of the re-ask texts (data/texts/nl/money.yml). They always show an example and, for
# amounts, the way out.
AMOUNT_EMPTY = "money.amount_empty"
AMOUNT_UNREADABLE = "money.amount_unreadable"
AMOUNT_NEGATIVE = "money.amount_negative"
AMOUNT_MULTIPLE = "money.amount_multiple"
AMOUNT_PERCENT = "money.amount_percent"
AMOUNT_TOO_HIGH = "money.amount_too_high"
COUNT_EMPTY = "money.count_empty"
COUNT_UNREADABLE = "money.count_unreadable"
COUNT_NEGATIVE = "money.count_negative"
COUNT_MULTIPLE = "money.count_multiple"
COUNT_WHOLE = "money.count_whole"
COUNT_TOO_HIGH = "money.count_too_high"


def _amount_too_high(maximum: float) -> ParsedAmount:
    return ParsedAmount(error=AMOUNT_TOO_HIGH, error_values={"maximum": format_euro(maximum)})


def _count_too_high(maximum: float) -> ParsedAmount:
    return ParsedAmount(error=COUNT_TOO_HIGH, error_values={"maximum": plain_number(maximum)})


@dataclass(frozen=True)
class ParsedAmount:
    """Result of :func:`parse_amount`, :func:`parse_count` or :func:`parse_years`.

    Exactly one of three cases holds:
    - ``value`` is set (a number >= 0; ``error`` is None, ``unknown`` is False);
    - ``unknown`` is True: the person said "weet ik niet" or wants to skip (caller skips);
    - ``error`` is the key of a short B1 re-ask for the person (caller asks again), with
      ``error_values`` for its placeholders; :meth:`error_text` gives the sentence.
    """

    value: Optional[float] = field(default=None, repr=False)  # private: never in logs
    error: Optional[str] = None  # a text key: "money.amount_negative"
    error_values: Mapping[str, str] = field(default_factory=dict)
    unknown: bool = False
    # The yearly amount the person typed ("48000 per jaar"); ``value`` is then per month.
    per_year: Optional[float] = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when a number was read."""
        return self.value is not None

    def error_text(self, language: str = "nl") -> Optional[str]:
        """The re-ask the person reads, or None when there is nothing to ask again."""
        if self.error is None:
            return None
        return texts.text(self.error, language, **self.error_values)


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


def normalise(text: str) -> str:
    """Lower case, one kind of minus, dash and quote, single spaces."""
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
class _ErrorKeys:
    empty: str
    unreadable: str
    negative: str
    multiple: str


_AMOUNT_ERRORS = _ErrorKeys(AMOUNT_EMPTY, AMOUNT_UNREADABLE, AMOUNT_NEGATIVE, AMOUNT_MULTIPLE)
_COUNT_ERRORS = _ErrorKeys(COUNT_EMPTY, COUNT_UNREADABLE, COUNT_NEGATIVE, COUNT_MULTIPLE)


def _single_number(text: str, keys: _ErrorKeys) -> Tuple[Optional[Decimal], Optional[str]]:
    """Find exactly one numeral in prepared text. Returns (value, error); both None = none."""
    found = list(_NUMERAL.finditer(text))
    if not found:
        return None, None
    if len(found) > 1:
        return None, keys.multiple
    value = _to_decimal(found[0].group("num"))
    if value is None:
        return None, keys.unreadable
    if found[0].group("minus"):
        value = -value
    return value, None


def _no_number(text: str, keys: _ErrorKeys) -> ParsedAmount:
    """What to answer when the text holds no number at all."""
    if _UNKNOWN.search(text):
        return ParsedAmount(unknown=True)
    if _ZERO_WORDS.search(text) and not _VAGUE.search(text):
        return ParsedAmount(value=0.0)
    return ParsedAmount(error=keys.unreadable)


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
    prepared = normalise(str(text))
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

    value, error = _single_number(prepared, _AMOUNT_ERRORS)
    if error:
        return ParsedAmount(error=error)
    if value is None:
        return _no_number(prepared, _AMOUNT_ERRORS)
    if value < 0:
        return ParsedAmount(error=AMOUNT_NEGATIVE)
    if per_month and per_year:
        # "48000 per jaar", "jaarsalaris 48.000": the month is a twelfth of the year.
        yearly = float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        value = value / 12
        if value > Decimal(str(maximum)):
            return _amount_too_high(maximum)
        monthly = float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        return ParsedAmount(value=monthly, per_year=yearly)
    if value > Decimal(str(maximum)):
        return _amount_too_high(maximum)
    return ParsedAmount(value=float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)))


_ABOUT = re.compile(r"\b(?:een\s+stuk\s+of|ongeveer|ongeveer\s+een|zo'n|circa|ca\.?|rond\s+de)\s+")


def _prepare_count(text: str) -> str:
    prepared = normalise(text)
    prepared = _ABOUT.sub(" ", prepared)
    prepared = _ANDERHALF.sub("1,5", prepared)
    return _words_to_digits(prepared, threshold=0)


def _finish_count(
    value: Optional[Decimal], error: Optional[str], prepared: str, maximum: float, whole: bool
) -> ParsedAmount:
    if error:
        return ParsedAmount(error=error)
    if value is None:
        return _no_number(prepared, _COUNT_ERRORS)
    if value < 0:
        return ParsedAmount(error=COUNT_NEGATIVE)
    if whole and value != value.to_integral_value():
        return ParsedAmount(error=COUNT_WHOLE)
    if value > Decimal(str(maximum)):
        return _count_too_high(maximum)
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
    value, error = _single_number(prepared, _COUNT_ERRORS)
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
        value, error = _single_number(prepared, _COUNT_ERRORS)
        if value is not None:
            value = value / 12
    else:
        value, error = _single_number(prepared, _COUNT_ERRORS)
    return _finish_count(value, error, prepared, maximum, whole=False)


# ---------------------------------------------------------------------------------------------
# Formatting and privacy ranges
# ---------------------------------------------------------------------------------------------


def check_number(name: str, value: float) -> float:
    """``value`` as a float; ValueError when it is not a finite number of 0 or more."""
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return float(value)


def plain_number(value: float) -> str:
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
        return texts.text("money.months_unlimited")
    if months < 1:
        return texts.text("money.months_under_one")
    rounded = Decimal(str(months)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == 1:
        return texts.text("money.months_one")
    return texts.text(
        "money.months_many", months=format_decimal(rounded, format="#,##0.#", locale=LOCALE)
    )


DEFAULT_RANGE_BOUNDS: Tuple[int, ...] = (1_000, 2_000, 3_000, 4_000, 5_000)


def amount_range(value: float, bounds: Sequence[float] = DEFAULT_RANGE_BOUNDS) -> str:
    """The coarse range we may store instead of an amount (privacy).

    Ranges include their lower bound: 999 -> "< 1.000", 1000 -> "1.000-2.000",
    4999 -> "4.000-5.000", 5000 -> "5.000 of meer". Pass other ``bounds`` for savings.
    """
    value = check_number("value", value)
    ordered = sorted(bounds)
    if not ordered:
        raise ValueError("bounds must not be empty")
    if value < ordered[0]:
        return f"< {plain_number(ordered[0])}"
    for low, high in zip(ordered, ordered[1:]):
        if low <= value < high:
            return f"{plain_number(low)}-{plain_number(high)}"
    return texts.text("money.range_above", low=plain_number(ordered[-1]))
