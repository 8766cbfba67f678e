"""The rate page's welcome panel explains rating to a new rater, and once dismissed it stays gone: after a
reload and in another browser (it is stored on the rater, not in a cookie)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ratings_site.raters.models import Rater
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
)


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_welcome_panel_goes_for_good(open_page: Callable[..., Page], make_picture_images, javascript: bool) -> None:
    make_picture_images(3)
    page = open_page(java_script_enabled=javascript)
    log_in(page)
    expect_image_loaded(page)
    welcome = page.get_by_test_id("welcome")
    expect(welcome).to_contain_text("How rating works")

    page.get_by_role("button", name=re.compile("Got it")).click()

    expect(welcome).to_have_count(0)
    expect_image_loaded(page)
    assert Rater.objects.get(horde_id=1001).welcome_dismissed
    page.reload()
    expect_image_loaded(page)
    expect(page.get_by_test_id("welcome")).to_have_count(0)
    elsewhere = open_page()
    log_in(elsewhere)
    expect_image_loaded(elsewhere)
    expect(elsewhere.get_by_test_id("welcome")).to_have_count(0)
