"""Holding "5" and Enter down cannot earn ratings faster than the look time allows: each image is on screen at
least RATING_MIN_LOOK_MS (700 ms) before Enter saves it. Pressing "5", Enter as fast as the browser takes keys for
5 seconds stores at most ceil(5 / 0.7) + 1 ratings, each at least 0.7 s after the one before (it used to store
30 in 5.7 s)."""

from __future__ import annotations

import math
import time

import pytest
from playwright.sync_api import Page

from ratings_site.ratings.models import Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    page,
)

pytestmark = pytest.mark.usefixtures("no_captchas")

LOOK_MS = 700
SECONDS = 5.0


@pytest.fixture(autouse=True)
def look_time(settings):
    settings.RATING_MIN_LOOK_MS = LOOK_MS
    settings.RATINGS_PER_MINUTE_MAX = 1000  # the flood pause is another rule


@pytest.mark.browser
def test_five_seconds_of_five_enter_store_one_rating_per_look(page: Page, make_picture_images) -> None:
    for dataset in ("looks-a", "looks-b", "looks-c"):  # six distinct pictures a dataset
        make_picture_images(6, dataset=dataset)
    log_in(page)
    expect_image_loaded(page)

    presses = 0
    started = time.monotonic()
    while time.monotonic() - started < SECONDS:
        page.keyboard.press("5")
        page.keyboard.press("Enter")
        presses += 1
    page.wait_for_timeout(500)  # the last save, if one was sent, lands

    stored = list(Rating.objects.order_by("created_at").values_list("created_at", "rating"))
    assert presses > 50, f"the keys were not pressed fast enough to prove anything: {presses}"
    assert 3 <= len(stored) <= math.ceil(SECONDS * 1000 / LOOK_MS) + 1, stored
    assert {rating for _, rating in stored} == {5}
    gaps = [(b - a).total_seconds() for (a, _), (b, _) in zip(stored, stored[1:])]
    assert min(gaps) >= LOOK_MS / 1000, gaps
