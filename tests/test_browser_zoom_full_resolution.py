"""Zoom shows the original file at full resolution, and opens and closes by key, click and tap.

The rate page shows a light rendition; "z" or a click on the image opens a dialog with the
original (Image.src), one image pixel per CSS pixel, not scaled down to the screen. Escape,
a click on the zoomed image or the Close button closes it. While it is open the rating keys
do nothing: the rater cannot see what they would rate. On a phone a tap opens and closes it;
without JavaScript the image is a plain link to the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.files.storage import default_storage
from PIL import Image as Picture
from playwright.sync_api import Page, Request, expect

from ratings_site.datasets.models import Image
from ratings_site.ratings.models import Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PHONE,
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    shown_image,
    shown_image_id,
)

LAPTOP = {"width": 1366, "height": 768}


def zoom(page: Page):
    return page.locator("dialog#zoom")


def zoomed_image(page: Page):
    return zoom(page).get_by_test_id("zoomed")


def close_button(page: Page):
    return zoom(page).get_by_role("button", name=re.compile(r"^Close"))


def shown_record(page: Page) -> Image:
    return Image.objects.get(public_id=shown_image_id(page))


def expect_zoom_open_at_full_resolution(page: Page, image: Image) -> None:
    expect(page.locator("dialog#zoom[open]")).to_be_visible()
    expect(zoomed_image(page)).to_be_visible()
    page.wait_for_function(
        "() => { const img = document.querySelector('dialog#zoom img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    with Picture.open(default_storage.path(image.file.name)) as original:
        file_width, file_height = original.size
    shown = zoomed_image(page).evaluate(
        """img => ({src: new URL(img.currentSrc).pathname, naturalWidth: img.naturalWidth,
                    naturalHeight: img.naturalHeight, width: img.getBoundingClientRect().width})"""
    )
    assert shown["src"] == image.src, "the zoom shows something else than the original file"
    assert (shown["naturalWidth"], shown["naturalHeight"]) == (file_width, file_height)
    assert shown["width"] == shown["naturalWidth"], f"the zoomed image is scaled: {shown}"


def expect_zoom_closed(page: Page) -> None:
    expect(page.locator("dialog#zoom[open]")).to_have_count(0)
    expect(zoomed_image(page)).to_be_hidden()


@pytest.mark.browser
def test_z_opens_the_original_at_full_resolution_and_escape_closes_it(
    open_page: Callable[..., Page], make_picture_images, settings
) -> None:
    settings.CAPTCHA_RATE = 0
    make_picture_images(3)
    page = open_page(viewport=LAPTOP)
    log_in(page)
    expect_image_loaded(page)
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)js(\s|$)"))
    image = shown_record(page)
    assert image.src != shown_image(page).get_attribute("src"), "the page shows the original, not a rendition"

    page.keyboard.press("z")
    expect_zoom_open_at_full_resolution(page, image)
    page.keyboard.press("Escape")
    expect_zoom_closed(page)
    expect(shown_image(page)).to_be_visible()


@pytest.mark.browser
def test_a_click_on_the_image_opens_the_zoom_and_a_click_on_it_or_on_close_closes_it(
    open_page: Callable[..., Page], make_picture_images, settings
) -> None:
    settings.CAPTCHA_RATE = 0
    make_picture_images(3)
    page = open_page(viewport=LAPTOP)
    log_in(page)
    expect_image_loaded(page)
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)js(\s|$)"))
    image = shown_record(page)

    shown_image(page).click()
    expect_zoom_open_at_full_resolution(page, image)
    expect(page).to_have_url(re.compile(r"/rate/$"))  # the link's own navigation did not happen
    zoomed_image(page).click()
    expect_zoom_closed(page)

    shown_image(page).click()
    expect_zoom_open_at_full_resolution(page, image)
    close_button(page).click()
    expect_zoom_closed(page)
    assert len(page.context.pages) == 1, "the click opened the original in a new tab as well"


@pytest.mark.browser
def test_rating_keys_do_nothing_while_the_zoom_is_open(
    open_page: Callable[..., Page], make_picture_images, settings
) -> None:
    settings.CAPTCHA_RATE = 0
    make_picture_images(3)
    page = open_page(viewport=LAPTOP)
    log_in(page)
    expect_image_loaded(page)
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)js(\s|$)"))
    image = shown_record(page)
    posts: list[str] = []

    def note(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", note)

    # A rating chosen before zooming: Enter in the zoom must not save it either.
    page.keyboard.press("7")
    expect(page.locator('input[name=rating][value="7"]')).to_be_checked()

    page.keyboard.press("z")
    expect_zoom_open_at_full_resolution(page, image)
    for key in ["3", "0", "5"]:
        page.keyboard.press(key)
    expect(page.locator("dialog#zoom[open]")).to_be_visible()
    expect(page.locator('input[name=rating][value="7"]')).to_be_checked()
    # Enter: the dialog's Close button has the focus, so the browser presses it (the zoom closes);
    # whatever has the focus, Enter must not save the rating chosen behind the zoom.
    page.keyboard.press("Enter")
    if zoom(page).evaluate("dialog => dialog.open"):
        page.keyboard.press("Escape")
    expect_zoom_closed(page)

    expect(page.locator('input[name=rating][value="7"]')).to_be_checked()
    expect(page.locator("input[name=artifacts]:checked")).to_have_count(0)
    expect(page.locator("#rate-form.htmx-request")).to_have_count(0)  # no save in flight
    expect(page.get_by_test_id("save")).to_be_enabled()
    assert shown_image_id(page) == str(image.public_id)
    assert posts == []
    assert not Rating.objects.exists()


@pytest.mark.browser
def test_on_a_phone_a_tap_opens_the_zoom_and_a_tap_on_close_closes_it(
    open_page: Callable[..., Page], make_picture_images, settings
) -> None:
    settings.CAPTCHA_RATE = 0
    make_picture_images(3)
    page = open_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    log_in(page)
    expect_image_loaded(page)
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)js(\s|$)"))
    image = shown_record(page)

    shown_image(page).tap()
    expect(page.locator("dialog#zoom[open]")).to_be_visible()
    expect(zoomed_image(page)).to_have_attribute("src", image.src)
    page.wait_for_function("() => document.querySelector('dialog#zoom img').naturalWidth > 0")
    expect(close_button(page)).to_be_visible()
    expect(close_button(page)).to_be_in_viewport()
    close_button(page).tap()
    expect_zoom_closed(page)
    expect(shown_image(page)).to_be_visible()
    assert len(page.context.pages) == 1


@pytest.mark.browser
def test_without_javascript_the_image_links_to_the_original_file(
    open_page: Callable[..., Page], make_picture_images
) -> None:
    make_picture_images(3)
    page = open_page(viewport=LAPTOP, java_script_enabled=False)
    log_in(page)
    expect_image_loaded(page)
    image = shown_record(page)

    link = page.get_by_role("link").filter(has=shown_image(page))
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", image.src)
    original = page.request.get(image.src)  # what following the link downloads: the file itself
    assert original.ok and original.headers["content-type"] == "image/png"
    with default_storage.open(image.file.name) as stored:
        assert original.body() == stored.read()
