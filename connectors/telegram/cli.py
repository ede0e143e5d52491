"""For operators: register the webhook, or poll Telegram during local development.

``python -m connectors.telegram --set-webhook https://example.org/webhooks/telegram/webhook``
registers the webhook (with the secret) and the command menu.

Local development without a public URL: ``python -m connectors.telegram --polling`` reads
updates with getUpdates and forwards them to a running Rasa REST channel (there a slow turn
answers the slow text, and its late answer stays in the tracker only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from typing import Any, List, Optional

import httpx
from telegram import BotCommand
from telegram.error import NetworkError

from connectors.telegram.bot import BotHandle, build_bot
from connectors.telegram.channel import handle_incoming
from connectors.telegram.input import read_update
from connectors.telegram.output import TelegramOutput
from connectors.telegram.payloads import ButtonPayloads
from loopbrug.texts import text as said

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
# The command menu: commands (connectors/telegram/input.py COMMANDS) in the order shown.
MENU_COMMANDS = ("start", "help", "opnieuw", "stop", "wis")


def menu() -> List[BotCommand]:
    """The command menu Telegram shows beside the text field."""
    return [BotCommand(name, said(f"channel.telegram_menu_{name}")) for name in MENU_COMMANDS]


async def poll(
    settings: Any,
    rest_url: str,
    stop: Optional[asyncio.Event] = None,
    client: Optional[httpx.AsyncClient] = None,
    poll_timeout: int = 25,
) -> None:
    """Long-poll Telegram and forward each message to Rasa's REST channel at ``rest_url``.

    For local development only (no public URL needed). Removes a registered webhook first,
    because Telegram allows getUpdates only without one. Stops when ``stop`` is set.
    """
    stop = stop or asyncio.Event()
    payloads = ButtonPayloads()
    own_client = client is None
    client = client or httpx.AsyncClient(timeout=60)
    try:
        async with BotHandle(lambda: build_bot(settings)) as handle:
            output = TelegramOutput(handle, payloads)

            async def converse(sender: str, text: str) -> None:
                reply = await client.post(rest_url, json={"sender": sender, "message": text})
                reply.raise_for_status()
                for message in reply.json():
                    message = {k: v for k, v in message.items() if k != "recipient_id"}
                    await output.send_response(sender, message)

            bot = await handle.get()
            await bot.delete_webhook()
            logger.info("telegram: polling as @%s, forwarding to %s", bot.username, rest_url)
            offset: Optional[int] = None
            while not stop.is_set():
                try:
                    updates = await bot.get_updates(
                        offset=offset, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
                    )
                except NetworkError as error:
                    logger.warning("telegram: getUpdates failed (%r); trying again", error)
                    await asyncio.sleep(1)
                    continue
                for update in updates:
                    offset = update.update_id + 1
                    incoming = read_update(update, payloads)
                    if incoming is not None:
                        await handle_incoming(incoming, output, converse)
    finally:
        if own_client:
            await client.aclose()


async def set_webhook(settings: Any, url: str) -> None:
    """Register ``url`` (with the secret) as the webhook and set the command menu."""
    if not settings.telegram_webhook_secret:
        raise SystemExit("Set TELEGRAM_WEBHOOK_SECRET first: the webhook refuses calls without it.")
    async with BotHandle(lambda: build_bot(settings)) as handle:
        bot = await handle.get()
        await bot.set_webhook(
            url, secret_token=settings.telegram_webhook_secret, allowed_updates=ALLOWED_UPDATES
        )
        await bot.set_my_commands(menu())
        print(f"webhook of @{bot.username} set to {url}")


def main(argv: Optional[List[str]] = None) -> None:
    """``python -m connectors.telegram --polling`` or ``--set-webhook URL``."""
    from loopbrug.settings import load_settings

    parser = argparse.ArgumentParser(description="Loopbrug's Telegram channel, for operators.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--polling",
        action="store_true",
        help="read updates with getUpdates and forward them to the running Rasa REST channel",
    )
    mode.add_argument("--set-webhook", metavar="URL", help="register the public webhook URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per getUpdates is noise
    settings = load_settings()
    if not settings.telegram_bot_token:
        raise SystemExit("Set TELEGRAM_BOT_TOKEN (in the environment or .env).")
    if args.set_webhook:
        asyncio.run(set_webhook(settings, args.set_webhook))
        return
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(poll(settings, f"{settings.rasa_url}/webhooks/rest/webhook"))
