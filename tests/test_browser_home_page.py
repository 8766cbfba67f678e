"""The landing page in a browser, on a laptop (1366×768) and a phone (390×844): the pitch, the figures and the
login form are on screen without horizontal scrolling, the form is in the first screenful, and logging in
from it with a Horde key lands on the rate page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ratings_site.figures.models import SiteFigures
from tests.browser_fixtures import PHONE, browser, open_page  # noqa: F401 (fixtures)
from tests.conftest import DEMO_KEY

LAPTOP = {"width": 1366, "height": 768}
SCREENS = {
    "laptop-1366x768": {"viewport": LAPTOP},
    "phone-390x844": {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}


def _within_first_screen(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
def test_a_visitor_reads_the_pitch_and_logs_in_from_the_landing_page(
    open_page: Callable[..., Page], screen: dict, transactional_db
) -> None:
    SiteFigures.objects.create(
        pk=SiteFigures.ROW, ratings=1234567, raters=4321, images=2500000, kudos_paid=6172835, computed_at=timezone.now()
    )
    page = open_page(**screen)

    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Rate AI images")
    expect(page.get_by_text("CC-BY-SA-4.0").first).to_be_visible()
    expect(page.get_by_test_id("figure-ratings")).to_have_text("1,234,567")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    key = page.get_by_role("textbox", name="Horde API key")
    log_in = page.get_by_role("button", name="Log in")
    assert _within_first_screen(page, "input[name=apikey]"), "the key field is below the first screenful"
    assert _within_first_screen(page, ".landing-login button[type=submit]"), "Log in is below the first screenful"

    key.fill(DEMO_KEY)
    log_in.click()

    expect(page).to_have_url(re.compile(r"/rate/$"))
    expect(page.get_by_role("banner")).to_contain_text("DemoRater#1001")
