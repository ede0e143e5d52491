"""Settings come from the environment, with the run contract's defaults."""

import pytest

from loopbrug.settings import Settings, load_settings


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
