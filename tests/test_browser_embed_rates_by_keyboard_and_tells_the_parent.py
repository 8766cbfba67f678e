"""A client app (examples/embed-client on another site) opens /embed/rate/ in its frame with a token for its user's
key; the user clicks into the frame and rates two images by keyboard alone. The app hears of each rating
(horde-ratings:rated: the image shown, reward 5, a rising kudos total) and sizes its frame to the page's height
(horde-ratings:resize); the frame shows the rating page without the site's header and footer. On a phone
(390 px), where the page is taller than the example's 640 px frame, so that the resize shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Frame, expect

from tests.browser_fixtures import browser  # noqa: F401 (fixture)
from tests.conftest import DEMO_KEY
from tests.embed_helpers import (
    TIMEOUT_MS,
    client_page_url,
    embed_site,  # noqa: F401 (fixture)
    expect_no_site_chrome,
    frame_height,
    log_entries,
    open_in_frame,
    serve_client,  # noqa: F401 (fixture)
    shot,
    the_frame,
)
from tests.served_site import served_site  # noqa: F401 (fixtures)

LOOK_MS = 1000  # the served site's defaults: RATING_MIN_LOOK_MS 700, RATING_MIN_SECONDS 1


def shown_image_id(frame: Frame) -> str:
    image = frame.get_by_test_id("image")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0, "a broken-image icon in the frame"
    return image.get_attribute("data-image-id")


@pytest.mark.browser
def test_keyboard_ratings_in_the_frame_reach_the_app_around_it(browser: Browser, embed_site, serve_client) -> None:
    client = serve_client()
    site = embed_site(client)
    site.manage("seed_demo", "--count", "6")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    page.goto(client_page_url(client, site))
    open_in_frame(page, DEMO_KEY)
    frame = the_frame(page)
    expect(frame.get_by_test_id("image")).to_be_visible()
    # embed.js takes the spent token out of the frame's address once it runs, which may be after the image shows.
    frame.wait_for_function("() => !new URLSearchParams(location.search).has('token')")
    assert frame.url.startswith(f"{site.url}/embed/rate/") and "token=" not in frame.url, frame.url
    expect_no_site_chrome(frame)
    expect(frame.locator(".embed-who")).to_contain_text("Rating as DemoRater#1001")
    first = shown_image_id(frame)

    # horde-ratings:resize: the app gave its frame the page's own height, taller than its 640 px.
    page.wait_for_function(
        "() => document.getElementById('frame').getBoundingClientRect().height > 700", timeout=TIMEOUT_MS
    )
    content_height = frame.evaluate("document.body.scrollHeight")
    assert abs(frame_height(page) - 2 - content_height) <= 2, (frame_height(page), content_height)  # 2: its border
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), "the app scrolls sideways"
    shot(page, "embed-rate-opened")


    frame.locator(".embed-who").click()  # into the frame, on no control
    for key in ["7", "a", "2"]:
        page.keyboard.press(key)
    expect(frame.locator('input[name=rating][value="7"]')).to_be_checked()
    expect(frame.locator('input[name=artifacts][value="2"]')).to_be_checked()
    expect(log_entries(page)).to_have_count(0)  # selected, not saved
    page.wait_for_timeout(LOOK_MS)  # the site's own floors are on: a rater looks at the image first
    page.keyboard.press("Enter")
    expect(frame.get_by_test_id("image")).not_to_have_attribute("data-image-id", first)
    expect(log_entries(page)).to_have_count(1)

    second = shown_image_id(frame)
    for key in ["5", "a", "1"]:
        page.keyboard.press(key)
    page.wait_for_timeout(LOOK_MS)
    page.keyboard.press("Enter")
    expect(log_entries(page)).to_have_count(2)
    expect(frame.get_by_test_id("image")).not_to_have_attribute("data-image-id", second)
    shot(page, "embed-rate-two-rated")

    entries = log_entries(page)
    assert [entries.nth(n).get_attribute("data-image-id") for n in range(2)] == [first, second]
    assert [entries.nth(n).get_attribute("data-reward") for n in range(2)] == ["5", "5"]
    assert [int(entries.nth(n).get_attribute("data-kudos-total")) for n in range(2)] == [5, 10]
    expect(entries.nth(0)).to_have_text(f"Image {first}: +5 kudos, 5 earned in all")
    context.close()
