"""The profile to take along: chat summary, file, links, the file payload and the mail.

Whole texts are asserted, so a change of wording shows up here as a diff a reviewer reads.
No servers: the mail goes to a local SMTP server (aiosmtpd) this module starts on loopback.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from datetime import datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.profile_export import (
    ActionEmailProfile,
    ActionExportProfile,
    ActionSendProfileEmail,
    ValidateProfileEmailForm,
)
from loopbrug import db, mail
from loopbrug.assessment import export, files
from loopbrug.assessment.mailing import is_way_out
from loopbrug.assessment.profile import to_dict
from loopbrug.assessment.render import chat_summary, format_date
from loopbrug.assessment.scoring import score_profile
from loopbrug.attachments import file_message, read_file
from loopbrug.plain_language import load_jargon, problems
from loopbrug.texts import catalogue
from tests.conftest import ROOT, free_port
from tests.unit.test_assessment import CASES, CREATED
from web import messages

JARGON = load_jargon(ROOT / "data" / "plain_language.yml")
# What a person must never see: scores, averages, Markdown.
FORBIDDEN = re.compile(r"punt|gemiddeld|van 2\b|[0-9],[0-9]|#|\*\*|\||`|__|\[|\]")
SMTP_VARIABLES = (
    "LOOPBRUG_SMTP_HOST",
    "LOOPBRUG_SMTP_PORT",
    "LOOPBRUG_SMTP_FROM",
    "LOOPBRUG_SMTP_USER",
    "LOOPBRUG_SMTP_PASSWORD",
    "LOOPBRUG_SMTP_STARTTLS",
)


@pytest.fixture(autouse=True)
def no_mail_settings(monkeypatch):
    """No test takes an SMTP server from the developer's environment."""
    for name in SMTP_VARIABLES:
        monkeypatch.delenv(name, raising=False)


# --------------------------------------------------------------------------- the chat summary


def test_summary_of_a_strong_profile():
    assert chat_summary(score_profile(CASES["strong"])) == (
        "Je profiel in het kort.\n"
        "Dit past bij je: je wilt heel graag ander werk.\n"
        "Ik zie geen grote drempels.\n"
        "Je volgende stap: loop een dag mee in werk dat je trekt."
    )


def test_summary_names_the_money_worry_and_the_money_check():
    profile = score_profile(CASES["money and low confidence"])
    assert chat_summary(profile) == (
        "Je profiel in het kort.\n"
        "Dit past bij je: je wilt heel graag ander werk.\n"
        "Let op: je maakt je zorgen over geld.\n"
        "Je volgende stap: doe de geldcheck: kun je een overstap betalen?"
    )


def test_summary_when_everything_was_skipped():
    assert chat_summary(score_profile(CASES["all skipped"])) == (
        "Je profiel in het kort.\n"
        "Een sterke kant zie ik nog niet duidelijk. Een coach helpt je die te vinden.\n"
        "Over willen, kunnen en ruimte in je leven weet ik nog te weinig.\n"
        "Je volgende stap: zoek een programma dat helpt uitzoeken wat bij je past."
    )


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_summary_is_short_plain_and_without_scores_or_markdown(case):
    text = chat_summary(score_profile(case))
    assert len(text.splitlines()) == 4
    assert "\n\n" not in text  # Rasa would cut it into more bubbles
    assert not FORBIDDEN.search(text), text
    assert problems(text, JARGON) == []


# --------------------------------------------------------------------------- the file

