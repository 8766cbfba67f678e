"""A rater logs in, rates three images and skips one with the keyboard alone, then sees the kudos paid.

Digits select, Enter saves; each save swaps in the next image through htmx, without
reloading the page; the header counter follows; the ledger shows 15 kudos pending, then
paid once the payment runs, and the rater's Horde balance rises by 15.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from ratings_site.kudos.payments import pay_rewards_for
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating, Skip
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    artifacts_scale,
    browser,
    counters,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    page,
    rating_scale,
    shown_image,
    shown_image_id,
)

USERNAME = "DemoRater#1001"  # the stand-in Horde's user for DEMO_KEY


def stat(page: Page, term: str):
    """The number shown under a label of the kudos page's figures."""
    return page.locator(".stats div").filter(has=page.get_by_text(term, exact=True)).locator("dd").first


def press_and_see_next_image(page: Page, keys: list[str], *, rated_today: int) -> str:
    """Press `keys` on the page; a new image replaces the shown one in place. Returns the image it left."""
    before = shown_image_id(page)
    for key in keys:
        page.keyboard.press(key)
    expect(shown_image(page)).not_to_have_attribute("data-image-id", before)
    expect_image_loaded(page)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapping the card"
    expect(counters(page)).to_contain_text(f"{rated_today} rated today")
    return before


@pytest.mark.browser
def test_keyboard_rates_three_images_in_place_and_the_kudos_get_paid(page: Page, make_picture_images, horde) -> None:
    make_picture_images(6)
    log_in(page)

    expect_image_loaded(page)
    expect(rating_scale(page)).to_be_visible()
    expect(rating_scale(page)).to_contain_text("Masterpiece")
    expect(artifacts_scale(page)).to_be_visible()
    expect(artifacts_scale(page)).to_contain_text("Garbage")
    expect(counters(page)).to_contain_text("0 rated today")
    page.evaluate("window.__marker = 1")

    # 7, then artifacts 2 (A, 2): selected and shown on the Save button, not saved until Enter.
    page.keyboard.press("7")
    expect(page.locator('input[name=rating][value="7"]')).to_be_checked()
    page.keyboard.press("a")
    page.keyboard.press("2")
    expect(page.get_by_role("button", name=re.compile("Save rating"))).to_contain_text("7 · Good · artifacts 2 · Minor flaws")
    assert not Rating.objects.exists()
    first = press_and_see_next_image(page, ["Enter"], rated_today=1)
    # 0 means 10, then Enter saves with no artifacts.
    second = press_and_see_next_image(page, ["0", "Enter"], rated_today=2)
    # 3, then artifacts 5.
    third = press_and_see_next_image(page, ["3", "a", "5", "Enter"], rated_today=3)
    # S skips: a new image, and the counter stays at 3.
    skipped = press_and_see_next_image(page, ["s"], rated_today=3)
    expect(counters(page)).to_contain_text("3 in all")

    rater = Rater.objects.get(username=USERNAME)
    stored = {str(r.image.public_id): (r.rating, r.artifacts) for r in Rating.objects.filter(rater=rater)}
    assert stored == {first: (7, 2), second: (10, None), third: (3, 5)}
    assert [str(s.image.public_id) for s in Skip.objects.filter(rater=rater)] == [skipped]

    page.goto("/kudos/")
    expect(stat(page, "Earned here, pending")).to_have_text("15")
    expect(stat(page, "Earned here, paid")).to_have_text("0")
    expect(stat(page, "Horde balance")).to_have_text("1,000")
    expect(stat(page, "Ratings today")).to_have_text("3")

    assert pay_rewards_for(rater.pk).paid == 15
    assert horde.balance(USERNAME) == 1015

    cache.clear()  # the balance comes from find_user, which is cached for 30 s
    page.reload()
    expect(stat(page, "Earned here, paid")).to_have_text("15")
    expect(stat(page, "Earned here, pending")).to_have_text("0")
    expect(stat(page, "Horde balance")).to_have_text("1,015")
