"""The server refuses a rating sent sooner than RATING_MIN_SECONDS after it served the card; the page never makes
an honest rater meet that refusal. An Enter on a younger card is held ("Saving…" on the Save button) and sent
once the card is old enough, counting from when the card arrived in the page (after the server served it); a
second Enter meanwhile does nothing. Both the first card (a full page) and the next (swapped by htmx) wait."""

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

pytestmark = pytest.mark.usefixtures("no_captchas")

FLOOR_S = 1.5

# In the page's own clock: when each rating POST started, and when the card it rated arrived (the full page's
# first byte, or the end of the htmx answer that brought the card).
TIMINGS = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const posts = performance.getEntriesByType("resource").filter(e => /\\/images\\/[^/]+\\/rate\\/$/.test(e.name));
  return {first_card: navigation.responseStart, posts: posts.map(e => ({start: e.startTime, end: e.responseEnd}))};
}"""


@pytest.fixture(autouse=True)
def served_floor(settings):
    settings.RATING_MIN_SECONDS = FLOOR_S


@pytest.mark.browser
def test_an_early_enter_is_held_until_the_card_is_old_enough_and_then_saved(page: Page, make_picture_images) -> None:
    make_picture_images(4)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)

    page.keyboard.press("6")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("save")).to_contain_text("Saving…")
    page.keyboard.press("Enter")  # does nothing: the save is already on its way
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    expect_image_loaded(page)
    second = shown_image_id(page)
    expect(page.get_by_test_id("save")).to_contain_text(re.compile("^Save rating"))

    page.keyboard.press("8")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("save")).to_contain_text("Saving…")
    expect(shown_image(page)).not_to_have_attribute("data-image-id", second)
    expect_image_loaded(page)

    assert [(str(r.image.public_id), r.rating) for r in Rating.objects.order_by("created_at")] == [
        (first, 6),
        (second, 8),
    ]
    expect(page.get_by_test_id("error")).to_have_count(0)
    timings = page.evaluate(TIMINGS)
    posts = timings["posts"]
    assert len(posts) == 2, posts
    assert posts[0]["start"] - timings["first_card"] >= FLOOR_S * 1000, timings
    assert posts[1]["start"] - posts[0]["end"] >= FLOOR_S * 1000, timings
