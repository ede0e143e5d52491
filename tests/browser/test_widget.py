"""The chat widget in a real headless Chromium (Debian's), against the real helpline.

Playwright for Python drives /usr/bin/chromium (``executable_path``; Playwright's own browser
download is never used). The helpline (action server, Rasa, web server) runs on free ports.
axe-core comes from the npm registry (web/package.json, ``npm ci`` in web/).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from loopbrug.settings import ROOT
from tests.browser.helpers import (
    FORGED,
    LOG_DIR,
    REPLY_TIMEOUT_MS,
    SCREENSHOT,
    SESSION_SHAPE,
    Problems,
    add_coach,
    add_tracker_events,
    ask_for_a_coach_in_the_chat,
    coach_login,
    log_texts,
    open_and_accept,
    run_axe,
    say,
    stored_session,
    wait_for_answer,
)

pytestmark = pytest.mark.e2e

# -- the conversation ------------------------------------------------------------------------


def test_notice_message_quick_reply_and_reload(page, base_url):
    problems = Problems(page)
    page.goto(base_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo")

    # The privacy notice comes before the first message; nothing is asked of the server yet.
    page.get_by_role("button", name="Chat met Loopbrug").click()
    notice = page.locator(".lb-privacy")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("BSN")
    expect(page.get_by_label("Jouw bericht")).to_be_hidden()
    assert stored_session(page) is None
    page.get_by_role("button", name="Start het gesprek").click()
    expect(page.get_by_label("Jouw bericht")).to_be_focused()

    # A typed message; the typing indicator shows while the answer is on its way.
    page.evaluate(
        """() => {
        window.typingSeen = [];
        const typing = document.querySelector('.lb-typing');
        new MutationObserver(() => window.typingSeen.push(typing.textContent))
            .observe(typing, {childList: true, subtree: true, characterData: true});
    }"""
    )
    say(page, "hoi")
    assert "Loopbrug typt…" in page.evaluate("window.typingSeen")
    texts = log_texts(page)
    assert texts[0] == "hoi"
    assert "digitale assistent" in texts[1]
    replies = page.get_by_role("group", name="Kies een antwoord").get_by_role("button")
    assert "Praten met een coach" in replies.all_inner_texts()
    assert SESSION_SHAPE.match(stored_session(page))
    session = stored_session(page)
    page.mouse.move(0, 0)  # no hover effect in the screenshot
    page.screenshot(path=str(LOG_DIR / "widget.png"))
    if os.environ.get("LOOPBRUG_SCREENSHOT") == "1" or not SCREENSHOT.exists():
        page.screenshot(path=str(SCREENSHOT))

    # A quick reply sends its payload and shows its title as the person's text.
    before = page.locator(".lb-msg--bot").count()
    page.get_by_role("button", name="Opleiding betalen").click()
    wait_for_answer(page, before)
    texts = log_texts(page)
    assert "Opleiding betalen" in texts
    assert not any(t.startswith("/") for t in texts)  # never the payload
    assert len(texts) >= 4
    expect(page.get_by_label("Jouw bericht")).to_be_focused()  # focus did not get lost

    # A reload keeps the conversation (same session, history from the server).
    page.reload()
    expect(page.locator(".lb-log .lb-msg")).to_have_count(len(texts))
    assert log_texts(page) == texts
    assert stored_session(page) == session
    assert problems.seen == []  # no CSP violation, no script error


def test_keyboard_only(page, base_url):
    page.goto(base_url)
    launcher = page.get_by_role("button", name="Chat met Loopbrug")
    for _ in range(10):  # the demo page has no links: the launcher is the first stop
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el === document.activeElement"):
            break
    expect(launcher).to_be_focused()
    outline = launcher.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".lb-privacy__title")).to_be_focused()
    page.keyboard.press("Tab")  # from the notice's heading to its button
    expect(page.get_by_role("button", name="Start het gesprek")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Jouw bericht")).to_be_focused()
    page.keyboard.type("hoi")
    before = page.locator(".lb-msg--bot").count()
    page.keyboard.press("Enter")
    wait_for_answer(page, before)
    page.keyboard.press("Tab")  # from the input to the send button
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back into the quick replies
    expect(page.locator(".lb-reply").last).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".lb-panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


# -- safety ----------------------------------------------------------------------------------

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>vet</b>'


def test_html_from_the_person_the_bot_and_a_coach_stays_text(page, base_url, helpline):
    problems = Problems(page)
    page.goto(base_url)
    open_and_accept(page)
    say(page, HOSTILE)
    assert log_texts(page)[0] == HOSTILE

    session = stored_session(page)
    add_tracker_events(
        helpline,
        session,
        [
            {"event": "bot", "text": HOSTILE, "data": {}},
            {
                "event": "bot",
                "text": "Hoi, ik ben Anna.\nIk help je verder.",
                "data": {"custom": {"from": "coach", "name": "Anna <i>de</i> Coach"}},
            },
        ],
    )
    page.reload()
    expect(page.locator(".lb-msg--coach")).to_have_count(1)
    assert log_texts(page).count(HOSTILE) == 2  # the person's and the bot's, both as text
    log = page.locator(".lb-log")
    assert log.locator("img, script, b, i").count() == 0
    assert page.evaluate("window.pwned") is None

    coach = page.locator(".lb-msg--coach")
    expect(coach.locator(".lb-msg__who")).to_have_text("Anna <i>de</i> Coach, coach")
    expect(coach.locator(".lb-msg__who")).to_be_visible()
    assert coach.locator(".lb-msg__text").inner_text() == "Hoi, ik ben Anna.\nIk help je verder."
    # Distinct from the bot: another background, and its own label.
    colours = page.evaluate(
        """() => [...document.querySelectorAll('.lb-msg--bot, .lb-msg--coach')]
            .map(m => getComputedStyle(m).backgroundColor)"""
    )
    assert len(set(colours)) == 2
    assert problems.seen == []


def test_the_render_function_makes_text_nodes_only(page, base_url):
    page.goto(base_url)
    html = page.evaluate(
        """() => window.loopbrugWidget.render(
            {from: 'coach', name: '<img src=x>', text: '<b>hi</b>'}).outerHTML"""
    )
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x&gt;, coach" in html and "&lt;b&gt;hi&lt;/b&gt;" in html
    assert "lb-msg--coach" in html
    html = page.evaluate("() => window.loopbrugWidget.render({from: 'evil', text: 'x'}).outerHTML")
    assert "lb-msg--bot" in html  # an unknown sender is shown as the bot, never as a class


def test_a_forged_session_is_refused_and_replaced(page, base_url):
    page.goto(base_url)
    refused = page.request.post(
        f"{base_url}/api/message", data={"session": FORGED, "message": "hoi"}
    )
    assert refused.status == 403
    assert page.request.get(f"{base_url}/api/history?session={FORGED}").status == 403

    page.evaluate(
        """forged => { localStorage.setItem('loopbrug.session', forged);
                       localStorage.setItem('loopbrug.privacy', '1'); }""",
        FORGED,
    )
    page.reload()
    page.get_by_role("button", name="Chat met Loopbrug").click()
    expect(page.get_by_label("Jouw bericht")).to_be_focused()
    # Polled from here: Playwright's wait_for_function evaluates its predicate with eval while
    # it polls, which the page's CSP (no 'unsafe-eval') refuses, so it failed whenever the
    # widget had not yet dropped the forged id at the first look.
    for _ in range(100):
        if stored_session(page) is None:
            break
        page.wait_for_timeout(100)
    assert stored_session(page) is None
    say(page, "hoi")
    assert "digitale assistent" in log_texts(page)[1]
    session = stored_session(page)
    assert session != FORGED and SESSION_SHAPE.match(session)


# -- accessibility ---------------------------------------------------------------------------


@pytest.mark.parametrize("width, height", [(1280, 800), (320, 640)])
def test_axe_finds_no_wcag_a_or_aa_violations(browser, base_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        page.goto(base_url)
        assert run_axe(page) == [], "demo page, widget closed"
        page.get_by_role("button", name="Chat met Loopbrug").click()
        expect(page.locator(".lb-privacy")).to_be_visible()
        assert run_axe(page) == [], "privacy notice"
        page.get_by_role("button", name="Start het gesprek").click()
        say(page, "hoi")
        page.locator(".lb-log").evaluate(
            "log => log.appendChild(window.loopbrugWidget.render("
            "{from: 'coach', name: 'Anna', text: 'Hoi, ik neem het over.'}))"
        )
        page.locator(".lb-log").evaluate(
            "log => log.appendChild(window.loopbrugWidget.render("
            "{from: 'system', text: 'Je bericht kwam niet aan.'}))"
        )
        expect(page.locator(".lb-reply").first).to_be_visible()
        assert run_axe(page) == [], f"conversation at {width} px"

        # The check itself works: an input without a label is reported.
        page.evaluate("document.body.appendChild(document.createElement('input'))")
        assert "label" in [violation["id"] for violation in run_axe(page)]
    finally:
        context.close()


@pytest.mark.parametrize("width, height", [(320, 640), (640, 400)])  # 640x400: 1280x800 at 200 %
def test_small_screens_and_zoom_need_no_sideways_scrolling(browser, base_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        page.goto(base_url)
        open_and_accept(page)
        say(page, "hoi")
        sideways = page.evaluate(
            """() => [document.scrollingElement, ...document.querySelectorAll('.lb-panel *')]
                .filter(e => e.scrollWidth > e.clientWidth + 1
                             && getComputedStyle(e).overflowX !== 'hidden'
                             && e.clientWidth > 0)
                .map(e => e.className || e.tagName)"""
        )
        assert sideways == []
        for control in (
            page.get_by_label("Jouw bericht"),
            page.get_by_role("button", name="Verstuur"),
            page.get_by_role("button", name="Chat sluiten"),
        ):
            expect(control).to_be_in_viewport()
        box = page.locator(".lb-panel").bounding_box()
        assert box is not None and box["width"] <= width and box["height"] <= height
    finally:
        context.close()


# -- live takeover by a coach (handoff) ------------------------------------------------------


def test_a_coach_takes_over_the_widget_chat_and_hands_it_back(browser, base_url, helpline):

    add_coach(helpline, "lotte", "Lotte", ("landelijk",))
    person = browser.new_context(viewport={"width": 390, "height": 800}, locale="nl-NL")
    coach = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        page = person.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        person_problems = Problems(page)
        page.goto(base_url)
        open_and_accept(page)
        ref = ask_for_a_coach_in_the_chat(page)

        inbox = coach_login(coach, base_url, "lotte")
        coach_problems = Problems(inbox)
        inbox.get_by_role("link", name=ref).click()
        inbox.get_by_role("button", name="Ticket oppakken").click()
        inbox.get_by_role("button", name="Gesprek overnemen").click()

        # The person sees who joined, without reloading, and the status line under the log.
        expect(page.locator(".lb-log")).to_contain_text("Je praat nu met Lotte")
        expect(page.locator(".lb-live")).to_have_text("Je praat met Lotte")

        page.get_by_label("Jouw bericht").fill("hallo Lotte, ben je er?")
        page.get_by_label("Jouw bericht").press("Enter")
        # The coach's page shows it by itself (coach.js polls the transcript).
        expect(inbox.locator("#transcript")).to_contain_text("hallo Lotte, ben je er?")

        inbox.get_by_label("Bericht aan de persoon").fill("Ja, ik ben er. Vertel maar.")
        inbox.get_by_role("button", name="Verstuur").click()
        coach_message = page.locator(".lb-msg--coach").last
        expect(coach_message).to_contain_text("Ja, ik ben er. Vertel maar.")
        expect(coach_message).to_contain_text("Lotte")

        inbox.get_by_role("button", name="Gesprek teruggeven aan Loopbrug").click()
        expect(page.locator(".lb-log")).to_contain_text("teruggegeven")
        expect(page.locator(".lb-live")).to_be_hidden()
        say(page, "wat kun je allemaal")
        assert page.locator(".lb-msg--bot").last.inner_text()

        # Closing with contact asks the person whether the coach helped, with two buttons
        # that the widget shows without a reload; the answer reaches the ticket page.
        inbox.get_by_label("Uitkomst").select_option("contact")
        inbox.get_by_role("button", name="Ticket sluiten").click()
        question = f"Je vraag aan Lotte is afgerond (ticket {ref}). Heeft de coach je geholpen?"
        expect(page.locator(".lb-msg--bot .lb-msg__text").last).to_have_text(question)
        expect(page.locator(".lb-reply")).to_have_text(["Ja", "Nee"])
        # A long log does not squeeze the buttons: both are whole, nothing to scroll to.
        clipped = page.evaluate(
            "() => { const r = document.querySelector('.lb-replies');"
            " return r.scrollHeight - r.clientHeight; }"
        )
        assert clipped <= 1
        before = page.locator(".lb-msg--bot").count()
        page.get_by_role("button", name="Ja", exact=True).click()
        wait_for_answer(page, before)
        assert log_texts(page)[-1].startswith("Fijn om te horen!")
        inbox.reload()
        expect(inbox.locator("#satisfaction")).to_have_text(re.compile(r"^Ja \("))

        assert person_problems.seen == [] and coach_problems.seen == []
    finally:
        person.close()
        coach.close()


def test_a_coach_turned_off_during_a_live_chat_hands_it_back(browser, base_url, helpline):
    """Issue 19: the account of a coach is turned off (the real ``coaches deactivate``
    command) while they have the chat; the bot answers again and the person is told."""
    import subprocess
    import sys

    from loopbrug.handoff import store
    from loopbrug.texts import text

    add_coach(helpline, "noor", "Noor", ("landelijk",))
    person = browser.new_context(viewport={"width": 390, "height": 800}, locale="nl-NL")
    coach = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        page = person.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        person_problems = Problems(page)
        page.goto(base_url)
        open_and_accept(page)
        ref = ask_for_a_coach_in_the_chat(page)

        inbox = coach_login(coach, base_url, "noor")
        inbox.get_by_role("link", name=ref).click()
        inbox.get_by_role("button", name="Ticket oppakken").click()
        inbox.get_by_role("button", name="Gesprek overnemen").click()
        expect(page.locator(".lb-live")).to_have_text("Je praat met Noor")

        done = subprocess.run(
            [sys.executable, "-m", "loopbrug.handoff.coaches", "deactivate", "--username", "noor"],
            env=helpline.settings.child_environment(os.environ),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "1 ticket(s)" in done.stdout

        # The person reads it without reloading, and the bot answers again.
        expect(page.locator(".lb-log")).to_contain_text(text("handoff.handback_away"))
        expect(page.locator(".lb-live")).to_be_hidden()
        say(page, "hallo? ben je er nog?")
        assert page.locator(".lb-msg--bot").last.inner_text()
        ticket = store.get_ticket(ref, helpline.settings.database_url)
        assert (ticket.live, ticket.coach_id, ticket.status) == (False, None, store.NEW)
        kinds = [e["kind"] for e in store.events(ticket.id, helpline.settings.database_url)]
        assert kinds[-2:] == ["auto_handback", "release"]
        # Noor's session ended with her account: the inbox sends her to the login form.
        inbox.goto(f"{base_url}/coach")
        expect(inbox).to_have_url(re.compile(r"/coach/login$"))
        assert person_problems.seen == []
    finally:
        person.close()
        coach.close()


def test_axe_finds_no_violations_in_the_coach_inbox(browser, base_url, helpline):
    from tests.handoff_fixtures import make_ticket

    add_coach(helpline, "sem", "Sem", ("landelijk",))
    ticket = make_ticket(helpline.settings.database_url, "web-axe-" + FORGED[:8])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        login = context.new_page()
        login.goto(f"{base_url}/coach/login")
        assert run_axe(login) == [], "login page"
        inbox = coach_login(context, base_url, "sem")
        assert run_axe(inbox) == [], "ticket list"
        inbox.goto(f"{base_url}/coach/tickets/{ticket.ref}")
        expect(inbox.get_by_role("heading", level=1)).to_contain_text(ticket.ref)
        assert run_axe(inbox) == [], "ticket page"
    finally:
        context.close()


def test_a_coach_searches_a_reference_and_finds_the_ticket(browser, base_url, helpline):
    """A reference read out on the phone ("k7m2pq") finds its ticket; the list with the search,
    the ticket page with its times and the person's earlier ticket pass axe."""
    from loopbrug.handoff import store
    from tests.handoff_fixtures import make_ticket

    url = helpline.settings.database_url
    coach_id = add_coach(helpline, "noor", "Noor", ("landelijk",)).id
    earlier = make_ticket(url, "web-search-" + FORGED[:8])
    store.claim(earlier.ref, coach_id, url=url)
    store.add_event(earlier.ref, coach_id, "note", "Heeft een afspraak bij het loket", url=url)
    store.close(earlier.ref, coach_id, "doorverwezen", url=url)
    ticket = make_ticket(url, "web-search-" + FORGED[:8])
    make_ticket(url, "web-search-other-" + FORGED[:8])
    spoken = ticket.ref.removeprefix("LB-").lower()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        inbox = coach_login(context, base_url, "noor")
        problems = Problems(inbox)
        inbox.get_by_label("Zoek op referentie").fill(spoken)
        inbox.get_by_role("button", name="Zoek", exact=True).click()
        expect(inbox).to_have_url(re.compile(r"/coach\?q=" + spoken))
        rows = inbox.locator(".cb-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(ticket.ref)
        expect(inbox.get_by_label("Zoek op referentie")).to_have_value(spoken)
        assert run_axe(inbox) == [], "ticket list with a search"

        inbox.get_by_role("link", name=ticket.ref).click()
        expect(inbox.get_by_role("heading", level=1)).to_contain_text(ticket.ref)
        expect(inbox.get_by_role("heading", name="Tijden")).to_be_visible()
        history = inbox.locator("section", has=inbox.get_by_role("heading", name="Eerdere"))
        expect(history).to_contain_text(earlier.ref)
        expect(history).to_contain_text("Heeft een afspraak bij het loket")
        assert run_axe(inbox) == [], "ticket page with times and earlier tickets"

        inbox.goto(f"{base_url}/coach?status=closed")
        expect(inbox.locator(".cb-table")).to_contain_text(earlier.ref)
        assert run_axe(inbox) == [], "closed tickets"
        assert problems.seen == []
    finally:
        context.close()


def test_the_privacy_panel_shows_the_statement_the_bot_gives(page, base_url, helpline):
    from loopbrug.privacy import statement

    page.goto(base_url)
    page.get_by_role("button", name="Chat met Loopbrug").click()
    more = page.locator(".lb-privacy__more")
    expect(more).to_be_visible()
    more.locator("summary").click()
    shown = more.locator("li").all_inner_texts()
    assert shown == statement.lines(helpline.settings)
    expect(more.get_by_role("link")).to_have_attribute("href", f"{base_url}/privacy")


def test_the_profile_file_is_a_download_link_in_the_chat(page, base_url, helpline):
    from loopbrug import db
    from loopbrug.assessment import export
    from loopbrug.assessment.profile import to_dict
    from loopbrug.assessment.scoring import score_profile
    from tests.unit.test_assessment import CASES

    problems = Problems(page)
    page.goto(base_url)
    open_and_accept(page)
    say(page, "hoi")
    sender = "web-" + stored_session(page)
    url = helpline.settings.database_url
    profile = score_profile(CASES["money and low confidence"])
    db.save_profile(sender, {}, to_dict(profile), url=url)
    made = db.load_profile(sender, url)["updated_at"]

    say(page, "ik wil mijn profiel als bestand")
    name = export.file_name(made)
    link = page.get_by_role("link", name="Download: " + name)
    expect(link).to_be_visible()
    assert log_texts(page)[-3].startswith("Je profiel in het kort.\n")
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename == name
    assert Path(download.path()).read_text(encoding="utf-8") == export.profile_file(profile, made)
    assert problems.seen == []  # no CSP violation, no script error


def test_a_new_ticket_appears_in_the_open_list_without_a_reload(browser, base_url, helpline):
    """Issue 19: the list listens to /coach/events; a new crisis ticket of the coach's team
    shows up by itself, bold with a badge, counted in the title, with an alert banner."""
    from loopbrug.handoff import store
    from tests.handoff_fixtures import make_ticket

    url = helpline.settings.database_url
    add_coach(helpline, "sanne", "Sanne", ("groningen",))
    coach = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        inbox = coach_login(coach, base_url, "sanne")
        problems = Problems(inbox)
        expect(inbox.locator("#ticket-list")).to_be_attached()
        base_title = inbox.title()
        inbox.evaluate("window.stillTheSamePage = true")  # a reload would lose it
        ticket = make_ticket(url, "web-live-list", team="groningen", urgency=store.CRISIS)

        row = inbox.locator(f'tr[data-ref="{ticket.ref}"]')
        expect(row).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        expect(row).to_have_class(re.compile(r"\bcb-row--unread\b"))
        expect(row.locator(".cb-badge")).to_have_text("nieuw")
        expect(inbox).to_have_title(f"(1) {base_title}")
        expect(inbox.get_by_role("alert")).to_have_text(f"Crisis-ticket: {ticket.ref}")
        assert inbox.evaluate("window.stillTheSamePage") is True

        # Opened once, it is read: back on the list it is no longer marked.
        inbox.get_by_role("link", name=ticket.ref).click()
        expect(inbox).to_have_url(re.compile(r"/coach/tickets/"))
        inbox.goto(f"{base_url}/coach")
        expect(inbox.locator(f'tr[data-ref="{ticket.ref}"]')).to_be_visible()
        expect(inbox.locator(".cb-badge")).to_have_count(0)
        expect(inbox).to_have_title(base_title)
        assert problems.seen == []
    finally:
        coach.close()

    # axe on the list as it is after an event.
    checked = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        inbox = coach_login(checked, base_url, "sanne")
        second = make_ticket(url, "web-live-list-2", team="groningen", urgency=store.CRISIS)
        expect(inbox.locator(f'tr[data-ref="{second.ref}"] .cb-badge')).to_be_visible(
            timeout=REPLY_TIMEOUT_MS
        )
        expect(inbox.get_by_role("alert")).to_have_text(f"Crisis-ticket: {second.ref}")
        assert run_axe(inbox) == []
    finally:
        checked.close()
