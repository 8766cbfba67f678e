"""Every control of the rate page is in view without scrolling: on desktop screens the image scales to the
room left beside the controls; on a phone the image, the rating row and the next step fit the screen, each
touch target is at least 44 px, and after each save the new card is in view from its top."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from ratings_site.ratings.models import Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    artifacts_scale,
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    rating_scale,
    shown_image,
    shown_image_id,
)

DESKTOPS = [(1366, 768), (1280, 720), (1920, 1080)]
PHONE = {"width": 390, "height": 844}


pytestmark = pytest.mark.usefixtures("no_captchas")


def inside(page: Page, locator: Locator, what: str) -> dict:
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None, f"{what} is not on the page"
    assert box["x"] >= 0 and box["y"] >= 0, f"{what} starts outside the screen: {box}"
    assert box["x"] + box["width"] <= viewport["width"] + 0.5, f"{what} sticks out on the right: {box}"
    assert box["y"] + box["height"] <= viewport["height"] + 0.5, f"{what} is below the fold: {box} in {viewport}"
    return box


def controls(page: Page) -> dict[str, Locator]:
    found = {"image": shown_image(page)}
    for n, label in enumerate(rating_scale(page).locator("label").all(), start=1):
        found[f"rating {n}"] = label
    for n, label in enumerate(artifacts_scale(page).locator("label").all()):
        found[f"artifacts {n}"] = label
    found["save"] = page.get_by_role("button", name=re.compile("Save rating"))
    found["skip"] = page.get_by_role("button", name=re.compile("^Skip"))
    found["report"] = page.locator("#report summary")
    return found


@pytest.mark.browser
@pytest.mark.parametrize("width,height", DESKTOPS, ids=[f"{w}x{h}" for w, h in DESKTOPS])
def test_desktop_shows_the_image_and_every_control_without_scrolling(
    open_page: Callable[..., Page], make_picture_images, width: int, height: int
) -> None:
    make_picture_images(3)
    page = open_page(viewport={"width": width, "height": height})
    log_in(page)  # the first visit: the welcome panel and the "Welcome" message are showing
    expect_image_loaded(page)
    expect(page.get_by_test_id("welcome")).to_be_visible()

    for what, locator in controls(page).items():
        expect(locator).to_be_visible()
        inside(page, locator, what)
    image = inside(page, shown_image(page), "image")
    assert image["height"] >= height * 0.55, f"the image does not use the room left: {image}"
    assert page.evaluate("document.scrollingElement.scrollHeight") <= height + 1, "the page scrolls"

    # After a rating, the undo button is there too; with the report open, its reasons are in view.
    page.keyboard.press("6")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved")).to_be_visible()
    inside(page, page.get_by_role("button", name=re.compile("^Undo last")), "undo")
    expect_image_loaded(page)  # keys pressed before the next image shows are dropped
    page.keyboard.press("r")
    for reason in ("Broken or not loading", "NSFW", "Watermark or text", "Send report"):
        inside(page, page.get_by_role("button", name=re.compile(reason)), reason)
    inside(page, page.get_by_placeholder("What is wrong with it?"), "the note of a report")


@pytest.mark.browser
def test_phone_fits_image_rating_and_next_step_with_big_touch_targets(open_page: Callable[..., Page], make_picture_images) -> None:
    make_picture_images(4)
    page = open_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    log_in(page)
    expect_image_loaded(page)
    page.get_by_role("button", name=re.compile("Got it")).tap()
    expect(page.get_by_test_id("welcome")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")  # the tap scrolled down to the panel, which sits below the controls

    found = controls(page)
    for what, locator in found.items():
        box = inside(page, locator, what)
        if what != "image":
            assert box["height"] >= 44 and box["width"] >= 44, f"{what} is too small to tap: {box}"

    # Three taps, no scroll: a rating, artifacts, Save. The new card is then in view from its top.
    first = shown_image_id(page)
    rating_scale(page).locator("label").filter(has_text="Good").tap()
    artifacts_scale(page).locator("label").filter(has_text="Tiny flaws").tap()
    page.get_by_role("button", name=re.compile("Save rating")).tap()
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    expect_image_loaded(page)
    assert page.evaluate("document.getElementById('card').getBoundingClientRect().top") >= 0
    inside(page, shown_image(page), "the next image")
    assert [(r.rating, r.artifacts) for r in Rating.objects.all()] == [(7, 1)]


@pytest.mark.browser
def test_phone_after_scrolling_down_the_next_card_comes_into_view_from_its_top(
    open_page: Callable[..., Page], make_picture_images
) -> None:
    make_picture_images(4)
    page = open_page(viewport={"width": 390, "height": 600}, is_mobile=True, has_touch=True)
    log_in(page)
    expect_image_loaded(page)
    page.get_by_role("button", name=re.compile("Got it")).tap()
    first = shown_image_id(page)
    rating_scale(page).locator("label").filter(has_text="Great").tap()
    save = page.get_by_role("button", name=re.compile("Save rating"))
    save.scroll_into_view_if_needed()
    assert page.evaluate("document.getElementById('card').getBoundingClientRect().top") < 0, "the test did not scroll"
    save.tap()

    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    page.wait_for_function("() => document.getElementById('card').getBoundingClientRect().top >= 0", polling=100)
    top = shown_image(page).bounding_box()["y"]
    assert 0 <= top < 600
