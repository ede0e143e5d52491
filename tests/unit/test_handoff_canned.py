"""Canned replies (loopbrug/handoff/canned.py, data/handoff/canned_replies.yml): the data
file is checked, and a person never reads a raw placeholder."""

from __future__ import annotations

from pathlib import Path

import pytest

from loopbrug.handoff import canned
from loopbrug.handoff.routing import get_teams
from loopbrug.plain_language import load_jargon, problems
from loopbrug.texts import placeholders, text
from tests.conftest import ROOT

JARGON = load_jargon(ROOT / "data" / "plain_language.yml")
MAX_TITLE_CHARS = 30


def every_reply():
    replies = canned.load_canned()
    for number, reply in enumerate(replies.default):
        yield pytest.param(reply, id=f"default-{number}")
    for team, own in replies.teams.items():
        for number, reply in enumerate(own):
            yield pytest.param(reply, id=f"{team}-{number}")


def test_every_team_of_the_file_exists_and_there_is_a_shared_list():
    replies = canned.load_canned()
    assert replies.default, "every team needs the shared replies"
    assert set(replies.teams) <= set(get_teams().by_id), "a team id that teams.yml lacks"


@pytest.mark.parametrize("reply", list(every_reply()))
def test_every_placeholder_is_known(reply):
    assert canned.unknown_placeholders(reply.text) == []
    assert placeholders(reply.title) == frozenset()


@pytest.mark.parametrize("reply", list(every_reply()))
def test_every_reply_is_plain_dutch_filled_in_and_with_the_fallbacks(reply):
    known = canned.values("Anna", "Enschede", "Twente")
    unknown = canned.values(None, None, None)
    for filled in (canned.fill(reply.text, known), canned.fill(reply.text, unknown)):
        assert "{" not in filled and "}" not in filled
        assert problems(filled, JARGON) == []
    assert len(reply.title) <= MAX_TITLE_CHARS and problems(reply.title) == []


def test_a_ticket_with_a_known_place_gets_its_coach_region_gemeente_and_desk():
    replies = canned.replies_for("groningen", "Cees", "Groningen", "Groningen")
    texts = [r.text for r in replies]
    # The team's own reply comes first, then the shared ones.
    assert texts[0] == (
        "Ik ben Cees van Werkcentrum Groningen Noord-Drenthe. Wij helpen mensen in de regio "
        "Groningen met werk en met leren."
    )
    assert (
        "In Groningen kun je ook terecht bij Werkcentrum Groningen Noord-Drenthe. Daar helpen "
        "ze je gratis met werk en leren."
    ) in texts
    assert [r.title for r in replies[1:]] == [r.title for r in canned.get_canned().default]


def test_an_unknown_place_or_name_gives_a_plain_fallback_never_a_placeholder():
    replies = canned.replies_for("landelijk", None, None, None)
    shown = {r.title: r.text for r in replies}
    assert shown["Welkom"].startswith("Hoi, ik ben je coach van Loopbrug.")
    assert shown["Loket in je buurt"] == (
        "In jouw gemeente kun je ook terecht bij het leerwerkloket in jouw regio. Daar helpen "
        "ze je gratis met werk en leren."
    )
    assert all("{" not in r.text for r in replies)


def test_the_desk_is_the_regional_one_or_none():
    assert canned.loket("Enschede", None) == "Leerwerkloket Twente"  # found by the gemeente
    assert canned.loket(None, "Friesland") == "Leerwerkloket Fryslân"  # by the region
    assert canned.loket("Nergenshuizen", "Geen regio") is None
    assert canned.values(None, None, "Geen regio")["loket"] == text("inbox.canned_unknown_loket")


def test_a_team_without_replies_of_its_own_gets_the_shared_ones():
    replies = canned.get_canned()
    assert replies.for_team("twente") == list(replies.default)
    assert replies.for_team("geld")[0].title == "Hulp bij schulden"


def test_fill_leaves_no_unknown_name_behind():
    assert canned.fill("Hoi {voornaam_coach}, {iets}.", {"voornaam_coach": "Anna"}) == "Hoi Anna, ."


@pytest.mark.parametrize(
    "content",
    [
        "default: niet een lijst\n",
        "default:\n  - title: Zonder tekst\n",
        "default:\n  - title: Hoi\n    text: Hallo.\nteams: [geld]\n",
    ],
)
def test_a_file_of_the_wrong_shape_is_refused(tmp_path: Path, content: str):
    path = tmp_path / "canned.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError):
        canned.load_canned(path)
