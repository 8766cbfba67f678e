"""On the generation set page a digit always sets the current image's rating: "7" then "4" is a rating of 4 with no
artifacts (it was "7, artifacts 4 · Harmful" before); the artifacts are set with "A" then 0-5, and the armed
artifacts scale says so while it waits for the digit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating
from tests.browser_fixtures import browser, log_in, open_page  # noqa: F401 (fixtures)


@pytest.mark.browser
def test_a_second_digit_changes_the_rating_and_a_then_a_digit_sets_the_artifacts(open_page, horde) -> None:
    page = open_page(viewport={"width": 1366, "height": 768})
    log_in(page)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    page.goto(f"/generations/{DEMO_SET_FOUR}/")
    for image in page.get_by_test_id("gen-image").all():
        expect(image).to_have_js_property("complete", True)
    page.locator("body").click(position={"x": 5, "y": 300})  # the page, not a field, has the focus
    rating = page.locator(f'input[name="rating-{ids[0]}"]:checked')
    artifacts = page.locator(f'input[name="artifacts-{ids[0]}"]:checked:not([value=""])')
    first = page.locator('.gen-card[data-number="1"]')

    page.keyboard.press("7")
    page.keyboard.press("4")
    expect(rating).to_have_value("4")
    expect(artifacts).to_have_count(0)
    expect(first.locator('[data-chosen="rating"]')).to_have_text("4 · Poor")

    # "A" arms the artifacts scale, visibly; the next digit sets the artifacts, and the scale is disarmed again.
    armed = first.get_by_test_id("artifacts-armed")
    expect(armed).to_be_hidden()
    page.keyboard.press("a")
    expect(armed).to_be_visible()
    expect(armed).to_have_text("press 0–5")
    page.keyboard.press("4")
    expect(armed).to_be_hidden()
    expect(artifacts).to_have_value("4")
    expect(rating).to_have_value("4")

    # Disarmed, a digit is a rating again; "A" twice is "never mind".
    page.keyboard.press("8")
    page.keyboard.press("a")
    page.keyboard.press("a")
    expect(armed).to_be_hidden()
    page.keyboard.press("2")
    expect(rating).to_have_value("2")
    expect(artifacts).to_have_value("4")
    # Armed, 6-9 are no artifacts: they are ratings still.
    page.keyboard.press("a")
    page.keyboard.press("9")
    expect(armed).to_be_hidden()
    expect(rating).to_have_value("9")
    expect(artifacts).to_have_value("4")

    page.keyboard.press("Enter")
    expect(page.get_by_test_id("review")).to_contain_text("Image 1: 9 · Excellent, Harmful")
    assert not GenerationRating.objects.exists()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("result-1")).to_have_text(re.compile(r"Image 1: 9 · Excellent, artifacts 4"))
    [stored] = GenerationRating.objects.all()
    assert (stored.rating, stored.artifacts) == (9, 4)
