"""Issue 19: a coach works on a ticket page all day without reloading it.

Against the real helpline in Chromium (fixtures: conftest.py, steps: helpers.py): two coaches
on one ticket, a person writing in the widget, take over, reply and hand back with fetch, a
canned reply by keyboard only, the sound control, and axe on the page in its new states.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    LOG_DIR,
    REPLY_TIMEOUT_MS,
    Problems,
    add_coach,
    ask_for_a_coach_in_the_chat,
    coach_login,
    open_and_accept,
    run_axe,
    say,
)

pytestmark = pytest.mark.e2e

WIDE = {"width": 1366, "height": 900}
MARKER = "window.stillTheSamePage = true"  # a reload or a navigation would lose it


def person_asks_for_a_coach(browser, base_url: str):
    """A person in the widget asks for a coach in the chat; returns (context, page, ref)."""
    person = browser.new_context(viewport={"width": 390, "height": 800}, locale="nl-NL")
    page = person.new_page()
    page.set_default_timeout(REPLY_TIMEOUT_MS)
    page.goto(base_url)
    open_and_accept(page)
    ref = ask_for_a_coach_in_the_chat(page)
    return person, page, ref


def same_page(inbox) -> bool:
    return inbox.evaluate("window.stillTheSamePage === true")


def test_a_colleague_claiming_shows_on_the_other_coachs_page(browser, base_url, helpline):
    """Coach B has the ticket open; coach A claims it; B's page shows it by itself."""
    from tests.handoff_fixtures import make_ticket

    add_coach(helpline, "ilse", "Ilse")
    add_coach(helpline, "joost", "Joost")
    ticket = make_ticket(helpline.settings.database_url, "web-live-colleagues")
    first = browser.new_context(viewport=WIDE, locale="nl-NL")
    second = browser.new_context(viewport=WIDE, locale="nl-NL")
    try:
        a = coach_login(first, base_url, "ilse")
        b = coach_login(second, base_url, "joost")
        b_problems = Problems(b)
        for inbox in (a, b):
            inbox.goto(f"{base_url}/coach/tickets/{ticket.ref}")
            expect(inbox.get_by_role("button", name="Ticket oppakken")).to_be_visible()
        b.evaluate(MARKER)

        a.get_by_role("button", name="Ticket oppakken").click()
        expect(a.locator("#ticket-flash")).to_have_text("Je hebt het ticket opgepakt.")

        expect(b.locator("#ticket-state")).to_contain_text("Status: Opgepakt, opgepakt door Ilse.")
        expect(b.get_by_role("button", name="Ticket oppakken")).to_have_count(0)
        expect(b.get_by_text("Ilse heeft dit ticket.")).to_be_visible()
        expect(b.locator("#ticket-details")).to_contain_text("Ilse")
        assert same_page(b)
        assert b_problems.seen == []
    finally:
        first.close()
        second.close()


