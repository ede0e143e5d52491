"""Every response text is plain Dutch: short sentences, and jargon explained where used."""

from pathlib import Path

import pytest
import yaml

from loopbrug.plain_language import load_jargon, problems, sentences
from loopbrug.safety.hotline import hotline
from tests.conftest import ROOT

JARGON = load_jargon(ROOT / "data" / "plain_language.yml")


def response_texts():
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (domain.get("responses") or {}).items():
            for variant in variants:
                yield pytest.param(variant.get("text", ""), id=f"{Path(path).stem}:{name}")


@pytest.mark.parametrize("text", list(response_texts()))
def test_every_response_is_plain_dutch(text):
    assert problems(text, JARGON) == []


def test_long_sentences_are_reported():
    long = " ".join(["woord"] * 26) + "."
    assert any("26 words" in p for p in problems(long))


def test_mean_sentence_length_is_checked():
    text = " ".join(" ".join(["woord"] * 18) + "." for _ in range(3))
    assert any("mean sentence length" in p for p in problems(text))


def test_unexplained_jargon_is_reported_and_explained_jargon_passes():
    assert problems("Vraag het O&O-fonds.", JARGON) == ["'O&O-fonds' is used but not explained"]
    assert problems("Vraag het O&O-fonds. Dat is het opleidingsfonds van je sector.", JARGON) == []


def test_urls_and_list_numbers_do_not_count_as_sentences():
    assert sentences("1. Kijk op duo.nl/particulier voor meer.") == ["Kijk op website voor meer."]


# Plausible values for the placeholders of data/texts/ (any other name becomes "Anna").
SAMPLE_VALUES = {
    "team": "Leerwerkloket Twente",
    "days": "180",
    "hotline": hotline(),  # channel.unavailable_reply
    "what": "een foto",  # channel.telegram_non_text
    "text": "Zal ik je morgen bellen?",  # channel.telegram_coach_message
}


def is_message(text: str) -> bool:
    """A text that is said as sentences, not a name (a button, a topic's title, "de zelftest"
    filled into a message): it ends like a sentence."""
    return text.rstrip().endswith((".", "?", "!", ":"))


def texts_from_code():
    """Texts that actions and channels compose themselves (not in the domain)."""
    from actions import handoff
    from loopbrug.privacy import statement
    from loopbrug.settings import Settings
    from loopbrug.texts import catalogue, placeholders

    yield pytest.param("\n".join(statement.lines(Settings())), id="privacy:statement")
    for key, template in sorted(catalogue().items()):
        # Every message of data/texts/, its placeholders filled with a plausible value.
        if is_message(template):
            values = {name: SAMPLE_VALUES.get(name, "Anna") for name in placeholders(template)}
            yield pytest.param(template.format(**values), id=f"texts:{key}")
    # Added with the crisis detector and the hardening of issue 15.
    from datetime import datetime, timezone

    open_ = datetime(2026, 12, 9, 11, tzinfo=timezone.utc)  # a Wednesday at noon
    closed = datetime(2026, 12, 6, 11, tzinfo=timezone.utc)  # a Sunday
    yield pytest.param(handoff.crisis_hours_text(open_), id="handoff:crisis-ticket-open")
    yield pytest.param(handoff.crisis_hours_text(closed), id="handoff:crisis-ticket-closed")


@pytest.mark.parametrize("text", list(texts_from_code()))
def test_texts_from_actions_and_channels_are_plain_dutch(text):
    assert problems(text, JARGON) == []


def names_from_texts():
    """The names and parts of sentences of data/texts/ (buttons, titles, "de zelftest"): they
    hold no sentence to explain a term in, so only the length rule applies. The message they
    are shown with explains the term (the topic's answer, the form's question)."""
    from loopbrug.texts import catalogue

    for key, name in sorted(catalogue().items()):
        if not is_message(name):
            yield pytest.param(name, id=f"texts:{key}")


@pytest.mark.parametrize("name", list(names_from_texts()))
def test_names_are_short_sentences(name):
    assert problems(name) == []
