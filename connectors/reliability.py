"""Action server down or slow: a friendly answer within 5 seconds, never silence or a 500.

Most answers of the helpline come from custom actions on the action server (rasa-sdk). The
channels (connectors/rest.py, connectors/telegram.py) use this module so that a person
always hears something when that server is down or slow, and the conversation simply goes on
when it is back.

What Rasa 3.6 does (read from the installed source, the facts this design relies on):

* ``RemoteAction.run`` (rasa/core/actions/action.py) posts to the action server with
  ``timeout=DEFAULT_REQUEST_TIMEOUT``, a name imported into that module from
  rasa/core/constants.py: 5 minutes.
* ``MessageProcessor._run_action`` (rasa/core/processor.py) catches *every* exception of an
  action (connection refused, timeout, HTTP 500), logs it and goes on with no events. The
  turn ends normally and the person's message is saved, but the person gets no answer. So to a
  channel "action server down" only shows as a turn without bot messages.
* ``Agent.handle_message`` (rasa/core/agent.py) holds the conversation's lock for the whole
  turn. A lock ticket expires after 60 s (``DEFAULT_LOCK_LIFETIME``, rasa/core/lock_store.py);
  after that the next message of the same person runs at the same time as the hanging turn
  and both save the tracker. A hanging action must end well before that.
* A paused conversation (a coach took it over, loopbrug/handoff/relay.py) gets no bot messages on
  purpose (``MessageProcessor._should_handle_message``): silence is right there.
* Cancelling a turn loses the person's message: ``handle_message`` saves the tracker only at
  the end. So a slow turn is never cancelled; it finishes in the background.

The design:

1. Slow: a turn runs as a task of its own (``Turn``). A channel waits at most
   ``SLOW_REPLY_AFTER_S``; then it answers ``SLOW_REPLY`` at once and delivers the rest of the
   turn when it is done (REST: widget conversations through the relay log the widget polls;
   Telegram: the bot's messages arrive by themselves).
2. Hanging: ``bound_action_timeout`` lowers Rasa's action request timeout to
   ``ACTION_TIMEOUT_S`` (20 s, or ``LOOPBRUG_ACTION_TIMEOUT_S``). It runs when Rasa imports
   the channel module at start-up, so in the Rasa process only.
3. Down: a turn without bot messages gets ``UNAVAILABLE_REPLY`` when the conversation is not
   paused and the action server does not answer its health URL within ``HEALTH_TIMEOUT_S``
   (or when the turn was slow: the person was promised an answer).
4. Crisis while a coach has the conversation: the 113 line at once (``reply_for_silence``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Mapping, Optional
from urllib.parse import urlsplit, urlunsplit

import httpx
from rasa.core.channels.channel import UserMessage

from loopbrug.safety.hotline import hotline, takeover_crisis

logger = logging.getLogger(__name__)

# The issue asks for an answer within 5 s. A turn gets 3.5 s; a turn that ends sooner without
# an answer may still cost one health check (at most HEALTH_TIMEOUT_S), so 3.5 + 1 + a
# tracker read stays under 5 s.
SLOW_REPLY_AFTER_S = 3.5
HEALTH_TIMEOUT_S = 1.0
# Well below the 60 s lock lifetime (see above), and far above SLOW_REPLY_AFTER_S, so a timed
# out action always ends a turn that already got SLOW_REPLY (and then gets UNAVAILABLE_REPLY).
ACTION_TIMEOUT_S = 20.0
ACTION_TIMEOUT_ENV = "LOOPBRUG_ACTION_TIMEOUT_S"
ACTION_ENDPOINT_ENV = "ACTION_ENDPOINT_URL"
# Sender ids of the web widget (web/app.py SENDER_PREFIX).
WEB_SENDER_PREFIX = "web-"

# B1 Dutch. The crisis line is in the "down" text: the crisis answer itself is a plain
# response and works without the action server, but someone in crisis may not say it so.
SLOW_REPLY = (
    "Dit duurt wat langer dan normaal. Je bericht is binnen. "
    "Je antwoord komt zo hier in het gesprek."
)
UNAVAILABLE_REPLY = (
    "Het lukt me nu niet om je vraag te beantwoorden. Je bericht is bewaard. "
    "Probeer het over een paar minuten opnieuw. " + hotline()
)


def action_timeout_s(env: Mapping[str, str] = os.environ) -> float:
    """``LOOPBRUG_ACTION_TIMEOUT_S`` when it is a positive number, else ``ACTION_TIMEOUT_S``."""
    raw = env.get(ACTION_TIMEOUT_ENV, "").strip()
    try:
        value = float(raw.replace(",", ".")) if raw else ACTION_TIMEOUT_S
    except ValueError:
        logger.error(
            "%s must be a number of seconds; using %s", ACTION_TIMEOUT_ENV, ACTION_TIMEOUT_S
        )
        return ACTION_TIMEOUT_S
    return value if value > 0 else ACTION_TIMEOUT_S


def bound_action_timeout(env: Mapping[str, str] = os.environ) -> float:
    """Let a hanging custom action hold a conversation for seconds, not 5 minutes.

    The one place that changes Rasa: ``RemoteAction.run`` reads the module global
    ``rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT`` on every call (it passes it to
    aiohttp as the request's total timeout), so setting that global is enough. The constant
    in rasa/core/constants.py and the one in rasa/utils/endpoints.py (other endpoints such as
    a model server) stay as they are. Called when connectors/rest.py is imported, which Rasa
    does at start-up because bot/credentials.yml names the channel.
    """
    import rasa.core.actions.action as rasa_action

    seconds = action_timeout_s(env)
    rasa_action.DEFAULT_REQUEST_TIMEOUT = seconds
    return seconds


def health_url(endpoint_url: Optional[str]) -> Optional[str]:
    """``http://host:5055/webhook`` -> ``http://host:5055/health`` (rasa-sdk's health route)."""
    if not endpoint_url or not endpoint_url.strip():
        return None
    parts = urlsplit(endpoint_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/health", "", ""))


async def action_server_up(url: Optional[str] = None, timeout: float = HEALTH_TIMEOUT_S) -> bool:
    """True when the action server answers its health URL with 200 within ``timeout``.

    Without a configured action endpoint there is nothing to ask: True (never claim "down").
    """
    url = url if url is not None else health_url(os.environ.get(ACTION_ENDPOINT_ENV))
    if not url:
        return True
    try:
        async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError as error:
        logger.warning("action server health check failed (%s)", type(error).__name__)
        return False


async def _tracker(agent: Any, sender: str) -> Any:
    """The conversation's tracker, or None when there is no store or it cannot be read."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    try:
        return await store.retrieve(sender)
    except Exception as error:  # the question is only what to add to a silent turn
        logger.warning("tracker could not be read after a silent turn (%s)", type(error).__name__)
        return None


async def reply_for_silence(agent: Any, sender: str, late: bool) -> Optional[str]:
    """What a person hears after a turn in which the bot said nothing, or None for silence.

    * A coach has the conversation (Rasa's ``pause`` event): silence is right, the coach
      answers. Except for a crisis message: Rasa still parses what the person types, so the
      person gets the 113 and 112 line at once (``takeover_crisis``), and the open ticket
      becomes an urgent crisis ticket at the top of the coach's inbox (plus the Telegram
      coach notice when configured).
    * A slow turn (``late``) promised an answer, so silence is always wrong there.
    * A quick one gets ``UNAVAILABLE_REPLY`` when one of our actions ran and said nothing (it
      failed), or when the action server does not answer its health URL.

    The tracker is read once, and only for a silent turn (rare: a takeover, a server down).
    """
    tracker = await _tracker(agent, sender)
    if tracker is not None and tracker.is_paused():
        return await _crisis_line(tracker, sender)
    if late or _a_custom_action_ran(tracker) or not await action_server_up():
        return UNAVAILABLE_REPLY
    return None


def _a_custom_action_ran(tracker: Any) -> bool:
    """Whether the turn ran one of our actions (or a form), which then said nothing.

    Rasa logs a custom action that failed (the action server away for a moment, restarting)
    like one that succeeded without events; in this helpline every custom action says
    something, so a silent turn that ran one is a failed one. Checking the server's health
    alone missed a server that was back before the health check came.
    """
    from rasa.shared.core.constants import DEFAULT_ACTION_NAMES
    from rasa.shared.core.events import ActionExecuted, UserUttered

    for event in reversed(list(getattr(tracker, "events", None) or [])):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name not in DEFAULT_ACTION_NAMES:
            return True
    return False


async def _crisis_line(tracker: Any, sender: str) -> Optional[str]:
    latest = getattr(tracker, "latest_message", None)
    parsed = (getattr(latest, "parse_data", None) or {}) if latest is not None else {}
    if (parsed.get("intent") or {}).get("name") != "crisis":
        return None
    lang = (parsed.get("crisis") or {}).get("lang") or "nl"
    try:
        await mark_ticket_crisis(sender)
    except Exception:  # the person's line matters more than the ticket
        logger.exception("the ticket could not be marked as a crisis")
    return takeover_crisis(lang)


async def mark_ticket_crisis(sender: str) -> None:
    """Make the person's open ticket a crisis ticket and tell the coaches' group."""
    from loopbrug.handoff import service
    from loopbrug.settings import load_settings

    await service.mark_crisis(sender, load_settings())


class Turn:
    """One message through Rasa as a task of its own.

    Waiting for it (``finished_within``) never cancels it, also not when the waiter itself is
    cancelled (a client that hung up, a server that stops): cancelling would lose the
    person's message. ``error`` holds what the turn raised, if anything.
    """

    def __init__(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
    ) -> None:
        self.error: Optional[BaseException] = None
        self.task = asyncio.ensure_future(self._run(on_new_message, message))

    async def _run(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
    ) -> None:
        try:
            await on_new_message(message)
        except Exception as error:  # reported by the channel, as an apology
            self.error = error

    @property
    def done(self) -> bool:
        return self.task.done()

    async def finished_within(self, seconds: Optional[float]) -> bool:
        """Wait up to ``seconds`` (None: until done); True when the turn is done."""
        done, _ = await asyncio.wait({self.task}, timeout=seconds)
        return bool(done)