SKIPPED_FILE = """\
Mijn profiel van Loopbrug
Gemaakt op 5 maart 2026.

Hierin staat wat je zelf vertelde in de zelftest van Loopbrug. Het is geen examen en geen uitslag.


Wie ben ik? Wat wil ik? Wat kan ik?

Talenten: waar je van nature goed in bent.
Deze vragen heb je overgeslagen.
Hierover weet ik nog te weinig.

Skills: wat je hebt geleerd en kunt.
Deze vragen heb je overgeslagen.
Hierover weet ik nog te weinig.

Drijfveren: wat je belangrijk vindt en graag doet.
Deze vragen heb je overgeslagen.
Hierover weet ik nog te weinig.

Wendbaarheid: hoe je omgaat met verandering en leren.
Deze vragen heb je overgeslagen.
Hierover weet ik nog te weinig.

Werk- en denkniveau: je diploma en hoe zelfstandig je werkt.
Deze vragen heb je overgeslagen.
Hierover weet ik nog te weinig.

Doel en motivatie: wat je wilt en hoe graag.
Deze vragen heb je overgeslagen.
Hierover weet ik nog te weinig.


Willen, kunnen en ruimte in je leven

Een overstap lukt beter als je het wilt en kunt. En als er ruimte voor is in je leven.
• Willen: hierover weet ik nog te weinig.
• Kunnen: hierover weet ik nog te weinig.
• Ruimte in je leven: hierover weet ik nog te weinig.


Waar je op moet letten

Je noemde geen drempels.


Je volgende stappen

1. Zoek een programma dat helpt uitzoeken wat bij je past.
   Waarom: Je weet nog niet goed wat past. Dat kun je uitzoeken.
2. Praat met een coach. Die denkt met je mee.
   Waarom: Een coach kan met je meedenken.


Neem dit mee naar een coach of het loket

• Laat dit overzicht zien aan een coach, het leerwerkloket of het werkcentrum.
• Neem ook je cv mee, als je dat hebt.
• Neem je diploma's en certificaten mee.
• Schrijf je vragen op. Bijvoorbeeld: welk werk past bij mij? Welke opleiding kan ik doen? Wie betaalt die?

Je gaf antwoord op 0 van de 19 vragen.
Wil je dat Loopbrug je profiel wist? Typ dan in de chat: wis mijn gegevens.
"""

HEAVY_LIFE_FILE = """\
Mijn profiel van Loopbrug
Gemaakt op 5 maart 2026.

Hierin staat wat je zelf vertelde in de zelftest van Loopbrug. Het is geen examen en geen uitslag.


Wie ben ik? Wat wil ik? Wat kan ik?

Talenten: waar je van nature goed in bent.
Je zei: “goed luisteren”; je kent je sterke kanten goed.
Hier ben je sterk in.

Skills: wat je hebt geleerd en kunt.
Je zei: “kassa en plannen”; je hebt veel werkervaring.
Hier ben je sterk in.

Drijfveren: wat je belangrijk vindt en graag doet.
Je zei: “koken en wandelen”; je vindt anderen helpen belangrijk; je weet goed wat je zoekt.
Hier ben je sterk in.

Wendbaarheid: hoe je omgaat met verandering en leren.
Je zei: veranderingen gaan je makkelijk af; je leert graag iets nieuws; je hebt veel vertrouwen in een overstap.
Hier ben je sterk in.

Werk- en denkniveau: je diploma en hoe zelfstandig je werkt.
Je zei: je hebt een diploma mbo 3-4, havo of vwo; je regelt veel zelf in je werk.
Hier ben je sterk in.

Doel en motivatie: wat je wilt en hoe graag.
Je zei: “iets in de zorg”; je wilt heel graag ander werk.
Hier ben je sterk in.


Willen, kunnen en ruimte in je leven

Een overstap lukt beter als je het wilt en kunt. En als er ruimte voor is in je leven.
• Willen: hier ben je sterk in.
• Kunnen: hier kun je hulp bij gebruiken.
• Ruimte in je leven: hier kun je hulp bij gebruiken.


Waar je op moet letten

• Je hebt weinig tijd om te leren of rond te kijken.
• Je zorgt veel voor anderen.
• Je gezondheid maakt werken of leren soms zwaar.


Je situatie nu

• Je hebt bijna geen tijd.
• Je hebt geen geldzorgen.
• Je zorgt veel voor anderen.
• Je gezondheid maakt werken of leren vaak moeilijk.
• Taal en computer gaan goed.


Wat sterk is aan jou

• Je wilt heel graag ander werk.
• Je weet goed wat je zoekt.
• Je kent je sterke kanten goed.
• Je hebt veel werkervaring.
• Je hebt een diploma mbo 3-4, havo of vwo.
• Je regelt veel zelf in je werk.
• Veranderingen gaan je makkelijk af.
• Je leert graag iets nieuws.
• Je hebt veel vertrouwen in een overstap.


Je volgende stappen

1. Praat met een coach. Die denkt met je mee.
   Waarom: Er speelt veel in je leven. Een coach helpt je op weg.
2. Lees hoe je begint in een sector die bij je past.
   Waarom: Je weet wat je wilt. Lees alvast hoe je begint.


Neem dit mee naar een coach of het loket

• Laat dit overzicht zien aan een coach, het leerwerkloket of het werkcentrum.
• Neem ook je cv mee, als je dat hebt.
• Neem je diploma's en certificaten mee.
• Schrijf je vragen op. Bijvoorbeeld: welk werk past bij mij? Welke opleiding kan ik doen? Wie betaalt die?

Je gaf antwoord op 19 van de 19 vragen.
Wil je dat Loopbrug je profiel wist? Typ dan in de chat: wis mijn gegevens.
"""


