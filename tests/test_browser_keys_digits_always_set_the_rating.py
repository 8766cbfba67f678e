"""A digit always sets the rating; the artifacts take "A" then a digit 0-5. So "7" then "4" saves 4 with no
artifacts (it used to save 7 with artifacts 4, "Harmful"). "A" arms the artifacts scale for two seconds, visibly
("press 0-5"); a digit 0-5 then sets the artifacts, a digit 6-9 sets the rating instead, and "A" again, Escape or
the two seconds passing disarm it. The Save button says what Enter will save at every step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ratings_site.ratings.models import Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    artifacts_scale,
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


def press(page: Page, *keys: str) -> None:
    for key in keys:
        page.keyboard.press(key)


def expect_armed(page: Page, armed: bool) -> None:
    hint = artifacts_scale(page).get_by_text("press 0–5")
    if armed:
        expect(hint).to_be_visible()
        expect(artifacts_scale(page)).to_have_class(re.compile(r"\barmed\b"))
    else:
        expect(hint).to_be_hidden()
        expect(artifacts_scale(page)).not_to_have_class(re.compile(r"\barmed\b"))


@pytest.mark.browser
def test_seven_then_four_saves_four_without_artifacts(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)

    press(page, "7", "4")
    expect(save_button(page)).to_contain_text("4 · Poor · no artifacts rating")
    press(page, "Enter")

    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    assert [(str(r.image.public_id), r.rating, r.artifacts) for r in Rating.objects.all()] == [(first, 4, None)]


@pytest.mark.browser
def test_a_then_a_digit_sets_the_artifacts_and_the_scale_shows_it_is_waiting(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    expect(artifacts_scale(page).locator("label:has(input[value='4']) kbd")).to_have_text(["A", "4"])
    expect_armed(page, False)

    press(page, "7", "a")
    expect_armed(page, True)
    press(page, "4")
    expect_armed(page, False)
    expect(save_button(page)).to_contain_text("7 · Good · artifacts 4 · Harmful")

    press(page, "3")  # disarmed: the next digit is a rating again, and the artifacts stay
    expect(save_button(page)).to_contain_text("3 · Bad · artifacts 4 · Harmful")
    press(page, "Enter")
    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 3 · Bad · artifacts 4 · Harmful")
    assert [(r.rating, r.artifacts) for r in Rating.objects.all()] == [(3, 4)]


@pytest.mark.browser
def test_a_then_six_to_nine_sets_the_rating_and_disarms(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)

    press(page, "5", "a", "2", "a", "8")
    expect_armed(page, False)
    expect(save_button(page)).to_contain_text("8 · Great · artifacts 2 · Minor flaws")
    press(page, "1")
    expect(save_button(page)).to_contain_text("1 · Terrible · artifacts 2 · Minor flaws")


@pytest.mark.browser
def test_a_again_escape_or_two_seconds_disarm_it(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)

    press(page, "6", "a", "a")
    expect_armed(page, False)
    press(page, "2")
    expect(save_button(page)).to_contain_text("2 · Very bad · no artifacts rating")

    press(page, "a", "Escape")
    expect_armed(page, False)
    press(page, "3")
    expect(save_button(page)).to_contain_text("3 · Bad · no artifacts rating")

    press(page, "a")
    expect_armed(page, True)
    page.wait_for_timeout(2200)  # the two seconds run out
    expect_armed(page, False)
    press(page, "4")
    expect(save_button(page)).to_contain_text("4 · Poor · no artifacts rating")
    assert not Rating.objects.exists()
