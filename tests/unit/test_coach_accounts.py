"""Coach accounts: password hashing and the management command (loopbrug/handoff/coaches.py)."""

from __future__ import annotations

import io

import pytest
from argon2 import PasswordHasher

from loopbrug.handoff import coaches, store

PASSWORD = "lang-genoeg-wachtwoord"


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'coaches.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


# --------------------------------------------------------------------------- hashing


def test_a_password_hash_verifies_only_the_right_password():
    hashed = coaches.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert coaches.verify_password(hashed, PASSWORD) == (True, None)
    assert coaches.verify_password(hashed, PASSWORD + "x") == (False, None)
    assert coaches.verify_password(hashed, "") == (False, None)
    assert coaches.hash_password(PASSWORD) != hashed  # salted


def test_a_broken_hash_does_not_verify():
    assert coaches.verify_password("not-a-hash", PASSWORD) == (False, None)
    assert coaches.verify_password("x", PASSWORD) == (False, None)  # save_coach(..., "x")


def test_an_old_hash_is_upgraded_on_login():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    ok, new_hash = coaches.verify_password(weak, PASSWORD)
    assert ok is True
    assert new_hash is not None and new_hash != weak
    assert coaches.verify_password(new_hash, PASSWORD) == (True, None)
    assert coaches.verify_password(weak, "wrong") == (False, None)


def test_the_dummy_check_runs_without_an_account():
    coaches.dummy_verify("anything")  # takes as long as a real check; must not raise


# --------------------------------------------------------------------------- new accounts


def test_a_good_account_passes_the_checks():
    coaches.check_new_account("anna.de-vries_2", "Anna", ["landelijk", "geld"], PASSWORD)


