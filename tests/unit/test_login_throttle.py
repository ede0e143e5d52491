"""Login throttling: atomic under parallel attempts, per account and per client address."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from loopbrug.handoff import throttle


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'throttle.db'}"


def test_parallel_attempts_take_exactly_the_places_there_are(url):
    throttle.reserve("warm-up", "10.0.0.9", url)  # tables exist before the race starts
    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = list(pool.map(lambda _: throttle.reserve("anna", "10.0.0.1", url), range(30)))
    assert sum(taken) == throttle.PAIR.failures
    assert throttle.locked_until("anna", "10.0.0.1", url) is not None


def test_a_stranger_locks_only_their_own_address_out(url):
    for _ in range(throttle.PAIR.failures):
        assert throttle.reserve("anna", "203.0.113.7", url)
    assert not throttle.reserve("anna", "203.0.113.7", url)
    assert throttle.reserve("anna", "192.0.2.10", url)  # the coach herself, elsewhere


def test_a_right_password_gives_the_places_back(url):
    for _ in range(throttle.PAIR.failures - 1):
        throttle.reserve("anna", "10.0.0.1", url)
    assert throttle.reserve("anna", "10.0.0.1", url)  # the last place: this one is right
    throttle.succeeded("anna", "10.0.0.1", url)
    assert throttle.locked_until("anna", "10.0.0.1", url) is None
    for _ in range(throttle.PAIR.failures):
        assert throttle.reserve("anna", "10.0.0.1", url)


def test_one_address_cannot_spray_many_accounts(url):
    names = [f"coach{i}" for i in range(throttle.ADDRESS.failures)]
    for name in names:
        assert throttle.reserve(name, "198.51.100.1", url)
    assert not throttle.reserve("one-more", "198.51.100.1", url)
    assert throttle.reserve("one-more", "198.51.100.2", url)


def test_many_addresses_cannot_guess_one_account_for_long(url):
    for i in range(throttle.ACCOUNT.failures):
        assert throttle.reserve("anna", f"10.1.{i // 250}.{i % 250}", url)
    assert not throttle.reserve("anna", "10.9.9.9", url)


def test_a_refused_attempt_takes_no_place_in_the_other_counters(url):
    for _ in range(throttle.PAIR.failures):
        throttle.reserve("anna", "10.0.0.1", url)
    for _ in range(10):
        assert not throttle.reserve("anna", "10.0.0.1", url)
    # The address's own count went up by the 5 real attempts only.
    for i in range(throttle.ADDRESS.failures - throttle.PAIR.failures):
        assert throttle.reserve(f"other{i}", "10.0.0.1", url)


def test_addresses_are_stored_as_hashes(url):
    throttle.reserve("anna", "10.0.0.1", url)
    keys = [key for key, _ in throttle.keys_for("anna", "10.0.0.1")]
    assert all("10.0.0.1" not in key for key in keys)
