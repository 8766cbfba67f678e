"""Typing "1" then "0" means ten: it saves 10, never 1 with artifacts 0 (Flawless), however long the pause
between them (a digit always sets the rating, and 0 is 10). 1 with Flawless takes "A" before the "0"; either is
shown on the Save button first, and nothing is saved before Enter."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ratings_site.datasets.captchas import ensure_captcha_images
from ratings_site.datasets.models import Image
from ratings_site.ratings.models import CaptchaAnswer, Rating
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


def save_button(page: Page):
    return page.get_by_role("button", name=re.compile("Save rating"))


pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.mark.browser
def test_one_then_zero_saves_ten(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)

    page.keyboard.press("1")
    page.keyboard.press("0")

    expect(page.locator('input[name=rating][value="10"]')).to_be_checked()
    expect(page.locator("input[name=artifacts]:checked")).to_have_count(0)
    expect(save_button(page)).to_contain_text("10 · Masterpiece · no artifacts rating")
    assert not Rating.objects.exists()
    page.keyboard.press("Enter")
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    assert [(str(r.image.public_id), r.rating, r.artifacts) for r in Rating.objects.all()] == [(first, 10, None)]


@pytest.mark.browser
def test_one_then_a_pause_then_zero_is_still_ten(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)

    page.keyboard.press("1")
    page.wait_for_timeout(1300)  # longer than the one second in which "0" used to make it ten
    page.keyboard.press("0")

    expect(save_button(page)).to_contain_text("10 · Masterpiece · no artifacts rating")
    expect(page.locator("input[name=artifacts]:checked")).to_have_count(0)


@pytest.mark.browser
def test_one_then_a_zero_saves_one_with_flawless_shown_before_saving(page: Page, make_picture_images) -> None:
    make_picture_images(3)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)

    for key in ("1", "a", "0"):
        page.keyboard.press(key)

    expect(save_button(page)).to_contain_text("1 · Terrible · artifacts 0 · Flawless")
    assert not Rating.objects.exists()
    page.keyboard.press("Enter")
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    assert [(r.rating, r.artifacts) for r in Rating.objects.all()] == [(1, 0)]


@pytest.mark.browser
def test_a_captcha_asking_for_ten_is_passed_by_typing_one_zero(page: Page, make_picture_images, settings) -> None:
    make_picture_images(2)
    ensure_captcha_images(10)  # one of each answer
    Image.objects.filter(is_captcha=True).exclude(captcha_answer=10).update(hidden=True)
    settings.CAPTCHA_RATE = 1.0
    log_in(page)
    expect_image_loaded(page)
    captcha = Image.objects.get(public_id=shown_image_id(page))
    assert captcha.is_captcha and captcha.captcha_answer == 10

    for key in ("1", "0", "Enter"):
        page.keyboard.press(key)

    expect(shown_image(page)).not_to_have_attribute("data-image-id", str(captcha.public_id))
    answer = CaptchaAnswer.objects.get(image=captcha)
    assert (answer.answer, answer.passed) == (10, True)