@pytest.mark.parametrize(
    "username, name, teams, password, reason",
    [
        ("anna", "Anna", ["landelijk"], "kort", "wachtwoord"),
        ("anna", "Anna", ["landelijk"], "x" * (coaches.MIN_PASSWORD_CHARS - 1), "wachtwoord"),
        ("anna", "Anna", ["bestaat-niet"], PASSWORD, "onbekend"),
        ("anna", "Anna", ["landelijk", "atlantis"], PASSWORD, "atlantis"),
        ("anna", "Anna", [], PASSWORD, "team"),
        ("Anna", "Anna", ["landelijk"], PASSWORD, "username"),
        ("a", "Anna", ["landelijk"], PASSWORD, "username"),
        ("anna de vries", "Anna", ["landelijk"], PASSWORD, "username"),
        ("anna@example.nl", "Anna", ["landelijk"], PASSWORD, "username"),
        ("a" * 81, "Anna", ["landelijk"], PASSWORD, "username"),
        ("anna", "   ", ["landelijk"], PASSWORD, "voornaam"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(username, name, teams, password, reason):
    with pytest.raises(ValueError, match=reason):
        coaches.check_new_account(username, name, teams, password)


def test_add_coach_stores_a_hash_not_the_password(db_url, tmp_path):
    coach = coaches.add_coach("anna", "  Anna ", ["twente"], PASSWORD)
    assert (coach.username, coach.first_name, coach.teams) == ("anna", "Anna", ("twente",))
    record = store.coach_login_record("anna")
    assert coaches.verify_password(record["password_hash"], PASSWORD)[0] is True
    assert PASSWORD.encode() not in (tmp_path / "coaches.db").read_bytes()


def test_add_coach_refuses_before_storing(db_url):
    with pytest.raises(ValueError):
        coaches.add_coach("anna", "Anna", ["twente"], "kort")
    assert store.coach_login_record("anna") is None


# --------------------------------------------------------------------------- the command


def test_add_list_and_deactivate_from_the_command_line(db_url, monkeypatch, capsys):
    stdin(monkeypatch, PASSWORD + "\n")
    code = coaches.main(
        [
            "add",
            "--username",
            "anna",
            "--name",
            "Anna",
            "--team",
            "landelijk",
            "--team",
            "geld",
            "--password-stdin",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == "coach anna (Anna) in team(s) landelijk, geld"
    record = store.coach_login_record("anna")
    assert record["active"] is True
    assert coaches.verify_password(record["password_hash"], PASSWORD)[0] is True
    assert coaches.verify_password(record["password_hash"], PASSWORD + "\n")[0] is False

    assert coaches.main(["list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["anna\tAnna\tlandelijk,geld\tactief"]

    assert coaches.main(["deactivate", "--username", "anna"]) == 0
    assert "anna kan niet meer inloggen" in capsys.readouterr().out
    assert store.coach_login_record("anna")["active"] is False
    coaches.main(["list"])
    assert capsys.readouterr().out.splitlines() == ["anna\tAnna\tlandelijk,geld\tuit"]


def test_adding_again_changes_name_teams_and_password(db_url, monkeypatch, capsys):
    stdin(monkeypatch, PASSWORD + "\n")
    coaches.main(
        ["add", "--username", "anna", "--name", "Anna", "--team", "landelijk", "--password-stdin"]
    )
    stdin(monkeypatch, "een-heel-ander-wachtwoord\n")
    assert (
        coaches.main(
            ["add", "--username", "anna", "--name", "Annie", "--team", "twente", "--password-stdin"]
        )
        == 0
    )
    [coach] = store.list_coaches()
    assert (coach.first_name, coach.teams) == ("Annie", ("twente",))
    record = store.coach_login_record("anna")
    assert coaches.verify_password(record["password_hash"], PASSWORD)[0] is False
    assert coaches.verify_password(record["password_hash"], "een-heel-ander-wachtwoord")[0]


def test_the_password_is_asked_twice_without_stdin(db_url, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(coaches.getpass, "getpass", lambda prompt="": next(answers))
    assert coaches.main(["add", "--username", "bram", "--name", "Bram", "--team", "geld"]) == 0
    assert store.coach_login_record("bram") is not None


def test_two_different_passwords_are_refused(db_url, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr(coaches.getpass, "getpass", lambda prompt="": next(answers))
    assert coaches.main(["add", "--username", "bram", "--name", "Bram", "--team", "geld"]) == 2
    assert "niet gelijk" in capsys.readouterr().err
    assert store.coach_login_record("bram") is None


@pytest.mark.parametrize(
    "argv, password, error",
    [
        (["--team", "landelijk"], "kort\n", "wachtwoord"),
        (["--team", "nergens"], PASSWORD + "\n", "onbekend"),
        ([], PASSWORD + "\n", "team"),
    ],
)
def test_errors_exit_with_code_2_and_store_nothing(
    db_url, monkeypatch, capsys, argv, password, error
):
    stdin(monkeypatch, password)
    code = coaches.main(["add", "--username", "anna", "--name", "Anna", *argv, "--password-stdin"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("fout: ") and error in err
    assert store.list_coaches() == []


def test_a_bad_username_exits_with_code_2(db_url, monkeypatch, capsys):
    stdin(monkeypatch, PASSWORD + "\n")
    code = coaches.main(
        [
            "add",
            "--username",
            "Anna Smit",
            "--name",
            "Anna",
            "--team",
            "landelijk",
            "--password-stdin",
        ]
    )
    assert code == 2
    assert "username" in capsys.readouterr().err


def test_deactivating_an_unknown_coach_exits_with_code_2(db_url, capsys):
    assert coaches.main(["deactivate", "--username", "nobody"]) == 2
    assert "geen coach 'nobody'" in capsys.readouterr().err


def test_deactivating_ends_the_coach_sessions(db_url, capsys):
    from datetime import timedelta

    coach = coaches.add_coach("anna", "Anna", ["landelijk"], PASSWORD)
    store.start_session(coach.id, "hash-of-token", "csrf", timedelta(hours=8))
    assert store.session_coach("hash-of-token") is not None
    assert coaches.main(["deactivate", "--username", "anna"]) == 0
    assert store.session_coach("hash-of-token") is None


def test_usage_errors_exit_with_code_2(db_url, capsys):
    with pytest.raises(SystemExit) as exit_info:
        coaches.main(["add", "--username", "anna"])  # no --name
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        coaches.main([])
    assert exit_info.value.code == 2
