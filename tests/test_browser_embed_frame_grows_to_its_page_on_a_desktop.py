"""On a desktop (900 px wide and more), horde-ratings:resize must tell the app the embedded page's own height, so that
a frame that starts small grows to show the whole rating page.

The site's own rate and best-of pages fill the viewport at that width (site.css: `body.rate-page { height: 100dvh }`);
in a frame that made the page's height the frame's own, so the resize event only echoed it back (a 200 px frame
stayed 200 px, and one sized with `box-sizing: border-box` shrank by its border on every echo). embed.css gives the
framed pages their natural height."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_fixtures import browser  # noqa: F401 (fixture)
from tests.conftest import DEMO_KEY
from tests.embed_helpers import (
    TIMEOUT_MS,
    client_page_url,
    embed_site,  # noqa: F401 (fixture)
    open_in_frame,
    serve_client,  # noqa: F401 (fixture)
    shot,
    the_frame,
)
from tests.served_site import served_site  # noqa: F401 (fixtures)


@pytest.mark.browser
def test_a_small_frame_grows_to_show_the_whole_rate_page(browser: Browser, embed_site, serve_client) -> None:
    client = serve_client()
    site = embed_site(client)
    site.manage("seed_demo", "--count", "4")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(client_page_url(client, site))
    page.locator("#frame").evaluate("frame => { frame.style.height = '200px'; }")  # an app's starting height

    open_in_frame(page, DEMO_KEY)
    frame = the_frame(page)
    expect(frame.get_by_test_id("image")).to_be_visible()
    try:
        # The image, the two scales and the Save button need well over 400 px.
        page.wait_for_function(
            "() => document.getElementById('frame').getBoundingClientRect().height > 400", timeout=TIMEOUT_MS
        )
    finally:
        shot(page, "embed-rate-desktop-small-frame")
    # The whole page fits the frame: nothing inside it needs scrolling, the Save button included.
    frame_height = page.locator("#frame").evaluate("frame => frame.getBoundingClientRect().height")
    inner = frame.locator("html").evaluate("html => html.scrollHeight")
    assert inner <= frame_height + 2, (inner, frame_height)
    save_bottom = frame.get_by_test_id("save").evaluate("button => button.getBoundingClientRect().bottom")
    assert save_bottom <= frame_height
