"""Shared fixtures. Unit tests need no network; e2e tests start the real servers."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml

from loopbrug.nlu_data import nlu_examples  # noqa: F401  (re-exported for tests)

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_yaml(relative: str) -> Any:
    """Read a YAML file from the repository."""
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test depends on the developer's own settings (every variable loopbrug.settings reads)."""
    from loopbrug.settings import variable_names

    for name in variable_names():
        monkeypatch.delenv(name, raising=False)


def make_tracker(
    text: str = "",
    intent: Optional[str] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
):
    """An inline rasa-sdk Tracker, as rasa-sdk's own tests build them."""
    from rasa_sdk import Tracker

    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": (ranking or [{}])[0].get("confidence", 1.0)},
        "intent_ranking": ranking or [],
        "entities": entities or [],
        "metadata": metadata or {},
    }
    return Tracker(
        sender_id="test-user",
        slots=slots or {},
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture(scope="session")
def postgres():
    """One throw-away PostgreSQL for the whole run, started on first use (tests/services.py);
    each test makes its own database on it (``Postgres.new_database``)."""
    from tests.services import Postgres, postgres_bin_dir

    server = Postgres(postgres_bin_dir())
    try:
        server.start()
        yield server
    finally:
        server.stop()
