"""In a client app's frame too (examples/embed-client on another site), the status line ("Saved: 7 · Good · +5 kudos")
sits on its own line under "Rating as …" and covers neither the image nor a control, on a desktop and on a phone."""

from __future__ import annotations

import re

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
    the_frame,
    wait_for_frame_to_fit,
)
from tests.screen_helpers import assert_covers_none, viewport
from tests.served_site import served_site  # noqa: F401 (fixtures)


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)], ids=["1366x768", "390x844"])
def test_in_the_frame_the_status_line_covers_nothing(
    browser: Browser, embed_site, serve_client, width: int, height: int
) -> None:
    client = serve_client()
    site = embed_site(client, RATING_MIN_LOOK_MS="0", RATING_MIN_SECONDS="0")  # this test is not about the floors
    site.manage("seed_demo", "--count", "6")
    context = browser.new_context(**viewport(width, height))
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(client_page_url(client, site))
    open_in_frame(page, DEMO_KEY)
    frame = the_frame(page)
    image = frame.get_by_test_id("image")
    expect(image).to_have_js_property("complete", True)
    first = image.get_attribute("data-image-id")
    wait_for_frame_to_fit(page, frame)

    frame.locator(".option").filter(has_text="Good").click()
    expect(frame.get_by_role("radio", name="7 Good")).to_be_checked()
    frame.get_by_role("button", name=re.compile("Save rating")).click()

    saved = frame.get_by_test_id("saved")
    expect(saved).to_contain_text("Saved: 7 · Good")
    expect(image).not_to_have_attribute("data-image-id", first)
    expect(image).to_have_js_property("complete", True)
    assert_covers_none(
        saved,
        "the status line",
        {
            "the image": image,
            "the Rating as line": frame.locator(".embed-who"),
            "a dataset link": frame.locator(".datasets a"),
            "a rating": frame.locator(".rating-scale label"),
            "an artifacts button": frame.locator(".artifacts-scale label"),
            "Save": frame.get_by_role("button", name=re.compile("Save rating")),
            "Skip": frame.get_by_role("button", name=re.compile("^Skip")),
            "Report": frame.locator("#report summary"),
        },
    )
    context.close()
