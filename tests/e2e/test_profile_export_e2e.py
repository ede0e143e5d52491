"""The profile to take along, end to end: every message a person reads, the file, the mail.

The profile is stored first (the self-test that makes it has its own tests in
test_selftest.py), then the person asks for it through the web widget's API (which goes
through the REST channel), over REST directly, and asks to mail it: once to a helpline
without an SMTP server, once to one that mails through a local SMTP server (aiosmtpd) this
module starts on loopback.
"""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from typing import Any, Dict, Iterator, List

import httpx
import pytest
from aiosmtpd.controller import Controller

from bot.serve import Helpline
from connectors.reliability import slow_reply
from loopbrug import db
from loopbrug.assessment import export
from loopbrug.assessment.profile import Profile, to_dict
from loopbrug.assessment.scoring import score_profile
from loopbrug.settings import ROOT, Settings
from tests.conftest import free_port
from tests.e2e.conftest import API_TOKEN, Chat, WebPerson
from tests.unit.test_assessment import CASES

pytestmark = pytest.mark.e2e

PROFILE = score_profile(CASES["money and low confidence"])
SUMMARY = (
    "Je profiel in het kort.\n"
    "Dit past bij je: je wilt heel graag ander werk.\n"
    "Let op: je maakt je zorgen over geld.\n"
    "Je volgende stap: doe de geldcheck: kun je een overstap betalen?"
)
WEB_CAPTION = (
    "Je hele profiel staat in een bestand. Tik op de link om het op te slaan. De link werkt 24 uur."
)
FILE_CAPTION = "Je hele profiel staat in dit bestand. Tik erop om het te openen of te bewaren."
# Without an SMTP server no button offers the mail.
NEXT = "Laat het bestand zien aan een coach of aan het loket. Dan weten ze meteen waar je staat."
NEXT_BUTTONS = [
    {"title": "Praten met een coach", "payload": "/request_human"},
    {"title": "Andere vraag", "payload": "/capabilities"},
]
NEXT_MAIL = "Laat het bestand zien aan een coach of aan het loket. Wil je het ook per mail krijgen?"
NEXT_MAIL_BUTTONS = [
    {"title": "Mail het naar mij", "payload": "/email_profile"},
    {"title": "Praten met een coach", "payload": "/request_human"},
]
UNAVAILABLE_WEB = (
    "Mailen kan hier helaas niet. Je kunt je profiel wel zelf bewaren. "
    "Tik op de link bij je profiel en sla het bestand op. Of maak een screenshot van je profiel."
)
ASK_ADDRESS = (
    "Naar welk e-mailadres mag ik je profiel sturen? Ik gebruik het adres alleen voor deze "
    "ene mail. Wil je toch niet mailen? Typ dan 'stop'."
)
INVALID = "Dat lijkt geen e-mailadres. Een e-mailadres ziet er zo uit: naam@voorbeeld.nl."
SENT = (
    "Klaar, ik heb je profiel gemaild. Zie je de mail niet? Kijk dan ook bij ongewenste mail "
    "(spam). Je e-mailadres heb ik niet bewaard."
)
STOPPED = "Goed, ik stuur geen mail. Je kunt het bestand zelf bewaren."
AFTER_MAIL_BUTTONS = [
    {"title": "Praten met een coach", "payload": "/request_human"},
    {"title": "Andere vraag", "payload": "/capabilities"},
]


def warm_up(helpline: Helpline) -> None:
    """One throwaway turn through our actions first: on a busy machine the very first custom
    action of a fresh helpline can take longer than the channel waits (the slow text)."""
    chat = Chat(helpline.settings.rasa_url)
    chat.sender = "web-warmup" + uuid.uuid4().hex[:8]  # the widget's path: a link is made
    store_profile(helpline, chat.sender)
    for _ in range(5):
        if slow_reply() not in chat.text("/export_profile"):
            return
    pytest.fail("the helpline stays slower than the channel waits")


@pytest.fixture(scope="module", autouse=True)
def warm(helpline: Helpline) -> None:
    warm_up(helpline)


