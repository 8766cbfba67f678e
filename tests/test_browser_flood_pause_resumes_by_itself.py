"""The flood pause, as a rater sees it: the rating that reaches the limit is saved and shown, the pause is
said once with a countdown, and the card comes back by itself when the pause ends, with nothing lost."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ratings_site.ratings.models import Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    counters,
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
def test_the_rating_at_the_limit_is_kept_and_the_card_comes_back_when_the_pause_ends(page: Page, make_picture_images) -> None:
    make_picture_images(4)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)
    page.keyboard.press("6")
    page.keyboard.press("Enter")
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    expect_image_loaded(page)  # keys pressed before the next image shows are dropped
    second = shown_image_id(page)

    page.keyboard.press("9")
    page.keyboard.press("Enter")

    paused = page.get_by_test_id("paused")
    expect(paused).to_be_visible()
    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 9 · Excellent")
    expect(page.get_by_text("Rating is paused.")).to_have_count(1)
    expect(paused).to_contain_text("You rated 2 images in the last minute; the limit is 2.")
    expect(page.get_by_test_id("countdown")).to_have_text(re.compile(r"^0:0[1-4]$"))
    assert [(str(r.image.public_id), r.rating) for r in Rating.objects.order_by("created_at")] == [(first, 6), (second, 9)]
    expect(counters(page)).to_contain_text("2 rated today")

    # No reload, no click: the card returns when the pause is over.
    expect(shown_image(page)).to_be_visible(timeout=10_000)
    expect(paused).to_have_count(0)
    expect_image_loaded(page)
    assert shown_image_id(page) not in {first, second}
