"""axe-core finds no serious or critical accessibility violation on the embedded pages (the rate page and the
best-of page, in both themes), opened as a frame opens them: with a token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from tests.bestof_helpers import make_prompt_groups
from tests.browser_fixtures import browser, make_picture_images, open_page  # noqa: F401 (fixtures)
from tests.conftest import DEMO_KEY
from tests.test_browser_accessibility_axe import BLOCKING, axe_violations, describe, wait_for_scripts

ORIGIN = "https://artbot.example"


def _token() -> str:
    response = Client().post("/api/v1/embed/token", data={"origin": ORIGIN}, content_type="application/json",
                             headers={"apikey": DEMO_KEY})
    assert response.status_code == 201, response.content
    return response.json()["token"]


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("path", ["/embed/rate/", "/embed/rate/best-set/best/"])
def test_axe_finds_no_serious_violation_in_the_frame(
    open_page: Callable[..., Page], make_picture_images, settings, path: str, theme: str
) -> None:
    settings.CAPTCHA_RATE = 0
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]
    make_picture_images(3)
    make_prompt_groups(1, size=3)
    page = open_page(color_scheme=theme, viewport={"width": 390, "height": 844})

    page.goto(f"{path}?token={_token()}")
    expect(page.locator(".embed-who")).to_contain_text("Rating as")
    wait_for_scripts(page)

    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert blocking == [], describe(blocking)
