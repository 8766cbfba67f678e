"""Only the origins in EMBED_ALLOWED_ORIGINS may frame the embedded pages, and no origin may frame the others.

The example client served on an origin not in the list: its token call fails (the site answers its CORS preflight
without leave), and even with a token got for the listed origin, Chromium refuses to show the embedded page in its
frame (CSP frame-ancestors). On the listed origin, a page outside /embed/ (/rate/) is refused the same way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_fixtures import browser  # noqa: F401 (fixture)
from tests.conftest import DEMO_KEY
from tests.embed_helpers import (
    TIMEOUT_MS,
    client_page_url,
    embed_site,  # noqa: F401 (fixture)
    open_in_frame,
    serve_client,  # noqa: F401 (fixture)
    shot,
    token_for,
)
from tests.served_site import served_site  # noqa: F401 (fixtures)


def client_page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(url)
    return page, console


def expect_framing_refused(page: Page, src: str, directive: str) -> None:
    """Point the client page's frame at `src`, as the example does once it has a token: Chromium says it refused
    by the CSP's frame-ancestors `directive`, and the frame shows its error page, not ours."""
    refusal = f'violates the following Content Security Policy directive: "frame-ancestors {directive}"'
    with page.expect_console_message(lambda message: refusal in message.text):
        page.locator("#frame").evaluate("(frame, src) => { frame.hidden = false; frame.src = src; }", src)
    frame = page.locator("#frame").element_handle().content_frame()
    frame.wait_for_url("chrome-error://**")
    assert "embed-main" not in frame.content() and "Horde Ratings" not in frame.content()


@pytest.mark.browser
def test_an_unlisted_origin_is_refused_a_token(browser: Browser, embed_site, serve_client) -> None:
    listed, unlisted = serve_client(), serve_client()
    site = embed_site(listed)
    page, console = client_page(browser, client_page_url(unlisted, site))

    open_in_frame(page, DEMO_KEY)

    expect(page.get_by_role("alert")).to_have_text(re.compile(f"does not let {re.escape(unlisted)} embed it"))
    expect(page.locator("#frame")).to_be_hidden()
    assert any("blocked by CORS policy" in line for line in console), console
    shot(page, "embed-unlisted-origin-no-token")


@pytest.mark.browser
def test_an_unlisted_origin_cannot_frame_the_rate_page_even_with_a_token(
    browser: Browser, embed_site, serve_client
) -> None:
    listed, unlisted = serve_client(), serve_client()
    site = embed_site(listed)
    site.manage("seed_demo", "--count", "4")
    page, _ = client_page(browser, client_page_url(unlisted, site))

    expect_framing_refused(page, f"{site.url}/embed/rate/?token={token_for(site, listed)}", listed)
    shot(page, "embed-unlisted-origin-refused")


@pytest.mark.browser
def test_a_page_outside_embed_cannot_be_framed_even_by_a_listed_origin(
    browser: Browser, embed_site, serve_client
) -> None:
    listed = serve_client()
    site = embed_site(listed)
    page, _ = client_page(browser, client_page_url(listed, site))

    expect_framing_refused(page, f"{site.url}/rate/", "'none'")
