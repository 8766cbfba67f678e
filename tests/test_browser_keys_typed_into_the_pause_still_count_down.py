"""Keys typed faster than the site answers, up to the flood limit: the queued save that reaches the limit still
shows the pause with a running countdown, and the card comes back by itself."""

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
)


@pytest.fixture(autouse=True)
def two_a_minute(settings):
    settings.CAPTCHA_RATE = 0.0
    settings.RATINGS_PER_MINUTE_MAX = 2
    settings.FLOOD_PAUSE_SECONDS = 4


@pytest.mark.browser
def test_a_save_typed_during_the_previous_save_still_starts_the_countdown(page: Page, make_picture_images) -> None:
    make_picture_images(4)
    log_in(page)
    expect_image_loaded(page)

    for key in ("6", "Enter", "9", "Enter"):
        page.keyboard.press(key)

    paused = page.get_by_test_id("paused")
    expect(paused).to_be_visible()
    expect(page.get_by_test_id("countdown")).to_have_text(re.compile(r"^0:0[0-4]$"))
    assert sorted(r.rating for r in Rating.objects.all()) == [6, 9]
    expect(shown_image(page)).to_be_visible(timeout=10_000)
    expect(paused).to_have_count(0)
