"""Typing fast never drops a rating: keys pressed while a save is in flight apply, in order, to the next
image. "7", "2", Enter, "8", "3", Enter at 25 ms apart stores 7/2 on the first image and 8/3 on the second.
When the site does not answer, the keys typed meanwhile are dropped visibly, not silently."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

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


def _slow_rating_posts(page: Page, delay_ms: int) -> None:
    """Hold each rating POST in the browser for delay_ms, so the next keys surely arrive while it is in flight."""

    def hold(route: Route) -> None:
        page.wait_for_timeout(delay_ms)
        route.continue_()

    page.route("**/images/*/rate/", hold)


@pytest.mark.browser
def test_fast_typing_stores_both_ratings_in_order(page: Page, make_picture_images) -> None:
    make_picture_images(4)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)
    _slow_rating_posts(page, 300)

    page.keyboard.type("72", delay=25)
    page.keyboard.press("Enter", delay=25)
    page.keyboard.type("83", delay=25)
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 8 · Great · artifacts 3 · Mildly harmful")
    expect(page.locator("#counters")).to_contain_text("2 rated today")
    stored = list(Rating.objects.order_by("created_at").values_list("image__public_id", "rating", "artifacts"))
    assert [(r, a) for _, r, a in stored] == [(7, 2), (8, 3)]
    assert str(stored[0][0]) == first
    expect(shown_image(page)).not_to_have_attribute("data-image-id", str(stored[1][0]))


@pytest.mark.browser
def test_keys_typed_while_the_site_does_not_answer_are_refused_visibly(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)

    def fail(route: Route) -> None:
        page.wait_for_timeout(300)
        route.abort("connectionrefused")

    page.route("**/images/*/rate/", fail)
    page.keyboard.type("72", delay=25)
    page.keyboard.press("Enter", delay=25)
    page.keyboard.type("83", delay=25)

    banner = page.locator("#connection-error")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("the 2 keys you typed meanwhile were not applied")
    expect(shown_image(page)).to_have_attribute("data-image-id", first)
    assert not Rating.objects.exists()
