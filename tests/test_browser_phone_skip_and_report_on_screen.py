"""On a phone (390 × 844) the card loads with everything a rater needs on the screen, without scrolling: the image,
the ten ratings, the artifacts, Save, Skip and Report, with the status line above the card. Square, 3:2, wide and
tall pictures alike, with a long caption; on the first card and after a save (when "Undo last" joins the row)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    artifacts_scale,
    browser,
    expect_image_loaded,
    log_in,
    open_page,
    rating_scale,
    shown_image,
)
from tests.screen_helpers import assert_on_screen, make_images, viewport

pytestmark = pytest.mark.usefixtures("no_captchas")

PICTURES = {"square": (1024, 1024), "3x2": (1200, 800), "wide": (1600, 700), "tall": (700, 1200)}


def assert_all_on_screen(page: Page) -> None:
    assert page.evaluate("window.scrollY") == 0, "the page was scrolled"
    assert_on_screen(page, shown_image(page), "the image")
    for n, label in enumerate(rating_scale(page).locator("label").all(), start=1):
        assert_on_screen(page, label, f"rating {n}")
    for n, label in enumerate(artifacts_scale(page).locator("label").all()):
        assert_on_screen(page, label, f"artifacts {n}")
    assert_on_screen(page, page.get_by_role("button", name=re.compile("Save rating")), "Save")
    assert_on_screen(page, page.get_by_role("button", name=re.compile("^Skip")), "Skip")
    assert_on_screen(page, page.locator("#report summary"), "Report")


@pytest.mark.browser
@pytest.mark.parametrize("shape", PICTURES)
def test_skip_and_report_are_on_the_screen_when_the_card_loads(open_page: Callable[..., Page], shape: str) -> None:
    make_images(3, size=PICTURES[shape])
    page = open_page(**viewport(390, 844))
    log_in(page)
    expect_image_loaded(page)
    expect(page.get_by_test_id("message")).to_contain_text("Welcome")  # the status line says something
    assert_all_on_screen(page)

    rating_scale(page).locator("label").filter(has_text="Good").tap()
    page.get_by_role("button", name=re.compile("Save rating")).tap()
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect_image_loaded(page)
    expect(page.get_by_role("button", name=re.compile("^Undo last"))).to_be_visible()
    assert_all_on_screen(page)
    assert_on_screen(page, page.get_by_test_id("saved"), "the Saved line")
