"""Every link of the header stays reachable on small screens: under 900 px the links scroll sideways beside the
site's name rather than being left out, so "My generations" can be reached from the rating page on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import browser, expect_image_loaded, log_in, open_page  # noqa: F401 (fixtures)
from tests.screen_helpers import make_images, viewport

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(390, 844), (320, 640), (800, 600)], ids=["390", "320", "800"])
def test_my_generations_is_reachable_from_the_rate_page(
    open_page: Callable[..., Page], width: int, height: int
) -> None:
    make_images(2)
    page = open_page(**viewport(width, height))
    log_in(page)
    expect_image_loaded(page)
    header = page.get_by_role("banner")

    for name in ("Rate", "My ratings", "My generations", "Kudos"):
        expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    header.get_by_role("link", name="My generations").click()

    expect(page).to_have_url(re.compile(r"/generations/$"))
