"""A keyboard user tabbing from the app into the frame lands on the rating's controls, not on the frame's first
link (which opens the site in a new tab): the digits and Enter that follow rate the image, and the app hears of
it. Whatever the page is framed in, its CSP is not broken along the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_fixtures import browser  # noqa: F401 (fixture)
from tests.conftest import DEMO_KEY
from tests.embed_helpers import (
    TIMEOUT_MS,
    client_page_url,
    embed_site,  # noqa: F401 (fixture)
    log_entries,
    open_in_frame,
    serve_client,  # noqa: F401 (fixture)
    shot,
    the_frame,
)
from tests.served_site import served_site  # noqa: F401 (fixtures)


@pytest.mark.browser
def test_tab_then_digits_and_enter_rate_the_image(browser: Browser, embed_site, serve_client) -> None:
    client = serve_client()
    site = embed_site(client, RATING_MIN_LOOK_MS="0", RATING_MIN_SECONDS="0")  # keys at machine speed
    site.manage("seed_demo", "--count", "4")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    page.goto(client_page_url(client, site))
    open_in_frame(page, DEMO_KEY)
    frame = the_frame(page)
    expect(frame.get_by_test_id("image")).to_be_visible()
    shown = frame.get_by_test_id("image").get_attribute("data-image-id")

    frame.wait_for_load_state("networkidle")
    # From the app's last control into the frame. Under load the frame's page may still be settling and move focus
    # into itself (the rate page focuses its card after a swap) between our focus() and Tab: then do it again.
    for _ in range(3):
        page.get_by_role("button", name="Open the rating page").focus()
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "frame":
            break
    assert page.evaluate("document.activeElement.id") == "frame"
    expect(frame.locator("input[name=rating]").first).to_be_focused()
    page.keyboard.press("8")
    page.keyboard.press("a")
    page.keyboard.press("1")
    page.keyboard.press("Enter")

    expect(log_entries(page)).to_have_count(1)
    expect(log_entries(page).first).to_contain_text(shown)
    expect(frame.get_by_test_id("image")).not_to_have_attribute("data-image-id", shown)
    assert len(context.pages) == 1, "Enter opened a new tab instead of saving"
    assert violations == []
    shot(page, "embed-tab-into-frame-rated")  # after the check: Playwright's screenshots inject a style of their own
