"""bot/serve.py writes Rasa's endpoints: a Redis lock store only when REDIS_URL is set."""

import stat

import pytest
from rasa.utils.endpoints import read_endpoint_config

from bot import serve
from bot.serve import BASE_ENDPOINTS, endpoints_for, redis_lock_store
from loopbrug.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def endpoint_variables(monkeypatch):
    """The variables bot/endpoints.yml refers to, as Settings.child_environment sets them."""
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("DATABASE_URL", "postgresql://loopbrug@127.0.0.1:5432/loopbrug")
    monkeypatch.setenv("LOOPBRUG_ACTION_TOKEN", "the-shared-token")


def test_rasa_sends_the_action_token_and_the_children_share_it():
    action = read_endpoint_config(str(BASE_ENDPOINTS), "action_endpoint")
    assert action.token == "the-shared-token" and action.token_name == "token"
    settings = Settings()
    env = settings.child_environment({})
    assert env["LOOPBRUG_ACTION_TOKEN"] == settings.action_token
    assert len(settings.action_token) >= 32 and Settings().action_token != settings.action_token


def test_without_redis_url_rasa_gets_the_plain_endpoints_and_its_in_memory_lock_store(tmp_path):
    out = tmp_path / "endpoints.yml"
    assert endpoints_for(load_settings(env={}), out) == BASE_ENDPOINTS
    assert not out.exists()
    assert read_endpoint_config(str(BASE_ENDPOINTS), "lock_store") is None


def test_redis_url_adds_a_lock_store_that_rasa_reads(tmp_path):
    settings = load_settings(env={"REDIS_URL": "redis://:s3cr%40t@redis.internal:6380/3"})
    out = endpoints_for(settings, tmp_path / "endpoints.yml")
    assert out == tmp_path / "endpoints.yml"
    lock_store = read_endpoint_config(str(out), "lock_store")
    assert lock_store.type == "bot.extensions.lock_store.LoopbrugRedisLockStore"
    assert lock_store.url == "redis.internal"
    assert lock_store.kwargs == {"port": 6380, "db": 3, "password": "s3cr@t"}
    # Everything else is bot/endpoints.yml as it was.
    tracker_store = read_endpoint_config(str(out), "tracker_store")
    assert tracker_store.type == "bot.extensions.tracker_store.LoopbrugTrackerStore"
    assert tracker_store.url == "postgresql://loopbrug@127.0.0.1:5432/loopbrug"
    assert read_endpoint_config(str(out), "action_endpoint").url.endswith("/webhook")
    # The password is in the file: only its owner reads it.
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_password_is_taken_as_written_not_expanded_by_rasa(tmp_path):
    settings = Settings(redis_url="redis://:%24%7BHOME%7D%22x@127.0.0.1/1")  # ${HOME}"x
    lock_store = read_endpoint_config(
        str(endpoints_for(settings, tmp_path / "e.yml")), "lock_store"
    )
    assert lock_store.kwargs["password"] == '${HOME}"x'


@pytest.mark.parametrize(
    "url, expected",
    [
        ("redis://127.0.0.1", {"url": "127.0.0.1", "port": 6379, "db": 0}),
        ("redis://localhost:7000/", {"url": "localhost", "port": 7000, "db": 0}),
        (
            "rediss://rasa:pw@cache.example.nl:6380/2",
            {
                "url": "cache.example.nl",
                "port": 6380,
                "db": 2,
                "username": "rasa",
                "password": "pw",
                "use_ssl": True,
            },
        ),
        ("redis://[::1]:6379/4", {"url": "::1", "port": 6379, "db": 4}),
    ],
)
def test_redis_urls_are_parsed(url, expected):
    assert redis_lock_store(url) == {
        "type": "bot.extensions.lock_store.LoopbrugRedisLockStore",
        **expected,
    }


@pytest.mark.parametrize(
    "url, message",
    [
        ("unix:///run/redis.sock", "redis://"),
        ("127.0.0.1:6379", "redis://"),
        ("redis://", "no host"),
        ("redis://127.0.0.1:poort/0", "bad port"),
        ("redis://127.0.0.1:6379/nul", "bad port or database"),
    ],
)
def test_bad_redis_urls_give_a_clear_error(url, message):
    with pytest.raises(ValueError, match=message):
        redis_lock_store(url)


def test_the_rasa_command_uses_the_written_endpoints(tmp_path, monkeypatch):
    monkeypatch.setattr(serve, "REDIS_ENDPOINTS", tmp_path / "endpoints-redis.yml")
    (tmp_path / "model.tar.gz").write_bytes(b"")
    with_redis = Settings(model_dir=tmp_path, redis_url="redis://127.0.0.1:6390/1")
    without = Settings(model_dir=tmp_path)

    def endpoints(settings):
        argv = dict((name, argv) for name, argv, _ in serve.commands(settings))["rasa"]
        return argv[argv.index("--endpoints") + 1]

    assert endpoints(with_redis) == str(tmp_path / "endpoints-redis.yml")
    assert endpoints(without) == str(BASE_ENDPOINTS)


def test_rasa_builds_the_atomic_redis_lock_store_from_the_written_file(tmp_path):
    from rasa.core.lock_store import LockStore

    from bot.extensions.lock_store import LoopbrugRedisLockStore

    settings = Settings(redis_url="redis://rasa:pw@127.0.0.1:6390/3")
    config = read_endpoint_config(str(endpoints_for(settings, tmp_path / "e.yml")), "lock_store")
    store = LockStore.create(config)  # as Rasa does at start-up; Redis connects lazily
    assert isinstance(store, LoopbrugRedisLockStore)
    connection = store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"]) == ("127.0.0.1", 6390, 3)
    assert (connection["username"], connection["password"]) == ("rasa", "pw")


@pytest.mark.parametrize(
    "hours, zone", [("maandag 9-5", "Europe/Amsterdam"), ("ma-vr 09:00-17:00", "Mars/Basis")]
)
def test_unreadable_office_hours_stop_the_start_before_any_process_runs(hours, zone):
    from bot.serve import Helpline
    from loopbrug.settings import Settings

    helpline = Helpline(Settings(office_hours=hours, timezone=zone))
    with pytest.raises(SystemExit, match="LOOPBRUG_OFFICE_HOURS"):
        helpline.start()
    assert helpline.processes == []
