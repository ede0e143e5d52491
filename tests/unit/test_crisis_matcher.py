"""The crisis patterns: what they must catch and the near misses they must leave alone."""

from pathlib import Path

import pytest

from bot.safety import CrisisMatcher, normalise
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def matcher() -> CrisisMatcher:
    return CrisisMatcher.from_file(ROOT / "data" / "safety" / "crisis_patterns.yml")


@pytest.mark.parametrize(
    "text",
    [
        "ik zie het niet meer zitten",  # the classic Dutch phrasing
        "Ik wil er een eind aan maken",
        "ik wil dood",
        "ik wil niet meer leven sinds ik ontslagen ben",  # combined with job loss
        "zelfmoort",  # typo
        "ik denk aan ZELFMOORD",  # capitals
        "suïcidale gedachten",  # accent
        "iedereen is beter af zonder mij",  # indirect
        "ik heb de pillen al klaarliggen",  # a plan
        "ik wil gewoon niet meer wakker worden",
        "ik ga mezelf iets aandoen",
        "het leven heeft geen zin meer",
    ],
)
def test_crisis_wording_matches(matcher, text):
    assert matcher.matches(text)


@pytest.mark.parametrize(
    "text",
    [
        "ik zie het niet zitten om weer te gaan leren",  # dread of school, not a crisis
        "ik ben doodmoe na mijn dienst",
        "dit werk is dodelijk saai",
        "ik wil echt iets anders",
        "ik kan niet meer naar die opleiding van mijn baas",
        "hoe kom ik aan een scholingsvoucher",
    ],
)
def test_near_misses_do_not_match(matcher, text):
    assert not matcher.matches(text)


def test_normalise_strips_accents_case_and_spacing():
    assert normalise("  Suïcide   GEDACHTEN ") == "suicide gedachten"


def test_idioms_are_cut_out_before_matching(tmp_path: Path):
    rules = tmp_path / "p.yml"
    rules.write_text('crisis: ["dood"]\nexclude: ["doodmoe"]\n')
    matcher = CrisisMatcher.from_file(rules)
    assert matcher.matches("ik wil dood")
    assert not matcher.matches("ik ben doodmoe")
    assert matcher.matches("ik ben doodmoe en ik wil dood")  # the idiom does not hide the rest
    assert matcher.has_idiom("ik ben doodmoe") and not matcher.has_idiom("ik wil dood")
