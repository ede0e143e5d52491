"""Privacy end to end, against the real servers: erasure, masking, logs, the statement, access.

Uses the shared helpline of tests/e2e/conftest.py (logs in var/test-logs). The seeded BSN,
IBAN, phone number and e-mail address are new random values on every run, so a match in a
log file can only come from this run.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import uuid
from pathlib import Path
from typing import List

import httpx
import pytest
from stdnum import iban as iban_check
from stdnum.nl import bsn as bsn_check

from bot.serve import Helpline
from loopbrug import db
from loopbrug.handoff import store
from loopbrug.handoff.coaches import add_coach
from loopbrug.privacy import statement
from loopbrug.settings import ROOT
from tests.e2e.conftest import PASSWORD, Coach, WebPerson

pytestmark = pytest.mark.e2e

LOG_DIR = ROOT / "var" / "test-logs"


def random_bsn() -> str:
    while True:
        candidate = f"{random.randrange(10**8, 10**9)}"
        if bsn_check.is_valid(candidate):
            return candidate


def random_iban() -> str:
    account = f"{random.randrange(10**9, 10**10)}"
    body = f"ABNA{account}"
    digits = iban_check.calc_check_digits("NL00" + body)
    return f"NL{digits}{body}"


@pytest.fixture
def person(helpline: Helpline) -> WebPerson:
    return WebPerson(helpline)


def db_path(helpline: Helpline) -> Path:
    return Path(helpline.settings.database_url.removeprefix("sqlite:///"))


def tracker_rows(helpline: Helpline, sender: str) -> List[dict]:
    with sqlite3.connect(db_path(helpline)) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_the_bots_privacy_answer_is_the_statement_on_the_page(helpline, person):
    answer = person.text("wat doen jullie met mijn gegevens")
    lines = statement.lines(helpline.settings)
    assert answer.splitlines() == lines
    page = person.client.get("/privacy").text
    for line in lines:
        assert line.replace("'", "&#39;") in page


def test_erasure_after_confirmation_removes_everything_about_the_person(helpline, person):
    url = helpline.settings.database_url
    person.text("ik heb schulden en de deurwaarder komt morgen")
    person.text("ik wil een coach")
    person.text("ja")
    person.text("Enschede")
    assert "LB-" in person.text("hier in de chat")
    ref = store.open_ticket_for(person.sender, url).ref
    db.save_profile(person.sender, {"q_talent": {"value": "koken"}}, {"blocks": {}}, url=url)
    db.save_money_check(person.sender, {"colour": "rood"}, url=url)
    assert any(e.get("text") == "Enschede" for e in tracker_rows(helpline, person.sender))

    assert "Dit kan niet terug" in person.text("wis al mijn gegevens")
    assert "gewist" in person.text("ja")

    kept = tracker_rows(helpline, person.sender)
    assert [e["event"] for e in kept if e["event"] == "user"] == []
    assert "deurwaarder" not in json.dumps(kept) and "Enschede" not in json.dumps(kept)
    assert db.load_profile(person.sender, url=url) is None
    assert db.latest_money_check(person.sender, url=url) is None
    assert store.latest_ticket_for(person.sender, url=url) is None
    tombstone = store.get_ticket(ref, url=url)
    assert tombstone.outcome == "gewist" and tombstone.summary == {}
    history = person.client.get("/api/history", params={"session": person.session}).json()
    assert [m["from"] for m in history["messages"]] == ["bot"]

    # The conversation goes on, from a clean start.
    assert "digitale assistent" in person.text("hoi")


def test_no_means_nothing_is_erased(helpline, person):
    person.text("hoi")
    assert "Dit kan niet terug" in person.text("verwijder mijn gegevens")
    assert "ik wis niets" in person.text("nee").lower()
    assert any(e["event"] == "user" for e in tracker_rows(helpline, person.sender))


def test_personal_numbers_are_masked_in_tickets_and_never_logged(helpline, person):
    bsn, iban = random_bsn(), random_iban()
    phone = "061" + f"{random.randrange(10**6, 10**7)}"  # 061: always a valid mobile number
    email = f"test.{uuid.uuid4().hex[:10]}@voorbeeld.nl"
    # One question whose intent is clear (every typed message goes into the summary), so the test
    # does not depend on how the random numbers sway the classifier.
    person.text(f"hoe kom ik aan een scholingsvoucher? bsn {bsn}, iban {iban}, mail {email}")
    # Written the way people write them: a BSN in dotted groups, an IBAN in lower case with
    # dashes (formats that once reached a coach unmasked). The coach's transcript shows them.
    dotted_bsn = f"{bsn[:3]}.{bsn[3:6]}.{bsn[6:]}"
    dashed_iban = "-".join(iban[i : i + 4] for i in range(0, len(iban), 4)).lower()
    person.text(f"mijn bsn is {dotted_bsn} en mijn rekening {dashed_iban}")
    person.text("ik wil een coach")
    person.text("ja")
    person.text("sla over")
    person.text(f"bel me op {phone}")
    assert "LB-" in person.text("middag")

    ticket = store.open_ticket_for(person.sender, helpline.settings.database_url)
    summary = json.dumps(ticket.summary, ensure_ascii=False)
    assert "[BSN]" in summary and "[IBAN]" in summary and "[e-mail]" in summary
    for value in (bsn, iban, email, dotted_bsn, dashed_iban):
        assert value not in summary
    assert ticket.contact_detail.replace(" ", "").endswith(phone[1:])  # the chosen route

    # The coach's view of the conversation masks every format.
    add_coach("privacycoach", "Pia", [ticket.team], PASSWORD, url=helpline.settings.database_url)
    lines = Coach(helpline, "privacycoach").transcript(ticket.ref)["lines"]
    shown = json.dumps(lines, ensure_ascii=False)
    assert "[BSN]" in shown and "[IBAN]" in shown and "[e-mail]" in shown
    for value in (bsn, iban, email, dotted_bsn, dashed_iban):
        assert value not in shown

    secrets_typed = [bsn, iban, email, phone, phone[1:], dotted_bsn, dashed_iban, "schulden"]
    logs = [p for p in LOG_DIR.rglob("*.log") if p.is_file()]
    assert logs, f"no log files under {LOG_DIR}"
    found = {
        str(path.relative_to(LOG_DIR)): value
        for path in logs
        for value in secrets_typed
        if value in path.read_text(encoding="utf-8", errors="replace")
    }
    assert found == {}


def test_access_needs_an_issued_session_a_token_and_a_login(helpline, person):
    web = person.client
    forged = "A" * 32
    assert web.get("/api/history", params={"session": forged}).status_code == 403
    assert web.post("/api/message", json={"session": forged, "message": "hoi"}).status_code == 403
    assert web.get("/api/updates", params={"session": forged}).status_code == 403
    coach_page = web.get("/coach/tickets/LB-AAAAAA")
    assert coach_page.status_code == 303 and coach_page.headers["location"] == "/coach/login"
    assert web.post("/coach/tickets/LB-AAAAAA/claim").status_code == 403
    tracker = httpx.get(f"{helpline.settings.rasa_url}/conversations/{person.sender}/tracker")
    assert tracker.status_code == 401
    assert re.match(r"^[A-Za-z0-9_-]{32}$", person.session)