def test_file_of_a_profile_with_everything_skipped():
    assert export.profile_file(score_profile(CASES["all skipped"]), CREATED) == SKIPPED_FILE


def test_file_of_a_heavy_life_profile_names_own_words_barriers_and_steps():
    profile = score_profile(CASES["heavy life"])
    assert export.profile_file(profile, CREATED) == HEAVY_LIFE_FILE


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_file_is_plain_text_without_scores_or_markdown(case):
    text = export.profile_file(score_profile(case), CREATED)
    assert not FORBIDDEN.search(text.replace("[", "").replace("]", "")), text
    assert not re.search(r"^\s*[-*] ", text, re.MULTILINE)  # no Markdown bullets
    assert problems(text, JARGON) == []
    text.encode("utf-8")


def test_file_name_has_the_date():
    assert export.file_name(CREATED) == "loopbrug-profiel-2026-03-05.txt"


def test_every_text_of_the_profile_is_plain_dutch():
    profile_texts = [t for key, t in catalogue().items() if key.startswith("profile.")]
    assert profile_texts
    for text in profile_texts:
        filled = re.sub(r"\{\w+\}", "iets", text)
        assert problems(filled, JARGON) == [], text
        assert not FORBIDDEN.search(filled), text


# --------------------------------------------------------------------------- the file payload


def test_file_payload_carries_a_link_or_the_content_never_both():
    link = file_message("Tik op de link.", "p.txt", url="/api/file/abc")
    assert link == {
        "text": "Tik op de link.",
        "file": {"name": "p.txt", "type": "text/plain; charset=utf-8", "url": "/api/file/abc"},
    }
    assert read_file(link).url == "/api/file/abc"
    inline = file_message("Hier is het.", "p.txt", content="Hallo")
    assert read_file(inline).content == "Hallo" and read_file(inline).url is None
    with pytest.raises(ValueError):
        file_message("x", "p.txt", url="/a", content="b")


@pytest.mark.parametrize(
    "custom",
    [
        None,
        {"text": "geen bestand"},
        {"file": {"name": "../../etc/passwd", "content": "x"}},  # a path is not a name
        {"file": {"name": "p.txt", "url": "https://elders.example/p.txt"}},  # not our server
        {"file": {"name": "p.txt", "url": "//elders.example/p.txt"}},
        {"file": {"name": "p.txt"}},  # neither link nor content
    ],
)
def test_malformed_file_payloads_are_ignored(custom):
    assert read_file(custom) is None


def test_the_widget_gets_the_caption_and_the_link_never_the_content():
    shown = messages.webhook_reply(
        [
            {
                "recipient_id": "web-x",
                "custom": file_message("Tik op de link.", "p.txt", url="/api/file/t"),
            }
        ]
    )
    assert shown == {
        "messages": [
            {
                "from": "bot",
                "text": "Tik op de link.",
                "file": {"name": "p.txt", "url": "/api/file/t"},
            }
        ],
        "buttons": [],
    }


# --------------------------------------------------------------------------- download links


@pytest.fixture
def url(tmp_path, monkeypatch):
    database = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    return database


def test_a_link_opens_only_the_own_profile_and_only_until_it_expires(url):
    profile = score_profile(CASES["heavy life"])
    db.save_profile("web-ann", {}, to_dict(profile), url=url)
    db.save_profile("web-bob", {}, to_dict(score_profile(CASES["strong"])), url=url)
    token = files.issue("web-ann", url=url)
    assert len(token) == 32
    name, text = files.download(token, "web-ann", url=url)
    assert name.startswith("loopbrug-profiel-") and "Je zorgt veel voor anderen." in text
    assert files.download(token, "web-bob", url=url) is None  # another person
    assert files.download("x" * 32, "web-ann", url=url) is None  # unknown token
    assert files.download("../etc", "web-ann", url=url) is None
    later = datetime.now(timezone.utc) + timedelta(hours=25)
    assert not files.allows(token, "web-ann", url=url, now=later)


