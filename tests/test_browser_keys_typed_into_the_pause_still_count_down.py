"""Keys typed into the flood pause change nothing: the rating that reached the limit is kept, the countdown runs,
nothing more is saved, and the card comes back by itself when the pause ends."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ratings_site.ratings.models import Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    page,
    shown_image,
    shown_image_id,
)


@pytest.fixture(autouse=True)
def two_a_minute(settings):
    settings.CAPTCHA_RATE = 0.0
    settings.RATINGS_PER_MINUTE_MAX = 2
    settings.FLOOD_PAUSE_SECONDS = 4


@pytest.mark.browser
def test_keys_typed_during_the_pause_leave_the_countdown_running_and_save_nothing(
    page: Page, make_picture_images
) -> None:
    make_picture_images(4)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)
    for key in ("6", "Enter"):
        page.keyboard.press(key)
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    expect_image_loaded(page)
    for key in ("9", "Enter"):
        page.keyboard.press(key)

    paused = page.get_by_test_id("paused")
    expect(paused).to_be_visible()
    for key in ("7", "Enter", "a", "3", "Enter", "s", "u", "Backspace"):
        page.keyboard.press(key)
    expect(page.get_by_test_id("countdown")).to_have_text(re.compile(r"^0:0[0-4]$"))
    assert sorted(r.rating for r in Rating.objects.all()) == [6, 9]
    expect(shown_image(page)).to_be_visible(timeout=10_000)
    expect(paused).to_have_count(0)
    expect_image_loaded(page)
    expect(page.locator("input[name=rating]:checked")).to_have_count(0)
    assert sorted(r.rating for r in Rating.objects.all()) == [6, 9]
