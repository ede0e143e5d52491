"""Masking holds for every common way of writing a BSN, an IBAN, a phone number or an e-mail.

Valid numbers are generated (hypothesis), then written the way people write them: in groups,
with spaces, dots or dashes, in lower case, inside a sentence. None may survive ``mask``.
"""

from __future__ import annotations

import string

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban
from stdnum.nl import bsn

from loopbrug.privacy import masking

SEPARATORS = st.sampled_from(["", " ", ".", "-"])
BEFORE = st.sampled_from(
    ["", "mijn nummer is ", "bsn: ", "ok ", "graag naar ", "is 12 jaar oud, nummer ", "nl 2024 "]
)
AFTER = st.sampled_from(["", " graag", ", klopt dat?", ". bedankt", " en verder niks"])


def with_elfproef(first_eight: int):
    """The nine-digit BSN that starts with these eight digits, or None when there is none."""
    digits = [int(c) for c in f"{first_eight:08d}"]
    last = sum(d * w for d, w in zip(digits, range(9, 1, -1))) % 11
    number = f"{first_eight:08d}{last}"
    return number if last <= 9 and bsn.is_valid(number) else None


valid_bsn = st.integers(min_value=10_000_000, max_value=99_999_999).map(with_elfproef).filter(bool)


@st.composite
def valid_nl_iban(draw) -> str:
    """A Dutch IBAN with a correct checksum: NLkk BANK 0123456789."""
    bank = "".join(draw(st.lists(st.sampled_from(string.ascii_uppercase), min_size=4, max_size=4)))
    account = "".join(draw(st.lists(st.sampled_from(string.digits), min_size=10, max_size=10)))
    body = bank + account + "NL00"
    numeric = int("".join(str(int(c, 36)) for c in body))
    number = f"NL{98 - numeric % 97:02d}{bank}{account}"
    assert iban.is_valid(number)
    return number


def written(number: str, groups: list, separator: str) -> str:
    """``number`` split into groups of the given sizes, joined by ``separator``."""
    parts, start = [], 0
    for size in groups:
        parts.append(number[start : start + size])
        start += size
    parts.append(number[start:])
    return separator.join(p for p in parts if p)


@settings(max_examples=300, deadline=None)
@given(valid_bsn, st.sampled_from([[3, 3], [4, 2], [2, 3, 2], [9]]), SEPARATORS, BEFORE, AFTER)
def test_every_way_of_writing_a_bsn_is_masked(number, groups, separator, before, after):
    text = before + written(number, groups, separator) + after
    masked = masking.mask(text)
    assert number not in masked.replace(" ", "").replace(".", "").replace("-", "")
    assert masked == before + "[BSN]" + after


@settings(max_examples=300, deadline=None)
@given(valid_nl_iban(), SEPARATORS, st.booleans(), BEFORE, AFTER)
def test_every_way_of_writing_an_iban_is_masked(number, separator, lower, before, after):
    text = written(number, [4, 4, 4, 4], separator)
    text = before + (text.lower() if lower else text) + after
    assert masking.mask(text) == before + "[IBAN]" + after


def valid_mobile(digits: int) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(f"06{digits:08d}", "NL"))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=10_000_000, max_value=99_999_999).filter(valid_mobile),
    st.sampled_from(["06{}", "06-{}", "06 {}", "+316{}", "+31 6 {}", "0031 6 {}", "(06) {}"]),
    # Not right after another number: libphonenumber then reads both as one (a known limit).
    st.sampled_from(["", "bel me op ", "mijn nummer: ", "ok "]),
    AFTER,
)
def test_every_way_of_writing_a_mobile_number_is_masked(digits, shape, before, after):
    number = f"{digits:08d}"
    text = before + shape.format(f"{number[:4]} {number[4:]}") + after
    masked = masking.mask(text)
    assert number[:4] not in masked and "[telefoonnummer]" in masked


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9._-]{0,20}[a-z0-9]", fullmatch=True),
    st.sampled_from(["voorbeeld.nl", "mail.example.com", "uni-leiden.nl"]),
    st.booleans(),
    BEFORE,
    AFTER,
)
def test_every_e_mail_address_is_masked(local, domain, upper, before, after):
    address = f"{local}@{domain}"
    address = address.upper() if upper else address
    masked = masking.mask(before + address + after)
    assert "@" not in masked and "[e-mail]" in masked


@pytest.mark.parametrize(
    "text, masked",
    [
        # The formats that reached a coach unmasked (issue 15).
        ("123 456 782", "[BSN]"),
        ("123.456.782", "[BSN]"),
        ("123-456-782", "[BSN]"),
        ("NL91-ABNA-0417-1643-00", "[IBAN]"),
        ("nl91 abna 0417 1643 00", "[IBAN]"),
        ("mijn iban is nl91abna0417164300.", "mijn iban is [IBAN]."),
        # Two letters and two digits earlier in the sentence must not hide the IBAN after them.
        (
            "mijn bsn is 123.456.782 en mijn rekening nl66-abna-6999-9595-58",
            "mijn bsn is [BSN] en mijn rekening [IBAN]",
        ),
        ("06 123 456 78", "[telefoonnummer]"),
        ("bel 0031 6 12345678", "bel [telefoonnummer]"),
        ("020-1234567 of Piet.Jansen@Example.NL", "[telefoonnummer] of [e-mail]"),
        # A postcode with a house number is an address (issue 19).
        ("ik woon op 3511 AB 12", "ik woon op [adres]"),
        ("3511ab nr 12 in utrecht", "[adres] in utrecht"),
        ("3511 AB, huisnummer 12-2", "[adres]"),
        ("Dorpsstraat 12a, 3511 AB Utrecht", "Dorpsstraat [adres] Utrecht"),
        ("mijn adres 7511 JK 4, bel 0612345678", "mijn adres [adres], bel [telefoonnummer]"),
    ],
)
def test_formats_people_use(text, masked):
    assert masking.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "ik verdien 2400 per maand",
        "ik heb 12.345 euro schuld",
        "postcode 3511 AB",
        "3511AB",
        "tussen 1200 en 1500 per maand",
        "ik verdien 2400 of 2600",
        "in 2026 stop ik",
        "ik ben 45 en werk 20 jaar",
    ],
)
def test_ordinary_numbers_stay(text):
    assert masking.mask(text) == text
