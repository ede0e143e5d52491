"""Action server down or slow: a friendly answer within 5 seconds, never silence or a 500.

Most answers of the helpline come from custom actions on the action server (rasa-sdk). The
channels (connectors/rest.py, connectors/telegram/) use this module so that a person always
hears something when that server is down or slow, and the conversation simply goes on when it
is back.

What Rasa 3.6 does (read from the installed source, the facts this design relies on):

* ``RemoteAction.run`` (rasa/core/actions/action.py) posts to the action server with a
  5 minute timeout, which bot/extensions/action_timeout.py lowers (see 2. below).
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
   ``SLOW_REPLY_AFTER_S``; then it answers ``channel.slow_reply`` at once and delivers the
   rest of the turn when it is done (REST: widget conversations through the relay log the
   widget polls; Telegram: the bot's messages arrive by themselves).
2. Hanging: Rasa gives up on a custom action after ``Settings.action_timeout_s`` (20 s, or
   ``LOOPBRUG_ACTION_TIMEOUT_S``): bot/extensions/action_timeout.py, applied when the Rasa
   process starts (bot/rasa_server.py).
3. Down: a turn without bot messages gets ``unavailable_reply()`` when the conversation is not
   paused and the action server does not answer its health URL within ``HEALTH_TIMEOUT_S``
   (or when the turn was slow: the person was promised an answer). The health URL is derived
   from the action endpoint Rasa itself uses (``agent.action_endpoint``).
4. Crisis while a coach has the conversation: the 113 line at once (``reply_for_silence``).

The texts are data: ``channel.slow_reply`` and ``channel.unavailable_reply`` in
data/texts/nl/channel.yml.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import urlsplit, urlunsplit

import httpx
from rasa.core.channels.channel import UserMessage

from loopbrug.conversation import read_event, this_turn
from loopbrug.safety.hotline import hotline, takeover_crisis
from loopbrug.texts import text

logger = logging.getLogger(__name__)

# The issue asks for an answer within 5 s. A turn gets 3.5 s; a turn that ends sooner without
# an answer may still cost one health check (at most HEALTH_TIMEOUT_S), so 3.5 + 1 + a
# tracker read stays under 5 s. Rasa's action timeout (Settings.action_timeout_s) is far
# above this, so a timed out action always ends a turn that already got the slow text (and
# then gets the unavailable text).
SLOW_REPLY_AFTER_S = 3.5
HEALTH_TIMEOUT_S = 1.0


def slow_reply() -> str:
    """What a person hears when their turn takes longer than ``SLOW_REPLY_AFTER_S``."""
    return text("channel.slow_reply")


def unavailable_reply() -> str:
    """What a person hears when the action server cannot answer, with the crisis line."""
    return text("channel.unavailable_reply", hotline=hotline())


def health_url(endpoint_url: Optional[str]) -> Optional[str]:
    """``http://host:5055/webhook`` -> ``http://host:5055/health`` (rasa-sdk's health route)."""
    if not endpoint_url or not endpoint_url.strip():
        return None
    parts = urlsplit(endpoint_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/health", "", ""))


def action_health_url(agent: Any) -> Optional[str]:
    """The health URL of the action server that Rasa's agent calls (its endpoints file)."""
    endpoint = getattr(agent, "action_endpoint", None)
    return health_url(getattr(endpoint, "url", None))


async def action_server_up(url: Optional[str], timeout: float = HEALTH_TIMEOUT_S) -> bool:
    """True when the action server answers its health URL with 200 within ``timeout``.

    Without an action endpoint (``url`` None or "") there is nothing to ask: True (never
    claim "down").
    """
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
    * A quick one gets ``unavailable_reply()`` when one of our actions ran and said nothing (it
      failed), or when the action server Rasa calls (``agent.action_endpoint``) does not
      answer its health URL.

    The tracker is read once, and only for a silent turn (rare: a takeover, a server down).
    """
    tracker = await _tracker(agent, sender)
    if tracker is not None and tracker.is_paused():
        return await _crisis_line(tracker, sender)
    if late or _a_custom_action_ran(tracker):
        return unavailable_reply()
    if not await action_server_up(action_health_url(agent)):
        return unavailable_reply()
    return None


def _a_custom_action_ran(tracker: Any) -> bool:
    """Whether the turn ran one of our actions (or a form), which then said nothing.

    Rasa logs a custom action that failed (the action server away for a moment, restarting)
    like one that succeeded without events; in this helpline every custom action says
    something, so a silent turn that ran one is a failed one. Checking the server's health
    alone missed a server that was back before the health check came.
    """
    from rasa.shared.core.constants import DEFAULT_ACTION_NAMES

    return any(
        event.is_action() and event.name not in DEFAULT_ACTION_NAMES
        for event in this_turn(getattr(tracker, "events", None))
    )


async def _crisis_line(tracker: Any, sender: str) -> Optional[str]:
    latest = read_event(getattr(tracker, "latest_message", None))
    if latest is None or latest.intent != "crisis":
        return None
    verdict = latest.parse_data.get("crisis")  # the crisis guard's (bot/components/)
    lang = (verdict.get("lang") if isinstance(verdict, dict) else None) or "nl"
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
