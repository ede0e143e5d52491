"""Sending one e-mail with a text file through the SMTP server the helpline is given.

Python's own ``smtplib`` and ``email``; nothing here imports Rasa or reads the environment:
the caller passes a :class:`MailServer` (built from ``loopbrug.settings``). The address and the
content are never logged; a failure is reported as :class:`MailError` with the kind of error
only. The call blocks: run it in a worker thread from async code.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Optional


class MailError(RuntimeError):
    """The mail could not be sent (server unreachable, refused, or a login failure)."""


@dataclass(frozen=True)
class MailServer:
    """Where and how to send: host, port, the From address and an optional login."""

    host: str
    sender: str
    port: int = 25
    user: Optional[str] = None
    password: Optional[str] = None
    starttls: bool = False
    timeout_s: float = 10.0


def build_message(
    server: MailServer,
    to: str,
    subject: str,
    body: str,
    file_name: str,
    file_text: str,
) -> EmailMessage:
    """A plain-text mail with the file attached as UTF-8 text."""
    message = EmailMessage()
    message["From"] = server.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2] or None)
    message.set_content(body, charset="utf-8")
    message.add_attachment(
        file_text.encode("utf-8"),
        maintype="text",
        subtype="plain",
        filename=file_name,
        params={"charset": "utf-8"},
    )
    return message


def send(server: MailServer, message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server; raises MailError when that fails."""
    try:
        with smtplib.SMTP(server.host, server.port, timeout=server.timeout_s) as smtp:
            if server.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if server.user:
                smtp.login(server.user, server.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The error's text may hold the address the server refused: only its kind goes on.
        raise MailError(type(error).__name__) from None
