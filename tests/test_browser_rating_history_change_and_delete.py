"""A rater opens "My ratings" from the header, changes one rating with its selects and deletes another,
and sees what happened: the message, the changed row, the row gone (after a confirmation), the header's
counters. The forms are plain POSTs, so it works the same with JavaScript on and off."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.services import rate_image
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    TIMEOUT_MS,
    browser,
    counters,
    log_in,
    make_picture_images,
    open_page,
)


def row_of(page: Page, caption: str) -> Locator:
    return page.get_by_test_id("rating-row").filter(has=page.get_by_alt_text(caption, exact=True))


def expect_thumbnail_loaded(row: Locator) -> None:
    thumbnail = row.get_by_role("img")
    expect(thumbnail).to_be_visible()
    # A thumbnail is made on its first request: allow it more than the usual 5 s on a busy machine. expect() retries
    # from Playwright's side; page.wait_for_function would check only once in a context without JavaScript.
    expect(thumbnail).to_have_js_property("complete", True, timeout=3 * TIMEOUT_MS)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0, "the thumbnail is a broken-image icon"


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_rater_changes_one_rating_and_deletes_another_on_the_history_page(
    open_page: Callable[..., Page], make_picture_images, javascript: bool
) -> None:
    first, second, _unrated = make_picture_images(3)
    page = open_page(java_script_enabled=javascript)
    log_in(page)
    rater = Rater.objects.get(horde_id=1001)
    rate_image(rater=rater, image=first, rating=7, artifacts=2)
    rate_image(rater=rater, image=second, rating=5)

    page.get_by_role("banner").get_by_role("link", name="My ratings").click()

    expect(page).to_have_url(re.compile(r"/ratings/$"))
    expect(page.get_by_role("heading", name="Your ratings")).to_be_visible()
    expect(page.get_by_test_id("rating-row")).to_have_count(2)
    changed, deleted = row_of(page, first.caption), row_of(page, second.caption)
    expect_thumbnail_loaded(changed)
    expect_thumbnail_loaded(deleted)
    expect(changed.get_by_test_id("rating")).to_have_text("7 · Good")
    expect(changed.get_by_test_id("artifacts")).to_have_text("2 · Minor flaws")
    expect(changed.get_by_test_id("reward")).to_contain_text("5")
    expect(changed.get_by_test_id("reward")).to_contain_text("pending")
    expect(counters(page)).to_contain_text("2 rated today")

    changed.get_by_label("Rating").select_option(label="8 · Great")
    changed.get_by_label("Artifacts").select_option(label="1 · Tiny flaws")
    changed.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Changed: 8 · Great, Tiny flaws")).to_be_visible()
    changed = row_of(page, first.caption)
    expect(changed.get_by_test_id("rating")).to_have_text("8 · Great")
    expect(changed.get_by_test_id("artifacts")).to_have_text("1 · Tiny flaws")
    expect(changed.get_by_label("Rating")).to_have_value("8")

    row_of(page, second.caption).get_by_text("Delete", exact=True).click()  # it asks first
    row_of(page, second.caption).get_by_role("button", name="Yes, delete it").click()

    expect(
        page.get_by_text(f"Deleted your rating of “{second.caption}” (5 · Mediocre); its 5 kudos were cancelled.")
    ).to_be_visible()
    expect(page.get_by_text("Changed: 8 · Great, Tiny flaws")).to_have_count(0)  # each message shown once
    expect(page.get_by_test_id("rating-row")).to_have_count(1)
    expect(row_of(page, second.caption)).to_have_count(0)
    expect(counters(page)).to_contain_text("1 rated today")

    assert list(Rating.objects.values_list("image", "rating", "artifacts")) == [(first.pk, 8, 1)]
    assert list(KudosReward.objects.values_list("image", "status")) == [(first.pk, KudosReward.Status.PENDING)]
