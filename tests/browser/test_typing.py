"""Typing indicators during a live chat, in a real Chromium against the real helpline (issue 19).

A person (widget) and a coach (inbox) in two browser contexts: once the coach has taken over,
the coach's page shows "De persoon typt…" while the person types, the widget shows
"<naam> typt…" while the coach types, and both go when the message is sent.
"""

from __future__ import annotations

from typing import List

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    REPLY_TIMEOUT_MS,
    Problems,
    add_coach,
    ask_for_a_coach_in_the_chat,
    coach_login,
    open_and_accept,
    run_axe,
    web_url,
)

pytestmark = pytest.mark.e2e

# The widget polls every 2 s while a coach has the chat, the inbox every 2 s; a signal shows
# for 6 s. Generous, so a busy test machine does not make the test flaky.
SHOWN_WITHIN_MS = 12_000


@pytest.fixture(scope="module", autouse=True)
def warm(helpline):
    """One handoff request through the web API first: the first turns of a fresh Rasa can
    take longer than the 5 s after which the channel says "Dit duurt wat langer"."""
    url = web_url(helpline.settings)
    session = httpx.post(f"{url}/api/session", json={}, timeout=30).json()["session"]
    for words in ("hoi", "ik wil met een mens praten"):
        httpx.post(f"{url}/api/message", json={"session": session, "message": words}, timeout=60)


def test_both_sides_see_the_other_typing_during_a_live_chat(browser, base_url, helpline):

    add_coach(helpline, "sanne", "Sanne", ("landelijk",))
    person = browser.new_context(viewport={"width": 390, "height": 800}, locale="nl-NL")
    coach = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        page = person.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        person_problems = Problems(page)
        signals: List[str] = []
        page.on(
            "request",
            lambda r: signals.append(r.post_data or "") if "/api/typing" in r.url else None,
        )
        page.goto(base_url)
        open_and_accept(page)
        ref = ask_for_a_coach_in_the_chat(page)

        # No coach has the chat yet: typing tells nobody anything.
        page.get_by_label("Jouw bericht").press_sequentially("nog even wachten", delay=20)
        page.wait_for_timeout(500)
        assert signals == []
        page.get_by_label("Jouw bericht").fill("")

        inbox = coach_login(coach, base_url, "sanne")
        coach_problems = Problems(inbox)
        inbox.get_by_role("link", name=ref).click()
        inbox.get_by_role("button", name="Ticket oppakken").click()
        inbox.get_by_role("button", name="Gesprek overnemen").click()
        expect(page.locator(".lb-live")).to_have_text("Je praat met Sanne")
        status = inbox.locator("#typing-state")
        expect(status).to_have_attribute("role", "status")
        expect(status).to_have_text("")

        # The person types: the coach sees it, politely, near the transcript.
        page.get_by_label("Jouw bericht").press_sequentially("ik heb een vraag over", delay=30)
        expect(status).to_have_text("De persoon typt…", timeout=SHOWN_WITHIN_MS)
        assert 1 <= len(signals) <= 2  # throttled: not one signal per key
        assert run_axe(inbox) == []

        # The message is sent: the indicator goes (and the message is in the transcript).
        page.get_by_label("Jouw bericht").press_sequentially(" mijn opleiding", delay=10)
        page.get_by_label("Jouw bericht").press("Enter")
        expect(status).to_have_text("", timeout=SHOWN_WITHIN_MS)
        expect(inbox.locator("#transcript")).to_contain_text(
            "ik heb een vraag over mijn opleiding", timeout=SHOWN_WITHIN_MS
        )

        # The coach types: the person sees "Sanne typt…" in the widget's status line.
        typing = page.locator(".lb-typing")
        expect(typing).to_have_text("")
        expect(typing).to_have_attribute("role", "status")
        inbox.get_by_label("Bericht aan de persoon").press_sequentially("Goed dat je", delay=30)
        expect(typing).to_have_text("Sanne typt…", timeout=SHOWN_WITHIN_MS)
        assert run_axe(page) == []

        # The reply is sent: the message arrives and "typt…" goes.
        inbox.get_by_label("Bericht aan de persoon").press_sequentially(" het vraagt.", delay=10)
        inbox.get_by_role("button", name="Verstuur").click()
        coach_message = page.locator(".lb-msg--coach").last
        expect(coach_message).to_contain_text("Goed dat je het vraagt.", timeout=SHOWN_WITHIN_MS)
        expect(typing).to_have_text("", timeout=SHOWN_WITHIN_MS)
        page.wait_for_timeout(3000)  # and it does not come back with the next polls
        expect(typing).to_have_text("")
        expect(inbox.locator("#typing-state")).to_have_text("")

        assert run_axe(page) == [] and run_axe(inbox) == []
        assert person_problems.seen == [] and coach_problems.seen == []
    finally:
        person.close()
        coach.close()


def test_the_coach_typing_goes_by_itself_when_the_coach_stops(browser, base_url, helpline):
    """No message, no "stopped": the widget's "typt…" goes after about 6 seconds."""

    add_coach(helpline, "ruben", "Ruben", ("landelijk",))
    person = browser.new_context(viewport={"width": 390, "height": 800}, locale="nl-NL")
    coach = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        page = person.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        page.goto(base_url)
        open_and_accept(page)
        ref = ask_for_a_coach_in_the_chat(page)
        inbox = coach_login(coach, base_url, "ruben")
        inbox.get_by_role("link", name=ref).click()
        inbox.get_by_role("button", name="Ticket oppakken").click()
        inbox.get_by_role("button", name="Gesprek overnemen").click()
        expect(page.locator(".lb-live")).to_have_text("Je praat met Ruben")

        inbox.get_by_label("Bericht aan de persoon").press_sequentially("Even kijken", delay=30)
        typing = page.locator(".lb-typing")
        expect(typing).to_have_text("Ruben typt…", timeout=SHOWN_WITHIN_MS)
        expect(typing).to_have_text("", timeout=SHOWN_WITHIN_MS)
        assert page.locator(".lb-msg--coach").count() == 0
    finally:
        person.close()
        coach.close()
