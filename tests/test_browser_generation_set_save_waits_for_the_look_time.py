"""On the generation set page the save acts only once the images have been on screen RATING_MIN_LOOK_MS: a rating,
Enter (the review) and Enter (save) typed at once save nothing and say why; the same Enter after the look time
saves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating
from tests.browser_fixtures import browser, log_in, open_page  # noqa: F401 (fixtures)


@pytest.mark.browser
def test_enter_in_the_review_saves_only_after_the_look_time(open_page, horde, settings) -> None:
    settings.RATING_MIN_LOOK_MS = 1500
    page = open_page(viewport={"width": 1366, "height": 768})
    log_in(page)
    page.goto(f"/generations/{DEMO_SET_FOUR}/")
    for image in page.get_by_test_id("gen-image").all():
        expect(image).to_have_js_property("complete", True)
    page.locator("h1").click()

    for key in ["7", "Enter", "Enter"]:
        page.keyboard.press(key)
    review = page.get_by_test_id("review")
    expect(review).to_be_visible()
    expect(review.get_by_test_id("key-note")).to_have_text("Take a moment to look at the images first, then save.")
    assert not GenerationRating.objects.exists()
    expect(page.get_by_test_id("key-note").filter(visible=True)).to_have_count(1)

    expect(page.locator("#gen-set")).to_have_attribute("data-look", "done")  # the look time has passed
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved")).to_contain_text("Saved; sending to the Horde")
    assert GenerationRating.objects.get().rating == 7
