"""What was saved is said where everyone notices it: a status line (an aria-live region that outlives every
card swap) says "Saved: …" and the new image; focus goes back to the rating scale for keyboard raters; and
the key hints show only where the keys work (not without JavaScript, not on a touch screen)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PHONE,
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    page,
    shown_image,
    shown_image_id,
)

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.mark.browser
def test_the_live_region_outlives_the_swap_and_says_what_was_saved(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    page.evaluate("window.__region = document.getElementById('status')")
    first = shown_image_id(page)
    expect(page.locator("#card")).not_to_have_attribute("aria-live", "polite")

    for key in ("3", "a", "1", "Enter"):
        page.keyboard.press(key)
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)

    region = page.locator("#status")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_contain_text("Saved: 3 · Bad · artifacts 1 · Tiny flaws · +5 kudos")
    expect(region).to_contain_text("Next image: A test picture")
    assert page.evaluate("window.__region === document.getElementById('status')"), "the live region was replaced"
    # The keyboard rater continues on the rating scale of the new card.
    assert page.evaluate("document.activeElement.name") == "rating"
    assert page.evaluate("document.activeElement.closest('#card') !== null")


@pytest.mark.browser
def test_key_hints_show_with_a_keyboard_only(open_page: Callable[..., Page], make_picture_images) -> None:
    make_picture_images(2)
    with_keys = open_page()
    log_in(with_keys)
    expect(with_keys.locator("#card .key-hint").first).to_be_visible()

    no_js = open_page(java_script_enabled=False)
    log_in(no_js, key="demo-rater-0006")
    expect_image_loaded(no_js)
    expect(no_js.locator(".key-hint").first).to_be_hidden()
    assert no_js.locator(".key-hint:visible").count() == 0

    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone, key="demo-rater-0007")
    expect_image_loaded(phone)
    assert phone.locator(".key-hint:visible").count() == 0
