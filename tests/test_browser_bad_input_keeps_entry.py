"""Submitting with no rating chosen shows a visible error on the same image and stores nothing;
choosing a rating then submits normally."""

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
    rating_scale,
    shown_image,
    shown_image_id,
)


@pytest.mark.browser
def test_submitting_without_a_rating_shows_an_error_and_keeps_the_image(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)
    submit = page.get_by_role("button", name=re.compile("Save rating"))

    submit.click()
    error = page.get_by_test_id("error")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile("Choose a rating from 1 to 10"))
    expect(shown_image(page)).to_have_attribute("data-image-id", first)
    expect_image_loaded(page)
    expect(page.locator("#connection-error")).to_be_hidden()
    expect(counters(page)).to_contain_text("0 rated today")
    assert not Rating.objects.exists()

    rating_scale(page).locator("label").filter(has_text="Good").click()
    submit.click()
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    expect(page.get_by_test_id("error")).to_have_count(0)
    expect(counters(page)).to_contain_text("1 rated today")
    assert [(str(r.image.public_id), r.rating, r.artifacts) for r in Rating.objects.all()] == [(first, 7, None)]
