"""The helpline's own tables on a real SQLite file."""

from loopbrug import db


def test_profile_round_trip_under_a_pseudonymous_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    db.save_profile("person-1", {"q_talent": {"value": "x"}}, {"blocks": {}}, url=url)
    stored = db.load_profile("person-1", url=url)
    assert stored["answers"] == {"q_talent": {"value": "x"}}
    assert stored["profile"] == {"blocks": {}}
    assert db.load_profile("person-2", url=url) is None
    # The sender id itself is never stored.
    raw = (tmp_path / "app.db").read_bytes()
    assert b"person-1" not in raw


def test_saving_again_replaces_the_profile(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    db.save_profile("p", {"a": 1}, {"v": 1}, url=url)
    db.save_profile("p", {"a": 2}, {"v": 2}, url=url)
    assert db.load_profile("p", url=url)["profile"] == {"v": 2}


def test_person_key_is_stable_and_depends_on_the_secret():
    assert db.person_key("abc", "k1") == db.person_key("abc", "k1")
    assert db.person_key("abc", "k1") != db.person_key("abc", "k2")
    assert len(db.person_key("abc")) == 64


def test_money_check_outcomes_are_stored_without_amounts(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    db.save_money_check("p", {"colour": "oranje", "gap_range": "1.000-2.000"}, url=url)
    db.save_money_check("p", {"colour": "groen", "gap_range": None}, url=url)
    assert db.latest_money_check("p", url=url)["colour"] == "groen"
    assert db.latest_money_check("q", url=url) is None
