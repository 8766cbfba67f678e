"""Without JavaScript the rate page is a plain form: a click on a rating and on Submit posts,
the site redirects, and the page comes back with the next image."""

from __future__ import annotations

import re
from collections.abc import Callable

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
    rating_scale,
    shown_image,
    shown_image_id,
)


@pytest.mark.browser
def test_rating_without_javascript_posts_and_redirects_to_the_next_image(
    open_page: Callable[..., Page], make_picture_images
) -> None:
    make_picture_images(3)
    page = open_page(java_script_enabled=False)
    log_in(page)
    expect_image_loaded(page)
    expect(counters(page)).to_contain_text("0 rated today")
    rated = shown_image_id(page)

    rating_scale(page).locator("label").filter(has_text="Decent").click()
    expect(page.locator('input[name=rating][value="6"]')).to_be_checked()
    with page.expect_response(lambda r: r.request.method == "POST" and f"/images/{rated}/rate/" in r.url) as posted:
        page.get_by_role("button", name=re.compile("Save rating")).click()
    assert posted.value.status == 302  # a plain form post, answered with a redirect
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(r"/rate/"))
    expect(shown_image(page)).not_to_have_attribute("data-image-id", rated)
    expect_image_loaded(page)
    expect(counters(page)).to_contain_text("1 rated today")
    assert [(str(r.image.public_id), r.rating, r.artifacts) for r in Rating.objects.all()] == [(rated, 6, None)]