def test_only_the_hash_of_a_token_is_stored_and_erasure_closes_the_link(url, tmp_path):
    db.save_profile("web-ann", {}, to_dict(score_profile(CASES["strong"])), url=url)
    token = files.issue("web-ann", url=url)
    assert token.encode() not in (tmp_path / "app.db").read_bytes()
    from loopbrug.privacy.erasure import erase_person

    erase_person("web-ann", url=url)
    assert files.download(token, "web-ann", url=url) is None


def test_expired_links_are_removed_when_a_new_one_is_made(url):
    old = files.issue("web-ann", url=url, now=datetime.now(timezone.utc) - timedelta(days=2))
    files.issue("web-bob", url=url)
    with db.sessions(url).begin() as session:
        hashes = {r.token_hash for r in session.query(files.ProfileDownload)}
    assert files.token_hash(old) not in hashes and len(hashes) == 1


# --------------------------------------------------------------------------- the actions


def tracker(sender="tg-42", text="", slots=None, intent="nlu_fallback"):
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, track):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return dispatcher.messages, events


def test_export_on_telegram_sends_summary_file_and_offer(url):
    profile = score_profile(CASES["money and low confidence"])
    db.save_profile("tg-42", {}, to_dict(profile), url=url)
    sent, events = run(ActionExportProfile(), tracker("tg-42"))
    assert events == [] and len(sent) == 3
    assert sent[0]["text"] == chat_summary(profile)
    file = read_file(sent[1]["custom"])
    assert file.url is None and file.content.startswith("Mijn profiel van Loopbrug\n")
    assert sent[1]["custom"]["text"] == (
        "Je hele profiel staat in dit bestand. Tik erop om het te openen of te bewaren."
    )
    assert sent[2]["response"] == "utter_profile_export_next_no_mail"  # no SMTP server


def test_export_offers_the_mail_only_when_an_smtp_server_is_set(url, monkeypatch):
    monkeypatch.setenv("LOOPBRUG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LOOPBRUG_SMTP_FROM", "loopbrug@example.nl")
    db.save_profile("tg-42", {}, to_dict(score_profile(CASES["strong"])), url=url)
    sent, _ = run(ActionExportProfile(), tracker("tg-42"))
    assert sent[2]["response"] == "utter_profile_export_next"


def test_export_in_the_widget_sends_a_link_not_the_content(url):
    db.save_profile("web-ann", {}, to_dict(score_profile(CASES["strong"])), url=url)
    sent, _ = run(ActionExportProfile(), tracker("web-ann"))
    file = read_file(sent[1]["custom"])
    assert file.content is None and file.url.startswith("/api/file/")
    assert sent[1]["custom"]["text"] == (
        "Je hele profiel staat in een bestand. Tik op de link om het op te slaan. "
        "De link werkt 24 uur."
    )
    token = file.url.rsplit("/", 1)[1]
    assert files.download(token, "web-ann", url=url) is not None


def test_export_without_a_profile_offers_the_self_test(url):
    sent, _ = run(ActionExportProfile(), tracker("tg-1"))
    assert [m["response"] for m in sent] == ["utter_no_profile_yet"]


def test_mail_without_smtp_says_how_to_save_and_gives_the_file(url):
    db.save_profile("tg-42", {}, to_dict(score_profile(CASES["strong"])), url=url)
    sent, events = run(ActionEmailProfile(), tracker("tg-42", "kan ik dit mailen?"))
    assert sent[0]["response"] == "utter_profile_email_unavailable_file"
    assert read_file(sent[1]["custom"]).content and len(sent) == 2 and events == []
    sent, _ = run(ActionEmailProfile(), tracker("web-ann", "kan ik dit mailen?"))
    assert [m["response"] for m in sent] == ["utter_no_profile_yet"]


