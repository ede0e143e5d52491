"""Mailing a person their profile: the SMTP server from the settings, the mail, the way out.

Only when an SMTP server is configured. The address and the profile are never logged; the
mail's words are texts by key (``profile.mail_*``).
"""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from typing import Optional

from loopbrug import mail
from loopbrug.assessment import export
from loopbrug.assessment.profile import Profile
from loopbrug.settings import Settings
from loopbrug.texts import text as say

# "stop", "laat maar", "nee toch niet": the person wants out of the address question.
WAY_OUT = re.compile(
    r"\b(stop\w*|laat (maar|het)|toch niet|hoeft niet|niet mailen|geen mail|nee|"
    r"annuleer\w*|vergeet (het|maar))\b"
)


def mail_server(settings: Settings) -> Optional[mail.MailServer]:
    """The SMTP server from the settings, or None when mailing is not configured."""
    if not settings.mail_configured:
        return None
    return mail.MailServer(
        host=str(settings.smtp_host),
        sender=str(settings.smtp_from),
        port=settings.smtp_port,
        user=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def profile_mail(
    server: mail.MailServer, to: str, profile: Profile, created: datetime
) -> EmailMessage:
    """The mail: a short greeting, the profile as text, and the same text as a file."""
    content = export.profile_file(profile, created)
    body = "\n\n".join(
        [
            say("profile.mail_greeting"),
            say("profile.mail_intro"),
            content.strip(),
            say("profile.mail_closing"),
        ]
    )
    return mail.build_message(
        server, to, say("profile.mail_subject"), body + "\n", export.file_name(created), content
    )


def is_way_out(text: str) -> bool:
    """True for "stop", "laat maar", "nee toch niet" (and no address in the message)."""
    return "@" not in text and WAY_OUT.search(text.lower()) is not None
