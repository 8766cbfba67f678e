"""In the browser, a check group on the best-of page is picked as any group is, under the server's look-time floor:
its check's number and Enter save "Saved: image N is best · +5 kudos"; another answer is told as a missed check, in
the status line, and the next group comes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ratings_site.bestof.models import CheckGroup
from ratings_site.ratings.models import CaptchaAnswer
from tests.bestof_check_helpers import best_checks, make_file_groups, media  # noqa: F401 (fixture)
from tests.browser_fixtures import browser, log_in, open_page, page  # noqa: F401 (fixtures)
from tests.test_browser_bestof_pick_by_keyboard import expect_images_loaded

URL = "/rate/shots/best/"


def _check_position(page: Page, check_ids: set[str]) -> int:
    ids = [image.get_attribute("data-image-id") for image in page.get_by_test_id("group-image").all()]
    (position,) = [n for n, value in enumerate(ids, start=1) if value in check_ids]
    return position


@pytest.mark.browser
def test_a_check_group_is_picked_by_keyboard_like_any_group(page: Page, settings, media) -> None:
    settings.RATING_MIN_SECONDS = 1.0
    settings.KUDOS_PER_BEST_PICK = 5
    make_file_groups(3, size=3)
    checks = {str(image.public_id) for image in best_checks(2)}
    settings.CAPTCHA_RATE = 1.0
    log_in(page)
    page.goto(URL)
    expect_images_loaded(page, 4)
    settings.CAPTCHA_RATE = 0.0  # the next draws: plain groups, but the one preloaded

    position = _check_position(page, checks)
    page.keyboard.press(str(position))
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("saved")).to_have_text(re.compile(rf"Saved: image {position} is best · \+5 kudos"))
    assert CheckGroup.objects.get().passed is True


@pytest.mark.browser
def test_a_missed_check_group_is_told_and_the_next_group_comes(page: Page, settings, media) -> None:
    make_file_groups(3, size=2)
    checks = {str(image.public_id) for image in best_checks(1)}
    settings.CAPTCHA_RATE = 1.0
    log_in(page)
    page.goto(URL)
    expect_images_loaded(page, 3)
    settings.CAPTCHA_RATE = 0.0
    position = _check_position(page, checks)

    page.keyboard.press("n")
    page.keyboard.press("Enter")

    expect(page.locator("#status, #best-card").get_by_text(f"Image {position} was a check")).to_be_visible()
    expect(page.get_by_test_id("group-image").first).to_be_visible()
    assert not checks & {image.get_attribute("data-image-id") for image in page.get_by_test_id("group-image").all()}
    assert CaptchaAnswer.objects.get().passed is False