def test_the_persons_message_appears_on_the_page_and_in_the_list(browser, base_url, helpline):
    """ "is er al iemand?" typed in the widget shows on the coach's ticket page, also while the
    tab is in the background (emulated: visibilityState "hidden"), and in the list as a new
    message; with the sound on, it plays the tone."""
    add_coach(helpline, "karin", "Karin")
    person, page, ref = person_asks_for_a_coach(browser, base_url)
    coach = browser.new_context(viewport=WIDE, locale="nl-NL")
    try:
        listing = coach_login(coach, base_url, "karin")
        expect(listing.locator(f'tr[data-ref="{ref}"]')).to_be_visible()
        inbox = coach.new_page()
        problems = Problems(inbox)
        inbox.goto(f"{base_url}/coach/tickets/{ref}")
        sound = inbox.get_by_label("Geluid bij nieuw werk")
        expect(sound).to_be_visible()
        expect(sound).not_to_be_checked()  # off until the coach turns it on
        sound.check()
        assert inbox.evaluate("localStorage.getItem('loopbrug-sound')") == "on"
        listing.bring_to_front()
        inbox.evaluate(MARKER)
        inbox.evaluate(
            """() => {
                Object.defineProperty(document, 'visibilityState', {get: () => 'hidden'});
                Object.defineProperty(document, 'hidden', {get: () => true});
                document.dispatchEvent(new Event('visibilitychange'));
            }"""
        )
        played = inbox.evaluate("window.LoopbrugInbox.played")

        say(page, "is er al iemand?")

        expect(inbox.locator("#transcript .cb-line--person").last).to_contain_text(
            "is er al iemand?"
        )
        expect(inbox.locator("#transcript-state")).to_have_text(
            "De persoon heeft een nieuw bericht gestuurd."
        )
        assert inbox.evaluate("window.LoopbrugInbox.played") > played
        assert same_page(inbox)
        # The list (another tab) marks the ticket: the person wrote again.
        expect(listing.locator(f'tr[data-ref="{ref}"] .cb-badge')).to_have_text("nieuw bericht")
        assert problems.seen == []

        # The choice is remembered.
        inbox.reload()
        expect(inbox.get_by_label("Geluid bij nieuw werk")).to_be_checked()
    finally:
        person.close()
        coach.close()


def test_take_over_reply_and_hand_back_without_a_reload(browser, base_url, helpline):
    add_coach(helpline, "lieke", "Lieke")
    person, page, ref = person_asks_for_a_coach(browser, base_url)
    coach = browser.new_context(viewport=WIDE, locale="nl-NL")
    try:
        person_problems = Problems(page)
        inbox = coach_login(coach, base_url, "lieke")
        problems = Problems(inbox)
        inbox.get_by_role("link", name=ref).click()
        inbox.evaluate(MARKER)

        inbox.get_by_role("button", name="Ticket oppakken").click()
        expect(inbox.get_by_role("button", name="Gesprek overnemen")).to_be_focused()
        inbox.keyboard.press("Enter")
        reply = inbox.get_by_label("Bericht aan de persoon")
        expect(reply).to_be_focused()
        expect(page.locator(".lb-live")).to_have_text("Je praat met Lieke")
        expect(inbox.locator("#live-state")).to_have_text(
            "Een coach heeft het gesprek overgenomen."
        )

        # The newest lines and the reply box are on screen together (1366x900).
        height = inbox.viewport_size["height"]
        shown = inbox.locator("#transcript").bounding_box()
        assert shown["y"] + shown["height"] - max(shown["y"], 0) >= 150, "transcript"
        for part in ("#reply", "#ticket-reply form[action$='/reply'] button"):
            box = inbox.locator(part).bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, part
        inbox.screenshot(path=str(LOG_DIR / "inbox-ticket-live.png"))

        # An error is shown next to the field and what was typed stays.
        reply.fill("   ")
        inbox.get_by_role("button", name="Verstuur").click()
        error = inbox.locator("#reply-error")
        expect(error).to_have_text("Typ eerst een tekst.")
        expect(error).to_have_attribute("role", "alert")
        expect(reply).to_have_attribute("aria-describedby", "reply-error")
        expect(reply).to_have_attribute("aria-invalid", "true")
        expect(reply).to_have_value("   ")

        reply.fill("Ja, ik ben er. Vertel maar.")
        reply.press("Control+Enter")  # sends, like "Verstuur"
        coach_line = page.locator(".lb-msg--coach").last
        expect(coach_line).to_contain_text("Ja, ik ben er. Vertel maar.")
        expect(reply).to_have_value("")
        expect(reply).to_be_focused()
        expect(inbox.locator("#reply-error")).to_have_count(0)
        newest = inbox.locator("#transcript .cb-line").last
        expect(newest).to_contain_text("Ja, ik ben er. Vertel maar.")
        expect(newest).to_be_in_viewport()

        # The person answers: it shows by itself.
        page.get_by_label("Jouw bericht").fill("Ik zoek een opleiding.")
        page.get_by_label("Jouw bericht").press("Enter")
        expect(inbox.locator("#transcript .cb-line--person").last).to_contain_text(
            "Ik zoek een opleiding."
        )

        inbox.get_by_role("button", name="Gesprek teruggeven aan Loopbrug").click()
        expect(page.locator(".lb-log")).to_contain_text("teruggegeven")
        expect(inbox.get_by_role("button", name="Gesprek overnemen")).to_be_focused()
        expect(inbox.get_by_label("Bericht aan de persoon")).to_have_count(0)
        expect(inbox.locator("#live-state")).to_have_text("Loopbrug voert het gesprek.")

        # Closing too: the outcome is checked next to its field, then the ticket closes.
        inbox.get_by_role("button", name="Ticket sluiten").click()  # no outcome chosen
        expect(inbox.get_by_label("Uitkomst")).to_be_focused()  # the browser's own check
        inbox.get_by_label("Uitkomst").select_option(index=1)
        inbox.get_by_role("button", name="Ticket sluiten").click()
        expect(inbox.locator("#ticket-flash")).to_have_text("Het ticket is gesloten.")
        expect(inbox.locator("#ticket-state")).to_contain_text("Status: Gesloten")
        expect(inbox.get_by_role("button", name="Ticket sluiten")).to_have_count(0)
        expect(inbox.locator("#ticket-flash p")).to_be_focused()
        assert same_page(inbox)
        # The one refused POST (422, the empty reply) is the only message in the console.
        assert problems.seen == [
            "Failed to load resource: the server responded with a status of 422 "
            "(Unprocessable Entity)"
        ]
        assert person_problems.seen == []
    finally:
        person.close()
        coach.close()


