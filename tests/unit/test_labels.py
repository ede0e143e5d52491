"""Names defined once (loopbrug/labels.py, data/texts/nl/labels.yml)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from loopbrug import labels
from loopbrug.knowledge.check import domain_intents
from loopbrug.texts import catalogue
from tests.conftest import ROOT


def test_importing_reads_no_texts():
    probe = (
        "import loopbrug.labels as labels, loopbrug.texts as texts\n"
        "assert texts.catalogue.cache_info().currsize == 0, 'texts read on import'\n"
        "assert labels.INTENT_LABELS.get('funding_stap') == 'STAP-budget'\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_intent_titles_are_read_by_intent():
    assert labels.intent_title("funding_overview") == "Opleiding betalen"
    assert labels.intent_title("greet") is None  # never offered: "Bedoel je: ja?"
    assert labels.INTENT_LABELS["find_loket"] == "Loket in mijn regio"
    assert "greet" not in labels.INTENT_LABELS
    assert set(labels.INTENT_LABELS.values()) == set(labels.intent_titles().values())


def test_the_summary_names_topics_that_are_never_offered():
    assert labels.topic_title("debt_help") == "Hulp bij schulden"
    assert labels.topic_title("calculate_gap") == "Inkomensverschil berekenen"
    assert labels.intent_title("calculate_gap") is None
    assert labels.topic_title("greet") is None


def test_every_title_names_an_intent_of_the_domain():
    intents = domain_intents()
    titled = set(labels.intent_titles()) | {
        key.split(".", 2)[2] for key in catalogue() if key.startswith("labels.topic.")
    }
    assert titled - intents == set()


@pytest.mark.parametrize(
    "channel, label, wish, way",
    [
        ("chat", "Chat", "in de chat", "hier in de chat"),
        ("telefoon", "Telefoon", "bellen", "per telefoon"),
        ("email", "E-mail", "mailen", "per e-mail"),
        ("fax", "fax", "fax", ""),  # unknown: the channel itself, or nothing in a sentence
    ],
)
def test_contact_channels_have_one_name_per_use(channel, label, wish, way):
    assert labels.contact_label(channel) == label
    assert labels.contact_wish(channel) == wish
    assert labels.contact_way(channel) == way


def test_urgencies_have_a_label_and_a_notice():
    assert [labels.urgency_label(u) for u in (1, 2, 3)] == ["Crisis", "Acute schulden", "Normaal"]
    assert labels.urgency_notice(1) == "CRISIS, met voorrang"
    assert labels.urgency_label(9) == "9"
