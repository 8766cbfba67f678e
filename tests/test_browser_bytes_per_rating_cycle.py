"""One rating cycle downloads under 300 kB, and never the original PNG.

With the demo pictures (768 px PNGs of up to 1.3 MB), the rate page shows a WebP rendition and
preloads the next one. After the first card and its preload have loaded, a cycle (7, 2, Enter:
rate, artifacts, save) costs the htmx answer, the next image (already preloaded) and the preload
of the one after it. The browser's Resource Timing entries (transferSize, htmx's XHR included)
measure it; the original (Image.src) is what zoom shows, so nothing in the cycle asks for it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Request, expect

from ratings_site.datasets.management.commands.seed_demo import ensure_demo_images
from ratings_site.datasets.models import Image
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    expect_image_loaded,
    log_in,
    open_page,
    shown_image,
    shown_image_id,
)

BUDGET_BYTES = 300_000
LOAD_TIMEOUT_MS = 20_000  # the site makes a rendition on its first request: slow on a busy machine

PRELOAD = "link[rel=preload][as=image]"
PRELOAD_LOADED = "(href) => performance.getEntriesByType('resource').some(e => e.name === href && e.responseEnd > 0)"
PRELOAD_CHANGED = (
    "(old) => { const link = document.querySelector('link[rel=preload][as=image]'); return link && link.href !== old; }"
)


def expect_preload_loaded(page: Page) -> str:
    """The card's preload of the next image finished downloading; returns its URL."""
    preload = page.locator(PRELOAD)
    expect(preload).to_have_count(1)
    href = preload.evaluate("link => link.href")
    page.wait_for_function(PRELOAD_LOADED, arg=href, timeout=LOAD_TIMEOUT_MS)
    return href


def expect_shown_image_loaded(page: Page) -> None:
    expect(shown_image(page)).to_be_visible()
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=image]');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=LOAD_TIMEOUT_MS,
    )


@pytest.mark.browser
@pytest.mark.usefixtures("demo_pictures_drawn_once")
def test_one_rating_cycle_downloads_under_300_kb_and_never_the_original(
    open_page: Callable[..., Page], settings
) -> None:
    settings.CAPTCHA_RATE = 0
    ensure_demo_images(4)
    originals = {image.src for image in Image.objects.all()}
    assert len(originals) == 4

    page = open_page()
    log_in(page)
    expect_shown_image_loaded(page)
    next_src = expect_preload_loaded(page)
    page.wait_for_load_state("load")
    first = shown_image_id(page)

    requested: list[str] = []

    def note(request: Request) -> None:
        requested.append(request.url)

    page.on("request", note)
    page.evaluate("performance.clearResourceTimings()")

    page.keyboard.press("7")
    page.keyboard.press("a")
    page.keyboard.press("2")
    page.keyboard.press("Enter")

    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    expect_shown_image_loaded(page)
    page.wait_for_function(PRELOAD_CHANGED, arg=next_src)
    after_next = expect_preload_loaded(page)
    page.remove_listener("request", note)

    entries = page.evaluate(
        """() => performance.getEntriesByType('resource').map(e => ({
            name: e.name, type: e.initiatorType, transfer: e.transferSize, body: e.encodedBodySize}))"""
    )
    total = sum(entry["transfer"] for entry in entries)
    listing = "\n".join(f"  {e['transfer']:>9,} B  {e['type']:<15} {e['name']}" for e in entries)
    print(f"\nOne rating cycle downloaded {total:,} bytes:\n{listing}")

    assert any(e["type"] in ("xmlhttprequest", "fetch") and "/rate/" in e["name"] for e in entries), (
        f"htmx's request is missing from the measure:\n{listing}"
    )
    assert any(e["name"] == after_next and e["transfer"] > 0 for e in entries), (
        f"the new preload is missing from the measure:\n{listing}"
    )
    assert total < BUDGET_BYTES, f"one rating cycle downloaded {total:,} bytes (budget {BUDGET_BYTES:,}):\n{listing}"

    downloaded_originals = [url for url in requested if any(url.endswith(src) for src in originals)]
    assert not downloaded_originals, f"the cycle downloaded original files: {downloaded_originals}"
    assert not [e["name"] for e in entries if any(e["name"].endswith(src) for src in originals)]

    shown = shown_image(page).evaluate("img => img.currentSrc")
    assert shown == next_src, "the next card shows another image than the one it preloaded"
    assert "/renditions/display/" in shown and shown.endswith(".webp"), f"not a display rendition: {shown}"
    assert "/renditions/display/" in after_next and after_next.endswith(".webp"), f"not a rendition: {after_next}"