def test_a_canned_reply_by_keyboard_only(browser, base_url, helpline):
    add_coach(helpline, "mila", "Mila")
    person, page, ref = person_asks_for_a_coach(browser, base_url)
    coach = browser.new_context(viewport=WIDE, locale="nl-NL")
    try:
        inbox = coach_login(coach, base_url, "mila")
        inbox.goto(f"{base_url}/coach/tickets/{ref}")
        inbox.evaluate(MARKER)
        inbox.get_by_role("button", name="Ticket oppakken").focus()
        inbox.keyboard.press("Enter")
        expect(inbox.get_by_role("button", name="Gesprek overnemen")).to_be_focused()
        inbox.keyboard.press("Enter")
        reply = inbox.get_by_label("Bericht aan de persoon")
        expect(reply).to_be_focused()

        inbox.keyboard.type("Fijn dat je er bent.")
        inbox.keyboard.press("Shift+Tab")  # "Invoegen"
        inbox.keyboard.press("Shift+Tab")  # the list of texts
        expect(inbox.get_by_label("Standaardtekst")).to_be_focused()
        inbox.keyboard.press("ArrowDown")  # the first text: "Welkom"
        expect(inbox.get_by_label("Standaardtekst")).to_have_value("0")
        inbox.keyboard.press("Tab")
        expect(inbox.get_by_role("button", name="Invoegen")).to_be_focused()
        inbox.keyboard.press("Enter")
        welcome = (
            "Hoi, ik ben Mila van Loopbrug. Ik lees even wat je al hebt gevraagd. "
            "Daarna help ik je verder."
        )
        expect(reply).to_be_focused()
        expect(reply).to_have_value("Fijn dat je er bent. " + welcome)

        inbox.keyboard.press("Tab")
        expect(inbox.get_by_role("button", name="Verstuur")).to_be_focused()
        inbox.keyboard.press("Enter")
        expect(page.locator(".lb-msg--coach").last).to_contain_text(
            "Fijn dat je er bent. " + welcome
        )
        assert same_page(inbox)
    finally:
        person.close()
        coach.close()


