"""Every change the helpline makes to Rasa itself, in one place.

One module per extension; each names the Rasa version it was written for and why it depends
on it (the internals it builds on, from the installed source), and refuses to work on another
version: after a Rasa upgrade, read each extension against the new source, then raise its
``RASA_VERSION``.

Configured by module path (Rasa builds them from the endpoints file):

* ``tracker_store.LoopbrugTrackerStore`` (bot/endpoints.yml): Rasa's SQL tracker store plus
  erasure on request and reconnecting connections.
* ``lock_store.LoopbrugRedisLockStore`` (added by bot/serve.py when REDIS_URL is set): Rasa's
  Redis lock store with atomic lock changes, so several Rasa processes lose no message.

Patches, applied once by :func:`apply` when the Rasa process starts (bot/rasa_server.py), never
from a channel:

* ``action_timeout``: a hanging custom action holds a conversation for
  ``LOOPBRUG_ACTION_TIMEOUT_S`` seconds (20), not Rasa's 5 minutes.
* ``action_reply_schema``: Rasa checks every action server reply with a validator built once
  instead of one per reply (about 30 ms less per custom action).
* ``action_payload``: the action server's request is built from each event's JSON, made once
  per event, and the domain's JSON, made once, instead of encoding the whole session per call.
* ``applied_events``: each tracker keeps Rasa's list of applied events up to date, reading
  only new events, instead of walking the whole session on each of Rasa's many calls.
* ``tracker_copy``: the copy of a tracker Rasa makes for each action takes over its state
  instead of replaying every event of the session.
* ``dialogue_states``: MemoizationPolicy and RulePolicy get the dialogue states of the turns
  they read, built incrementally, instead of a replay of the whole session before every
  prediction (the cost no longer grows with the conversation).
"""

from __future__ import annotations

from types import ModuleType
from typing import Tuple

from loopbrug.settings import Settings


class WrongRasaVersion(RuntimeError):
    """An extension runs on a Rasa it was not written for: the start stops here."""


def require_rasa(version: str, extension: str) -> None:
    """Stop with a clear message unless the running Rasa is ``version``."""
    import rasa

    if rasa.__version__ != version:
        raise WrongRasaVersion(
            f"{extension} was written for Rasa {version}, this is Rasa {rasa.__version__}. "
            "Read it against the new Rasa's source (its comment says what it depends on), "
            "then update its RASA_VERSION."
        )


def extensions() -> Tuple[ModuleType, ...]:
    """Every extension module."""
    from bot.extensions import (
        action_payload,
        action_reply_schema,
        action_timeout,
        applied_events,
        dialogue_states,
        lock_store,
        tracker_copy,
        tracker_store,
    )

    return (
        tracker_store,
        lock_store,
        action_timeout,
        action_reply_schema,
        action_payload,
        applied_events,
        tracker_copy,
        dialogue_states,
    )


def apply(settings: Settings) -> None:
    """Check every extension against the running Rasa, then apply the patches.

    Called once, before Rasa's command line runs (bot/rasa_server.py). Sanic forks its workers
    from this process, so they inherit the patches.
    """
    from bot.extensions import (
        action_payload,
        action_reply_schema,
        action_timeout,
        applied_events,
        dialogue_states,
        tracker_copy,
    )

    for module in extensions():
        require_rasa(module.RASA_VERSION, module.__name__)
    action_timeout.apply(settings.action_timeout_s)
    action_reply_schema.apply()
    action_payload.apply()
    applied_events.apply()
    tracker_copy.apply()
    dialogue_states.apply()
