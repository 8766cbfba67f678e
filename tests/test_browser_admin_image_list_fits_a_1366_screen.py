"""A Horde moderator on a 1366 × 768 laptop sees the admin's image list whole: neither the page nor the list scrolls
sideways, even when images carry long captions and URLs (they are cut short in the list)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    log_in,
    make_picture_images,
    open_page,
)

MODERATOR_KEY = "demo-moderator-0003"
LAPTOP = {"width": 1366, "height": 768}
LONG_CAPTION = "A very long prompt, " * 40 + "Supercalifragilisticexpialidocious" * 4


def _sideways_overflow(page: Page, selector: str) -> int:
    """How many pixels the element's content is wider than the element itself."""
    return page.locator(selector).evaluate("element => element.scrollWidth - element.clientWidth")


@pytest.mark.browser
def test_the_image_list_has_no_sideways_scroll_at_1366(open_page: Callable[..., Page], make_picture_images) -> None:
    images = make_picture_images(3, dataset="laion-aesthetics-v2-prompts-from-the-horde")
    for image in images:
        image.caption = LONG_CAPTION
        image.url = "https://images.example.org/" + "very-long-path/" * 30 + "picture.png"
        image.hidden = image.nsfw = image.broken = True
        image.save(update_fields=["caption", "url", "hidden", "nsfw", "broken"])
    page = open_page(viewport=LAPTOP)
    log_in(page, MODERATOR_KEY)

    page.goto("/admin/datasets/image/")

    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    assert _sideways_overflow(page, "html") <= 0
    assert _sideways_overflow(page, "#changelist .results") <= 0
    caption = page.locator("#result_list tbody .field-short_caption").first
    expect(caption).to_have_text(re.compile(r"^A very long prompt, .{10,60}…$"))  # cut short, not a wall of text
