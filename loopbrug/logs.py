"""Keep secrets out of log files.

httpx logs every request URL at INFO, and the Telegram Bot API puts the bot token in the URL
(``https://api.telegram.org/bot<token>/sendMessage``). ``hide_in_logs`` installs a filter on
the loggers that print such URLs, so the token shows as ``<token>``.
"""

from __future__ import annotations

import logging
from typing import Iterable

# The loggers that print Bot API request URLs (python-telegram-bot sends through httpx).
TELEGRAM_LOGGERS = ("httpx", "telegram.Bot", "telegram.ext.ExtBot")


class RedactSecret(logging.Filter):
    """Replaces one secret in log lines."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record when it holds the secret; never drop it."""
        try:
            message = record.getMessage()
        except Exception:  # a broken log call is not ours to fix here
            return True
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), ()
        return True


def hide_in_logs(secret: str, loggers: Iterable[str] = TELEGRAM_LOGGERS) -> None:
    """Install the redacting filter once per secret on each of ``loggers``."""
    for name in loggers:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactSecret) and f.secret == secret for f in target.filters):
            target.addFilter(RedactSecret(secret))
