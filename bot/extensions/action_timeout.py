"""A hanging custom action holds a conversation for seconds, not 5 minutes.

What Rasa does: ``RemoteAction.run`` (rasa/core/actions/action.py) posts to the action server
with ``timeout=DEFAULT_REQUEST_TIMEOUT``, a name imported into that module from
rasa/core/constants.py: 5 minutes. ``Agent.handle_message`` holds the conversation's lock for
the whole turn, and a lock ticket expires after 60 s (``DEFAULT_LOCK_LIFETIME``); after that the
person's next message runs beside the hanging turn and both save the tracker. So a hanging
action must end well before 60 s: ``LOOPBRUG_ACTION_TIMEOUT_S`` (``Settings.action_timeout_s``,
20 s). The channels' "this takes longer" text comes far earlier (connectors/reliability.py).
"""

from __future__ import annotations

from bot.extensions import require_rasa

# Written for Rasa 3.6.21: RemoteAction.run reads the module global DEFAULT_REQUEST_TIMEOUT of
# rasa.core.actions.action on every call and passes it to aiohttp as the request's total
# timeout, so setting that global is enough. Another Rasa may read the timeout elsewhere.
RASA_VERSION = "3.6.21"


def apply(seconds: float) -> float:
    """Let Rasa give up on a custom action after ``seconds``; returns them.

    Only the action server's timeout changes: the constant in rasa/core/constants.py and the
    one in rasa/utils/endpoints.py (other endpoints, such as a model server) stay as they are.
    """
    require_rasa(RASA_VERSION, __name__)
    if seconds <= 0:
        raise ValueError(f"the action timeout must be positive, got {seconds}")
    import rasa.core.actions.action as rasa_action

    rasa_action.DEFAULT_REQUEST_TIMEOUT = seconds
    return seconds