def store_profile(helpline: Helpline, sender: str, profile: Profile = PROFILE) -> str:
    """Store ``profile`` for ``sender``; returns the file the person should get."""
    url = helpline.settings.database_url
    db.save_profile(sender, {}, to_dict(profile), url=url)
    made = db.load_profile(sender, url)["updated_at"]
    return export.profile_file(profile, made)


def slots(helpline: Helpline, sender: str) -> Dict[str, Any]:
    token = helpline.settings.rasa_api_token or API_TOKEN
    tracker = httpx.get(
        f"{helpline.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": token},
        timeout=30,
    ).json()
    return tracker["slots"]


# --------------------------------------------------------------------------- the web widget


def test_widget_gets_a_summary_a_private_download_link_and_the_offer_to_mail(helpline):
    person = WebPerson(helpline)
    expected_file = store_profile(helpline, person.sender)

    reply = person.post("ik wil mijn profiel als bestand")
    assert reply.status_code == 200, reply.text
    turn = reply.json()
    [summary, file, offer] = turn["messages"]
    assert summary == {"from": "bot", "text": SUMMARY}
    assert file["from"] == "bot" and file["text"] == WEB_CAPTION
    assert file["file"]["name"] == export.file_name(
        db.load_profile(person.sender, helpline.settings.database_url)["updated_at"]
    )
    assert file["file"]["url"].startswith("/api/file/")
    assert offer == {"from": "bot", "text": NEXT}
    assert turn["buttons"] == NEXT_BUTTONS

    link = file["file"]["url"]
    download = person.client.get(link, params={"session": person.session})
    assert download.status_code == 200
    assert download.text == expected_file
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{file["file"]["name"]}"'
    )
    assert download.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    # Another widget session (another person) cannot open it, nor can anyone without one.
    other = WebPerson(helpline)
    store_profile(helpline, other.sender, score_profile(CASES["strong"]))
    refused = other.client.get(link, params={"session": other.session})
    assert refused.status_code == 404
    assert refused.json() == {
        "error": "Deze link werkt niet meer. Vraag in de chat opnieuw om je profiel als bestand."
    }
    assert person.client.get(link).status_code == 400
    assert person.client.get(link, params={"session": "x" * 32}).status_code == 403
    guessed = "/api/file/" + "A" * 32
    assert person.client.get(guessed, params={"session": person.session}).status_code == 404

    # The widget's history shows the same link again (the widget adds the session itself).
    history = person.client.get("/api/history", params={"session": person.session}).json()
    assert [m for m in history["messages"] if "file" in m] == [file]


def test_widget_mail_without_an_smtp_server_says_how_to_save_it(helpline):
    person = WebPerson(helpline)
    expected_file = store_profile(helpline, person.sender)
    turn = person.post("kan ik dit mailen?").json()
    [unavailable, file] = turn["messages"]
    assert unavailable == {"from": "bot", "text": UNAVAILABLE_WEB}
    assert file["text"] == WEB_CAPTION
    download = person.client.get(file["file"]["url"], params={"session": person.session})
    assert download.text == expected_file
    assert turn["buttons"] == []
    # Asked again in the same conversation: the answer, not the same file once more.
    again = person.post("kan ik het mailen").json()
    assert again == {"messages": [{"from": "bot", "text": UNAVAILABLE_WEB}], "buttons": []}


# --------------------------------------------------------------------------- REST, other clients


def test_rest_client_gets_the_file_inside_the_custom_payload(chat: Chat, helpline):
    expected_file = store_profile(helpline, chat.sender)
    messages = chat.say("/export_profile")
    assert [m.get("text") for m in messages] == [SUMMARY, None, NEXT]
    custom = messages[1]["custom"]
    assert custom["text"] == FILE_CAPTION
    assert custom["file"]["content"] == expected_file
    assert custom["file"]["type"] == "text/plain; charset=utf-8"
    assert "url" not in custom["file"]
    assert messages[2]["buttons"] == NEXT_BUTTONS


def test_export_without_a_profile_offers_the_self_test(chat: Chat):
    [message] = chat.say("/export_profile")
    assert message["text"] == (
        "Ik heb nog geen profiel van je. Dat maak je met de zelftest. "
        "Die duurt ongeveer tien minuten."
    )


