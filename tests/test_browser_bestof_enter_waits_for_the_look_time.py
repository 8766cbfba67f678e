"""On the best-of page Enter (or Save) saves only once the group's images have been on screen RATING_MIN_LOOK_MS: a
pick and Enter typed at once on a fresh group save nothing and say why, the pick stays selected, and the same Enter
after the look time saves it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ratings_site.bestof.models import BestPick
from tests.browser_fixtures import browser, log_in, open_page, page  # noqa: F401 (fixtures)
from tests.test_browser_bestof_pick_by_keyboard import URL, expect_images_loaded, make_groups

LOOK = "Take a moment to look at the images first, then save."


@pytest.mark.browser
def test_a_pick_and_enter_typed_at_once_wait_for_the_look_time(page: Page, settings) -> None:
    settings.RATING_MIN_LOOK_MS = 700
    make_groups(2)
    log_in(page)
    page.goto(URL)
    expect_images_loaded(page, 4)

    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("key-note")).to_have_text(LOOK)
    expect(page.get_by_test_id("save")).to_contain_text("Save: image 2 is best")
    expect(page.get_by_role("alert").filter(has_text=re.compile(r"\S"))).to_have_count(0)  # a note, not an error
    assert not BestPick.objects.exists()

    expect(page.locator("#best-card")).to_have_attribute("data-look", "done")  # the look time has passed
    first = page.locator("#pick-form").get_attribute("data-group-id")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved")).to_have_text(re.compile(r"Saved: image 2 is best"))
    assert str(BestPick.objects.get().group_id) == first


@pytest.mark.browser
def test_a_click_on_save_at_once_waits_too(page: Page, settings) -> None:
    settings.RATING_MIN_LOOK_MS = 700
    make_groups(1)
    log_in(page)
    page.goto(URL)
    expect_images_loaded(page, 4)

    page.get_by_test_id("candidate").nth(2).click()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("key-note")).to_have_text(LOOK)
    assert not BestPick.objects.exists()

    expect(page.locator("#best-card")).to_have_attribute("data-look", "done")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("saved")).to_have_text(re.compile(r"Saved: image 3 is best"))
    assert BestPick.objects.count() == 1
