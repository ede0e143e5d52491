"""Settings come from the environment, with the run contract's defaults."""

import re

import pytest

from loopbrug.settings import ROOT, Settings, load_settings, variable_names


def test_defaults_follow_the_run_contract():
    settings = load_settings(env={})
    assert (settings.rasa_port, settings.actions_port, settings.web_port) == (5005, 5055, 8080)
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "var/loopbrug.db"
    )
    assert settings.rasa_api_token is None
    assert settings.action_endpoint_url == "http://127.0.0.1:5055/webhook"


def test_environment_overrides_defaults():
    settings = load_settings(
        env={
            "RASA_PORT": "6000",
            "DATABASE_URL": "postgresql://u:p@127.0.0.1/db",
            "RASA_API_TOKEN": "t",
        }
    )
    assert settings.rasa_port == 6000
    assert settings.database_url == "postgresql://u:p@127.0.0.1/db"
    assert settings.rasa_api_token == "t"


def test_bad_port_gives_a_clear_error():
    with pytest.raises(ValueError, match="RASA_PORT must be a whole number"):
        load_settings(env={"RASA_PORT": "vijf"})


def test_dotenv_is_read_and_environment_wins(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("RASA_PORT=7000\nWEB_PORT=7100\n")
    monkeypatch.setenv("WEB_PORT", "7200")
    settings = load_settings(dotenv=dotenv)
    assert settings.rasa_port == 7000
    assert settings.web_port == 7200


def test_child_environment_fills_every_endpoint_variable():
    env = Settings(actions_port=6055).child_environment({"PATH": "/bin"})
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:6055/webhook"
    assert env["SANIC_HOST"] == "127.0.0.1"
    assert env["PATH"] == "/bin"
    assert env["DATABASE_URL"].startswith("sqlite:///")


def test_widget_origins_are_read_once_and_reach_the_child_processes():
    settings = load_settings(
        env={"LOOPBRUG_WIDGET_ORIGINS": " https://b.example/, https://a.example ,"}
    )
    assert settings.widget_origins == {"https://a.example", "https://b.example"}
    assert load_settings(env={}).widget_origins == frozenset()
    child = settings.child_environment({})
    assert child["LOOPBRUG_WIDGET_ORIGINS"] == "https://a.example,https://b.example"
    assert "LOOPBRUG_WIDGET_ORIGINS" not in Settings().child_environment({})


def test_settings_that_were_read_elsewhere_keep_their_names_and_behaviour():
    settings = load_settings(
        env={
            "LOOPBRUG_ACTION_TIMEOUT_S": "7,5",
            "SANIC_HOST": "0.0.0.0",
            "LOOPBRUG_ACTION_TOKEN": "gedeeld",
            "LOOPBRUG_PSEUDONYM_KEY": "sleutel",
        }
    )
    assert settings.action_timeout_s == 7.5
    assert settings.actions_host == "0.0.0.0"
    assert (settings.action_token, settings.action_token_set) == ("gedeeld", True)
    assert settings.pseudonym_key == "sleutel"
    defaults = load_settings(env={})
    assert (defaults.action_timeout_s, defaults.actions_host) == (20.0, "127.0.0.1")
    assert not defaults.action_token_set and defaults.pseudonym_key is None
    # A bad timeout is logged and the default used: it must not stop the helpline.
    assert load_settings(env={"LOOPBRUG_ACTION_TIMEOUT_S": "-1"}).action_timeout_s == 20.0


def test_the_children_get_the_action_timeout_and_keep_the_action_server_on_loopback():
    env = Settings(action_timeout_s=9.0, actions_host="0.0.0.0").child_environment({})
    assert load_settings(env=env).action_timeout_s == 9.0
    assert env["SANIC_HOST"] == "127.0.0.1"  # `make run` never binds it elsewhere
    assert load_settings(env=env).action_token_set


def documented_in_readme() -> set:
    """Variable names in the first column of README.md's table under "## Configuration"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_column))
    return names


def listed_in_env_example() -> set:
    """Variable names of .env.example (``NAME=`` or ``# NAME=``)."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_variable_the_settings_read_is_documented_and_nothing_else():
    read = variable_names()
    assert "DATABASE_URL" in read and "LOOPBRUG_ACTION_TIMEOUT_S" in read
    assert documented_in_readme() == read, "README.md's table under ## Configuration"
    assert listed_in_env_example() == read, ".env.example"


def test_the_idle_time_of_a_coach_is_read_and_reaches_the_children():
    assert load_settings(env={}).coach_idle_minutes == 15.0
    settings = load_settings(env={"LOOPBRUG_COACH_IDLE_MINUTES": "7,5"})
    assert settings.coach_idle_minutes == 7.5
    assert load_settings(env=settings.child_environment({})).coach_idle_minutes == 7.5
    with pytest.raises(ValueError, match="LOOPBRUG_COACH_IDLE_MINUTES"):
        load_settings(env={"LOOPBRUG_COACH_IDLE_MINUTES": "lang"})
