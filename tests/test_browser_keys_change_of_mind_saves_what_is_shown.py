"""Digits only select; what the rater ends on is what Enter saves, and it is on the Save button first.

"7", "A", "4" selects 7 with artifacts 4 (nothing saved); Backspace takes the 4 back, another Backspace takes the
7 back, "4" then Enter saves 4. Another digit after a rating changes the rating and keeps the artifacts."""

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


def save_button(page: Page):
    return page.get_by_role("button", name=re.compile("Save rating"))


@pytest.mark.browser
def test_seven_four_then_a_correction_saves_what_the_rater_ended_on(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)

    for key in ("7", "a", "4"):
        page.keyboard.press(key)
    expect(save_button(page)).to_contain_text("7 · Good · artifacts 4 · Harmful")
    page.wait_for_timeout(300)
    assert not Rating.objects.exists(), "a selection was saved without Enter"

    page.keyboard.press("Backspace")  # takes the artifacts back
    expect(save_button(page)).to_contain_text("7 · Good · no artifacts rating")
    page.keyboard.press("Backspace")  # then the rating
    expect(page.locator("input[name=rating]:checked")).to_have_count(0)
    page.keyboard.press("4")
    expect(save_button(page)).to_contain_text("4 · Poor · no artifacts rating")
    page.keyboard.press("Enter")

    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    assert [(str(r.image.public_id), r.rating, r.artifacts) for r in Rating.objects.all()] == [(first, 4, None)]


@pytest.mark.browser
def test_a_rating_digit_after_a_rating_changes_the_rating(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)

    for key in ("7", "a", "1", "8"):
        page.keyboard.press(key)
    expect(save_button(page)).to_contain_text("8 · Great · artifacts 1 · Tiny flaws")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 8 · Great · artifacts 1 · Tiny flaws · +5 kudos")
    assert [(r.rating, r.artifacts) for r in Rating.objects.all()] == [(8, 1)]


@pytest.mark.browser
def test_mouse_choices_show_on_the_save_button_and_a_second_click_takes_artifacts_back(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)

    page.get_by_role("group", name=re.compile("How much")).locator("label").filter(has_text="Decent").click()
    artifacts = page.get_by_role("group", name=re.compile("Artifacts")).locator("label")
    artifacts.filter(has_text="Garbage").click()
    expect(save_button(page)).to_contain_text("6 · Decent · artifacts 5 · Garbage")
    artifacts.filter(has_text="Garbage").click()
    expect(save_button(page)).to_contain_text("6 · Decent · no artifacts rating")
    save_button(page).click()

    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 6 · Decent · +5 kudos")
    assert [(r.rating, r.artifacts) for r in Rating.objects.all()] == [(6, None)]
