"""Mask personal numbers and addresses in what people type, before it goes into a ticket.

Found and masked: BSN (checked with the elfproef), IBAN (checked with its checksum), phone
numbers (libphonenumber, Dutch by default) and e-mail addresses. Validation comes from
maintained libraries (python-stdnum, phonenumbers), so an ordinary number ("ik verdien 2400")
is left alone. The person's chosen contact number is stored in its own field, never here.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum import iban
from stdnum.nl import bsn

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# IBAN as people type it: two letters, two digits, then groups, with or without spaces.
IBAN_LIKE = re.compile(r"\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,3})?\b")
# Eight or nine digits, maybe split by dots or spaces (old BSNs have eight).
BSN_LIKE = re.compile(r"(?<![\d-])\d{3,4}[ .]?\d{2}[ .]?\d{3}(?![\d-])")

MASKS = {"email": "[e-mail]", "iban": "[IBAN]", "bsn": "[BSN]", "phone": "[telefoonnummer]"}


def mask(text: str) -> str:
    """``text`` with every BSN, IBAN, phone number and e-mail address replaced by a label."""
    if not text:
        return text
    text = EMAIL.sub(MASKS["email"], text)
    text = IBAN_LIKE.sub(lambda m: MASKS["iban"] if iban.is_valid(m.group(0)) else m.group(0), text)
    text = BSN_LIKE.sub(lambda m: MASKS["bsn"] if bsn.is_valid(m.group(0)) else m.group(0), text)
    spans = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(text, "NL")
        if phonenumbers.is_valid_number(match.number)
    ]
    for start, end in reversed(spans):
        text = text[:start] + MASKS["phone"] + text[end:]
    return text
