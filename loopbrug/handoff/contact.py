"""How the person wants to be contacted, read from what they type.

"bel me op 06 12345678" is a phone call with a number, "mail naar a@b.nl" an e-mail with an
address, "hier" the chat. Phone numbers are checked with libphonenumber (Dutch by default),
e-mail addresses with email-validator (syntax only: no mail server is ever contacted).
"""

from __future__ import annotations

import re
from typing import Optional

import phonenumbers
from email_validator import EmailNotValidError, validate_email

CONTACT_WORDS = {
    "chat": re.compile(r"\b(chat|hier|typen|app(en)?|whatsapp|telegram)\b"),
    "telefoon": re.compile(r"\b(bel\w*|telefo\w*|tel|nummer|mobiel)\b"),
    "email": re.compile(r"\b(e-?mail\w*|mail\w*)\b|@"),
}
TIME_WORDS = {
    "ochtend": re.compile(r"\b(ochtends?|morgens|voor de middag)\b"),
    "middag": re.compile(r"\b(middag|middags)\b"),
    "avond": re.compile(r"\b(avond|avonds)\b"),
    "maakt_niet_uit": re.compile(
        r"\b(maakt niet uit|maakt niks uit|altijd|wanneer|maakt me niet)\b"
    ),
}
SKIP = re.compile(r"\b(sla over|overslaan|weet (ik )?niet|liever niet|geen idee|nee)\b")


def phone_number(text: str) -> Optional[str]:
    """A valid phone number in the text (Dutch by default), formatted, or None."""
    for match in phonenumbers.PhoneNumberMatcher(text, "NL"):
        if phonenumbers.is_valid_number(match.number):
            return phonenumbers.format_number(
                match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
    return None


def email_address(text: str) -> Optional[str]:
    """A valid e-mail address in the text (syntax only; we never contact a mail server)."""
    for word in text.split():
        if "@" not in word:
            continue
        try:
            return validate_email(word.strip(".,;:()<>"), check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


def contact_choice(text: str) -> Optional[str]:
    """chat, telefoon or email when the text names exactly one way (or gives a number or
    address), else None."""
    if email_address(text):
        return "email"
    if phone_number(text):
        return "telefoon"
    low = text.lower()
    found = [channel for channel, pattern in CONTACT_WORDS.items() if pattern.search(low)]
    return found[0] if len(found) == 1 else None


def time_choice(text: str) -> Optional[str]:
    """ochtend, middag, avond or maakt_niet_uit, or None."""
    low = text.lower()
    for choice, pattern in TIME_WORDS.items():
        if pattern.search(low):
            return choice
    return None


# First words of a question ("wat doet een coach?"): a question is never an answer of yes.
QUESTION_WORDS = frozenset({"wat", "wie", "hoe", "waarom", "waar", "wanneer", "welke", "welk"})


def is_question(text: str) -> bool:
    """True when the person asks something rather than answers (a "?" or a question word
    first): at the consent question that is not a yes, whatever the classifier read."""
    words = text.lower().split()
    return "?" in text or (bool(words) and words[0].strip(",.!") in QUESTION_WORDS)


def is_skip(text: str) -> bool:
    """True when the person would rather not answer ("sla over", "weet ik niet")."""
    return bool(SKIP.search(text.lower()))
