"""``python -m web``: serve the widget, the demo page and the API on settings.web_port."""

from __future__ import annotations

import logging

from aiohttp import web

from loopbrug.settings import load_settings
from web.app import PrivateAccessLogger, build_app


def main() -> None:
    """Run the web server in the foreground until SIGINT or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs every request URL at INFO: with session ids and the API token. Not in our logs.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = load_settings()
    web.run_app(
        build_app(settings),
        host=settings.host,
        port=settings.web_port,
        access_log_class=PrivateAccessLogger,
        print=lambda _: logging.getLogger("web").info(
            "chat widget ready on http://%s:%s/", settings.host, settings.web_port
        ),
    )


if __name__ == "__main__":
    main()
