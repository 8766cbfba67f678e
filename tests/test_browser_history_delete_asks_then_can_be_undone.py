"""On "My ratings", Delete asks first ("Yes, delete it", or "Keep it"), and once a rating is deleted the page says
so with an Undo that brings the very same rating back: its scores, its time, its kudos line, the image's counters
and queue place as they were. With JavaScript and without."""

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
    browser,
    counters,
    log_in,
    make_picture_images,
    open_page,
)
from tests.helpers import image_counters, in_queue


def row_of(page: Page, caption: str) -> Locator:
    return page.get_by_test_id("rating-row").filter(has=page.get_by_alt_text(caption, exact=True))


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_delete_asks_first_and_undo_brings_the_same_rating_back(
    open_page: Callable[..., Page], make_picture_images, settings, javascript: bool
) -> None:
    settings.RATINGS_PER_IMAGE = 1  # the rating fills the image: the delete puts it back in the queue, the undo not
    kept, image = make_picture_images(2)
    page = open_page(java_script_enabled=javascript)
    log_in(page)
    rater = Rater.objects.get(horde_id=1001)
    rate_image(rater=rater, image=kept, rating=8)
    rate_image(rater=rater, image=image, rating=5, artifacts=2, client_agent="HordeRatings-web:1.0")
    before = Rating.objects.values("rating", "artifacts", "created_at", "client_agent", "rater_kudos").get(image=image)
    counted = image_counters(image)
    assert not in_queue(image)

    page.goto("/ratings/")
    row = row_of(page, image.caption)
    confirm = row.get_by_test_id("confirm-delete")
    expect(confirm).to_be_hidden()

    # Delete asks; "Keep it" keeps it.
    row.get_by_text("Delete", exact=True).click()
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Delete your rating 5 · Mediocre, 2 · Minor flaws? Its 5 kudos will be cancelled.")
    row.get_by_text("Keep it", exact=True).click()
    expect(confirm).to_be_hidden()
    assert Rating.objects.filter(image=image).exists()

    # Delete, yes: the row goes, and the page says so, with an Undo.
    row.get_by_text("Delete", exact=True).click()
    row.get_by_role("button", name="Yes, delete it").click()
    deleted = page.get_by_test_id("deleted")
    expect(deleted).to_contain_text(
        f"Deleted your rating of “{image.caption}” (5 · Mediocre, Minor flaws); its 5 kudos were cancelled."
    )
    expect(row_of(page, image.caption)).to_have_count(0)
    expect(counters(page)).to_contain_text("1 rated today")
    assert not Rating.objects.filter(image=image).exists()
    assert in_queue(image)

    # Undo: the same rating, back where it was.
    deleted.get_by_role("button", name="Undo").click()
    expect(
        page.get_by_text(f"Undone: your rating of “{image.caption}” (5 · Mediocre, Minor flaws) is back.")
    ).to_be_visible()
    expect(page.get_by_test_id("deleted")).to_have_count(0)
    back = row_of(page, image.caption)
    expect(back.get_by_test_id("rating")).to_have_text("5 · Mediocre")
    expect(back.get_by_test_id("artifacts")).to_have_text("2 · Minor flaws")
    expect(back.get_by_test_id("reward")).to_contain_text(re.compile(r"5\s+pending"))
    expect(counters(page)).to_contain_text("2 rated today")
    after = Rating.objects.values("rating", "artifacts", "created_at", "client_agent", "rater_kudos").get(image=image)
    assert after == before
    assert image_counters(image) == counted
    assert not in_queue(image)
    assert KudosReward.objects.filter(image=image, status=KudosReward.Status.PENDING, amount=5).count() == 1
