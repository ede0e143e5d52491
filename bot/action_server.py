"""The action server (rasa-sdk), answering only Rasa.

rasa-sdk's ``/webhook`` runs any action for any sender without authentication; on loopback
any local process could call ``action_delete_data`` for someone else. Rasa sends the token of
its ``action_endpoint`` (bot/endpoints.yml: ``LOOPBRUG_ACTION_TOKEN``) as the query parameter
``token``; this entry point wraps rasa-sdk's own app with a check of that token on every route
except ``/health``. ``bot/serve.py`` gives Rasa and this server the same token (a new random
one at every start unless ``LOOPBRUG_ACTION_TOKEN`` is set, e.g. for several machines).

Rasa sends a conversation's events as a chain (loopbrug/event_chain.py, ``events_chain`` in
bot/endpoints.yml): only the events after those of its previous call, with a digest of those.
A request hook puts the whole list back in the request's tracker before rasa-sdk reads it, or
answers 409 when this server does not hold what the chain builds on (then Rasa sends every
event again). A request without a chain goes to rasa-sdk as it came.

Before it answers, the server builds what the first question would otherwise wait for: the
knowledge base's retriever (about 2 s) and the other data the actions read (issue 20: no work
per message that can be done at start-up).
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.request import Request

from loopbrug.event_chain import KEY, UNKNOWN_BASE, Chains, UnknownBase
from loopbrug.settings import load_settings

logger = logging.getLogger(__name__)
TOKEN_ENV = "LOOPBRUG_ACTION_TOKEN"
OPEN_PATHS = {"/health"}


def warm() -> None:
    """Load and build, once, the data every action server process reads on first use."""
    from loopbrug.assessment.questions import get_questions
    from loopbrug.knowledge.retrieve import get_retriever
    from loopbrug.region import get_region_model
    from loopbrug.texts import catalogue

    get_retriever()
    get_region_model()
    catalogue()
    get_questions()


def build_app(token: str, chains: Chains | None = None):
    """rasa-sdk's app for the ``actions`` package, refusing calls without ``token``."""
    chains = chains if chains is not None else Chains()
    if not token:
        raise SystemExit(f"{TOKEN_ENV} is not set: the action server would answer anyone")
    app = create_app("actions", cors_origins=None)

    @app.on_request
    async def only_rasa(request: Request):
        if request.path in OPEN_PATHS:
            return None
        given = request.args.get("token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            logger.warning("action server: a call without the right token was refused")
            return response.json({"error": "unauthorised"}, status=401)
        return None

    @app.before_server_start
    async def warm_up(_app, _loop):
        warm()

    @app.on_request
    async def events_from_chain(request: Request):
        if request.path != "/webhook" or request.method != "POST":
            return None
        body = request.json  # rasa-sdk reads this same dict afterwards
        if not isinstance(body, dict) or KEY not in body:
            return None
        part = body.pop(KEY)
        try:
            events = chains.events(str(body.get("sender_id")), part)
        except (UnknownBase, KeyError, TypeError, ValueError):
            return response.json({"error": "unknown base of the events"}, status=UNKNOWN_BASE)
        tracker = body.get("tracker")
        if isinstance(tracker, dict):
            tracker["events"] = events
        return None

    return app


def main() -> None:
    """``python -m bot.action_server --port N`` (bot/serve.py starts it so)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    settings = load_settings()
    # A token made up for this start could never match Rasa's: only a given one counts.
    app = build_app(settings.action_token if settings.action_token_set else "")
    app.run(
        settings.actions_host,
        args.port,
        workers=utils.number_of_sanic_workers(),
        access_log=False,
    )


if __name__ == "__main__":
    main()
