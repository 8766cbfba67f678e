"""On a phone-sized screen (390×844) the image and all ten rating options fit the width:
nothing needs a horizontal scroll."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PHONE,
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    rating_scale,
    shown_image,
)


def inside_width(page: Page, box: dict | None) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.browser
def test_phone_shows_the_image_and_ten_ratings_without_horizontal_scrolling(
    open_page: Callable[..., Page], make_picture_images
) -> None:
    make_picture_images(2)
    page = open_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    log_in(page)
    expect_image_loaded(page)

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert inside_width(page, shown_image(page).bounding_box())
    options = rating_scale(page).locator("label")
    expect(options).to_have_count(10)
    for n in range(10):
        option = options.nth(n)
        expect(option).to_be_visible()
        expect(option).to_contain_text(str(n + 1))
        assert inside_width(page, option.bounding_box()), f"rating {n + 1} sticks out of the screen"
