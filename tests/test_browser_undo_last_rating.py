"""U (or the Undo button) takes back the last rating within RATING_UNDO_MINUTES and shows its image again with
what was chosen; the counters, the queue and the ledger follow exactly, and rating it again never earns twice.
After the window, U does nothing to the rating and says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
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
from tests.helpers import in_queue


@pytest.fixture(autouse=True)
def predictable(settings):
    settings.CAPTCHA_RATE = 0.0
    settings.RATINGS_PER_IMAGE = 1  # the rating takes its image out of the queue, the undo puts it back


def save(page: Page, *keys: str) -> str:
    before = shown_image_id(page)
    for key in (*keys, "Enter"):
        page.keyboard.press(key)
    expect(shown_image(page)).not_to_have_attribute("data-image-id", before)
    return before


@pytest.mark.browser
def test_u_undoes_the_last_rating_and_shows_its_image_with_what_was_chosen(page: Page, make_picture_images) -> None:
    make_picture_images(4)
    log_in(page)
    expect_image_loaded(page)
    rated = save(page, "7", "a", "2")
    image = Image.objects.get(public_id=rated)
    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 7 · Good · artifacts 2 · Minor flaws · +5 kudos")
    expect(counters(page)).to_contain_text("1 rated today")
    assert not in_queue(image) and KudosReward.objects.filter(status="pending").count() == 1

    page.keyboard.press("u")

    expect(shown_image(page)).to_have_attribute("data-image-id", rated)
    expect(page.get_by_test_id("undone")).to_contain_text("Undone: your rating 7 · Good · artifacts 2 · Minor flaws was taken back")
    expect(page.get_by_test_id("undone")).to_contain_text("its 5 kudos were cancelled")
    expect(page.locator('input[name=rating][value="7"]')).to_be_checked()
    expect(page.locator('input[name=artifacts][value="2"]')).to_be_checked()
    expect(counters(page)).to_contain_text("0 rated today")
    image.refresh_from_db()
    assert (image.ratings_count, image.rating_sum, image.artifacts_count, image.artifacts_sum) == (0, 0, 0, 0)
    assert in_queue(image)
    assert not Rating.objects.exists() and not KudosReward.objects.exists()

    # Rating it again (a correction) stores one rating and one reward.
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    save(page, "8")
    assert [(str(r.image.public_id), r.rating, r.artifacts) for r in Rating.objects.all()] == [(rated, 8, None)]
    assert KudosReward.objects.count() == 1
    expect(counters(page)).to_contain_text("1 rated today")


@pytest.mark.browser
def test_the_undo_button_in_the_status_line_works_by_mouse(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    rated = save(page, "4")

    page.get_by_test_id("saved").get_by_role("button", name="Undo").click()

    expect(shown_image(page)).to_have_attribute("data-image-id", rated)
    assert not Rating.objects.exists()


@pytest.mark.browser
def test_after_ten_minutes_u_leaves_the_rating_and_says_why(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    rated = save(page, "5")
    Rating.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    page.reload()
    expect_image_loaded(page)
    expect(page.get_by_role("button", name=re.compile("^Undo last"))).to_have_count(0)
    shown = shown_image_id(page)

    page.keyboard.press("u")

    expect(page.locator("#status")).to_contain_text("There is no rating of the last 10 minutes to undo.")
    expect(shown_image(page)).to_have_attribute("data-image-id", shown)
    assert [str(r.image.public_id) for r in Rating.objects.all()] == [rated]
    assert KudosReward.objects.count() == 1
