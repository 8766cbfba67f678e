"""A double Enter saves once and never shows an error on the fresh card: the second Enter is dropped while the
save is in flight, and an Enter that lands on the fresh card before its look time gets a gentle note ("Take a
moment to look at the image first"), not the red "Choose a rating" error, and saves nothing."""

from __future__ import annotations

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

LOOK_MS = 700


@pytest.fixture(autouse=True)
def look_time(settings):
    settings.RATING_MIN_LOOK_MS = LOOK_MS


def rate_six_after_a_look(page: Page) -> str:
    expect_image_loaded(page)
    page.wait_for_timeout(LOOK_MS + 100)  # the rater looks at the image
    page.keyboard.press("6")
    return shown_image_id(page)


@pytest.mark.browser
def test_enter_enter_saves_once_and_the_fresh_card_shows_no_error(page: Page, make_picture_images) -> None:
    make_picture_images(4)
    log_in(page)
    first = rate_six_after_a_look(page)

    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    expect_image_loaded(page)
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("error")).to_have_count(0)
    expect(page.locator(".field-error")).to_be_hidden()
    assert [(str(r.image.public_id), r.rating) for r in Rating.objects.all()] == [(first, 6)]


@pytest.mark.browser
def test_an_enter_on_the_fresh_image_before_its_look_time_gets_a_gentle_note(page: Page, make_picture_images) -> None:
    make_picture_images(4)
    log_in(page)
    first = rate_six_after_a_look(page)
    page.keyboard.press("Enter")
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    expect_image_loaded(page)

    page.keyboard.press("Enter")  # the second Enter, just after the next image showed

    note = page.get_by_test_id("key-note")
    expect(note).to_have_text("Take a moment to look at the image first, then save.")
    expect(note).to_be_visible()
    expect(page.get_by_test_id("error")).to_have_count(0)
    page.wait_for_timeout(LOOK_MS)
    assert Rating.objects.count() == 1

    # A click on Save just as soon gets the same note: the look time holds for the mouse too.
    second = shown_image_id(page)
    page.keyboard.press("3")
    page.get_by_test_id("save").click()
    expect(shown_image(page)).not_to_have_attribute("data-image-id", second)  # looked long enough by now
    assert [r.rating for r in Rating.objects.order_by("created_at")] == [6, 3]