def test_axe_finds_no_violations_on_the_ticket_page_in_its_new_states(browser, base_url, helpline):
    """The live chat with canned replies and sound control, a field error, a flash message,
    and a colleague's claim shown without reload."""
    from loopbrug.handoff import store
    from tests.handoff_fixtures import make_ticket

    url = helpline.settings.database_url
    add_coach(helpline, "nina", "Nina")
    other = add_coach(helpline, "otto", "Otto").id
    ticket = make_ticket(url, "web-live-axe-" + "C" * 20)
    watched = make_ticket(url, "web-live-axe-watched")
    context = browser.new_context(viewport=WIDE, locale="nl-NL")
    try:
        inbox = coach_login(context, base_url, "nina")
        inbox.goto(f"{base_url}/coach/tickets/{ticket.ref}")
        inbox.get_by_role("button", name="Ticket oppakken").click()
        inbox.get_by_role("button", name="Gesprek overnemen").click()
        expect(inbox.get_by_label("Bericht aan de persoon")).to_be_focused()
        expect(inbox.get_by_label("Geluid bij nieuw werk")).to_be_visible()
        assert run_axe(inbox) == [], "live chat with canned replies"
        inbox.get_by_label("Bericht aan de persoon").fill("  ")
        inbox.get_by_role("button", name="Verstuur").click()
        expect(inbox.locator("#reply-error")).to_be_visible()
        assert run_axe(inbox) == [], "a field error"

        inbox.goto(f"{base_url}/coach/tickets/{watched.ref}")
        inbox.evaluate(MARKER)
        store.claim(watched.ref, other, url=url)
        expect(inbox.get_by_text("Otto heeft dit ticket.")).to_be_visible()
        assert same_page(inbox)
        assert run_axe(inbox) == [], "a colleague's claim"
    finally:
        context.close()


def test_a_transfer_to_another_team_with_a_note(browser, base_url, helpline):
    """Coach Karin (national team) transfers a ticket to Twente with a note: she lands on her
    list, told where it went; Twente's coach Luuk sees it arrive in his open list without a
    reload, and reads the note in the ticket's history."""
    from tests.handoff_fixtures import make_ticket

    add_coach(helpline, "karin", "Karin")
    add_coach(helpline, "luuk", "Luuk", teams=("twente",))
    ticket = make_ticket(helpline.settings.database_url, "web-live-transfer", team="landelijk")
    first = browser.new_context(viewport=WIDE, locale="nl-NL")
    second = browser.new_context(viewport=WIDE, locale="nl-NL")
    try:
        karin = coach_login(first, base_url, "karin")
        luuk = coach_login(second, base_url, "luuk")
        problems = Problems(karin), Problems(luuk)
        expect(luuk.locator(f'tr[data-ref="{ticket.ref}"]')).to_have_count(0)
        luuk.evaluate(MARKER)

        karin.goto(f"{base_url}/coach/tickets/{ticket.ref}")
        karin.get_by_role("button", name="Ticket oppakken").click()
        expect(karin.locator("#ticket-flash")).to_have_text("Je hebt het ticket opgepakt.")
        karin.get_by_label("Overdragen aan een ander team").select_option("twente")
        note = "Woont in Enschede. Wil een opleiding in de zorg."
        karin.get_by_label("Notitie voor het andere team (verplicht)").fill(note)
        karin.get_by_role("button", name="Overdragen").click()

        expect(karin).to_have_url(re.compile(r"/coach\?melding=overgedragen$"))
        expect(karin.get_by_role("status").filter(has_text="overgedragen")).to_have_text(
            "Het ticket is overgedragen aan het andere team."
        )
        expect(karin.locator(f'tr[data-ref="{ticket.ref}"]')).to_have_count(0)

        row = luuk.locator(f'tr[data-ref="{ticket.ref}"]')
        expect(row).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        expect(row.locator(".cb-badge")).to_have_text("nieuw")  # new work for Twente
        assert same_page(luuk)
        luuk.get_by_role("link", name=ticket.ref).click()
        history = luuk.locator("#ticket-history")
        expect(history).to_contain_text("Overgedragen aan een ander team")
        expect(history).to_contain_text(f"Naar Leerwerkloket Twente. Notitie: {note}")
        assert problems[0].seen == [] and problems[1].seen == []
    finally:
        first.close()
        second.close()
