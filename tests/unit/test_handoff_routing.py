"""Which team gets a ticket (loopbrug/handoff/routing.py, data/handoff/teams.yml)."""

from __future__ import annotations

import textwrap

import pytest

from loopbrug.handoff.routing import ANY, TOPICS, get_teams, load_teams
from loopbrug.region import get_region_model

TEAMS = get_teams()


def write(tmp_path, text: str):
    path = tmp_path / "teams.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_team_file_loads_with_a_national_team_for_everything():
    assert TEAMS.national == "landelijk"
    national = TEAMS.by_id["landelijk"]
    assert national.regions == (ANY,) and national.topics == (ANY,)
    assert TEAMS.name("twente") == "Leerwerkloket Twente"
    assert TEAMS.name("geld") == "de geldcoaches van Loopbrug"
    assert TEAMS.name("no-such-team") == "no-such-team"
    assert len(TEAMS.by_id) >= 3


def test_every_region_in_the_team_file_is_a_real_arbeidsmarktregio():
    real = set(get_region_model().regions())
    assert len(real) == 35
    named = {r for team in TEAMS.by_id.values() for r in team.regions if r != ANY}
    assert named, "the file names regional teams"
    assert named <= real, f"not an arbeidsmarktregio: {sorted(named - real)}"


def test_every_topic_in_the_team_file_is_known():
    for team in TEAMS.by_id.values():
        assert team.topics, team.id
        assert set(team.topics) <= set(TOPICS) | {ANY}, team.id


@pytest.mark.parametrize("region", ["Twente", "Rijnmond", None, "Midden-Utrecht"])
def test_crisis_always_goes_to_the_national_team(region):
    assert TEAMS.route(region, "crisis") == "landelijk"


@pytest.mark.parametrize(
    "region, topic, team",
    [
        ("Twente", "scholing", "twente"),
        ("Twente", "werk", "twente"),
        ("Twente", "algemeen", "twente"),
        ("Groot Amsterdam", "werk", "groot-amsterdam"),
        ("Zuid-Limburg", "scholing", "zuid-limburg"),
    ],
)
def test_a_regional_team_gets_its_region_and_topics(region, topic, team):
    assert TEAMS.route(region, topic) == team


@pytest.mark.parametrize("region", ["Twente", "Rijnmond", "Midden-Utrecht", None])
def test_money_goes_to_the_geldcoaches_even_where_a_regional_team_exists(region):
    assert TEAMS.route(region, "geld") == "geld"


@pytest.mark.parametrize(
    "region, topic",
    [
        ("Midden-Utrecht", "scholing"),  # a real region without a team of its own
        ("Atlantis", "werk"),
        (None, "scholing"),
        (None, "algemeen"),
    ],
)
def test_no_regional_team_means_the_national_team(region, topic):
    assert TEAMS.route(region, topic) == "landelijk"


def test_rules_apply_in_order_in_a_custom_file(tmp_path):
    teams = load_teams(
        write(
            tmp_path,
            """
            national_team: nl
            teams:
              - id: nl
                name: Landelijk
                regions: ["*"]
                topics: ["*"]
              - id: noord-geld
                name: Geld Noord
                regions: [Groningen]
                topics: [geld]
              - id: geld
                name: Geld
                regions: ["*"]
                topics: [geld]
            """,
        )
    )
    assert teams.route("Groningen", "geld") == "noord-geld"  # region + topic beats national topic
    assert teams.route("Twente", "geld") == "geld"
    assert teams.route("Groningen", "werk") == "nl"
    assert teams.route("Groningen", "crisis") == "nl"


def test_crisis_goes_national_even_when_a_regional_team_takes_every_topic(tmp_path):
    teams = load_teams(
        write(
            tmp_path,
            """
            national_team: nl
            teams:
              - {id: twente, name: Twente, regions: [Twente], topics: ["*"]}
              - {id: nl, name: Landelijk, regions: ["*"], topics: ["*"]}
            """,
        )
    )
    assert teams.route("Twente", "werk") == "twente"
    assert teams.route("Twente", "crisis") == "nl"


def test_duplicate_team_ids_are_refused(tmp_path):
    path = write(
        tmp_path,
        """
        national_team: nl
        teams:
          - {id: nl, name: Landelijk, regions: ["*"], topics: ["*"]}
          - {id: nl, name: Nog een keer, regions: [Twente], topics: [werk]}
        """,
    )
    with pytest.raises(ValueError, match="'nl' appears twice"):
        load_teams(path)


def test_unknown_topics_are_refused(tmp_path):
    path = write(
        tmp_path,
        """
        national_team: nl
        teams:
          - {id: nl, name: Landelijk, regions: ["*"], topics: ["*"]}
          - {id: twente, name: Twente, regions: [Twente], topics: [werk, vakantie]}
        """,
    )
    with pytest.raises(ValueError, match="vakantie"):
        load_teams(path)


@pytest.mark.parametrize("national", ["", "national_team: bestaat-niet\n"])
def test_a_missing_national_team_is_refused(tmp_path, national):
    path = write(
        tmp_path,
        national
        + textwrap.dedent(
            """
            teams:
              - {id: nl, name: Landelijk, regions: ["*"], topics: ["*"]}
            """
        ),
    )
    with pytest.raises(ValueError, match="national_team"):
        load_teams(path)