def test_mail_without_smtp_does_not_give_the_file_twice_in_one_session(url):
    db.save_profile("tg-42", {}, to_dict(score_profile(CASES["strong"])), url=url)
    given = {"event": "bot", "data": {"custom": file_message("x", "p.txt", content="y")}}
    track = tracker("tg-42", "kan ik dit mailen?")
    track.events = [{"event": "session_started"}, given, {"event": "user", "text": "hoi"}]
    sent, _ = run(ActionEmailProfile(), track)
    assert [m.get("response") for m in sent] == ["utter_profile_email_unavailable_file"]
    # In a new session (a day later) the file comes again.
    track.events = [given, {"event": "session_started"}]
    sent, _ = run(ActionEmailProfile(), track)
    assert len(sent) == 2 and read_file(sent[1]["custom"]) is not None


def test_mail_with_smtp_asks_the_address_or_takes_it_from_the_message(url, monkeypatch):
    monkeypatch.setenv("LOOPBRUG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LOOPBRUG_SMTP_FROM", "loopbrug@example.nl")
    db.save_profile("tg-42", {}, to_dict(score_profile(CASES["strong"])), url=url)
    sent, events = run(ActionEmailProfile(), tracker("tg-42", "kan ik dit mailen?"))
    assert sent == []
    assert events == [
        SlotSet("profile_email", None),
        SlotSet("profile_email_stop", None),
        FollowupAction("profile_email_form"),
    ]
    _, events = run(ActionEmailProfile(), tracker("tg-42", "mail het naar Piet@Voorbeeld.nl"))
    assert SlotSet("profile_email", "Piet@voorbeeld.nl") in events


@pytest.mark.parametrize(
    "reply, expected, says",
    [
        # An address inside a sentence is found.
        ("mijn mail is piet@voorbeeld.nl", {"profile_email": "piet@voorbeeld.nl"}, []),
        # Not an address: a clear answer, the question stays.
        ("piet at voorbeeld", {"profile_email": None}, ["utter_profile_email_invalid"]),
        ("piet@", {"profile_email": None}, ["utter_profile_email_invalid"]),
        # The way out.
        ("stop", {"profile_email": None, "profile_email_stop": True}, []),
        ("nee laat maar", {"profile_email": None, "profile_email_stop": True}, []),
        ("toch niet", {"profile_email": None, "profile_email_stop": True}, []),
    ],
)
def test_the_address_question(reply, expected, says):
    dispatcher = CollectingDispatcher()
    result = ValidateProfileEmailForm().validate_profile_email(
        reply, dispatcher, tracker(text=reply), {}
    )
    assert result == expected
    assert [m["response"] for m in dispatcher.messages] == says


@pytest.mark.parametrize("reply", ["kan ik dit mailen?", "/email_profile"])
def test_the_question_that_starts_the_form_is_not_taken_as_an_address(reply):
    dispatcher = CollectingDispatcher()
    result = ValidateProfileEmailForm().validate_profile_email(
        reply, dispatcher, tracker(text=reply, intent="email_profile"), {}
    )
    assert result == {"profile_email": None} and dispatcher.messages == []


def test_an_address_that_contains_stop_words_is_still_an_address():
    assert not is_way_out("stop@voorbeeld.nl")


def test_after_stop_nothing_more_is_asked():
    form = ValidateProfileEmailForm()
    asked = asyncio.run(
        form.required_slots(
            ["profile_email"], None, tracker(slots={"profile_email_stop": True}), {}
        )
    )
    assert asked == []


# --------------------------------------------------------------------------- the mail


