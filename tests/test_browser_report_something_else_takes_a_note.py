"""Reporting "Something else" takes a short note for the moderators, by keyboard (R, O, type, Enter) or by
mouse, and the rater sees the thanks; the other reasons report with one key."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ratings_site.ratings.models import Skip
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


@pytest.mark.browser
def test_keyboard_report_with_a_note(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    reported = shown_image_id(page)

    page.keyboard.press("r")
    page.keyboard.press("o")
    expect(page.get_by_placeholder("What is wrong with it?")).to_be_focused()
    page.keyboard.type("Two heads on one body")
    page.keyboard.press("Enter")

    expect(shown_image(page)).not_to_have_attribute("data-image-id", reported)
    expect(page.get_by_test_id("notice")).to_contain_text("Thanks for the report")
    skip = Skip.objects.get()
    assert (str(skip.image.public_id), skip.reason, skip.note) == (reported, "other", "Two heads on one body")


@pytest.mark.browser
def test_mouse_report_with_one_click(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    reported = shown_image_id(page)

    page.locator("#report summary").click()
    page.get_by_role("button", name=re.compile("^Watermark or text")).click()

    expect(shown_image(page)).not_to_have_attribute("data-image-id", reported)
    assert [(str(s.image.public_id), s.reason) for s in Skip.objects.all()] == [(reported, "watermark")]
