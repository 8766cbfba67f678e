"""A browser that blocks the framed site's cookies (Chromium's "block third-party cookies", set in the profile as a
person sets it) still rates in a client app's frame: the page's htmx requests carry the session in the
X-Embed-Session header. The test first makes sure the cookie really is blocked: the browser holds no cookie of the
site at all, and the frame's document.cookie is empty."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Frame, expect, sync_playwright

from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS
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

# Settings › Privacy › Third-party cookies › "Block third-party cookies", as Chromium writes it in the profile, and
# "Sites not allowed to use third-party cookies": localhost (the framed site), since partitioned cookies (CHIPS)
# pass the first setting alone.
BLOCK_THIRD_PARTY_COOKIES = {
    "profile": {
        "block_third_party_cookies": True,
        "cookie_controls_mode": 1,
        "content_settings": {"exceptions": {"cookies": {"localhost,*": {"setting": 2}}}},
    }
}


@pytest.fixture
def blocking_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BrowserContext]:
    """Debian's chromium with a profile that blocks third-party cookies."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    profile = tmp_path / "chromium-profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(BLOCK_THIRD_PARTY_COOKIES))
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


def shown_image_id(frame: Frame) -> str:
    image = frame.get_by_test_id("image")
    expect(image).to_have_js_property("complete", True)
    return image.get_attribute("data-image-id")


@pytest.mark.browser
def test_ratings_in_the_frame_work_without_its_cookie(blocking_context: BrowserContext, embed_site, serve_client) -> None:
    client = serve_client()
    site = embed_site(client, RATING_MIN_LOOK_MS="0", RATING_MIN_SECONDS="0")  # keys at machine speed
    site.manage("seed_demo", "--count", "6")
    page = blocking_context.new_page()
    page.goto(client_page_url(client, site))

    open_in_frame(page, DEMO_KEY)
    frame = the_frame(page)
    first = shown_image_id(frame)
    # The cookie really is blocked: the frame's session lives only in its page (X-Embed-Session).
    assert blocking_context.cookies(site.url) == [], blocking_context.cookies()
    assert frame.evaluate("document.cookie") == ""

    frame.locator(".embed-who").click()  # into the frame, on no control
    for key in ["7", "a", "2", "Enter"]:
        page.keyboard.press(key)
    expect(frame.get_by_test_id("image")).not_to_have_attribute("data-image-id", first)
    second = shown_image_id(frame)  # waits for the image: keys before it would be dropped
    for key in ["5", "a", "1", "Enter"]:
        page.keyboard.press(key)
    expect(frame.get_by_test_id("image")).not_to_have_attribute("data-image-id", second)

    expect(log_entries(page)).to_have_count(2)
    entries = log_entries(page)
    assert [entries.nth(n).get_attribute("data-image-id") for n in range(2)] == [first, second]
    assert [int(entries.nth(n).get_attribute("data-kudos-total")) for n in range(2)] == [5, 10]
    expect(frame.locator(".embed-who")).to_contain_text("2 rated today")
    assert blocking_context.cookies(site.url) == []
    shot(page, "embed-rate-cookies-blocked")
