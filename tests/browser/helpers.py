"""What the browser tests share: Chromium, axe, the widget and inbox steps (conftest.py has
the fixtures)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import List

import httpx
from playwright.sync_api import expect

from bot.serve import Helpline
from loopbrug.settings import ROOT, Settings
from tests.e2e.conftest import API_TOKEN

CHROMIUM = Path(os.environ.get("LOOPBRUG_CHROMIUM", "/usr/bin/chromium"))
# Flags for this machine's closed network (see .library/env/machines/python.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The README's picture. Rewritten only when missing or asked for (LOOPBRUG_SCREENSHOT=1), so a
# test run does not change a committed file; every run leaves a fresh one in var/test-logs.
SCREENSHOT = ROOT / "docs" / "widget.png"
LOG_DIR = ROOT / "var" / "test-logs"
REPLY_TIMEOUT_MS = 30_000
SESSION_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32}$")
FORGED = "B" * 32


def web_url(settings: Settings) -> str:
    return f"http://{settings.host}:{settings.web_port}"


class Problems:
    """Console errors (CSP violations among them) and uncaught errors of a page."""

    def __init__(self, page) -> None:
        self.seen: List[str] = []
        page.on("console", lambda m: self.seen.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.seen.append(str(e)))


# -- helpers ---------------------------------------------------------------------------------


def open_and_accept(page) -> None:
    page.get_by_role("button", name="Chat met Loopbrug").click()
    page.get_by_role("button", name="Start het gesprek").click()
    expect(page.get_by_label("Jouw bericht")).to_be_focused()


def say(page, text: str) -> None:
    before = page.locator(".lb-msg--bot, .lb-msg--coach, .lb-msg--system").count()
    page.get_by_label("Jouw bericht").fill(text)
    page.get_by_label("Jouw bericht").press("Enter")
    wait_for_answer(page, before)


def wait_for_answer(page, before: int) -> None:
    answers = page.locator(".lb-msg--bot, .lb-msg--coach, .lb-msg--system")
    expect(answers).not_to_have_count(before, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(".lb-typing")).to_have_text("", timeout=REPLY_TIMEOUT_MS)


def log_texts(page) -> List[str]:
    return page.locator(".lb-log .lb-msg__text").all_inner_texts()


def stored_session(page) -> str:
    return page.evaluate("localStorage.getItem('loopbrug.session')")


def run_axe(page) -> list:
    """WCAG 2.0/2.1 A and AA violations on the page as it is now (axe-core).

    axe-core goes in through DevTools (``evaluate``), which the page's CSP does not govern, so
    the page is checked as people get it, CSP and all (an inline script tag would be refused).
    """
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]],
            "summary": [n.get("failureSummary") for n in v["nodes"]][:3],
        }
        for v in result["violations"]
    ]


def add_tracker_events(helpline: Helpline, session: str, events: list) -> None:
    """What a coach (the handoff feature) or the bot adds to a conversation, via Rasa's API."""
    reply = httpx.post(
        f"{helpline.settings.rasa_url}/conversations/web-{session}/tracker/events",
        params={"token": API_TOKEN},
        json=events,
        timeout=30,
    )
    assert reply.status_code == 200, reply.text


COACH_PASSWORD = "browser-test-wachtwoord"


def coach_login(context, base_url: str, username: str):
    """A coach logs in through the real form; returns the inbox page."""
    inbox = context.new_page()
    inbox.set_default_timeout(REPLY_TIMEOUT_MS)
    inbox.goto(f"{base_url}/coach")  # not logged in: sent to the login form
    inbox.get_by_label("Gebruikersnaam").fill(username)
    inbox.get_by_label("Wachtwoord").fill(COACH_PASSWORD)
    inbox.get_by_role("button", name="Inloggen").click()
    expect(inbox).to_have_url(re.compile(r"/coach$"))
    return inbox


def add_coach(helpline: Helpline, username: str, name: str, teams=("landelijk",)):
    """A coach account with the tests' password, in the helpline's database."""
    from loopbrug.handoff.coaches import add_coach as add

    return add(username, name, list(teams), COACH_PASSWORD, url=helpline.settings.database_url)


def ask_for_a_coach_in_the_chat(page) -> str:
    """The person asks for a human, agrees, skips the place and chooses the chat; returns the
    ticket's reference."""
    say(page, "ik wil met een mens praten")
    assert "Vind je dat goed?" in log_texts(page)[-1]
    before = page.locator(".lb-msg--bot").count()
    page.get_by_role("button", name="Ja, dat is goed").click()
    wait_for_answer(page, before)
    say(page, "sla over")
    before = page.locator(".lb-msg--bot").count()
    page.get_by_role("button", name="Hier in de chat").click()
    wait_for_answer(page, before)
    return re.search(r"LB-[A-Z0-9]{6}", log_texts(page)[-1]).group(0)
