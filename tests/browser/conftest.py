"""Fixtures of the browser tests: the real helpline once per test module, Chromium, a page.

Playwright for Python drives /usr/bin/chromium (``executable_path``; Playwright's own browser
download is never used). The helpline (action server, Rasa, web server) runs on free ports.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import sync_playwright

from bot.serve import Helpline
from tests.browser.helpers import AXE, CHROMIUM, CHROMIUM_ARGS, LOG_DIR, REPLY_TIMEOUT_MS, web_url
from tests.e2e.conftest import make_settings


@pytest.fixture(scope="module")
def helpline(tmp_path_factory) -> Iterator[Helpline]:
    """The real helpline with its web server, once for this module."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make setup does)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in web/ (make setup does)")
    running = Helpline(
        make_settings(tmp_path_factory.mktemp("browser") / "loopbrug.db"), log_dir=LOG_DIR
    )
    running.start()  # bot/serve.py starts the web server with Rasa and the action server
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser(helpline):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(helpline: Helpline) -> str:
    return web_url(helpline.settings)


@pytest.fixture
def page(browser):
    """A page in a new, empty browser context, with the CSP enforced."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    tab = context.new_page()
    tab.set_default_timeout(REPLY_TIMEOUT_MS)
    yield tab
    context.close()
