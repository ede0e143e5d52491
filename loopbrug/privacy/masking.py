"""Mask personal numbers and addresses in what people type, before it goes into a ticket.

Found and masked: BSN (checked with the elfproef), IBAN (checked with its checksum), phone
numbers (libphonenumber, Dutch by default), e-mail addresses, and a postcode with a house
number (an address: "3511 AB 12", "12, 3511AB"). A postcode alone stays: it only names an
area, and the helpline asks for it to find the region. Validation comes from
maintained libraries (python-stdnum, phonenumbers), so an ordinary number ("ik verdien 2400")
is left alone. The person's chosen contact number is stored in its own field, never here.

People write the same number in many ways: "123456782", "123 456 782", "123.456.782",
"1234-56-782"; "NL91ABNA0417164300", "nl91 abna 0417 1643 00", "NL91-ABNA-0417-1643-00". The
candidates below allow a single space, dot or dash between any two characters; the library
then decides on the characters alone. Where a candidate runs on into the next word ("... 00 en
ik"), the longest prefix that validates is masked. A wrongly masked date (about one in eleven
8-digit dates passes the elfproef) costs a coach a detail; a missed BSN costs privacy.
"""

from __future__ import annotations

import re
from typing import Callable

import phonenumbers
from stdnum import iban
from stdnum.nl import bsn

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEP = r"[ .\-]?"
# IBAN: two letters, two check digits, then 11 to 30 letters or digits, each maybe after one
# separator. Case does not matter.
IBAN_LIKE = re.compile(rf"(?<![A-Za-z0-9])[A-Za-z]{{2}}{_SEP}\d{{2}}(?:{_SEP}[A-Za-z0-9]){{11,30}}")
# BSN: eight or nine digits (old BSNs have eight), maybe split by single separators.
BSN_LIKE = re.compile(rf"(?<![\d.\-])(?<!\d[.\-])\d(?:{_SEP}\d){{7,8}}(?!{_SEP}\d)")
_SEPARATORS = re.compile(r"[ .\-]")

# A Dutch postcode: four digits (not starting with 0) and two letters, maybe after a space.
# Lower-case letters after a space are often a word ("tussen 1200 en 1500"): those pairs, and
# the letter pairs no postcode uses (SA, SD, SS), are never read as a postcode.
_NOT_POSTCODE_LETTERS = (
    "sa|sd|ss|en|of|op|in|de|te|is|al|nu|ik|je|we|ze|om|zo|na|er|pm|am|km|kg|cm|mg|eu|uur"
)
_POSTCODE = rf"[1-9]\d{{3}}(?:\s?(?!(?i:{_NOT_POSTCODE_LETTERS})\b)[A-Za-z]{{2}})\b"
_HOUSE_NUMBER = r"\d{1,5}(?:\s?-?\s?[A-Za-z]\b|\s?-\s?\d{1,4}\b)?"
# "3511 AB 12", "3511ab nr 12", "3511 AB, huisnummer 12-2" and "12a, 3511 AB".
ADDRESS = re.compile(
    rf"(?<![\w-]){_POSTCODE}[ ,]*(?:(?i:huisnummer|nummer|nr\.?)\s*)?{_HOUSE_NUMBER}(?![\w-])"
    rf"|(?<![\w.,-]){_HOUSE_NUMBER}[ ,]+{_POSTCODE}(?![\w-])"
)

MASKS = {
    "email": "[e-mail]",
    "iban": "[IBAN]",
    "bsn": "[BSN]",
    "phone": "[telefoonnummer]",
    "address": "[adres]",
}


def _longest_valid(candidate: str, valid: Callable[[str], bool]) -> int:
    """Length of the longest prefix of ``candidate`` (ending on a character) that is valid."""
    for end in range(len(candidate), 0, -1):
        piece = candidate[:end]
        if piece[-1].isalnum() and valid(_SEPARATORS.sub("", piece).upper()):
            return end
    return 0


def _is_bsn(digits: str) -> bool:
    # python-stdnum pads short numbers with zeros; a BSN is written with 8 or 9 digits.
    return len(digits) in (8, 9) and bsn.is_valid(digits)


def _mask_with(pattern: re.Pattern, valid: Callable[[str], bool], label: str, text: str) -> str:
    """Mask every valid number ``pattern`` finds a start for.

    Candidates may overlap ("is 12 ... nl91-abna-...": two letters and two digits can start
    anywhere), so every start is tried, not only where the previous candidate ended.
    """
    out = []
    position = 0
    for start in (m.start() for m in re.finditer(f"(?=(?:{pattern.pattern}))", text)):
        if start < position:
            continue
        match = pattern.match(text, start)
        length = _longest_valid(match.group(0), valid) if match else 0
        if length:
            out.append(text[position:start] + label)
            position = start + length
    out.append(text[position:])
    return "".join(out)


def mask(text: str) -> str:
    """``text`` with every BSN, IBAN, phone number, e-mail address and address (postcode with
    house number) replaced by a label."""
    if not text:
        return text
    text = EMAIL.sub(MASKS["email"], text)
    # Addresses before phone numbers: "3511 AB 12" holds digits a phone matcher could take.
    text = ADDRESS.sub(MASKS["address"], text)
    text = _mask_with(IBAN_LIKE, iban.is_valid, MASKS["iban"], text)
    # Phone numbers before BSNs: a Dutch phone number has ten digits, and nine of them could
    # pass the elfproef.
    spans = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(text, "NL")
        if phonenumbers.is_valid_number(match.number)
    ]
    for start, end in reversed(spans):
        text = text[:start] + MASKS["phone"] + text[end:]
    return _mask_with(BSN_LIKE, _is_bsn, MASKS["bsn"], text)