# --------------------------------------------------------------------------- e-mail


class Inbox:
    """Mails the local SMTP server received (aiosmtpd handler)."""

    def __init__(self) -> None:
        self.envelopes: List[Any] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10) -> List[Any]:
        deadline = time.monotonic() + timeout
        while len(self.envelopes) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.envelopes


@pytest.fixture(scope="module")
def inbox() -> Iterator[Controller]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture(scope="module")
def mailing_helpline(inbox: Controller, tmp_path_factory) -> Iterator[Helpline]:
    """A helpline that mails through the local SMTP server."""
    settings = Settings(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        database_url=f"sqlite:///{tmp_path_factory.mktemp('mail') / 'loopbrug.db'}",
        rasa_api_token="e2e-" + uuid.uuid4().hex,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_from="loopbrug@example.nl",
    )
    running = Helpline(settings, log_dir=ROOT / "var" / "test-logs" / "profile-mail")
    running.start()
    warm_up(running)
    yield running
    running.stop()


def test_mailing_asks_the_address_explains_a_wrong_one_sends_and_forgets_it(
    mailing_helpline: Helpline, inbox: Controller
):
    chat = Chat(mailing_helpline.settings.rasa_url)
    expected_file = store_profile(mailing_helpline, chat.sender)
    before = len(inbox.handler.envelopes)

    exported = chat.say("/export_profile")
    assert [m.get("text") for m in exported] == [SUMMARY, None, NEXT_MAIL]
    assert exported[2]["buttons"] == NEXT_MAIL_BUTTONS
    assert [m["text"] for m in chat.say("/email_profile")] == [ASK_ADDRESS]  # the button
    assert [m["text"] for m in chat.say("piet at voorbeeld punt nl")] == [INVALID, ASK_ADDRESS]
    sent = chat.say("piet@voorbeeld.nl")
    assert [m["text"] for m in sent] == [SENT]
    assert sent[0]["buttons"] == AFTER_MAIL_BUTTONS

    [envelope] = inbox.handler.wait_for(before + 1)[before:]
    assert envelope.rcpt_tos == ["piet@voorbeeld.nl"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Je profiel van Loopbrug"
    assert message["From"] == "loopbrug@example.nl"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert expected_file.strip() in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == expected_file

    filled = slots(mailing_helpline, chat.sender)
    assert filled["profile_email"] is None and filled["profile_email_stop"] is None
    logs = "".join(p.read_text(errors="replace") for p in _logs(mailing_helpline))
    assert "piet@voorbeeld.nl" not in logs and "zorgen over geld" not in logs


def test_an_address_in_the_question_is_used_at_once(mailing_helpline: Helpline, inbox: Controller):
    chat = Chat(mailing_helpline.settings.rasa_url)
    store_profile(mailing_helpline, chat.sender)
    before = len(inbox.handler.envelopes)
    assert [m["text"] for m in chat.say("stuur het naar mijn mail: ann@voorbeeld.nl")] == [SENT]
    [envelope] = inbox.handler.wait_for(before + 1)[before:]
    assert envelope.rcpt_tos == ["ann@voorbeeld.nl"]


def test_stop_at_the_address_question_sends_nothing(mailing_helpline: Helpline, inbox: Controller):
    chat = Chat(mailing_helpline.settings.rasa_url)
    store_profile(mailing_helpline, chat.sender)
    before = len(inbox.handler.envelopes)
    assert [m["text"] for m in chat.say("mail me mijn profiel")] == [ASK_ADDRESS]
    stopped = chat.say("nee laat maar")
    assert [m["text"] for m in stopped] == [STOPPED]
    assert [b["title"] for b in stopped[0]["buttons"]] == ["Profiel als bestand", "Andere vraag"]
    time.sleep(0.5)
    assert len(inbox.handler.envelopes) == before
    # The conversation goes on normally afterwards.
    assert chat.say("/export_profile")[0]["text"] == SUMMARY


def _logs(helpline: Helpline) -> List[Any]:
    return sorted((ROOT / "var" / "test-logs" / "profile-mail").glob("*"))