class Inbox:
    """What the local SMTP server received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_the_mail_is_sent_with_the_profile_and_the_address_forgotten(
    url, smtp, monkeypatch, caplog
):
    controller, inbox = smtp
    monkeypatch.setenv("LOOPBRUG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LOOPBRUG_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("LOOPBRUG_SMTP_FROM", "loopbrug@example.nl")
    profile = score_profile(CASES["heavy life"])
    db.save_profile("tg-42", {}, to_dict(profile), url=url)
    caplog.set_level("DEBUG")
    sent, events = run(
        ActionSendProfileEmail(), tracker("tg-42", slots={"profile_email": "ann@voorbeeld.nl"})
    )
    assert [m["response"] for m in sent] == ["utter_profile_email_sent"]
    assert events == [SlotSet("profile_email", None), SlotSet("profile_email_stop", None)]
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["ann@voorbeeld.nl"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Je profiel van Loopbrug"
    assert message["From"] == "loopbrug@example.nl"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    made = db.load_profile("tg-42", url)["updated_at"]
    expected_file = HEAVY_LIFE_FILE.replace("5 maart 2026", format_date(made))
    assert body == (
        "Hallo,\n\n"
        "Je vroeg Loopbrug in de chat om je profiel te mailen. Hieronder staat het. "
        "Het zit ook als bestand bij deze mail.\n\n"
        + expected_file.strip()
        + "\n\nDeze mail is één keer verstuurd. Loopbrug bewaart je e-mailadres niet. "
        "Heb je niet om deze mail gevraagd? Dan kun je hem weggooien.\n"
    )
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == export.file_name(made)
    assert attachment.get_content() == expected_file
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "ann@voorbeeld.nl" not in ours and "zorgt veel" not in ours


def test_a_failing_server_gets_a_plain_answer_and_the_address_is_forgotten(
    url, monkeypatch, caplog
):
    monkeypatch.setenv("LOOPBRUG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LOOPBRUG_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("LOOPBRUG_SMTP_FROM", "loopbrug@example.nl")
    db.save_profile("tg-42", {}, to_dict(score_profile(CASES["strong"])), url=url)
    sent, events = run(
        ActionSendProfileEmail(), tracker("tg-42", slots={"profile_email": "ann@voorbeeld.nl"})
    )
    assert [m["response"] for m in sent] == ["utter_profile_email_failed"]
    assert SlotSet("profile_email", None) in events
    assert "ann@voorbeeld.nl" not in caplog.text


def test_stopping_sends_nothing(url, smtp, monkeypatch):
    controller, inbox = smtp
    monkeypatch.setenv("LOOPBRUG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LOOPBRUG_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("LOOPBRUG_SMTP_FROM", "loopbrug@example.nl")
    db.save_profile("tg-42", {}, to_dict(score_profile(CASES["strong"])), url=url)
    sent, _ = run(ActionSendProfileEmail(), tracker("tg-42", slots={"profile_email_stop": True}))
    assert [m["response"] for m in sent] == ["utter_profile_email_stopped"]
    assert inbox.envelopes == []


def test_send_reports_an_unreachable_server_without_details():
    server = mail.MailServer(host="127.0.0.1", port=free_port(), sender="a@example.nl")
    message = mail.build_message(server, "b@example.nl", "s", "body", "f.txt", "text")
    with pytest.raises(mail.MailError) as caught:
        mail.send(server, message)
    assert "b@example.nl" not in str(caught.value)


# --------------------------------------------------------------------------- settings and logs


def test_smtp_settings_come_from_the_environment():
    from loopbrug.settings import load_settings

    settings = load_settings(
        {
            "LOOPBRUG_SMTP_HOST": "smtp.example.nl",
            "LOOPBRUG_SMTP_PORT": "587",
            "LOOPBRUG_SMTP_FROM": "loopbrug@example.nl",
            "LOOPBRUG_SMTP_USER": "lb",
            "LOOPBRUG_SMTP_PASSWORD": "geheim",
            "LOOPBRUG_SMTP_STARTTLS": "ja",
        }
    )
    assert settings.mail_configured and settings.smtp_starttls and settings.smtp_port == 587
    env = settings.child_environment({})
    assert (
        env["LOOPBRUG_SMTP_HOST"] == "smtp.example.nl" and env["LOOPBRUG_SMTP_STARTTLS"] == "true"
    )
    assert load_settings({"LOOPBRUG_SMTP_HOST": "smtp.example.nl"}).mail_configured is False
    assert not load_settings({}).mail_configured
    with pytest.raises(ValueError, match="LOOPBRUG_SMTP_STARTTLS"):
        load_settings({"LOOPBRUG_SMTP_STARTTLS": "misschien"})


def test_the_access_log_never_shows_a_download_token(caplog):
    import logging
    from types import SimpleNamespace

    from web.app import PrivateAccessLogger

    logger = PrivateAccessLogger(logging.getLogger("test.access"), "")
    request = SimpleNamespace(method="GET", path="/api/file/" + "T" * 32)
    with caplog.at_level("INFO", logger="test.access"):
        logger.log(request, SimpleNamespace(status=200), 0.01)
    assert caplog.messages == ["GET /api/file/<token> 200 10.0 ms"]
