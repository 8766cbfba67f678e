"""A rater opens a four-image set by its request id and rates it by keyboard alone, picking the best.

What a person sees: the keys select (nothing saved), Enter shows what will be sent, Enter again saves at once
("sending to the Horde…"; the worker sends it), and the page, polling, then says the kudos the Horde gave. The page fits a 1366 × 768 screen and stacks on a phone.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating, GenerationSet
from tests.browser_fixtures import browser, log_in, open_page, page  # noqa: F401 (fixtures)
from tests.helpers import run_worker

SCREENSHOTS = os.environ.get("GENERATION_SCREENSHOTS")  # a folder: save what the pages look like there


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"))


def card(page: Page, number: int):
    return page.locator(f'.gen-card[data-number="{number}"]')


@pytest.mark.browser
def test_a_four_image_set_is_rated_by_keyboard_with_a_review_before_saving(open_page, horde) -> None:
    page = open_page(viewport={"width": 1366, "height": 768})
    log_in(page)
    ids = horde.generation_ids(DEMO_SET_FOUR)

    page.goto("/generations/")
    page.get_by_label("Open a set by its request id").fill(DEMO_SET_FOUR)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/generations/{DEMO_SET_FOUR}/$"))
    expect(page.get_by_test_id("gen-image")).to_have_count(4)
    for image in page.get_by_test_id("gen-image").all():
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    page.locator("body").click(position={"x": 5, "y": 300})  # the page, not a field, has the focus

    # Image 1: 8, artifacts ("A" then 1) 1. Image 2: 5. Image 3: "1" then "0" = 10. Image 4: 3. Then back to 3: the best.
    for key in ["8", "a", "1", "ArrowRight", "5", "ArrowRight", "1", "0", "ArrowRight", "3", "k", "b"]:
        page.keyboard.press(key)
    expect(page.locator(f'input[name="rating-{ids[0]}"][value="8"]')).to_be_checked()
    expect(page.locator(f'input[name="artifacts-{ids[0]}"][value="1"]')).to_be_checked()
    expect(page.locator(f'input[name="rating-{ids[2]}"][value="10"]')).to_be_checked()
    expect(page.locator(f'input[name="artifacts-{ids[2]}"]:checked:not([value=""])')).to_have_count(0)
    expect(page.locator(f'input[name="best"][value="{ids[2]}"]')).to_be_checked()
    expect(card(page, 3)).to_have_class(re.compile("is-best"))
    expect(page.get_by_test_id("summary")).to_have_text("4 of 4 rated · best: image 3")
    shot(page, "desktop-chosen")
    assert page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight + 1"), "the set page scrolls"

    # Enter: the review, and still nothing saved.
    page.keyboard.press("Enter")
    review = page.get_by_test_id("review")
    expect(review).to_be_visible()
    expect(review).to_contain_text("Image 1: 8 · Great, Tiny flaws")
    expect(review).to_contain_text("Image 3: 10 · Masterpiece")
    expect(review).to_contain_text("Best: image 3. Your pick.")
    save = page.get_by_test_id("save")
    expect(save).to_contain_text("Save and send to the Horde: 4 ratings, best image 3")
    expect(save).to_be_in_viewport()
    shot(page, "desktop-review")
    assert not GenerationRating.objects.exists()

    # Esc goes back; a change closes nothing silently: Enter reviews again, Enter saves.
    page.keyboard.press("Escape")
    expect(review).to_be_hidden()
    page.keyboard.press("Enter")
    expect(review).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("saved")).to_contain_text("Saved; sending to the Horde")
    expect(page.get_by_test_id("set-state")).to_contain_text("sending to the Horde…")
    assert not horde.rated  # the page did not wait on the Horde
    shot(page, "desktop-sending")
    run_worker()
    # The page polls while the rating is on its way, and shows the Horde's answer without a reload by hand.
    expect(page.get_by_test_id("set-state")).to_contain_text("the Horde gave you 25 kudos", timeout=10_000)
    expect(page.get_by_test_id("best-line")).to_contain_text("Best: image 3.")
    expect(page.get_by_test_id("result-3")).to_contain_text("Image 3: 10 · Masterpiece")
    shot(page, "desktop-rated")
    generation_set = GenerationSet.objects.get()
    assert generation_set.submission == GenerationSet.Submission.SENT and generation_set.best.generation_id == ids[2]
    [accepted] = horde.rated
    assert accepted["reward"] == 25

    page.goto("/generations/")
    expect(page.get_by_test_id("sets")).to_contain_text("the Horde gave you 25 kudos")
    shot(page, "desktop-list")


@pytest.mark.browser
def test_on_a_phone_the_images_stack_and_every_target_is_big_enough(open_page, horde) -> None:
    page = open_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    log_in(page)
    page.goto(f"/generations/{DEMO_SET_FOUR}/")
    expect(page.get_by_test_id("gen-image")).to_have_count(4)
    first, second = card(page, 1).bounding_box(), card(page, 2).bounding_box()
    assert abs(first["x"] - second["x"]) < 1 and second["y"] > first["y"] + first["height"] - 1
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    for target in [card(page, 1).locator(".gen-option").nth(1), card(page, 1).locator(".gen-best-pick")]:
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    shot(page, "phone-top")

    # Tapping: a rating of image 2 and the review bar at the bottom.
    card(page, 2).locator(".gen-rating .gen-option").filter(has_text=re.compile("^7$")).tap()
    page.get_by_test_id("review-button").tap()
    expect(page.get_by_test_id("review")).to_contain_text("Best: image 2. The only image you rated, rated 7 or more")
    shot(page, "phone-review")
    page.get_by_test_id("save").tap()
    expect(page.get_by_test_id("saved")).to_contain_text("Saved; sending to the Horde")
    shot(page, "phone-sending")
    run_worker()
    expect(page.get_by_test_id("set-state")).to_contain_text("the Horde gave you 5 kudos", timeout=10_000)
    shot(page, "phone-rated")


@pytest.mark.browser
def test_without_javascript_the_server_shows_the_review_before_saving(open_page, horde) -> None:
    page = open_page(java_script_enabled=False)
    log_in(page)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    page.goto(f"/generations/{DEMO_SET_FOUR}/")

    page.locator(f'input[name="rating-{ids[1]}"][value="9"]').check(force=True)
    page.locator(f'input[name="rating-{ids[3]}"][value="4"]').check(force=True)
    page.locator('input[name="best"][value="none"]').check(force=True)
    page.get_by_test_id("review-button").click()

    review = page.get_by_test_id("review")
    expect(review).to_contain_text("Image 2: 9 · Excellent")
    expect(review).to_contain_text("You said no image is clearly better.")
    shot(page, "nojs-review")
    assert not GenerationRating.objects.exists()
    page.get_by_role("button", name="Change").click()  # back to the form, the choices kept
    expect(page.locator(f'input[name="rating-{ids[1]}"][value="9"]')).to_be_checked()
    expect(page.locator('input[name="best"][value="none"]')).to_be_checked()
    page.get_by_test_id("review-button").click()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("saved")).to_contain_text("Saved; sending to the Horde")
    expect(page.get_by_test_id("set-state")).to_contain_text("sending to the Horde…")
    run_worker()
    page.reload()  # no JavaScript, no poll
    expect(page.get_by_test_id("set-state")).to_contain_text("the Horde gave you 10 kudos")
    assert GenerationSet.objects.get().best_none
