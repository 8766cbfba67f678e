"""The rate card's five tags, in Chromium: "T" then 1-5 turns a tag on or off, as a click or a tap on it does; a
chosen tag shows as pressed (checked, and drawn as a chosen rating is), the Save button counts the tags, and they
are saved with the rating, never on their own. "T" then a digit that is no tag's sets the rating. On a 1366 × 768
laptop the tags and Save are on the screen; on a 390 px phone nothing scrolls sideways."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ratings_site.ratings.models import RaterTag, Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    page,
    rating_scale,
    shown_image,
    shown_image_id,
)
from tests.screen_helpers import assert_on_screen, viewport

pytestmark = pytest.mark.usefixtures("no_captchas")

LAPTOP = (1366, 768)
PHONE = (390, 844)


def tag(page: Page, label: str):
    return page.get_by_role("checkbox", name=label)


def tags_scale(page: Page):
    return page.get_by_role("group", name=re.compile("^Tags"))


def save_button(page: Page):
    return page.get_by_role("button", name=re.compile("Save rating"))


def background(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).backgroundColor")


def stored_tags() -> list[tuple[str, str]]:
    return sorted((str(row.image.public_id), row.tag) for row in RaterTag.objects.select_related("image"))


def nothing_saved_after_a_while() -> None:
    time.sleep(0.4)  # time for a request, had a toggle sent one
    assert not Rating.objects.exists()
    assert not RaterTag.objects.exists()


@pytest.mark.browser
def test_t_then_a_digit_turns_a_tag_on_and_off_and_enter_saves_them_with_the_rating(
    page: Page, make_picture_images
) -> None:
    make_picture_images(2)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)
    expect(tags_scale(page).locator("label").filter(has_text="Watermark").locator("kbd")).to_have_text(["T", "1"])

    page.keyboard.press("7")
    page.keyboard.press("t")
    expect(tags_scale(page).get_by_text("press 1–5")).to_be_visible()  # "T" waits for its digit, visibly
    page.keyboard.press("1")
    expect(tags_scale(page).get_by_text("press 1–5")).to_be_hidden()
    expect(tag(page, "Watermark")).to_be_checked()
    for key in ("t", "3", "t", "5", "t", "5"):  # NSFW on; "Not an artwork" on, then off again
        page.keyboard.press(key)
    expect(tag(page, "NSFW")).to_be_checked()
    expect(tag(page, "Not an artwork")).not_to_be_checked()
    expect(tag(page, "Text")).not_to_be_checked()
    expect(save_button(page)).to_contain_text("7 · Good · no artifacts rating · 2 tags")
    chosen = rating_scale(page).locator("label").filter(has_text="Good")
    watermark = tags_scale(page).locator("label").filter(has_text="Watermark")
    assert background(watermark) == background(chosen)  # pressed, as the chosen rating is drawn
    assert background(tags_scale(page).locator("label").filter(has_text="Text")) != background(chosen)
    nothing_saved_after_a_while()

    page.keyboard.press("t")
    page.keyboard.press("8")  # not a tag's digit: the rating, as after "A"
    expect(save_button(page)).to_contain_text("8 · Great · no artifacts rating · 2 tags")
    nothing_saved_after_a_while()

    page.keyboard.press("Enter")

    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 8 · Great")
    expect(shown_image(page)).not_to_have_attribute("data-image-id", first)
    assert [(str(r.image.public_id), r.rating) for r in Rating.objects.all()] == [(first, 8)]
    assert stored_tags() == [(first, "nsfw"), (first, "watermark")]
    for label in ("Watermark", "NSFW"):  # the next card starts with none chosen
        expect(tag(page, label)).not_to_be_checked()


@pytest.mark.browser
def test_clicks_and_space_toggle_tags_without_saving(page: Page, make_picture_images) -> None:
    make_picture_images(2)
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)

    tags_scale(page).locator("label").filter(has_text="Broken").click()
    tags_scale(page).locator("label").filter(has_text="Text").click()
    tags_scale(page).locator("label").filter(has_text="Text").click()
    expect(tag(page, "Broken")).to_be_checked()
    expect(tag(page, "Text")).not_to_be_checked()
    tag(page, "Text").focus()
    page.keyboard.press(" ")  # a focused tag, by the browser's own key
    expect(tag(page, "Text")).to_be_checked()
    nothing_saved_after_a_while()

    rating_scale(page).locator("label").filter(has_text="Decent").click()
    save_button(page).click()

    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 6 · Decent")
    assert stored_tags() == [(first, "broken"), (first, "text")]


@pytest.mark.browser
def test_the_keys_help_lists_the_tag_keys(page: Page, make_picture_images) -> None:
    make_picture_images(1)
    log_in(page)
    expect_image_loaded(page)

    page.keyboard.press("?")

    help_text = page.locator("#keys-help")
    expect(help_text).to_contain_text("T then 1–5")
    expect(help_text).to_contain_text("1 Watermark, 2 Text, 3 NSFW, 4 Broken, 5 Not an artwork")


@pytest.mark.browser
def test_a_laptop_shows_the_tags_and_save_without_scrolling(
    open_page: Callable[..., Page], make_picture_images
) -> None:
    make_picture_images(1)
    page = open_page(**viewport(*LAPTOP))
    log_in(page)
    expect_image_loaded(page)

    for label in tags_scale(page).locator("label").all():
        assert_on_screen(page, label, f"the tag {label.inner_text()!r}")
    assert_on_screen(page, save_button(page), "Save")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0


@pytest.mark.browser
def test_a_phone_taps_tags_and_saves_them_with_no_sideways_scroll(
    open_page: Callable[..., Page], make_picture_images
) -> None:
    make_picture_images(2)
    page = open_page(**viewport(*PHONE))
    log_in(page)
    expect_image_loaded(page)
    first = shown_image_id(page)

    tags_scale(page).locator("label").filter(has_text="Not an artwork").tap()
    tags_scale(page).locator("label").filter(has_text="Watermark").tap()
    expect(tag(page, "Not an artwork")).to_be_checked()
    expect(tag(page, "Watermark")).to_be_checked()
    for label in tags_scale(page).locator("label").all():
        box = label.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], label.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    nothing_saved_after_a_while()

    rating_scale(page).locator("label").filter(has_text="Great").tap()
    save_button(page).tap()

    expect(page.get_by_test_id("saved")).to_contain_text("Saved: 8 · Great")
    assert stored_tags() == [(first, "not_artwork"), (first, "watermark")]
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
