"""A Horde moderator on a 1366 × 768 laptop opens a farmer's rater page: the figures, the thumbnails of the recent
ratings and the acts fit without sideways scrolling; a ban typed into the page with its reason is done, said in a
message, and undone by the Undo button beside it. On a 390 px phone, the rater and image pages never scroll sideways."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ratings_site.ratings.models import Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PHONE,
    browser,
    log_in,
    make_picture_images,
    open_page,
)
from tests.conftest import MODERATOR_KEY
from tests.moderation_helpers import horde_rater, rate
from tests.rater_page_helpers import page_of

LAPTOP = {"width": 1366, "height": 768}
REASON = "Rated 30 images 5 in 5.7 seconds"
SHOT = os.environ.get("RATER_PAGE_SCREENSHOT")  # a path: where to keep a picture of the page, to look at it


def _farmer(make_picture_images):
    images = make_picture_images(4, dataset="laion") + make_picture_images(4, dataset="diffusiondb")
    farmer = horde_rater("Farmer")
    for image in images:
        rate(horde_rater(), image, 8)
        rate(farmer, image, 1)
    now = timezone.now()
    for i, rating in enumerate(Rating.objects.filter(rater=farmer).order_by("pk")):
        Rating.objects.filter(pk=rating.pk).update(created_at=now - timedelta(seconds=8 - 0.7 * i))
    return farmer


@pytest.mark.browser
@pytest.mark.usefixtures("no_captchas")
def test_the_rater_page_fits_and_a_ban_is_done_and_undone(open_page: Callable[..., Page], make_picture_images):
    farmer = _farmer(make_picture_images)
    page = open_page(viewport=LAPTOP)
    log_in(page, MODERATOR_KEY)

    page.goto(page_of(farmer))

    expect(page.get_by_role("heading", name="Ratings per minute")).to_be_visible()
    expect(page.get_by_test_id("recent-rating")).to_have_count(8)
    thumbnails = page.locator(".rater-recent img.image-thumbnail")
    expect(thumbnails.first).to_be_visible()
    assert thumbnails.first.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator("html").evaluate("element => element.scrollWidth - element.clientWidth") <= 0
    if SHOT:
        page.screenshot(path=SHOT)

    page.get_by_label("Reason, shown to the rater").fill(REASON)
    page.get_by_role("button", name="Ban", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text(f"Banned {farmer.username}")
    expect(page.locator(".rater-standing")).to_contain_text(REASON)
    if SHOT:
        page.screenshot(path=SHOT.replace(".png", "_after_ban.png"), full_page=True)
    page.locator("#rater-done").get_by_role("button", name="Undo").click()

    expect(page.locator(".messagelist")).to_contain_text("Undid")
    expect(page.locator(".rater-standing")).to_contain_text("Not banned")


@pytest.mark.browser
@pytest.mark.usefixtures("no_captchas")
def test_on_a_phone_the_rater_and_image_pages_never_scroll_sideways(
    open_page: Callable[..., Page], make_picture_images
):
    """Their wide lists (divergences, recent ratings with a reason field each, history; who rated an image) scroll
    inside their own box at 390 px; the page does not."""
    farmer = _farmer(make_picture_images)
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, MODERATOR_KEY)

    for url in (page_of(farmer), f"/admin/datasets/image/{Rating.objects.filter(rater=farmer).first().image_id}/change/"):
        page.goto(url)
        expect(page.locator("#content")).to_be_visible()
        assert page.locator("html").evaluate("element => element.scrollWidth - element.clientWidth") <= 0, url
